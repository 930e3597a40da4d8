"""The command line: parse options, call the library, render. Nothing else."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import re
import signal
import stat
import sys
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from logscan import __version__, buckets
from logscan.errors import LogscanError, OutputError
from logscan.outputs import Stdout, StdoutClosed, install_stdio, printable, reader_gone, write_all

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
EXIT_OK, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130
#: The reader of the output went away: the status of a process killed by SIGPIPE.
EXIT_PIPE_CLOSED = 128 + 13


# --------------------------------------------------------------------------- shared options


def pattern_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option(
        "--patterns", "pattern_paths", multiple=True, type=click.Path(path_type=Path),
        help="Extra pattern file or folder of *.toml files (repeatable).",
    )(f)  # fmt: skip
    f = click.option(
        "--no-builtin-patterns", is_flag=True, help="Use only the pattern files given with --patterns."
    )(f)
    return f


def catalogue_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--catalogue", "catalogue_paths", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
        help="Extra catalogue file whose entries add to or override the bundled ones (repeatable).",
    )(f)  # fmt: skip


#: Redaction of log text, for every command that shows some.
no_redact_option = click.option(
    "--no-redact", is_flag=True, help="Show log text as it is (default: secrets, e-mails masked)."
)
redact_users_option = click.option("--redact-users", is_flag=True, help="Also mask user ids in log text.")


@dataclass(frozen=True)
class Scan:
    """What a command that scans logs was given: PATHS and the options of :func:`scan_options`."""

    paths: tuple[str, ...]
    pattern_paths: tuple[Path, ...]
    no_builtin_patterns: bool
    catalogue_paths: tuple[Path, ...]
    config_path: Path | None
    workers: int | None
    keep_going: bool
    no_redact: bool
    redact_users: bool
    quiet: bool
    #: ``--engine`` (None: the configuration's, else local), ``--scheduler``, ``--connect-timeout``.
    engine: str | None = None
    scheduler: str | None = None
    connect_timeout: float | None = None

    def engine_of(self, config: Any) -> str:
        """Where the scan runs: --engine, else the configuration's ``engine``, else dask when
        --scheduler is given, else local. Standard input is read by the local engine only."""
        engine = self.engine or config.engine or ("dask" if self.scheduler else "local")
        if engine == "local" and self.scheduler:
            raise click.BadParameter("a scheduler is for --engine dask", param_hint="--scheduler")
        if engine == "dask" and "-" in self.paths:
            raise click.UsageError("standard input (-) is read by the local engine only: drop --engine dask")
        return engine

    def cluster(self, config: Any) -> Any:
        """The Dask cluster to run on (--scheduler, else the configuration's, else one started here)."""
        from logscan.distributed import CONNECT_TIMEOUT, Cluster

        timeout = CONNECT_TIMEOUT if self.connect_timeout is None else self.connect_timeout
        return Cluster(self.scheduler or config.scheduler, timeout, self.workers)

    def prepare(self) -> tuple[Any, Any, Any]:
        """The configuration (given or discovered), the matcher and the catalogue; the options
        add to what the configuration file says."""
        from logscan.catalogue import load_catalogue
        from logscan.scan import Matcher

        config, patterns = load_config_and_patterns(
            self.config_path, self.pattern_paths, self.no_builtin_patterns, check=True
        )
        catalogue = load_catalogue([*config.catalogue, *self.catalogue_paths])
        return config, Matcher.build(patterns), catalogue

    def refuse_output_among_inputs(self, output: Path | None) -> None:
        """``-o`` naming a file that is to be scanned (named, matched by a glob, or in a folder
        to scan) would replace a log being read, or count its own last report: a usage error.
        A new file in a scanned folder is fine: it is written after the scan."""
        from logscan.inputs import would_read

        if output is not None and output.is_file() and would_read(self.paths, output):
            raise click.BadParameter(
                f"{output} is one of the logs to scan; write the output elsewhere", param_hint="-o/--output"
            )

    def report_options(self, config: Any, **extra: Any) -> Any:
        from logscan import config as cfg
        from logscan.report import ReportOptions

        dask = self.engine_of(config) == "dask"
        return ReportOptions(
            paths=self.paths,
            workers=self.workers,
            redact=not self.no_redact,
            redact_users=self.redact_users,
            limits=cfg.limits_of(config),
            cluster=self.cluster(config) if dask else None,
            **extra,
        )


def scan_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Options every command that scans logs takes; the command receives them, with PATHS, as
    one ``scan`` (:class:`Scan`). For a large scan, the workers start first (before anything is
    loaded, they import polars while this process does) and this process, which scans
    beside them, takes their settings."""
    names = [field.name for field in dataclasses.fields(Scan)]

    @functools.wraps(f)
    def command(**kwargs: Any) -> Any:
        scan = Scan(**{name: kwargs.pop(name) for name in names})
        from logscan import pool

        if scan.engine != "dask" and not scan.scheduler:
            pool.prestart(scan.paths, scan.workers)
        return f(scan=scan, **kwargs)

    for deco in reversed(
        [
            pattern_options,
            catalogue_option,
            config_option,
            click.option(
                "-j", "--workers", type=click.IntRange(1, 64), default=None,
                help="Processes that scan, this one included (default: CPU count, at most 8).",
            ),
            click.option(
                "--keep-going", is_flag=True,
                help="Do not fail because some inputs could not be read (still listed, with a warning).",
            ),
            no_redact_option,
            redact_users_option,
            click.option("-q", "--quiet", is_flag=True, help="No progress or warnings on stderr."),
            click.option(
                "--engine", type=click.Choice(["local", "dask"]), default=None,
                help="Scan here (local, the default) or on a Dask cluster (dask; see Fleets in the README).",
            ),
            click.option(
                "--scheduler", metavar="ADDRESS", default=None,
                help="Dask scheduler (tcp://host:8786) for --engine dask (default: a cluster started here).",
            ),
            click.option(
                "--connect-timeout", type=click.FloatRange(0, min_open=True), default=None, metavar="S",
                help="Seconds to wait for the scheduler and a worker (default: 10).",
            ),
        ]
    ):  # fmt: skip
        command = deco(command)
    return command


def load_config_and_patterns(
    config_path: Path | None, pattern_paths: tuple[Path, ...], no_builtin: bool, *, check: bool
) -> tuple[Any, Any]:
    """The configuration (given or discovered) and its patterns plus ``pattern_paths``.

    ``check`` runs the samples of user pattern files at load (``False`` skips them).
    """
    from logscan import config as cfg
    from logscan.patterns import load_patterns

    config = cfg.load(config_path or cfg.discover())
    patterns = load_patterns(
        [*config.patterns, *pattern_paths],
        builtin=config.builtin_patterns and not no_builtin,
        check_samples=None if check else False,
    )
    return config, patterns


def config_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--config", "config_path", type=click.Path(path_type=Path, dir_okay=False, exists=True),
        help="Configuration file (default: logscan.toml or [tool.logscan] in pyproject.toml, "
        "looked for from the current folder upward).",
    )(f)  # fmt: skip


def _remember_color(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.meta["logscan.color"] = value


#: ``--color``, for the commands that draw tables (read by :func:`use_color`).
color_option = click.option(
    "--color", type=click.Choice(["auto", "always", "never"]), default=None, expose_value=False,
    callback=_remember_color,
    help="Colour: auto (default: on a terminal, unless NO_COLOR is set or FORCE_COLOR forces it), "
    "always (also into a pipe: | less -R), never.",
)  # fmt: skip


def use_color() -> bool:
    """Whether tables on stdout are drawn in colour: ``--color always|never`` if given; else
    not when ``NO_COLOR`` is set (not empty), yes when ``FORCE_COLOR`` is (not empty, not 0),
    else when stdout is a terminal."""
    ctx = click.get_current_context(silent=True)
    choice = ctx.meta.get("logscan.color", "auto") if ctx is not None else "auto"
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    return sys.stdout.isatty()


def refuse_binary_on_terminal(fmt: str, output: Path | None, binary: Any) -> None:
    """A binary format written to a terminal is a usage error: it wants -o or a pipe."""
    if output is None and fmt in binary and stdout_is_terminal():
        raise click.UsageError(f"{fmt} is binary: write it to a file with -o FILE.{fmt}, or pipe it")


def output_options(
    formats: tuple[str, ...], default: str, *, folder: str = ""
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """-o and --format; ``folder`` (help text) where -o may name a folder too."""

    def deco(f: Callable[..., Any]) -> Callable[..., Any]:
        f = click.option(
            "-o", "--output", type=click.Path(path_type=Path, dir_okay=bool(folder)),
            help="Write to FILE (atomically) instead of stdout; the extension picks the format." + folder,
        )(f)  # fmt: skip
        f = click.option(
            "-f", "--format", "format_", type=click.Choice(formats), default=None,
            help=f"Output format (default: {default}, or from the -o extension).",
        )(f)  # fmt: skip
        return f

    return deco


# --------------------------------------------------------------------------- the group


class _PipeClosed(Exception):
    """The reader of the output went away (click would turn a BrokenPipeError into status 1)."""


class LogscanGroup(click.Group):
    """The command group; its ``main`` is the one place errors become messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError as exc:
            raise _PipeClosed from exc

    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> Any:  # type: ignore[override]
        argv = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in argv or bool(os.environ.get("LOGSCAN_DEBUG"))
        try:
            code = _output_complete(self._run(argv, prog_name, **extra))
        except click.ClickException as exc:
            exc.show()  # click shows a path or value with its control characters escaped
            code = exc.exit_code if isinstance(exc, click.UsageError) else EXIT_ERROR
        except (click.exceptions.Abort, KeyboardInterrupt):
            click.echo("logscan: interrupted", err=True)
            code = EXIT_INTERRUPTED
        except (BrokenPipeError, _PipeClosed):
            code = _quiet_broken_pipe()
        except StdoutClosed as exc:
            click.echo(f"logscan: error: cannot write to stdout: {exc.reason}", err=True)
            code = EXIT_ERROR
        except LogscanError as exc:
            if debug:
                traceback.print_exc()
            for line in str(exc).splitlines() or [type(exc).__name__]:
                click.echo(f"logscan: error: {printable(line)}", err=True)
            code = exc.exit_code
        except Exception as exc:
            if debug:
                traceback.print_exc()
            click.echo(
                f"logscan: internal error: {type(exc).__name__}: {printable(str(exc))} "
                "(run with --debug for the traceback)",
                err=True,
            )
            code = EXIT_ERROR
        sys.exit(code if isinstance(code, int) else 0)

    def _run(self, argv: list[str], prog_name: str | None, **extra: Any) -> int:
        """The command's exit status (its errors raised, for :meth:`main` to translate)."""
        try:
            code = super().main(args=argv, prog_name=prog_name or "logscan", standalone_mode=False, **extra)
        except click.exceptions.Exit as exc:
            code = exc.exit_code
        return code if isinstance(code, int) else 0


#: Standard output as :func:`main` set it up (None when the group runs otherwise: in tests).
_STDOUT: Stdout | None = None


def _output_complete(code: int) -> int:
    """The exit status once the output is out: a reader that went away before the end (``| head``
    that stopped reading) cut it: 141, as if SIGPIPE had come, whether or not a write failed."""
    if code in (EXIT_OK, EXIT_FINDINGS) and _STDOUT is not None and _STDOUT.fd is not None:
        sys.stdout.flush()
        if _STDOUT.written and reader_gone(_STDOUT.fd):
            return _quiet_broken_pipe()
    return code


def _quiet_broken_pipe() -> int:
    """The reader went away (``| head``): stop quietly, without a traceback at exit, with
    the status of a process SIGPIPE killed (output was cut: not a success)."""
    with contextlib.suppress(OSError, ValueError):
        fd = _STDOUT.fd if _STDOUT is not None and _STDOUT.fd is not None else sys.stdout.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    return EXIT_PIPE_CLOSED


@click.group(name="logscan", cls=LogscanGroup, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="logscan")
@click.option("--debug", is_flag=True, help="Show tracebacks of errors (for bug reports).")
def cli(debug: bool) -> None:
    """Decode Agora Chat SDK error codes in client logs.

    \b
    Examples:
      logscan report app.log                 which SDK errors, how often, what to do
      logscan report ticket/ -f json -o r.json
      adb logcat | logscan watch -           decode a live log as it is written
      logscan explain 208                    what a code means (both SDK families)
      logscan codes --sdk web                the catalogue
    """


@cli.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True)
@output_options(("table", "json", "markdown", "csv", "parquet", "html"), "table")
@click.option(
    "--by", "views", multiple=True,
    type=click.Choice(["code", "category", "kind", "file", "platform", "time"]),
    help="Views to show (repeatable): code and category always; kind, file, platform, time. "
    "CSV and Parquet hold the first one given.",
)  # fmt: skip
@click.option(
    "--bucket", default=None, callback=lambda c, p, v: _bucket(v), help="Timeline bucket: 1m, 5m, 1h, 1d ..."
)
@color_option
@scan_options
def report(
    views: tuple[str, ...],
    bucket: str | None,
    format_: str | None,
    output: Path | None,
    scan: Scan,
) -> None:
    """Report which SDK errors occur in PATHS, how often, when, where and what to do.

    PATHS are files, folders (scanned recursively), globs, or - for stdin.
    Compressed files (.gz .bz2 .xz .zst) and archives (.zip .tar .tgz) are
    read in place; archive members are named archive.zip:member/path.

    \b
    Exit status: 0 done (with or without errors found), 2 when an input
    could not be read (unless --keep-going) or on a usage/config error.

    \b
    Examples:
      logscan report easemob.log
      logscan report ticket-4711/ --format markdown -o report.md
      adb logcat -d | logscan report -
    """
    from logscan.render import BINARY
    from logscan.report import report_paths

    fmt = pick_format(format_, output, default="table")
    refuse_binary_on_terminal(fmt, output, BINARY)
    scan.refuse_output_among_inputs(output)
    config, matcher, catalogue = scan.prepare()
    wanted, extra = report_views(views, fmt, bucket)
    options = scan.report_options(config, views=extra, bucket=bucket)
    with progress_bar(scan.paths, quiet=scan.quiet) as progress:
        result = report_paths(options, matcher, catalogue, progress=progress)
    finish_scan(
        result.stats,
        keep_going=scan.keep_going,
        quiet=scan.quiet,
        render=lambda: emit(
            fmt,
            output,
            lambda f: render_report(result, f, wanted[0], to_file=output is not None, paths=scan.paths),
        ),
    )


def report_views(
    views: tuple[str, ...], fmt: str, bucket: str | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The views asked for (``--by``; codes by default) and the extra ones the report computes
    (kind, file, platform, time: the HTML page shows every view, and a ``--bucket`` needs the
    timeline)."""
    wanted = tuple(dict.fromkeys(views)) or ("code",)
    extra = tuple(v for v in wanted if v in ("kind", "file", "platform", "time"))
    if fmt == "html":
        extra = ("kind", "file", "platform", "time")
    elif bucket and "time" not in extra:
        extra = tuple(dict.fromkeys((*extra, "time")))
    return wanted, extra


def _bucket(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"[1-9]\d*[smhdw]", value):
        raise click.BadParameter(
            f"{value!r}: use a number and a unit: 30s, 1m, 5m, 1h, 1d, 1w", param_hint="--bucket"
        )
    if value is not None and buckets.seconds(value) > buckets.LONGEST_SECONDS:
        raise click.BadParameter(f"{value!r}: a bucket is at most 100 years (5214w)", param_hint="--bucket")
    return value


@contextlib.contextmanager
def progress_bar(paths: tuple[str, ...], *, quiet: bool) -> Any:
    """A progress callback for the engine: a bar on stderr when it is a terminal, else nothing.

    The total is the size of the plain files given (found by a quick walk);
    with compressed files or archives among them, there is no total, and the
    bar shows bytes and rate only.
    """
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

    total: int | None = 0
    for path in _walk_files(paths):
        if path.suffix.lower() in (".gz", ".bz2", ".xz", ".zst", ".zip", ".tar", ".tgz"):
            total = None
            break
        with contextlib.suppress(OSError):
            total += path.stat().st_size  # type: ignore[operator]
    columns = (BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("scanning", total=total or None)
        yield lambda n: bar.advance(task, n)


def _walk_files(paths: tuple[str, ...]) -> Any:
    for text in paths:
        path = Path(text)
        if path.is_dir():
            yield from (p for p in path.rglob("*") if p.is_file())
        elif path.is_file():
            yield path


def finish_scan(stats: Any, *, keep_going: bool, quiet: bool, render: Callable[[], None]) -> None:
    """Render, name every unreadable input, pick the exit code.

    When nothing at all could be read there is no report, except with --keep-going (it lists
    the inputs and why: a CI job keeps its SARIF or JUnit file); either way that is an error:
    --keep-going accepts some unreadable inputs, and a gate must not pass on logs it never read.
    """
    nothing_read = stats.nothing_read
    if keep_going or not nothing_read:
        render()
    fatal = bool(stats.unreadable) and (nothing_read or not keep_going)
    for name, warning in getattr(stats, "warnings", ()):
        warn(f"warning: {name}: {warning}", quiet=quiet)
    for bad in stats.unreadable if fatal or not quiet else ():
        level = "error" if fatal else "warning"
        click.echo(f"logscan: {level}: cannot read {printable(bad.name)}: {printable(bad.reason)}", err=True)
    if fatal:
        if nothing_read and keep_going:
            click.echo(
                "logscan: error: no input could be read (--keep-going accepts some, not all)",
                err=True,
            )
        elif not nothing_read:
            click.echo(
                "logscan: error: the report above is incomplete; pass --keep-going to accept that", err=True
            )
        raise click.exceptions.Exit(EXIT_ERROR)


def render_report(
    result: Any, fmt: str, view: str = "code", *, to_file: bool = False, paths: tuple[str, ...] = ()
) -> str | bytes:
    from logscan.render import csv_, html, json_, markdown, views

    if fmt == "json":
        return json_.render(result)
    if fmt == "markdown":
        return markdown.render(result)
    if fmt == "csv":
        return csv_.render(result) if view == "code" else views.to_csv(result, view)
    if fmt == "parquet":
        return views.to_parquet(result, view)
    if fmt == "html":
        return html.render(result, paths=paths)
    return console_text(lambda console: _render_table(result, console, paths), to_file=to_file)


def _render_table(result: Any, console: Any, paths: tuple[str, ...]) -> None:
    from logscan.render import text

    text.render(result, console, paths=paths)


CHECK_EXTENSIONS = {".sarif": "sarif", ".xml": "junit", ".json": "json", ".txt": "text"}


@cli.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--fail-on",
    "fail_on",
    multiple=True,
    metavar="RULE",
    help="Fail on: any, unknown, code=208, name=USER_REMOVED, category=server, kind=client-bug; "
    "add >N to fail only above N lines (category=server>10). Repeatable. Default: any.",
)
@click.option(
    "--allow", multiple=True, metavar="RULE", help="Accept these codes (code=206, name=..., ...). Repeatable."
)
@click.option(
    "--max-total", type=click.IntRange(0), default=None, help="Fail when more than N error lines in all."
)
@click.option(
    "--baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="A JSON report written earlier (report --format json): fail only on codes new or grown.",
)
@click.option(
    "--tolerance",
    default=None,
    metavar="N|P%",
    help="How much a code may grow over the baseline: lines (5) or a share (20%). Default 0.",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when rules are violated (still reports).")
@output_options(("text", "github", "sarif", "junit", "json"), "text")
@scan_options
def check(
    fail_on: tuple[str, ...],
    allow: tuple[str, ...],
    max_total: int | None,
    baseline: Path | None,
    tolerance: str | None,
    exit_zero: bool,
    format_: str | None,
    output: Path | None,
    scan: Scan,
) -> None:
    """Gate a CI job on SDK errors in PATHS (crash or test-run logs).

    Rules come from --fail-on/--allow/--max-total and from the [check] table of
    the configuration file. With --baseline, only codes that are new or grew
    beyond --tolerance count; codes gone since are reported as fixed.

    \b
    Exit status: 0 no rule violated, 1 a rule violated (0 with --exit-zero),
    2 usage, configuration or input error (an unreadable log never passes).

    \b
    Examples:
      logscan check logs/ --fail-on any --allow code=206
      logscan check logs/ --fail-on category=server>10 --fail-on unknown
      logscan check logs/ --baseline main.json --tolerance 20% --format sarif -o logscan.sarif
      logscan check logs/ --format github
    """
    from logscan import gate
    from logscan.report import report_paths

    fmt = pick_format(format_, output, default="text", extensions=CHECK_EXTENSIONS)
    scan.refuse_output_among_inputs(output)
    config, matcher, catalogue = scan.prepare()

    where = config.where
    rules, allowed, limit, limit_source = gate_rules(config, catalogue, fail_on, allow, max_total)
    baseline_path = baseline or config.check.baseline
    base = gate.load_baseline(baseline_path) if baseline_path else None
    if tolerance is not None:
        tol = gate.parse_tolerance(tolerance)
    else:
        tol = gate.parse_tolerance(config.check.tolerance, source=where("tolerance"))
    options = scan.report_options(config)
    with progress_bar(scan.paths, quiet=scan.quiet) as progress:
        result = report_paths(options, matcher, catalogue, progress=progress)
    verdict = gate.evaluate(
        result, rules, allow=allowed, max_total=limit, baseline=base, tolerance=tol,
        max_total_source=limit_source,
    )  # fmt: skip

    def render() -> None:
        emit(fmt, output, lambda f: render_verdict(verdict, f))
        if fmt == "github":
            append_step_summary(verdict)

    finish_scan(result.stats, keep_going=scan.keep_going, quiet=scan.quiet, render=render)
    if verdict.failed and not exit_zero:
        raise click.exceptions.Exit(EXIT_FINDINGS)


def gate_rules(
    config: Any, catalogue: Any, fail_on: tuple[str, ...], allow: tuple[str, ...], max_total: int | None,
    *, policy: bool = True,
) -> tuple[list[Any], list[Any], int | None, str]:  # fmt: skip
    """The rules of a gate (``check``, ``watch``): ``--fail-on`` (else, with ``policy``, the
    configuration's ``fail_on``), the accepted codes (``--allow`` and the configuration's), the
    largest total (``--max-total``, else with ``policy`` the configuration's) and where it came
    from. With ``policy`` and nothing asked for, the rule is ``any``."""
    from logscan import gate

    where = config.where
    if fail_on:
        rules = [gate.parse_rule(r) for r in fail_on]
    elif policy:
        rules = [gate.parse_rule(r, source=where("fail_on")) for r in config.check.fail_on]
    else:
        rules = []
    allowed = [gate.parse_rule(r, source="--allow", threshold_allowed=False) for r in allow] + [
        gate.parse_rule(r, source=where("allow"), threshold_allowed=False) for r in config.check.allow
    ]
    gate.check_names([*rules, *allowed], catalogue)
    limit = max_total if max_total is not None else (config.check.max_total if policy else None)
    if policy and not rules and limit is None:
        rules = [gate.parse_rule("any", source="default")]
    return rules, allowed, limit, "--max-total" if max_total is not None else where("max_total")


def append_step_summary(verdict: Any) -> None:
    """Append the Markdown summary to ``$GITHUB_STEP_SUMMARY``, when set, after the verdict was
    written. A summary that cannot be written is said on stderr; the verdict and its exit status
    stand (the annotations are out already)."""
    from logscan.render import github

    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(github.summary(verdict))
    except OSError as exc:
        click.echo(
            f"logscan: warning: cannot write the step summary to {path} (GITHUB_STEP_SUMMARY): "
            f"{exc.strerror or exc}",
            err=True,
        )


def render_verdict(verdict: Any, fmt: str) -> str:
    from logscan.render import github, junit, sarif
    from logscan.render import verdict as views

    if fmt == "github":
        return github.render(verdict)
    if fmt == "sarif":
        return sarif.render(verdict)
    if fmt == "junit":
        return junit.render(verdict)
    if fmt == "json":
        return views.render_json(verdict)
    return views.render_text(verdict)


@cli.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--sdk", "sdk_filter", multiple=True, type=click.Choice(["native", "web"]), help="Only this SDK family."
)
@click.option("--code", "code_filter", multiple=True, type=int, help="Only this code (repeatable).")
@click.option("--category", "category_filter", multiple=True, help="Only this category (repeatable).")
@click.option("--kind", "kind_filter", multiple=True, help="Only this kind (repeatable).")
@click.option(
    "--since", type=click.DateTime(), default=None, help="Only lines with a full timestamp at or after this."
)
@click.option(
    "--until", type=click.DateTime(), default=None, help="Only lines with a full timestamp at or before this."
)
@output_options(
    ("ndjson", "csv", "json", "parquet"), "ndjson",
    folder=" With --engine dask: a FOLDER, written as a Parquet dataset (a part per task).",
)  # fmt: skip
@scan_options
def events(
    sdk_filter: tuple[str, ...],
    code_filter: tuple[int, ...],
    category_filter: tuple[str, ...],
    kind_filter: tuple[str, ...],
    since: Any,
    until: Any,
    format_: str | None,
    output: Path | None,
    scan: Scan,
) -> None:
    """Export every SDK error line of PATHS: file, line, time, code and its meaning.

    One row per error line: file (archive members as archive.zip:member),
    line, timestamp (null without a full date), sdk, platform, pattern, code,
    name, category, kind, the description the line gave, and the line itself
    (redacted, at most 500 characters). Without -o, NDJSON goes to stdout.

    \b
    Examples:
      logscan events ticket/ -o events.parquet
      logscan events app.log --kind transient --since 2024-05-01 | jq .code
      logscan events logs/ --format csv -o triage.csv
    """
    from logscan import config as cfg
    from logscan import exports
    from logscan.catalogue import CATEGORIES, KINDS, UNKNOWN
    from logscan.inputs import iter_sources

    for value in category_filter:
        if value not in (*CATEGORIES, UNKNOWN):
            raise click.BadParameter(f"{value!r} is not a category", param_hint="--category")
    for value in kind_filter:
        if value not in (*KINDS, UNKNOWN):
            raise click.BadParameter(f"{value!r} is not a kind", param_hint="--kind")
    config, matcher, catalogue = scan.prepare()
    filters = exports.Filters(
        sdk=list(sdk_filter), code=list(code_filter), category=list(category_filter), kind=list(kind_filter),
        since=since, until=until,
    )  # fmt: skip
    if scan.engine_of(config) == "dask":
        from logscan import distributed

        if output is None or format_ not in (None, "parquet"):
            raise click.UsageError(
                "with --engine dask, events are written as a Parquet dataset: give -o FOLDER, no --format"
            )
        stats = distributed.export_dataset(
            scan.paths, matcher, catalogue, output, scan.cluster(config), limits=cfg.limits_of(config),
            filters=filters, redact=not scan.no_redact, redact_users=scan.redact_users,
        )  # fmt: skip
        finish_scan(stats, keep_going=scan.keep_going, quiet=scan.quiet, render=lambda: None)
        return
    if output is not None and output.is_dir():
        raise click.BadParameter(
            f"{output} is a folder: give a file (a folder is for --engine dask's Parquet dataset)",
            param_hint="-o/--output",
        )
    fmt = pick_format(format_, output, default="ndjson", extensions=exports.EXTENSIONS)
    refuse_binary_on_terminal(fmt, output, exports.BINARY)
    scan.refuse_output_among_inputs(output)
    items = iter_sources(scan.paths, limits=cfg.limits_of(config))

    def run(out: Any) -> Any:
        writer = exports.WRITERS[fmt](out)
        return exports.export_events(
            items, matcher, catalogue, writer, filters=filters, workers=scan.workers,
            redact=not scan.no_redact, redact_users=scan.redact_users,
        )  # fmt: skip

    if output is None:
        stats = run(sys.stdout.buffer)
        sys.stdout.flush()
    else:
        stats = write_atomic_with(output, run)
    finish_scan(stats, keep_going=scan.keep_going, quiet=scan.quiet, render=lambda: None)


WATCH_FORMATS = ("live", "ndjson", "text")
REPORT_FORMATS = ("table", "json", "markdown", "csv", "parquet", "html")
#: The live table is redrawn at most this often (seconds).
LIVE_REFRESH = 0.5


@cli.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "-f", "--format", "format_", type=click.Choice(WATCH_FORMATS), default=None,
    help="How events are shown: live (a table; the default on a terminal), ndjson (one JSON object "
    "per event; the default otherwise), text (one line per event).",
)  # fmt: skip
@click.option("--from-start", is_flag=True, help="Read the files from their start (default: their end).")
@click.option(
    "--follow/--no-follow", default=True,
    help="Follow the files as tail -F does (default); --no-follow reads them from their start to "
    "their end, then ends.",
)  # fmt: skip
@click.option(
    "--report", "report_format", type=click.Choice(REPORT_FORMATS), default=None,
    help="Format of the final report (default: table, or from the -o extension).",
)  # fmt: skip
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
    help="Write the final report to FILE (atomically); the extension picks its format.",
)  # fmt: skip
@click.option(
    "--by", "views", multiple=True,
    type=click.Choice(["code", "category", "kind", "file", "platform", "time"]),
    help="Views of the final report (as report --by).",
)  # fmt: skip
@click.option(
    "--bucket", default=None, callback=lambda c, p, v: _bucket(v), help="Timeline bucket of the final report."
)
@click.option(
    "--fail-on", "fail_on", multiple=True, metavar="RULE",
    help="Stop at the first event that breaks RULE (the rules of check: any, code=208, "
    "category=server>10 ...), exit 1. Repeatable.",
)  # fmt: skip
@click.option("--allow", multiple=True, metavar="RULE", help="Codes no rule counts (as check --allow).")
@click.option("--max-total", type=click.IntRange(0), default=None, help="Stop above N error lines in all.")
@click.option(
    "--policy", is_flag=True,
    help="Gate with the [check] rules of the configuration (fail_on, max_total; any without them).",
)  # fmt: skip
@pattern_options
@catalogue_option
@config_option
@no_redact_option
@redact_users_option
@click.option(
    "--keep-going", is_flag=True,
    help="Do not fail because some inputs could not be read (still listed, with a warning).",
)  # fmt: skip
@click.option("-q", "--quiet", is_flag=True, help="Nothing on stderr but errors (and the gate's verdict).")
def watch(
    paths: tuple[str, ...], format_: str | None, from_start: bool, follow: bool, report_format: str | None,
    output: Path | None, views: tuple[str, ...], bucket: str | None, fail_on: tuple[str, ...],
    allow: tuple[str, ...], max_total: int | None, policy: bool, pattern_paths: tuple[Path, ...],
    no_builtin_patterns: bool, catalogue_paths: tuple[Path, ...], config_path: Path | None,
    no_redact: bool, redact_users: bool, keep_going: bool, quiet: bool,
) -> None:  # fmt: skip
    """Decode SDK errors in logs while they are written: stdin, files, globs, folders.

    PATHS: - for stdin (decoded as lines arrive), files, globs and folders,
    followed as tail -F does: from their end (--from-start: their start),
    through rotations (a file renamed, a new one of its name) and
    truncations; new files that match a glob or appear in a folder are read
    from their start.

    On a terminal, a live table of the codes; otherwise (or with -f ndjson)
    one JSON object per event, the fields of logscan events. Ctrl-C (or the
    end of stdin) ends the watch with the final report: on stdout after the
    table, on stderr after ndjson or text (stdout carries the events), or in
    -o FILE. A second Ctrl-C aborts at once (exit 130).

    \b
    Exit status: 0 done, 1 a --fail-on rule broke (the watch stops at the
    event that broke it), 2 usage or configuration error, or an input that
    could not be read (unless --keep-going), 130 aborted.

    \b
    Examples:
      adb logcat | logscan watch -
      logscan watch easemob.log --fail-on category=server
      logscan watch 'logs/*.log' --format text
      logscan watch logs/ --from-start --report json -o final.json
    """
    from logscan import pool

    if "polars" not in sys.modules:
        # The workers' allocator setting (freed memory handed back within 20 ms): over hours of
        # batches, the resident memory stays flat (+25 % over 1 GiB without it, +7 % with it).
        allocator = "_RJEM_MALLOC_CONF"
        os.environ.setdefault(allocator, pool.WORKER_ENVIRONMENT[allocator])
    from logscan import gate
    from logscan.render import BINARY
    from logscan.watch import Watch, WatchOptions

    fmt = format_ or ("live" if stdout_is_terminal() else "ndjson")
    final = pick_format(report_format, output, default="table")
    refuse_binary_on_terminal(final, output, BINARY)
    if output is None and final in BINARY and fmt != "live":
        raise click.UsageError(f"{final} is binary: write the final report to a file with -o FILE.{final}")
    scan = Scan(
        paths, pattern_paths, no_builtin_patterns, catalogue_paths, config_path, workers=1,
        keep_going=keep_going, no_redact=no_redact, redact_users=redact_users, quiet=quiet,
    )  # fmt: skip
    scan.refuse_output_among_inputs(output)
    config, matcher, catalogue = scan.prepare()
    rules, allowed, limit, limit_source = gate_rules(
        config, catalogue, fail_on, allow, max_total, policy=policy
    )
    if limit is not None:
        rules.append(gate.max_total_rule(limit, limit_source))
    wanted, extra = report_views(views, final, bucket)
    options = WatchOptions(
        paths, from_start=from_start or not follow, follow=follow, redact=not no_redact,
        redact_users=redact_users, views=extra, bucket=bucket, rules=rules, allowed=allowed,
    )  # fmt: skip
    interrupts = _Interrupts(quiet=quiet)
    previous = signal.signal(signal.SIGINT, interrupts)
    try:
        with _watch_sink(fmt, paths, quiet=quiet) as sink:
            result = Watch(options, matcher, catalogue, sink).run(stop=interrupts.stop)
        if result.breach is not None:
            _say_breach(result.breach)

        def render() -> None:
            text = render_report(result.report, final, wanted[0], to_file=output is not None)
            if output is not None:
                write_atomic(output, text.encode("utf-8") if isinstance(text, str) else text)
            elif fmt == "live":
                emit(final, None, lambda _: text)
            elif not quiet:
                click.echo(text, nl=False, err=True)

        finish_scan(result.report.stats, keep_going=keep_going, quiet=quiet, render=render)
    finally:
        signal.signal(signal.SIGINT, previous)
    if result.breach is not None:
        raise click.exceptions.Exit(EXIT_FINDINGS)


class _Interrupts:
    """Ctrl-C during a watch: the first one ends it (its final report follows), a second one
    aborts at once (KeyboardInterrupt: exit 130)."""

    def __init__(self, *, quiet: bool) -> None:
        self.count = 0
        self.quiet = quiet
        self._said = False

    def __call__(self, signum: int, frame: Any) -> None:
        """The SIGINT handler."""
        self.count += 1
        if self.count > 1:
            raise KeyboardInterrupt

    def stop(self) -> bool:
        """Whether the watch is to end (said once, when the watch sees it)."""
        if self.count and not self._said:
            self._said = True
            warn("stopping: the final report follows (Ctrl-C again aborts)", quiet=self.quiet)
        return self.count > 0


def _say_breach(breach: Any) -> None:
    from logscan.render.live import event_line
    from logscan.render.text import plural

    rule = breach.rule
    click.echo(
        f"logscan: {rule.source} {rule.text!r} broken ({plural(breach.count, 'error line')}, more than "
        f"{rule.threshold}) at {event_line(breach.event)}",
        err=True,
    )


@contextlib.contextmanager
def _watch_sink(fmt: str, paths: tuple[str, ...], *, quiet: bool) -> Any:
    """Where ``logscan watch`` shows what it sees: a live table, NDJSON or text lines on stdout."""
    import time

    from logscan import exports
    from logscan.render import live

    label = ", ".join(paths) if len(", ".join(paths)) <= 40 else f"{paths[0]} and {len(paths) - 1} more"

    class Lines:
        def __init__(self) -> None:
            self.writer = exports.NdjsonWriter(sys.stdout.buffer) if fmt == "ndjson" else None

        def events(self, rows: Any, state: Any) -> None:
            if self.writer is not None:
                self.writer.write(rows)
                sys.stdout.buffer.flush()
            else:
                text = "".join(live.event_line(row) + "\n" for row in rows.iter_rows(named=True))
                write_all(sys.stdout.buffer, text.encode("utf-8"))
                sys.stdout.buffer.flush()

        def idle(self, state: Any) -> None:
            """Nothing to redraw."""

        def notice(self, message: str) -> None:
            warn(message, quiet=quiet)

    if fmt != "live":
        yield Lines()
        return
    from rich.console import Console
    from rich.live import Live

    console = Console(highlight=False)

    class Table(Lines):
        def __init__(self, display: Live) -> None:
            self.display = display
            self.drawn = 0.0

        def events(self, rows: Any, state: Any) -> None:
            """Drawn by :meth:`idle`, at most twice a second."""

        def idle(self, state: Any) -> None:
            now = time.time()
            if now - self.drawn >= LIVE_REFRESH:
                self.drawn = now
                size = console.size
                view = live.table(state, now, label=label, width=size.width, height=size.height)
                self.display.update(view, refresh=True)

    with Live(console=console, auto_refresh=False, transient=True, redirect_stderr=True) as display:
        yield Table(display)


@cli.command(context_settings=CONTEXT)
@click.argument("query", nargs=-1, required=True)
@click.option("--sdk", type=click.Choice(["native", "web"]), help="Only this SDK family.")
@click.option(
    "-f", "--format", "format_", type=click.Choice(["table", "json"]), default="table", help="Output format."
)
@catalogue_option
@color_option
def explain(query: tuple[str, ...], sdk: str | None, format_: str, catalogue_paths: tuple[Path, ...]) -> None:
    """Explain error codes, names, or words: every matching catalogue entry.

    A number matches that code in both SDK families (native and web), since
    the same number means different things; prefix it (web/16) to pick one.
    Several codes or names (208 USER_REMOVED web/16) are explained one after
    the other; other words are one search (all of them must match).

    \b
    Exit status: 0 when every query matched, 1 when one matched nothing.

    \b
    Examples:
      logscan explain 208
      logscan explain 208 503 USER_REMOVED
      logscan explain "token expired"
    """
    from logscan.catalogue import load_catalogue
    from logscan.render import json_, text

    catalogue = load_catalogue(catalogue_paths)
    queries = list(query) if all(catalogue.is_key(q) for q in query) else [" ".join(query)]
    entries, missing = [], []
    for q in queries:
        found = catalogue.search(q, sdk=sdk)
        entries += [e for e in found if e not in entries]
        if not found:
            missing.append(q)
    if format_ == "json":
        click.echo(json_.dumps([e.to_dict() for e in entries]), nl=False)
    elif entries:
        click.echo(
            console_text(lambda c: text.render_entries(entries, c, overridden=catalogue.overridden)),
            nl=False, color=use_color() or None,
        )  # fmt: skip
    for q in missing:
        warn(
            f"no catalogue entry matches {q!r}. If a log shows this code, Agora recommends "
            "contacting support@agora.io; for your app's own codes, add a --catalogue file.",
            quiet=False,
        )
    if missing:
        raise click.exceptions.Exit(EXIT_FINDINGS)


@cli.command(context_settings=CONTEXT)
@click.option("--sdk", type=click.Choice(["native", "web"]), help="Only this SDK family.")
@click.option("--category", help="Only this category (e.g. user, group, message).")
@click.option("--kind", help="Only this kind (e.g. transient, client-bug).")
@click.option(
    "-f", "--format", "format_", type=click.Choice(["table", "json"]), default="table", help="Output format."
)
@catalogue_option
@color_option
def codes(
    sdk: str | None, category: str | None, kind: str | None, format_: str, catalogue_paths: tuple[Path, ...]
) -> None:
    """List the catalogue: every known code with its name, category, kind and meaning.

    \b
    Examples:
      logscan codes
      logscan codes --sdk web --category connection
      logscan codes --format json | jq '.[] | select(.kind == "transient")'
    """
    from logscan.catalogue import CATEGORIES, KINDS, load_catalogue
    from logscan.render import json_, text

    if category is not None and category not in CATEGORIES:
        raise click.BadParameter(
            f"{category!r} is not a category; use one of: {', '.join(CATEGORIES)}", param_hint="--category"
        )
    if kind is not None and kind not in KINDS:
        raise click.BadParameter(
            f"{kind!r} is not a kind; use one of: {', '.join(KINDS)}", param_hint="--kind"
        )
    catalogue = load_catalogue(catalogue_paths)
    entries = [
        e for e in catalogue.entries
        if (sdk is None or e.sdk == sdk) and (category is None or e.category == category)
        and (kind is None or e.kind == kind)
    ]  # fmt: skip
    if format_ == "json":
        rows = []
        for e in entries:
            row = e.to_dict()
            row["overrides"] = catalogue.overridden.get((e.sdk, e.code))
            rows.append(row)
        click.echo(json_.dumps(rows), nl=False)
    else:
        table = console_text(lambda c: text.render_catalogue(entries, c))
        click.echo(table, nl=False, color=use_color() or None)


# --------------------------------------------------------------------------- patterns and catalogue


@cli.group(context_settings=CONTEXT)
def patterns() -> None:
    """See, test and check pattern files (bundled and your own).

    \b
    Examples:
      logscan patterns list
      logscan patterns test "Login failed! code: 204 error: User not found"
      logscan patterns check mine.toml
      logscan patterns unmatched app.log
    """


def _pattern_set(
    config_path: Path | None, pattern_paths: tuple[Path, ...], no_builtin: bool, *, check: bool
) -> Any:
    return load_config_and_patterns(config_path, pattern_paths, no_builtin, check=check)[1]


@patterns.command("list", context_settings=CONTEXT)
@pattern_options
@config_option
@click.option(
    "-f", "--format", "format_", type=click.Choice(["table", "json"]), default="table", help="Output format."
)
def patterns_list(
    pattern_paths: tuple[Path, ...], no_builtin_patterns: bool, config_path: Path | None, format_: str
) -> None:
    """Every pattern: its source file, sdk, platform and how many samples it carries.

    \b
    Examples:
      logscan patterns list
      logscan patterns list --patterns mine.toml --format json
    """
    from logscan.render import json_

    loaded = _pattern_set(config_path, pattern_paths, no_builtin_patterns, check=False)
    rows = [
        {"name": p.name, "sdk": p.sdk, "platform": p.platform, "source": p.source, "line": p.line,
         "samples": len(p.samples), "counter_samples": len(p.counter_samples), "regex": p.regex}
        for p in loaded
    ]  # fmt: skip
    if format_ == "json":
        click.echo(json_.dumps(rows), nl=False)
        return
    click.echo(
        console_text(
            lambda c: _simple_table(
                c,
                rows,
                {
                    "name": "",
                    "sdk": "",
                    "platform": "",
                    "samples": "",
                    "counter_samples": "",
                    "source": "path",
                },
            )
        ),
        nl=False,
    )


def _simple_table(console: Any, rows: list[dict[str, Any]], columns: dict[str, str]) -> None:
    """``rows`` as a table of ``columns`` (key: how its cells wrap, ``""`` for identifiers)."""
    from logscan.render.text import Col, print_table

    def justify(name: str) -> str:  # numbers right-aligned
        return "right" if rows and all(type(row[name]) is int for row in rows) else "left"

    cols = [Col(name.replace("_", " "), justify(name), wrap) for name, wrap in columns.items()]
    print_table(console, cols, [[str(row[c]) for c in columns] for row in rows])


@patterns.command("test", context_settings=CONTEXT)
@click.argument("lines", nargs=-1)
@click.option(
    "--file",
    "file_",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Test every line of this file.",
)
@pattern_options
@catalogue_option
@config_option
@click.option(
    "-f", "--format", "format_", type=click.Choice(["text", "json"]), default="text", help="Output format."
)
def patterns_test(
    lines: tuple[str, ...], file_: Path | None, pattern_paths: tuple[Path, ...], no_builtin_patterns: bool,
    catalogue_paths: tuple[Path, ...], config_path: Path | None, format_: str,
) -> None:  # fmt: skip
    """Which pattern matches each LINE (or each line of --file), the code and its meaning.

    When no pattern matches a line with numbers in it, the patterns that came
    closest (fewest edits away) are named: the place to start a new pattern.

    \b
    Exit status: 0 when every line matched, 1 when some did not.

    \b
    Examples:
      logscan patterns test "DestroyThread failed, code:1400, desc:thread not exist"
      logscan patterns test --file suspicious-lines.txt --patterns mine.toml
    """
    from logscan.catalogue import load_catalogue
    from logscan.diagnose import test_lines
    from logscan.render import json_
    from logscan.scan import Matcher

    texts = list(lines)
    if file_ is not None:
        from logscan.diagnose import lines_of

        texts += lines_of(str(file_))
    if not texts:
        raise click.UsageError("give LINES to test, or --file FILE")

    # A file whose samples fail still loads here (scan and report refuse it): each failure is
    # said on stderr, and the lines show which pattern takes them and why.
    from logscan.patterns import describe_failure, user_sample_failures

    config, loaded = load_config_and_patterns(config_path, pattern_paths, no_builtin_patterns, check=False)
    for failure in user_sample_failures(loaded, [*config.patterns, *pattern_paths]):
        refused = " (scan and report refuse the file until it passes)"
        warn(f"warning: {describe_failure(failure)}{refused}", quiet=False)
    verdicts = test_lines(texts, Matcher.build(loaded), load_catalogue([*config.catalogue, *catalogue_paths]))
    if format_ == "json":
        click.echo(json_.dumps([
            {"line": v.line, "pattern": v.pattern, "sdk": v.sdk, "code": v.code, "description": v.description,
             "name": v.entry.name if v.entry else None, "meaning": v.entry.description if v.entry else None,
             "closest": [{"pattern": n, "edits": e} for n, e in v.closest or []],
             "dropped": {"pattern": v.dropped[0], "why": v.dropped[1]} if v.dropped else None}
            for v in verdicts
        ]), nl=False)  # fmt: skip
    else:
        out = []
        for v in verdicts:
            out.append(f"line: {v.line}")
            if v.pattern:
                meaning = f"{v.entry.name}: {v.entry.description}" if v.entry else "not in the catalogue"
                out.append(f"  matched {v.pattern}: {v.sdk} {v.code} ({meaning})")
            elif v.dropped:
                out.append(f"  not counted: {v.dropped[0]} matches, but {v.dropped[1]}")
            elif v.closest:
                near = ", ".join(f"{n} ({e} edits)" for n, e in v.closest)
                out.append(f"  no pattern matched; closest: {near}")
            else:
                out.append("  no pattern matched" + ("" if _has_number(v.line) else " (no number in it)"))
        click.echo("\n".join(printable(line) for line in out))  # each line: one line, as it was
    if any(v.pattern is None for v in verdicts):
        raise click.exceptions.Exit(EXIT_FINDINGS)


def _has_number(text: str) -> bool:
    return re.search(r"\d", text) is not None


@patterns.command("check", context_settings=CONTEXT)
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, exists=True))
@click.option(
    "--no-builtin-patterns", is_flag=True, help="Let the samples of FILES compete among FILES alone."
)
def patterns_check(files: tuple[Path, ...], no_builtin_patterns: bool) -> None:
    """Run every sample and counter-sample of pattern FILES (default: the bundled ones).

    Each pattern runs alone on its samples (it must match them, with their
    code) and counter-samples (it must not); then every sample must be won,
    among all the patterns a scan would load (the bundled ones and FILES),
    by its pattern or another of its platform, with its sdk and code. The
    samples of [fragments.NAME] and [excludes.NAME] definitions must match,
    their counter-samples not; a file's top-level counter_samples must be
    no event at all.

    \b
    Exit status: 0 when all pass, 1 when one fails (a line per failing sample,
    FILE:LINE first), 2 when a file cannot be loaded (bad TOML, bad regex, no
    code group, unknown key or name...).

    \b
    Examples:
      logscan patterns check
      logscan patterns check mine.toml patterns/
    """
    from logscan.patterns import Pattern, check_files

    report = check_files(list(files), builtin=not no_builtin_patterns)
    for p in report.taken:
        warn(
            f"warning: {p.source}:{p.line}: pattern {p.name!r} has a bundled pattern's name: "
            "use the file with --no-builtin-patterns, or rename the pattern",
            quiet=False,
        )
    by_owner: dict[int, list[Any]] = {}
    for failure in report.failures:
        by_owner.setdefault(id(failure.pattern), []).append(failure)

    def detail(f: Any) -> str:
        return printable(f"     {f.pattern.source}:{f.at or f.pattern.line}: {f.problem}: {f.line!r}")

    checked = report.checked
    for p in [*checked.patterns, *checked.definitions, *checked.counters]:
        problems = by_owner.get(id(p), [])
        total = len(getattr(p, "samples", ())) + len(getattr(p, "counter_samples", getattr(p, "lines", ())))
        what = p.name if isinstance(p, Pattern) else p.label if hasattr(p, "kind") else "counter_samples"
        if problems:
            click.echo(printable(f"FAIL {what} ({p.source}:{p.line}): {len(problems)} of {total} samples"))
            for f in problems:
                click.echo(detail(f))
        elif isinstance(p, Pattern):
            click.echo(
                printable(f"ok   {what}: {len(p.samples)} samples, {len(p.counter_samples)} counter-samples")
            )
        else:
            kind = "lines no pattern matches" if what == "counter_samples" else "samples and counter-samples"
            click.echo(printable(f"ok   {what} ({p.source}:{p.line}): {total} {kind}"))
    failed = {p.name for p in checked.patterns if id(p) in by_owner}
    n = len(checked.patterns)
    verdict = f"{n - len(failed)} of {n} patterns pass"
    click.echo(
        ("patterns check: " + verdict) if not report.failures else f"patterns check: FAILED: {verdict}"
    )
    if report.failures:
        raise click.exceptions.Exit(EXIT_FINDINGS)


@patterns.command("unmatched", context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True)
@pattern_options
@config_option
@no_redact_option
@redact_users_option
@click.option("-n", "--top", type=click.IntRange(1), default=30, help="How many shapes to show (default 30).")
@click.option(
    "-f", "--format", "format_", type=click.Choice(["table", "json"]), default="table", help="Output format."
)
def patterns_unmatched(
    paths: tuple[str, ...],
    pattern_paths: tuple[Path, ...],
    no_builtin_patterns: bool,
    config_path: Path | None,
    no_redact: bool,
    redact_users: bool,
    top: int,
    format_: str,
) -> None:  # fmt: skip
    """Lines that look like SDK errors (an error word near a number) that no pattern matched.

    Grouped by shape (numbers shown as #), most frequent first, with an example
    each: the list to turn into new patterns, or to confirm as noise. Secrets
    in the text are masked, as in every output (--no-redact shows them).

    \b
    Examples:
      logscan patterns unmatched app.log
      logscan patterns unmatched logs/ --patterns mine.toml --top 10
    """
    from logscan.diagnose import find_unmatched
    from logscan.inputs import iter_sources
    from logscan.render import json_
    from logscan.scan import Matcher

    loaded = _pattern_set(config_path, pattern_paths, no_builtin_patterns, check=True)
    shapes, bad = find_unmatched(
        iter_sources(paths), Matcher.build(loaded), redact=not no_redact, redact_users=redact_users
    )
    shown = shapes.head(top)
    if format_ == "json":
        click.echo(json_.dumps(shown.to_dicts()), nl=False)
    elif shown.height:
        rows = [{**r, "example": f"{r['file']}:{r['line']}: {r['text'][:160]}"} for r in shown.to_dicts()]
        click.echo(
            console_text(lambda c: _simple_table(c, rows, {"count": "", "shape": "text", "example": "text"})),
            nl=False,
        )
        if shapes.height > top:
            click.echo(f"... and {shapes.height - top} more shapes (--top)")
    else:
        click.echo("Every line that looks like an SDK error matched a pattern.")
    for item in bad:
        click.echo(f"logscan: error: cannot read {printable(item.name)}: {printable(item.reason)}", err=True)
    if bad:
        raise click.exceptions.Exit(EXIT_ERROR)


@cli.group(context_settings=CONTEXT)
def catalogue() -> None:
    """Import and check catalogue files.

    \b
    Examples:
      logscan catalogue import error-codes.md -o codes.toml
      logscan catalogue check codes.toml
    """


@catalogue.command("import", context_settings=CONTEXT)
@click.argument("page", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE instead of stdout."
)
def catalogue_import(page: Path, output: Path | None) -> None:
    """Turn a vendor error-code page (Markdown table) into a catalogue file.

    Irregular rows are read as they are meant (a missing cell, the English
    text in the last column); known errata are corrected and noted. kind comes
    from the bundled catalogue where it knows the code, else "unknown".

    \b
    Examples:
      logscan catalogue import agora-chat-error-codes.md -o vendor.toml
    """
    from logscan.catalogue import load_catalogue
    from logscan.diagnose import import_vendor_page, parse_vendor_page
    from logscan.errors import CatalogueError, read_whole

    text = read_whole(page, CatalogueError, "a vendor page").decode("utf-8", errors="replace")
    if not parse_vendor_page(text):
        raise CatalogueError(
            f"{page}: no error-code table rows found (| code | name | description | reason |)"
        )
    emit("toml", output, lambda _: import_vendor_page(text, load_catalogue()))


@catalogue.command("check", context_settings=CONTEXT)
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False, exists=True)
)
def catalogue_check(files: tuple[Path, ...]) -> None:
    """Validate catalogue FILES: duplicate codes per sdk, missing fields, unknown category or kind.

    \b
    Exit status: 0 when valid, 1 when a file has problems (each named FILE:LINE).

    \b
    Examples:
      logscan catalogue check codes.toml
    """
    from logscan.catalogue import load_file
    from logscan.errors import CatalogueError

    failed = False
    for path in files:
        try:
            entries = load_file(path, origin=str(path))
        except CatalogueError as exc:
            failed = True
            for line in str(exc).splitlines():
                click.echo(printable(line))
            continue
        click.echo(printable(f"ok   {path}: {len(entries)} entries"))
    if failed:
        raise click.exceptions.Exit(EXIT_FINDINGS)


# --------------------------------------------------------------------------- helpers


def pick_format(
    format_: str | None, output: Path | None, *, default: str, extensions: dict[str, str] | None = None
) -> str:
    from logscan.render import EXTENSIONS

    if format_ is not None:
        return format_
    if output is not None:
        fmt = (extensions or EXTENSIONS).get(output.suffix.lower())
        if fmt is None:
            raise click.BadParameter(
                f"cannot tell the format from {output.name!r}; add --format", param_hint="-o/--output"
            )
        return fmt
    return default


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def console_text(draw: Callable[[Any], None], *, to_file: bool = False) -> str:
    """Render with rich into a string: in colour as :func:`use_color` says; for a file
    (``to_file``: ``-o``) as wide and as plain as for a pipe, whatever the terminal."""
    import io

    from logscan.render.text import make_console

    buffer = io.StringIO()
    draw(make_console(buffer, color=use_color(), to_file=to_file))
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def emit(fmt: str, output: Path | None, produce: Callable[[str], str | bytes]) -> None:
    """Write the rendered output to ``output`` atomically, or to stdout."""
    data = produce(fmt)
    if output is None:  # text and bytes alike: all of it, or an error (see write_all);
        # text is in colour only when use_color() says so (console_text)
        sys.stdout.flush()
        encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
        write_all(sys.stdout.buffer, data if isinstance(data, bytes) else data.encode(encoding, "replace"))
        sys.stdout.buffer.flush()
        return
    write_atomic(output, data.encode("utf-8") if isinstance(data, str) else data)


def write_atomic_with(path: Path, produce: Callable[[Any], Any]) -> Any:
    """Run ``produce(stream)`` into a temp file beside ``path``, then rename it into place.

    An interrupted or failed write never leaves a half-written file under the
    target name. A symlink is followed (its target is replaced); a device or a
    pipe (``-o /dev/stdout``, ``-o >(gzip > x.gz)``) is written directly, by the
    name given (a pipe's resolved name, ``/proc/…/pipe:[…]``, cannot be opened).
    A file replaced keeps its permissions (a private report stays private); new
    files get the usual ones (0666 less the umask).
    """
    target = Path(os.path.realpath(path))
    try:
        existing = os.stat(path)
    except OSError:
        existing = None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        try:
            with open(path, "wb") as fh:
                return produce(fh)
        except OSError as exc:
            raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        if existing is not None:
            mode = stat.S_IMODE(existing.st_mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as fh:
            result = produce(fh)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return result


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`write_atomic_with`)."""
    write_atomic_with(path, lambda fh: fh.write(data))


def warn(message: str, *, quiet: bool) -> None:
    if not quiet:
        click.echo(f"logscan: {printable(message)}", err=True)


def main() -> None:
    """Console entry point (after :func:`logscan.entry.main` set up the signals)."""
    global _STDOUT
    # A closed pipe (`| head`) is a BrokenPipeError, not SIGPIPE's default action: the run stops
    # quietly and still stops its workers and removes its temporary files.
    with contextlib.suppress(AttributeError, ValueError):
        # `kill` stops a run as Ctrl-C does: workers stopped, temporary files removed.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    _STDOUT = install_stdio()
    cli.main()

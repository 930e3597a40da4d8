"""What the commands share: context settings, exit statuses, option bundles (the Scan dataclass)."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from logscan.cli.stdin import EXCLUDE_HELP, note_stdin
from logscan.outputs import Formats

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
    #: ``--exclude`` globs (files, folders, archive members skipped: inputs.sources.excluded).
    exclude: tuple[str, ...] = ()

    def engine_of(self, config: Any) -> str:
        """Where the scan runs: --engine, else the configuration's ``engine``, else dask when
        --scheduler is given, else local. Standard input is read by the local engine only."""
        engine = self.engine or config.engine or ("dask" if self.scheduler else "local")
        if engine == "local" and self.scheduler:
            raise click.BadParameter("a scheduler is for --engine dask", param_hint="--scheduler")
        if engine == "dask" and self.exclude:
            raise click.UsageError("--exclude is for the local engine only: drop --engine dask")
        if engine == "dask" and "-" in self.paths:
            raise click.UsageError("standard input (-) is read by the local engine only: drop --engine dask")
        return engine

    def cluster(self, config: Any) -> Any:
        """The Dask cluster to run on (--scheduler, else the configuration's, else one started here)."""
        from logscan.fleet.cluster import CONNECT_TIMEOUT, Cluster

        timeout = CONNECT_TIMEOUT if self.connect_timeout is None else self.connect_timeout
        return Cluster(self.scheduler or config.scheduler, timeout, self.workers)

    def prepare(self) -> tuple[Any, Any, Any]:
        """The configuration (given or discovered), the matcher and the catalogue; the options
        add to what the configuration file says."""
        from logscan.decode.catalogue import load_catalogue
        from logscan.match.matcher import Matcher

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
        from logscan.aggregate.report import ReportOptions

        dask = self.engine_of(config) == "dask"
        return ReportOptions(
            paths=self.paths,
            workers=self.workers,
            redact=not self.no_redact,
            redact_users=self.redact_users,
            limits=cfg.limits_of(config),
            cluster=self.cluster(config) if dask else None,
            exclude=self.exclude,
            **extra,
        )


def streaming_scan_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """:func:`scan_options` for a command whose rows stream (``events``): no pool is started
    before the first rows are out (the engine starts it then)."""
    return scan_options(f, prestart=False)


def scan_options(f: Callable[..., Any], *, prestart: bool = True) -> Callable[..., Any]:
    """Options every command that scans logs takes; the command receives them, with PATHS, as
    one ``scan`` (:class:`Scan`). For a large scan (and ``prestart``), the workers start first
    (before anything is loaded, they import polars while this process does) and this process,
    which scans beside them, takes their settings."""
    names = [field.name for field in dataclasses.fields(Scan)]

    @functools.wraps(f)
    def command(**kwargs: Any) -> Any:
        scan = Scan(**{name: kwargs.pop(name) for name in names})
        from logscan.run import pool

        if prestart and scan.engine != "dask" and not scan.scheduler:
            pool.prestart(scan.paths, scan.workers, warm=("logscan.run.engine",))
        note_stdin(scan.paths, quiet=scan.quiet)
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
            click.option("--exclude", multiple=True, metavar="GLOB", help=EXCLUDE_HELP),
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
    from logscan.match.samples import load_patterns

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


def output_options(
    formats: Formats, *, folder: str = ""
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """-o and --format (the first of ``formats`` is the default); ``folder`` (help text)
    where -o may name a folder too."""
    default = formats.names[0]

    def deco(f: Callable[..., Any]) -> Callable[..., Any]:
        f = click.option(
            "-o", "--output", type=click.Path(path_type=Path, dir_okay=bool(folder)),
            help="Write to FILE (atomically) instead of stdout; the extension picks the format." + folder,
        )(f)  # fmt: skip
        f = click.option(
            "-f", "--format", "format_", type=click.Choice(formats.names), default=None,
            help=f"Output format (default: {default}, or from the -o extension).",
        )(f)  # fmt: skip
        return f

    return deco

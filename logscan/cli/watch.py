"""logscan watch: decode a live log as it is written."""

from __future__ import annotations

import functools
import os
import signal
import sys
from pathlib import Path
from typing import Any

import click

from logscan.cli.options import (
    CONTEXT,
    EXIT_FINDINGS,
    Scan,
    catalogue_option,
    config_option,
    no_redact_option,
    pattern_options,
    redact_users_option,
)
from logscan.cli.output import (
    emit,
    finish_scan,
    pick_format,
    refuse_binary_on_terminal,
    stdout_is_terminal,
    use_color,
    warn,
)
from logscan.cli.report import _bucket, report_views
from logscan.outputs import write_atomic
from logscan.render import REPORT_FORMATS, render_report

WATCH_FORMATS = ("live", "ndjson", "text")
#: The live table is redrawn at most this often (seconds).
LIVE_REFRESH = 0.5


@click.command(context_settings=CONTEXT)
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
    "--report", "report_format", type=click.Choice(REPORT_FORMATS.names), default=None,
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
    from logscan.run import pool

    if "polars" not in sys.modules:
        # The workers' allocator setting (freed memory handed back within 20 ms): over hours of
        # batches, the resident memory stays flat (+25 % over 1 GiB without it, +7 % with it).
        allocator = "_RJEM_MALLOC_CONF"
        os.environ.setdefault(allocator, pool.WORKER_ENVIRONMENT[allocator])
    from logscan.aggregate import gate
    from logscan.live import screen
    from logscan.live.watch import Watch, WatchOptions

    fmt = format_ or ("live" if stdout_is_terminal() else "ndjson")
    final = pick_format(report_format, output, REPORT_FORMATS)
    refuse_binary_on_terminal(final, output, REPORT_FORMATS)
    if output is None and final in REPORT_FORMATS.binary and fmt != "live":
        raise click.UsageError(f"{final} is binary: write the final report to a file with -o FILE.{final}")
    scan = Scan(
        paths, pattern_paths, no_builtin_patterns, catalogue_paths, config_path, workers=1,
        keep_going=keep_going, no_redact=no_redact, redact_users=redact_users, quiet=quiet,
    )  # fmt: skip
    scan.refuse_output_among_inputs(output)
    config, matcher, catalogue = scan.prepare()
    rules, allowed, limit, limit_source = gate.rules_of(
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
        notice = functools.partial(warn, quiet=quiet)
        with screen.sink(fmt, paths, out=sys.stdout.buffer, notice=notice, refresh=LIVE_REFRESH) as sink:
            result = Watch(options, matcher, catalogue, sink).run(stop=interrupts.stop)
        if result.breach is not None:
            _say_breach(result.breach)

        def render() -> None:
            text = render_report(
                result.report, final, wanted[0], color=use_color(), to_file=output is not None
            )
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
    from logscan.live.screen import event_line
    from logscan.render.text import plural

    rule = breach.rule
    click.echo(
        f"logscan: {rule.source} {rule.text!r} broken ({plural(breach.count, 'error line')}, more than "
        f"{rule.threshold}) at {event_line(breach.event)}",
        err=True,
    )

"""logscan events: every occurrence, for triage."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from logscan.cli.filters import filter_options, make_filters
from logscan.cli.options import CONTEXT, Scan, output_options, streaming_scan_options
from logscan.cli.output import finish_scan, pick_format, refuse_binary_on_terminal
from logscan.export import EVENT_FORMATS
from logscan.outputs import write_atomic_with


@click.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True)
@filter_options()
@output_options(
    EVENT_FORMATS,
    folder=" With --engine dask: a FOLDER, written as a Parquet dataset (a part per task).",
)  # fmt: skip
@streaming_scan_options
def events(
    sdk_filter: tuple[str, ...],
    code_filter: tuple[str, ...],
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
    from logscan.export import events as exports
    from logscan.inputs import iter_sources

    config, matcher, catalogue = scan.prepare()
    filters = make_filters(
        catalogue, sdk_filter=sdk_filter, code_filter=code_filter, category_filter=category_filter,
        kind_filter=kind_filter, since=since, until=until,
    )  # fmt: skip
    if scan.engine_of(config) == "dask":
        from logscan.fleet import cluster as distributed

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
    fmt = pick_format(format_, output, EVENT_FORMATS)
    refuse_binary_on_terminal(fmt, output, EVENT_FORMATS)
    scan.refuse_output_among_inputs(output)
    items = iter_sources(scan.paths, limits=cfg.limits_of(config), exclude=scan.exclude)

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

"""logscan report: which SDK errors occurred, decoded."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click

from logscan.aggregate import buckets
from logscan.cli.filters import filter_options, make_filters
from logscan.cli.options import CONTEXT, Scan, output_options, scan_options
from logscan.cli.output import (
    color_option,
    emit,
    finish_scan,
    pick_format,
    progress_bar,
    refuse_binary_on_terminal,
    use_color,
)
from logscan.render import REPORT_FORMATS, render_report


@click.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True)
@output_options(REPORT_FORMATS)
@click.option(
    "--by", "views", multiple=True,
    type=click.Choice(["code", "category", "kind", "file", "platform", "time"]),
    help="Views to show (repeatable): code and category always; kind, file, platform, time. "
    "CSV and Parquet hold the first one given.",
)  # fmt: skip
@click.option(
    "--bucket", default=None, callback=lambda c, p, v: _bucket(v), help="Timeline bucket: 1m, 5m, 1h, 1d ..."
)
@filter_options(names=False)
@click.option(
    "--top", type=click.IntRange(1), default=None, metavar="N",
    help="List only the N most frequent codes (totals, categories and views still count all).",
)  # fmt: skip
@color_option
@scan_options
def report(
    views: tuple[str, ...],
    bucket: str | None,
    format_: str | None,
    output: Path | None,
    scan: Scan,
    top: int | None,
    **filter_values: Any,
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
      logscan report ticket/ --exclude README.txt --since 2024-05-01 --code 208
      adb logcat -d | logscan report -
    """
    from logscan.fleet.dispatch import report_paths

    fmt = pick_format(format_, output, REPORT_FORMATS)
    refuse_binary_on_terminal(fmt, output, REPORT_FORMATS)
    scan.refuse_output_among_inputs(output)
    config, matcher, catalogue = scan.prepare()
    wanted, extra = report_views(views, fmt, bucket)
    filters = make_filters(catalogue, **filter_values)
    options = scan.report_options(config, views=extra, bucket=bucket, filters=filters or None)
    with progress_bar(scan.paths, quiet=scan.quiet) as progress:
        result = report_paths(options, matcher, catalogue, progress=progress)
    if top is not None:
        result = result.top(top)
    finish_scan(
        result.stats,
        keep_going=scan.keep_going,
        quiet=scan.quiet,
        render=lambda: emit(
            fmt,
            output,
            lambda f: render_report(
                result, f, wanted[0], paths=scan.paths, color=use_color(), to_file=output is not None
            ),
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

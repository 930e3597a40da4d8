"""logscan check: the CI gate."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from logscan.cli.options import CONTEXT, EXIT_ERROR, EXIT_FINDINGS, Scan, output_options, scan_options
from logscan.cli.output import color_option, emit, finish_scan, pick_format, progress_bar, use_color
from logscan.render import VERDICT_FORMATS, render_verdict


@click.command(context_settings=CONTEXT)
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
@click.option(
    "--allow-empty",
    is_flag=True,
    default=None,
    help="Pass when there is nothing to scan (an empty folder, empty files, a glob matching "
    "nothing). Default: exit 2, as a forgotten log upload must not go green.",
)
@output_options(VERDICT_FORMATS)
@color_option
@scan_options
def check(
    fail_on: tuple[str, ...],
    allow: tuple[str, ...],
    max_total: int | None,
    baseline: Path | None,
    tolerance: str | None,
    exit_zero: bool,
    allow_empty: bool | None,
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
    2 usage, configuration or input error (an unreadable log never passes), or
    nothing to scan (empty folder, empty files, a glob matching nothing) unless
    --allow-empty.

    \b
    Examples:
      logscan check logs/ --fail-on any --allow code=206
      logscan check logs/ --fail-on category=server>10 --fail-on unknown
      logscan check logs/ --baseline main.json --tolerance 20% --format sarif -o logscan.sarif
      logscan check logs/ --format github
    """
    from logscan.aggregate import gate
    from logscan.fleet.dispatch import report_paths

    fmt = pick_format(format_, output, VERDICT_FORMATS)
    scan.refuse_output_among_inputs(output)
    config, matcher, catalogue = scan.prepare()

    where = config.where
    rules, allowed, limit, limit_source = gate.rules_of(config, catalogue, fail_on, allow, max_total)
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
        allow_empty=config.check.allow_empty if allow_empty is None else allow_empty,
        allow_empty_source="--allow-empty" if allow_empty is not None else where("allow_empty"),
    )  # fmt: skip
    if verdict.outcome == "empty":
        click.echo(
            f"logscan: error: {gate.nothing_scanned_reason(result.stats, scan.paths)}; "
            "pass --allow-empty if no logs is a pass",
            err=True,
        )
        raise click.exceptions.Exit(EXIT_ERROR)

    def render() -> None:
        emit(fmt, output, lambda f: render_verdict(verdict, f, color=output is None and use_color()))
        if fmt == "github":
            append_step_summary(verdict)

    finish_scan(verdict.report.stats, keep_going=scan.keep_going, quiet=scan.quiet, render=render)
    if verdict.failed and not exit_zero:
        raise click.exceptions.Exit(EXIT_FINDINGS)


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

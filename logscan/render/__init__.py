"""Renderers: a finished report, or a gate's verdict, as text or bytes.

One module per output format. The formats of each kind of output are listed once, here
(:data:`REPORT_FORMATS`, :data:`VERDICT_FORMATS`); :func:`render_report` and
:func:`render_verdict` pick the module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from logscan.outputs import Format, Formats

if TYPE_CHECKING:
    from logscan.aggregate.gate import Verdict
    from logscan.aggregate.report import Report

REPORT_FORMATS = Formats(
    (
        Format("table", (".txt",)),
        Format("json", (".json",)),
        Format("markdown", (".md", ".markdown")),
        Format("csv", (".csv",)),
        Format("parquet", (".parquet",), binary=True),
        Format("html", (".html", ".htm")),
    )
)
VERDICT_FORMATS = Formats(
    (
        Format("text", (".txt",)),
        Format("github"),
        Format("sarif", (".sarif",)),
        Format("junit", (".xml",)),
        Format("json", (".json",)),
    )
)


def render_report(
    report: Report,
    fmt: str,
    view: str = "code",
    *,
    paths: tuple[str, ...] = (),
    color: bool = False,
    to_file: bool = False,
) -> str | bytes:
    """``report`` in format ``fmt`` (a name of :data:`REPORT_FORMATS`); ``view``: the ``--by``
    view the tabular formats (csv, parquet) hold; ``color`` and ``to_file`` for the table."""
    from logscan.render import csv_, html, json_, markdown, text, views

    if fmt == "json":
        return json_.render(report)
    if fmt == "markdown":
        return markdown.render(report)
    if fmt == "csv":
        return csv_.render(report) if view == "code" else views.to_csv(report, view)
    if fmt == "parquet":
        return views.to_parquet(report, view)
    if fmt == "html":
        return html.render(report, paths=paths)
    if fmt == "table":
        return text.to_text(
            lambda console: text.render(report, console, paths=paths), color=color, to_file=to_file
        )
    raise ValueError(f"not a report format: {fmt!r}")


def render_verdict(verdict: Verdict, fmt: str, *, color: bool = False) -> str:
    """The gate's ``verdict`` in format ``fmt`` (a name of :data:`VERDICT_FORMATS`); ``color``:
    the text format for a terminal."""
    from logscan.render import github, junit, sarif
    from logscan.render import verdict as verdict_text

    if fmt == "github":
        return github.render(verdict)
    if fmt == "sarif":
        return sarif.render(verdict)
    if fmt == "junit":
        return junit.render(verdict)
    if fmt == "json":
        return verdict_text.render_json(verdict)
    if fmt == "text":
        return verdict_text.render_text(verdict, color=color)
    raise ValueError(f"not a verdict format: {fmt!r}")

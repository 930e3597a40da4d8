"""Markdown: a summary, the codes table, categories, and causes of the top codes."""

from __future__ import annotations

from collections.abc import Sequence

from logscan.render.text import TOP_CAUSES, describe_span, extra_views, human_bytes, plain_cell
from logscan.report import Report


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def render(report: Report) -> str:
    data = report.to_dict()
    inputs = data["inputs"]
    out = ["# logscan report", ""]
    out.append(
        f"- Scanned: {inputs['files']} files, {inputs['lines']:,} lines, {human_bytes(inputs['bytes'])}"
    )
    out.append(f"- Events: {data['events']:,} error lines, {len(data['codes'])} distinct codes")
    out.append(f"- Time span: {describe_span(data['span'])}")
    for bad in inputs["unreadable"]:
        out.append(f"- **Unreadable:** `{_cell(bad['name'])}`: {_cell(bad['reason'])}")
    out.append("")
    if not data["codes"]:
        out.append("No SDK error codes found.")
        return "\n".join(out) + "\n"
    out += ["## Codes", ""]
    rows = [
        [c["sdk"], c["code"], c["name"] or "*unknown*", c["category"], c["kind"], c["count"],
         f"{c['share']:.1%}", c["first_seen"], c["last_seen"], ", ".join(c["files"])]
        for c in data["codes"]
    ]  # fmt: skip
    out.append(
        table(
            ["sdk", "code", "name", "category", "kind", "count", "share", "first seen", "last seen", "files"],
            rows,
        )
    )
    out += ["## Categories", ""]
    categories = [
        [c["category"], c["count"], f"{c['share']:.1%}", ", ".join(map(str, c["codes"]))]
        for c in data["categories"]
    ]
    out.append(table(["category", "count", "share", "codes"], categories))
    for title, df in extra_views(report):
        out += [f"## {title}", ""]
        out.append(table(df.columns, [[plain_cell(v) for v in row] for row in df.iter_rows()]))
    out += ["## What to do", ""]
    for c in data["codes"][:TOP_CAUSES]:
        name = c["name"] or "unknown code"
        out.append(f"### {c['sdk']} {c['code']} {name} ({c['count']}×)")
        out.append("")
        if c["description"]:
            out.append(f"{_cell(c['description'])}.")
            out.append("")
        out.append(f"**Cause / fix:** {_cell(c['cause'])}")
        out.append("")
        sample = c["sample"]
        out.append(f"First seen at `{_cell(sample['file'])}:{sample['line']}`:")
        out.append("")
        out.append("```")
        out.append(sample["text"].replace("```", "'''"))
        out.append("```")
        out.append("")
    return "\n".join(out)

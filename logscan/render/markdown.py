"""Markdown: a summary, the codes table, categories, and causes of the top codes."""

from __future__ import annotations

import re
from collections.abc import Sequence

from logscan.aggregate.report import Report
from logscan.decode import links
from logscan.outputs import printable
from logscan.render.samples import FILE_ORDER, by_file_order, last_elsewhere
from logscan.render.text import (
    TOP_CAUSES,
    describe_filters,
    describe_span,
    extra_views,
    human_bytes,
    plain_cell,
    plural,
)


class Markdown(str):
    """Text that is Markdown already (written here, not read from a log): not escaped."""


#: Characters that start Markdown or GitHub syntax anywhere in a line: emphasis, code,
#: links and images, strikethrough, math; and the escape character itself.
_SPECIAL = re.compile(r"[\\`*\[\]~$]")
#: ``_`` between two letters or digits starts no emphasis (file_name_2024 stays as it is).
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def text(value: object) -> str:
    """Untrusted text (a file name, a log line, a description) as inline Markdown that shows
    exactly that text, on one line: no HTML, links, emphasis or code; ``|`` escaped so that
    it stays in its table cell."""
    if isinstance(value, Markdown):
        return str(value)
    plain = printable(" ".join(("" if value is None else str(value)).splitlines()))
    plain = _SPECIAL.sub(lambda m: "\\" + m.group(), plain)
    plain = _UNDERSCORE.sub(r"\_", plain)
    plain = re.sub(r"[&<>]", lambda m: _HTML[m.group()], plain)
    return plain.replace("|", "\\|")


def linked(value: object) -> Markdown:
    """Catalogue text as inline Markdown: :func:`text`, except that its public links stay
    links (``[support@agora.io](mailto:support@agora.io)``; see :mod:`logscan.decode.links`)."""
    return Markdown(
        links.render(
            "" if value is None else str(value),
            plain=text,
            link=lambda t, address: f"[{text(t)}]({printable(address)})",
        )
    )


def paragraph(value: object) -> str:
    """:func:`text` that begins a line: a ``#``, ``-``, ``+``, ``=`` or ``1.`` there starts no
    heading or list."""
    return re.sub(r"^(\s*(?=[#+=-])|\s*\d+(?=[.)]))", r"\1\\", text(value))


def code(value: object) -> str:
    """Untrusted text as an inline code span (outside tables: in a table cell a ``|`` would
    end the cell). The fence is one backtick longer than the longest run inside."""
    plain = printable(" ".join(str(value).splitlines()))
    fence = _fence(plain, 1)
    if plain.startswith("`") or plain.endswith("`") or (plain.startswith(" ") and plain.endswith(" ")):
        plain = f" {plain} "  # one space each side is taken off again
    return f"{fence}{plain}{fence}"


def code_block(value: object) -> list[str]:
    """Untrusted text as a fenced code block, the fence longer than any backtick run inside."""
    lines = [printable(line) for line in str(value).splitlines()]
    fence = _fence("\n".join(lines), 3)
    return [fence, *lines, fence]


def _fence(plain: str, least: int) -> str:
    """A backtick fence of at least ``least``, longer than any run of backticks in ``plain``."""
    return "`" * max(least, max((len(run) for run in re.findall("`+", plain)), default=0) + 1)


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub table; every cell is escaped with :func:`text` (unless it is :class:`Markdown`)."""
    lines = ["| " + " | ".join(text(h) for h in header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(text(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def render(report: Report) -> str:
    data = report.to_dict()
    inputs = data["inputs"]
    out = ["# logscan report", ""]
    out.append(
        f"- Scanned: {inputs['files']} files, {inputs['lines']:,} lines, {human_bytes(inputs['bytes'])}"
    )
    out.append(f"- Events: {data['events']:,} error lines, {len(data['codes'])} distinct codes")
    if data.get("filters"):
        out.append(f"- Counted only: {code(describe_filters(data['filters']))}")
    out.append(f"- Time span: {describe_span(data['span'])}")
    for bad in inputs["unreadable"]:
        out.append(f"- **Unreadable:** {code(bad['name'])}: {text(bad['reason'])}")
    out.append("")
    if not data["codes"]:
        out.append("No SDK error codes found.")
        return "\n".join(out) + "\n"
    out += ["## Codes", ""]
    rows = [
        [c["sdk"], c["code"], c["name"] or Markdown("*unknown*"), c["category"], c["kind"], c["count"],
         f"{c['share']:.1%}", c["first_seen"], c["last_seen"], ", ".join(c["files"])]
        for c in data["codes"]
    ]  # fmt: skip
    out.append(
        table(
            ["sdk", "code", "name", "category", "kind", "count", "share", "first seen", "last seen", "files"],
            rows,
        )
    )
    if report.omitted_codes:
        out += [f"… and {plural(report.omitted_codes, 'more code')} (`--top`).", ""]
    out += ["## Categories", ""]
    categories = [
        [c["category"], c["count"], f"{c['share']:.1%}", ", ".join(map(str, c["codes"]))]
        for c in data["categories"]
    ]
    out.append(table(["category", "count", "share", "codes"], categories))
    for title, df in extra_views(report, collapse=True):
        out += [f"## {title}", ""]
        out.append(table(df.columns, [[plain_cell(v) for v in row] for row in df.iter_rows()]))
    out += ["## What to do", ""]
    for c in data["codes"][:TOP_CAUSES]:
        name = c["name"] or "unknown code"
        out.append(f"### {text(c['sdk'])} {c['code']} {text(name)} ({c['count']}×)")
        out.append("")
        if c["description"]:
            out.append(f"{paragraph(c['description'])}.")
            out.append("")
        out.append(f"**Cause / fix:** {linked(c['cause'])}")
        out.append("")
        sample = c["sample"]
        where = code(str(sample["file"]) + ":" + str(sample["line"]))
        if by_file_order(c):
            out.append(f"First line at {where} ({FILE_ORDER}):")
        else:
            out.append(f"First seen at {where}:")
        out.append("")
        out += code_block(sample["text"])
        out.append("")
        last = last_elsewhere(c)
        if last is not None:
            at = code(f"{last[0]}:{last[1]}")
            out += [f"Last line at {at} ({FILE_ORDER})." if by_file_order(c) else f"Last seen at {at}.", ""]
    return "\n".join(out)

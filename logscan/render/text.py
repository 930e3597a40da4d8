"""The terminal view: a header, the codes table, categories, causes of the top codes.

Rendered with rich; colour only when the output is a terminal (and NO_COLOR
is unset), plain text otherwise, so the output pipes and diffs cleanly.
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from logscan.catalogue import Entry

if TYPE_CHECKING:
    import polars as pl

    from logscan.report import Report

#: How many of the top codes get their cause and fix printed.
TOP_CAUSES = 5


def human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def describe_span(span: dict[str, object]) -> str:
    """The time span in words, saying which codes were seen with less than a full date."""
    first, last = span.get("first"), span.get("last")
    text = f"{first} → {last}" if first else "no full timestamps"
    notes = []
    if span.get("no_year"):
        notes.append(f"{plural(span['no_year'], 'code')} seen only without a year (shown as --MM-DD)")
    if span.get("time_only"):
        notes.append(f"{plural(span['time_only'], 'code')} seen only with a time of day")
    if span.get("untimed"):
        notes.append(f"{plural(span['untimed'], 'code')} seen only on lines without a time")
    return text + (f"; {', '.join(notes)}" if notes else "")


def plural(n: object, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def make_console(file: io.TextIOBase | None = None, *, color: bool | None = None) -> Console:
    width = int(os.environ.get("COLUMNS", 0)) or shutil.get_terminal_size((120, 24)).columns
    return Console(
        file=file,
        width=max(width, 80),
        no_color=not color if color is not None else None,
        force_terminal=color,
        highlight=False,
        soft_wrap=False,
    )


def render(report: Report, console: Console) -> None:
    data = report.to_dict()
    inputs = data["inputs"]
    console.print(
        Text.assemble(
            ("logscan report", "bold"),
            f" — {plural(inputs['files'], 'file')}, {plural(inputs['lines'], 'line')}, "
            f"{human_bytes(inputs['bytes'])} scanned; ",
            (plural(data["events"], "error line"), "bold"),
            f", {plural(len(data['codes']), 'code')}",
        )
    )
    console.print(f"Time span: {describe_span(data['span'])}")
    for bad in inputs["unreadable"]:
        console.print(Text(f"Unreadable: {bad['name']}: {bad['reason']}", style="red"))
    if not data["codes"]:
        console.print(
            f"No SDK error codes found in {plural(inputs['files'], 'file')} "
            f"({plural(inputs['lines'], 'line')})."
        )
        return
    table = _table("Codes")
    for name, justify, wrap in (
        ("sdk", "left", False), ("code", "right", False), ("name", "left", True),
        ("category", "left", False), ("kind", "left", False), ("count", "right", False),
        ("share", "right", False), ("first seen", "left", False), ("last seen", "left", False),
        ("files", "left", True),
    ):  # fmt: skip
        table.add_column(name, justify=justify, no_wrap=not wrap, overflow="fold")  # type: ignore[arg-type]
    table.columns[2].min_width = max(len(c["name"] or "UNKNOWN") for c in data["codes"])
    table.columns[-1].min_width = 10
    for c in data["codes"]:
        unknown = c["name"] is None
        table.add_row(
            c["sdk"], str(c["code"]),
            Text("UNKNOWN", style="bold red") if unknown else c["name"],
            c["category"], c["kind"], f"{c['count']:,}", f"{c['share']:.1%}",
            _when(c["first_seen"]), _when(c["last_seen"]), _files(c["files"]),
        )  # fmt: skip
    console.print()
    console.print(table)
    cats = _table("Categories")
    for name, justify in (("category", "left"), ("count", "right"), ("share", "right"), ("codes", "left")):
        cats.add_column(name, justify=justify)  # type: ignore[arg-type]
    for c in data["categories"]:
        cats.add_row(c["category"], f"{c['count']:,}", f"{c['share']:.1%}", ", ".join(map(str, c["codes"])))
    console.print()
    console.print(cats)
    for title, df in extra_views(report):
        extra = _table(title)
        for name in df.columns:
            extra.add_column(name, justify="right" if df.schema[name].is_numeric() else "left")
        for row in df.iter_rows():
            extra.add_row(*(plain_cell(v) for v in row))
        console.print()
        console.print(extra)
    console.print()
    console.print(Text("What to do", style="bold"))
    for c in data["codes"][:TOP_CAUSES]:
        title = f"{c['sdk']} {c['code']} {c['name'] or 'UNKNOWN'}"
        console.print(Text.assemble(("• ", ""), (title, "bold"), f" ({c['count']:,}×)"))
        if c["description"]:
            console.print(f"    {c['description']}")
        elif c["log_description"]:
            console.print(f"    Logged as: {c['log_description']}")
        console.print(f"    Cause/fix: {c['cause']}")
        sample = c["sample"]
        console.print(
            Text(f"    e.g. {sample['file']}:{sample['line']}: {sample['text'][:160]}", style="dim")
        )


def extra_views(report: Report) -> list[tuple[str, pl.DataFrame]]:
    """The ``--by`` views beyond codes and categories, as (title, rows) for the text formats."""
    out: list[tuple[str, pl.DataFrame]] = []
    if "kind" in report.views:
        out.append(("By kind", report.kinds().with_columns(_percent("share"))))
    if "file" in report.views:
        out.append(("By file", report.files()))
    if "platform" in report.views:
        out.append(("By platform", report.platforms.with_columns(_percent("share"))))
    if "time" in report.views:
        out.append((f"Timeline ({report.bucket} buckets)", timeline_rows(report)))
    return out


def timeline_rows(report: Report) -> pl.DataFrame:
    """One row per bucket: its start, the total, and the categories with errors in it."""
    import polars as pl

    if report.timeline.is_empty():
        return pl.DataFrame(schema={"start": pl.String, "count": pl.Int64, "categories": pl.String})
    nonzero = pl.col("count") > 0
    return (
        report.timeline.sort("start", "category")
        .group_by("start", maintain_order=True)
        .agg(
            pl.col("count").sum(),
            pl.format("{} {}", pl.col("category"), pl.col("count"))
            .filter(nonzero)
            .str.join(", ")
            .alias("categories"),
        )
    )


def _percent(column: str) -> pl.Expr:
    import polars as pl

    return (pl.col(column) * 100).round(1).cast(pl.String) + pl.lit("%")


def plain_cell(value: object) -> str:
    """A value as table text (lists joined with commas)."""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)


def _table(title: str | None = None) -> Table:
    return Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
        padding=(0, 0), expand=False,
    )  # fmt: skip


def _when(value: str | None) -> str:
    """A seen-time for the table, to the minute; partial dates stay partial."""
    if not value:
        return "-"
    if "T" in value:  # full (2017-03-01T19:30:28.216) or without a year (--09-02T10:50:35.972)
        return value.replace("T", " ")[: value.index("T") + 6]
    return value[:5]  # time of day only


def _files(files: Sequence[str]) -> str:
    if len(files) == 1:
        return files[0]
    return f"{len(files)} files"


def render_entries(entries: Sequence[Entry], console: Console, *, overridden: dict | None = None) -> None:
    """``explain``: every field of each entry, one block per entry."""
    for i, e in enumerate(entries):
        if i:
            console.print()
        head = Text.assemble((f"{e.sdk} {e.code} ", "bold"), (e.name, "bold cyan"))
        if e.deprecated:
            head.append("  (deprecated)", style="yellow")
        console.print(head)
        rows = [
            ("category", e.category), ("kind", e.kind), ("description", e.description),
            ("cause/fix", e.cause), ("aliases", ", ".join(e.aliases)), ("message (zh)", e.message_zh),
            ("notes", e.notes), ("source", e.source if e.origin == "builtin" else f"{e.source} ({e.origin})"),
        ]  # fmt: skip
        if overridden and (e.sdk, e.code) in overridden:
            rows.append(("overrides", overridden[(e.sdk, e.code)]))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(overflow="fold")
        for label, value in rows:
            if value:
                grid.add_row(label, value)
        console.print(grid)


def render_catalogue(entries: Sequence[Entry], console: Console) -> None:
    """``codes``: one row per entry; entries from a user catalogue name their file."""
    table = _table()
    for name, justify in (("sdk", "left"), ("code", "right"), ("name", "left"), ("category", "left"),
                          ("kind", "left"), ("description", "left")):  # fmt: skip
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    mine = any(e.origin != "builtin" for e in entries)
    if mine:
        table.add_column("from", overflow="fold")
    for e in entries:
        cells = [
            e.sdk,
            str(e.code),
            e.name + (" (deprecated)" if e.deprecated else ""),
            e.category,
            e.kind,
            e.description,
        ]
        if mine:
            cells.append("" if e.origin == "builtin" else e.origin)
        table.add_row(*cells)
    console.print(table)
    console.print(f"{len(entries)} entries")

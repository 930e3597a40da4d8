"""The terminal view: a header, the codes table, categories, causes of the top codes.

Rendered with rich; colour only when the output is a terminal (and NO_COLOR
is unset), plain text otherwise, so the output pipes and diffs cleanly.
"""

from __future__ import annotations

import functools
import io
import os
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from rich import box
from rich.cells import cell_len, chop_cells
from rich.console import Console, JustifyMethod
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from logscan.decode import links
from logscan.decode.catalogue import Entry
from logscan.outputs import printable
from logscan.render.samples import FILE_ORDER, by_file_order, last_elsewhere

if TYPE_CHECKING:
    import polars as pl

    from logscan.aggregate.report import CodeDict, Report

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


def plural(n: object, word: str, many: str | None = None) -> str:
    """``1 entry``, ``2 entries``: ``n`` and ``word``, or ``many`` (else ``word`` + s) unless 1."""
    return f"{n:,} " + (word if n == 1 else many or word + "s")


#: The width of text that goes to no terminal: a pipe, and a file written with ``-o``.
FILE_WIDTH = 120
#: Narrower terminals are drawn as if this wide (the terminal wraps the rest).
MIN_WIDTH = 20


def console_width(*, to_file: bool = False) -> int:
    """The width to draw in: :data:`FILE_WIDTH` for a file written with ``-o`` (its text must
    not depend on the terminal the command ran in), else the terminal's: ``COLUMNS`` when it is
    a positive number (an empty or unusable value counts as unset), else the terminal's own,
    else :data:`FILE_WIDTH` (not a terminal)."""
    if to_file:
        return FILE_WIDTH
    return max(shutil.get_terminal_size((FILE_WIDTH, 24)).columns, MIN_WIDTH)


def make_console(file: IO[str] | None = None, *, color: bool | None = None, to_file: bool = False) -> Console:
    """A console drawing into ``file``; ``to_file``: for a file written with ``-o`` (no colour,
    :data:`FILE_WIDTH` wide)."""
    if to_file:
        color = False
    return Console(
        file=file,
        width=console_width(to_file=to_file),
        no_color=not color if color is not None else None,
        force_terminal=color,
        highlight=False,
        soft_wrap=False,
        markup=False,  # text from logs and catalogues is shown as it is: "[sync]" is no style
        emoji=False,  # nor ":smile:" an emoji
    )


def to_text(draw: Callable[[Console], None], *, color: bool, to_file: bool = False) -> str:
    """What ``draw`` draws on a console (:func:`make_console`), as text; trailing spaces cut."""
    buffer = io.StringIO()
    draw(make_console(buffer, color=color, to_file=to_file))
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


#: The codes table's columns that narrower terminals leave out, in this order (the README
#: says so): share (the count is there), category (the categories table lists its codes),
#: last seen, kind, first seen. Codes, names, counts and the files column always stay.
DROP_ORDER = ("share", "category", "last seen", "kind", "first seen")
#: The least the files column gets before another column is left out.
FILES_MIN = 14
#: Up to this many files scanned, the files column names the file with most lines of the code
#: (that needs a row per code and file); past it, the file of its first line.
TOP_FILE_LIMIT = 1000


def render(report: Report, console: Console, *, paths: Sequence[str] = ()) -> None:
    """The terminal report of ``report``; file names relative to the folder of ``paths`` (the
    inputs named on the command line)."""
    from logscan.inputs import common_folder

    data = printable(report.to_dict())
    inputs = data["inputs"]
    folder = printable(common_folder(paths))  # spelled as the names in data are
    shown = functools.partial(relative, folder=folder)
    console.print(
        Text.assemble(
            ("logscan report", "bold"),
            f" of {folder}{os.sep}" if folder else "",
            f" — {plural(inputs['files'], 'file')}, {plural(inputs['lines'], 'line')}, "
            f"{human_bytes(inputs['bytes'])} scanned; ",
            (plural(data["events"], "error line"), "bold"),
            f", {plural(len(data['codes']), 'code')}",
        )
    )
    if data.get("filters"):
        console.print(Text(f"Counted only: {describe_filters(data['filters'])}"))
    console.print(Text(f"Time span: {describe_span(data['span'])}"))
    for bad in inputs["unreadable"]:
        console.print(Text(f"Unreadable: {bad['name']}: {bad['reason']}", style="red"))
    if not data["codes"]:
        console.print(
            f"No SDK error codes found in {plural(inputs['files'], 'file')} "
            f"({plural(inputs['lines'], 'line')})."
        )
        return
    console.print()
    what_to_do(data["codes"][:TOP_CAUSES], console, shown=shown)
    columns = [
        Col("sdk"), Col("code", "right"), Col("name"), Col("category"), Col("kind"), Col("count", "right"),
        Col("share", "right"), Col("first seen"), Col("last seen"),
        Col("files", wrap="elide", min_width=FILES_MIN),
    ]  # fmt: skip
    top = top_files(report)
    rows: list[list[str | Text]] = [
        [
            c["sdk"],
            str(c["code"]),
            Text("UNKNOWN", style="bold red") if c["name"] is None else Text(c["name"]),
            c["category"],
            c["kind"],
            f"{c['count']:,}",
            f"{c['share']:.1%}",
            _when(c["first_seen"]),
            _when(c["last_seen"]),
            _files(c["files"], top.get((c["sdk"], c["code"])), shown),
        ]
        for c in data["codes"]
    ]
    console.print()
    print_table(console, columns, rows, title="Codes", key=3, drop=DROP_ORDER)
    if report.omitted_codes:
        console.print(f"… and {plural(report.omitted_codes, 'more code')} (--top)")
    cats = [Col("category"), Col("count", "right"), Col("share", "right"), Col("codes", wrap="text")]
    rows = [
        [c["category"], f"{c['count']:,}", f"{c['share']:.1%}", ", ".join(map(str, c["codes"]))]
        for c in data["categories"]
    ]
    console.print()
    print_table(console, cats, rows, title="Categories")
    for title, df in extra_views(report, collapse=True):
        if "file" in df.columns:
            df = df.with_columns(pl_map_str(df, "file", shown))
        columns = [Col(name, _justify(df, name), wrap=_VIEW_WRAP.get(name, "")) for name in df.columns]
        cells = [[plain_cell(v) for v in row] for row in df.iter_rows()]
        if "start" in df.columns and "count" in df.columns:  # the timeline: a bar per bucket
            for cell in cells:  # a bucket's start to the minute (the bucket is in the title)
                cell[0] = cell[0].replace("T", " ")[:16] if cell[0][:1].isdigit() else cell[0]
            # The bars take what the other columns leave (10 to 30 cells): never wrapped.
            used = sum(
                max([cell_len(c.name), *(cell_len(row[i]) for row in cells)]) for i, c in enumerate(columns)
            )
            width = max(BAR_MIN, min(BAR_MAX, console.width - used - len(columns)))
            columns.append(Col(""))
            most = max((n for n in df["count"] if n), default=0)
            for cell, n in zip(cells, df["count"], strict=True):
                cell.append(bar(n, most, width) if n is not None else "")
        console.print()
        print_table(console, columns, cells, title=title)


def what_to_do(codes: Sequence[CodeDict], console: Console, *, shown: Callable[[str], str] = str) -> None:
    """The cause and fix of ``codes``, each with a sample line (cut to one line); text that
    wraps keeps its indent."""
    which = f" (the {len(codes)} most frequent codes)" if len(codes) > 1 else ""
    console.print(Text(f"What to do{which}", style="bold"))
    for c in printable(list(codes)):  # Text: read as it is, no markup; controls escaped
        title = Text.assemble(
            (f"{c['sdk']} {c['code']} {c['name'] or 'UNKNOWN'}", "bold"), f" ({c['count']:,}×)"
        )
        meaning = c["description"] or (f"logged as: {c['log_description']}" if c["log_description"] else "")
        if meaning:
            title.append(f": {meaning}")
        head = Table.grid()
        head.add_column(no_wrap=True)
        head.add_column()
        head.add_row("• ", title)
        console.print(head)
        console.print(Padding(Text(f"Cause/fix: {links.render(c['cause'])}"), (0, 0, 0, 4)))
        sample = c["sample"]
        noted = f" ({FILE_ORDER})" if by_file_order(c) else ""
        line = Text(
            f"e.g. {shown(sample['file'])}:{sample['line']}{noted}: {sample['text']}",
            style="dim", no_wrap=True, overflow="ellipsis",
        )  # fmt: skip
        console.print(Padding(line, (0, 0, 0, 4)))
        last = last_elsewhere(c)
        if last is not None:  # the latest occurrence, under the sample (the earliest)
            at = f"last: {shown(last[0])}:{last[1]}{noted}"
            console.print(Padding(Text(at, style="dim", no_wrap=True, overflow="ellipsis"), (0, 0, 0, 4)))


def top_files(report: Report) -> dict[tuple[str, int], str]:
    """Per code seen in more than one file, the file with most of its lines (ties: the first
    by name); empty past :data:`TOP_FILE_LIMIT` files."""
    if report.stats.files > TOP_FILE_LIMIT or report.by_file.is_empty():
        return {}
    rows = report.by_file.sort(["sdk", "code", "count", "file"], descending=[False, False, True, False])
    return {
        (sdk, code): file
        for sdk, code, file in rows.group_by("sdk", "code", maintain_order=True)
        .agg(pl_first("file"))
        .iter_rows()
    }


def relative(name: str, folder: str | None) -> str:
    """``name`` relative to ``folder`` when it lies in it (``logs.zip:easemob.log``)."""
    if folder and name.startswith(folder + os.sep):
        return name[len(folder) + len(os.sep) :]
    return name


#: The timeline's bars: at most and at least this many cells.
BAR_MAX, BAR_MIN = 30, 10


def bar(n: int, most: int, width: int = BAR_MAX) -> str:
    """``n`` as a bar of up to ``width`` cells (``most`` the longest); any line, one cell at least."""
    if not n or not most:
        return ""
    eighths = max(round(n / most * width * 8), 1)
    return "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8]


def _justify(df: pl.DataFrame, name: str) -> JustifyMethod:
    return "right" if df.schema[name].is_numeric() or name == "share" else "left"


def pl_first(column: str) -> pl.Expr:
    import polars as pl

    return pl.col(column).first()


def pl_map_str(df: pl.DataFrame, column: str, fn: Callable[[str], str]) -> pl.Series:
    import polars as pl

    return pl.Series(column, [fn(v) if v is not None else v for v in df[column]], dtype=pl.String)


def extra_views(report: Report, *, collapse: bool = False) -> list[tuple[str, pl.DataFrame]]:
    """The ``--by`` views beyond codes and categories, as (title, rows) for the text formats;
    ``collapse``: a run of empty buckets in the timeline as one row (:func:`collapse_empty`)."""
    out: list[tuple[str, pl.DataFrame]] = []
    if "kind" in report.views:
        out.append(("By kind", report.kinds().with_columns(_percent("share"))))
    if "file" in report.views:
        out.append(("By file", report.files()))
    if "platform" in report.views:
        out.append(("By platform", report.platforms.with_columns(_percent("share"))))
    if "time" in report.views:
        rows = timeline_rows(report)
        out.append((f"Timeline ({report.bucket} buckets)", collapse_empty(rows) if collapse else rows))
    return out


def collapse_empty(rows: pl.DataFrame, least: int = 2) -> pl.DataFrame:
    """Timeline rows with each run of at least ``least`` empty buckets as one row: its start
    says how many (``… 171 empty buckets …``), its count is empty."""
    import polars as pl

    out: list[tuple[str, int | None, str]] = []
    run: list[tuple[str, int, str]] = []

    def flush() -> None:
        if len(run) >= least:
            out.append((f"… {len(run):,} empty buckets …", None, ""))
        else:
            out.extend(run)
        run.clear()

    for start, count, categories in rows.iter_rows():
        if count == 0:
            run.append((start, count, categories))
            continue
        flush()
        out.append((start, count, categories))
    flush()
    return pl.DataFrame(out, schema=rows.schema, orient="row")


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
    """A value as table text (lists joined with commas), shown :func:`printable`."""
    if isinstance(value, list):
        return printable(", ".join(map(str, value)))
    return "" if value is None else printable(str(value))


def _table(title: str | None = None) -> Table:
    return Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
        padding=(0, 0), expand=False,
    )  # fmt: skip


@dataclass(frozen=True)
class Col:
    """A column of :func:`print_table`. Cells of a column without ``wrap`` are identifiers
    (codes, names, counts, times): never cut, never wrapped. ``wrap="text"`` wraps words,
    ``wrap="path"`` also breaks after ``/``, ``:`` and ``,`` (file names); ``wrap="elide"``
    keeps a file name on one line, shortened around an ellipsis when it must be."""

    name: str
    justify: JustifyMethod = "left"
    wrap: str = ""
    min_width: int = 0


#: The least a wrapped column gets before the table gives way to one block per row.
WRAP_MIN = 20
#: Columns whose cells are lists or file names in the ``--by`` views.
_VIEW_WRAP = {"codes": "text", "categories": "text", "file": "path"}
_BREAK = re.compile(r"[^\s/:,\\]*(?:[\s/:,\\]+|$)")


def print_table(
    console: Console, columns: Sequence[Col], rows: Sequence[Sequence[str | Text]], *,
    title: str | None = None, key: int = 1, drop: Sequence[str] = (),
) -> None:  # fmt: skip
    """A table as wide as its cells when that fits the console; else the columns named in
    ``drop`` are left out, in that order, until it fits; else the wrapped columns get what is
    left by the identifiers; and when not even that fits, one block per row (its first
    ``key`` cells on a line, the other cells labelled below it). A column with
    ``wrap="elide"`` (file names) gets what is left, at least its ``min_width``, its cells
    shortened around an ellipsis (:func:`elide`)."""
    rows = [[printable(cell) if isinstance(cell, str) else cell for cell in row] for row in rows]
    width = console.width
    natural = [
        max([cell_len(col.name), col.min_width if col.wrap != "elide" else 0,
             *(_cell_width(row[i]) for row in rows)])
        for i, col in enumerate(columns)
    ]  # fmt: skip

    # The fewest cells each column takes.
    least = [
        n if not col.wrap else min(n, col.min_width if col.wrap == "elide" else WRAP_MIN)
        for n, col in zip(natural, columns, strict=True)
    ]
    kept = list(range(len(columns)))
    for name in (None, *drop):
        if name is not None:
            kept = [i for i in kept if columns[i].name != name]
        if sum(least[i] for i in kept) + len(kept) - 1 <= width:
            break
    else:
        kept = list(range(len(columns)))
    if len(kept) < len(columns):
        columns = [columns[i] for i in kept]
        natural, least = [natural[i] for i in kept], [least[i] for i in kept]
        rows = [[row[i] for i in kept] for row in rows]
    widths: list[int] | None = None
    if sum(natural) + len(columns) - 1 > width:
        flexible = [i for i, col in enumerate(columns) if col.wrap]
        fixed = sum(n for n, col in zip(natural, columns, strict=True) if not col.wrap) + len(columns) - 1
        least_ = [least[i] for i in flexible]
        if not flexible or fixed + sum(least_) > width:
            _print_blocks(console, columns, rows, title=title, key=key)
            return
        widths = list(natural)
        for i, share in zip(
            flexible, _share(width - fixed, [natural[i] for i in flexible], least_), strict=True
        ):
            widths[i] = share
    table = _table(title)
    for i, col in enumerate(columns):
        table.add_column(
            col.name, justify=col.justify, no_wrap=col.wrap in ("", "elide"), overflow="fold",
            min_width=(col.min_width if col.wrap != "elide" else None) or None,
            width=widths[i] if widths else None,
        )  # fmt: skip
    for row in rows:
        cells = list(row)
        if widths:
            for i, col in enumerate(columns):
                if col.wrap == "path" and isinstance(cells[i], str):
                    cells[i] = "\n".join(wrap(str(cells[i]), widths[i]))
                elif col.wrap == "elide" and isinstance(cells[i], str):
                    cells[i] = elide(str(cells[i]), widths[i])
        table.add_row(*cells)
    console.print(table)


def _print_blocks(
    console: Console,
    columns: Sequence[Col],
    rows: Sequence[Sequence[str | Text]],
    *,
    title: str | None,
    key: int,
) -> None:
    """The narrow form of :func:`print_table`: per row, its key cells (aligned when they fit),
    then ``label: value`` pairs packed into indented lines, split only between pairs when
    they fit on a line."""
    width, indent = console.width, "    "
    if title:
        console.print(Text(title, style="table.title"))
    keys = [max(_cell_width(row[i]) for row in rows) for i in range(key)] if rows else []
    for row in rows:
        cells = [cell.copy() if isinstance(cell, Text) else Text(cell) for cell in row[:key]]
        padded = [
            Text.assemble(" " * (keys[i] - text.cell_len), text)
            if columns[i].justify == "right"
            else Text.assemble(text, " " * (keys[i] - text.cell_len))
            for i, text in enumerate(cells[:-1])
        ]
        head = Text(" ").join([*padded, cells[-1]])
        if head.cell_len > width:  # aligned with the rows above only when that fits
            head = Text(" ").join(cells)
        if head.cell_len > width:  # between the cells, or after a / or : of a file name
            for piece in wrap(head.plain, width):
                console.print(piece)
        else:
            console.print(head)
        line = Text(indent)
        for col, cell in zip(columns[key:], row[key:], strict=True):
            value = cell.plain if isinstance(cell, Text) else cell
            if not value:
                continue
            pair = Text.assemble((f"{col.name}:", "dim"), " ", value)
            sep = "  " if line.cell_len > len(indent) else ""
            if line.cell_len + len(sep) + pair.cell_len <= width:
                line.append_text(Text(sep) + pair)
                continue
            if line.cell_len > len(indent):
                console.print(line)
            if len(indent) + pair.cell_len <= width:
                line = Text(indent) + pair
                continue
            pieces = wrap(f"{col.name}: {value}", width - len(indent) - 2)
            for n, piece in enumerate(pieces[:-1]):
                console.print(Text(indent + ("  " if n else "") + piece))
            line = Text(indent + "  " + pieces[-1])
        if line.cell_len > len(indent):
            console.print(line)


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` cells, broken after spaces, ``/``, ``:``, ``,``
    or ``\\``; a part longer than a line is folded."""
    lines: list[str] = []
    line = ""
    for piece in _BREAK.findall(text):
        if not piece or cell_len(line + piece.rstrip()) <= width:
            line += piece
            continue
        if line.strip():
            lines.append(line.rstrip())
        parts = chop_cells(piece.lstrip(), max(width, 1)) or [""]
        lines += [part.rstrip() for part in parts[:-1]]
        line = parts[-1]
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def _share(total: int, wanted: Sequence[int], least: Sequence[int]) -> list[int]:
    """Split ``total`` cells among columns: each its least, then evenly up to what it wants."""
    widths = list(least)
    left = total - sum(widths)
    while left > 0:
        open_ = [i for i, w in enumerate(widths) if w < wanted[i]]
        if not open_:
            break
        each = max(left // len(open_), 1)
        for i in open_:
            give = min(each, wanted[i] - widths[i], left)
            widths[i] += give
            left -= give
    return widths


def _cell_width(cell: str | Text) -> int:
    plain = cell.plain if isinstance(cell, Text) else cell
    return max((cell_len(line) for line in plain.splitlines()), default=0)


def _when(value: str | None) -> str:
    """A seen-time for the table, to the minute; partial dates stay partial."""
    if not value:
        return "-"
    if "T" in value:  # full (2017-03-01T19:30:28.216) or without a year (--09-02T10:50:35.972)
        return value.replace("T", " ")[: value.index("T") + 6]
    return value[:5]  # time of day only


def _files(files: Sequence[str], top: str | None, shown: Callable[[str], str]) -> str:
    """The files column: the one file, or the top file (most lines; else the first by name)
    and how many more (``easemob.log +1``)."""
    if len(files) == 1:
        return shown(files[0])
    return f"{shown(top or files[0])} +{len(files) - 1}"


def elide(text: str, width: int) -> str:
    """A file name in at most ``width`` cells: whole when it fits, else its archive and its
    base name around an ellipsis (``logs.zip:…/easemob.log +1``), else its end."""
    if cell_len(text) <= width:
        return text
    name, plus, more = text.rpartition(" +")
    suffix = f" +{more}" if plus and more.isdigit() else ""
    name = name if suffix else text
    parts = re.split(r"([/:\\])", name)
    base, sep = parts[-1], parts[-2] if len(parts) > 1 else ""
    archive = name.split(":", 1)[0] if ":" in name else ""
    for candidate in (f"{archive}:…{sep}{base}{suffix}" if archive else "", f"…{sep}{base}{suffix}"):
        if candidate and cell_len(candidate) <= width:
            return candidate
    return "…" + text[-(width - 1) :] if width > 1 else "…"


def render_entries(entries: Sequence[Entry], console: Console, *, overridden: dict | None = None) -> None:
    """``explain``: every field of each entry, one block per entry."""
    for i, e in enumerate(entries):
        if i:
            console.print()
        head = Text.assemble((f"{e.sdk} {e.code} ", "bold"), (printable(e.name), "bold cyan"))
        if e.deprecated:
            head.append("  (deprecated)", style="yellow")
        console.print(head)
        rows = [
            ("category", e.category), ("kind", e.kind), ("description", e.description),
            ("cause/fix", links.render(e.cause)), ("aliases", ", ".join(e.aliases)),
            ("message (zh)", e.message_zh),
            ("notes", e.notes), ("source", e.source if e.origin == "builtin" else f"{e.source} ({e.origin})"),
        ]  # fmt: skip
        if overridden and (e.sdk, e.code) in overridden:
            rows.append(("overrides", overridden[(e.sdk, e.code)]))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(overflow="fold")
        for label, value in rows:
            if value:
                grid.add_row(label, printable(value))
        console.print(grid)


def render_catalogue(entries: Sequence[Entry], console: Console) -> None:
    """``codes``: one row per entry; entries from a user catalogue name their file."""
    columns = [Col("sdk"), Col("code", "right"), Col("name"), Col("category"), Col("kind"),
               Col("description", wrap="text")]  # fmt: skip
    mine = any(e.origin != "builtin" for e in entries)
    if mine:
        columns.append(Col("from", wrap="path"))
    rows = []
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
        rows.append(cells)
    print_table(console, columns, rows, key=3)
    console.print(f"{len(entries)} entries")


def describe_filters(filters: dict[str, object]) -> str:
    """The filters a report's counts are of, as options (``--code native/2 --sdk web``)."""
    parts = []
    for name, value in filters.items():
        for one in value if isinstance(value, list) else [value]:
            parts.append(f"--{name} {one}")
    return " ".join(parts)

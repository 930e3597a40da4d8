"""The views of ``logscan watch``: the live table, and one line of text per event."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, BinaryIO

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from logscan.live.watch import NEW_FOR, LiveState
from logscan.outputs import write_all
from logscan.render.text import human_bytes, plural

#: The widest the live table is drawn (it fits 80 to this many columns).
MAX_WIDTH = 120
#: Lines the header and the table's own lines take, besides its rows.
_CHROME = 5


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def header(state: LiveState, now: float, label: str) -> Text:
    """One line (cut at the terminal's edge, the inputs last): lines, lines per second over the
    last seconds, bytes, elapsed time, error lines and codes."""
    text = Text.assemble(
        ("logscan watch", "bold"),
        f"  {plural(state.lines, 'line')} ({state.lines_per_second(now):,.0f}/s)  {human_bytes(state.bytes)}"
        f"  {_clock(state.elapsed(now))}  ",
        (plural(state.events, "error line"), "bold"),
        f", {plural(len(state.codes), 'code')}  {label}",
    )
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


def table(state: LiveState, now: float, *, label: str, width: int, height: int) -> Group:
    """The header and one row per code: sdk, code, name, count, rate per minute over the last
    5 minutes, last seen (local time), the newest line (redacted). Codes first seen in the last
    seconds are marked ``*`` (and bold)."""
    width = min(max(width, 40), MAX_WIDTH)
    grid = Table(box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), pad_edge=False, width=width, show_edge=False)
    grid.add_column("sdk", no_wrap=True)
    grid.add_column("code", justify="right", no_wrap=True)
    grid.add_column("name", no_wrap=True, overflow="ellipsis", max_width=max(14, width - 60))
    grid.add_column("count", justify="right", no_wrap=True)
    grid.add_column("/min", justify="right", no_wrap=True)
    grid.add_column("last seen", no_wrap=True)
    grid.add_column("newest line", no_wrap=True, overflow="ellipsis", ratio=1, min_width=8)
    rows = state.rows()
    room = max(1, height - _CHROME)
    shown = rows if len(rows) <= room else rows[: room - 1]
    elapsed = state.elapsed(now)
    for code in shown:
        new = state.is_new(code, now)
        grid.add_row(
            code.sdk,
            f"*{code.code}" if new else str(code.code),
            code.name or "UNKNOWN",
            f"{code.count:,}",
            f"{code.per_minute(now, elapsed):,.1f}",
            time.strftime("%H:%M:%S", time.localtime(code.last_seen)),
            code.text,
            style="bold yellow" if new else None,
        )
    parts: list[Text | Table] = [header(state, now, label)]
    if rows:
        parts.append(grid)
        notes = []
        if len(shown) < len(rows):
            notes.append(f"... and {plural(len(rows) - len(shown), 'more code')}")
        if any(state.is_new(code, now) for code in shown):
            notes.append(f"* first seen in the last {NEW_FOR:.0f} s")
        if notes:
            parts.append(Text("; ".join(notes)))
    else:
        parts.append(Text("No SDK error yet; waiting for lines (Ctrl-C ends the watch with the report)."))
    return Group(*parts)


def event_line(row: Mapping[str, object]) -> str:
    """One event as a line of text: ``FILE:LINE: sdk code NAME (category, kind): text``."""
    where = f"{row['file']}:{row['line']}"
    name = row["name"] or "UNKNOWN"
    return f"{where}: {row['sdk']} {row['code']} {name} ({row['category']}, {row['kind']}): {row['text']}"


@contextlib.contextmanager
def sink(
    fmt: str, paths: tuple[str, ...], *, out: BinaryIO, notice: Callable[[str], None], refresh: float
) -> Iterator[Any]:
    """Where ``logscan watch`` shows what it sees: ``fmt`` ``live`` (a table redrawn at most
    every ``refresh`` seconds), ``ndjson`` or ``text`` (lines on ``out``); ``notice`` says
    what the watch notices (a file rotated, a line cut)."""
    from logscan.export import events as exports

    label = ", ".join(paths) if len(", ".join(paths)) <= 40 else f"{paths[0]} and {len(paths) - 1} more"

    class Lines:
        def __init__(self) -> None:
            self.writer = exports.NdjsonWriter(out) if fmt == "ndjson" else None

        def events(self, rows: Any, state: Any) -> None:
            if self.writer is not None:
                self.writer.write(rows)
                out.flush()
            else:
                text = "".join(event_line(row) + "\n" for row in rows.iter_rows(named=True))
                write_all(out, text.encode("utf-8"))
                out.flush()

        def idle(self, state: Any) -> None:
            """Nothing to redraw."""

        def notice(self, message: str) -> None:
            notice(message)

    if fmt != "live":
        yield Lines()
        return
    from rich.console import Console
    from rich.live import Live

    console = Console(highlight=False)

    class Table(Lines):
        def __init__(self, display: Live) -> None:
            self.display = display
            self.drawn = 0.0

        def events(self, rows: Any, state: Any) -> None:
            """Drawn by :meth:`idle`, at most twice a second."""

        def idle(self, state: Any) -> None:
            now = time.time()
            if now - self.drawn >= refresh:
                self.drawn = now
                size = console.size
                view = table(state, now, label=label, width=size.width, height=size.height)
                self.display.update(view, refresh=True)

    with Live(console=console, auto_refresh=False, transient=True, redirect_stderr=True) as display:
        yield Table(display)

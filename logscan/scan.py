"""The engine: blocks of bytes -> polars frames of events.

A block is split into lines by polars (``read_lines``), the lines are
pre-filtered with one regex that is the alternation of every pattern (the Rust
engine turns it into a SIMD literal search, so most lines are rejected without
a per-line Python step), and only the surviving lines are matched pattern by
pattern, in priority order: the first pattern that matches a line makes its
event, so a line is never counted twice.

Everything here is a pure function of its inputs (bytes and a picklable
:class:`Matcher`), so it runs unchanged in a worker process or on a
distributed engine.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from logscan.patterns import Pattern, PatternSet
from logscan.timestamps import with_timestamps

#: Longest line text kept in an event (the rest is cut and marked).
MAX_TEXT = 2000

EVENT_SCHEMA: dict[str, pl.DataType] = {
    "row": pl.UInt32(),
    "sdk": pl.String(),
    "platform": pl.String(),
    "pattern": pl.String(),
    "code": pl.Int64(),
    "description": pl.String(),
    "text": pl.String(),
    "timestamp": pl.Datetime("us"),
    "time_text": pl.String(),
    "time_precision": pl.String(),
}

_NAMED_GROUP = re.compile(r"(?<!\\)\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>")


@dataclass(frozen=True)
class Matcher:
    """Patterns prepared for the engine (picklable: sent to worker processes)."""

    patterns: tuple[Pattern, ...]
    prefilter: str

    @classmethod
    def build(cls, patterns: PatternSet | Sequence[Pattern]) -> Matcher:
        items = tuple(patterns)
        prefilter = "|".join(f"(?:{_NAMED_GROUP.sub('(?:', p.regex)})" for p in items)
        return cls(items, prefilter)


@dataclass(frozen=True)
class BlockScan:
    """What one block yields: its events (``row`` is 0-based within the block)."""

    events: pl.DataFrame
    newlines: int
    nbytes: int


def empty_events() -> pl.DataFrame:
    return pl.DataFrame(schema=EVENT_SCHEMA)


def read_lines(data: bytes) -> pl.DataFrame:
    """Split bytes into a frame of ``row`` (0-based) and ``line``; bad UTF-8 is replaced."""
    if not data:
        return pl.DataFrame(schema={"row": pl.UInt32, "line": pl.String})
    try:
        frame = pl.read_lines(data, name="line", row_index_name="row")
    except pl.exceptions.PolarsError:
        fixed = data.decode("utf-8", "replace").encode("utf-8")
        frame = pl.read_lines(fixed, name="line", row_index_name="row")
    return frame


def match_frame(lines: pl.DataFrame, matcher: Matcher) -> pl.DataFrame:
    """Events of a frame with columns ``row`` and ``line``, in the EVENT_SCHEMA."""
    if lines.is_empty() or not matcher.patterns:
        return empty_events()
    line = pl.col("line")
    candidates = lines.filter(line.str.contains(matcher.prefilter))
    if candidates.is_empty():
        return empty_events()
    hits = []
    for index, pattern in enumerate(matcher.patterns):
        groups = line.str.extract_groups(pattern.regex)
        code = groups.struct.field("code").cast(pl.Int64, strict=False)
        if pattern.exclude:
            code = pl.when(line.str.contains(pattern.exclude).not_()).then(code)
        description = (
            groups.struct.field("description").str.strip_chars(" \t'\"")
            if pattern.has_description
            else pl.lit(None, dtype=pl.String)
        )
        hits.append(
            pl.when(code.is_not_null()).then(
                pl.struct(
                    pl.lit(index, dtype=pl.UInt16).alias("_p"),
                    code.alias("code"),
                    description.alias("description"),
                )
            )
        )
    events = (
        candidates.with_columns(pl.coalesce(hits).alias("_hit"))
        .filter(pl.col("_hit").is_not_null())
        .unnest("_hit")
    )
    if events.is_empty():
        return empty_events()
    names = [p.name for p in matcher.patterns]
    index = list(range(len(names)))
    events = with_timestamps(events, "line").with_columns(
        pl.col("_p")
        .replace_strict(index, [p.sdk for p in matcher.patterns], return_dtype=pl.String)
        .alias("sdk"),
        pl.col("_p")
        .replace_strict(index, [p.platform for p in matcher.patterns], return_dtype=pl.String)
        .alias("platform"),
        pl.col("_p").replace_strict(index, names, return_dtype=pl.String).alias("pattern"),
        pl.when(line.str.len_chars() > MAX_TEXT)
        .then(line.str.slice(0, MAX_TEXT) + pl.lit(" …[cut]"))
        .otherwise(line)
        .alias("text"),
    )
    return events.select(pl.col(name).cast(dtype) for name, dtype in EVENT_SCHEMA.items())


def scan_bytes(data: bytes, matcher: Matcher) -> BlockScan:
    """Scan one block of UTF-8 bytes (it should end at a newline, except the last)."""
    return BlockScan(match_frame(read_lines(data), matcher), data.count(b"\n"), len(data))


def match_pattern(pattern: Pattern, lines: Sequence[str]) -> list[int | None]:
    """The code ``pattern`` alone extracts from each line (None: no match)."""
    frame = pl.DataFrame({"row": pl.Series(range(len(lines)), dtype=pl.UInt32), "line": list(lines)})
    events = match_frame(frame, Matcher.build([pattern]))
    found = dict(zip(events["row"].to_list(), events["code"].to_list(), strict=True))
    return [found.get(i) for i in range(len(lines))]


def match_lines(lines: Sequence[str], matcher: Matcher) -> pl.DataFrame:
    """Events of a list of lines (``row`` is the 0-based index into ``lines``)."""
    frame = pl.DataFrame({"row": pl.Series(range(len(lines)), dtype=pl.UInt32), "line": list(lines)})
    return match_frame(frame, matcher)

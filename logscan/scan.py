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

from logscan.dialect import for_engine
from logscan.literals import literal_filter
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


def _strip_names(regex: str) -> str:
    return _NAMED_GROUP.sub("(?:", regex)


def _loosen(regex: str) -> str:
    """The pattern as a line filter: names, a tail description and a leading ``\\b`` dropped.

    It matches every line the pattern matches (and perhaps a few more, which
    the extraction then rejects), and it is much faster: a leading look-around
    keeps the engine from skipping ahead to the patterns' literals.
    """
    return _strip_names(for_engine(_empty_tail_description(regex))).removeprefix("(?-u:\\b)")


def _only_code(regex: str) -> str:
    """The pattern with every named group but ``code`` made non-capturing (and a description
    that only eats the rest of the line dropped): same matches, same codes, faster."""
    return _NAMED_GROUP.sub(
        lambda m: m.group(0) if m.group(1) == "code" else "(?:", _empty_tail_description(regex)
    )


def _prefix_names(regex: str, prefix: str) -> str:
    return _NAMED_GROUP.sub(lambda m: f"(?P<{prefix}{m.group(1)}>", regex)


@dataclass(frozen=True)
class Matcher:
    """Patterns prepared for the engine (picklable: sent to worker processes).

    ``literals``: a cheap first filter (see :mod:`logscan.literals`; None when a
    pattern has no literal); ``alternation``: every pattern at once, a line
    filter (see :func:`_loosen`); ``combined``: the
    same with each pattern's groups renamed ``p<i>_<name>``, so that one pass
    extracts code and description.
    Where several patterns match a line, the match that starts leftmost wins,
    and at the same position the pattern listed first.
    """

    patterns: tuple[Pattern, ...]
    literals: str | None
    alternation: str
    combined: str
    #: ``combined`` capturing codes only (see :func:`_only_code`): the same matches
    #: and codes, much faster; descriptions are fetched separately for chosen rows.
    codes: str

    @classmethod
    def build(cls, patterns: PatternSet | Sequence[Pattern]) -> Matcher:
        items = tuple(patterns)
        literals = literal_filter([p.regex for p in items])
        alternation = "|".join(f"(?:{_loosen(p.regex)})" for p in items)

        def combine(transform) -> str:  # type: ignore[no-untyped-def]
            return "|".join(
                f"(?:{_prefix_names(for_engine(transform(p.regex)), f'p{i}_')})" for i, p in enumerate(items)
            )

        return cls(items, literals, alternation, combine(str), combine(_only_code))


_TAIL_DESCRIPTION = re.compile(r"\(\?P<description>(?:\.\*|\[\^(?:\\.|[^\]\\])*\]\*)\)((?:\)\??)*)$")


def _empty_tail_description(regex: str) -> str:
    """Empty a description group that only eats the rest of the line (``.*`` or ``[^...]*``
    followed by nothing but closing groups): it matches the same lines with the same code."""
    return _TAIL_DESCRIPTION.sub(r"(?P<description>)\1", regex)


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


def candidates(lines: pl.DataFrame, matcher: Matcher) -> pl.DataFrame:
    """The lines some pattern may match: first a literal filter (one literal every match of
    each pattern contains; a plain literal search), then the alternation of the patterns."""
    line = pl.col("line")
    if matcher.literals is not None:
        lines = lines.filter(line.str.contains(matcher.literals))
    return lines.filter(line.str.contains(matcher.alternation))


def _winner(matcher: Matcher) -> list[pl.Expr]:
    """(pattern index, code) of the winning pattern, from ``p<i>_code`` columns.

    One alternative of ``codes`` takes part in a match, so at most one of the
    columns is set per row; a pattern's ``exclude`` drops its rows.
    """
    columns = [f"p{i}_code" for i in range(len(matcher.patterns))]
    # Exactly one column is set where there is a code: the sum of i * is-set is its index.
    winner = pl.sum_horizontal(pl.col(c).is_not_null().cast(pl.UInt16) * i for i, c in enumerate(columns))
    code = pl.coalesce(columns).cast(pl.Int64, strict=False)
    excluded = [
        (winner == i) & pl.col("line").str.contains(for_engine(p.exclude))
        for i, p in enumerate(matcher.patterns)
        if p.exclude
    ]
    if excluded:
        code = pl.when(pl.any_horizontal(excluded)).then(None).otherwise(code)
    return [winner.alias("_p"), code.alias("code")]


def match_frame(lines: pl.DataFrame, matcher: Matcher, *, describe: bool = True) -> pl.DataFrame:
    """Events of a frame with columns ``row`` and ``line``, in the EVENT_SCHEMA.

    With ``describe=False`` the ``description`` column is left null (it costs
    most of the matching time); :func:`describe` fills it for chosen rows.
    """
    if lines.is_empty() or not matcher.patterns:
        return empty_events()
    found = candidates(lines, matcher)
    if found.is_empty():
        return empty_events()
    line = pl.col("line")
    groups = found.select(line.str.extract_groups(matcher.codes).alias("_g")).unnest("_g")
    events = (
        pl.concat([found, groups], how="horizontal")
        .select("row", "line", *_winner(matcher))
        # Code 0 is success in both numberings (EM_NO_ERROR, REQUEST_SUCCESS): a result, not an error.
        .filter(pl.col("code").is_not_null() & (pl.col("code") != 0))
    )
    if events.is_empty():
        return empty_events()
    index = list(range(len(matcher.patterns)))

    def by_pattern(values: list[str]) -> pl.Expr:
        return pl.col("_p").replace_strict(index, values, return_dtype=pl.String)

    events = with_timestamps(events, "line").with_columns(
        by_pattern([p.sdk for p in matcher.patterns]).alias("sdk"),
        by_pattern([p.platform for p in matcher.patterns]).alias("platform"),
        by_pattern([p.name for p in matcher.patterns]).alias("pattern"),
        pl.lit(None, dtype=pl.String).alias("description"),
        pl.when(line.str.len_chars() > MAX_TEXT)
        .then(line.str.slice(0, MAX_TEXT) + pl.lit(" …[cut]"))
        .otherwise(line)
        .alias("text"),
    )
    events = events.select(pl.col(name).cast(dtype) for name, dtype in EVENT_SCHEMA.items())
    return describe_events(events, matcher) if describe else events


def describe_events(events: pl.DataFrame, matcher: Matcher) -> pl.DataFrame:
    """Fill ``description`` (the text the winning pattern captured) of ``events``."""
    if events.is_empty() or not any(p.has_description for p in matcher.patterns):
        return events
    groups = events.select(pl.col("text").str.extract_groups(matcher.combined).alias("_g")).unnest("_g")
    described = [(i, p) for i, p in enumerate(matcher.patterns) if p.has_description]
    frame = pl.concat([events, groups.select(f"p{i}_description" for i, _ in described)], how="horizontal")
    picks = [pl.when(pl.col("pattern") == p.name).then(pl.col(f"p{i}_description")) for i, p in described]
    text = (
        pl.coalesce(picks)
        .str.replace(r"['\"]?[\s}\])]*$", "")  # the end of the object the text sat in: ' }
        .str.strip_chars(" \t'\",;")
    )
    frame = frame.with_columns(pl.when(text != "").then(text).alias("description"))
    return frame.select(pl.col(name).cast(dtype) for name, dtype in EVENT_SCHEMA.items())


def scan_bytes(data: bytes, matcher: Matcher, *, describe: bool = True) -> BlockScan:
    """Scan one block of UTF-8 bytes (it should end at a newline, except the last)."""
    lines = read_lines(data)
    # Every line ends with a newline, but the last one may not.
    newlines = lines.height - (0 if not data or data.endswith(b"\n") else 1)
    return BlockScan(match_frame(lines, matcher, describe=describe), newlines, len(data))


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

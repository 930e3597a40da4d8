"""The engine: blocks of bytes -> polars frames of events.

A block is split into lines by polars (``read_lines``); a regex of literals
that every match of some pattern must hold (:mod:`logscan.match.literals`) drops
most lines with a plain literal search; the survivors meet one regex, the
alternation of all patterns, in one vectorised pass without captures, which
keeps the lines some pattern matches. Only those lines meet each pattern on
its own, capturing its ``code`` (small regexes capture cheaply; the
alternation's captures cost more than everything else together). A line
makes at most one event: where several patterns match, the match that starts
leftmost wins, and at the same position the pattern listed first — what one
leftmost-first alternation would choose. Descriptions and timestamps are read
afterwards, for the rows that need them.

Everything here is a pure function of its inputs (bytes and a picklable
:class:`Matcher`), so it runs unchanged in a worker process or on a
distributed engine.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl
import regex

from logscan.match.dialect import for_engine, for_lines
from logscan.match.literals import literal_filter
from logscan.match.patterns import Pattern, PatternSet
from logscan.match.timestamps import SCHEMA as TIME_COLUMNS
from logscan.match.timestamps import with_timestamps

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

#: The group that wraps each pattern in ``Matcher.singles``: set wherever the pattern matches.
MATCH_GROUP = "logscan_match"


#: A named group opening, not escaped: an even run of backslashes (or none) before the "(".
_NAMED_GROUP = re.compile(r"(?<!\\)((?:\\\\)*)\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>")


def _only_code(regex: str) -> str:
    """The pattern with every named group but ``code`` made non-capturing (and a description
    that only eats the rest of the line dropped): same matches, same codes, faster."""
    return _NAMED_GROUP.sub(
        lambda m: m.group(0) if m.group(2) == "code" else m.group(1) + "(?:", _empty_tail_description(regex)
    )


def _no_names(regex: str) -> str:
    """The pattern with its named groups made non-capturing (alternatives may share names)."""
    return _NAMED_GROUP.sub(lambda m: f"{m.group(1)}(?:", regex)


@dataclass(frozen=True)
class Matcher:
    """Patterns prepared for the engine (picklable: sent to worker processes).

    ``literals``: a cheap first filter (see :mod:`logscan.match.literals`; None when a
    pattern has no literal); ``codes``: every pattern as one alternation, no
    named groups (it only tells which lines some pattern matches);
    ``singles``: each pattern alone, capturing its ``code`` only (see
    :func:`_only_code`), wrapped in a ``MATCH_GROUP``; ``describers``: each
    pattern with its ``description`` group (None without one); ``excludes``:
    each pattern's ``exclude`` (None without one).
    All as the engine runs them (:func:`logscan.match.dialect.for_engine`).
    """

    patterns: tuple[Pattern, ...]
    literals: str | None
    codes: str
    singles: tuple[str, ...]
    describers: tuple[str | None, ...]
    excludes: tuple[str | None, ...]
    #: Each pattern as it runs on a line with a newline on each side (:func:`for_lines`), its
    #: ``code`` its only named group; None for all when one pattern cannot run so.
    bounded: tuple[str, ...] | None = None

    @classmethod
    def build(cls, patterns: PatternSet | Sequence[Pattern]) -> Matcher:
        items = tuple(patterns)
        engine = [for_engine(_only_code(p.regex)) for p in items]
        bounded = [for_lines(_only_code(p.regex)) for p in items]
        framed = [b for b in bounded if b is not None]  # None: not framed (then none is)
        literals = literal_filter([p.regex for p in items])
        return cls(
            patterns=items,
            literals=literals,
            codes="|".join(f"(?:{_no_names(regex)})" for regex in engine),
            singles=tuple(f"(?P<{MATCH_GROUP}>{regex})" for regex in engine),
            describers=tuple(for_engine(p.regex) if p.has_description else None for p in items),
            excludes=tuple(for_engine(p.exclude) if p.exclude else None for p in items),
            bounded=tuple(framed) if len(framed) == len(bounded) else None,
        )

    @functools.cached_property
    def search(self) -> str:
        """Every pattern as one leftmost-first alternation, with one character of context on
        each side: on ``"\\n" + line + "\\n"`` its match is the line's winning match (the
        leftmost, and there the pattern listed first) and the characters around it."""
        assert self.bounded is not None
        return f"(?m)(?s:.)(?:{_alternation(self.bounded)})(?s:.)"

    def winner_of(self, lo: int, hi: int) -> str:
        """Patterns ``lo..hi`` anchored on a :attr:`search` match: the first of all patterns
        that matches there is the one that won the line (see :func:`_identify`)."""
        assert self.bounded is not None
        return _anchored(_alternation(self.bounded[lo:hi]))

    def code_of(self, index: int) -> str:
        """Pattern ``index`` anchored on a :attr:`search` match, capturing its ``code``."""
        assert self.bounded is not None
        return _anchored(self.bounded[index])


def _alternation(regexes: Sequence[str]) -> str:
    return "|".join(f"(?:{_no_names(regex)})" for regex in regexes)


def _anchored(regex: str) -> str:
    return f"(?m)\\A(?s:.)(?:{regex})(?s:.)\\z"


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
    """The lines that hold a literal every match of some pattern holds (all lines when a
    pattern has no literal): a plain literal search that drops most lines cheaply."""
    if matcher.literals is None:
        return lines
    return lines.filter(pl.col("line").str.contains(matcher.literals))


def _compact(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """``frame`` with ``column``'s strings copied together. After a filter they are views
    scattered over the whole block; each later pass over compact strings reads them from
    cache (3x faster)."""
    return frame.with_columns(pl.concat_str(pl.col(column), pl.lit("")).alias(column))


def _codes(hits: pl.DataFrame, matcher: Matcher) -> pl.DataFrame:
    """``hits`` with ``_p`` (the winning pattern's index) and ``code``, for lines some pattern matches.

    Each pattern captures its code on its own; where several match one line,
    the leftmost match wins, then the pattern listed first (see the module docs).
    A match whose ``code`` group is empty or took no part does not compete.
    ``_match`` is the winning match's text (where :func:`_drop_excluded` stops looking).
    """
    line = pl.col("line")
    count = len(matcher.singles)
    groups = hits.with_columns(
        line.str.extract_groups(regex).alias(f"_g{i}") for i, regex in enumerate(matcher.singles)
    )
    found = groups.select(
        "row",
        "line",
        *(
            (pl.col(f"_g{i}").struct.field("code").str.len_bytes() > 0).fill_null(False).alias(f"_m{i}")
            for i in range(count)
        ),
        *(pl.col(f"_g{i}").struct.field("code").alias(f"_c{i}") for i in range(count)),
        *(pl.col(f"_g{i}").struct.field(MATCH_GROUP).alias(f"_t{i}") for i in range(count)),
    )
    hit = [pl.col(f"_m{i}") for i in range(count)]
    codes = [pl.col(f"_c{i}") for i in range(count)]
    texts = [pl.when(hit[i]).then(pl.col(f"_t{i}")) for i in range(count)]
    found = found.with_columns(pl.sum_horizontal(h.cast(pl.UInt16) for h in hit).alias("_n"))
    single = found.filter(pl.col("_n") == 1).with_columns(
        # One pattern matched: the sum of i * matched is its index, its code the only one set.
        pl.sum_horizontal(h.cast(pl.UInt16) * i for i, h in enumerate(hit)).alias("_p"),
        pl.coalesce(codes).alias("code"),
        pl.coalesce(texts).alias("_match"),
    )
    contested = found.filter(pl.col("_n") > 1)
    if contested.height:
        present = [i for i in range(count) if contested[f"_m{i}"].any()]
        # Where each pattern's match starts (past the end of any line where it does not match).
        starts = [
            pl.when(hit[i]).then(line.str.find(matcher.singles[i])).otherwise(pl.lit(1 << 31))
            for i in present
        ]
        # The first of the leftmost: arg_min takes the lowest index on a tie.
        winner = pl.concat_list(starts).list.arg_min().replace_strict(range(len(present)), present)
        contested = contested.with_columns(winner.cast(pl.UInt16).alias("_p")).with_columns(
            pl.coalesce(pl.when(pl.col("_p") == i).then(codes[i]) for i in present).alias("code"),
            pl.coalesce(pl.when(pl.col("_p") == i).then(pl.col(f"_t{i}")) for i in present).alias("_match"),
        )
        single = pl.concat([single, contested])
    return single.select("row", "line", "_p", "code", "_match").sort("row")


def _drop_excluded(events: pl.DataFrame, matcher: Matcher) -> pl.DataFrame:
    """Drop the rows whose winning pattern's ``exclude`` matches the line up to the end of the
    match (``getDnsListFromServer code: 408``, ``http code: 413``): what follows the code, a
    description, cannot make it another kind of code. One pass per distinct exclude (patterns
    of a family share theirs), over the rows of the patterns that have it.

    A row tells where its match ends by ``_framed`` and ``_ct`` (see :func:`_bounded`), or by
    ``_match`` (the winning match's text, the first place in the line it is found).
    """
    by_regex: dict[str, list[int]] = {}
    for i, exclude in enumerate(matcher.excludes):
        if exclude is not None:
            by_regex.setdefault(exclude, []).append(i)
    helpers = [c for c in ("_framed", "_ct", "_match") if c in events.columns]
    if not by_regex or events.is_empty():
        return events.drop(helpers)
    p = pl.col("_p")
    suspects = events.filter(p.is_in([i for indices in by_regex.values() for i in indices]))
    if suspects.is_empty():
        return events.drop(helpers)
    suspects = suspects.with_columns(_upto(suspects.columns).alias("_upto"))
    excluded = [
        p.is_in(indices) & pl.col("_upto").str.contains(exclude) for exclude, indices in by_regex.items()
    ]
    dropped = suspects.filter(pl.any_horizontal(excluded))["row"]
    return events.filter(pl.col("row").is_in(dropped.implode()).not_()).drop(helpers)


def _upto(columns: Sequence[str]) -> pl.Expr:
    """The line up to the end of its winning match."""
    by_match = pl.concat_str(pl.col("line").str.split(pl.col("_match")).list.first(), pl.col("_match"))
    if "_ct" not in columns:
        return by_match
    # The framed line is "\n" + line + "\n"; _ct, the match and a character on each side, is
    # first found where the match starts (:func:`_identify`), and the match ends before its last
    # character.
    framed, ct = pl.col("_framed"), pl.col("_ct")
    end = framed.str.find(ct, literal=True) + ct.str.len_bytes() - ct.str.slice(-1).str.len_bytes()
    by_frame = framed.cast(pl.Binary).bin.slice(1, end - 1).cast(pl.String)
    return pl.when(ct.is_not_null()).then(by_frame).otherwise(by_match)


def _bounded(found: pl.DataFrame, matcher: Matcher) -> pl.DataFrame:
    """``_codes`` for patterns that all run on framed lines (:attr:`Matcher.bounded`): one
    pass of the whole alternation, whatever the number of patterns, finds each line's winning
    match with a character on each side; which pattern it is, and its code, are read from that
    short text alone (:func:`_identify`), once per distinct text (log lines repeat). Rows whose
    winner has no code there (an optional ``code`` group: another pattern's match may win the
    line) are left to :func:`_codes`."""
    # On one chunk: the engine's DFA for the alternation is built anew for each of them
    # (read_lines gives ~130 per 64 MiB).
    framed = found.rechunk().select(
        "row", "line", pl.concat_str(pl.lit("\n"), pl.col("line"), pl.lit("\n")).alias("_framed")
    )
    hits = framed.with_columns(pl.col("_framed").str.extract(matcher.search, 0).alias("_ct")).filter(
        pl.col("_ct").is_not_null()
    )
    if hits.is_empty():
        return hits.with_columns(
            pl.lit(0, pl.UInt16).alias("_p"),
            pl.lit(None, pl.String).alias("code"),
            pl.lit(None, pl.String).alias("_match"),
        )
    won = hits.join(_winners(hits["_ct"].unique(), matcher), on="_ct", how="left", maintain_order="left")
    won = won.with_columns(pl.lit(None, pl.String).alias("_match"))
    coded = pl.col("code").is_not_null() & (pl.col("code") != "")
    others = won.filter(coded.not_())
    if others.is_empty():
        return won
    rest = _codes(_compact(others.select("row", "line"), "line"), matcher)
    rest = rest.with_columns(pl.lit(None, pl.String).alias("_framed"), pl.lit(None, pl.String).alias("_ct"))
    return pl.concat([won.filter(coded), rest.select(won.columns)], how="vertical_relaxed").sort("row")


#: The winner (pattern, code) of each framed match text seen, per matcher (by its search):
#: a process scans many blocks with one matcher, and match texts repeat from block to block
#: as log lines do. Emptied when it holds MAX_WINNERS (memory stays bounded).
_WINNERS: dict[str, dict[str, tuple[int, str | None]]] = {}
MAX_WINNERS = 100_000


def _winners(texts: pl.Series, matcher: Matcher) -> pl.DataFrame:
    """``_ct``, ``_p`` and ``code`` of distinct framed match texts (:func:`_identify`, once per text)."""
    known = _WINNERS.setdefault(matcher.search, {})
    values = texts.to_list()
    new = [text for text in values if text not in known]
    if new and len(known) + len(new) > MAX_WINNERS:
        known.clear()
        new = values
    if new:
        parts: list[pl.DataFrame] = []
        _identify(
            pl.DataFrame({"_ct": new}, schema={"_ct": pl.String}), matcher, 0, len(matcher.patterns), parts
        )
        for text, index, code in pl.concat(parts).select("_ct", "_p", "code").iter_rows():
            known[text] = (index, code)
    found = [known[text] for text in values]
    return pl.DataFrame(
        {"_ct": values, "_p": [f[0] for f in found], "code": [f[1] for f in found]},
        schema={"_ct": pl.String, "_p": pl.UInt16, "code": pl.String},
    )


def _identify(hits: pl.DataFrame, matcher: Matcher, lo: int, hi: int, out: list[pl.DataFrame]) -> None:
    """Split ``hits`` by the pattern that won each (among ``lo..hi``), and read its code.

    A match's text, framed by the characters around it, is matched by the winning pattern
    anchored, and by no pattern listed before it (one that did would have won the line:
    at the leftmost start, the first listed wins). So the first of ``lo..hi`` that matches
    it is the winner: found by halving, each row meets log2(patterns) anchored tests.
    """
    if hits.is_empty():
        return
    if hi - lo == 1:
        code = pl.col("_ct").str.extract_groups(matcher.code_of(lo)).struct.field("code")
        out.append(hits.with_columns(pl.lit(lo, pl.UInt16).alias("_p"), code.alias("code")))
        return
    mid = (lo + hi) // 2
    first = pl.col("_ct").str.contains(matcher.winner_of(lo, mid))
    split = hits.with_columns(first.alias("_first"))
    _identify(split.filter(pl.col("_first")).drop("_first"), matcher, lo, mid, out)
    _identify(split.filter(pl.col("_first").not_()).drop("_first"), matcher, mid, hi, out)


def match_frame(
    lines: pl.DataFrame, matcher: Matcher, *, describe: bool = True, timestamps: bool = True
) -> pl.DataFrame:
    """Events of a frame with columns ``row`` and ``line``, in the EVENT_SCHEMA.

    ``describe=False`` leaves ``description`` null and ``timestamps=False`` the
    time columns: :func:`describe_events` and :func:`timestamp_events` fill them
    for the rows that need them (a report needs them for a few rows only).
    """
    if lines.is_empty() or not matcher.patterns:
        return empty_events()
    found = candidates(lines, matcher)
    if found.is_empty():
        return empty_events()
    line = pl.col("line")
    if matcher.bounded is not None:
        won = _bounded(found, matcher)
    else:
        # One pass of all patterns, no captures: lines none matches leave the engine's DFA early.
        # (On one chunk: read_lines gives ~130 per 64 MiB, and this pass is 2x slower over them.)
        hits = found.rechunk().filter(line.str.contains(matcher.codes))
        if hits.is_empty():
            return empty_events()
        won = _codes(_compact(hits, "line"), matcher)
    events = _drop_excluded(
        won.with_columns(pl.col("code").cast(pl.Int64, strict=False))
        # Code 0 is success in both numberings (EM_NO_ERROR, REQUEST_SUCCESS): a result, not an error.
        .filter(pl.col("code").is_not_null() & (pl.col("code") != 0)),
        matcher,
    )
    if events.is_empty():
        return empty_events()
    index = list(range(len(matcher.patterns)))

    def by_pattern(values: list[str]) -> pl.Expr:
        return pl.col("_p").replace_strict(index, values, return_dtype=pl.String)

    events = (with_timestamps(events, "line") if timestamps else events).with_columns(
        by_pattern([p.sdk for p in matcher.patterns]).alias("sdk"),
        by_pattern([p.platform for p in matcher.patterns]).alias("platform"),
        by_pattern([p.name for p in matcher.patterns]).alias("pattern"),
        pl.lit(None, dtype=pl.String).alias("description"),
        pl.when(line.str.len_chars() > MAX_TEXT)
        .then(line.str.slice(0, MAX_TEXT) + pl.lit(" …[cut]"))
        .otherwise(line)
        .alias("text"),
    )
    events = events.select(
        (pl.col(name) if name in events.columns else pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in EVENT_SCHEMA.items()
    )
    return describe_events(events, matcher) if describe else events


def timestamp_events(events: pl.DataFrame) -> pl.DataFrame:
    """Fill the time columns of ``events`` from their text."""
    times = list(TIME_COLUMNS)
    return with_timestamps(events.drop(times), "text").select(events.columns)


#: Above this many rows, descriptions are captured by the engine, vectorised;
#: below it, line by line with the ``regex`` package (no per-call overhead).
DESCRIBE_VECTORISED = 2000
_TAIL = re.compile(r"['\"]?[\s}\])]*$")


def describe_events(events: pl.DataFrame, matcher: Matcher) -> pl.DataFrame:
    """Fill ``description`` (the text the winning pattern captured) of ``events``."""
    if events.is_empty() or not any(p.has_description for p in matcher.patterns):
        return events
    if events.height > DESCRIBE_VECTORISED:
        return _describe_vectorised(events, matcher)
    by_name = {p.name: p for p in matcher.patterns}
    found: list[str | None] = []
    for name, text in events.select("pattern", "text").iter_rows():
        pattern = by_name.get(name)
        compiled = python_regex(pattern.regex) if pattern is not None and pattern.has_description else None
        if compiled is None:
            if pattern is not None and pattern.has_description:  # a syntax only the engine knows
                return _describe_vectorised(events, matcher)
            found.append(None)
            continue
        try:
            m = compiled.search(text, timeout=0.05)
        except TimeoutError:
            m = None
        found.append(_tidy(m.group("description")) if m and m.group("description") else None)
    return events.with_columns(pl.Series("description", found, dtype=pl.String))


@functools.lru_cache(maxsize=512)
def python_regex(source: str) -> regex.Pattern[str] | None:
    """A pattern compiled by the ``regex`` package, for a line at a time (None: a syntax only
    the engine knows)."""
    try:
        return regex.compile(source)
    except (regex.error, ValueError):
        return None


def _tidy(text: str) -> str | None:
    """The description without the punctuation of the object around it (``Network error' }``)."""
    text = _TAIL.sub("", text).strip(" \t'\",;")
    return text or None


def _describe_vectorised(events: pl.DataFrame, matcher: Matcher) -> pl.DataFrame:
    """Descriptions captured by the engine: each pattern's regex on its own events."""
    frame = events.with_row_index("_i")
    found = [
        frame.filter(pl.col("pattern") == pattern.name).select(
            "_i", pl.col("text").str.extract_groups(regex).struct.field("description")
        )
        for pattern, regex in zip(matcher.patterns, matcher.describers, strict=True)
        if regex is not None
    ]
    described = pl.concat(found).filter(pl.col("description").is_not_null())
    text = pl.col("description").str.replace(_TAIL.pattern, "").str.strip_chars(" \t'\",;")
    described = described.select("_i", pl.when(text != "").then(text).alias("description"))
    return (
        frame.drop("description")
        .join(described, on="_i", how="left", maintain_order="left")
        .select(events.columns)
        .with_columns(pl.col(c).cast(EVENT_SCHEMA[c]) for c in EVENT_SCHEMA if c in events.columns)
    )


def scan_bytes(data: bytes, matcher: Matcher, *, describe: bool = True, timestamps: bool = True) -> BlockScan:
    """Scan one block of UTF-8 bytes (it should end at a newline, except the last)."""
    lines = read_lines(data)
    # Every line ends with a newline, but the last one may not.
    newlines = lines.height - (0 if not data or data.endswith(b"\n") else 1)
    return BlockScan(
        match_frame(lines, matcher, describe=describe, timestamps=timestamps), newlines, len(data)
    )


def match_alone(pairs: Sequence[tuple[Pattern, str]]) -> list[int | None]:
    """The code each pattern alone extracts from its line (None: no event): what
    ``match_frame`` with that pattern alone gives, for many patterns and lines in a few passes
    (each row's regexes are its own; a pattern's samples at load: thousands at once).

    The framed search of :func:`_bounded`, with one pattern per row: no pattern to identify.
    Patterns that cannot run framed, or whose ``code`` group Python's parser cannot number,
    are matched one by one.
    """
    rows: list[tuple[int, str, str, str, int, str | None]] = []
    alone: list[tuple[int, str, str, str, int, str | None]] = []
    for i, (pattern, line) in enumerate(pairs):
        plan = _alone_plan(pattern)
        (rows if plan is not None else alone).append((i, line, *(plan or ("", "", 0, None))))
    found: dict[int, int | None] = {}
    if rows:
        frame = pl.DataFrame(
            rows,
            schema={
                "row": pl.UInt32,
                "line": pl.String,
                "_s": pl.String,
                "_c": pl.String,
                "_g": pl.Int64,
                "_x": pl.String,
            },
            orient="row",
        )
        framed = pl.concat_str(pl.lit("\n"), pl.col("line"), pl.lit("\n"))
        frame = frame.with_columns(
            framed.alias("_framed"), pl.lit(None, pl.String).alias("_match")
        ).with_columns(pl.col("_framed").str.extract(pl.col("_s"), 0).alias("_ct"))
        # one group index for all rows is what the engine takes: by index, a pass per index
        frame = pl.concat(
            part.with_columns(pl.col("_ct").str.extract(pl.col("_c"), index).alias("code"))
            for (index,), part in frame.partition_by("_g", as_dict=True).items()
        )
        frame = frame.filter(pl.col("code").is_not_null() & (pl.col("code") != ""))
        if frame.height:
            excluded = pl.col("_x").is_not_null() & _upto(frame.columns).str.contains(
                pl.col("_x").fill_null("")
            )
            frame = frame.filter(excluded.not_()).with_columns(pl.col("code").cast(pl.Int64, strict=False))
            frame = frame.filter(pl.col("code").is_not_null() & (pl.col("code") != 0))
        found.update(zip(frame["row"].to_list(), frame["code"].to_list(), strict=True))
    for i, line, *_ in alone:
        pattern = pairs[i][0]
        events = match_frame(
            pl.DataFrame({"row": [0], "line": [line]}, schema={"row": pl.UInt32, "line": pl.String}),
            Matcher.build([pattern]),
        )
        found[i] = events["code"][0] if events.height else None
    return [found.get(i) for i in range(len(pairs))]


@functools.lru_cache(maxsize=8192)
def _alone_plan(pattern: Pattern) -> tuple[str, str, int, str | None] | None:
    """How :func:`match_alone` runs ``pattern``: its framed search, its anchored form, the
    index of its ``code`` group there, its exclude; None where it cannot."""
    only_code = _only_code(pattern.regex)
    bounded = for_lines(only_code)
    try:
        index = re.compile(only_code).groupindex["code"]
    except (re.error, KeyError, RecursionError, OverflowError):
        return None
    if bounded is None:
        return None
    search = f"(?m)(?s:.)(?:{_alternation([bounded])})(?s:.)"
    exclude = for_engine(pattern.exclude) if pattern.exclude else None
    return search, _anchored(bounded), index, exclude


def match_lines(lines: Sequence[str], matcher: Matcher) -> pl.DataFrame:
    """Events of a list of lines (``row`` is the 0-based index into ``lines``)."""
    frame = pl.DataFrame({"row": pl.Series(range(len(lines)), dtype=pl.UInt32), "line": list(lines)})
    return match_frame(frame, matcher)

"""Aggregations: events -> partial counts (map) -> a report (merge).

The map step (:func:`partial_counts`) runs next to the scan, on each block's
events, and keeps one row per (sdk, code, platform) — and file, in a batch
of small files: its count, the lines of its first and last occurrences and
the description of the first. The merge (:func:`merge`, then
:func:`build_report`) reads the times of those lines, combines the rows of
every block of every file, joins the catalogue, and sorts every aggregate by
count descending, then sdk, then code.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NotRequired, TypedDict, cast

import polars as pl

from logscan.aggregate import buckets
from logscan.decode import catalogue as cat
from logscan.decode.filters import Filters
from logscan.inputs import Limits, Source, Unreadable
from logscan.match.matcher import Matcher, describe_events, timestamp_events
from logscan.match.redact import redact_expr
from logscan.match.timestamps import FULL, NO_YEAR, TIME_ONLY, format_time, iso, with_timestamps
from logscan.run.engine import Engine, RunStats

#: Longest sample line shown in a report.
SAMPLE_CHARS = 300

PARTIAL_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "sdk": pl.String,
    "code": pl.Int64,
    "count": pl.UInt32,
    "row": pl.UInt32,
    "text": pl.String,
    "log_description": pl.String,
    "first_ts": pl.Datetime("us"),
    "last_ts": pl.Datetime("us"),
    "first_partial": pl.String,
    "last_partial": pl.String,
    "no_year": pl.UInt32,
    "time_only": pl.UInt32,
    "platform": pl.String,
    "buckets": pl.List(pl.Struct({"start": pl.Datetime("us"), "count": pl.UInt32})),
    #: The line of the last occurrence, while the times are not read yet (see :func:`merge`).
    "last_text": pl.String,
    #: How many lines after the first the last one is (``row``/``line`` + this: the last line).
    "last_gap": pl.UInt32,
    #: Where the latest occurrence in time is (the one last seen names; ties and lines without
    #: a time: the last in file order), from the row's line: ``row``/``line`` + this (negative:
    #: before it). Set once the times are read (:func:`read_times`).
    "latest_gap": pl.Int64,
}
#: A block's partial counts with at least this many rows have their times read in the map step.
READ_TIMES_HERE = 1000
#: Candidate time buckets, finest first; the timeline takes the finest giving at most MAX_BUCKETS.
BUCKETS = ("1m", "5m", "15m", "1h", "6h", "1d", "1w", "1mo", "1y")
MAX_BUCKETS = 240
#: A timeline of more buckets than this (``--bucket 1s`` over years, or dates of year 1 and
#: 9999) lists the buckets that have lines only: the empty ones would not fit in memory.
MAX_GRID = 100_000


def partial_counts(events: pl.DataFrame, matcher: Matcher, every: str | None = None) -> pl.DataFrame:
    """Map step: one row per (sdk, code, platform) of a block's events.

    Count, first occurrence (line and text), the text of the last one, and
    the description of the first (in a batch of small files, of the first in
    the batch; the rest is per file). Every event's time is read (a code's
    lines need not be in time order, nor its first line carry a time: ~15 % of
    a block's cost): the earliest line (ties: the first in the file) is the
    row's line and text, and the merge keeps the earliest row of all
    (:func:`earliest`): the sample every output names. With ``every`` (a
    bucket such as ``5m``), the times are also counted per bucket (``buckets``).

    The latest occurrence in time (the one last seen names) is told the same
    way, as lines from the row's line (``latest_gap``): the latest of all (ties
    and lines without a time: the last in the file).
    """
    # Events of a batch of small files carry ``_src`` (which file): it is part of the key.
    extra = ["_src"] if "_src" in events.columns else []
    if events.is_empty():
        return pl.DataFrame(schema={**PARTIAL_SCHEMA, **dict.fromkeys(extra, pl.UInt32)})
    key = [*extra, "sdk", "code", "platform"]
    # In input order: a batch's rows are numbered within each file (_src).
    events = events.sort(*extra, "row")
    grouped = events.group_by(key, maintain_order=True).agg(
        pl.len().alias("count"),
        pl.col("row").first(),
        pl.col("text").first(),
        pl.col("pattern").first(),
        pl.col("text").last().alias("last_text"),
        (pl.col("row").last() - pl.col("row").first()).alias("last_gap"),
    )
    # The log's own description of a code is read at its first occurrence in the block; in a
    # batch of small files, at its first occurrence in the next files too while none is found.
    code_key = key[len(extra) :]
    opening = pl.struct(code_key).is_first_distinct()
    firsts = grouped.with_columns(pl.lit(None, dtype=pl.String).alias("description"))
    described = describe_events(firsts.filter(opening), matcher)
    if extra:
        found = described.filter(pl.col("description").is_not_null()).select(code_key)
        can_describe = [p.name for p in matcher.patterns if p.has_description]
        rest = firsts.filter(opening.not_() & pl.col("pattern").is_in(can_describe))
        rest = rest.join(found, on=code_key, how="anti", maintain_order="left")
        if rest.height:
            described = pl.concat([described, describe_events(rest, matcher)])
    described = described.select(*key, pl.col("description").alias("log_description"))
    grouped = grouped.join(described, on=key, how="left", maintain_order="left")
    # Every line's time is read (a code's lines need not be in time order, nor its first
    # line carry a time): the earliest one (ties: the first in the file) is the row's.
    timed = timestamp_events(events)
    if every is not None:
        buckets = (
            timed.filter(pl.col("timestamp").is_not_null())
            .group_by(*key, pl.col("timestamp").dt.truncate(every).alias("start"))
            .agg(pl.len().cast(pl.UInt32).alias("count"))
            .sort("start")
            .group_by(key)
            .agg(pl.struct("start", "count").alias("buckets"))
        )
    times = timed.group_by(key, maintain_order=True).agg(
        *_times_of_lines(),
        pl.col("row").sort_by(*_EARLIEST_LINE, nulls_last=True, maintain_order=True).first(),
        pl.col("text").sort_by(*_EARLIEST_LINE, nulls_last=True, maintain_order=True).first(),
        # The latest one (ties: the last in the file): lines without a time sort first.
        pl.col("row").sort_by(*_EARLIEST_LINE, maintain_order=True).last().alias("_latest"),
    )
    latest_gap = pl.col("_latest").cast(pl.Int64) - pl.col("row").cast(pl.Int64)
    grouped = (
        grouped.drop("row", "text")
        .join(times, on=key, how="left", maintain_order="left")
        .with_columns(
            pl.lit(None, dtype=pl.String).alias("last_text"),  # times read
            latest_gap.alias("latest_gap"),
        )
    )
    if every is not None:
        grouped = grouped.join(buckets, on=key, how="left", maintain_order="left")
    grouped = grouped.select(
        *extra,
        *(
            (pl.col(k) if k in grouped.columns else pl.lit(None)).cast(v).alias(k)
            for k, v in PARTIAL_SCHEMA.items()
        ),
    )
    # Many rows (a batch of small files: a row per code and file): read their times here, in
    # parallel, rather than in the merge; few: the merge reads them for many blocks at once.
    if grouped.height >= READ_TIMES_HERE:
        grouped = read_times(grouped).with_columns(pl.lit(None, dtype=pl.String).alias("last_text"))
    return grouped


#: Which of a code's lines is the earliest: by full time, then by partial time (a time of day,
#: a date without a year); lines of the same time, or without one, in file order (a stable sort).
_EARLIEST_LINE = (pl.col("timestamp"), pl.col("time_text"))


def read_times(partials: pl.DataFrame) -> pl.DataFrame:
    """Fill the times of the rows whose first and last lines are not read yet (``last_text``).

    For all blocks at once: one vectorised pass instead of one per block. Of
    the two lines, the earlier in time becomes the row's ``row``/``line`` and
    ``text`` (the one its first seen names; ties and lines without a time: the
    first line), and the later one its ``latest_gap`` (the one its last seen
    names; ties and lines without a time: the last line). The result has no
    ``last_text``; rows keep their order.
    """
    if "last_text" not in partials.columns:
        return partials.drop("last_gap", strict=False)
    pending = pl.col("last_text").is_not_null()
    if not partials.select(pending.any()).item():
        return partials.drop("last_text", "last_gap", strict=False)
    indexed = partials.with_row_index("_i")
    if "last_gap" not in indexed.columns:  # rows that do not say where their last line is
        indexed = indexed.with_columns(pl.lit(None, dtype=pl.UInt32).alias("last_gap"))
    if "latest_gap" not in indexed.columns:
        indexed = indexed.with_columns(pl.lit(None, dtype=pl.Int64).alias("latest_gap"))
    todo = indexed.filter(pending)
    # One pass over the first lines and those last lines that are other lines (a code seen
    # once in a block has one line: in a batch of small files, most rows).
    lines = pl.concat(
        [
            todo.select("_i", "text", pl.lit(0, dtype=pl.UInt32).alias("_gap")),
            todo.filter(pl.col("count") > 1).select(
                "_i", pl.col("last_text").alias("text"), pl.col("last_gap").alias("_gap")
            ),
        ]
    )
    # Each row's lines, the earliest first (ties: the first line): one sort for all rows. The
    # latest is the last of them in the reverse order: lines without a time first, ties: the
    # first line first (of two lines at most).
    time_columns = [e.meta.output_name() for e in _times_of_lines()]
    times = (
        with_timestamps(lines, "text")
        .sort("_i", *_EARLIEST_LINE, "_gap", nulls_last=True)
        .group_by("_i", maintain_order=True)
        .agg(
            *_times_of_lines(),
            pl.col("_gap").first(),
            pl.col("text").first().alias("_text"),
            pl.col("_gap").sort_by(*_EARLIEST_LINE, "_gap").last().alias("_latest"),
        )
    )
    at = next((c for c in ("line", "row") if c in indexed.columns), None)
    columns = indexed.columns
    read = (
        todo.drop(time_columns, strict=False)
        .join(times, on="_i", how="left")
        .with_columns(
            pl.col("_text").alias("text"),
            (pl.col("_latest").cast(pl.Int64) - pl.col("_gap").cast(pl.Int64)).alias("latest_gap"),
        )
    )
    if at is not None:
        read = read.with_columns((pl.col(at) + pl.col("_gap")).alias(at))
    read = read.select(pl.col(c).cast(indexed.schema[c]) for c in columns)
    done = pl.concat([indexed.filter(pending.not_()), read]).sort("_i")
    return done.drop("_i", "last_text", "last_gap", strict=False)


def _times_of_lines() -> list[pl.Expr]:
    """A code's time columns from the times of its lines (every line, or the first and last)."""
    partial = pl.col("time_precision").is_in([NO_YEAR, TIME_ONLY])
    return [
        pl.col("timestamp").min().alias("first_ts"),
        pl.col("timestamp").max().alias("last_ts"),
        pl.col("time_text").filter(partial).min().alias("first_partial"),
        pl.col("time_text").filter(partial).max().alias("last_partial"),
        (pl.col("time_precision") == NO_YEAR).sum().alias("no_year"),
        (pl.col("time_precision") == TIME_ONLY).sum().alias("time_only"),
    ]


class LocationDict(TypedDict):
    file: str
    line: int


class SampleDict(TypedDict):
    file: str
    line: int
    text: str


class CodeDict(TypedDict):
    """One code of :meth:`Report.to_dict` (a gate adds its baseline state)."""

    sdk: str
    code: int
    name: str | None
    category: str
    kind: str
    count: int
    share: float
    files: list[str]
    first_seen: str | None
    last_seen: str | None
    seen_precision: str | None
    description: str | None
    cause: str
    log_description: str | None
    aliases: list[str]
    deprecated: bool
    source: str
    platforms: list[str]
    sample: SampleDict
    #: Where the latest occurrence in time is (the one ``last_seen`` names).
    last: LocationDict
    baseline_state: NotRequired[str]
    baseline_count: NotRequired[int | None]


class UnreadableDict(TypedDict):
    name: str
    reason: str


class InputsDict(TypedDict):
    files: int
    bytes: int
    lines: int
    unreadable: list[UnreadableDict]
    warnings: list[dict[str, str]]


class ReportDict(TypedDict):
    """The JSON form of a report (:meth:`Report.to_dict`); the views' keys only when asked for."""

    inputs: InputsDict
    events: int
    span: dict[str, object]
    codes: list[CodeDict]
    categories: list[dict[str, Any]]
    filters: NotRequired[dict[str, object]]
    codes_omitted: NotRequired[int]
    kinds: NotRequired[list[dict[str, Any]]]
    files: NotRequired[list[dict[str, Any]]]
    platforms: NotRequired[list[dict[str, Any]]]
    timeline: NotRequired[dict[str, object]]


@dataclass
class Report:
    """A finished report: inputs, totals and the sorted aggregates."""

    stats: RunStats
    codes: pl.DataFrame
    categories: pl.DataFrame
    span: dict[str, object] = field(default_factory=dict)
    #: Builds :attr:`by_file` (a row per code and file with its first line's text, redacted:
    #: with 10,000 files ~0.3 s and ~150 MiB while it is built, so only for the views that
    #: need it).
    by_file_rows: Callable[[], pl.DataFrame] = field(default=pl.DataFrame, repr=False)
    #: Extra views asked for (``--by``): "kind", "file", "platform", "time".
    views: tuple[str, ...] = ()
    #: Per platform: count and share.
    platforms: pl.DataFrame = field(default_factory=pl.DataFrame)
    #: Per time bucket and category: ``start`` (ISO), ``category``, ``count``; empty buckets included.
    timeline: pl.DataFrame = field(default_factory=pl.DataFrame)
    bucket: str | None = None
    #: The filters the counts are of (``--sdk``, ``--code``, ``--since``, ``--until``), as given.
    filters: dict[str, object] = field(default_factory=dict)
    #: How many codes the codes list shows (``--top N``; None: all). Totals, categories and
    #: the other views count every code.
    listed: int | None = None

    def top(self, n: int) -> Report:
        """This report with only its ``n`` most frequent codes listed (``--top N``)."""
        return dataclasses.replace(self, listed=n)

    @property
    def listed_codes(self) -> pl.DataFrame:
        """The codes the list shows: all, or the ``--top`` most frequent."""
        return self.codes if self.listed is None else self.codes.head(self.listed)

    @property
    def omitted_codes(self) -> int:
        """Codes that :meth:`top` leaves out of the list."""
        return max(0, self.codes.height - self.listed) if self.listed is not None else 0

    @functools.cached_property
    def by_file(self) -> pl.DataFrame:
        """One row per (sdk, code, file): count, first line and its text (redacted, cut)."""
        return self.by_file_rows()

    def kinds(self) -> pl.DataFrame:
        """Per kind: count, share and codes."""
        return _group(self.codes, "kind", self.events)

    def files(self) -> pl.DataFrame:
        """Per file: count and codes (most frequent first)."""
        if self.by_file.is_empty():
            return pl.DataFrame(schema={"file": pl.String, "count": pl.Int64, "codes": pl.List(pl.String)})
        return (
            self.by_file.sort(["count", "sdk", "code"], descending=[True, False, False])
            .group_by("file", maintain_order=True)
            .agg(pl.col("count").sum(), numbered().alias("codes"))
            .sort(["count", "file"], descending=[True, False])
        )

    @property
    def events(self) -> int:
        return int(self.codes["count"].sum()) if self.codes.height else 0

    def inputs(self) -> InputsDict:
        return {
            "files": self.stats.files,
            "bytes": self.stats.bytes,
            "lines": self.stats.lines,
            "unreadable": [{"name": u.name, "reason": u.reason} for u in self.stats.unreadable],
            "warnings": [{"name": name, "warning": warning} for name, warning in self.stats.warnings],
        }

    def to_dict(self) -> ReportDict:
        """The JSON form (also the baseline format of ``logscan check``)."""
        data = cast(ReportDict, {
            "inputs": self.inputs(),
            **({"filters": self.filters} if self.filters else {}),  # said only where some apply
            "events": self.events,
            "span": self.span,
            "codes": [_code_dict(row) for row in self.listed_codes.iter_rows(named=True)],
            **({"codes_omitted": self.omitted_codes} if self.omitted_codes else {}),  # --top
            "categories": self.categories.to_dicts(),
        })  # fmt: skip
        if "kind" in self.views:
            data["kinds"] = self.kinds().to_dicts()
        if "file" in self.views:
            data["files"] = self.files().to_dicts()
        if "platform" in self.views:
            data["platforms"] = self.platforms.to_dicts()
        if "time" in self.views:
            data["timeline"] = {"bucket": self.bucket, "rows": self.timeline.to_dicts()}
        return data


def _code_dict(row: dict[str, Any]) -> CodeDict:
    return {
        "sdk": row["sdk"],
        "code": row["code"],
        "name": row["name"],
        "category": row["category"],
        "kind": row["kind"],
        "count": row["count"],
        "share": row["share"],
        "files": row["files"],
        "first_seen": row["first_seen"],
        "last_seen": row["last_seen"],
        "seen_precision": row["seen_precision"],
        "description": row["meaning"],
        "cause": row["cause"],
        "log_description": row["log_description"],
        "aliases": row["aliases"] or [],
        "deprecated": row["deprecated"],
        "source": row["source"],
        "platforms": row["platforms"],
        "sample": {"file": row["sample_file"], "line": row["sample_line"], "text": row["sample_text"]},
        "last": {"file": row["last_file"], "line": row["last_line"]},
    }


#: Partials are combined whenever this many have come in, so memory stays flat however long the input.
COMBINE_EVERY = 256


def merge(partials: Iterable[pl.DataFrame], *, start: int = 0) -> pl.DataFrame:
    """Concatenate per-block partials (each with ``file`` and ``line``) in input order.

    On the way, every COMBINE_EVERY partials are combined into one row per
    (sdk, code, platform, file): the merge keeps what a report needs, not a
    row per block. Rows are numbered in input order from ``start`` (``_described_at``):
    a distributed run merges each task's partials with its own range, and the merged
    frames of consecutive tasks with :func:`combine`.
    """
    frames: list[pl.DataFrame] = []
    seen = start
    for partial in partials:
        if partial.is_empty():
            continue
        # Where each row's description stands in the input: combining must not change which
        # description comes first.
        order = pl.int_range(seen, seen + partial.height, dtype=pl.Int64)
        frames.append(partial.with_columns(order.alias("_described_at")))
        seen += partial.height
        if len(frames) >= COMBINE_EVERY:
            frames = [combine(read_times(pl.concat(frames, how="diagonal_relaxed")))]
    if not frames:
        schema = {**PARTIAL_SCHEMA, "file": pl.String, "line": pl.Int64, "_described_at": pl.Int64}
        return pl.DataFrame(schema=schema).drop("row", "last_text", "last_gap")
    return read_times(pl.concat(frames, how="diagonal_relaxed"))


def _times_of_partials() -> list[pl.Expr]:
    """How the time columns of several partial rows of one code combine."""
    return [
        pl.col("first_ts").min(),
        pl.col("last_ts").max(),
        pl.col("first_partial").min(),
        pl.col("last_partial").max(),
        pl.col("no_year").sum(),
        pl.col("time_only").sum(),
    ]


def earliest(column: str) -> pl.Expr:
    """``column`` of a code's earliest occurrence in time among partial rows (in input order):
    the earliest full time, else the earliest partial one; ties, and rows without a time, in
    input order (file order). Each row's line is the earliest of its own (:func:`read_times`)."""
    return pl.col(column).sort_by("first_ts", "first_partial", nulls_last=True, maintain_order=True).first()


def latest(column: str | pl.Expr) -> pl.Expr:
    """``column`` of a code's latest occurrence in time among partial rows (in input order): the
    latest full time, else the latest partial one; ties, and rows without a time, the last in
    input order (file order). Each row's latest line is its line + ``latest_gap``."""
    expr = pl.col(column) if isinstance(column, str) else column
    # Ascending with rows without a time first, so that the last is the latest (ties: the last).
    return expr.sort_by("last_ts", "last_partial", maintain_order=True).last()


def latest_line() -> pl.Expr:
    """The line of a partial row's latest occurrence (:func:`latest` of it: a code's)."""
    return pl.col("line") + pl.col("latest_gap")


def combine(partials: pl.DataFrame) -> pl.DataFrame:
    """Partials (in input order) as one row per (sdk, code, platform, file), the same report."""
    key = ["sdk", "code", "platform", "file"]
    combined = partials.group_by(key, maintain_order=True).agg(
        pl.col("count").sum().cast(pl.Int64),
        earliest("line"),
        earliest("text"),
        latest(latest_line()).alias("_latest"),
        pl.col("log_description").drop_nulls().first(),
        pl.col("_described_at").filter(pl.col("log_description").is_not_null()).first(),
        *_times_of_partials(),
    )
    buckets = (
        partials.select(*key, "buckets")
        .explode("buckets")
        .drop_nulls("buckets")
        .unnest("buckets")
        .group_by(*key, "start")
        .agg(pl.col("count").sum())
        .sort("start")
        .group_by(key)
        .agg(pl.struct("start", pl.col("count").cast(pl.UInt32)).alias("buckets"))
    )
    combined = combined.join(buckets, on=key, how="left", maintain_order="left").with_columns(
        (pl.col("_latest") - pl.col("line")).alias("latest_gap")
    )
    return combined.select(
        pl.col(c).cast(partials.schema[c]) if c != "count" else pl.col(c) for c in partials.columns
    )


def build_report(
    partials: pl.DataFrame,
    stats: RunStats,
    catalogue: cat.Catalogue,
    *,
    redact: bool = True,
    redact_users: bool = False,
    views: tuple[str, ...] = (),
    every: str | None = None,
) -> Report:
    """Merge step: combine partials of all blocks into the sorted report."""
    ordered = partials.with_row_index("_seq")

    def shown(column: str) -> pl.Expr:
        """A sample line as shown: redacted, then cut (applied after aggregating: one per group).

        Redacted before it is cut, so that a secret cut in two is still recognised."""
        text = redact_expr(pl.col(column), users=redact_users) if redact else pl.col(column)
        return text.str.slice(0, SAMPLE_CHARS)

    codes = ordered.group_by("sdk", "code", maintain_order=True).agg(
        pl.col("count").sum().cast(pl.Int64),
        pl.col("file").unique().sort().alias("files"),
        *_times_of_partials(),
        # The earliest occurrence in time: the line first seen names, everywhere it is shown.
        earliest("file").alias("sample_file"),
        earliest("line").alias("sample_line"),
        earliest("text").alias("sample_text"),
        # The latest occurrence in time: the line last seen names.
        latest("file").alias("last_file"),
        latest(latest_line()).alias("last_line"),
        # The description found first in the input (rows of several platforms interleave).
        pl.col("log_description").sort_by("_described_at", nulls_last=True).drop_nulls().first(),
        pl.col("platform").unique().sort().alias("platforms"),
    )
    total = int(codes["count"].sum()) if codes.height else 0
    full = pl.col("first_ts").is_not_null()
    codes = cat.enrich(codes.with_columns(shown("sample_text")), catalogue).with_columns(
        (pl.col("count") / max(total, 1)).round(4).alias("share"),
        pl.when(full)
        .then(pl.lit(FULL))
        .when(pl.col("first_partial").str.starts_with("--"))
        .then(pl.lit(NO_YEAR))  # the precisions an event's time_precision names
        .when(pl.col("first_partial").is_not_null())
        .then(pl.lit(TIME_ONLY))
        .alias("seen_precision"),
        pl.when(full).then(iso(pl.col("first_ts"))).otherwise(pl.col("first_partial")).alias("first_seen"),
        pl.when(full).then(iso(pl.col("last_ts"))).otherwise(pl.col("last_partial")).alias("last_seen"),
    )
    if redact:
        codes = codes.with_columns(redact_expr(pl.col("log_description"), users=redact_users))
    codes = codes.sort(["count", "sdk", "code"], descending=[True, False, False])
    categories = _group(codes, "category", total)
    platforms = (
        ordered.group_by("platform", "sdk", "code")
        .agg(pl.col("count").sum().cast(pl.Int64))
        .sort(["count", "sdk", "code"], descending=[True, False, False])
        .group_by("platform", maintain_order=True)
        .agg(pl.col("count").sum(), numbered().alias("codes"))
        .with_columns((pl.col("count") / max(total, 1)).round(4).alias("share"))
        .sort(["count", "platform"], descending=[True, False])
        .select("platform", "count", "share", "codes")
    )
    timeline, bucket = pl.DataFrame(), None
    if "time" in views:
        timeline, bucket = _timeline(ordered, codes.select("sdk", "code", "category"), every)
    per_file = ordered.select("sdk", "code", "file", "count", "line", "text", "first_ts", "first_partial")

    def by_file() -> pl.DataFrame:
        return (
            per_file.group_by("sdk", "code", "file", maintain_order=True)
            .agg(pl.col("count").sum().cast(pl.Int64), earliest("line"), earliest("text"))
            .sort(["file", "count", "sdk", "code"], descending=[False, True, False, False])
            .with_columns(shown("text"))
        )

    return Report(stats, codes, categories, _span(codes), by_file, tuple(views), platforms, timeline, bucket)


def numbered() -> pl.Expr:
    """A code named with its numbering, ``native/2`` or ``web/2``: in the lists of codes of the
    category, kind, file and platform views, where codes of both numberings can meet (a bare
    ``2`` would mean two codes)."""
    return pl.format("{}/{}", pl.col("sdk"), pl.col("code"))


def _group(codes: pl.DataFrame, by: str, total: int) -> pl.DataFrame:
    """Codes grouped by ``by`` (category, kind): count, share, codes (``sdk/code``, most
    frequent first); most frequent first."""
    if codes.is_empty():
        return pl.DataFrame(
            schema={by: pl.String, "count": pl.Int64, "share": pl.Float64, "codes": pl.List(pl.String)}
        )
    return (
        codes.group_by(by, maintain_order=True)
        .agg(pl.col("count").sum(), numbered().unique(maintain_order=True).alias("codes"))
        .with_columns((pl.col("count") / max(total, 1)).round(4).alias("share"))
        .sort(["count", by], descending=[True, False])
        .select(by, "count", "share", "codes")
    )


def _timeline(
    partials: pl.DataFrame, categories: pl.DataFrame, every: str | None
) -> tuple[pl.DataFrame, str]:
    """Counts per time bucket and category, every bucket from the first to the last included."""
    rows = (
        partials.select("sdk", "code", "buckets")
        .explode("buckets")
        .drop_nulls("buckets")
        .unnest("buckets")
        .join(categories, on=["sdk", "code"], how="left")
    )
    schema = {"start": pl.String, "category": pl.String, "count": pl.Int64}
    if rows.is_empty():
        return pl.DataFrame(schema=schema), every or BUCKETS[0]
    # A Datetime column's min and max (polars types them as any scalar).
    first, last = cast(datetime, rows["start"].min()), cast(datetime, rows["start"].max())
    if every is None:  # the finest bucket that keeps the chart readable
        span = last - first
        every = next(
            (b for b in BUCKETS if span / buckets.length(b) < MAX_BUCKETS),
            BUCKETS[-1],
        )
    rows = rows.with_columns(pl.col("start").dt.truncate(every))
    counts = rows.group_by("start", "category").agg(pl.col("count").sum().cast(pl.Int64))
    first, last = cast(datetime, rows["start"].min()), cast(datetime, rows["start"].max())
    if (last - first) / buckets.length(every) < MAX_GRID:
        starts = pl.datetime_range(first, last, interval=every, eager=True, time_unit="us").alias("start")
        grid = pl.DataFrame(starts).join(counts.select("category").unique(), how="cross")
        counts = grid.join(counts, on=["start", "category"], how="left").with_columns(
            pl.col("count").fill_null(0)
        )
    full = counts.sort(["start", "category"]).with_columns(iso(pl.col("start")).alias("start"))
    return full.select(list(schema)), every


def _span(codes: pl.DataFrame) -> dict[str, object]:
    """First and last full timestamp, and how many codes were seen with less than a full one."""
    if codes.is_empty():
        return {"first": None, "last": None, "no_year": 0, "time_only": 0, "untimed": 0}
    first = codes["first_ts"].min()
    last = codes["last_ts"].max()
    partial = codes.filter(pl.col("first_ts").is_null() & pl.col("first_partial").is_not_null())
    return {
        "first": format_time(first),
        "last": format_time(last),
        "no_year": partial.filter(pl.col("no_year") > 0).height,
        "time_only": partial.filter(pl.col("no_year") == 0).height,
        "untimed": codes.filter(pl.col("first_ts").is_null() & pl.col("first_partial").is_null()).height,
    }


@dataclass
class ReportOptions:
    """What to scan and how (the library-side form of the CLI options)."""

    paths: Sequence[str]
    workers: int | None = None
    redact: bool = True
    redact_users: bool = False
    limits: Limits = field(default_factory=Limits)
    #: Extra views (``kind``, ``file``, ``platform``, ``time``) and the timeline's bucket.
    views: tuple[str, ...] = ()
    bucket: str | None = None
    #: Run on this Dask cluster (``--engine dask``: :mod:`logscan.fleet.cluster`); None: here.
    cluster: Any = None
    #: ``--exclude`` globs: inputs skipped (:func:`logscan.inputs.sources.excluded`).
    exclude: tuple[str, ...] = ()
    #: Which events are counted (``--sdk``, ``--code``, ``--since``, ``--until``); None: all.
    filters: Filters | None = None


def scan_report(
    items: Iterable[Source | Unreadable],
    matcher: Matcher,
    catalogue: cat.Catalogue,
    *,
    workers: int | None = None,
    redact: bool = True,
    redact_users: bool = False,
    views: tuple[str, ...] = (),
    bucket: str | None = None,
    progress: Callable[[int], None] | None = None,
    filters: Filters | None = None,
) -> Report:
    """Scan ``items`` and build the report (map: partial counts; merge: build_report).

    A timeline (``"time" in views``) reads every event's time, in buckets of
    ``bucket`` (or of a minute, coarsened at the merge to fit the span).
    """
    mapper = mapper_for(views, bucket, filters)
    with Engine(matcher, workers=workers) as engine:
        partials = merge(engine.run(items, mapper, progress=progress))
        stats = engine.stats
    report = build_report(
        partials, stats, catalogue, redact=redact, redact_users=redact_users, views=views, every=bucket
    )
    report.filters = filters.to_dict() if filters else {}
    return report


def mapper_for(
    views: tuple[str, ...], bucket: str | None, filters: Filters | None = None
) -> Callable[[pl.DataFrame, Matcher], pl.DataFrame]:
    """The map step of a report with these views: partial counts, per time bucket for a timeline;
    of the events ``filters`` keep (``--sdk``, ``--code``, ``--since``, ``--until``)."""
    mapper: Callable = partial_counts
    if "time" in views:
        mapper = functools.partial(partial_counts, every=bucket or BUCKETS[0])
    if filters:
        return functools.partial(_filtered, mapper=mapper, filters=filters)
    return mapper


def _filtered(events: pl.DataFrame, matcher: Matcher, *, mapper: Callable, filters: Filters) -> pl.DataFrame:
    """``mapper`` of the events of a block that ``filters`` keep (their times read if they are judged)."""
    keep = timestamp_events(events) if filters.timed else events
    return mapper(keep.filter(filters.expr()).select(events.columns), matcher)

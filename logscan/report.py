"""Aggregations: events -> partial counts (map) -> a report (merge).

The map step (:func:`partial_counts`) runs next to the scan, on each block's
events, and keeps one row per (sdk, code): its count, first occurrence,
time range and a sample. The merge step (:func:`build_report`) combines those
rows from every block of every file, joins the catalogue, and sorts every
aggregate by count descending, then sdk, then code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from logscan import catalogue as cat
from logscan.engine import Engine, RunStats
from logscan.inputs import Limits, Source, Unreadable, iter_sources
from logscan.redact import redact_expr
from logscan.scan import Matcher, describe_events, timestamp_events
from logscan.timestamps import FULL, NO_YEAR, TIME_ONLY, format_time

#: Longest sample line shown in a report.
SAMPLE_CHARS = 300

PARTIAL_SCHEMA = {
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
    "platforms": pl.List(pl.String),
}


def partial_counts(events: pl.DataFrame, matcher: Matcher) -> pl.DataFrame:
    """Map step: one row per (sdk, code) of a block's events.

    First and last seen are the times of a code's first and last occurrences
    (logs are written in time order), so only those two lines per code have
    their time read, and the first one its description.
    """
    if events.is_empty():
        return pl.DataFrame(schema=PARTIAL_SCHEMA)
    key = ["sdk", "code"]
    events = events.sort("row")
    first = events.unique(key, keep="first", maintain_order=True)
    last = events.unique(key, keep="last", maintain_order=True)
    edges = timestamp_events(pl.concat([first, last]))
    partial = pl.col("time_precision").is_in([NO_YEAR, TIME_ONLY])
    times = edges.group_by(key).agg(
        pl.col("timestamp").min().alias("first_ts"),
        pl.col("timestamp").max().alias("last_ts"),
        pl.col("time_text").filter(partial).min().alias("first_partial"),
        pl.col("time_text").filter(partial).max().alias("last_partial"),
        (pl.col("time_precision") == NO_YEAR).sum().alias("no_year"),
        (pl.col("time_precision") == TIME_ONLY).sum().alias("time_only"),
    )
    counts = events.group_by(key, maintain_order=True).agg(
        pl.len().alias("count"),
        pl.col("platform").unique().sort().alias("platforms"),
    )
    firsts = describe_events(first, matcher).select(
        *key, "row", "text", pl.col("description").alias("log_description")
    )
    return (
        counts.join(firsts, on=key, how="left", maintain_order="left")
        .join(times, on=key, how="left", maintain_order="left")
        .select(pl.col(k).cast(v) for k, v in PARTIAL_SCHEMA.items())
    )


@dataclass
class Report:
    """A finished report: inputs, totals and the sorted aggregates."""

    stats: RunStats
    codes: pl.DataFrame
    categories: pl.DataFrame
    span: dict[str, object] = field(default_factory=dict)
    #: One row per (sdk, code, file): count, first line and its text (for per-file views).
    by_file: pl.DataFrame = field(default_factory=pl.DataFrame)

    @property
    def events(self) -> int:
        return int(self.codes["count"].sum()) if self.codes.height else 0

    def inputs(self) -> dict[str, object]:
        return {
            "files": self.stats.files,
            "bytes": self.stats.bytes,
            "lines": self.stats.lines,
            "unreadable": [{"name": u.name, "reason": u.reason} for u in self.stats.unreadable],
        }

    def to_dict(self) -> dict[str, object]:
        """The JSON form (also the baseline format of ``logscan check``)."""
        return {
            "inputs": self.inputs(),
            "events": self.events,
            "span": self.span,
            "codes": [_code_dict(row) for row in self.codes.iter_rows(named=True)],
            "categories": self.categories.to_dicts(),
        }


def _code_dict(row: dict[str, object]) -> dict[str, object]:
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
    }


def merge(partials: Iterable[pl.DataFrame]) -> pl.DataFrame:
    """Concatenate per-block partials (each with ``file`` and ``line``) in input order."""
    frames = [p for p in partials if not p.is_empty()]
    if not frames:
        return pl.DataFrame(schema={**PARTIAL_SCHEMA, "file": pl.String, "line": pl.Int64}).drop("row")
    return pl.concat(frames, how="vertical_relaxed")


def build_report(
    partials: pl.DataFrame,
    stats: RunStats,
    catalogue: cat.Catalogue,
    *,
    redact: bool = True,
    redact_users: bool = False,
) -> Report:
    """Merge step: combine partials of all blocks into the sorted report."""
    ordered = partials.with_row_index("_seq")
    text = pl.col("text").str.slice(0, SAMPLE_CHARS)
    if redact:
        text = redact_expr(text, users=redact_users)
    codes = (
        ordered.sort("_seq")
        .group_by("sdk", "code", maintain_order=True)
        .agg(
            pl.col("count").sum().cast(pl.Int64),
            pl.col("file").unique().sort().alias("files"),
            pl.col("first_ts").min(),
            pl.col("last_ts").max(),
            pl.col("first_partial").min(),
            pl.col("last_partial").max(),
            pl.col("no_year").sum(),
            pl.col("time_only").sum(),
            pl.col("file").first().alias("sample_file"),
            pl.col("line").first().alias("sample_line"),
            text.first().alias("sample_text"),
            pl.col("log_description").drop_nulls().first(),
            pl.col("platforms")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .unique()
            .sort()
            .alias("platforms"),
        )
    )
    total = int(codes["count"].sum()) if codes.height else 0
    full = pl.col("first_ts").is_not_null()
    codes = cat.enrich(codes, catalogue).with_columns(
        (pl.col("count") / max(total, 1)).round(4).alias("share"),
        pl.when(full)
        .then(pl.lit(FULL))
        .when(pl.col("first_partial").is_not_null())
        .then(pl.lit("partial"))
        .alias("seen_precision"),
        pl.when(full).then(_iso(pl.col("first_ts"))).otherwise(pl.col("first_partial")).alias("first_seen"),
        pl.when(full).then(_iso(pl.col("last_ts"))).otherwise(pl.col("last_partial")).alias("last_seen"),
    )
    if redact:
        codes = codes.with_columns(redact_expr(pl.col("log_description"), users=redact_users))
    codes = codes.sort(["count", "sdk", "code"], descending=[True, False, False])
    categories = (
        codes.group_by("category")
        .agg(
            pl.col("count").sum(),
            pl.col("code").unique(maintain_order=True).alias("codes"),
        )
        .with_columns((pl.col("count") / max(total, 1)).round(4).alias("share"))
        .sort(["count", "category"], descending=[True, False])
        .select("category", "count", "share", "codes")
    )
    by_file = (
        ordered.sort("_seq")
        .group_by("sdk", "code", "file", maintain_order=True)
        .agg(pl.col("count").sum().cast(pl.Int64), pl.col("line").first(), text.first().alias("text"))
        .sort(["file", "count", "sdk", "code"], descending=[False, True, False, False])
    )
    return Report(stats, codes, categories, _span(codes), by_file)


def _iso(expr: pl.Expr) -> pl.Expr:
    return expr.dt.to_string("%Y-%m-%dT%H:%M:%S%.3f")


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
    pattern_files: Sequence[Path] = ()
    builtin_patterns: bool = True
    catalogue_files: Sequence[Path] = ()
    workers: int | None = None
    redact: bool = True
    redact_users: bool = False
    limits: Limits = field(default_factory=Limits)


def scan_report(
    items: Iterable[Source | Unreadable],
    matcher: Matcher,
    catalogue: cat.Catalogue,
    *,
    workers: int | None = None,
    redact: bool = True,
    redact_users: bool = False,
    progress=None,  # type: ignore[no-untyped-def]
) -> Report:
    """Scan ``items`` and build the report (map: partial counts; merge: build_report)."""
    with Engine(matcher, workers=workers) as engine:
        frames = [frame for _, frame in engine.run(items, partial_counts, progress=progress)]
        stats = engine.stats
    return build_report(merge(frames), stats, catalogue, redact=redact, redact_users=redact_users)


def report_paths(
    options: ReportOptions, matcher: Matcher, catalogue: cat.Catalogue, *, stdin=None, progress=None
) -> Report:  # type: ignore[no-untyped-def]
    items = iter_sources(options.paths, stdin=stdin, limits=options.limits)
    return scan_report(
        items, matcher, catalogue, workers=options.workers, redact=options.redact,
        redact_users=options.redact_users, progress=progress,
    )  # fmt: skip

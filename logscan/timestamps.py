"""Timestamps of log lines, vectorised over a polars column.

The shapes of sdk-logs.md, in the order they are tried (the first that fits
a line wins, and shapes anchored at the start of the line come first):

==========  =====================================  ============
shape       example                                precision
==========  =====================================  ============
iso         ``2024-05-01 10:00:00.123456+0800``    full
logcat      ``09-02 10:50:35.972  5446  5475 E``   no-year
web         ``14:03:07:5 IM SDK [debug]``          time-only
rn          ``[chat] 20241016-101530.123``         full
core        ``[2017/3/1 9:59:52:664]:``            full
iso (body)  ``... at 2024-05-01T10:00:00Z ...``    full
==========  =====================================  ============

A full timestamp becomes ``timestamp`` (a naive datetime: the wall-clock time
the device printed; a zone offset, where present, is not applied). Where the
year or the date is missing, ``timestamp`` stays null and ``time_text`` keeps
what is known in ISO 8601 form (``--09-02T10:50:35.972`` for a date without a
year, ``14:03:07.005`` for a time of day); ``time_precision`` says which.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

FULL, NO_YEAR, TIME_ONLY = "full", "no-year", "time-only"


@dataclass(frozen=True)
class _Shape:
    name: str
    regex: str
    precision: str
    #: "ms" when the fraction is an integer count of milliseconds (``:6`` is 6 ms),
    #: "frac" when it is a decimal fraction (``.6`` is 600 ms).
    fraction: str


_D = r"(?-u:\d)"
_SHAPES = (
    _Shape(
        "iso",
        rf"^\W{{0,3}}(?P<y>{_D}{{4}})-(?P<mo>{_D}{{2}})-(?P<d>{_D}{{2}})[ T](?P<h>{_D}{{2}}):(?P<mi>{_D}{{2}}):(?P<s>{_D}{{2}})(?:[.,](?P<f>{_D}{{1,9}}))?",
        FULL,
        "frac",
    ),
    _Shape(
        "logcat",
        rf"^(?P<mo>{_D}{{2}})-(?P<d>{_D}{{2}}) (?P<h>{_D}{{2}}):(?P<mi>{_D}{{2}}):(?P<s>{_D}{{2}})\.(?P<f>{_D}{{1,6}})",
        NO_YEAR,
        "frac",
    ),
    _Shape(
        "web",
        rf"^(?P<h>{_D}{{1,2}}):(?P<mi>{_D}{{1,2}}):(?P<s>{_D}{{1,2}}):(?P<f>{_D}{{1,3}})(?:\s|$)",
        TIME_ONLY,
        "ms",
    ),
    _Shape(
        "web-dot",
        rf"^(?P<h>{_D}{{2}}):(?P<mi>{_D}{{2}}):(?P<s>{_D}{{2}})\.(?P<f>{_D}{{1,6}})(?:\s|$)",
        TIME_ONLY,
        "frac",
    ),
    _Shape(
        "rn",
        rf"(?:^|[\s\]])(?P<y>{_D}{{4}})(?P<mo>{_D}{{2}})(?P<d>{_D}{{2}})-(?P<h>{_D}{{2}})(?P<mi>{_D}{{2}})(?P<s>{_D}{{2}})\.(?P<f>{_D}{{1,6}})",
        FULL,
        "frac",
    ),
    _Shape(
        "core",
        rf"\[(?P<y>{_D}{{4}})/(?P<mo>{_D}{{1,2}})/(?P<d>{_D}{{1,2}}) (?P<h>{_D}{{1,2}}):(?P<mi>{_D}{{1,2}}):(?P<s>{_D}{{1,2}}):(?P<f>{_D}{{1,3}})\]",
        FULL,
        "ms",
    ),
    _Shape(
        "iso-body",
        rf"(?:^|[^0-9])(?P<y>{_D}{{4}})-(?P<mo>{_D}{{2}})-(?P<d>{_D}{{2}})[ T](?P<h>{_D}{{2}}):(?P<mi>{_D}{{2}}):(?P<s>{_D}{{2}})(?:[.,](?P<f>{_D}{{1,9}}))?",
        FULL,
        "frac",
    ),
)

SCHEMA = {"timestamp": pl.Datetime("us"), "time_text": pl.String, "time_precision": pl.String}


def _pad(expr: pl.Expr, width: int) -> pl.Expr:
    return expr.str.zfill(width)


def _micros(frac: pl.Expr, fraction: str) -> pl.Expr:
    """The fraction of a second as six digits of microseconds."""
    if fraction == "ms":
        return (frac.cast(pl.Int64, strict=False).fill_null(0) * 1000).cast(pl.String).str.zfill(6)
    return frac.fill_null("").str.pad_end(6, "0").str.slice(0, 6)


def _shape_columns(text: pl.Expr, shape: _Shape, index: int) -> tuple[pl.Expr, pl.Expr]:
    g = text.str.extract_groups(shape.regex)
    field = g.struct.field
    micros = _micros(field("f"), shape.fraction)
    clock = pl.format("{}:{}:{}.{}", _pad(field("h"), 2), _pad(field("mi"), 2), _pad(field("s"), 2), micros)
    if shape.precision == FULL:
        iso = pl.format("{}-{}-{}T{}", field("y"), _pad(field("mo"), 2), _pad(field("d"), 2), clock)
        ts = iso.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", time_unit="us", strict=False)
        ok = ts.is_not_null()
    else:
        ts = pl.lit(None, dtype=pl.Datetime("us"))
        if shape.precision == NO_YEAR:
            iso = pl.format("--{}-{}T{}", _pad(field("mo"), 2), _pad(field("d"), 2), clock)
            # Validate against a leap year so that --02-29 is accepted.
            probe = pl.format("2000-{}-{}T{}", _pad(field("mo"), 2), _pad(field("d"), 2), clock)
        else:
            iso = clock
            probe = pl.format("2000-01-01T{}", clock)
        ok = probe.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", time_unit="us", strict=False).is_not_null()
    return ts, pl.when(ok).then(
        pl.struct(
            ts.alias("timestamp"), iso.alias("time_text"), pl.lit(shape.precision).alias("time_precision")
        )
    )


def with_timestamps(frame: pl.DataFrame, column: str = "text") -> pl.DataFrame:
    """Add ``timestamp``, ``time_text`` and ``time_precision`` parsed from ``column``."""
    if frame.is_empty():
        return frame.with_columns(pl.lit(None, dtype=dt).alias(name) for name, dt in SCHEMA.items())
    text = pl.col(column)
    candidates = [_shape_columns(text, shape, i)[1] for i, shape in enumerate(_SHAPES)]
    found = pl.coalesce(candidates).alias("_ts")
    return (
        frame.with_columns(found)
        .unnest("_ts")
        .with_columns(pl.col("time_text").str.replace(r"(\.\d{3})000$", "$1"))
    )


def format_time(value: object) -> str | None:
    """ISO text of a datetime, to the millisecond (as in every report field)."""
    if value is None:
        return None
    return value.isoformat(timespec="milliseconds")  # type: ignore[attr-defined]

"""Timestamps of log lines, vectorised over a polars column.

The shapes of sdk-logs.md (where a line holds several, the one that starts
leftmost wins):

==========  =====================================  ============
shape       example                                precision
==========  =====================================  ============
iso         ``2024-05-01 10:00:00.123456+0800``    full
logcat      ``09-02 10:50:35.972  5446  5475 E``   no-year
web         ``14:03:07:5 IM SDK [debug]``          time-only
web         ``agora-chat.js:1 14:03:07:5 IM SDK``  time-only
rn          ``[chat] 20241016-101530.123``         full
core        ``[2017/3/1 9:59:52:664]:``            full
iso (body)  ``... at 2024-05-01T10:00:00Z ...``    full
==========  =====================================  ============

A full timestamp becomes ``timestamp`` (a naive datetime: the wall-clock time
the device printed; a zone offset, where present, is not applied). Where the
year or the date is missing, ``timestamp`` stays null and ``time_text`` keeps
what is known in ISO 8601 form, to the millisecond (``--09-02T10:50:35.972``
for a date without a year, ``14:03:07.005`` for a time of day);
``time_precision`` says which (``full``, ``no-year``, ``time-only``).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import polars as pl

from logscan.match.dialect import for_engine

FULL, NO_YEAR, TIME_ONLY = "full", "no-year", "time-only"


#: (group, regex) alternatives; a group ``t<i>`` holds a timestamp strptime can read, ``m<i>``
#: integer milliseconds written after a colon (``:6`` is 6 ms, not 600).
#: Seconds run to 59 (strptime would take a 60th as a leap second and roll the minute over).
_SS, _S = "[0-5]\\d", "[0-5]?\\d"
_ALTERNATIVES = (
    ("iso", rf"^[\[( \t<]{{0,3}}(?P<t0>\d{{4}}-\d{{2}}-\d{{2}}[ T]\d{{2}}:\d{{2}}:{_SS}(?:[.,]\d{{1,9}})?)"),
    ("logcat", rf"^[\[( \t]{{0,3}}(?P<t1>\d{{2}}-\d{{2}} \d{{2}}:\d{{2}}:{_SS}\.\d{{1,6}})"),
    # Browser consoles may put the source link first: "agora-chat.js:1 10:42:58:907 IM SDK ..."
    ("web", rf"^(?:[\w.@/-]+:\d+\s+)?(?P<t2>\d{{1,2}}:\d{{1,2}}:{_S}):(?P<m2>\d{{1,3}})(?:\s|$)"),
    ("web-dot", rf"^(?:[\w.@/-]+:\d+\s+)?(?P<t3>\d{{2}}:\d{{2}}:{_SS}\.\d{{1,6}})(?:\s|$)"),
    ("rn", rf"(?:^|[\s\]])(?P<t4>\d{{8}}-\d{{4}}{_SS}\.\d{{1,6}})"),
    ("core", rf"\[(?P<t5>\d{{4}}/\d{{1,2}}/\d{{1,2}} \d{{1,2}}:\d{{1,2}}:{_S}):(?P<m5>\d{{1,3}})\]"),
    ("iso-body", rf"(?:^|[^0-9])(?P<t6>\d{{4}}-\d{{2}}-\d{{2}}[ T]\d{{2}}:\d{{2}}:{_SS}(?:[.,]\d{{1,9}})?)"),
)
_COMBINED = for_engine("|".join(f"(?:{regex})" for _, regex in _ALTERNATIVES))
#: The full-date shapes alone, looked for past a partial timestamp.
_FULL_ANYWHERE = for_engine(
    "|".join(f"(?:{regex})" for name, regex in _ALTERNATIVES if name in ("rn", "core", "iso-body"))
)
#: Timestamps are looked for in this many leading characters of a line.
HEAD = 120

SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "timestamp": pl.Datetime("us"),
    "time_text": pl.String,
    "time_precision": pl.String,
}


def _parse(text: pl.Expr, fmt: str) -> pl.Expr:
    return text.str.to_datetime(fmt, time_unit="us", strict=False)


def _plus_ms(ts: pl.Expr, ms: pl.Expr) -> pl.Expr:
    return ts + pl.duration(milliseconds=ms.cast(pl.Int64, strict=False).fill_null(0))


def _parse_groups(groups: pl.DataFrame) -> pl.DataFrame:
    """``full``, ``no_year``, ``time_only`` datetimes from the groups of ``_COMBINED``."""

    def col(name: str) -> pl.Expr:
        return pl.col(name) if name in groups.columns else pl.lit(None, dtype=pl.String)

    iso = (
        pl.coalesce(col("t0"), col("t6"))
        .str.replace(",", ".", literal=True)
        .str.replace("T", " ", literal=True)
    )
    return groups.select(
        pl.coalesce(
            _parse(iso, "%Y-%m-%d %H:%M:%S%.f"),
            _parse(col("t4"), "%Y%m%d-%H%M%S%.f"),
            _plus_ms(_parse(col("t5"), "%Y/%m/%d %H:%M:%S"), col("m5")),
        ).alias("full"),
        _parse(pl.lit("2000-") + col("t1"), "%Y-%m-%d %H:%M:%S%.f").alias("no_year"),
        pl.coalesce(
            _plus_ms(_parse(pl.lit("2000-01-01 ") + col("t2"), "%Y-%m-%d %H:%M:%S"), col("m2")),
            _parse(pl.lit("2000-01-01 ") + col("t3"), "%Y-%m-%d %H:%M:%S%.f"),
        ).alias("time_only"),
    )


def _second_of_day(times: pl.Series) -> pl.Series:
    return times.dt.hour().cast(pl.Int32) * 3600 + times.dt.minute().cast(pl.Int32) * 60 + times.dt.second()


def with_timestamps(frame: pl.DataFrame, column: str = "text") -> pl.DataFrame:
    """Add ``timestamp``, ``time_text`` and ``time_precision`` parsed from ``column``.

    One pass of one regex (every shape an alternative) over the head of each
    line: the timestamp that starts leftmost wins, except that a partial one
    (no year, time of day) gives way to a full date further along the line that
    agrees with it to the second (logcat's own time before the core log's
    ``[2023/09/02 ...]``; not a date the message talks about). strptime then
    validates it: an impossible date (or a 60th second) is no timestamp.
    """
    if frame.is_empty():
        return frame.with_columns(pl.lit(None, dtype=dt).alias(name) for name, dt in SCHEMA.items())
    head = pl.col(column).str.slice(0, HEAD)
    parts = _parse_groups(frame.select(head.str.extract_groups(_COMBINED).alias("_g")).unnest("_g"))
    partial = parts["full"].is_null() & (parts["no_year"].is_not_null() | parts["time_only"].is_not_null())
    if partial.any():
        heads = frame.select(head.alias("h")).filter(partial)
        found = _parse_groups(
            heads.select(pl.col("h").str.extract_groups(_FULL_ANYWHERE).alias("_g")).unnest("_g")
        )
        # The same moment written twice (logcat's time, then the core's date and time): a date
        # about another moment ("token expires 2025-01-01 00:00:00") is not the line's time.
        own = parts.filter(partial).select(pl.coalesce("no_year", "time_only")).to_series()
        apart = (_second_of_day(found["full"]) - _second_of_day(own)).abs()
        same = (apart <= 1) | (apart >= 86399)
        better = pl.Series("full", [None] * frame.height, dtype=pl.Datetime("us")).scatter(
            partial.arg_true(), pl.select(pl.when(same).then(found["full"])).to_series()
        )
        parts = parts.with_columns(pl.coalesce(pl.col("full"), better).alias("full"))
    full, no_year, time_only = pl.col("full"), pl.col("no_year"), pl.col("time_only")
    parsed = parts.select(
        full.alias("timestamp"),
        pl.when(full.is_null())
        .then(pl.coalesce(iso(no_year, "--%m-%dT%H:%M:%S"), iso(time_only, "%H:%M:%S")))
        .alias("time_text"),
        pl.when(full.is_not_null())
        .then(pl.lit(FULL))
        .when(no_year.is_not_null())
        .then(pl.lit(NO_YEAR))
        .when(time_only.is_not_null())
        .then(pl.lit(TIME_ONLY))
        .alias("time_precision"),
    )
    return pl.concat([frame, parsed], how="horizontal")


def format_time(value: object) -> str | None:
    """ISO text of one datetime, as :func:`iso` writes a column."""
    if value is None:
        return None
    return pl.select(iso(pl.lit(value, dtype=pl.Datetime("us")))).item()


def iso(expr: pl.Expr, layout: str = "%Y-%m-%dT%H:%M:%S") -> pl.Expr:
    """ISO text of a datetime column in ``layout``: to the millisecond, or the microsecond where
    the time has them (iOS logs write six digits)."""
    return (
        pl.when(expr.dt.microsecond() % 1000 != 0)
        .then(expr.dt.to_string(layout + "%.6f"))
        .otherwise(expr.dt.to_string(layout + "%.3f"))
    )


#: A time bound as logscan prints times, and as people write them: a date alone, or a date and
#: a time (``T`` or a space), seconds optional, a fraction, then ``Z`` or an offset (ignored).
_BOUND = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<time>\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)"
    r"(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?)?",
    re.I,
)


def parse_bound(text: str, *, end: bool = False) -> datetime:
    """The naive datetime ``text`` names, to compare with the log's timestamps.

    Logs carry the wall-clock time of the device (an offset they write is not applied), so a
    ``Z`` or an offset here is accepted and not applied either: the time is compared as it is
    written. A date alone is the start of that day, or with ``end`` its last microsecond (an
    ``--until`` date takes the day in). Raises ValueError with what is accepted.
    """
    m = _BOUND.fullmatch(text.strip())
    if m is None:
        raise ValueError(
            f"{text!r} is not a time: use 2024-05-01, 2024-05-01T10:00:00 or 2024-05-01T10:00:00.123+08:00"
        )
    time = (m.group("time") or "").replace(",", ".")
    whole, _, fraction = time.partition(".")
    try:
        value = datetime.fromisoformat(f"{m.group('date')}T{whole or '00:00'}")
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a time: {exc}") from None
    if fraction:
        value += timedelta(microseconds=int(fraction[:6].ljust(6, "0")))
    if end and not time:
        value += timedelta(days=1, microseconds=-1)
    return value

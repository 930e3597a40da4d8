"""Timestamps: every shape of sdk-logs.md, partial dates kept partial."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest

from logscan.match.timestamps import with_timestamps

CASES = [
    # core log, padded and not (milliseconds are an integer after a colon)
    (
        "[2021/09/27 17:03:18:054]: EMSessionManager::login()",
        datetime(2021, 9, 27, 17, 3, 18, 54000),
        None,
        "full",
    ),
    (
        "[2017/3/1 9:59:52:664]: getDnsListFromServer",
        datetime(2017, 3, 1, 9, 59, 52, 664000),
        None,
        "full",
    ),
    ("[2017/3/1 20:58:54:6]: x", datetime(2017, 3, 1, 20, 58, 54, 6000), None, "full"),
    # the core timestamp inside a logcat line without its own time
    (
        "D/ONE SDK (27486): [2021/09/27 17:03:18:054]: [EMClient] login",
        datetime(2021, 9, 27, 17, 3, 18, 54000),
        None,
        "full",
    ),
    # logcat with a year: its own time wins over the embedded core time
    (
        "2019-09-02 10:50:35.972 5446-5475/? D/ONE SDK: [2019/09/02 10:50:35:971]: x",
        datetime(2019, 9, 2, 10, 50, 35, 972000),
        None,
        "full",
    ),
    # logcat threadtime: no year, unless the line also carries the core's full date
    ("09-02 10:50:35.972  5446  5475 E ChatDemo: x", None, "--09-02T10:50:35.972", "no-year"),
    # partial times keep their microseconds too (regression: cut to milliseconds)
    ("09-02 10:50:35.972123  5446  5475 E ChatDemo: x", None, "--09-02T10:50:35.972123", "no-year"),
    # indented, or logcat -v long's header "[ 09-02 ... ]", as ISO times may be
    ("  09-02 10:50:35.972  5446  5475 E ChatDemo: x", None, "--09-02T10:50:35.972", "no-year"),
    ("[ 09-02 10:50:35.972  5446: 5475 E/ChatDemo ]", None, "--09-02T10:50:35.972", "no-year"),
    (
        "09-02 10:50:55.283  5446  5475 D ONE SDK : [2023/09/02 10:50:55:283]: onDisconnected: 305",
        datetime(2023, 9, 2, 10, 50, 55, 283000),
        None,
        "full",
    ),
    # ISO-like, iOS with microseconds and a zone (wall-clock time kept)
    ("2024-05-01 10:00:00: login failed", datetime(2024, 5, 1, 10, 0, 0), None, "full"),
    (
        "2024-05-01 10:00:00.123456+0800 App[123:4567] x",
        datetime(2024, 5, 1, 10, 0, 0, 123456),
        None,
        "full",
    ),
    ("2024-05-01T10:00:00.5Z x", datetime(2024, 5, 1, 10, 0, 0, 500000), None, "full"),
    (
        "[2024-05-01 10:00:00.123] [error] x",
        datetime(2024, 5, 1, 10, 0, 0, 123000),
        None,
        "full",
    ),
    # React Native
    (
        "[chat] 20241016-101530.123 ChatClient: x",
        datetime(2024, 10, 16, 10, 15, 30, 123000),
        None,
        "full",
    ),
    # Web: time of day only, milliseconds after a colon, not padded
    ("14:03:07:5 IM SDK [debug]: websocket onClose", None, "14:03:07.005", "time-only"),
    ("9:03:07:512 IM SDK [debug]: x", None, "09:03:07.512", "time-only"),
    ("agora-chat.js:1 10:42:58:907 IM SDK [error]: x", None, "10:42:58.907", "time-only"),
    ("Login.vue:88 10:42:58.5 login failed", None, "10:42:58.500", "time-only"),
    # a date the message talks about is not the line's time (regression: it replaced it)
    (
        "14:03:07:5 IM SDK [error]: {type: 28, message: 'token expired at 2024-05-01 10:00:00'}",
        None,
        "14:03:07.005",
        "time-only",
    ),
    (
        "09-02 10:50:35.972  5446  5475 E ChatDemo: token expires 2025-01-01 00:00:00.000, code: 108",
        None,
        "--09-02T10:50:35.972",
        "no-year",
    ),
    # the same moment a second later in the core's clock still counts
    (
        "09-02 10:50:55.999  5446  5475 D ONE SDK : [2023/09/02 10:50:56:001]: x",
        datetime(2023, 9, 2, 10, 50, 56, 1000),
        None,
        "full",
    ),
    # none, and impossible dates (a 60th second is not rolled over into the next minute)
    ("2024-05-01 10:00:60.000 x", None, None, None),
    ("[2017/3/1 9:59:60:664]: x", None, None, None),
    ("ChatError{code=201, description='x'}", None, None, None),
    ("[2021/13/45 17:03:18:054]: impossible", None, None, None),
    ("13-45 10:50:35.972  5446  5475 E x", None, None, None),
]


@pytest.mark.parametrize(("line", "ts", "text", "precision"), CASES)
def test_shapes(line, ts, text, precision):
    out = with_timestamps(pl.DataFrame({"text": [line]}))
    assert out.row(0, named=True) == {
        "text": line,
        "timestamp": ts,
        "time_text": text,
        "time_precision": precision,
    }


def test_empty_frame_gets_the_columns():
    out = with_timestamps(pl.DataFrame(schema={"text": pl.String}))
    assert out.schema == pl.Schema(
        {
            "text": pl.String,
            "timestamp": pl.Datetime("us"),
            "time_text": pl.String,
            "time_precision": pl.String,
        }
    )


def test_read_times_reads_a_row_s_last_line_only_where_it_is_another_line():
    """The merge reads the times of each partial row's first and last lines; a row counted
    once has one line (read once), the others two, of any precision; rows keep their order."""
    from logscan.aggregate.report import PARTIAL_SCHEMA, read_times

    rows = [
        (1, "2024-05-01 10:00:00.000 a", "2024-05-01 10:00:00.000 a"),
        (3, "09-02 10:50:35.972 b", "2024-05-01 11:00:00.500 b"),
        (2, "[2017/3/1 9:59:52:664]: c", "14:03:07:5 IM SDK c"),
        (1, "no time here", "no time here"),
        (2, "2024-05-01 12:00:00 d", None),  # times already read (another block)
    ]
    partials = pl.DataFrame(
        {"count": [r[0] for r in rows], "text": [r[1] for r in rows], "last_text": [r[2] for r in rows]},
        schema_overrides={"count": pl.UInt32},
    ).with_columns(
        pl.lit(None, dtype=PARTIAL_SCHEMA[name]).alias(name)
        for name in ("first_ts", "last_ts", "first_partial", "last_partial", "no_year", "time_only")
    )
    read = read_times(partials)
    assert "last_text" not in read.columns
    assert read.select("first_ts", "last_ts", "first_partial", "last_partial", "no_year", "time_only").rows() == [
        (datetime(2024, 5, 1, 10), datetime(2024, 5, 1, 10), None, None, 0, 0),
        (datetime(2024, 5, 1, 11, 0, 0, 500000), datetime(2024, 5, 1, 11, 0, 0, 500000),
         "--09-02T10:50:35.972", "--09-02T10:50:35.972", 1, 0),
        (datetime(2017, 3, 1, 9, 59, 52, 664000), datetime(2017, 3, 1, 9, 59, 52, 664000),
         "14:03:07.005", "14:03:07.005", 0, 1),
        (None, None, None, None, 0, 0),
        (None, None, None, None, None, None),
    ]  # fmt: skip

"""--since/--until take what logscan prints; --code takes numbers, family/number and names;
--kind, --category and explain suggest near names (issue 15)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from logscan.match.timestamps import parse_bound
from tests.conftest import invoke

LOG = (
    "[2024/5/1 9:59:59:999]: onDisconnect2\n"
    "[2024/5/1 10:00:00:000]: onDisconnect303\n"
    "[2024/5/1 23:59:59:999]: onDisconnect2\n"
    "[2024/5/2 0:00:00:000]: onDisconnect2\n"
)


@pytest.fixture
def log(tmp_path):
    path = tmp_path / "app.log"
    path.write_text(LOG, encoding="utf-8")
    return path


def lines_of(r):
    assert r.exit_code == 0, r.stderr
    return [row["line"] for row in map(json.loads, r.stdout.splitlines())]


@pytest.mark.parametrize(
    ("text", "end", "expected"),
    [
        ("2024-05-01", False, datetime(2024, 5, 1)),
        ("2024-05-01", True, datetime(2024, 5, 1, 23, 59, 59, 999999)),
        ("2024-05-01T10:00", False, datetime(2024, 5, 1, 10)),
        ("2024-05-01T10:00:00.123", False, datetime(2024, 5, 1, 10, 0, 0, 123000)),
        ("2024-05-01 10:00:00,5", False, datetime(2024, 5, 1, 10, 0, 0, 500000)),
        ("2024-05-01T10:00:00Z", False, datetime(2024, 5, 1, 10)),
        ("2024-05-01T10:00:00.123456789+08:00", True, datetime(2024, 5, 1, 10, 0, 0, 123456)),
        ("2024-05-01T10:00:00-0300", False, datetime(2024, 5, 1, 10)),
    ],
)
def test_time_bounds_as_logscan_prints_them(text, end, expected):
    assert parse_bound(text, end=end) == expected


@pytest.mark.parametrize(
    ("options", "lines"),
    [
        (["--since", "2024-05-01T10:00:00.000"], [2, 3, 4]),
        (["--since", "2024-05-01T10:00:00Z"], [2, 3, 4]),  # the offset is not applied
        (["--since", "2024-05-01T09:59:59.999+08:00", "--until", "2024-05-01T10:00"], [1, 2]),
        (["--until", "2024-05-01"], [1, 2, 3]),  # a date alone: through that day
        (["--since", "2024-05-02"], [4]),
        (["--code", "2"], [1, 3, 4]),
        (["--code", "native/303"], [2]),
        (["--code", "NETWORK_ERROR"], [1, 3, 4]),
        (["--code", "network_error", "--code", "303"], [1, 2, 3, 4]),
        (["--code", "2", "--sdk", "web"], []),
        (["--code", "web/2"], []),
    ],
)
def test_events_filters(log, options, lines):
    assert lines_of(invoke("events", log, *options)) == lines


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["events", "LOG", "--since", "2024-05-02", "--until", "2024-05-01"],
         "--since (2024-05-02T00:00:00) is after --until (2024-05-01T23:59:59.999999): nothing can match"
         " (see logscan events --help)"),
        (["events", "LOG", "--since", "yesterday"],
         "--since: 'yesterday' is not a time: use 2024-05-01, 2024-05-01T10:00:00 or "
         "2024-05-01T10:00:00.123+08:00 (see logscan events --help)"),
        (["events", "LOG", "--until", "2024-13-01"],
         "--until: '2024-13-01' is not a time: month must be in 1..12 (see logscan events --help)"),
        (["events", "LOG", "--code", "USER_REMOVD"],
         "--code: no code is named 'USER_REMOVD'; did you mean USER_REMOVED? (see logscan events --help)"),
        (["events", "LOG", "--code", "NOTHING_LIKE_IT_AT_ALL"],
         "--code: no code is named 'NOTHING_LIKE_IT_AT_ALL'; logscan codes lists the names (see logscan events --help)"),
        (["events", "LOG", "--code", "2.5"],
         "--code: '2.5': a code is a number (208), native/208, web/16 or a name (USER_REMOVED)"
         " (see logscan events --help)"),
        (["events", "LOG", "--kind", "transiet"],
         "--kind: 'transiet' is not a kind; did you mean transient? (see logscan events --help)"),
        (["events", "LOG", "--category", "conection"],
         "--category: 'conection' is not a category; did you mean connection? (see logscan events --help)"),
        (["codes", "--kind", "trasient"], "--kind: 'trasient' is not a kind; did you mean transient? (see logscan codes --help)"),
        (["codes", "--category", "usr"], "--category: 'usr' is not a category; did you mean user? (see logscan codes --help)"),
    ],
)  # fmt: skip
def test_bad_filters_are_usage_errors_with_the_nearest_name(log, args, line):
    r = invoke(*[log if a == "LOG" else a for a in args])
    assert (r.exit_code, r.stdout, r.stderr) == (2, "", f"logscan: error: {line}\n")


def test_explain_suggests_the_nearest_name():
    r = invoke("explain", "USER_REMOVD")
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr.startswith(
        "logscan: no catalogue entry matches 'USER_REMOVD' (did you mean USER_REMOVED?). "
    )


# ---------------------------------------------------------------- report counts what the filters keep


def test_report_counts_only_what_the_filters_keep_and_says_so(log):
    r = invoke("report", log, "-f", "json", "--code", "NETWORK_ERROR", "--since", "2024-05-01T10:00:00Z")
    assert r.exit_code == 0 and r.stderr == ""
    data = r.json()
    assert data["filters"] == {"code": ["native/2"], "since": "2024-05-01T10:00:00.000"}
    assert data["events"] == 2 and [(c["code"], c["count"]) for c in data["codes"]] == [(2, 2)]
    assert data["inputs"]["lines"] == 4  # everything is read; only the counts are filtered
    # no filter: no "filters" key, every line counted
    data = invoke("report", log, "-f", "json").json()
    assert "filters" not in data and data["events"] == 4
    r = invoke("report", log, "--sdk", "web")
    assert r.exit_code == 0 and "Counted only: --sdk web\n" in r.stdout and "0 error lines" in r.stdout


def test_report_filters_are_for_the_local_engine(log):
    r = invoke("report", log, "--code", "2", "--engine", "dask")
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr == (
        "logscan: error: --sdk, --code, --since and --until are for the local engine: drop --engine dask\n"
    )

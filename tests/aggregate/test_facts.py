"""Issue 15: what a support engineer reads is true.

A code's first seen, its sample line (file:line and text), the check's "(first at ...)",
the GitHub annotation and the SARIF location all name its earliest occurrence in time;
lines of the same time, and codes without any time, fall back to file order (and say so).
"""

from __future__ import annotations

import json

import polars as pl
import pytest

from logscan import inputs
from logscan.aggregate import report
from tests.conftest import invoke

LATE = "[2024/05/01 10:20:01:000]: login failed code: 208, desc: late\n"
EARLY = "[2024/05/01 09:50:05:130]: login failed code: 208, desc: early\n"


@pytest.fixture
def two_files(tmp_path):
    a, b = tmp_path / "facts-a.log", tmp_path / "facts-b.log"
    a.write_text(LATE, encoding="utf-8")
    b.write_text(EARLY, encoding="utf-8")
    return a, b


def _code(data: dict, code: int = 208) -> dict:
    return next(c for c in data["codes"] if c["code"] == code)


def test_sample_is_the_earliest_across_files(two_files):
    a, b = two_files
    r = invoke("report", a, b, "-f", "json")
    assert r.exit_code == 0, r.stderr
    row = _code(r.json())
    assert (row["first_seen"], row["last_seen"]) == ("2024-05-01T09:50:05.130", "2024-05-01T10:20:01.000")
    assert row["sample"] == {"file": str(b), "line": 1, "text": EARLY.strip()}


@pytest.mark.parametrize("views", [(), ("--by", "time"), ("--by", "file")])
def test_sample_is_the_earliest_within_a_file(tmp_path, views):
    """Lines out of time order in one block: the earlier (the last line) is the sample."""
    log = tmp_path / "one.log"
    log.write_text("noise\n" + LATE + "noise\n" + EARLY, encoding="utf-8")
    r = invoke("report", log, *views, "-f", "json")
    assert r.exit_code == 0, r.stderr
    row = _code(r.json())
    assert row["first_seen"] == "2024-05-01T09:50:05.130"
    assert row["last_seen"] == "2024-05-01T10:20:01.000"
    assert row["sample"] == {"file": str(log), "line": 4, "text": EARLY.strip()}


def test_rows_read_in_the_map_step_pick_the_earliest(tmp_path, monkeypatch):
    """Blocks with many rows have their times read next to the scan: the same choice."""
    monkeypatch.setattr(report, "READ_TIMES_HERE", 1)
    log = tmp_path / "one.log"
    log.write_text(LATE + EARLY, encoding="utf-8")
    row = _code(invoke("report", log, "-f", "json").json())
    assert (row["sample"]["line"], row["first_seen"]) == (2, "2024-05-01T09:50:05.130")


def test_sample_is_the_earliest_across_blocks(tmp_path, monkeypatch):
    """A file read in several blocks (from stdin): the block with the earliest line wins."""
    monkeypatch.setattr(inputs, "BLOCK_SIZE", 64)
    text = LATE + "x" * 10 + "\n" + LATE + EARLY + LATE
    r = invoke("report", "-", "-f", "json", input=text.encode())
    assert r.exit_code == 0, r.stderr
    row = _code(r.json())
    assert (row["sample"]["line"], row["sample"]["text"]) == (4, EARLY.strip())
    assert row["first_seen"] == "2024-05-01T09:50:05.130"


def test_ties_and_untimed_lines_fall_back_to_file_order(tmp_path):
    tied_a, tied_b = tmp_path / "a.log", tmp_path / "b.log"
    tied_a.write_text(EARLY.replace("early", "first"), encoding="utf-8")
    tied_b.write_text(EARLY, encoding="utf-8")
    row = _code(invoke("report", tied_a, tied_b, "-f", "json").json())
    assert (row["sample"]["file"], row["sample"]["text"]) == (
        str(tied_a),
        EARLY.strip().replace("early", "first"),
    )
    untimed = tmp_path / "untimed.log"
    untimed.write_text("login failed code: 208, desc: x\nlogin failed code: 208, desc: y\n", encoding="utf-8")
    r = invoke("report", untimed, "-f", "json")
    row = _code(r.json())
    assert (row["seen_precision"], row["sample"]["line"]) == (None, 1)
    md = invoke("report", untimed, "-f", "markdown")
    assert md.exit_code == 0
    assert f"First line at `{untimed}:1` (file order: no timestamps):" in md.stdout.splitlines()
    text = invoke("report", untimed)
    assert text.exit_code == 0
    assert (
        "    e.g. untimed.log:1 (file order: no timestamps): login failed code: 208, desc: x" in text.stdout
    )
    check = invoke("check", untimed)
    assert check.exit_code == 1
    assert f"(first at {untimed}:1, file order: no timestamps)" in check.stdout


def test_every_output_names_the_same_earliest_line(two_files, tmp_path, monkeypatch):
    a, b = two_files
    md = invoke("report", a, b, "-f", "markdown")
    assert md.exit_code == 0
    assert f"First seen at `{b}:1`:" in md.stdout.splitlines()
    text = invoke("report", a, b)
    assert text.exit_code == 0
    assert f"    e.g. facts-b.log:1: {EARLY.strip()}" in text.stdout
    check = invoke("check", a, b)
    assert check.exit_code == 1
    assert f"(first at {b}:1)" in check.stdout
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    gh = invoke("check", a, b, "-f", "github")
    assert gh.exit_code == 1
    assert gh.stdout.splitlines()[0].startswith(f"::error file={b},line=1,title=native 208 ")
    sarif = invoke("check", a, b, "-f", "sarif")
    assert sarif.exit_code == 1
    location = json.loads(sarif.stdout)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("facts-b.log")
    assert location["region"] == {"startLine": 1}


def test_ticket_markdown_names_the_line_the_table_shows():
    """The issue's example: native 2 first seen 09:50:05, not easemob.log:34 (10:20:01)."""
    from tests.conftest import SAMPLES

    r = invoke("report", SAMPLES / "ticket-4711", "-f", "json")
    row = next(c for c in r.json()["codes"] if (c["sdk"], c["code"]) == ("native", 2))
    assert row["first_seen"] == "2024-05-01T09:50:05.152"
    assert row["sample"]["file"].endswith("easemob_2024-05-01_10-00-00.log")
    assert row["sample"]["text"].startswith("[2024/05/01 09:50:05:152]")


# --- Issue 15.2: code lists name their numbering (native/704, web/704) -------------------------

BOTH = (
    "[2024/05/01 10:00:00:000]: EMChatroomManager::joinChatroom() code: 704 desc: The chat room is full\n"
    "main.js:1 joinChatRoom failed {type: 704, message: 'chatroom members full', data: {}}\n"
    "[2024/05/01 10:00:01:000]: EMChatroomManager::joinChatroom() code: 704 desc: The chat room is full\n"
)


@pytest.fixture
def both(tmp_path):
    log = tmp_path / "both.log"
    log.write_text(BOTH, encoding="utf-8")
    return log


def test_view_code_lists_name_their_numbering_in_json(both):
    r = invoke("report", both, "--by", "kind", "--by", "file", "--by", "platform", "-f", "json")
    assert r.exit_code == 0, r.stderr
    data = r.json()
    assert data["categories"] == [
        {"category": "chatroom", "count": 3, "share": 1.0, "codes": ["native/704", "web/704"]}
    ]
    assert data["kinds"] == [{"kind": "limit", "count": 3, "share": 1.0, "codes": ["native/704", "web/704"]}]
    assert data["files"] == [{"file": str(both), "count": 3, "codes": ["native/704", "web/704"]}]
    assert data["platforms"] == [
        {"platform": "core", "count": 2, "share": 0.6667, "codes": ["native/704"]},
        {"platform": "web", "count": 1, "share": 0.3333, "codes": ["web/704"]},
    ]


def test_view_code_lists_name_their_numbering_in_text_markdown_csv(both, tmp_path):
    md = invoke("report", both, "--by", "file", "-f", "markdown")
    assert md.exit_code == 0
    assert "| chatroom | 3 | 100.0% | native/704, web/704 |" in md.stdout.splitlines()
    assert f"| {both} | 3 | native/704, web/704 |" in md.stdout.splitlines()
    text = invoke("report", both, "--by", "platform")
    assert text.exit_code == 0
    assert "chatroom     3 100.0% native/704, web/704" in text.stdout.splitlines()
    assert "core         2 66.7% native/704" in text.stdout.splitlines()
    csv = invoke("report", both, "--by", "category", "-f", "csv")
    assert csv.exit_code == 0
    assert csv.stdout.splitlines() == ["category,count,share,codes", "chatroom,3,1.0,native/704;web/704"]
    out = tmp_path / "kinds.parquet"
    pq = invoke("report", both, "--by", "kind", "-o", out)
    assert pq.exit_code == 0, pq.stderr

    assert pl.read_parquet(out).to_dicts() == [
        {"kind": "limit", "count": 3, "share": 1.0, "codes": ["native/704", "web/704"]}
    ]


# --- Issue 15.3: events keep partial times, as the report shows them ---------------------------

MIXED = (
    "05-01 10:42:37.228 21840 21840 E FieldChat: Login failed! code: 202 error: x\n"
    "10:42:58:907 IM SDK login failed code: 208, desc: y\n"
    "[2024/05/01 09:50:05:130]: login failed code: 208, desc: early\n"
    "login failed code: 208, desc: none\n"
)
TIMES = [
    (1, None, "--05-01T10:42:37.228", "no-year"),
    (2, None, "10:42:58.907", "time-only"),
    (3, "2024-05-01T09:50:05.130", "2024-05-01T09:50:05.130", "full"),
    (4, None, None, None),
]


@pytest.fixture
def mixed(tmp_path):
    log = tmp_path / "mixed.log"
    log.write_text(MIXED, encoding="utf-8")
    return log


def _times(rows: list[dict]) -> list[tuple]:
    return [(r["line"], r["timestamp"], r["time_text"], r["time_precision"]) for r in rows]


def test_events_ndjson_and_json_keep_partial_times(mixed):
    nd = invoke("events", mixed, "-f", "ndjson")
    assert nd.exit_code == 0, nd.stderr
    rows = [json.loads(line) for line in nd.stdout.splitlines()]
    assert list(rows[0])[:5] == ["file", "line", "timestamp", "time_text", "time_precision"]
    assert _times(rows) == TIMES
    js = invoke("events", mixed, "-f", "json")
    assert js.exit_code == 0, js.stderr
    assert _times(js.json()) == TIMES


def test_events_csv_and_parquet_keep_partial_times(mixed, tmp_path):
    r = invoke("events", mixed, "-f", "csv")
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("file,line,timestamp,time_text,time_precision,sdk,")
    # A cell starting with "-" is neutralised for spreadsheets, as in the report's CSV.
    assert [line.split(",")[1:5] for line in lines[1:]] == [
        ["1", "", "'--05-01T10:42:37.228", "no-year"],
        ["2", "", "10:42:58.907", "time-only"],
        ["3", "2024-05-01T09:50:05.130", "2024-05-01T09:50:05.130", "full"],
        ["4", "", "", ""],
    ]

    out = tmp_path / "ev.parquet"
    assert invoke("events", mixed, "-o", out).exit_code == 0
    frame = pl.read_parquet(out)
    assert frame.schema["time_text"] == pl.String
    got = frame.select("line", pl.col("timestamp").dt.to_string("%Y-%m-%dT%H:%M:%S%.3f"), "time_text",
                       pl.col("time_precision").cast(pl.String)).rows()  # fmt: skip
    assert got == TIMES


def test_events_time_text_is_what_the_report_shows(tmp_path):
    for line in MIXED.splitlines()[:3]:
        log = tmp_path / "one.log"
        log.write_text(line + "\n", encoding="utf-8")
        seen = invoke("report", log, "-f", "json").json()["codes"][0]["first_seen"]
        event = json.loads(invoke("events", log).stdout)
        assert event["time_text"] == seen


def test_read_times_makes_the_earlier_of_a_row_s_two_lines_its_line():
    """Unit: of a partial row's first and last lines, the earlier in time (full before partial;
    ties and lines without a time: the first) becomes its line and text."""
    from logscan.aggregate.report import PARTIAL_SCHEMA, read_times

    rows = [  # (row, count, first line, last line, last_gap)
        (0, 2, "[2024/05/01 10:20:01:000]: a", "[2024/05/01 09:50:05:130]: a", 5),
        (1, 2, "[2024/05/01 09:00:00:000]: b", "[2024/05/01 09:00:00:000]: b", 3),
        (2, 2, "09-02 10:50:35.972 c", "[2024/05/01 11:00:00:500]: c", 7),
        (3, 2, "no time d", "no time either d", 2),
        (4, 2, "14:03:08:0 IM SDK e", "14:03:07:5 IM SDK e", 1),
    ]
    partials = pl.DataFrame(
        {
            "row": [r[0] for r in rows],
            "count": [r[1] for r in rows],
            "text": [r[2] for r in rows],
            "last_text": [r[3] for r in rows],
            "last_gap": [r[4] for r in rows],
        },
        schema_overrides={"row": pl.UInt32, "count": pl.UInt32, "last_gap": pl.UInt32},
    ).with_columns(
        pl.lit(None, dtype=PARTIAL_SCHEMA[name]).alias(name)
        for name in ("first_ts", "last_ts", "first_partial", "last_partial", "no_year", "time_only")
    )
    read = read_times(partials)
    assert "last_gap" not in read.columns
    assert read.select("row", "text").rows() == [
        (5, "[2024/05/01 09:50:05:130]: a"),
        (1, "[2024/05/01 09:00:00:000]: b"),
        (9, "[2024/05/01 11:00:00:500]: c"),
        (3, "no time d"),
        (5, "14:03:07:5 IM SDK e"),
    ]


@pytest.mark.parametrize(
    ("lines", "first", "last", "sample", "latest"),
    [
        # Regression: the first error line had no time: first seen was the block's last line.
        (["x [global listener] onDisconnect2", "[2024/05/01 08:00:00:000]: [global listener] onDisconnect2",
          "[2024/05/01 09:00:00:000]: [global listener] onDisconnect2",
          "[2024/05/01 10:00:00:000]: [global listener] onDisconnect2"],
         "2024-05-01T08:00:00.000", "2024-05-01T10:00:00.000", 2, 4),
        # Regression: lines out of time order inside one block: only the first and last were read.
        (["[2024/05/01 10:00:00:000]: [global listener] onDisconnect2",
          "[2024/05/01 07:00:00:000]: [global listener] onDisconnect2",
          "[2024/05/01 11:00:00:000]: [global listener] onDisconnect2",
          "[2024/05/01 09:00:00:000]: [global listener] onDisconnect2"],
         "2024-05-01T07:00:00.000", "2024-05-01T11:00:00.000", 2, 3),
    ],
)  # fmt: skip
def test_every_line_of_a_block_counts_for_first_and_last_seen(tmp_path, lines, first, last, sample, latest):
    log = tmp_path / "a.log"
    log.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    for views in ([], ["--by", "time"]):
        r = invoke("report", log, "-f", "json", *views)
        assert (r.exit_code, r.stderr) == (0, "")
        data = r.json()
        [code] = data["codes"]
        assert (code["first_seen"], code["last_seen"]) == (first, last)
        assert (code["sample"]["line"], code["last"]["line"]) == (sample, latest)
        assert (data["span"]["first"], data["span"]["last"]) == (first, last)


def test_events_and_the_report_name_a_partial_time_alike(monkeypatch):
    """Regression: the report said "partial" where events said "no-year" / "time-only"."""
    from ..conftest import ROOT

    monkeypatch.chdir(ROOT)
    r = invoke("report", "sample_logs/ticket-4711", "-f", "json")
    assert (r.exit_code, r.stderr) == (0, "")
    seen = {(c["sdk"], c["code"]): (c["seen_precision"], c["first_seen"]) for c in r.json()["codes"]}
    assert seen[("web", 16)] == ("time-only", "10:42:58.907")
    assert seen[("native", 218)] == ("no-year", "--05-01T10:07:18.532")
    for sdk, code in (("web", 16), ("native", 218)):
        e = invoke("events", "sample_logs/ticket-4711", "--code", f"{sdk}/{code}")
        assert (e.exit_code, e.stderr) == (0, "")
        rows = [json.loads(line) for line in e.stdout.splitlines()]
        first = min((row for row in rows if row["time_text"]), key=lambda row: row["time_text"])
        assert (first["time_precision"], first["time_text"]) == seen[(sdk, code)]

"""Issue 15: where a code was last seen.

A code's ``last`` {file, line} is its latest occurrence in time: the line its last seen
names (ties, and lines without a time: the last in file order). Markdown says "Last seen
at", the text report's "What to do" ``last: FILE:LINE``, where it is another line than the
sample (the earliest).
"""

from __future__ import annotations

import polars as pl
import pytest

from logscan import inputs
from logscan.aggregate import report
from tests.conftest import invoke

LATE = "[2024/05/01 10:20:01:000]: login failed code: 208, desc: late\n"
EARLY = "[2024/05/01 09:50:05:130]: login failed code: 208, desc: early\n"
LATEST = "[2024/05/01 10:30:00:000]: login failed code: 208, desc: latest\n"


def _code(data: dict, code: int = 208) -> dict:
    return next(c for c in data["codes"] if c["code"] == code)


def _json(*args: object, **kwargs: object) -> dict:
    r = invoke("report", *args, "-f", "json", **kwargs)
    assert (r.exit_code, r.stderr) == (0, "")
    return _code(r.json())


@pytest.mark.parametrize("views", [(), ("--by", "time"), ("--by", "file")])
def test_the_latest_is_named_even_in_the_earlier_file(tmp_path, views):
    a, b = tmp_path / "a.log", tmp_path / "b.log"
    a.write_text(EARLY + LATEST, encoding="utf-8")
    b.write_text(LATE + EARLY, encoding="utf-8")
    row = _json(a, b, *views)
    assert (row["first_seen"], row["last_seen"]) == ("2024-05-01T09:50:05.130", "2024-05-01T10:30:00.000")
    assert row["last"] == {"file": str(a), "line": 2}
    assert row["sample"] == {"file": str(a), "line": 1, "text": EARLY.strip()}
    # The other way round: the later file holds the latest line.
    row = _json(b, a, *views)
    assert row["last"] == {"file": str(a), "line": 2}
    assert (row["sample"]["file"], row["sample"]["line"]) == (str(b), 2)


@pytest.mark.parametrize("views", [(), ("--by", "time")])
def test_within_a_file_the_later_line_in_time_is_the_last(tmp_path, views):
    """Lines out of time order in one block: the first line is the latest."""
    log = tmp_path / "one.log"
    log.write_text(LATE + "noise\n" + EARLY, encoding="utf-8")
    row = _json(log, *views)
    assert (row["last"], row["sample"]["line"]) == ({"file": str(log), "line": 1}, 3)


def test_ties_and_untimed_lines_take_the_last_in_file_order(tmp_path):
    a, b = tmp_path / "a.log", tmp_path / "b.log"
    a.write_text(LATE + EARLY, encoding="utf-8")
    b.write_text("noise\n" + LATE.replace("late", "tied"), encoding="utf-8")
    assert _json(a, b)["last"] == {"file": str(b), "line": 2}
    assert _json(b, a)["last"] == {"file": str(a), "line": 1}
    assert _json(a, b, "--by", "time")["last"] == {"file": str(b), "line": 2}
    untimed = tmp_path / "untimed.log"
    untimed.write_text(
        "login failed code: 208, desc: x\nnoise\nlogin failed code: 208, desc: y\n", encoding="utf-8"
    )
    row = _json(untimed)
    assert (row["seen_precision"], row["sample"]["line"], row["last"]) == (
        None,
        1,
        {"file": str(untimed), "line": 3},
    )
    # A line with a time is later than the lines without one (as last seen is its time).
    mixed = tmp_path / "mixed.log"
    mixed.write_text(EARLY + "login failed code: 208, desc: y\n", encoding="utf-8")
    for views in ((), ("--by", "time")):
        row = _json(mixed, *views)
        assert (row["last_seen"], row["last"]["line"]) == ("2024-05-01T09:50:05.130", 1)


@pytest.mark.parametrize("combine_every", [1, report.COMBINE_EVERY])
def test_the_latest_across_blocks(tmp_path, monkeypatch, combine_every):
    """A stream read in several blocks: the block with the latest line wins, however the
    merge combines the blocks' rows."""
    monkeypatch.setattr(inputs, "BLOCK_SIZE", 64)
    monkeypatch.setattr(report, "COMBINE_EVERY", combine_every)
    text = LATE + "x" * 10 + "\n" + LATEST + EARLY + LATE + "noise\n"
    row = _json("-", input=text.encode())
    assert (row["count"], row["last_seen"]) == (4, "2024-05-01T10:30:00.000")
    assert row["last"] == {"file": "<stdin>", "line": 3}
    assert row["sample"]["line"] == 4
    tied = LATE + "x" * 10 + "\n" + EARLY + LATE + "noise\n" + LATE
    assert _json("-", input=tied.encode())["last"] == {"file": "<stdin>", "line": 6}


def test_rows_read_in_the_map_step_name_the_same_latest(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "READ_TIMES_HERE", 1)
    log = tmp_path / "one.log"
    log.write_text(LATE + EARLY + "noise\n", encoding="utf-8")
    row = _json(log)
    assert (row["sample"]["line"], row["last"]) == (2, {"file": str(log), "line": 1})


def test_read_times_tells_where_the_later_of_a_row_s_two_lines_is():
    """Unit: ``latest_gap`` goes from the row's line (the earlier) to the later one (full
    before partial before none; ties and lines without a time: the last line)."""
    rows = [  # (row, count, first line, last line, last_gap)
        (0, 2, "[2024/05/01 10:20:01:000]: a", "[2024/05/01 09:50:05:130]: a", 5),
        (1, 2, "[2024/05/01 09:00:00:000]: b", "[2024/05/01 09:00:00:000]: b", 3),
        (2, 2, "09-02 10:50:35.972 c", "[2024/05/01 11:00:00:500]: c", 7),
        (3, 2, "no time d", "no time either d", 2),
        (4, 2, "14:03:08:0 IM SDK e", "14:03:07:5 IM SDK e", 1),
        (5, 1, "[2024/05/01 09:00:00:000]: f", "[2024/05/01 09:00:00:000]: f", 0),
        (6, 2, "[2024/05/01 09:00:00:000]: g", "09-02 10:50:35.972 g", 4),
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
        pl.lit(None, dtype=report.PARTIAL_SCHEMA[name]).alias(name)
        for name in (
            "first_ts",
            "last_ts",
            "first_partial",
            "last_partial",
            "no_year",
            "time_only",
            "latest_gap",
        )
    )
    read = report.read_times(partials)
    assert read.select("row", (pl.col("row") + pl.col("latest_gap")).alias("latest")).rows() == [
        (5, 0),
        (1, 4),
        (9, 9),
        (3, 5),
        (5, 4),
        (5, 5),
        (6, 6),
    ]


def test_markdown_and_text_say_where_it_was_last_seen(tmp_path):
    a, b = tmp_path / "facts-a.log", tmp_path / "facts-b.log"
    a.write_text(LATEST + EARLY, encoding="utf-8")
    b.write_text(LATE, encoding="utf-8")
    md = invoke("report", a, b, "-f", "markdown")
    assert (md.exit_code, md.stderr) == (0, "")
    lines = md.stdout.splitlines()
    at = lines.index(f"First seen at `{a}:2`:")
    assert lines[at + 1 : at + 7] == ["", "```", EARLY.strip(), "```", "", f"Last seen at `{a}:1`."]
    text = invoke("report", a, b)
    assert (text.exit_code, text.stderr) == (0, "")
    lines = text.stdout.splitlines()
    at = lines.index(f"    e.g. facts-a.log:2: {EARLY.strip()}")
    assert lines[at + 1] == "    last: facts-a.log:1"
    untimed = tmp_path / "untimed.log"
    untimed.write_text("login failed code: 208, desc: x\nlogin failed code: 208, desc: y\n", encoding="utf-8")
    md = invoke("report", untimed, "-f", "markdown")
    assert md.exit_code == 0
    assert f"Last line at `{untimed}:2` (file order: no timestamps)." in md.stdout.splitlines()
    text = invoke("report", untimed)
    assert text.exit_code == 0
    lines = text.stdout.splitlines()
    at = lines.index("    e.g. untimed.log:1 (file order: no timestamps): login failed code: 208, desc: x")
    assert lines[at + 1] == "    last: untimed.log:2 (file order: no timestamps)"


def test_a_code_seen_once_names_its_line_once(tmp_path):
    log = tmp_path / "once.log"
    log.write_text("noise\n" + EARLY, encoding="utf-8")
    assert _json(log)["last"] == {"file": str(log), "line": 2}
    md = invoke("report", log, "-f", "markdown")
    assert md.exit_code == 0
    assert "Last seen at" not in md.stdout and "Last line at" not in md.stdout
    text = invoke("report", log)
    assert text.exit_code == 0
    assert "    last:" not in text.stdout

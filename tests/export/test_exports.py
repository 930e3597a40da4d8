"""logscan events: one row per error line, typed, filtered, redacted, safe in spreadsheets."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ..conftest import EXPECTED, ROOT, done, invoke

TRUTH = json.loads((EXPECTED / "sample_events.json").read_text(encoding="utf-8"))
SECRET = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.QmFkU2VjcmV0"
#: The columns of an events export in Parquet, typed.
EVENTS_SCHEMA = {
    "file": pl.String, "line": pl.Int64, "timestamp": pl.Datetime("us"), "time_text": pl.String,
    "time_precision": pl.Categorical, "sdk": pl.Categorical,
    "platform": pl.Categorical, "pattern": pl.Categorical, "code": pl.Int64, "name": pl.String,
    "category": pl.Categorical, "kind": pl.Categorical, "description": pl.String, "text": pl.String,
}  # fmt: skip


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def test_parquet_has_one_typed_row_per_error_line(tmp_path):
    out = tmp_path / "ev.parquet"
    r = invoke("events", "sample_logs", "-o", out)
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "")
    frame = pl.read_parquet(out)
    assert frame.columns == ["file", "line", "timestamp", "time_text", "time_precision", "sdk", "platform",
                             "pattern", "code", "name",
                             "category", "kind", "description", "text"]  # fmt: skip
    assert frame.schema["line"] == pl.Int64 and frame.schema["code"] == pl.Int64
    assert frame.schema["timestamp"] == pl.Datetime("us") and frame.schema["sdk"] == pl.Categorical
    assert dict(frame.schema) == EVENTS_SCHEMA
    got = frame.select(pl.col("file").str.strip_prefix("sample_logs/"), "line", "sdk", "code")
    expected = pl.DataFrame(
        [(k, line, sdk, code) for k, rows in TRUTH.items() for line, sdk, code in rows],
        schema={"file": pl.String, "line": pl.Int64, "sdk": pl.Categorical, "code": pl.Int64},
        orient="row",
    )
    assert_frame_equal(got.sort(pl.all()), expected.sort(pl.all()), categorical_as_str=True)


def test_ndjson_to_stdout_pipes(tmp_path):
    r = invoke("events", "sample_logs/core")
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert r.exit_code == 0 and len(rows) == len(TRUTH["core/easemob.log"])
    assert rows[0]["file"] == "sample_logs/core/easemob.log" and isinstance(rows[0]["code"], int)
    assert rows[0]["timestamp"].startswith("20")


@pytest.mark.parametrize(
    ("args", "codes"),
    [
        (["--code", "302"], {302}),
        (["--sdk", "web"], {16, -1, 2, 510, 704}),
        (["--kind", "session", "--category", "user"], {206, 207, 217}),
        (["--since", "2024-05-01T10:20:00", "--until", "2024-05-01T10:45:00", "--code", "217"], {217}),
    ],
)
def test_filters(args, codes):
    r = invoke("events", "sample_logs/ticket-4711", *args)
    assert r.exit_code == 0
    assert {json.loads(x)["code"] for x in r.stdout.splitlines()} == codes


def test_bad_filter_values_exit_2():
    r = invoke("events", "sample_logs/core", "--kind", "nope")
    assert r.exit_code == 2 and "'nope' is not a kind" in r.stderr


def test_planted_secret_never_appears_and_csv_cells_are_safe(tmp_path):
    log = tmp_path / "s.log"
    log.write_text(f"E/ChatDemo(1): Login failed! code: 202 error: =HYPERLINK(\"x\") token={SECRET}\n"
                   f"14:03:07:5 IM SDK: {{type: -1, message: \"@cmd {SECRET}\"}}\n", encoding="utf-8")  # fmt: skip
    for ext in ("csv", "ndjson", "json", "parquet"):
        out = tmp_path / f"e.{ext}"
        assert invoke("events", log, "-o", out).exit_code == 0
        assert SECRET.encode() not in out.read_bytes(), ext
    with (tmp_path / "e.csv").open(newline="", encoding="utf-8") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    assert not [
        c
        for c in cells
        if c[:1] in ("=", "+", "@", "\t", "\r") or (c[:1] == "-" and not c.lstrip("-").isdigit())
    ]
    assert "-1" in cells  # a web code stays a number


def test_json_is_one_array(tmp_path):
    out = tmp_path / "e.json"
    done("events", "sample_logs/unity", "-o", out)
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert len(rows) == len(TRUTH["unity/Player.log"]) and rows[0]["pattern"] == "unity-code-desc"


def test_empty_export_is_still_a_valid_file(tmp_path):
    log = tmp_path / "quiet.log"
    log.write_text("nothing\n", encoding="utf-8")
    for ext in ("parquet", "json", "csv"):
        out = tmp_path / f"e.{ext}"
        assert invoke("events", log, "-o", out).exit_code == 0
    assert_frame_equal(pl.read_parquet(tmp_path / "e.parquet"), pl.DataFrame(schema=EVENTS_SCHEMA))
    assert json.loads((tmp_path / "e.json").read_text()) == []
    assert (tmp_path / "e.csv").read_text().startswith("file,line,timestamp")


def test_a_failed_export_leaves_no_file(tmp_path, monkeypatch):
    import logscan.export.events

    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(logscan.export.events, "export_events", boom)
    out = tmp_path / "e.csv"
    r = invoke("events", "sample_logs/core", "-o", out)
    assert r.exit_code == 2 and not out.exists() and list(tmp_path.iterdir()) == []


def test_a_planted_secret_survives_in_no_output_at_all(tmp_path):
    email = "jane.doe@example.com"
    log = tmp_path / "planted.log"
    log.write_text(
        f"E/ChatDemo(1): Login failed! code: 202 error: token={SECRET} password=hunter2 {email}\n"
        f"[2024/05/01 10:00:00:001]: EMSessionManager::login failed, code: 4242, desc: Authorization: Bearer {SECRET}\n",
        encoding="utf-8",
    )
    outputs = []
    for fmt in ("table", "json", "markdown", "csv", "html"):
        outputs.append(done("report", log, "-f", fmt).stdout)
    for fmt in ("text", "github", "sarif", "junit", "json"):
        outputs.append(done("check", log, "-f", fmt, exit_code=1).stdout)
    for ext in ("csv", "ndjson", "json", "parquet"):
        out = tmp_path / f"e.{ext}"
        done("events", log, "-o", out)
        outputs.append(out.read_bytes().decode("utf-8", "replace"))
    out = tmp_path / "r.parquet"
    done("report", log, "-o", out)
    outputs.append(out.read_bytes().decode("utf-8", "replace"))
    for text in outputs:
        assert SECRET not in text and "hunter2" not in text and email not in text
    assert SECRET in done("events", log, "--no-redact").stdout


def test_events_of_several_small_files_come_file_by_file(tmp_path):
    """Regression: small files are scanned in one batch; their events are exported file by
    file, each in line order (not interleaved by line number)."""
    for name in ("a.log", "b.log", "c.log"):
        (tmp_path / name).write_text(
            "".join(f"E/App: login failed! code: 20{i} error: x\n" for i in range(3))
        )
    r = invoke("events", tmp_path, "-f", "csv")
    assert r.exit_code == 0 and r.stderr == ""
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [(Path(row["file"]).name, row["line"]) for row in rows] == [
        (name, str(line)) for name in ("a.log", "b.log", "c.log") for line in (1, 2, 3)
    ]


def test_a_write_cut_short_is_finished_or_fails_loudly():
    """Regression: a buffered stream wrote 64 KiB of a large export when the reader of the pipe
    went away and said so only in its return value; the rest was lost and the run exited 0.
    write_all writes the rest, so the closed pipe surfaces as BrokenPipeError."""
    from logscan.outputs import write_all

    class Partial:
        def __init__(self, fail_after: int | None) -> None:
            self.got, self.fail_after = b"", fail_after

        def write(self, data: memoryview) -> int:
            if self.fail_after is not None and len(self.got) >= self.fail_after:
                raise BrokenPipeError(32, "Broken pipe")
            chunk = bytes(data[:7])
            self.got += chunk
            return len(chunk)

    whole = Partial(None)
    write_all(whole, b"0123456789" * 5)
    assert whole.got == b"0123456789" * 5
    with pytest.raises(BrokenPipeError):
        write_all(Partial(14), b"0123456789" * 5)


def test_microseconds_are_kept_where_the_log_has_them(tmp_path):
    """Regression: iOS's six digits were cut to milliseconds in JSON, NDJSON and CSV (Parquet kept them)."""
    log = tmp_path / "ios.log"
    log.write_text(
        "2024-05-01 10:00:00.123456+0800 App[1:2] send message error code: 209\n"
        "2024-05-01 10:00:01.500000+0800 App[1:2] send message error code: 209\n",
        encoding="utf-8",
    )
    r = invoke("events", log, "-f", "ndjson")
    assert r.exit_code == 0 and r.stderr == ""
    assert [json.loads(line)["timestamp"] for line in r.stdout.splitlines()] == [
        "2024-05-01T10:00:00.123456",
        "2024-05-01T10:00:01.500",
    ]
    r = invoke("events", log, "-f", "csv")
    assert [row["timestamp"] for row in csv.DictReader(io.StringIO(r.stdout))] == [
        "2024-05-01T10:00:00.123456",
        "2024-05-01T10:00:01.500",
    ]
    data = done("report", log, "-f", "json").json()
    assert (data["span"]["first"], data["span"]["last"]) == (
        "2024-05-01T10:00:00.123456",
        "2024-05-01T10:00:01.500",
    )
    assert (data["codes"][0]["first_seen"], data["codes"][0]["last_seen"]) == (
        "2024-05-01T10:00:00.123456",
        "2024-05-01T10:00:01.500",
    )

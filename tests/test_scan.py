"""The engine on bytes: line splitting, encodings, line numbers across blocks."""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from logscan.aggregate.report import partial_counts
from logscan.inputs import iter_sources, plain_block_spans
from logscan.match.matcher import Matcher, match_lines, read_lines, scan_bytes
from logscan.match.patterns import load_patterns
from logscan.run.engine import Engine, keep_events

from .conftest import ROOT

MATCHER = Matcher.build(load_patterns())
ERR = "E/ChatDemo(1234): Login failed! code: {} error: x"


def test_read_lines_keeps_empty_lines_and_strips_crlf():
    frame = read_lines(b"a\r\n\nb\nlast")
    assert frame["line"].to_list() == ["a", "", "b", "last"]
    assert frame["row"].to_list() == [0, 1, 2, 3]
    assert read_lines(b"a\n")["line"].to_list() == ["a"]
    assert read_lines(b"").height == 0


def test_invalid_utf8_is_replaced_not_dropped():
    data = b"noise \xff\xfe here\n" + (ERR.format(208) + " \xc3\x28\n").encode("latin-1")
    block = scan_bytes(data, MATCHER)
    assert block.events.select("row", "code").rows() == [(1, 208)]
    assert "\ufffd" in block.events["text"][0]
    assert block.newlines == 2


def test_nul_bytes_do_not_hide_lines():
    data = b"\x00\x00binary\x00\n" + ERR.format(300).encode() + b"\n"
    assert scan_bytes(data, MATCHER).events["code"].to_list() == [300]


def test_event_columns_and_types():
    block = scan_bytes((b"[2017/3/1 19:30:28:216]: [global listener] onDisconnect303\n"), MATCHER)
    row = block.events.row(0, named=True)
    assert row["sdk"] == "native" and row["platform"] == "core" and row["pattern"] == "core-disconnect"
    assert row["code"] == 303 and row["description"] is None
    assert row["timestamp"] == datetime(2017, 3, 1, 19, 30, 28, 216000) and row["time_precision"] == "full"
    assert block.events.schema["code"] == pl.Int64


def test_long_lines_are_capped_in_events():
    line = ERR.format(208) + " " + "x" * 5000
    text = scan_bytes(line.encode(), MATCHER).events["text"][0]
    assert len(text) < 2100 and text.endswith("…[cut]")


def _lines_and_codes(path, block_size, workers=1):
    with Engine(MATCHER, workers=workers, block_size=block_size) as engine:
        frames = list(engine.run(iter_sources([path]), keep_events))
        stats = engine.stats
    events = pl.concat([f for f in frames if not f.is_empty()])
    return events.select("line", "code").rows(), stats.sources[0]


def _pool_from_the_start(monkeypatch) -> None:
    """Every block goes to the worker pool: it starts at once, blocks wait for it to be up, and
    its queue has room for every block in flight (otherwise this process scans blocks itself
    while the workers start, or while they are busy: how many depends on the machine's speed)."""
    import logscan.run.engine as engine_module

    def ready(self) -> bool:
        for future in self._warmup:
            future.result()
        return self._pool is not None

    monkeypatch.setattr(engine_module, "POOL_THRESHOLD", 0)
    monkeypatch.setattr(engine_module, "QUEUE_PER_WORKER", 1 << 20)
    monkeypatch.setattr(engine_module.Engine, "_pool_ready", ready)


def _optional_description():
    """A pattern whose description may be missing from a line."""
    from logscan.match.patterns import Pattern

    return Pattern(
        "a",
        "native",
        "android",
        r"A code=(?P<code>\d+)(?: desc=(?P<description>.*))?",
        "t",
        1,
        has_description=True,
    )


def test_line_numbers_are_exact_across_block_boundaries(tmp_path):
    lines = []
    expected = []
    for i in range(1, 2001):
        if i % 7 == 0:
            lines.append(ERR.format(200 + i % 5))
            expected.append((i, 200 + i % 5))
        else:
            lines.append(f"noise line {i} with code-like 4242 numbers errno: 110")
    path = tmp_path / "big.log"
    path.write_text("\n".join(lines), encoding="utf-8")  # no final newline
    for block_size in (1000, 1 << 20):
        got, stats = _lines_and_codes(path, block_size)
        assert got == expected
        assert stats.lines == 2000
        assert stats.bytes == path.stat().st_size


def test_tiny_blocks_and_a_line_longer_than_a_block(tmp_path):
    long_noise = "y" * 300
    text = f"{long_noise}\n{ERR.format(208)}\n{long_noise}{long_noise}\n\n{ERR.format(209)}"
    path = tmp_path / "t.log"
    path.write_text(text, encoding="utf-8")
    got, stats = _lines_and_codes(path, 64)
    assert got == [(2, 208), (5, 209)]
    assert stats.lines == 5


def test_worker_pool_gives_the_same_events(tmp_path, monkeypatch):

    _pool_from_the_start(monkeypatch)
    path = tmp_path / "big.log"
    path.write_text("".join(f"{ERR.format(201 + i % 3)}\nnoise {i}\n" for i in range(3000)), encoding="utf-8")
    inline, _ = _lines_and_codes(path, 4096, workers=1)
    pooled, stats = _lines_and_codes(path, 4096, workers=2)
    assert pooled == inline and len(inline) == 3000
    assert stats.lines == 6000


@pytest.mark.parametrize("room", [False, True])
def test_this_process_scans_the_blocks_the_pool_has_no_room_for(tmp_path, monkeypatch, room):
    """The main process is one of the scanners: a block goes to the pool only while fewer than
    QUEUE_PER_WORKER blocks per worker wait there; the others it scans itself. Same events."""
    import logscan.run.engine as engine_module

    _pool_from_the_start(monkeypatch)
    monkeypatch.setattr(engine_module, "QUEUE_PER_WORKER", 1 << 20 if room else 0)
    monkeypatch.setattr(engine_module, "SMALL_FILE", 0)  # blocks, not a batch
    submitted = []
    monkeypatch.setattr(
        engine_module.Engine, "_queue", lambda self, future: submitted.append(future) or future
    )
    path = tmp_path / "big.log"
    path.write_text("".join(f"{ERR.format(201 + i % 3)}\nnoise {i}\n" for i in range(3000)), encoding="utf-8")
    inline, _ = _lines_and_codes(path, 4096, workers=1)
    shared, stats = _lines_and_codes(path, 4096, workers=2)
    assert shared == inline and len(inline) == 3000 and stats.lines == 6000
    blocks = len(list(plain_block_spans(path, path.stat().st_size, 4096)))
    assert blocks == 45 and len(submitted) == (blocks if room else 0)


@pytest.mark.parametrize("spool", ["memory", "unwritable"])
def test_decompressed_blocks_reach_the_workers_and_leave_no_spool_files(tmp_path, monkeypatch, spool):
    """Blocks of a .gz go to the workers in spool files (or, where none can be written, by
    pipe): the same events as in process, and nothing is left behind."""
    import gzip

    import logscan.run.engine as engine_module

    _pool_from_the_start(monkeypatch)
    spools = tmp_path / "spools"
    spools.mkdir()
    made = []

    def spool_dir():
        path = spools / f"run{len(made)}"
        made.append(path)
        if spool == "memory":
            path.mkdir()
        return str(path)  # "unwritable": the directory does not exist, every write fails

    monkeypatch.setattr(engine_module, "_spool_dir", spool_dir)
    handed = []
    spool_block = engine_module.Engine._spool_block

    def counted(self, data):
        handed.append(type(item := spool_block(self, data)).__name__)
        return item

    monkeypatch.setattr(engine_module.Engine, "_spool_block", counted)
    text = "".join(f"{ERR.format(201 + i % 3)}\nnoise {i}\n" for i in range(3000))
    plain = tmp_path / "big.log"
    plain.write_text(text, encoding="utf-8")
    packed = tmp_path / "big.log.gz"
    packed.write_bytes(gzip.compress(text.encode()))
    inline, _ = _lines_and_codes(plain, 4096, workers=1)
    pooled, stats = _lines_and_codes(packed, 4096, workers=2)
    assert pooled == inline and len(inline) == 3000
    assert stats.lines == 6000
    assert len(made) == 1 and list(spools.iterdir()) == []
    assert handed and set(handed) == {"_Spooled" if spool == "memory" else "bytes"}


def test_partial_counts_of_a_block():
    data = "\n".join(
        [
            ERR.format(204),
            "[2017/3/1 9:59:52:664]: Login failed! code: 204 error: y",
            "noise",
            ERR.format(500),
        ]
    ).encode()
    partial = partial_counts(scan_bytes(data, MATCHER, describe=False).events, MATCHER)
    rows = partial.select("sdk", "code", "count", "row", "log_description").rows()
    assert rows == [("native", 204, 2, 0, "x"), ("native", 500, 1, 3, "x")]


def test_patterns_without_literals_scan_every_line():
    from logscan.match.patterns import Pattern

    bare = Pattern(name="bare", sdk="native", platform="x", regex=r"(?P<code>\d+)!", source="t", line=1)
    matcher = Matcher.build([bare])
    assert matcher.literals is None
    events = scan_bytes(b"a 12!\nb 7\n30!\n", matcher).events
    assert events.select("row", "code").rows() == [(0, 12), (2, 30)]


@pytest.mark.parametrize("pooled", [False, True])
def test_small_files_are_batched_with_exact_lines_and_stats(tmp_path, monkeypatch, pooled):
    import logscan.run.engine as engine_module

    if pooled:
        _pool_from_the_start(monkeypatch)
    monkeypatch.setattr(engine_module, "BATCH_FILES", 7)  # several batches
    expected, sizes = set(), {}
    for i in range(20):
        lines = [f"noise {i} {j}" for j in range(i % 5 + 1)]
        lines.insert(i % 3, ERR.format(200 + i))
        text = "\n".join(lines) + ("" if i % 4 == 0 else "\n")
        path = tmp_path / f"f{i:02d}.log"
        path.write_text(text, encoding="utf-8")
        expected.add((str(path), lines.index(ERR.format(200 + i)) + 1, 200 + i))
        sizes[str(path)] = (len(lines), len(text))
    (tmp_path / "zz-empty.log").write_text("", encoding="utf-8")
    with Engine(MATCHER, workers=2) as engine:
        frames = list(engine.run(iter_sources([tmp_path]), keep_events))
        stats = engine.stats
    events = pl.concat([f for f in frames if not f.is_empty()])
    assert set(events.select("file", "line", "code").iter_rows()) == expected
    got = {s.name: (s.lines, s.bytes) for s in stats.sources}
    assert got == {**sizes, str(tmp_path / "zz-empty.log"): (0, 0)}


def test_a_batch_of_small_files_keeps_line_numbers_whatever_their_line_ends_and_bytes(tmp_path):
    """Regression for the batch's row-to-file mapping (from line lengths where they add up):
    CRLF, bad UTF-8 (replaced: longer lines), both in one file (lengths that could add up by
    chance), empty files and a missing final newline; lines and stats exact."""
    err = ERR.format(201).encode()
    files = {
        "a.log": b"x\r\n" + err + b"\r\nend\r\n",
        "b.log": b"bad \xe2\x82 byte\n" + err,
        "c.log": b"",
        "d.log": b"crlf\r\n" + err + b"\nbad \xe2\x82\n",
        "e.log": b"one\ntwo\n" + err + b"\n",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    with Engine(MATCHER, workers=1) as engine:
        frames = list(engine.run(iter_sources([tmp_path]), keep_events))
        stats = engine.stats
    events = pl.concat([f for f in frames if not f.is_empty()])
    assert sorted(events.select(pl.col("file").str.extract(r"(\w)\.log$"), "line").rows()) == [
        ("a", 2), ("b", 2), ("d", 2), ("e", 3)
    ]  # fmt: skip
    lines = {"a.log": 3, "b.log": 2, "c.log": 0, "d.log": 3, "e.log": 3}
    assert [(Path(s.name).name, s.lines, s.bytes) for s in stats.sources] == [
        (name, lines[name], len(data)) for name, data in files.items()
    ]


@pytest.mark.parametrize("small", [False, True])
def test_a_file_that_cannot_be_read_any_more_is_named_and_the_others_are_whole(tmp_path, monkeypatch, small):
    """Regression: a block of A that failed to read (A rotated away after it was listed) was
    blamed on B, which was then cut short, or crashed the run. Now A is unreadable from that
    block on (what was read before it counts), B is whole; blocks or a batch of small files."""
    import logscan.run.engine as engine_module
    from logscan import inputs

    if not small:
        monkeypatch.setattr(engine_module, "SMALL_FILE", 0)
    lines = [ERR.format(201 + i % 3) for i in range(300)]
    for name in ("a.log", "b.log", "c.log"):
        (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    real = inputs.read_span

    def rotated(path, offset, length, identity=None):
        if path.name == "b.log" and offset >= (0 if small else 4096):
            raise FileNotFoundError(2, "No such file or directory", str(path))
        return real(path, offset, length, identity)

    monkeypatch.setattr(inputs, "read_span", rotated)
    with Engine(MATCHER, workers=1, block_size=4096) as engine:
        events = pl.concat(engine.run(iter_sources([tmp_path]), keep_events), how="diagonal_relaxed")
        stats = engine.stats
    assert [(Path(u.name).name, u.reason) for u in stats.unreadable] == [
        ("b.log", "no such file or directory")
    ]
    got = {Path(s.name).name: s.lines for s in stats.sources}
    counts = events.group_by(pl.col("file").str.extract(r"(\w)\.log$")).len().sort("file").rows()
    if small:
        assert got == {"a.log": 300, "b.log": 0, "c.log": 300}
        assert counts == [("a", 300), ("c", 300)]
    else:  # b's first block was read (it counts), then b was gone
        b = tmp_path / "b.log"
        _, length, _ = next(plain_block_spans(b, b.stat().st_size, 4096))
        first = real(b, 0, length).count(b"\n")
        assert got == {"a.log": 300, "b.log": first, "c.log": 300} and 0 < first < 300
        assert counts == [("a", 300), ("b", first), ("c", 300)]


def test_first_rows_of_joined_files_where_line_lengths_mislead():
    """A CR taken off one file's line and bad UTF-8 made longer in another's can add up to the
    block's length while the rows in between are shifted: such blocks are counted instead."""
    from logscan.run.engine import _first_rows

    parts = [b"a\r\n", b"\n", b"\xe2\x82\n", b"z\n"]
    data = b"".join(parts)
    lines = read_lines(data)
    assert lines.select(pl.col("line").str.len_bytes().sum() + pl.len()).item() == len(data)
    assert _first_rows(lines, data, [len(p) for p in parts]) == [0, 1, 2, 3]
    plain = [b"a\n", b"", b"bb\n\n", b"c\n"]
    assert _first_rows(read_lines(b"".join(plain)), b"".join(plain), [len(p) for p in plain]) == [0, 1, 1, 3]


def _reference_events(lines: list[str], patterns) -> list[tuple[int, int, str]]:
    """What the engine must find, line by line with the ``regex`` package: for each line the
    match with a code that starts leftmost, at the same position the pattern listed first;
    then that pattern's ``exclude`` (on the line up to the end of the match, a description
    that ends the line left out) and code 0 drop the line."""
    import regex

    from logscan.match.matcher import _empty_tail_description

    compiled = [(p, regex.compile(_empty_tail_description(p.regex), regex.ASCII)) for p in patterns]
    out = []
    for row, line in enumerate(lines):
        found = [
            (m.start(), i, p, m)
            for i, (p, r) in enumerate(compiled)
            if (m := r.search(line)) and m.group("code")
        ]
        if not found:
            continue
        _start, _i, pattern, match = min(found, key=lambda f: (f[0], f[1]))
        if pattern.exclude and regex.search(pattern.exclude, line[: match.end()], regex.ASCII):
            continue
        code = int(match.group("code")) if match.group("code") is not None else 0
        if code != 0 and -(2**63) <= code < 2**63:
            out.append((row, code, pattern.name))
    return out


def _fragments() -> list[str]:
    patterns = load_patterns()
    pieces = [s.line for p in patterns for s in p.samples] + [c for p in patterns for c in p.counter_samples]
    return sorted(set(pieces))


def test_where_patterns_compete_the_leftmost_match_wins_then_the_first_listed():
    from logscan.match.patterns import Pattern

    def pattern(name: str, regex: str) -> Pattern:
        return Pattern(name=name, sdk="native", platform="x", regex=regex, source="t", line=1)

    late = pattern("late", r"code=(?P<code>\d+)")
    early = pattern("early", r"err(?:or)? (?P<code>\d+)")
    same = pattern("same", r"code=(?P<code>\d)")
    # Its code is optional: where it matches without one, it does not compete (regression: it
    # won the line, and the code another pattern found further along was lost).
    optional = pattern("optional", r"foo(?: code (?P<code>\d+))?")
    matcher = Matcher.build([late, early, same, optional])
    lines = [
        "error 7 then code=208",
        "code=208 then error 7",
        "code=5",
        "nothing here",
        "foo error 9",
        "foo code 3",
    ]
    events = match_lines(lines, matcher)
    assert events.select("row", "code", "pattern").rows() == [
        (0, 7, "early"),  # leftmost, though listed second
        (1, 208, "late"),  # leftmost
        (2, 5, "late"),  # same start as "same": the first listed wins
        (4, 9, "early"),  # "optional" matched first, without a code
        (5, 3, "optional"),
    ]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(_fragments()), min_size=1, max_size=3),
            st.sampled_from([" ", ", ", " | ", "", "\t", " -> "]),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_the_engine_agrees_with_a_line_by_line_reference(parts):
    """Lines made of several patterns' samples and traps: the engine (one alternation to
    find lines, each pattern on its own to capture) finds what the reference finds."""
    patterns = list(load_patterns())
    lines = [separator.join(pieces) for pieces, separator in parts]
    events = match_lines(lines, Matcher.build(patterns))
    assert events.select("row", "code", "pattern").rows() == _reference_events(lines, patterns)


def test_the_engine_agrees_with_the_reference_on_every_sample_log():
    patterns = list(load_patterns())
    logs = sorted(p for p in (ROOT / "sample_logs").rglob("*") if p.suffix in (".log", ".txt"))
    assert len(logs) == 12
    total = 0
    for log in logs:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
        events = match_lines(lines, Matcher.build(patterns))
        assert events.select("row", "code", "pattern").rows() == _reference_events(lines, patterns), log.name
        total += events.height
    assert total > 100


def test_descriptions_are_the_same_line_by_line_and_vectorised(monkeypatch):
    """Few events are described line by line in Python, many by the engine: the same text."""
    import logscan.match.matcher as scan_module

    lines = []
    for log in sorted(p for p in (ROOT / "sample_logs").rglob("*") if p.suffix in (".log", ".txt")):
        lines += log.read_text(encoding="utf-8", errors="replace").splitlines()
    events = match_lines(lines, MATCHER)
    undescribed = events.with_columns(pl.lit(None, dtype=pl.String).alias("description"))
    monkeypatch.setattr(scan_module, "DESCRIBE_VECTORISED", 10**9)
    by_line = scan_module.describe_events(undescribed, MATCHER)
    monkeypatch.setattr(scan_module, "DESCRIBE_VECTORISED", 0)
    vectorised = scan_module.describe_events(undescribed, MATCHER)
    assert by_line["description"].to_list() == vectorised["description"].to_list()
    assert by_line["description"].drop_nulls().len() > 60
    assert by_line.equals(events)


def test_the_sample_of_a_code_is_its_first_occurrence_across_batched_files(tmp_path):
    """Regression: in a batch of small files rows are numbered per file; the sample (and the
    log's description) must come from the first file, not from the lowest line number."""
    from logscan.aggregate.report import scan_report
    from logscan.decode.catalogue import load_catalogue

    (tmp_path / "a.log").write_text(
        "hello\n" * 9 + "E/App: login failed! code: 204 error: User not found A\n"
    )
    (tmp_path / "b.log").write_text("E/App: login failed! code: 204 error: User not found B\n")
    report = scan_report(
        iter_sources([tmp_path / "a.log", tmp_path / "b.log"]), MATCHER, load_catalogue(), workers=1
    )
    row = report.codes.row(0, named=True)
    assert (row["sample_file"], row["sample_line"], row["count"]) == (str(tmp_path / "a.log"), 10, 2)
    assert row["log_description"] == "User not found A"


def test_spool_directories_of_runs_that_died_are_removed(tmp_path):
    """A run killed outright (kill -9, out of memory) cannot clean up: a later run removes its spool
    directory once it is an hour old, and nothing that is not one."""
    import subprocess
    import sys

    from logscan.run.engine import _remove_orphans

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead = gone.stdout.strip()
    names = {
        f"logscan-{dead}-abcd_123": "removed",  # dead, an hour old
        f"logscan-{dead}-young123": "kept",  # dead, but too recent to be sure (another PID namespace?)
        f"logscan-{os.getpid()}-alive123": "kept",  # this process
        "logscan-2024-05-01": "kept",  # a user's own folder
        "logscan-99999999999999999999-abcdefgh": "kept",  # no such pid
        "logscan-\u00b2-abcdefgh": "kept",  # not ASCII digits
    }
    for name in names:
        (tmp_path / name / "sub").mkdir(parents=True)
        (tmp_path / name / "0.block").write_bytes(b"x")
    (tmp_path / f"logscan-{dead}-file1234").write_bytes(b"a file, not a spool")
    now = time.time()
    for name in names:
        if "young" not in name:
            os.utime(tmp_path / name, (now - 7200, now - 7200))
    _remove_orphans(str(tmp_path), now=now)
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {n for n, fate in names.items() if fate == "kept"} | {f"logscan-{dead}-file1234"}


def test_a_spool_write_that_fails_loses_no_block(tmp_path, monkeypatch):
    """Regression: when /dev/shm fills up mid-run, the blocks already spooled still reach the
    workers; the rest go by pipe."""
    import builtins
    import gzip

    import logscan.run.engine as engine_module

    writes = []

    def open_failing_on_the_fourth_block(path, mode="r", *args, **kwargs):
        if mode == "wb" and str(path).endswith(".block"):
            writes.append(path)
            if len(writes) == 4:
                raise OSError(28, "No space left on device")
        return builtins.open(path, mode, *args, **kwargs)

    _pool_from_the_start(monkeypatch)
    monkeypatch.setattr(engine_module, "open", open_failing_on_the_fourth_block, raising=False)
    packed = tmp_path / "big.log.gz"
    packed.write_bytes(
        gzip.compress(b"".join(ERR.format(201 + i % 3).encode() + b"\n" for i in range(20000)))
    )
    with Engine(MATCHER, workers=2, block_size=64 << 10) as engine:
        total = sum(
            int(f["count"].sum()) for f in engine.run(iter_sources([packed]), partial_counts) if f.height
        )
        stats = engine.stats
    assert len(writes) == 4 and total == 20000 and stats.unreadable == []


@pytest.mark.parametrize(("timeline", "times_read_in_map"), [(True, False), (False, False), (False, True)])
def test_combining_partials_on_the_way_gives_the_same_report(
    tmp_path, monkeypatch, timeline, times_read_in_map
):
    """The merge combines partials as they come (memory stays flat): the report is the same,
    views and timeline included, where codes recur across blocks and files."""
    import functools

    import logscan.aggregate.report as report_module
    import logscan.run.engine as engine_module
    from logscan.decode.catalogue import load_catalogue

    for name, minute in (("a.log", 10), ("b.log", 5)):
        lines = []
        for i in range(300):
            stamp = f"2024-05-01 10:{minute + i // 40:02d}:{i % 60:02d}.000"
            lines.append(f"{stamp} E/App: login failed! code: {200 + i % 3} error: text {i}")
            lines.append(
                f"05-01 10:{i % 60:02d}:00.000  11  22 E Chat: onError code: 30{i % 2} error: late {i}"
            )
            lines.append(f"14:03:{i % 60:02d}:5 IM SDK [error]: {{type: 16, message: 'web {i}'}}")
        (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(engine_module, "SMALL_FILE", 0)  # no batches: many small blocks
    monkeypatch.setattr(report_module, "READ_TIMES_HERE", 1 if times_read_in_map else 10**9)
    mapper = functools.partial(partial_counts, every="1m") if timeline else partial_counts
    with Engine(MATCHER, workers=1, block_size=4096) as engine:
        frames = list(engine.run(iter_sources([tmp_path]), mapper))
        stats = engine.stats
    assert len(frames) > 20
    views = ("kind", "file", "platform", "time") if timeline else ("kind", "file", "platform")

    def report(every: int) -> dict:
        monkeypatch.setattr(report_module, "COMBINE_EVERY", every)
        built = report_module.build_report(report_module.merge(frames), stats, load_catalogue(), views=views)
        return built.to_dict()

    whole = report(10**9)
    assert whole["events"] == 1800 and len(whole["codes"]) == 6 and bool(whole.get("timeline")) is timeline
    seen = {(c["code"], c["first_seen"], c["last_seen"]) for c in whole["codes"]}
    assert (200, "2024-05-01T10:05:00.000", "2024-05-01T10:17:57.000") in seen
    assert (16, "14:03:00.005", "14:03:59.005") in seen
    assert (301, "--05-01T10:01:00.000", "--05-01T10:59:00.000") in seen
    assert report(1) == whole
    assert report(7) == whole


def test_which_description_a_report_shows_does_not_depend_on_combining(tmp_path, monkeypatch):
    """Regression: a code's description is the first found in the input, also when blocks of
    several platforms interleave and partials are combined on the way."""
    import logscan.aggregate.report as report_module
    import logscan.run.engine as engine_module
    from logscan.decode.catalogue import load_catalogue
    from logscan.match.patterns import Pattern

    patterns = [
        _optional_description(),
        Pattern(
            "b",
            "native",
            "ios",
            r"B code=(?P<code>\d+) desc=(?P<description>.*)",
            "t",
            2,
            has_description=True,
        ),
    ]
    pad = "x" * 200
    (tmp_path / "a.log").write_text(
        f"A code=2\n{pad}\nB code=2 desc=from ios\n{pad}\nA code=2 desc=from android\n"
    )
    monkeypatch.setattr(engine_module, "SMALL_FILE", 0)
    with Engine(Matcher.build(patterns), workers=1, block_size=64) as engine:
        frames = list(engine.run(iter_sources([tmp_path]), partial_counts))
        stats = engine.stats
    shown = []
    for every in (10**9, 2, 1):
        monkeypatch.setattr(report_module, "COMBINE_EVERY", every)
        report = report_module.build_report(report_module.merge(frames), stats, load_catalogue())
        shown.append(report.to_dict()["codes"][0]["log_description"])
    assert shown == ["from ios"] * 3


def test_workers_started_early_are_adopted_by_the_engine(tmp_path, monkeypatch):
    """A large scan (a file, or a folder of files) starts its workers before the patterns are
    loaded; the engine then uses those, and a small one (or a missing path) starts none."""
    import logscan.run.engine as engine_module
    from logscan.run import pool

    logs = tmp_path / "logs"
    (logs / "small").mkdir(parents=True)
    (logs / "small" / "a.log").write_text("noise\n", encoding="utf-8")
    path = logs / "big.log"
    path.write_text("".join(f"{ERR.format(201 + i % 3)}\nnoise {i}\n" for i in range(3000)), encoding="utf-8")
    monkeypatch.setattr(pool, "POOL_THRESHOLD", path.stat().st_size - 1)
    pool.prestart([logs / "small", tmp_path / "missing.log"], 2)
    assert pool._prestarted == {}
    pool.prestart([tmp_path], 2)
    early = pool._prestarted[1][0]  # this process scans too: one worker
    monkeypatch.setattr(engine_module, "POOL_THRESHOLD", 0)
    with Engine(MATCHER, workers=2, block_size=4096) as engine:
        frames = list(engine.run(iter_sources([path]), keep_events))
        assert engine._pool is early
    assert pool._prestarted == {}
    assert sum(f.height for f in frames) == 3000


def test_the_main_process_takes_the_workers_settings_before_polars_loads(monkeypatch):
    """It scans beside the workers: one polars thread each, memory handed back early; a value
    the user set is kept, and once polars is loaded nothing changes (it would be too late)."""
    import sys

    from logscan.run import pool

    monkeypatch.setenv("POLARS_MAX_THREADS", "3")
    monkeypatch.delenv("_RJEM_MALLOC_CONF", raising=False)
    pool.scan_here_too()  # polars is loaded in this process
    assert "_RJEM_MALLOC_CONF" not in os.environ
    monkeypatch.delitem(sys.modules, "polars")
    pool.scan_here_too()
    assert os.environ["POLARS_MAX_THREADS"] == "3"
    assert os.environ["_RJEM_MALLOC_CONF"] == pool.WORKER_ENVIRONMENT["_RJEM_MALLOC_CONF"]


def test_plain_bytes_walks_folders_only_as_far_as_needed(tmp_path):
    """The size that decides an early start: files and folders' files, the walk stopped once
    the threshold is passed; a link to a folder is not followed (no loop, no double count)."""
    from logscan.run import pool

    for name in ("a", "b", "c"):
        (tmp_path / "d" / name).mkdir(parents=True)
        (tmp_path / "d" / name / "x.log").write_bytes(b"x" * 100)
    (tmp_path / "d" / "a" / "loop").symlink_to(tmp_path / "d", target_is_directory=True)
    (tmp_path / "one.log").write_bytes(b"y" * 10)
    assert pool.plain_bytes([tmp_path / "d", tmp_path / "one.log", tmp_path / "gone"], 10_000) == 310
    assert pool.plain_bytes([tmp_path / "d", tmp_path / "one.log"], 150) == 200


def test_a_description_found_in_a_later_small_file_is_kept(tmp_path, monkeypatch):
    """Regression: in a batch of small files, a code's first occurrence without a description
    does not hide the description of its occurrence in a later file; batched or not, the same."""
    import logscan.run.engine as engine_module
    from logscan.aggregate.report import scan_report
    from logscan.decode.catalogue import load_catalogue

    optional = _optional_description()
    (tmp_path / "a.log").write_text("A code=2\n")
    (tmp_path / "b.log").write_text("A code=2 desc=from b\n")
    shown = []
    for small in (engine_module.SMALL_FILE, 0):
        monkeypatch.setattr(engine_module, "SMALL_FILE", small)
        report = scan_report(iter_sources([tmp_path]), Matcher.build([optional]), load_catalogue(), workers=1)
        shown.append(report.to_dict()["codes"][0]["log_description"])
    assert shown == ["from b", "from b"]


def _custom(*regexes: str):
    from logscan.match.patterns import Pattern

    return [
        Pattern(name=f"p{i}", sdk="native", platform="x", regex=regex, source="t", line=1)
        for i, regex in enumerate(regexes)
    ]


@pytest.mark.parametrize(
    ("regexes", "lines"),
    [
        # A word boundary before the match: "xcode=5" is not "\bcode", so the second wins.
        ((r"\bcode=(?P<code>\d+)", r"code=(?P<code>\d+)"), ["xcode=5", "code=6", "a code=7", "écode=8"]),
        # A boundary after the match, and a code cut short by it.
        (
            (r"err (?P<code>\d{1,3})\b", r"err (?P<code>\d+)"),
            ["err 12345 x", "err 123 x", "err 123x", "err 12"],
        ),
        # Anchors: the line's own start and end, whatever the flag spelling.
        (
            (r"^E (?P<code>\d+)", r"\AF (?P<code>\d+)\z", r"(?P<code>\d+)$"),
            ["E 4", "x E 4", "F 5", "F 5 ", "y 9"],
        ),
        # Classes that would match a newline (negated, \s, \D, \W) stay within the line.
        (
            (r"[^x]*code (?P<code>\d+)", r"\s*k(?P<code>\d+)", r"\Wz(?P<code>\d+)\D"),
            ["code 1", " k2", "-z3-", "z3"],
        ),
        # The context character before a match is a multibyte one.
        ((r"\bé(?P<code>\d+)", r"(?P<code>\d+)€"), ["xé1", " é2", "3€", "ü4€"]),
        # Patterns the framed search cannot run (a dot that matches newlines): the exact path.
        ((r"(?s)a.b(?P<code>\d+)", r"b(?P<code>\d+)"), ["axb1", "b2 axb3"]),
    ],
)
def test_framed_search_agrees_with_the_reference_at_the_edges(regexes, lines):
    """The one-pass search reads each line's winner from its match and the
    characters around it; word boundaries, anchors and classes at the match's edges must
    give what each pattern alone gives on the line."""
    patterns = _custom(*regexes)
    events = match_lines(lines, Matcher.build(patterns))
    assert events.select("row", "code", "pattern").rows() == _reference_events(lines, patterns)


def test_patterns_that_cannot_run_framed_use_the_exact_path():
    from logscan.match.dialect import for_lines

    assert for_lines(r"(?s)a.b") is None
    assert for_lines(r"a\nb") is None
    assert for_lines(r"[[:alpha:]]+") is None
    assert Matcher.build(_custom(r"(?s)a.b(?P<code>\d+)", r"b(?P<code>\d+)")).bounded is None
    assert Matcher.build(_custom(r"b(?P<code>\d+)")).bounded is not None


@pytest.mark.parametrize(
    "regex", [r"[^a-]+", r"[a-]+", r"[]x]+", r"\s+", r"\D+", r"\W+", r"\pL+", r"[\s\d]+", r".+"]
)
def test_framed_classes_never_match_a_newline(regex):
    from logscan.match.dialect import for_lines

    bounded = for_lines(regex)
    assert bounded is not None
    texts = pl.Series(["\n", "a\nb"])
    whole = texts.str.contains(f"^(?:{bounded})$")
    assert whole.to_list() == [False, False]


def _alone_one_by_one(pairs):
    out = []
    for pattern, line in pairs:
        events = match_lines([line], Matcher.build([pattern]))
        out.append(events["code"][0] if events.height else None)
    return out


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 100), st.sampled_from(_fragments())), min_size=1, max_size=40))
def test_each_pattern_alone_in_one_pass_is_each_pattern_alone(picks):
    """match_alone (a pattern's samples at load, thousands of patterns at once) gives what
    each pattern alone gives through the engine."""
    from logscan.match.matcher import match_alone

    patterns = list(load_patterns())
    pairs = [(patterns[i % len(patterns)], line) for i, line in picks]
    assert match_alone(pairs) == _alone_one_by_one(pairs)


def test_each_pattern_alone_at_the_edges():
    from logscan.match.matcher import match_alone

    patterns = _custom(
        r"\bcode=(?P<code>\d+)", r"err (?P<code>\d{1,3})\b", r"(?s)a.b(?P<code>\d+)", r"(x)?y(?P<code>\d+)"
    )
    lines = ["xcode=5", "code=6", "err 123x", "err 12", "axb1", "y7", "xy8", "nothing"]
    pairs = [(p, line) for p in patterns for line in lines]
    assert match_alone(pairs) == _alone_one_by_one(pairs)


def test_winners_are_remembered_within_a_bound(monkeypatch):
    """Regression: match texts identified once are looked up after; past the bound the memory
    starts again (a block of texts partly known and partly new then lost the known ones:
    KeyError), with the same events."""
    from logscan.match import matcher as scan

    lines = [s.line for p in load_patterns() for s in p.samples]
    expected = match_lines(lines, MATCHER)
    monkeypatch.setattr(scan, "MAX_WINNERS", len(set(lines)) + 2)
    scan._WINNERS.clear()
    half = len(lines) // 2
    assert_frame_equal(match_lines(lines[:half], MATCHER), expected.filter(pl.col("row") < half))
    assert_frame_equal(match_lines(lines, MATCHER), expected)  # known and new together, past the bound
    assert len(scan._WINNERS[MATCHER.search]) <= len(set(lines)) + 2

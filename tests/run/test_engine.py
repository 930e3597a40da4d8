"""The map/merge engine: blocks, workers, the pool, spool files, batched small files."""

from __future__ import annotations

import os
import time
from pathlib import Path

import polars as pl
import pytest

from logscan.aggregate.report import partial_counts
from logscan.inputs import iter_sources, plain_block_spans
from logscan.match.matcher import Matcher, read_lines, scan_bytes
from logscan.run.engine import Engine, keep_events
from tests.match.test_matcher import ERR, MATCHER, _optional_description


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
    # The row's line is the earliest in time: 204's timed line (1) before its untimed one (0).
    assert rows == [("native", 204, 2, 1, "x"), ("native", 500, 1, 3, "x")]


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

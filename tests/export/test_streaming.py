"""``events`` streams: a block's rows are written and flushed before the next block is scanned,
the first blocks are small, and the pool starts only once the first rows are out (issue 15)."""

from __future__ import annotations

import io

from logscan.decode.catalogue import load_catalogue
from logscan.export import events as exports
from logscan.inputs import iter_sources
from logscan.inputs.blocks import plain_block_spans
from logscan.match.matcher import Matcher
from logscan.match.samples import load_patterns
from logscan.run import engine as engine_module

LINE = b"[2024/5/1 9:59:59:999]: onDisconnect2\n"  # 38 bytes


class Recording(io.BytesIO):
    def __init__(self, log: list[str]) -> None:
        super().__init__()
        self.log = log

    def flush(self) -> None:
        rows = self.getvalue().count(b"\n")
        self.log.append(f"flush {rows} rows")
        super().flush()


def test_rows_of_a_block_are_flushed_before_the_next_block_is_scanned(tmp_path, monkeypatch):
    log_file = tmp_path / "big.log"
    log_file.write_bytes(LINE * 1000)  # 38,000 bytes
    monkeypatch.setattr(exports, "FIRST_BLOCK", 4000)
    monkeypatch.setattr(engine_module, "SMALL_FILE", 0)  # read in blocks, not batched whole
    log: list[str] = []
    real_work = engine_module._work

    def work(item, matcher, mapper):
        log.append(f"scan {item.offset}+{item.length}")
        return real_work(item, matcher, mapper)

    monkeypatch.setattr(engine_module, "_work", work)
    engine = engine_module.Engine
    monkeypatch.setattr(
        exports, "Engine", lambda matcher, workers=None: engine(matcher, workers=workers, block_size=16000)
    )
    out = Recording(log)
    stats = exports.export_events(
        iter_sources([log_file]), Matcher.build(load_patterns([], builtin=True)), load_catalogue(),
        exports.NdjsonWriter(out), workers=1,
    )  # fmt: skip
    assert stats.lines == 1000 and out.getvalue().count(b"\n") == 1000
    # blocks of 4000 (rounded up to the line end), 8000, then whole blocks of 16,000 bytes
    assert log == [
        "scan 0+4028", "flush 106 rows",
        "scan 4028+8018", "flush 317 rows",
        "scan 12046+16036", "flush 739 rows",
        "scan 28082+9918", "flush 1000 rows",
    ]  # fmt: skip


def test_spans_start_small_and_double(tmp_path):
    path = tmp_path / "a.log"
    path.write_bytes(b"x" * 99 + b"\n" * 1 + (b"y" * 9 + b"\n") * 200)  # 2100 bytes
    spans = list(plain_block_spans(path, 2100, 800, first=100))
    # each ends at the newline after offset + 100, 200, 400, 800 (then whole blocks)
    assert [length for _, length, _ in spans] == [110, 210, 410, 810, 560]
    assert sum(length for _, length, _ in spans) == 2100
    assert [length for _, length, _ in plain_block_spans(path, 2100, 800)] == [810, 810, 480]


def test_the_pool_waits_for_the_first_rows(tmp_path, monkeypatch):
    started: list[str] = []
    monkeypatch.setattr(engine_module, "POOL_THRESHOLD", 0)
    monkeypatch.setattr(engine_module.pool, "take", lambda n: started.append("pool") or (_Never(), []))
    engine = engine_module.Engine(Matcher.build(load_patterns([], builtin=True)), workers=2, block_size=16000)
    engine.first_block = 4000
    log_file = tmp_path / "big.log"
    log_file.write_bytes(LINE * 1000)
    frames = engine.run(iter_sources([log_file]), engine_module.keep_events)
    next(frames)
    assert started == []  # the first block scanned here, its frame out, no pool started
    engine.first_block = None  # (a second engine run with whole blocks starts it at once)


class _Never:
    def submit(self, *args, **kwargs):  # pragma: no cover - the test stops before
        raise AssertionError("nothing is sent to the pool before the first frame")

    def shutdown(self, **kwargs):
        pass

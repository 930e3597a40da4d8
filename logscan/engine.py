"""Map and merge: sources -> blocks -> per-block frames -> one result.

``map``: every block of every source is scanned on its own
(:func:`logscan.scan.scan_bytes`) and reduced by a *mapper* (for a report,
partial counts; for an export, the events themselves). ``merge``: the caller
receives each block's frame in input order with ``file`` and absolute
``line`` numbers filled in, and combines them.

Blocks of plain files are read by the workers themselves (offset, length), so
no log bytes cross a process boundary; compressed files, archive members and
stdin are decompressed here and their blocks sent over. Small inputs run in
this process; a worker pool starts once the input is large enough to pay for
it. Memory stays flat: at most ``2 * workers`` blocks are in flight.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from logscan import inputs
from logscan.inputs import Source, Unreadable
from logscan.scan import Matcher, describe_events, scan_bytes, timestamp_events

#: Bytes scanned in-process before a worker pool is started.
POOL_THRESHOLD = 48 << 20

#: The map step applied to each block's events (undescribed: see scan.describe_events).
Mapper = Callable[[pl.DataFrame, Matcher], pl.DataFrame]


@dataclass
class SourceStats:
    """What was read of one source."""

    name: str
    bytes: int = 0
    lines: int = 0
    error: str | None = None


@dataclass
class RunStats:
    sources: list[SourceStats] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)

    @property
    def files(self) -> int:
        return len(self.sources)

    @property
    def bytes(self) -> int:
        return sum(s.bytes for s in self.sources)

    @property
    def lines(self) -> int:
        return sum(s.lines for s in self.sources)


@dataclass(frozen=True)
class _Span:
    path: str
    offset: int
    length: int


_WORKER_MATCHER: Matcher | None = None


def _init_worker(matcher: Matcher) -> None:
    global _WORKER_MATCHER
    _WORKER_MATCHER = matcher
    # Ctrl-C is the main process's to handle (it stops the pool): no traceback from workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _work(
    item: _Span | bytes, matcher: Matcher | None, mapper: Mapper
) -> tuple[pl.DataFrame, int, int, bool]:
    matcher = matcher or _WORKER_MATCHER
    assert matcher is not None
    data = inputs.read_span(Path(item.path), item.offset, item.length) if isinstance(item, _Span) else item
    block = scan_bytes(data, matcher, describe=False, timestamps=False)
    return _detach(mapper(block.events, matcher)), block.newlines, block.nbytes, data.endswith(b"\n")


def _detach(frame: pl.DataFrame) -> pl.DataFrame:
    """A compact copy: polars strings may be views into the whole block's buffer, which
    would keep every block alive in memory. (Across processes, pickling does the same.)"""
    if frame.is_empty():
        return frame
    buffer = io.BytesIO()
    frame.write_ipc(buffer, compression="uncompressed")
    buffer.seek(0)
    return pl.read_ipc(buffer)


def keep_events(events: pl.DataFrame, matcher: Matcher) -> pl.DataFrame:
    """Every event of the block, with its description and timestamp (for exports)."""
    return timestamp_events(describe_events(events, matcher))


def _start_pool(workers: int, matcher: Matcher) -> ProcessPoolExecutor:
    """Worker processes, each with a single-threaded polars: the processes share the cores."""
    saved = os.environ.get("POLARS_MAX_THREADS")
    os.environ["POLARS_MAX_THREADS"] = "1"
    try:
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(matcher,),
        )
        # Start the workers now, while the variable is set for them to inherit.
        for future in [pool.submit(os.getpid) for _ in range(workers)]:
            future.result()
    finally:
        if saved is None:
            os.environ.pop("POLARS_MAX_THREADS", None)
        else:
            os.environ["POLARS_MAX_THREADS"] = saved
    return pool


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


class Engine:
    """Runs a :class:`Matcher` over sources, in process or on a worker pool."""

    def __init__(
        self, matcher: Matcher, *, workers: int | None = None, block_size: int = inputs.BLOCK_SIZE
    ) -> None:
        self.matcher = matcher
        self.workers = default_workers() if workers is None else max(1, workers)
        self.block_size = block_size
        self._pool: ProcessPoolExecutor | None = None
        self._scanned = 0

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def run(
        self,
        items: Iterable[Source | Unreadable],
        mapper: Mapper,
        *,
        progress: Callable[[int], None] | None = None,
    ) -> Iterator[tuple[SourceStats, pl.DataFrame]]:
        """Yield ``(stats, frame)`` per block in input order; ``frame`` has ``file`` and ``line``.

        The stats object of a source is final once the next source starts (or
        the run ends). Unreadable inputs are collected in :attr:`stats`.
        """
        self.stats = RunStats()
        for item in items:
            if isinstance(item, Unreadable):
                self.stats.unreadable.append(item)
                continue
            stats = SourceStats(item.name)
            self.stats.sources.append(stats)
            yield from self._run_source(item, stats, mapper, progress)
            if stats.error is not None:
                self.stats.unreadable.append(Unreadable(item.name, stats.error))

    def _blocks(self, source: Source) -> Iterator[_Span | bytes]:
        if source.path is not None and not inputs.is_utf16(source.path):
            size = source.path.stat().st_size
            for offset, length in inputs.plain_block_spans(source.path, size, self.block_size):
                yield _Span(str(source.path), offset, length)
            return
        with source.open() as stream:
            yield from inputs.iter_blocks(stream, self.block_size)

    def _want_pool(self, upcoming: int) -> None:
        """Start the pool once the bytes scanned plus those known to come pass the threshold."""
        if self._pool is None and self.workers > 1 and self._scanned + upcoming > POOL_THRESHOLD:
            self._pool = _start_pool(self.workers, self.matcher)

    def _submit(self, item: _Span | bytes, mapper: Mapper) -> Future | tuple:
        size = item.length if isinstance(item, _Span) else len(item)
        self._want_pool(size)
        self._scanned += size
        if self._pool is None:
            return _work(item, self.matcher, mapper)
        return self._pool.submit(_work, item, None, mapper)

    def _run_source(
        self, source: Source, stats: SourceStats, mapper: Mapper, progress: Callable[[int], None] | None
    ) -> Iterator[tuple[SourceStats, pl.DataFrame]]:
        pending: deque[Future | tuple] = deque()
        window = 2 * self.workers
        base = 0
        ends_with_newline = True

        def drain(limit: int) -> Iterator[tuple[SourceStats, pl.DataFrame]]:
            nonlocal base, ends_with_newline
            while len(pending) > limit:
                head = pending.popleft()
                frame, newlines, nbytes, ends_with_newline = (
                    head.result() if isinstance(head, Future) else head
                )
                if not frame.is_empty():
                    frame = frame.with_columns(
                        pl.lit(stats.name).alias("file"),
                        (pl.col("row").cast(pl.Int64) + base + 1).alias("line"),
                    ).drop("row")
                base += newlines
                stats.bytes += nbytes
                if progress is not None:
                    progress(nbytes)
                yield stats, frame

        self._want_pool(source.size or 0)
        try:
            for item in self._blocks(source):
                pending.append(self._submit(item, mapper))
                yield from drain(window)
        except inputs.READ_ERRORS as exc:
            stats.error = inputs.read_error_reason(exc)
        yield from drain(0)
        stats.lines = base + (0 if ends_with_newline or stats.bytes == 0 else 1)

"""Map and merge: sources -> blocks -> per-block frames -> one result.

``map``: every block of every source is scanned on its own
(:func:`logscan.match.matcher.scan_bytes`) and reduced by a *mapper* (for a report,
partial counts; for an export, the events themselves). ``merge``: the caller
receives each block's frame in input order with ``file`` and absolute
``line`` numbers filled in, and combines them.

Blocks of plain files are read by the workers themselves (offset, length), so
no log bytes cross a process boundary; compressed files, archive members and
stdin are decompressed here and their blocks handed over in spool files
(in ``/dev/shm`` where there is one; a pipe moves a block five times slower).
Small inputs run in this process; once the input is large enough to pay for
it, a pool (:mod:`logscan.run.pool`) of ``workers - 1`` processes starts, and this
process stays one of the scanners: it scans a block itself whenever the pool
has QUEUE_PER_WORKER blocks per process queued (rather than wait for them; one
process fewer holds polars and a block). Memory stays flat: at most
QUEUE_PER_WORKER blocks per worker wait in the pool, and at most ``4 *
workers`` results (a few rows each, for a report) wait to be merged in order.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import itertools
import os
import re
import shutil
import stat
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from logscan import inputs
from logscan.inputs import Source, Unreadable
from logscan.match.matcher import (
    Matcher,
    describe_events,
    empty_events,
    match_frame,
    read_lines,
    scan_bytes,
    timestamp_events,
)
from logscan.run import pool

#: Bytes scanned in-process before a worker pool is started.
POOL_THRESHOLD = pool.POOL_THRESHOLD

#: Blocks queued per pool process: beyond that, this process scans the next block itself.
QUEUE_PER_WORKER = 2
#: Blocks (their results, once scanned) in flight per scanning process.
WINDOW_PER_WORKER = 4

#: The map step applied to each block's events (undescribed: see scan.describe_events).
Mapper = Callable[[pl.DataFrame, Matcher], pl.DataFrame]

#: What a worker imports as it starts, before its first block: this module (and polars).
WARM = (__name__,)


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
    #: (name, warning) of the inputs read in a way the user should know of (see Source.warning).
    warnings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def files(self) -> int:
        return len(self.sources)

    @property
    def bytes(self) -> int:
        return sum(s.bytes for s in self.sources)

    @property
    def lines(self) -> int:
        return sum(s.lines for s in self.sources)

    def was_read(self, source: SourceStats) -> bool:
        """Whether some of ``source`` was read: all of it, or the part before its damage."""
        return source.error is None or source.bytes > 0

    @property
    def nothing_read(self) -> bool:
        """Some input could not be read, and no input could (not even in part)."""
        return bool(self.unreadable) and not any(self.was_read(s) for s in self.sources)

    @property
    def nothing_scanned(self) -> bool:
        """No byte was scanned, and nothing failed but globs that matched no file: empty
        folders, empty files (a forgotten log upload). Not a damaged or missing input."""
        return (
            self.bytes == 0
            and all(s.error is None for s in self.sources)
            and all(u.no_match for u in self.unreadable)
        )


@dataclass(frozen=True)
class _Span:
    path: str
    offset: int
    length: int
    #: The file it must be (st_dev, st_ino), as listed.
    identity: tuple[int, int] | None = None
    #: For a span that is one line longer than a block: the size of the pieces it is read in (else 0).
    piece: int = 0


@dataclass(frozen=True)
class _Spooled:
    """A block written to a spool file for a worker, which reads and removes it."""

    path: str

    def take(self) -> bytes:
        with open(self.path, "rb") as fh:
            data = fh.read()
        os.unlink(self.path)
        return data


#: Spool directories: ``logscan-<pid>-<mkdtemp's 8 characters>``.
_SPOOL_NAME = re.compile(r"logscan-([0-9]{1,10})-[a-z0-9_]{8}")
#: A spool directory is left alone until it is this old, even if its pid looks dead (another
#: PID namespace sharing /dev/shm may run it).
_ORPHAN_AGE = 3600


def _spool_dir() -> str | None:
    """A private directory for spool files, in memory where the system has it (else in the
    temporary directory).

    Directories left by runs that were killed outright (``kill -9``, out of
    memory) are removed first, once an hour old.
    """
    shm = "/dev/shm"
    base = shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else tempfile.gettempdir()
    _remove_orphans(base)
    try:
        return tempfile.mkdtemp(prefix=f"logscan-{os.getpid()}-", dir=base)
    except OSError:
        return None


def _remove_orphans(base: str, *, now: float | None = None) -> None:
    """Remove spool directories of dead runs: ours by name and owner, an hour old, pid gone."""
    now = time.time() if now is None else now
    try:
        names = os.listdir(base)
    except OSError:
        return
    for name in names:
        found = _SPOOL_NAME.fullmatch(name)
        if found is None or _alive(int(found.group(1))):
            continue
        path = os.path.join(base, name)
        try:
            info = os.lstat(path)
        except OSError:
            continue
        mine = stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
        if mine and now - info.st_mtime > _ORPHAN_AGE:
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # another user's process (alive), or no such pid number
        return True
    return True


def _work(
    item: _Span | _Spooled | bytes, matcher: Matcher, mapper: Mapper
) -> tuple[pl.DataFrame, int, int, bool]:
    if isinstance(item, _Span) and item.piece:
        pieces = inputs.span_pieces(Path(item.path), item.offset, item.length, item.piece, item.identity)
        with contextlib.closing(pieces):
            events = _line_events(pieces, matcher, overlap=_overlap(item.piece))
        ends = _ends_with_newline(item)
        return mapper(events, matcher), int(ends), item.length, ends
    if isinstance(item, _Span):
        data = inputs.read_span(Path(item.path), item.offset, item.length, item.identity)
    else:
        data = item.take() if isinstance(item, _Spooled) else item
    block = scan_bytes(data, matcher, describe=False, timestamps=False)
    return mapper(block.events, matcher), block.newlines, block.nbytes, data.endswith(b"\n")


#: Pieces of a line longer than a block overlap by this much (at most half a piece): a match
#: up to this long across the cut between two pieces is found.
LINE_OVERLAP = 4096


def _overlap(piece: int) -> int:
    return max(1, min(LINE_OVERLAP, piece // 2))


def _ends_with_newline(span: _Span) -> bool:
    with inputs.open_checked(Path(span.path), span.identity) as fh:
        fh.seek(span.offset + span.length - 1)
        return fh.read(1) == b"\n"


def _work_line(line: inputs.LongLine, matcher: Matcher, mapper: Mapper, overlap: int) -> tuple:
    """A long line of a stream (see :func:`_line_events`); read to its end."""
    events = _line_events(line, matcher, overlap=overlap)
    line.drain()
    ends = line.ends_with_newline
    return mapper(events, matcher), int(ends), line.nbytes, ends


def _line_events(pieces: Iterable[bytes], matcher: Matcher, *, overlap: int) -> pl.DataFrame:
    """The event of one line too long to hold (at most one, as for any line: the leftmost match),
    from its pieces read in turn; reading stops once it is found.

    Each piece is scanned with the last ``overlap`` characters of the text before it, so that a
    match across a cut is found. A match that starts within those last characters of a piece
    (it may go on past the cut, its code cut short) is taken only if the next text (which holds
    it whole) does not find one first; a match before them is the line's.
    """
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    tail = ""
    held = empty_events()
    for piece in pieces:
        text = tail + decoder.decode(piece)
        line = text[:-1] if text.endswith("\n") else text
        line = line[:-1] if line.endswith("\r") and text.endswith("\n") else line
        lines = pl.DataFrame({"row": pl.Series([0], dtype=pl.UInt32), "line": [line]})
        events = match_frame(lines, matcher, describe=False, timestamps=False)
        tail = text[-overlap:]
        if events.is_empty():
            held = events
            continue
        index = [p.name for p in matcher.patterns].index(events["pattern"][0])
        start = lines["line"].str.find(matcher.singles[index]).item()
        if start is None or start < len(line.encode("utf-8")) - len(tail.encode("utf-8")):
            return events
        held = events
    return held


def _here(work: Callable[..., tuple], *args: object) -> Future:
    """``work`` done in this process, its result detached (see :func:`_detach`), as a done future
    (a read error is kept in it, as a worker's would be, for the block it belongs to)."""
    future: Future = Future()
    try:
        frame, *rest = work(*args)
        future.set_result((_detach(frame), *rest))
    except inputs.READ_ERRORS as exc:
        future.set_exception(exc)
    return future


def _detach(frame: pl.DataFrame) -> pl.DataFrame:
    """A compact copy: polars strings may be views into the whole block's buffer, which
    would keep every block alive in memory. For blocks scanned in this process: a worker's
    results are pickled, which copies them as compactly (and ten times faster)."""
    if frame.is_empty():
        return frame
    buffer = io.BytesIO()
    frame.write_ipc(buffer, compression="uncompressed")
    buffer.seek(0)
    return pl.read_ipc(buffer)


def keep_events(events: pl.DataFrame, matcher: Matcher) -> pl.DataFrame:
    """Every event of the block, with its description and timestamp (for exports)."""
    return timestamp_events(describe_events(events, matcher))


@dataclass(frozen=True)
class _Batch:
    """Small plain files scanned as one block (per-block costs are paid once)."""

    files: tuple[tuple[str, int, tuple[int, int] | None], ...]  # (path, size, identity)


#: Plain files up to this size are batched; a batch holds up to BATCH_BYTES or BATCH_FILES.
SMALL_FILE = 4 << 20
BATCH_BYTES = 16 << 20
BATCH_FILES = 1024


def _work_batch(
    batch: _Batch, matcher: Matcher, mapper: Mapper
) -> tuple[pl.DataFrame, list[tuple[int, int, bool, str | None]]]:
    """Scan several small files as one block; rows of the result carry ``_src`` (the file's index).

    Each file's shape is (newlines, bytes, ends with a newline, why it could not be read or None).
    """
    datas: list[bytes] = []
    errors: list[str | None] = []
    for path, size, identity in batch.files:
        try:
            datas.append(inputs.utf8(inputs.read_span(Path(path), 0, size, identity)))
            errors.append(None)
        except OSError as exc:  # gone, or unreadable, since it was listed
            datas.append(b"")
            errors.append(inputs.read_error_reason(exc))
    # Every file ends with a newline in the block (its last line is its own).
    parts = [data if not data or data.endswith(b"\n") else data + b"\n" for data in datas]
    joined = b"".join(parts)
    lines = read_lines(joined)
    starts = _first_rows(lines, joined, [len(part) for part in parts])
    rows = [b - a for a, b in itertools.pairwise([*starts, lines.height])]
    shapes: list[tuple[int, int, bool, str | None]] = []
    for data, part, count, error in zip(datas, parts, rows, errors, strict=True):
        added = len(part) - len(data)  # the newline given to a last line without one
        shapes.append((count - added, len(data), added == 0, error))
    del datas, parts, joined
    events = match_frame(lines, matcher, describe=False, timestamps=False)
    if not events.is_empty():
        first_rows = pl.Series(starts, dtype=pl.UInt32)
        src = (first_rows.search_sorted(events["row"], side="right") - 1).cast(pl.UInt32).alias("_src")
        events = events.with_columns(src).with_columns(
            pl.col("row")
            - pl.col("_src").replace_strict(list(range(len(starts))), starts, return_dtype=pl.UInt32)
        )
    else:
        events = events.with_columns(pl.lit(None, dtype=pl.UInt32).alias("_src"))
    return mapper(events, matcher), shapes


def _first_rows(lines: pl.DataFrame, data: bytes, sizes: list[int]) -> list[int]:
    """The row where each of several files joined in ``data`` starts (each ends with a newline).

    From the lines' byte lengths, where they add up to the data: ~10x cheaper than counting
    newlines. They do not where read_lines replaced bad UTF-8 (a longer line) or took a
    ``\\r`` off (a shorter one: with both, lengths could add up by chance; so only without any
    ``\\r``); otherwise newlines are counted.
    """
    width = pl.col("line").str.len_bytes() + 1
    if b"\r" not in data and lines.select(width.sum()).item() == len(data):
        ends = lines.select(width.cum_sum()).to_series()
        offsets = list(itertools.accumulate(sizes, initial=0))[:-1]
        return ends.search_sorted(pl.Series(offsets, dtype=ends.dtype), side="right").to_list()
    starts, offset, row = [], 0, 0
    for size in sizes:
        starts.append(row)
        row += data.count(b"\n", offset, offset + size)
        offset += size
    return starts


@dataclass
class _Cursor:
    """What the main process knows of a source while its blocks come back."""

    stats: SourceStats
    base: int = 0
    #: A block could not be read: the source's later blocks are dropped.
    broken: bool = False
    #: For a small plain file waiting in a batch: its path, size and identity.
    path: Path | None = None
    size: int = 0
    identity: tuple[int, int] | None = None
    #: Bytes of the compressed file it comes from read since last asked (see Source.disk_read).
    disk_read: Callable[[], int] | None = None

    def take(self, frame: pl.DataFrame, newlines: int, nbytes: int, ends_with_newline: bool) -> pl.DataFrame:
        """A block's result with ``file`` and absolute ``line``; the source's stats advanced."""
        if not frame.is_empty():
            frame = frame.with_columns(
                pl.lit(self.stats.name).alias("file"),
                (pl.col("row").cast(pl.Int64) + self.base + 1).alias("line"),
            ).drop("row")
        self.account(newlines, nbytes, ends_with_newline)
        return frame

    def account(self, newlines: int, nbytes: int, ends_with_newline: bool) -> None:
        self.base += newlines
        self.stats.bytes += nbytes
        self.stats.lines = self.base + (0 if ends_with_newline or self.stats.bytes == 0 else 1)


class Engine:
    """Runs a :class:`Matcher` over sources, in process or on a worker pool.

    ``workers`` counts the processes that scan, this one included: the pool
    has ``workers - 1`` (none for 1).

    Work is pipelined across sources: up to ``4 * workers`` blocks (or batches
    of small files) are in flight, and results come back in input order. (Enough
    that this process, scanning blocks too, seldom waits for the oldest block
    of the pool while the results of its own ones pile up behind it.)
    """

    def __init__(
        self, matcher: Matcher, *, workers: int | None = None, block_size: int | None = None
    ) -> None:
        self.matcher = matcher
        self.workers = pool.default_workers() if workers is None else max(1, workers)
        self.block_size = inputs.BLOCK_SIZE if block_size is None else block_size
        #: The first block of a plain file, doubled block after block (None: whole blocks); set,
        #: the pool starts once a frame is out (its start-up would hold the first rows back).
        self.first_block: int | None = None
        self._streamed = False
        self._pool: ProcessPoolExecutor | None = None
        self._warmup: list[Future] = []
        #: Blocks handed to the pool and not known to be done.
        self._queued: list[Future] = []
        self._scanned = 0
        #: Where blocks of decompressed input wait for a worker (created when first needed;
        #: given up, and blocks sent by pipe, once a spool file cannot be written).
        self._spool: str | None = None
        self._spool_failed = False
        self._spooled = 0

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._spool is not None:
            shutil.rmtree(self._spool, ignore_errors=True)
            self._spool = None

    def run(
        self,
        items: Iterable[Source | Unreadable],
        mapper: Mapper,
        *,
        progress: Callable[[int], None] | None = None,
    ) -> Iterator[pl.DataFrame]:
        """Yield the mapper's frame of each block (of each batch of small files) in input order.

        Frames have ``file`` and ``line``. What was read of each source, and
        the inputs that could not be read, are in :attr:`stats`; a source's
        figures are final once the frame of its last block is yielded.
        """
        self.stats = RunStats()
        pending: deque[tuple[_Cursor | list[_Cursor], Future]] = deque()
        window = WINDOW_PER_WORKER * self.workers
        batch: list[_Cursor] = []
        batch_bytes = 0

        def drain(limit: int) -> Iterator[pl.DataFrame]:
            # Beyond the window, wait for the oldest; within it, yield what is done already
            # (in order: a block scanned here is out before the next is read).
            while len(pending) > limit or (pending and pending[0][1].done()):
                owner, head = pending.popleft()
                try:
                    result = head.result()
                except inputs.READ_ERRORS as exc:  # a block of a file changed since it was listed
                    self._broken(owner, inputs.read_error_reason(exc))
                    continue
                if isinstance(owner, list):  # a batch: one frame for its files, rows told apart by _src
                    frame, shapes = result
                    for cursor, (*shape, error) in zip(owner, shapes, strict=True):
                        if error is None:
                            cursor.account(*shape)
                        else:
                            self._broken(cursor, error)
                    # Whole files: lines count from each file's start.
                    names = [c.stats.name for c in owner]
                    yield frame.with_columns(
                        pl.col("_src")
                        .replace_strict(list(range(len(names))), names, return_dtype=pl.String)
                        .alias("file"),
                        (pl.col("row").cast(pl.Int64) + 1).alias("line"),
                    ).drop("row", "_src")
                    nbytes = sum(shape[1] for shape in shapes)
                elif not owner.broken:
                    frame, newlines, nbytes, ends = result
                    yield owner.take(frame, newlines, nbytes, ends)
                else:  # after a block that could not be read, line numbers are unknown
                    continue
                self._streamed = True
                if progress is not None:  # bytes on disk: of a compressed file, compressed bytes
                    disk = None if isinstance(owner, list) else owner.disk_read
                    progress(nbytes if disk is None else disk())

        def flush() -> None:
            nonlocal batch, batch_bytes
            if batch:
                files = tuple((str(c.path), c.size, c.identity) for c in batch)
                pending.append((batch, self._submit_batch(_Batch(files), mapper, batch_bytes)))
                batch, batch_bytes = [], 0

        for item in items:
            if isinstance(item, Unreadable):
                self.stats.unreadable.append(item)
                continue
            cursor = _Cursor(SourceStats(item.name), disk_read=item.disk_read)
            self.stats.sources.append(cursor.stats)
            if item.warning is not None:
                self.stats.warnings.append((item.name, item.warning))
            if item.path is not None and item.size is not None and item.size <= SMALL_FILE:
                cursor.path, cursor.size, cursor.identity = item.path, item.size or 0, item.identity
                batch.append(cursor)
                batch_bytes += cursor.size
                if batch_bytes >= BATCH_BYTES or len(batch) >= BATCH_FILES:
                    flush()
                    yield from drain(window)
                continue
            flush()
            self._want_pool(item.size or 0)
            try:
                for block in self._blocks(item):
                    pending.append((cursor, self._submit(block, mapper)))
                    yield from drain(window)
            except inputs.READ_ERRORS as exc:  # the blocks read before the damage still count
                self._unreadable(cursor, inputs.read_error_reason(exc))
            yield from drain(window)
        flush()
        yield from drain(0)

    def _blocks(self, source: Source) -> Iterator[_Span | bytes | inputs.LongLine]:
        """The blocks of a source. A plain file is read as the file listed (the same inode) to
        the size it had then: one replaced or cut short meanwhile raises ChangedError."""
        path, identity = source.path, source.identity
        if path is not None and source.size is not None and not inputs.is_utf16(path, identity):
            spans = inputs.plain_block_spans(path, source.size, self.block_size, identity, self.first_block)
            for offset, length, one_line in spans:
                yield _Span(str(path), offset, length, identity, self.block_size if one_line else 0)
            return
        with source.open() as stream:
            yield from inputs.iter_blocks(stream, self.block_size, long_lines=True)

    def _want_pool(self, upcoming: int) -> None:
        """Start the pool once the bytes scanned plus those known to come pass the threshold."""
        if self.first_block is not None and not self._streamed:
            return
        if self._pool is None and self.workers > 1 and self._scanned + upcoming > POOL_THRESHOLD:
            self._pool, self._warmup = pool.take(self.workers - 1, WARM)

    def _pool_ready(self) -> bool:
        """Whether the workers are up; until then this process scans blocks itself."""
        if self._pool is None:
            return False
        if self._warmup and all(f.done() for f in self._warmup):
            self._warmup = []
        return not self._warmup

    def _to_pool(self) -> ProcessPoolExecutor | None:
        """The pool, where the next block goes to it: it is up and has room in its queue
        (otherwise None: this process scans the block itself, rather than wait)."""
        if self._pool is None or not self._pool_ready():
            return None
        self._queued = [f for f in self._queued if not f.done()]
        return self._pool if len(self._queued) < QUEUE_PER_WORKER * (self.workers - 1) else None

    def _queue(self, future: Future) -> Future:
        self._queued.append(future)
        return future

    def _unreadable(self, cursor: _Cursor, reason: str) -> None:
        if cursor.stats.error is None:
            cursor.stats.error = reason
            self.stats.unreadable.append(Unreadable(cursor.stats.name, reason))

    def _broken(self, owner: _Cursor | list[_Cursor], reason: str) -> None:
        """A block (or a batch) could not be read: its source(s) are unreadable from there on."""
        for cursor in owner if isinstance(owner, list) else [owner]:
            cursor.broken = True
            self._unreadable(cursor, reason)

    def _submit(self, item: _Span | bytes | inputs.LongLine, mapper: Mapper) -> Future:
        if isinstance(item, inputs.LongLine):  # read from the stream now, here
            return _here(_work_line, item, self.matcher, mapper, _overlap(self.block_size))
        size = item.length if isinstance(item, _Span) else len(item)
        self._want_pool(size)
        self._scanned += size
        to = self._to_pool()
        if to is None:
            return _here(_work, item, self.matcher, mapper)
        block = self._spool_block(item) if isinstance(item, bytes) else item
        return self._queue(to.submit(_work, block, self.matcher, mapper))

    def _spool_block(self, data: bytes) -> _Spooled | bytes:
        """``data`` in a spool file, or itself where none can be written (it then goes by pipe)."""
        if self._spool is None and not self._spool_failed:
            self._spool = _spool_dir()
            self._spool_failed = self._spool is None
        if self._spool is None or self._spool_failed:
            return data
        path = os.path.join(self._spool, f"{self._spooled}.block")
        self._spooled += 1
        try:
            with open(path, "wb") as fh:
                fh.write(data)
        except OSError:  # e.g. a small /dev/shm in a container: the pipe still works
            with contextlib.suppress(OSError):
                os.unlink(path)
            # No more spooling; blocks already spooled are still on their way (close() removes the rest).
            self._spool_failed = True
            return data
        return _Spooled(path)

    def _submit_batch(self, batch: _Batch, mapper: Mapper, size: int) -> Future:
        self._want_pool(size)
        self._scanned += size
        to = self._to_pool()
        if to is None:
            return _here(_work_batch, batch, self.matcher, mapper)
        return self._queue(to.submit(_work_batch, batch, self.matcher, mapper))

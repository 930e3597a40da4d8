"""Follow logs while they are written: stdin and files (``tail -F``), scanned batch by batch.

The bytes of each source are cut at line ends and the lines that arrived
together are scanned as one frame, with the matcher, catalogue and redaction
of a report (:func:`logscan.match.matcher.match_frame`, :func:`logscan.export.events.decode`).
Each batch feeds four consumers: the caller's sink (one row per event, the
fields of ``logscan events``), the live state (per code: count, a 5-minute
window, the newest line; nothing per event is kept), the gate (running counts
per rule), and the map step of a report (:func:`logscan.aggregate.report.partial_counts`),
so that the final report is built by the same merge as ``logscan report`` and
counts exactly what it would count on the same bytes.

Files are followed by polling (:func:`os.stat`, portable): a file named, or
matched by a glob, or in a folder, is tracked by its (device, inode), so a
file renamed by a rotation is the same file, read to its end before the new
file of its name is opened (from its start). A file that shrinks, or whose
first bytes change, was truncated (``copytruncate``) and is read again from
its start; a copy of it that appears among the files watched is read only
from where its original had been read. Files found when the watch starts are
read from their end (``from_start``: from their start); files that appear
later, from their start.
"""

from __future__ import annotations

import codecs
import contextlib
import glob
import io
import itertools
import os
import select
import stat
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

import polars as pl

from logscan import inputs
from logscan.aggregate.gate import Rule, RuleSubject
from logscan.aggregate.report import BUCKETS, Report, build_report, merge, partial_counts
from logscan.decode import catalogue as cat
from logscan.export import events as exports
from logscan.inputs import Unreadable
from logscan.match.matcher import Matcher, match_frame, read_lines
from logscan.run.engine import RunStats, SourceStats, _detach

#: Seconds between two looks at the files followed (and the longest wait for stdin).
POLL = 0.1
#: Seconds between two expansions of the globs and folders watched (new files, rotations).
RESCAN = 1.0
#: Bytes taken from one source before they are scanned (lines that arrived together).
BATCH_BYTES = 16 << 20
#: Bytes asked of stdin at a time; the pipe's size asked for (Linux), and the wait for a full
#: pipe to be filled again (seconds).
READ_SIZE = 1 << 20
PIPE_SIZE = 1 << 20
REFILL_WAIT = 0.005
#: A line longer than this is cut (its pieces keep its number), as the engine cuts blocks.
MAX_LINE = 4 * inputs.BLOCK_SIZE
#: Bytes of a file's start compared to tell a truncated file, or a copy of one.
HEAD = 4096
#: The window of the per-code rate (seconds), and of the lines per second of the header.
RATE_WINDOW = 300
LINES_WINDOW = 5
#: A code first seen this many seconds ago or less is shown as new.
NEW_FOR = 10.0


@dataclass
class WatchOptions:
    """What to watch and how (the library-side form of the command's options)."""

    paths: Sequence[str]
    from_start: bool = False
    #: False: read the files to their end once, then end (as ``tail`` without ``-F``).
    follow: bool = True
    redact: bool = True
    redact_users: bool = False
    views: tuple[str, ...] = ()
    bucket: str | None = None
    #: The gate: rules (``--fail-on``, ``max-total>N``) and accepted codes (``--allow``).
    rules: Sequence[Rule] = ()
    allowed: Sequence[Rule] = ()
    poll: float = POLL
    rescan: float = RESCAN


class Sink(Protocol):
    """Where the watch hands what it sees (the command line draws or prints it)."""

    def events(self, rows: pl.DataFrame, state: LiveState) -> None:
        """Rows of one batch, in input order, in :data:`logscan.export.events.EXPORT_SCHEMA`."""

    def idle(self, state: LiveState) -> None:
        """Called at least every ``poll`` seconds, and after each batch."""

    def notice(self, message: str) -> None:
        """Something to tell the user (a file that cannot be followed, a rotation)."""


@dataclass(frozen=True)
class Breach:
    """The first event that broke a rule of the gate."""

    rule: Rule
    count: int
    event: dict[str, object]


@dataclass
class WatchResult:
    report: Report
    breach: Breach | None
    #: Whether stdin ended (the watch ended by itself, not by a stop or a breach).
    ended: bool = False


# --------------------------------------------------------------------------- live state


@dataclass
class CodeState:
    """What the live table shows of one (sdk, code): no event list, a bounded window."""

    sdk: str
    code: int
    name: str | None
    category: str
    kind: str
    count: int = 0
    first_seen: float = 0.0
    last_seen: float = 0.0
    text: str = ""
    #: (second, events) for the last RATE_WINDOW seconds.
    window: deque[list[int]] = field(default_factory=deque)

    def add(self, n: int, now: float) -> None:
        second = int(now)
        if self.window and self.window[-1][0] == second:
            self.window[-1][1] += n
        else:
            self.window.append([second, n])
        while self.window and self.window[0][0] <= second - RATE_WINDOW:
            self.window.popleft()

    def per_minute(self, now: float, elapsed: float) -> float:
        """Events per minute over the last RATE_WINDOW seconds (over the time watched so far,
        at least a minute, while that is shorter)."""
        since = int(now) - RATE_WINDOW
        recent = sum(n for second, n in self.window if second > since)
        return recent * 60 / max(60.0, min(float(RATE_WINDOW), elapsed))


@dataclass
class LiveState:
    """Per-code state and running totals of a watch."""

    started: float
    lines: int = 0
    bytes: int = 0
    events: int = 0
    codes: dict[tuple[str, int], CodeState] = field(default_factory=dict)
    _lines_window: deque[list[int]] = field(default_factory=deque)

    def elapsed(self, now: float) -> float:
        return max(0.0, now - self.started)

    def read(self, lines: int, nbytes: int, now: float) -> None:
        self.lines += lines
        self.bytes += nbytes
        second = int(now)
        if self._lines_window and self._lines_window[-1][0] == second:
            self._lines_window[-1][1] += lines
        else:
            self._lines_window.append([second, lines])
        while self._lines_window and self._lines_window[0][0] <= second - LINES_WINDOW:
            self._lines_window.popleft()

    def lines_per_second(self, now: float) -> float:
        since = int(now) - LINES_WINDOW
        recent = sum(n for second, n in self._lines_window if second > since)
        return recent / max(1.0, min(float(LINES_WINDOW), self.elapsed(now)))

    def add(self, rows: pl.DataFrame, now: float) -> None:
        """Count one batch's rows (export rows: sdk, code, name, ..., text)."""
        if rows.is_empty():
            return
        self.events += rows.height
        per_code = rows.group_by("sdk", "code", maintain_order=True).agg(
            pl.len().alias("n"),
            pl.col("name").first(),
            pl.col("category").first(),
            pl.col("kind").first(),
            pl.col("text").last(),
        )
        for sdk, code, n, name, category, kind, text in per_code.iter_rows():
            state = self.codes.get((sdk, code))
            if state is None:
                state = self.codes[(sdk, code)] = CodeState(sdk, code, name, category, kind, first_seen=now)
            state.count += n
            state.last_seen = now
            state.text = text or ""
            state.add(n, now)

    def rows(self) -> list[CodeState]:
        """Every code, by count descending, then sdk, then code."""
        return sorted(self.codes.values(), key=lambda s: (-s.count, s.sdk, s.code))

    def is_new(self, state: CodeState, now: float) -> bool:
        return now - state.first_seen <= NEW_FOR


# --------------------------------------------------------------------------- the gate


class LiveGate:
    """The rules of ``check`` applied event by event: running counts per rule, so that the
    first event that takes a rule over its threshold is known."""

    def __init__(self, rules: Sequence[Rule], allowed: Sequence[Rule], catalogue: cat.Catalogue) -> None:
        self.rules = list(rules)
        self.allowed = list(allowed)
        self.catalogue = catalogue
        self.totals = [0] * len(self.rules)
        self._matching: dict[tuple[str, int], list[int]] = {}

    def _code(self, sdk: str, code: int) -> RuleSubject:
        entry = self.catalogue.get(sdk, code)
        return {
            "sdk": sdk,
            "code": code,
            "name": entry.name if entry else None,
            "aliases": list(entry.aliases) if entry else [],
            "category": entry.category if entry else cat.UNKNOWN,
            "kind": entry.kind if entry else cat.UNKNOWN,
        }

    def matching(self, sdk: str, code: int) -> list[int]:
        """The rules an event of (sdk, code) counts for (none when the code is allowed)."""
        key = (sdk, code)
        found = self._matching.get(key)
        if found is None:
            described = self._code(sdk, code)
            if any(a.matches(described) for a in self.allowed):
                found = []
            else:
                found = [i for i, rule in enumerate(self.rules) if rule.matches(described)]
            self._matching[key] = found
        return found

    def feed(self, rows: pl.DataFrame) -> tuple[int, int] | None:
        """Count a batch; the (row, rule index) of the first event that breaks a rule, or None
        (then the whole batch is counted; otherwise the rows up to that one)."""
        if not self.rules or rows.is_empty():
            return None
        added = [0] * len(self.rules)
        for sdk, code, n in rows.group_by("sdk", "code").len().iter_rows():
            for i in self.matching(sdk, code):
                added[i] += n
        if all(self.totals[i] + added[i] <= rule.threshold for i, rule in enumerate(self.rules)):
            self.totals = [t + a for t, a in zip(self.totals, added, strict=True)]
            return None
        for index, (sdk, code) in enumerate(rows.select("sdk", "code").iter_rows()):
            for i in self.matching(sdk, code):
                self.totals[i] += 1
                if self.totals[i] > self.rules[i].threshold:
                    return index, i
        return None  # not reached: the batch's counts said a rule breaks


# --------------------------------------------------------------------------- sources


class _Lines:
    """One source's bytes -> runs of whole lines: the start of a line not ended yet is kept
    for the next read; a UTF-8 byte-order mark is skipped and UTF-16 transcoded, as
    :func:`logscan.inputs.text_stream` does."""

    def __init__(
        self, stats: SourceStats, *, line: int = 0, at_start: bool = True, head: bytes = b""
    ) -> None:
        self.stats = stats
        #: Lines of the source before the next run (its first line's number is ``line + 1``).
        self.line = line
        self.carry = b""
        #: The last bytes scanned did not end with a newline (a line cut at MAX_LINE, or the last).
        self.open = False
        self._decoder: codecs.IncrementalDecoder | None = None
        self._at_start = at_start
        if not at_start and head[:2] in inputs.UTF16_BOMS:  # read from past its byte-order mark
            encoding = "utf-16-le" if head[:2] == codecs.BOM_UTF16_LE else "utf-16-be"
            self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")

    def feed(self, data: bytes) -> bytes:
        if self._at_start:
            data = self.carry + data
            self.carry = b""
            if len(data) < 3 and any(bom.startswith(data) for bom in (codecs.BOM_UTF8, *inputs.UTF16_BOMS)):
                self.carry = data  # perhaps the start of a byte-order mark: wait for the next bytes
                return b""
            self._at_start = False
            if data.startswith(codecs.BOM_UTF8):
                data = data[3:]
            elif data[:2] in inputs.UTF16_BOMS:
                self._decoder = codecs.getincrementaldecoder("utf-16")(errors="replace")
        if self._decoder is not None:
            data = self._decoder.decode(data).encode("utf-8")
        if not data:
            return b""
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            self.carry += data
            if len(self.carry) >= MAX_LINE:
                out, self.carry = self.carry, b""
                return out
            return b""
        if self.carry:
            out = b"".join((self.carry, memoryview(data)[:cut]))
        else:
            out = data[:cut] if cut < len(data) else data
        self.carry = data[cut:]
        return out

    def close_line(self) -> int:
        """The source ended: a last line without its newline counts as a line (1), once."""
        if not self.open:
            return 0
        self.open = False
        self.stats.lines += 1
        return 1

    def flush(self) -> bytes:
        """The last line, without its newline (the source ended, or the watch)."""
        data = self.carry
        if self._at_start and data.startswith(codecs.BOM_UTF8):
            data = data[3:]
        if self._decoder is not None:
            data += self._decoder.decode(b"", final=True).encode("utf-8")
        self.carry = b""
        return data

    def restart(self) -> None:
        """The source starts again (a truncated file): line 1, a byte-order mark looked for."""
        self.line = 0
        self.carry = b""
        self.open = False
        self._decoder = None
        self._at_start = True


class _Stream:
    """Standard input (or a named pipe), read as it arrives: ``os.read`` on the descriptor once
    ``select`` says there is something, never a buffered read that waits for more."""

    def __init__(self, stream: BinaryIO, stats: SourceStats) -> None:
        self.lines = _Lines(stats)
        self.name = stats.name
        self.stream = stream
        self.eof = False
        try:
            self.fd: int | None = stream.fileno()
        except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
            self.fd = None  # a stream with no descriptor (tests): read as it comes
        if self.fd is not None:
            with contextlib.suppress(OSError, AttributeError, ValueError, ImportError):
                import fcntl

                # A larger pipe (Linux): fewer wake-ups when the writer is fast.
                fcntl.fcntl(self.fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_SIZE)

    def read(self, budget: int) -> bytes:
        """What has arrived, up to ``budget`` bytes, without waiting."""
        if self.fd is None:  # nothing to ask whether more has come (a stream in memory): one read
            chunk = self.stream.read(min(budget, READ_SIZE))
            self.eof = not chunk
            return chunk
        pieces, size, full = [], 0, False
        while size < budget and not self.eof:
            # After a read that emptied a full pipe, the writer is likely filling it again: a
            # moment's wait makes batches larger (fewer, cheaper scans) at full speed.
            ready, _, _ = select.select([self.fd], [], [], REFILL_WAIT if full else 0)
            if not ready:
                break
            chunk = os.read(self.fd, min(budget - size, READ_SIZE))
            if not chunk:
                self.eof = True
                break
            full = len(chunk) >= 1 << 16  # a pipe's size at least
            pieces.append(chunk)
            size += len(chunk)
        return b"".join(pieces)


@dataclass
class _Generation:
    """What was read of a file between two truncations: its first bytes and how far."""

    head: bytes
    offset: int


class _Tail:
    """One file followed, by its (device, inode)."""

    def __init__(self, name: str, key: tuple[int, int], fd: int, offset: int, line: int, stats: SourceStats):
        self.name = name
        self.key = key
        self.fd = fd
        self.offset = offset
        #: The file's first bytes, as far as it was read (HEAD at most).
        self.head = os.pread(fd, min(HEAD, offset), 0) if offset else b""
        self.lines = _Lines(stats, line=line, at_start=offset == 0, head=self.head)
        self.previous: _Generation | None = None

    def generations(self) -> list[_Generation]:
        current = _Generation(self.head, self.offset)
        return [current] if self.previous is None else [current, self.previous]

    def truncated(self) -> bool:
        """Whether the file is shorter than what was read, or its first bytes changed."""
        try:
            size = os.fstat(self.fd).st_size
        except OSError:
            return False
        if size < self.offset:
            return True
        if self.head:
            start = os.pread(self.fd, len(self.head), 0)
            return start != self.head
        return False

    def read(self, budget: int) -> bytes:
        pieces, size = [], 0
        while size < budget:
            chunk = os.pread(self.fd, min(budget - size, 1 << 20), self.offset)
            if not chunk:
                break
            if len(self.head) == self.offset < HEAD:
                self.head = (self.head + chunk)[:HEAD]
            self.offset += len(chunk)
            pieces.append(chunk)
            size += len(chunk)
        return b"".join(pieces)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


def _newlines_before(fd: int, end: int) -> int:
    """Newlines in the first ``end`` bytes of a file (the line numbers of a file read from its end)."""
    count, offset = 0, 0
    while offset < end:
        chunk = os.pread(fd, min(16 << 20, end - offset), offset)
        if not chunk:
            break
        count += chunk.count(b"\n")
        offset += len(chunk)
    return count


def _is_pipe(path: str) -> bool:
    """Whether ``path`` names a pipe or a character device (``<(adb logcat)``): read as a stream."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


class _Files:
    """The files named, matched by globs or found in folders, followed as ``tail -F`` does."""

    def __init__(
        self, paths: Sequence[str], *, from_start: bool, follow: bool, stats: RunStats,
        notice: Callable[[str], None],
    ) -> None:  # fmt: skip
        self.paths = list(paths)
        self.from_start = from_start
        self.follow = follow
        self._found: set[str] = set()
        self.stats = stats
        self.notice = notice
        self.tails: dict[tuple[int, int], _Tail] = {}
        #: Files found and not followed (compressed, unreadable), by key: said once.
        self.skipped: set[tuple[int, int]] = set()
        self.started = False

    def _names(self) -> list[tuple[str, str]]:
        """(path given, file name) of every file the paths name now."""
        found: list[tuple[str, str]] = []
        for text in self.paths:
            if os.path.isdir(text):
                for folder, dirs, files in os.walk(text, followlinks=False):
                    dirs.sort()
                    found.extend((text, os.path.join(folder, name)) for name in sorted(files))
            elif os.path.lexists(text) or not inputs.is_glob(text):
                found.append((text, text))
            else:
                found.extend((text, name) for name in sorted(glob.glob(text, recursive=True)))
        return found

    def _explicit(self) -> list[tuple[str, str]]:
        """Paths named as they are (no glob, no folder): looked at every poll (rotations)."""
        return [(p, p) for p in self.paths if not inputs.is_glob(p) and not os.path.isdir(p)]

    def missing(self) -> list[Unreadable]:
        """The paths that never named a file while the watch ran."""
        return [
            Unreadable(
                p, "no file matches this pattern" if inputs.is_glob(p) else "no such file or directory"
            )
            for p in self.paths
            if p not in self._found
        ]

    def poll(self, budget: int, *, rescan: bool) -> Iterator[tuple[_Lines, bytes, bool]]:
        """(source, bytes, ended) runs: what the files followed hold since the last poll.

        ``ended``: the file is no longer watched (deleted, or renamed out of the watch):
        its last line is complete, whether it ends with a newline or not.
        """
        for tail in list(self.tails.values()):
            yield from self._drain(tail, budget)
        full = rescan or not self.started
        reachable: set[tuple[int, int]] = set()
        new: dict[tuple[int, int], tuple[str, os.stat_result]] = {}
        for given, name in self._names() if full else self._explicit():
            try:
                st = os.stat(name)
            except OSError:
                if not self.started and given == name and self.follow:
                    self.notice(f"{name}: no such file yet; waiting for it to appear")
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            self._found.add(given)
            key = (st.st_dev, st.st_ino)
            reachable.add(key)
            if key not in self.tails and key not in self.skipped and key not in new:
                new[key] = (name, st)
        if full:
            # Files no longer reachable by any name watched: read to their end, then let go.
            for key in [k for k in self.tails if k not in reachable]:
                tail = self.tails.pop(key)
                yield from self._drain(tail, budget, to_end=True)
                yield tail.lines, b"", True
                tail.close()
        if new:
            # A file renamed away just before (a rotation) may have grown since it was read above:
            # it is read to its end before the new file of its name.
            for tail in list(self.tails.values()):
                yield from self._drain(tail, budget, to_end=True)
        for name, st in new.values():
            opened = self._open(name, st)
            if opened is not None:
                yield from self._drain(opened, budget)
        self.started = True

    def _open(self, name: str, st: os.stat_result) -> _Tail | None:
        key = (st.st_dev, st.st_ino)
        try:
            fd = os.open(name, os.O_RDONLY)
        except OSError as exc:
            self._unreadable(key, name, exc)
            return None
        try:
            head = os.pread(fd, HEAD, 0)
        except OSError as exc:
            os.close(fd)
            self._unreadable(key, name, exc)
            return None
        kind = inputs.compression_of(head)
        if kind is not None:
            os.close(fd)
            self.skipped.add(key)
            self.notice(f"not following {name}: {kind} data (use logscan report for it)")
            return None
        offset = 0
        if not self.started and not self.from_start:
            offset = st.st_size
        elif self.started:
            offset = self._copied(head, st.st_size)
        line = _newlines_before(fd, offset) if offset else 0
        stats = SourceStats(name)
        self.stats.sources.append(stats)
        tail = _Tail(name, key, fd, offset, line, stats)
        self.tails[key] = tail
        return tail

    def _unreadable(self, key: tuple[int, int] | None, name: str, exc: OSError) -> None:
        """A file that cannot be read: said now, listed in the report (an error at the end)."""
        if key is not None:
            self.skipped.add(key)
        reason = inputs.read_error_reason(exc)
        self.stats.unreadable.append(Unreadable(name, reason))
        self.notice(f"cannot read {name}: {reason}")

    def _copied(self, head: bytes, size: int) -> int:
        """Where a new file starts to hold lines not read yet: 0, or for a copy of a file
        followed (``copytruncate`` copies it, then empties it), where its original was read to."""
        for tail in self.tails.values():
            for generation in tail.generations():
                compared = min(HEAD, generation.offset, size)
                if compared >= min(HEAD, 64) and head[:compared] == generation.head[:compared]:
                    return min(generation.offset, size)
        return 0

    def _drain(
        self, tail: _Tail, budget: int, *, to_end: bool = False
    ) -> Iterator[tuple[_Lines, bytes, bool]]:
        """What ``tail`` holds since the last look (up to ``budget`` bytes, or all of it)."""
        try:
            if tail.truncated():
                # Read again from the start: the rest of the last line is a line of its own.
                yield tail.lines, b"", True
                tail.previous = _Generation(tail.head, tail.offset)
                tail.offset, tail.head = 0, b""
                tail.lines.restart()
                self.notice(f"{tail.name}: truncated; reading it again from its start")
            while data := tail.read(budget):
                yield tail.lines, data, False
                if not to_end:
                    break
        except OSError as exc:  # the file is let go
            self.tails.pop(tail.key, None)
            tail.close()
            self._unreadable(tail.key, tail.name, exc)

    def close(self) -> None:
        for tail in self.tails.values():
            tail.close()
        self.tails.clear()

    def flush(self) -> Iterator[tuple[_Lines, bytes, bool]]:
        for tail in self.tails.values():
            yield tail.lines, b"", True


# --------------------------------------------------------------------------- the watch


class Watch:
    """Follow the sources of ``options``, hand each batch's events to ``sink``, gate them, and
    build the final report."""

    def __init__(
        self,
        options: WatchOptions,
        matcher: Matcher,
        catalogue: cat.Catalogue,
        sink: Sink,
        *,
        stdin: BinaryIO | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.options = options
        self.matcher = matcher
        self.catalogue = catalogue
        self.sink = sink
        self.clock = clock
        self.stats = RunStats()
        self.state = LiveState(started=clock())
        self.gate = LiveGate(options.rules, options.allowed, catalogue)
        self.breach: Breach | None = None
        #: Streams: stdin, and pipes named (``<(adb logcat)``): read as they come, to their end.
        self.streams: list[_Stream] = []
        files: list[str] = []
        for path in dict.fromkeys(options.paths):
            if path == "-":
                import sys

                self.streams.append(self._stream(stdin if stdin is not None else sys.stdin.buffer, "<stdin>"))
            elif _is_pipe(path):
                try:
                    self.streams.append(self._stream(open(path, "rb", buffering=0), path))
                except OSError as exc:
                    self.stats.unreadable.append(Unreadable(path, inputs.read_error_reason(exc)))
            else:
                files.append(path)
        self.files = _Files(
            files, from_start=options.from_start, follow=options.follow, stats=self.stats, notice=sink.notice
        )
        timed = "time" in options.views
        self._every = (options.bucket or BUCKETS[0]) if timed else None

    def _stream(self, stream: BinaryIO, name: str) -> _Stream:
        source = SourceStats(name)
        self.stats.sources.append(source)
        return _Stream(stream, source)

    def run(self, stop: Callable[[], bool]) -> WatchResult:
        """Watch until ``stop()`` says so, the streams end, or a rule breaks; the final report."""
        try:
            partials = merge(self._partials(stop))
        finally:
            self.files.close()
            for stream in self.streams:
                if stream.name != "<stdin>":
                    stream.stream.close()
        self.stats.unreadable.extend(self.files.missing())
        report = build_report(
            partials, self.stats, self.catalogue, redact=self.options.redact,
            redact_users=self.options.redact_users, views=self.options.views, every=self.options.bucket,
        )  # fmt: skip
        return WatchResult(report, self.breach, self._streams_ended() and self.breach is None)

    def _streams_ended(self) -> bool:
        return bool(self.streams) and all(stream.eof for stream in self.streams)

    def _runs(self, *, rescan: bool, budget: int = BATCH_BYTES) -> Iterator[tuple[_Lines, bytes, bool]]:
        for stream in self.streams:
            if stream.eof:
                continue
            data = stream.read(budget)
            if data:
                yield stream.lines, data, False
            if stream.eof:
                yield stream.lines, b"", True
        if self.files.paths:
            yield from self.files.poll(budget, rescan=rescan)

    def _wait(self) -> None:
        """Until a stream has something, or for a poll's time."""
        fds = [s.fd for s in self.streams if not s.eof and s.fd is not None]
        if fds:
            select.select(fds, [], [], self.options.poll)
        elif not any(not s.eof for s in self.streams):
            time.sleep(self.options.poll)

    def _partials(self, stop: Callable[[], bool]) -> Iterator[pl.DataFrame]:
        last_rescan = time.monotonic()
        while True:
            now = time.monotonic()
            rescan = now - last_rescan >= self.options.rescan
            if rescan:
                last_rescan = now
            busy = False
            for lines, data, ended in self._runs(rescan=rescan):
                busy = busy or bool(data)
                yield from self._batch(lines, data, ended)
                if self.breach is not None:
                    return
            self.sink.idle(self.state)
            if self._streams_ended():
                break  # the end of stdin ends the watch, after the files' last lines
            if stop() or (not busy and not self.options.follow and not self.streams):
                break
            if not busy:
                self._wait()
        # The end: what has arrived, and the last line of every source (a report counts a
        # last line without its newline).
        for lines, data, ended in itertools.chain(self._runs(rescan=True), self._flush()):
            yield from self._batch(lines, data, ended)
            if self.breach is not None:
                return
        self.sink.idle(self.state)

    def _flush(self) -> Iterator[tuple[_Lines, bytes, bool]]:
        for stream in self.streams:
            yield stream.lines, b"", True
        yield from self.files.flush()

    def _batch(self, lines: _Lines, data: bytes, ended: bool) -> Iterator[pl.DataFrame]:
        """Scan one run of lines; yield its partial counts for the report."""
        chunk = lines.feed(data) if data else b""
        if ended:
            chunk += lines.flush()
        if not chunk:
            if ended:
                self.state.read(lines.close_line(), 0, self.clock())
            return
        frame = read_lines(chunk)
        events = match_frame(frame, self.matcher)
        rows = self._rows(events, lines)
        cut = self.gate.feed(rows)
        if cut is not None:
            index, rule = cut
            # Stop at the event that broke the rule: the lines after it are not counted.
            row = int(events["row"][index])
            end = _end_of_line(chunk, row)
            chunk, frame = chunk[:end], frame.head(row + 1)
            events, rows = events.head(index + 1), rows.head(index + 1)
            event = rows.row(index, named=True)
            self.breach = Breach(self.gate.rules[rule], self.gate.totals[rule], event)
        newlines = frame.height - (0 if chunk.endswith(b"\n") else 1)
        # Lines as report counts them: newlines, and a last line without one (a line cut in
        # pieces, MAX_LINE each, is one line).
        lines.stats.lines += newlines
        lines.open = not chunk.endswith(b"\n")
        counted = newlines + (lines.close_line() if ended or self.breach is not None else 0)
        now = self.clock()
        self.state.read(counted, len(chunk), now)
        self.state.add(rows, now)
        lines.stats.bytes += len(chunk)
        if not rows.is_empty():
            self.sink.events(rows, self.state)
        base = lines.line
        lines.line += newlines
        if events.is_empty():
            return
        partial = partial_counts(events, self.matcher, self._every)
        if partial.is_empty():
            return
        yield _detach(
            partial.with_columns(
                pl.lit(lines.stats.name).alias("file"),
                (pl.col("row").cast(pl.Int64) + base + 1).alias("line"),
            ).drop("row")
        )

    def _rows(self, events: pl.DataFrame, lines: _Lines) -> pl.DataFrame:
        """The export rows of a batch's events (``logscan events``' fields), in input order."""
        if events.is_empty():
            return pl.DataFrame(schema=exports.EXPORT_SCHEMA)
        located = events.with_columns(
            pl.lit(lines.stats.name).alias("file"),
            (pl.col("row").cast(pl.Int64) + lines.line + 1).alias("line"),
        )
        rows = exports.decode(
            located, self.catalogue, redact=self.options.redact, redact_users=self.options.redact_users
        )
        return rows.select(pl.col(c).cast(t) for c, t in exports.EXPORT_SCHEMA.items())


def _end_of_line(data: bytes, row: int) -> int:
    """The offset just past line ``row`` (0-based) of ``data``."""
    offset = 0
    for _ in range(row + 1):
        found = data.find(b"\n", offset)
        if found < 0:
            return len(data)
        offset = found + 1
    return offset

"""Decompression in bounded steps: output budgets, ratio limits, members and frames in sequence."""

from __future__ import annotations

import io
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, BinaryIO, cast

from logscan.inputs.files import READ_ERRORS, ChangedError
from logscan.inputs.formats import (
    _NEW_DECOMPRESSOR,
    _SNIFF,
    DECOMPRESS_ERRORS,
    _Chunks,
    _Decompressor,
    _magics,
)
from logscan.inputs.model import Limits, Unreadable


def _peek_or_wrap(fh: BinaryIO) -> io.BufferedReader:
    if isinstance(fh, io.BufferedReader | _Decompressed):
        return fh
    return io.BufferedReader(fh, buffer_size=_SNIFF)  # type: ignore[arg-type]  # any raw stream


def _peek(fh: BinaryIO, n: int) -> bytes:
    peek = getattr(fh, "peek", None)
    if peek is None:
        raise ValueError("stream cannot be sniffed")
    data = peek(n)
    return data[:n]


@dataclass
class _Budget:
    """What the members of one archive, and the compressed streams inside them, may expand to
    in all: ``max_archive_expanded``, and ``max_ratio`` times the archive's own size."""

    limit: int
    ratio: float
    size: int | None  # the archive's bytes (compressed, as read), when known
    produced: int = 0
    spent: LimitError | None = None

    def _over(self, produced: int) -> str | None:
        if produced > self.limit:
            return f"the archive expands beyond {self.limit:,} bytes in all (the limit, max_archive_expanded)"
        if self.size and produced > max(_RATIO_FROM, self.ratio * self.size):
            return f"the archive expands over {self.ratio:g} times its size in all (a bomb?)"
        return None

    def charge(self, count: int) -> LimitError | None:
        """Count ``count`` bytes given out by a member; the error once the budget is spent."""
        self.produced += count
        if self.spent is None and (over := self._over(self.produced)):
            self.spent = LimitError(f"{over}; the rest is skipped", over)
        return self.spent

    def refuse(self, archive: str, member: str, size: int) -> Unreadable | None:
        """Why ``archive`` stops before ``member`` (``size`` bytes expanded), if it does."""
        over = self._over(self.produced + size) if self.spent is None else self.spent.args[1]
        return Unreadable(archive, f"{over}; the members from {member} on are skipped") if over else None


class _Decompressed:
    """A decompressing reader that gives out everything a damaged stream still holds.

    When the compressed input ends before the stream does (a truncated
    ``log.gz`` attached to a ticket), ``read`` first returns every byte that
    could be decompressed, and only the next call raises :class:`EOFError`.
    Concatenated members (``cat a.gz b.gz``) are read one after the other.
    """

    def __init__(
        self,
        raw: _Chunks,
        new_decompressor: Callable[[], _Decompressor],
        limits: Limits | None = None,
        magic: tuple[bytes, ...] = (),
        ends_early: str = "the compressed stream ended early",
        budget: _Budget | None = None,
    ) -> None:
        self._raw = raw
        self._budget = budget  # what the archive it is in may still expand to
        self._ends_early = ends_early  # what a stream that ends before its end is
        self._magic = magic  # how a member may start
        self._new = new_decompressor
        self._limits = limits or Limits()
        self._consumed = 0
        self._produced = 0
        self._decompressor = new_decompressor()
        # Decompressed pieces not read yet: a read joins them (one copy).
        self._pieces: deque[bytes] = deque()
        self._offset = 0  # bytes of the first piece already read
        self._buffered = 0
        self._error: BaseException | None = None
        self._done = False

    def _fill(self, wanted: int) -> None:
        while self._buffered < wanted and not self._done and self._error is None:
            d = self._decompressor
            if d.eof:
                rest = self._next_member(d.unused_data)
                if not rest:
                    self._done = True
                    return
                self._decompressor = d = self._new()
                self._feed(rest)
                continue
            if not getattr(d, "needs_input", True):  # output held back by the step's bound
                self._feed(b"")
                continue
            try:
                chunk = self._raw.read(1 << 16)
            except READ_ERRORS as exc:  # given out after what was read before it
                self._error = exc
                return
            if not chunk:
                self._error = EOFError(self._ends_early)
                return
            self._feed(chunk)

    def _next_member(self, rest: bytes) -> bytes:
        """The start of the next member after one ended (``b""``: the stream is over).

        Zero bytes after the last member (tape or block padding) are skipped, as
        gzip(1) does; anything else that does not start a member is an error.
        """
        while not rest.strip(b"\0"):  # nothing but padding so far
            rest = self._raw.read(1 << 16)
            if not rest:
                return b""
        rest = rest.lstrip(b"\0")  # no member starts with a zero byte
        while len(rest) < max(map(len, self._magic), default=0) and (more := self._raw.read(1 << 16)):
            rest += more
        if not rest.startswith(self._magic):
            self._error = ValueError("unexpected data after the end of the compressed stream")
            return b""
        return rest

    def _feed(self, chunk: bytes) -> None:
        """Decompress ``chunk`` (``b""``: go on with the input held back), at most one step of
        output: a bomb is stopped by the limits before it fills memory."""
        try:
            out = self._decompressor.decompress(chunk, _STEP)
        except DECOMPRESS_ERRORS as exc:
            self._error = exc
            return
        self._consumed += len(chunk)
        self._produced += len(out)
        if out:
            self._pieces.append(out)
            self._buffered += len(out)
        limits = self._limits
        if self._produced > limits.max_member_bytes:
            self._error = LimitError(
                f"expands beyond {limits.max_member_bytes:,} bytes (the limit); the rest is skipped"
            )
        elif self._produced > _RATIO_FROM and self._produced > limits.max_ratio * self._consumed:
            self._error = LimitError(
                f"expands over {limits.max_ratio:g} times its compressed size (a bomb?); the rest is skipped"
            )
        elif self._budget is not None and out:
            self._error = self._budget.charge(len(out))

    def read(self, size: int = -1) -> bytes:
        self._fill(size if size >= 0 else 1 << 62)
        if not self._buffered and self._error is not None:
            error, self._error = self._error, None
            self._done = True
            raise error
        return self._take(self._buffered if size < 0 else min(size, self._buffered))

    def _take(self, size: int) -> bytes:
        """The next ``size`` buffered bytes (the first piece may be partly read: ``_offset``)."""
        taken: list[bytes | memoryview] = []
        need = size
        while need:
            piece = self._pieces[0]
            rest = len(piece) - self._offset
            if rest > need:
                taken.append(memoryview(piece)[self._offset : self._offset + need])
                self._offset += need
                need = 0
            else:
                taken.append(memoryview(piece)[self._offset :] if self._offset else piece)
                self._pieces.popleft()
                self._offset = 0
                need -= rest
        self._buffered -= size
        return taken[0] if len(taken) == 1 and isinstance(taken[0], bytes) else b"".join(taken)

    def peek(self, size: int = 1) -> bytes:
        size = max(size, 1)
        self._fill(size)
        if not self._pieces:
            return b""
        if self._offset or (len(self._pieces) > 1 and len(self._pieces[0]) < size):
            self._pieces = deque([self._take(self._buffered)])
            self._buffered = len(self._pieces[0])
        return self._pieces[0][:size]

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> _Decompressed:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _as_file(reader: _Decompressed) -> BinaryIO:
    """``reader`` where a binary file is taken. It is one to all that reads it here (read,
    peek, readable, close, ``with``; tarfile's stream mode calls read only), though not an io
    class: it must not have their close on collection, nor their line reading."""
    return cast(BinaryIO, reader)


class _Stored:
    """Bytes stored as they are (a tar member, or a zip member that :mod:`zipfile` inflates) as a
    "decompressor" of themselves, for :class:`_Decompressed` (which gives out every byte before
    damage, and charges what it gives to the archive's budget). Reads ``stream`` directly, never
    past the member's ``size``; tarfile skips what is left of it."""

    def __init__(self, stream: IO[bytes], size: int) -> None:
        self._stream = stream
        self._left = size
        self.unused_data = b""

    def read(self, size: int) -> bytes:
        data = self._stream.read(min(size, self._left))
        self._left -= len(data)
        return data

    def decompress(self, data: bytes, max_length: int = -1) -> bytes:
        return data

    @property
    def eof(self) -> bool:
        return self._left <= 0

    def close(self) -> None:
        """Nothing to close: the archive's stream is the archive's."""


def _as_member(stored: _Stored) -> Callable[[], _Decompressor]:
    """``stored`` as the decompressor of the only member it holds."""
    return lambda: stored


def _decompressed(kind: str, raw: BinaryIO, limits: Limits, budget: _Budget | None = None) -> _Decompressed:
    return _Decompressed(raw, _NEW_DECOMPRESSOR[kind], limits, _magics(kind), budget=budget)


#: The most one decompress step gives out: what a read buffers is bounded, whatever the ratio.
_STEP = 1 << 20
#: A stream is held to the ratio limit once it has given out this much (small files may compress well).
_RATIO_FROM = 64 << 20


class LimitError(OSError):
    """Input that expands beyond the configured limits (a decompression bomb, or simply too big)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "over the limit"


def _reason(exc: BaseException) -> str:
    """A short, human reason for an I/O failure."""
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    if isinstance(exc, EOFError):
        return f"truncated: {exc or 'the compressed stream ended early'}"
    if isinstance(exc, LimitError | ChangedError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    text = str(exc).strip() or type(exc).__name__
    return text[:200]


def read_error_reason(exc: BaseException) -> str:
    """Public form of the reason text, for errors raised while a source is read."""
    return _reason(exc)

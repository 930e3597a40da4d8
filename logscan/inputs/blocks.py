"""Splitting a source into blocks on line boundaries, and long lines cut to a bound."""

from __future__ import annotations

import codecs
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import BinaryIO

from logscan.inputs.files import READ_ERRORS, _shorter, open_checked
from logscan.inputs.model import BLOCK_SIZE


def iter_blocks(
    stream: BinaryIO, block_size: int = BLOCK_SIZE, *, long_lines: bool = False
) -> Iterator[bytes]:
    """Split a stream into blocks that end at a newline (the last one may not).

    A line longer than ``4 * block_size`` is cut; its pieces keep the line's
    number because numbering counts newlines, not blocks. With ``long_lines``
    such a line is yielded as a :class:`LongLine` instead (its pieces, to be
    read before the next block is asked for), so that it counts once.
    """
    carry = b""
    limit = 4 * block_size
    while True:
        try:
            buf = stream.read(block_size)
        except READ_ERRORS:
            if carry:  # the last line read before the damage still counts
                yield carry
            raise
        if not buf:
            if carry:
                yield carry
            return
        cut = buf.rfind(b"\n") + 1
        if cut == 0:
            carry += buf
            if len(carry) >= limit:
                if not long_lines:
                    yield carry
                    carry = b""
                    continue
                line = LongLine(carry, stream, block_size)
                carry = b""
                yield line  # type: ignore[misc]  # long_lines: the caller takes a LongLine
                line.drain()
                if line.error is not None:
                    raise line.error
                # What followed the line in its last read: whole lines, then the start of one.
                cut = line.rest.rfind(b"\n") + 1
                if cut:
                    yield line.rest[:cut]
                carry = line.rest[cut:]
            continue
        # One copy at most per block: the carried start of its first line joined to it.
        if cut == len(buf) and not carry:
            yield buf
        else:
            yield b"".join((carry, memoryview(buf)[:cut]))
        carry = buf[cut:]


class LongLine:
    """A line of a stream longer than four blocks: its pieces (each at most four blocks), read
    from the stream as they are iterated. Iterating again goes on where the last one stopped;
    :meth:`drain` reads the rest. A read error ends the pieces and is kept in ``error``."""

    def __init__(self, first: bytes, stream: BinaryIO, block_size: int) -> None:
        self._first = first
        self._stream = stream
        self._block_size = block_size
        self._done = False
        #: What follows the line's newline in the last read (the start of the next block).
        self.rest = b""
        self.nbytes = 0
        self.ends_with_newline = False
        self.error: BaseException | None = None

    def __iter__(self) -> Iterator[bytes]:
        if self._first:
            piece, self._first = self._first, b""
            self.nbytes += len(piece)
            yield piece
        while not self._done:
            try:
                buf = self._stream.read(self._block_size)
            except READ_ERRORS as exc:
                self.error, self._done = exc, True
                return
            newline = buf.find(b"\n")
            if newline >= 0:
                buf, self.rest = buf[: newline + 1], buf[newline + 1 :]
                self.ends_with_newline = True
            self._done = newline >= 0 or not buf
            if buf:
                self.nbytes += len(buf)
                yield buf

    def drain(self) -> None:
        for _ in self:
            pass


def plain_block_spans(
    path: Path,
    size: int,
    block_size: int = BLOCK_SIZE,
    identity: tuple[int, int] | None = None,
    first: int | None = None,
) -> Iterator[tuple[int, int, bool]]:
    """(offset, length, one line) spans of a plain file (the file of ``identity``), each ending
    at a newline where possible. A line longer than about four blocks is a span of its own
    (``one line`` true), to be read in pieces: memory stays bounded, and it counts once.
    With ``first``, the spans start that long and double up to ``block_size`` (a stream of
    rows starts at once: the first are not held back by a whole block's scan)."""
    limit = 4 * block_size
    step = min(first or block_size, block_size)
    with open_checked(path, identity) as fh:
        offset = 0
        while offset < size:
            end = min(offset + step, size)
            step = min(2 * step, block_size)
            if end < size:
                newline = _find_newline(fh, end, min(offset + limit, size))
                if newline < 0 and offset + limit < size:  # a long line, from the last line start
                    start = _rfind_newline(fh, offset, end) + 1 or offset
                    if start > offset:
                        yield offset, start - offset, False
                    stop = _find_newline(fh, offset + limit, size)
                    stop = size if stop < 0 else stop + 1
                    yield start, stop - start, True
                    offset = stop
                    continue
                end = size if newline < 0 else newline + 1
            yield offset, end - offset, False
            offset = end


def _find_newline(fh: BinaryIO, start: int, stop: int) -> int:
    """The offset of the first newline in [start, stop) of ``fh``, or -1 (read 64 KiB first: it
    is most often near; then 1 MiB at a time, through a long line)."""
    fh.seek(start)
    at, step = start, 1 << 16
    while at < stop:
        piece = fh.read(min(step, stop - at))
        step = 1 << 20
        if not piece:
            return -1
        found = piece.find(b"\n")
        if found >= 0:
            return at + found
        at += len(piece)
    return -1


def _rfind_newline(fh: BinaryIO, start: int, stop: int) -> int:
    """The offset of the last newline in [start, stop) of ``fh``, or -1."""
    at = stop
    while at > start:
        step = min(1 << 16, at - start)
        fh.seek(at - step)
        found = fh.read(step).rfind(b"\n")
        if found >= 0:
            return at - step + found
        at -= step
    return -1


def read_span(path: Path, offset: int, length: int, identity: tuple[int, int] | None = None) -> bytes:
    """The bytes of one span of a plain file (UTF-8 BOM of the file skipped). Raises
    :class:`ChangedError` if the file is no longer the one of ``identity``, or shorter."""
    with open_checked(path, identity) as fh:
        fh.seek(offset)
        data = fh.read(length)
        if len(data) < length:
            raise _shorter(fh)
    if offset == 0 and data.startswith(codecs.BOM_UTF8):
        return data[3:]
    return data


def span_pieces(
    path: Path, offset: int, length: int, piece: int, identity: tuple[int, int] | None = None
) -> Generator[bytes, None, None]:
    """The bytes of a span in pieces of ``piece`` bytes (read as asked for; a UTF-8 BOM at the
    file's start skipped), with :func:`read_span`'s checks."""
    with open_checked(path, identity) as fh:
        fh.seek(offset)
        at, stop = offset, offset + length
        while at < stop:
            data = fh.read(min(piece, stop - at))
            if not data:
                raise _shorter(fh)
            yield data[3:] if at == 0 and data.startswith(codecs.BOM_UTF8) else data
            at += len(data)

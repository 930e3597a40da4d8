"""Text decoding: BOMs, UTF-16/32 transcoding, CR-only line ends, encodings refused with a reason."""

from __future__ import annotations

import codecs
import io
from pathlib import Path
from typing import BinaryIO

from logscan.inputs.decompress import _peek, _peek_or_wrap
from logscan.inputs.files import _shorter, open_checked
from logscan.inputs.formats import _SNIFF
from logscan.inputs.model import BLOCK_SIZE

UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _open_plain(path: Path, identity: tuple[int, int] | None, size: int) -> BinaryIO:
    return text_stream(io.BufferedReader(_Whole(open_checked(path, identity), size), buffer_size=1 << 16))


class _Whole(io.RawIOBase):
    """A file read to its end that must hold at least ``size`` bytes (its size when listed):
    one that ends sooner was truncated while it was read, and raises :class:`ChangedError`."""

    def __init__(self, raw: BinaryIO, size: int) -> None:
        self._raw = raw
        self._size = size
        self._read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self._raw.readinto(buffer)  # type: ignore[attr-defined]  # a raw file: BinaryIO lacks it
        if not n and self._read < self._size:
            raise _shorter(self._raw)
        self._read += n or 0
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)


def text_stream(fh: BinaryIO) -> BinaryIO:
    """Wrap ``fh`` so that it yields UTF-8 bytes with LF line ends: skip a UTF-8 BOM, transcode
    UTF-16 and UTF-32 (by their BOM, or UTF-16 without one by its unmistakable NUL bytes); a text
    with CR line ends and no LF (classic Mac OS) has them read as LF."""
    buffered = _peek_or_wrap(fh)
    head = _peek(buffered, _SNIFF)
    stream: BinaryIO = buffered
    encoding = _encoding(head)
    if head.startswith(codecs.BOM_UTF8):
        buffered.read(3)
    elif encoding is not None:
        stream = _Transcoder(buffered, encoding)  # type: ignore[assignment]  # a raw binary stream
    if _cr_only(head):
        stream = _CrLines(stream)  # type: ignore[assignment]  # reads as a binary file
    return stream


def _encoding(head: bytes) -> str | None:
    """The encoding ``head`` is in when it is not UTF-8 (or ASCII): by its byte-order mark, else,
    for UTF-16 and UTF-32, by where its NUL bytes are (ASCII text, in those, is mostly NULs)."""
    if head.startswith(_UTF32_BOMS):
        return "utf-32"
    if head[:2] in UTF16_BOMS:
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8) or b"\0" not in head[:64]:
        return None
    for width, nuls in ((4, (1, 2, 3)), (2, (1,))):
        units = [head[i : i + width] for i in range(0, min(len(head), 4096) // width * width, width)]
        if len(units) < 8 or any(unit == bytes(width) for unit in units):
            continue  # too short to tell; a NUL character is not text
        for order, where in (("le", nuls), ("be", tuple(width - 1 - i for i in nuls))):
            ascii_ = sum(all(unit[i] == 0 for i in where) for unit in units)
            if ascii_ >= 0.9 * len(units) and (width == 2 or all(unit[where[-1]] == 0 for unit in units)):
                return f"utf-{8 * width}-{order}"
    return None


def _cr_only(head: bytes) -> bool:
    return b"\r" in head and b"\n" not in head


def _plain_utf8(head: bytes) -> bool:
    """Whether a file can be read as it is, by offset (UTF-8 or UTF-16 with its BOM, which the
    engine transcodes itself; LF line ends)."""
    encoding = _encoding(head)
    return (encoding is None or (encoding == "utf-16" and head[:2] in UTF16_BOMS)) and not _cr_only(head)


#: Formats logscan recognises and does not open: such a file is read as text, with a warning.
_UNSUPPORTED = {
    b"7z\xbc\xaf\x27\x1c": "a 7-Zip archive",
    b"Rar!\x1a\x07": "a RAR archive",
    b"\x04\x22\x4d\x18": "LZ4 data",
    b"\x1f\x9d": "compress(1) data (.Z)",
    b"LZIP": "lzip data",
}


def _unsupported(head: bytes) -> str | None:
    """A warning for a file in a format logscan does not open (read as text, it finds nothing)."""
    for magic, what in _UNSUPPORTED.items():
        if head.startswith(magic):
            return (
                f"looks like {what}, which logscan does not open: read as text; "
                "extract or decompress it first"
            )
    return None


class _CrLines:
    """A text with CR line ends read with LF ones (CR LF, should one come, is one line end)."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._after_cr = False  # the last piece ended with a CR: a LF starting the next is its pair

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        if self._after_cr and data.startswith(b"\n"):
            data = data[1:]
        self._after_cr = data.endswith(b"\r")
        return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> _CrLines:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Transcoder(io.RawIOBase):
    """A read-only stream that re-encodes another encoding as UTF-8."""

    def __init__(self, raw: BinaryIO, encoding: str) -> None:
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._pending = b""
        self._eof = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while not self._eof and (size < 0 or len(self._pending) < size):
            chunk = self._raw.read(BLOCK_SIZE if size < 0 else max(size, 1 << 16))
            final = not chunk
            self._pending += self._decoder.decode(chunk, final=final).encode("utf-8")
            self._eof = final
        if size < 0:
            out, self._pending = self._pending, b""
        else:
            out, self._pending = self._pending[:size], self._pending[size:]
        return out

    def close(self) -> None:
        self._raw.close()
        super().close()


def utf8(data: bytes) -> bytes:
    """A whole file's bytes as UTF-8: UTF-16 (by its byte-order mark) transcoded, as text_stream does."""
    if data[:2] in UTF16_BOMS:
        return data.decode("utf-16", errors="replace").encode("utf-8")
    return data


def is_utf16(path: Path, identity: tuple[int, int] | None = None) -> bool:
    """Whether a plain file starts with a UTF-16 byte-order mark."""
    with open_checked(path, identity) as fh:
        head = fh.read(2)
    return head in UTF16_BOMS

"""Compression formats, decided by content in one place: magic numbers, the decoders, the sniffing."""

from __future__ import annotations

import bz2
import lzma
import tarfile
import types
import zipfile
import zlib
from collections.abc import Callable
from typing import Protocol


class _Decompressor(Protocol):
    """One member (one frame) of a compressed format, decompressed in steps: zlib's, bz2's and
    lzma's decompressors, and this package's (:class:`_GzipMember`, ``_Stored`` ...)."""

    @property
    def eof(self) -> bool: ...

    @property
    def unused_data(self) -> bytes: ...

    def decompress(self, data: bytes, /, max_length: int = ...) -> bytes: ...


class _Chunks(Protocol):
    """What ``_Decompressed`` reads its compressed bytes from: a file, or ``_Stored``."""

    def read(self, size: int, /) -> bytes: ...

    def close(self) -> None: ...


_gzip: types.ModuleType  # one of two modules (isal's stubs have its error as an instance, too)
try:  # ISA-L's inflate: the same stream format, four times zlib's speed
    from isal import isal_zlib as _gzip

    _GZIP_ERRORS: tuple[type[BaseException], ...] = (zlib.error, _gzip.error)
except ImportError:  # pragma: no cover - a platform without its wheels
    _gzip = zlib
    _GZIP_ERRORS = (zlib.error,)


try:  # the standard library's from Python 3.14; its backport before
    from compression import zstd as _zstd  # type: ignore[import-not-found]  # Python 3.14's
except ImportError:  # pragma: no cover - depends on the Python version
    from backports import zstd as _zstd

#: zstd's frames, and its skippable frames (seek tables, pzstd's headers): 0x184D2A50-5F.
_ZSTD_MAGICS = (b"\x28\xb5\x2f\xfd", *(bytes([0x50 + n]) + b"\x2a\x4d\x18" for n in range(16)))
_MAGIC = {
    b"\x1f\x8b": "gzip",
    b"BZh": "bzip2",
    b"\xfd7zXZ\x00": "xz",
    **dict.fromkeys(_ZSTD_MAGICS, "zstd"),
}
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


class _ZipLzma:
    """An LZMA zip member (APPNOTE 5.8: a version, the size of the properties, the properties,
    then raw LZMA1 data) as the other formats' decompressors read. Its end is the end marker,
    or, for a member written without one (``size`` given: its flag bit 1 is clear), its size
    given out."""

    def __init__(self, size: int | None = None) -> None:
        self._size = size
        self._produced = 0
        self._head = b""
        self._lzma: lzma.LZMADecompressor | None = None
        self.unused_data = b""

    def decompress(self, data: bytes, max_length: int = -1) -> bytes:
        if self._lzma is None:
            self._head += data
            if len(self._head) < 4 or len(self._head) < 4 + int.from_bytes(self._head[2:4], "little"):
                return b""
            size = int.from_bytes(self._head[2:4], "little")
            props, data = self._head[4 : 4 + size], self._head[4 + size :]
            if size != 5 or props[0] >= 9 * 5 * 5:
                raise lzma.LZMAError("invalid LZMA properties in a zip member")
            pb, rest = divmod(props[0], 45)
            lp, lc = divmod(rest, 9)
            dict_size = int.from_bytes(props[1:5], "little")
            lzma1 = {"id": lzma.FILTER_LZMA1, "lc": lc, "lp": lp, "pb": pb, "dict_size": dict_size}
            self._lzma = lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[lzma1])
        out = self._lzma.decompress(data, max_length)
        self._produced += len(out)
        return out

    @property
    def needs_input(self) -> bool:
        return self._lzma is None or self._lzma.needs_input

    @property
    def eof(self) -> bool:
        if self._lzma is None:
            return False
        return self._lzma.eof or (self._size is not None and self._produced >= self._size)


_ZIP_DECOMPRESSORS: dict[int, Callable[..., _Decompressor]] = {
    zipfile.ZIP_BZIP2: bz2.BZ2Decompressor,
    zipfile.ZIP_LZMA: _ZipLzma,
}


#: What is looked at to tell what a file or stream holds (its format, its encoding, its line ends).
_SNIFF = 1 << 16


def _sniff(head: bytes) -> str | None:
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            return kind
    return None


def _kind(head: bytes) -> str | None:
    """What ``head`` (the first bytes of a file or stream) holds: a compressed format
    (``gzip``, ``bzip2``, ``xz``, ``zstd``, ``lzma``), ``zip``, ``tar``, or None (text).

    A magic number is a guess: where the format's reader refuses the very first bytes (a
    tar header whose checksum is wrong, a bzip2 stream that is ``BZh x``) and the head reads
    as text, it is text. A head that is not text stays a damaged file of that format.
    """
    kind = _sniff(head)
    if kind == "zip":
        return kind  # refused only when it cannot be opened: see _expand_zip
    if kind is not None:
        magic = next(m for m in _MAGIC if head.startswith(m))
        return kind if _starts(kind, head) or not _textual(head[len(magic) :]) else None
    if _is_tar(head):
        return "tar"
    if _is_lzma_alone(head) and _starts("lzma", head):
        return "lzma"
    return None


def _starts(kind: str, head: bytes) -> bool:
    """Whether the decompressor of ``kind`` takes ``head`` (gives a byte, or asks for more)."""
    try:
        _NEW_DECOMPRESSOR[kind]().decompress(head, 1)
    except DECOMPRESS_ERRORS:
        return False
    return True


def _textual(data: bytes) -> bool:
    """Whether ``data`` reads as text: no control bytes but tab, line ends, form feed and ESC."""
    return not data[:4096].translate(None, _TEXT_BYTES)


_TEXT_BYTES = bytes(b for b in range(256) if b >= 32 or b in (9, 10, 12, 13, 27))


def compression_of(head: bytes) -> str | None:
    """The compressed or archive format a file's first bytes show (``gzip``, ``zip``, ``tar``
    ...), or None for text."""
    return _kind(head)


def _is_tar(head: bytes) -> bool:
    """A ustar header whose checksum is right (a text with ``ustar`` at 257 is text)."""
    if len(head) < 512 or head[257:262] != b"ustar":
        return False
    try:
        tarfile.TarInfo.frombuf(head[:512], "utf-8", "surrogateescape")
    except tarfile.HeaderError:
        return False
    return True


def _is_lzma_alone(head: bytes) -> bool:
    """An LZMA-alone header (``.lzma``, no magic number): properties, a dictionary size that
    lzma(1) writes (2^n or 2^n + 2^(n-1)), and an unknown or plausible uncompressed size."""
    if len(head) < 13 or head[0] >= 9 * 5 * 5:
        return False
    dictionary = int.from_bytes(head[1:5], "little")
    size = int.from_bytes(head[5:13], "little")
    top = dictionary.bit_length() - 1
    if top < 12 or dictionary not in (1 << top, (1 << top) | (1 << max(top - 1, 0))):
        return False
    return size == (1 << 64) - 1 or size < 1 << 48


#: What a decompressor raises on damaged input.
DECOMPRESS_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    EOFError,
    ValueError,
    lzma.LZMAError,
    *_GZIP_ERRORS,
)


#: The largest gzip header read (its name and comment fields have no size of their own).
_MAX_GZIP_HEADER = 16 << 20


def _gzip_header(buf: bytes | bytearray) -> int | None:
    """The length of the gzip member header at the start of ``buf`` (None: more is needed).
    Every field of RFC 1952 is read, of any size (zlib's and ISA-L's own readers refuse some
    that gzip(1) accepts); a header CRC (FHCRC) is checked."""
    if len(buf) < 10:
        return None
    if buf[:2] != b"\x1f\x8b" or buf[2] != 8:
        raise ValueError("invalid gzip header")
    flags = buf[3]
    if flags & 0xE0:
        raise ValueError("invalid gzip header (reserved flags set)")
    pos = 10
    if flags & 4:  # FEXTRA
        if len(buf) < pos + 2:
            return None
        pos += 2 + int.from_bytes(buf[pos : pos + 2], "little")
    for flag in (8, 16):  # FNAME, FCOMMENT: zero-terminated
        if flags & flag:
            nul = buf.find(b"\0", pos)
            if nul < 0:
                return None
            pos = nul + 1
    if flags & 2:  # FHCRC
        if len(buf) < pos + 2:
            return None
        if _gzip.crc32(bytes(buf[:pos])) & 0xFFFF != int.from_bytes(buf[pos : pos + 2], "little"):
            raise ValueError("invalid gzip header (header CRC check failed)")
        pos += 2
    return pos if len(buf) >= pos else None


class _GzipMember:
    """One gzip member as the other formats' decompressors read (``decompress(data, max_length)``,
    ``needs_input``, ``eof``, ``unused_data``): header and trailer read here, the deflate data
    inflated by ISA-L (or zlib). A CRC or size check that fails at the member's end is raised on
    the next call, after every byte decompressed before it was given out."""

    def __init__(self) -> None:
        self._header: bytearray | None = bytearray()  # until the header is read
        self._inflate = _gzip.decompressobj(wbits=-15)
        self._tail = b""  # input held back by max_length
        self._full = False  # the last call gave max_length bytes: more may be held inside
        self._trailer = b""
        self._crc = 0
        self._size = 0
        self._failure: ValueError | None = None
        self.eof = False
        self.unused_data = b""

    @property
    def needs_input(self) -> bool:
        return not (self._tail or self._full or self._failure)

    def decompress(self, data: bytes, max_length: int = -1) -> bytes:
        if self._failure is not None:
            raise self._failure
        if self._header is not None:
            self._header += data
            start = _gzip_header(self._header)
            if start is None:
                if len(self._header) > _MAX_GZIP_HEADER:
                    raise ValueError(f"invalid gzip header (over {_MAX_GZIP_HEADER >> 20} MiB)")
                return b""
            data, self._header = bytes(self._header[start:]), None
        if self._inflate.eof:  # gathering the trailer
            self._trailer += data
            self._check()
            return b""
        out = self._inflate.decompress(self._tail + data, max(max_length, 0))
        self._tail = self._inflate.unconsumed_tail
        self._full = max_length > 0 and len(out) >= max_length
        self._crc = _gzip.crc32(out, self._crc)
        self._size += len(out)
        if self._inflate.eof:
            self._trailer = self._inflate.unused_data
            self._tail = b""
            self._full = False
            try:
                self._check()
            except ValueError as exc:
                if not out:
                    raise
                self._failure = exc  # raised on the next call: what was decompressed counts
        return out

    def _check(self) -> None:
        if len(self._trailer) < 8:
            return
        crc, size = int.from_bytes(self._trailer[:4], "little"), int.from_bytes(self._trailer[4:8], "little")
        if crc != self._crc & 0xFFFFFFFF:
            raise ValueError("CRC check failed: the data is damaged")
        if size != self._size & 0xFFFFFFFF:
            raise ValueError("size check failed: the data is damaged")
        self.unused_data, self.eof = self._trailer[8:], True


class _ZstdFrame:
    """One zstd frame as the other formats' decompressors read, damage raised as ValueError."""

    def __init__(self) -> None:
        self._frame = _zstd.ZstdDecompressor()

    def decompress(self, data: bytes, max_length: int = -1) -> bytes:
        try:
            return self._frame.decompress(data, max_length)
        except _zstd.ZstdError as exc:
            raise ValueError(f"invalid zstd data ({exc})") from None

    @property
    def needs_input(self) -> bool:
        return self._frame.needs_input

    @property
    def eof(self) -> bool:
        return self._frame.eof

    @property
    def unused_data(self) -> bytes:
        return self._frame.unused_data


def _magics(kind: str) -> tuple[bytes, ...]:
    """How a member (a frame) of a compressed ``kind`` may start: its magic numbers."""
    return tuple(magic for magic, found in _MAGIC.items() if found == kind)


#: A new decompressor of one member (one frame) of each compressed format.
_NEW_DECOMPRESSOR: dict[str, Callable[[], _Decompressor]] = {
    "gzip": _GzipMember,
    "bzip2": bz2.BZ2Decompressor,
    "xz": lzma.LZMADecompressor,
    "lzma": lambda: lzma.LZMADecompressor(lzma.FORMAT_ALONE),
    "zstd": _ZstdFrame,
}

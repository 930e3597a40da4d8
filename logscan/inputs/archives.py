"""Archives (tar, zip, nested layers) expanded into sources, within a budget."""

from __future__ import annotations

import copy
import functools
import io
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, BinaryIO

from logscan.inputs.decompress import (
    _as_file,
    _as_member,
    _Budget,
    _Decompressed,
    _decompressed,
    _peek,
    _peek_or_wrap,
    _reason,
    _Stored,
)
from logscan.inputs.files import READ_ERRORS
from logscan.inputs.formats import (
    _NEW_DECOMPRESSOR,
    _SNIFF,
    _ZIP_DECOMPRESSORS,
    DECOMPRESS_ERRORS,
    _Decompressor,
    _kind,
    _magics,
    _textual,
    _ZipLzma,
)
from logscan.inputs.model import Limits, Source, Unreadable
from logscan.inputs.text import _open_plain, _unsupported, text_stream

#: A zip that is not a file on disk (stdin, a member) is buffered up to this size.
_MAX_ZIP_IN_MEMORY = 256 << 20
#: What reading a stream (decompressing it, sniffing it, reading it as a tar) raises on damage.
_STREAM_ERRORS: tuple[type[BaseException], ...] = (*DECOMPRESS_ERRORS, tarfile.TarError)


def _expand_stream(
    name: str, raw: BinaryIO, size: int | None, limits: Limits, *, depth: int, budget: _Budget | None = None
) -> Iterator[Source | Unreadable]:
    """A non-seekable or compressed stream: decompress (layer after layer, to ``max_depth``),
    then sniff for an archive."""
    try:
        raw = _peek_or_wrap(raw)
        head = _peek(raw, _SNIFF)
        kind = _kind(head)
        if kind in _NEW_DECOMPRESSOR:
            stream = _as_file(_decompressed(kind, raw, limits, budget))
            inner = _kind(_peek(stream, _SNIFF))
            if inner == "tar":
                yield from _expand_tar(name, stream, size, limits, depth=depth, budget=budget)
            elif inner is not None:  # compressed again (gzip of gzip), or a zip inside
                if depth >= limits.max_depth:
                    yield Unreadable(name, _too_deep(limits))
                    return
                yield from _expand_stream(name, stream, size, limits, depth=depth + 1, budget=budget)
            else:
                yield Source(name, _Once(name, stream).open, size=size)
            return
        if kind == "zip":
            # A zip needs random access: only on disk (stdin zip is buffered).
            data = raw.read(_MAX_ZIP_IN_MEMORY + 1)
            if len(data) > _MAX_ZIP_IN_MEMORY:
                yield Unreadable(name, "zip read from a stream is over the in-memory limit")
                return
            yield from _expand_zip_bytes(name, data, limits, depth=depth, budget=budget, head=head)
            return
        if kind == "tar":
            yield from _expand_tar(name, raw, size, limits, depth=depth, budget=budget)
            return
    except _STREAM_ERRORS as exc:
        yield Unreadable(name, _reason(exc))
        return
    yield Source(name, _Once(name, raw).open, size=size, warning=_unsupported(head))


def _too_deep(limits: Limits) -> str:
    return f"archive or compressed stream nested deeper than {limits.max_depth} levels (max_depth); skipped"


class _Once:
    """Hands out a stream exactly once (stdin, a decompressor, a tar member)."""

    def __init__(self, name: str, stream: BinaryIO) -> None:
        self.name = name
        self.stream: BinaryIO | None = stream

    def open(self) -> BinaryIO:
        if self.stream is None:
            raise OSError(f"{self.name} can only be read once")
        stream, self.stream = self.stream, None
        return text_stream(stream)


def _archive_budget(budget: _Budget | None, size: int | None, limits: Limits) -> _Budget:
    """The budget of an archive: its own, or that of the archive it is in."""
    return budget or _Budget(limits.max_archive_bytes, limits.max_ratio, size)


def _expand_tar(
    name: str,
    stream: BinaryIO,
    size: int | None,
    limits: Limits,
    *,
    depth: int,
    budget: _Budget | None = None,
) -> Iterator[Source | Unreadable]:
    budget = _archive_budget(budget, size, limits)
    try:
        tar = tarfile.open(fileobj=stream, mode="r|")
        for member in tar:
            member_name = f"{name}:{member.name.lstrip('/')}"
            if not member.isfile():
                continue
            if member.size > limits.max_member_bytes:
                yield Unreadable(member_name, f"member expands to {member.size} bytes, over the limit")
                continue
            if refused := budget.refuse(name, member_name, member.size):
                yield refused
                return
            if member.issparse():  # its map of holes is tarfile's to read
                stored = _Stored(tar.extractfile(member), member.size)  # type: ignore[arg-type]  # a file: not None
            else:
                stored = _Stored(tar.fileobj, member.size)  # type: ignore[arg-type]  # open: not None
            fh = _Decompressed(
                stored,
                _as_member(stored),
                limits,
                ends_early="the archive ends inside this member",
                budget=budget,
            )
            yield from _expand_member(
                member_name, _as_file(fh), member.size, limits, depth=depth + 1, budget=budget
            )
    except READ_ERRORS as exc:
        yield Unreadable(name, _reason(exc))


def _expand_zip(
    path: Path, name: str, size: int, limits: Limits, *, head: bytes
) -> Iterator[Source | Unreadable]:
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        if _textual(head[4:]):  # a text log that starts with "PK\x03\x04"
            st = path.stat()
            identity = (st.st_dev, st.st_ino)
            yield Source(name, lambda: _open_plain(path, identity, size), size=size, identity=identity)
        else:
            yield Unreadable(name, _reason(exc))
        return
    yield from _zip_members(name, zf, limits, depth=0, budget=_archive_budget(None, size, limits))


def _expand_zip_bytes(
    name: str, data: bytes, limits: Limits, *, depth: int, budget: _Budget | None, head: bytes
) -> Iterator[Source | Unreadable]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        if _textual(head[4:]):
            yield Source(name, _Once(name, io.BufferedReader(io.BytesIO(data))).open, size=len(data))
        else:
            yield Unreadable(name, _reason(exc))
        return
    yield from _zip_members(name, zf, limits, depth=depth, budget=_archive_budget(budget, len(data), limits))


def _overlapping(zf: zipfile.ZipFile) -> set[tuple[int, str]]:
    """The members (header offset, name) whose data overlaps another member's (or the central
    directory): a zip bomb that lists one compressed stream many times over. A member's data is
    at least its local header (30 bytes and its name) and its compressed bytes, from its offset."""
    spans = []
    for info in zf.infolist():
        try:
            named = len(info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437"))
        except UnicodeEncodeError:
            named = 0
        start = info.header_offset
        spans.append((start, start + 30 + named + info.compress_size, (start, info.filename)))
    spans.sort()
    found: set[tuple[int, str]] = set()
    end_dir = getattr(zf, "start_dir", None)
    reach, reaching = -1, (-1, "")
    for start, end, key in spans:
        if start < reach:
            found.update((key, reaching))
        if end > reach:
            reach, reaching = end, key
        if end_dir is not None and end > end_dir:
            found.add(key)
    return found


def _zip_members(
    name: str, zf: zipfile.ZipFile, limits: Limits, *, depth: int, budget: _Budget
) -> Iterator[Source | Unreadable]:
    with zf:
        overlapping = _overlapping(zf)
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            if info.is_dir():
                continue
            member_name = f"{name}:{info.filename.lstrip('/')}"
            if (info.header_offset, info.filename) in overlapping:
                yield Unreadable(member_name, "its data overlaps another member's (a zip bomb?); skipped")
                continue
            if info.flag_bits & 0x1:
                yield Unreadable(
                    member_name, "the member is encrypted (password-protected); logscan cannot read it"
                )
                continue
            if info.file_size > limits.max_member_bytes:
                yield Unreadable(member_name, f"member expands to {info.file_size} bytes, over the limit")
                continue
            if info.compress_size and info.file_size / info.compress_size > limits.max_ratio:
                yield Unreadable(member_name, "compression ratio over the limit (zip bomb?)")
                continue
            if refused := budget.refuse(name, member_name, info.file_size):
                yield refused
                return
            try:
                fh, counted = _open_member(zf, info, limits, budget)
            except (OSError, zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
                yield Unreadable(member_name, _reason(exc))
                continue
            with fh:
                yield from _expand_member(
                    member_name, _as_file(counted), info.compress_size, limits, depth=depth + 1, budget=budget
                )


def _open_member(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, budget: _Budget
) -> tuple[IO[bytes], _Decompressed]:
    """A zip member's file, and its bytes as read (held to the limits, charged to the budget).

    zipfile inflates deflate in bounded steps, but gives out all a bzip2 or LZMA read holds at
    once: those members' compressed bytes are read as stored and decompressed here, in steps.
    """
    new: Callable[[], _Decompressor]
    if info.compress_type in _ZIP_DECOMPRESSORS:
        raw = copy.copy(info)
        raw.compress_type, raw.file_size = zipfile.ZIP_STORED, info.compress_size
        raw.CRC = None  # type: ignore[assignment]  # None: zipfile skips its CRC check (_CrcChecked does it)
        fh = zf.open(raw)
        stream = _Stored(fh, info.compress_size)
        inner = _ZIP_DECOMPRESSORS[info.compress_type]
        if info.compress_type == zipfile.ZIP_LZMA and not info.flag_bits & 0x2:  # no end marker
            inner = functools.partial(_ZipLzma, info.file_size)
        new = functools.partial(_CrcChecked, inner, info.CRC)
        magic = _magics("bzip2") if info.compress_type == zipfile.ZIP_BZIP2 else ()
    else:
        fh = zf.open(info)
        stream = _Stored(fh, info.file_size)
        new, magic = _as_member(stream), ()
    ends_early = "the archive ends inside this member"
    return fh, _Decompressed(stream, new, limits, magic, ends_early=ends_early, budget=budget)


class _CrcChecked:
    """A decompressor whose whole output is checked against a CRC-32 at its end (a zip member's
    ``CRC``); a mismatch is raised on the next call, after every byte was given out."""

    def __init__(self, new: Callable[[], _Decompressor], crc: int) -> None:
        self._inner = new()
        self._expected = crc
        self._crc = 0
        self._failure: ValueError | None = None

    def decompress(self, data: bytes, max_length: int = -1) -> bytes:
        if self._failure is not None:
            raise self._failure
        out = self._inner.decompress(data, max_length)
        self._crc = zlib.crc32(out, self._crc)
        if self._inner.eof and self._crc != self._expected:
            self._failure = ValueError("CRC check failed: the data is damaged")
            if not out:
                raise self._failure
        return out

    @property
    def needs_input(self) -> bool:
        return self._failure is None and getattr(self._inner, "needs_input", True)

    @property
    def eof(self) -> bool:
        return self._failure is None and self._inner.eof

    @property
    def unused_data(self) -> bytes:
        return self._inner.unused_data


def _expand_member(
    name: str, fh: BinaryIO, size: int | None, limits: Limits, *, depth: int, budget: _Budget
) -> Iterator[Source | Unreadable]:
    head = _peek_or_wrap(fh)
    try:
        nested = _kind(_peek(head, _SNIFF)) is not None
    except READ_ERRORS as exc:
        yield Unreadable(name, _reason(exc))
        return
    if nested and depth > limits.max_depth:
        yield Unreadable(name, _too_deep(limits))
        return
    yield from _expand_stream(name, head, size, limits, depth=depth, budget=budget)

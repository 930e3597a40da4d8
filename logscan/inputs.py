"""Paths -> named byte streams.

Everything logscan reads goes through here: files, directories (recursive),
globs, ``-`` for stdin, compressed files (gzip, bzip2, xz, zstd, LZMA-alone,
sniffed by their content rather than trusted by extension, layer after layer),
zip and tar archives (each member becomes a source named
``archive.zip:member/path``), encodings (a UTF-8 BOM is skipped, UTF-16 and
UTF-32 are transcoded to UTF-8) and CR-only line ends (read as LF).

Decompression goes in bounded steps (:data:`_STEP`), each held to the
:class:`Limits`, so that a bomb is stopped before it fills memory; an archive's
members share one budget (:class:`_Budget`).

Sources are yielded lazily, in a stable order. A path that cannot be used is
yielded as an :class:`Unreadable` with its reason instead of raising, so a
run can continue with the rest and still say what it missed.
"""

from __future__ import annotations

import bz2
import codecs
import copy
import functools
import glob
import io
import lzma
import os
import re
import stat
import sys
import tarfile
import types
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO, Protocol, TypeVar, cast

from logscan.outputs import text_name

#: Read size of the block splitter, and the target size of one block.
BLOCK_SIZE = 16 << 20

#: zstd's frames, and its skippable frames (seek tables, pzstd's headers): 0x184D2A50-5F.
_ZSTD_MAGICS = (b"\x28\xb5\x2f\xfd", *(bytes([0x50 + n]) + b"\x2a\x4d\x18" for n in range(16)))
_MAGIC = {
    b"\x1f\x8b": "gzip",
    b"BZh": "bzip2",
    b"\xfd7zXZ\x00": "xz",
    **dict.fromkeys(_ZSTD_MAGICS, "zstd"),
}
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_GLOB_CHARS = set("*?[")
_T = TypeVar("_T")
#: An fsspec URL (``s3://bucket/key``), as a path given.
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
#: A zip that is not a file on disk (stdin, a member) is buffered up to this size.
_MAX_ZIP_IN_MEMORY = 256 << 20


class _Decompressor(Protocol):
    """One member (one frame) of a compressed format, decompressed in steps: zlib's, bz2's and
    lzma's decompressors, and this module's (:class:`_GzipMember`, :class:`_Stored` ...)."""

    @property
    def eof(self) -> bool: ...

    @property
    def unused_data(self) -> bytes: ...

    def decompress(self, data: bytes, /, max_length: int = ...) -> bytes: ...


class _Chunks(Protocol):
    """What :class:`_Decompressed` reads its compressed bytes from: a file, or :class:`_Stored`."""

    def read(self, size: int, /) -> bytes: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Limits:
    """Bounds on what archives may expand to (a defence against zip bombs)."""

    #: Largest size an archive member or a compressed file may expand to.
    max_member_bytes: int = 4 << 30
    #: Largest expansion ratio (zip bombs expand ~1000 times; logs ~10-50 times).
    max_ratio: float = 200.0
    #: Archives inside archives (and compressed streams inside compressed streams) are opened to this depth.
    max_depth: int = 2
    #: Largest size all the members of one archive may expand to, in all.
    max_archive_bytes: int = 16 << 30


@dataclass
class Source:
    """One readable log: a file, a decompressed file, an archive member or stdin."""

    name: str
    open: Callable[[], BinaryIO]
    #: The file on disk when the source is a plain, uncompressed regular file.
    path: Path | None = None
    #: Bytes on disk (compressed size for compressed sources), when known.
    size: int | None = None
    #: (st_dev, st_ino) of a plain file when it was listed: it is read as that file or not at all.
    identity: tuple[int, int] | None = None
    #: Something the user should know about how it is read (a format logscan does not open).
    warning: str | None = None

    def __post_init__(self) -> None:
        self.name = text_name(self.name)  # a name that is not UTF-8 still goes into every output


@dataclass(frozen=True)
class Unreadable:
    """An input that could not be read, and why."""

    name: str
    reason: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", text_name(self.name))
        object.__setattr__(self, "reason", text_name(self.reason))


@dataclass
class _Walk:
    """What a run has seen, so that a folder or file reached twice is read once."""

    seen_dirs: set[tuple[int, int]] = field(default_factory=set)
    seen_files: set[tuple[int, int]] = field(default_factory=set)
    stdin: bool = False


def iter_sources(
    paths: Iterable[str | os.PathLike[str]],
    *,
    stdin: BinaryIO | None = None,
    limits: Limits | None = None,
) -> Iterator[Source | Unreadable]:
    """Expand ``paths`` into sources, in order; never raises for a bad path.

    Tar members are only readable until the next item is requested (tar is
    read as a stream), so consume each source before asking for the next.
    """
    limits = limits or Limits()
    walk = _Walk()

    def read_stdin() -> Iterator[Source | Unreadable]:
        if walk.stdin:  # "-" named twice: standard input is read once, as a file named twice
            return
        walk.stdin = True
        stream = stdin if stdin is not None else sys.stdin.buffer
        yield from _expand_stream("<stdin>", stream, None, limits, depth=0)

    def visit(path: Path, name: str, in_folder: bool) -> Iterator[Source | Unreadable]:
        return _expand_file(path, name, limits, walk, in_folder=in_folder)

    return _expand_paths(paths, walk, visit, read_stdin)


@dataclass(frozen=True)
class Listed:
    """A regular file a path names, not opened yet: for a worker elsewhere to read
    (:func:`file_sources`), by its absolute ``path``; ``name`` as the paths given name it."""

    name: str
    path: Path
    size: int


def iter_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Listed | Unreadable]:
    """The files ``paths`` name, as :func:`iter_sources` finds them (globs, folders walked in
    the same order, a file reached twice listed once), without opening them.

    Standard input, pipes and devices cannot be read by another process: they are unreadable here.
    """
    walk = _Walk()

    def no_stdin() -> Iterator[Unreadable]:
        yield Unreadable("<stdin>", "standard input can only be read by the local engine")

    def visit(path: Path, name: str, in_folder: bool) -> Iterator[Listed | Unreadable]:
        try:
            st = _admit(path, walk, in_folder=in_folder)
        except OSError as exc:
            yield Unreadable(name, _reason(exc))
            return
        if st is None:
            return
        if not stat.S_ISREG(st.st_mode):
            yield Unreadable(name, "not a regular file (a pipe or a device is read by the local engine only)")
            return
        yield Listed(name, path.absolute(), st.st_size)

    return _expand_paths(paths, walk, visit, no_stdin)


def file_sources(path: Path, name: str, limits: Limits | None = None) -> Iterator[Source | Unreadable]:
    """The sources of one file (itself, decompressed, or its archive's members), named ``name``
    (members ``name:member``), as :func:`iter_sources` reads a file named on its own."""
    return _expand_file(path, name, limits or Limits())


def stream_sources(
    name: str, raw: BinaryIO, size: int | None, limits: Limits | None = None
) -> Iterator[Source | Unreadable]:
    """The sources of a byte stream opened elsewhere (an object in a bucket): itself,
    decompressed, or its archive's members, sniffed as a file's are. Consume each source
    before asking for the next; ``raw`` is the caller's to close."""
    return _expand_stream(name, raw, size, limits or Limits(), depth=0)


def is_url(text: str) -> bool:
    """Whether a path given is an fsspec URL (``scheme://...``) rather than a local path."""
    return bool(_URL.match(text))


def _expand_paths(
    paths: Iterable[str | os.PathLike[str]],
    walk: _Walk,
    visit: Callable[[Path, str, bool], Iterator[_T]],
    read_stdin: Callable[[], Iterator[_T]],
) -> Iterator[_T | Unreadable]:
    """What each path names, in order: ``visit(path, name, in_folder)`` for every file (of the
    folders walked too), ``read_stdin()`` for ``-``."""
    for raw in paths:
        text = os.fspath(raw)
        if text == "-":
            yield from read_stdin()
            continue
        named = _named(text)
        if not named and _URL.match(text):
            yield Unreadable(text, "a URL: the local engine reads files; URLs are read with --engine dask")
        elif not named:
            glob_ = bool(_GLOB_CHARS & set(text))
            yield Unreadable(text, "no file matches this pattern" if glob_ else "no such file or directory")
        for name in named:
            path = Path(name)
            if path.is_dir():
                yield from _walk_dir(path, walk, visit)
            else:
                yield from visit(path, name, False)


def _named(text: str) -> list[str]:
    """What a path given names: itself where it exists (or is a link), else the files and
    folders a glob matches (none: nothing)."""
    path = Path(text)
    if path.exists() or path.is_symlink():
        return [text]
    return sorted(glob.glob(text, recursive=True)) if _GLOB_CHARS & set(text) else []


def would_read(paths: Iterable[str], target: Path) -> bool:
    """Whether scanning ``paths`` reads the existing file ``target`` (named, matched by a glob,
    or in a folder), as :func:`iter_sources` expands them."""
    resolved = target.resolve()
    for text in paths:
        for name in _named(text) if text != "-" else []:
            found = Path(name).resolve()
            if found == resolved or (found.is_dir() and resolved.is_relative_to(found)):
                return True
    return False


def common_folder(paths: Iterable[str]) -> str | None:
    """The folder every input named in ``paths`` lies in (a folder named, or the folder of a
    file named; globs as :func:`iter_sources` expands them), spelled as the files found in it
    are (``sample_logs/ticket-4711``); None when there is none but the current one (or only
    stdin). A report shows file names relative to it."""
    folders = []
    for text in paths:
        for name in _named(text) if text != "-" else []:
            path = Path(name)
            folders.append(str(path if path.is_dir() else path.parent))
    if not folders:
        return None
    try:
        common = os.path.commonpath(folders)
    except ValueError:  # absolute and relative names mixed
        return None
    return None if common in ("", ".") else common


def _walk_dir(
    root: Path, walk: _Walk, visit: Callable[[Path, str, bool], Iterator[_T]]
) -> Iterator[_T | Unreadable]:
    try:
        st = root.stat()
    except OSError as exc:
        yield Unreadable(str(root), _reason(exc))
        return
    key = (st.st_dev, st.st_ino)
    if key in walk.seen_dirs:  # a symlink to a folder already scanned (or a loop): nothing new
        return
    walk.seen_dirs.add(key)
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError as exc:
        yield Unreadable(str(root), _reason(exc))
        return
    for entry in entries:
        p = Path(entry.path)
        try:
            is_dir = entry.is_dir()  # follows symlinks; loops are caught above
        except OSError as exc:
            yield Unreadable(str(p), _reason(exc))
            continue
        if is_dir:
            yield from _walk_dir(p, walk, visit)
        else:
            yield from visit(p, str(p), True)


def _expand_file(
    path: Path, name: str, limits: Limits, walk: _Walk | None = None, *, in_folder: bool = False
) -> Iterator[Source | Unreadable]:
    """The sources of one file. Found in a folder, anything but a regular file (a named pipe,
    a device, a socket) is skipped, as ``grep -r`` does: reading a pipe nobody writes to would
    wait for ever. Named on its own, a pipe or a character device is read as a stream."""
    try:
        st = _admit(path, walk, in_folder=in_folder)
        if st is None:
            return
        if stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode):
            # a pipe or process substitution, <(zcat x.gz): read it as a stream, like stdin
            stream = path.open("rb")
            yield from _expand_stream(name, stream, None, limits, depth=0)
            stream.close()
            return
        if not stat.S_ISREG(st.st_mode):
            yield Unreadable(name, "not a regular file")
            return
        fh = path.open("rb")
        st = os.fstat(fh.fileno())  # the file opened (the path may have changed since the stat)
    except OSError as exc:
        yield Unreadable(name, _reason(exc))
        return
    with fh:
        try:
            head = fh.read(512)
            if b"\n" not in head:  # a first line this long, or line ends that are not LF
                head += fh.read(_SNIFF - len(head))
        except OSError as exc:
            yield Unreadable(name, _reason(exc))
            return
        kind = _kind(head)
        if kind is None:
            warning = _unsupported(head)
            # Always this file (this inode), to the size it has now.
            identity, size = (st.st_dev, st.st_ino), st.st_size

            def opener() -> BinaryIO:
                return _open_plain(path, identity, size)

            if _plain_utf8(head):  # the engine may read it by offset, in parallel
                yield Source(name, opener, path=path, size=size, identity=identity, warning=warning)
            else:  # transcoded, or its CR line ends turned to LF: read as a stream
                yield Source(name, opener, size=size, warning=warning)
            return
        if kind == "zip":
            yield from _expand_zip(path, name, st.st_size, limits, head=head)
            return
        fh.seek(0)
        yield from _expand_stream(name, fh, st.st_size, limits, depth=0)


def _admit(path: Path, walk: _Walk | None, *, in_folder: bool) -> os.stat_result | None:
    """The file's status, or None for a file to skip: anything but a regular file found in a
    folder, or a file already seen (named twice, or through a link)."""
    st = path.stat()
    if in_folder and not stat.S_ISREG(st.st_mode):
        return None
    if walk is not None:
        key = (st.st_dev, st.st_ino)
        if key in walk.seen_files:  # the same file named twice (or through a link): read once
            return None
        walk.seen_files.add(key)
    return st


def _open_plain(path: Path, identity: tuple[int, int] | None, size: int) -> BinaryIO:
    return text_stream(io.BufferedReader(_Whole(open_checked(path, identity), size), buffer_size=1 << 16))


class ChangedError(OSError):
    """A file that changed while it was read: replaced (rotated) or cut shorter than when listed."""

    def __str__(self) -> str:
        return f"changed while being read ({self.args[0]})" if self.args else "changed while being read"


def open_checked(path: Path, identity: tuple[int, int] | None) -> BinaryIO:
    """``path`` opened for reading, raising :class:`ChangedError` unless it is still the file of
    ``identity`` (st_dev, st_ino; None: any)."""
    fh = path.open("rb")
    if identity is not None:
        st = os.fstat(fh.fileno())
        if (st.st_dev, st.st_ino) != identity:
            fh.close()
            raise ChangedError("replaced by another file since it was listed, e.g. by log rotation")
    return fh


def _shorter(fh: BinaryIO) -> ChangedError:
    """A file that ends before the size it had when listed."""
    try:
        now = f": now {os.fstat(fh.fileno()).st_size:,} bytes"
    except (OSError, ValueError):
        now = ""
    return ChangedError(f"truncated since it was listed{now}")


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


def _as_member(stored: _Stored) -> Callable[[], _Decompressor]:
    """``stored`` as the decompressor of the only member it holds."""
    return lambda: stored


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


#: What is looked at to tell what a file or stream holds (its format, its encoding, its line ends).
_SNIFF = 1 << 16
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


def is_glob(text: str) -> bool:
    """Whether a path given is a glob (``*``, ``?`` or ``[`` in it)."""
    return bool(_GLOB_CHARS & set(text))


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


_gzip: types.ModuleType  # one of two modules (isal's stubs have its error as an instance, too)
try:  # ISA-L's inflate: the same stream format, four times zlib's speed
    from isal import isal_zlib as _gzip

    _GZIP_ERRORS: tuple[type[BaseException], ...] = (zlib.error, _gzip.error)
except ImportError:  # pragma: no cover - a platform without its wheels
    _gzip = zlib
    _GZIP_ERRORS = (zlib.error,)


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


#: What a decompressor raises on damaged input.
DECOMPRESS_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    EOFError,
    ValueError,
    lzma.LZMAError,
    *_GZIP_ERRORS,
)
#: What reading a compressed stream or a tar in it raises on damaged input.
_STREAM_ERRORS: tuple[type[BaseException], ...] = (*DECOMPRESS_ERRORS, tarfile.TarError)


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


try:  # the standard library's from Python 3.14; its backport before
    from compression import zstd as _zstd  # type: ignore[import-not-found]  # Python 3.14's
except ImportError:  # pragma: no cover - depends on the Python version
    from backports import zstd as _zstd


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


#: Exceptions that mean "this source is damaged", caught while reading blocks.
READ_ERRORS: tuple[type[BaseException], ...] = (*DECOMPRESS_ERRORS, tarfile.TarError, zipfile.BadZipFile)


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
    path: Path, size: int, block_size: int = BLOCK_SIZE, identity: tuple[int, int] | None = None
) -> Iterator[tuple[int, int, bool]]:
    """(offset, length, one line) spans of a plain file (the file of ``identity``), each ending
    at a newline where possible. A line longer than about four blocks is a span of its own
    (``one line`` true), to be read in pieces: memory stays bounded, and it counts once."""
    limit = 4 * block_size
    with open_checked(path, identity) as fh:
        offset = 0
        while offset < size:
            end = min(offset + block_size, size)
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

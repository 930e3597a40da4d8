"""Paths -> named byte streams.

Everything logscan reads goes through here: files, directories (recursive),
globs, ``-`` for stdin, compressed files (gzip, bzip2, xz, zstd, sniffed by
their magic bytes rather than trusted by extension), zip and tar archives
(each member becomes a source named ``archive.zip:member/path``), byte-order
marks (UTF-8 is skipped, UTF-16 is transcoded to UTF-8).

Sources are yielded lazily, in a stable order. A path that cannot be used is
yielded as an :class:`Unreadable` with its reason instead of raising, so a
run can continue with the rest and still say what it missed.
"""

from __future__ import annotations

import bz2
import codecs
import glob
import io
import lzma
import os
import stat
import sys
import tarfile
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

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
#: A zip that is not a file on disk (stdin, a member) is buffered up to this size.
_MAX_ZIP_IN_MEMORY = 256 << 20


@dataclass(frozen=True)
class Limits:
    """Bounds on what archives may expand to (a defence against zip bombs)."""

    #: Largest size an archive member or a compressed file may expand to.
    max_member_bytes: int = 4 << 30
    #: Largest expansion ratio (zip bombs expand ~1000 times; logs ~10-50 times).
    max_ratio: float = 200.0
    #: Archives inside archives are opened to this depth.
    max_depth: int = 2


@dataclass
class Source:
    """One readable log: a file, a decompressed file, an archive member or stdin."""

    name: str
    open: Callable[[], BinaryIO]
    #: The file on disk when the source is a plain, uncompressed regular file.
    path: Path | None = None
    #: Bytes on disk (compressed size for compressed sources), when known.
    size: int | None = None


@dataclass(frozen=True)
class Unreadable:
    """An input that could not be read, and why."""

    name: str
    reason: str


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
    for raw in paths:
        text = os.fspath(raw)
        if text == "-":
            if walk.stdin:  # "-" named twice: standard input is read once, as a file named twice
                continue
            walk.stdin = True
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield from _expand_stream("<stdin>", stream, None, limits, depth=0)
            continue
        named = _named(text)
        if not named:
            glob_ = bool(_GLOB_CHARS & set(text))
            yield Unreadable(text, "no file matches this pattern" if glob_ else "no such file or directory")
        for name in named:
            path = Path(name)
            if path.is_dir():
                yield from _walk_dir(path, walk, limits)
            else:
                yield from _expand_file(path, name, limits, walk)


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


def _walk_dir(root: Path, walk: _Walk, limits: Limits) -> Iterator[Source | Unreadable]:
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
            yield from _walk_dir(p, walk, limits)
        else:
            yield from _expand_file(p, str(p), limits, walk, in_folder=True)


def _expand_file(
    path: Path, name: str, limits: Limits, walk: _Walk | None = None, *, in_folder: bool = False
) -> Iterator[Source | Unreadable]:
    """The sources of one file. Found in a folder, anything but a regular file (a named pipe,
    a device, a socket) is skipped, as ``grep -r`` does: reading a pipe nobody writes to would
    wait for ever. Named on its own, a pipe or a character device is read as a stream."""
    try:
        st = path.stat()
        if in_folder and not stat.S_ISREG(st.st_mode):
            return
        if walk is not None:
            key = (st.st_dev, st.st_ino)
            if key in walk.seen_files:  # the same file named twice (or through a link): read once
                return
            walk.seen_files.add(key)
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
    except OSError as exc:
        yield Unreadable(name, _reason(exc))
        return
    with fh:
        try:
            head = fh.read(512)
        except OSError as exc:
            yield Unreadable(name, _reason(exc))
            return
        kind = _sniff(head)
        if kind is None and not _is_tar(head):
            # Plain file: the engine may read it by offset, in parallel.
            yield Source(name, lambda: _open_plain(path), path=path, size=st.st_size)
            return
        if kind == "zip":
            yield from _expand_zip(path, name, st.st_size, limits, depth=0)
            return
        fh.seek(0)
        yield from _expand_stream(name, fh, st.st_size, limits, depth=0)


def _open_plain(path: Path) -> BinaryIO:
    fh = path.open("rb")
    return text_stream(fh)


def _expand_stream(
    name: str, raw: BinaryIO, size: int | None, limits: Limits, *, depth: int
) -> Iterator[Source | Unreadable]:
    """A non-seekable or compressed stream: decompress, then sniff for tar."""
    try:
        raw = _peek_or_wrap(raw)
        head = _peek(raw, 8)
        kind = _sniff(head)
        stream: BinaryIO = raw
        if kind in _DECOMPRESSORS:
            stream = _DECOMPRESSORS[kind](raw, limits)
            inner = _peek(stream, 512)
            if _is_tar(inner):
                yield from _expand_tar(name, stream, limits, depth=depth)
                return
        elif kind == "zip":
            # A zip needs random access: only on disk (stdin zip is buffered).
            data = raw.read(_MAX_ZIP_IN_MEMORY + 1)
            if len(data) > _MAX_ZIP_IN_MEMORY:
                yield Unreadable(name, "zip read from a stream is over the in-memory limit")
                return
            yield from _expand_zip_bytes(name, data, limits, depth=depth)
            return
        elif _is_tar(_peek(raw, 512)):
            yield from _expand_tar(name, raw, limits, depth=depth)
            return
    except (*DECOMPRESS_ERRORS, tarfile.TarError) as exc:
        yield Unreadable(name, _reason(exc))
        return
    once = _Once(name, stream)
    yield Source(name, once.open, size=size)


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


def _expand_tar(name: str, stream: BinaryIO, limits: Limits, *, depth: int) -> Iterator[Source | Unreadable]:
    try:
        tar = tarfile.open(fileobj=stream, mode="r|")
        for member in tar:
            member_name = f"{name}:{member.name.lstrip('/')}"
            if not member.isfile():
                continue
            if member.size > limits.max_member_bytes:
                yield Unreadable(member_name, f"member expands to {member.size} bytes, over the limit")
                continue
            fh: BinaryIO | None
            if member.issparse():  # its map of holes is tarfile's to read
                fh = tar.extractfile(member)
            else:
                stored = _TarMember(tar.fileobj, member.size)  # type: ignore[arg-type]
                fh = _Decompressed(  # type: ignore[assignment]
                    stored,
                    lambda stored=stored: stored,
                    limits,
                    ends_early="the archive ends inside this member",
                )
            if fh is None:
                continue
            yield from _expand_member(member_name, fh, member.size, limits, depth=depth + 1)
    except READ_ERRORS as exc:
        yield Unreadable(name, _reason(exc))


def _expand_zip(
    path: Path, name: str, size: int, limits: Limits, *, depth: int
) -> Iterator[Source | Unreadable]:
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        yield Unreadable(name, _reason(exc))
        return
    yield from _zip_members(name, zf, limits, depth=depth)


def _expand_zip_bytes(name: str, data: bytes, limits: Limits, *, depth: int) -> Iterator[Source | Unreadable]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        yield Unreadable(name, _reason(exc))
        return
    yield from _zip_members(name, zf, limits, depth=depth)


def _zip_members(
    name: str, zf: zipfile.ZipFile, limits: Limits, *, depth: int
) -> Iterator[Source | Unreadable]:
    with zf:
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            if info.is_dir():
                continue
            member_name = f"{name}:{info.filename.lstrip('/')}"
            if info.file_size > limits.max_member_bytes:
                yield Unreadable(member_name, f"member expands to {info.file_size} bytes, over the limit")
                continue
            if info.compress_size and info.file_size / info.compress_size > limits.max_ratio:
                yield Unreadable(member_name, "compression ratio over the limit (zip bomb?)")
                continue
            try:
                fh = zf.open(info)
            except (OSError, zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
                yield Unreadable(member_name, _reason(exc))
                continue
            with fh:
                yield from _expand_member(member_name, fh, info.compress_size, limits, depth=depth + 1)


def _expand_member(
    name: str, fh: BinaryIO, size: int | None, limits: Limits, *, depth: int
) -> Iterator[Source | Unreadable]:
    head = _peek_or_wrap(fh)
    try:
        kind = _sniff(head.peek(8)[:8])
        nested = kind is not None or _is_tar(head.peek(512)[:512])
    except READ_ERRORS as exc:
        yield Unreadable(name, _reason(exc))
        return
    if nested and depth > limits.max_depth:
        yield Unreadable(name, f"archive nested deeper than {limits.max_depth} levels; skipped")
        return
    yield from _expand_stream(name, head, size, limits, depth=depth)


def text_stream(fh: BinaryIO) -> BinaryIO:
    """Wrap ``fh`` so that it yields UTF-8 bytes: skip a UTF-8 BOM, transcode UTF-16."""
    buffered = _peek_or_wrap(fh)
    head = buffered.peek(4)[:4]
    if head.startswith(codecs.BOM_UTF8):
        buffered.read(3)
        return buffered
    if head[:2] in UTF16_BOMS:
        return _Transcoder(buffered, "utf-16")
    return buffered


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
        return fh  # type: ignore[return-value]
    return io.BufferedReader(fh, buffer_size=1 << 16)  # type: ignore[arg-type]


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


def compression_of(head: bytes) -> str | None:
    """The compressed or archive format a file's first bytes show (``gzip``, ``zip``, ``tar``
    ...), or None for text."""
    return _sniff(head) or ("tar" if _is_tar(head) else None)


def is_glob(text: str) -> bool:
    """Whether a path given is a glob (``*``, ``?`` or ``[`` in it)."""
    return bool(_GLOB_CHARS & set(text))


def _is_tar(head: bytes) -> bool:
    return len(head) >= 262 and head[257:262] == b"ustar"


try:  # ISA-L's inflate: the same stream format, four times zlib's speed
    from isal import isal_zlib as _gzip

    _GZIP_ERRORS: tuple[type[BaseException], ...] = (zlib.error, _gzip.error)
except ImportError:  # pragma: no cover - a platform without its wheels
    _gzip = zlib  # type: ignore[no-redef]
    _GZIP_ERRORS = (zlib.error,)

#: What a decompressor raises on damaged input.
DECOMPRESS_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    EOFError,
    ValueError,
    lzma.LZMAError,
    *_GZIP_ERRORS,
)


class _Decompressed:
    """A decompressing reader that gives out everything a damaged stream still holds.

    When the compressed input ends before the stream does (a truncated
    ``log.gz`` attached to a ticket), ``read`` first returns every byte that
    could be decompressed, and only the next call raises :class:`EOFError`.
    Concatenated members (``cat a.gz b.gz``) are read one after the other.
    """

    def __init__(
        self,
        raw: BinaryIO,
        new_decompressor: Callable[[], object],
        limits: Limits | None = None,
        magic: tuple[bytes, ...] = (),
        ends_early: str = "the compressed stream ended early",
    ) -> None:
        self._raw = raw
        self._ends_early = ends_early  # what a stream that ends before its end is
        self._magic = magic  # how a member may start
        self._new = new_decompressor
        self._limits = limits or Limits()
        self._consumed = 0
        self._produced = 0
        self._decompressor: object = new_decompressor()
        # Decompressed pieces not read yet: a read joins them (one copy).
        self._pieces: deque[bytes] = deque()
        self._offset = 0  # bytes of the first piece already read
        self._buffered = 0
        self._error: BaseException | None = None
        self._done = False

    def _fill(self, wanted: int) -> None:
        while self._buffered < wanted and not self._done and self._error is None:
            d = self._decompressor
            if d.eof:  # type: ignore[attr-defined]
                rest = self._next_member(d.unused_data)  # type: ignore[attr-defined]
                if not rest:
                    self._done = True
                    return
                self._decompressor = d = self._new()
                self._feed(rest)
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
        try:
            out = self._decompressor.decompress(chunk)  # type: ignore[attr-defined]
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


class _TarMember:
    """A tar member's bytes as a "decompressor" of what is stored as is, for :class:`_Decompressed`
    (which gives out every byte before damage: a member cut short keeps its lines). Reads the
    tar stream directly, never past the member's end; tarfile skips what is left of it."""

    def __init__(self, stream: BinaryIO, size: int) -> None:
        self._stream = stream
        self._left = size
        self.unused_data = b""

    def read(self, size: int) -> bytes:
        data = self._stream.read(min(size, self._left))
        self._left -= len(data)
        return data

    def decompress(self, data: bytes) -> bytes:
        return data

    @property
    def eof(self) -> bool:
        return self._left <= 0

    def close(self) -> None:
        """Nothing to close: the tar stream is the archive's."""


class _ZstdFrame:
    """zstandard's decompressor as zlib's reads: one frame (``eof``, ``unused_data``), damage
    raised as ValueError, so that :class:`_Decompressed` treats zstd like the other formats."""

    def __init__(self) -> None:
        import zstandard

        self._damage = zstandard.ZstdError
        self._frame = zstandard.ZstdDecompressor().decompressobj()

    def decompress(self, data: bytes) -> bytes:
        try:
            return self._frame.decompress(data)
        except self._damage as exc:
            raise ValueError(f"invalid zstd data ({exc})") from None

    @property
    def eof(self) -> bool:
        return self._frame.eof

    @property
    def unused_data(self) -> bytes:
        return self._frame.unused_data


def _magics(kind: str) -> tuple[bytes, ...]:
    """How a member (a frame) of a compressed ``kind`` may start: its magic numbers."""
    return tuple(magic for magic, found in _MAGIC.items() if found == kind)


_DECOMPRESSORS: dict[str, Callable[[BinaryIO, Limits], BinaryIO]] = {
    "gzip": lambda raw, lim: _Decompressed(raw, lambda: _gzip.decompressobj(wbits=31), lim, _magics("gzip")),  # type: ignore[dict-item]
    "bzip2": lambda raw, lim: _Decompressed(raw, bz2.BZ2Decompressor, lim, _magics("bzip2")),  # type: ignore[dict-item]
    "xz": lambda raw, lim: _Decompressed(raw, lzma.LZMADecompressor, lim, _magics("xz")),  # type: ignore[dict-item]
    "zstd": lambda raw, lim: _Decompressed(raw, _ZstdFrame, lim, _magics("zstd")),  # type: ignore[dict-item]
}
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
    if isinstance(exc, LimitError):
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


def iter_blocks(stream: BinaryIO, block_size: int = BLOCK_SIZE) -> Iterator[bytes]:
    """Split a stream into blocks that end at a newline (the last one may not).

    A line longer than ``4 * block_size`` is cut; its pieces keep the line's
    number because numbering counts newlines, not blocks.
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
                yield carry
                carry = b""
            continue
        # One copy at most per block: the carried start of its first line joined to it.
        if cut == len(buf) and not carry:
            yield buf
        else:
            yield b"".join((carry, memoryview(buf)[:cut]))
        carry = buf[cut:]


def plain_block_spans(path: Path, size: int, block_size: int = BLOCK_SIZE) -> Iterator[tuple[int, int]]:
    """(offset, length) spans of a plain file, each ending at a newline where possible."""
    with path.open("rb") as fh:
        offset = 0
        while offset < size:
            end = min(offset + block_size, size)
            if end < size:
                fh.seek(end)
                while True:
                    piece = fh.read(1 << 16)
                    if not piece:
                        end = size
                        break
                    nl = piece.find(b"\n")
                    if nl >= 0:
                        end += nl + 1
                        break
                    end += len(piece)
                    if end - offset >= 4 * block_size:
                        break
            yield offset, end - offset
            offset = end


def read_span(path: Path, offset: int, length: int) -> bytes:
    """The bytes of one span of a plain file (UTF-8 BOM of the file skipped)."""
    with path.open("rb") as fh:
        fh.seek(offset)
        data = fh.read(length)
    if offset == 0 and data.startswith(codecs.BOM_UTF8):
        return data[3:]
    return data


def utf8(data: bytes) -> bytes:
    """A whole file's bytes as UTF-8: UTF-16 (by its byte-order mark) transcoded, as text_stream does."""
    if data[:2] in UTF16_BOMS:
        return data.decode("utf-16", errors="replace").encode("utf-8")
    return data


def is_utf16(path: Path) -> bool:
    """Whether a plain file starts with a UTF-16 byte-order mark."""
    with path.open("rb") as fh:
        head = fh.read(2)
    return head in UTF16_BOMS

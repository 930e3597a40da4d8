"""Paths to sources: globs, folders, files, standard input; the one path walker."""

from __future__ import annotations

import fnmatch
import glob
import io
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from logscan.inputs.archives import _expand_stream, _expand_zip
from logscan.inputs.decompress import _reason
from logscan.inputs.formats import _SNIFF, _kind, compression_of
from logscan.inputs.model import _T, Limits, Listed, Source, Unreadable
from logscan.inputs.stdin import standard_input
from logscan.inputs.text import _open_plain, _plain_utf8, _unsupported

_GLOB_CHARS = set("*?[")
#: An fsspec URL (``s3://bucket/key``), as a path given.
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass
class _Walk:
    """What a run has seen, so that a folder or file reached twice is read once."""

    seen_dirs: set[tuple[int, int]] = field(default_factory=set)
    seen_files: set[tuple[int, int]] = field(default_factory=set)
    stdin: bool = False
    #: ``--exclude`` globs: files, folders and archive members they match are skipped.
    exclude: tuple[str, ...] = ()


def iter_sources(
    paths: Iterable[str | os.PathLike[str]],
    *,
    stdin: BinaryIO | None = None,
    limits: Limits | None = None,
    exclude: Sequence[str] = (),
) -> Iterator[Source | Unreadable]:
    """Expand ``paths`` into sources, in order; never raises for a bad path. A file, folder
    or archive member ``exclude`` matches (:func:`excluded`) is skipped.

    Tar members are only readable until the next item is requested (tar is
    read as a stream), so consume each source before asking for the next.
    """
    limits = limits or Limits()
    walk = _Walk(exclude=tuple(exclude))

    def read_stdin() -> Iterator[Source | Unreadable]:
        if walk.stdin:  # "-" named twice: standard input is read once, as a file named twice
            return
        walk.stdin = True
        stream = stdin if stdin is not None else standard_input()
        yield from _expand_stream("<stdin>", stream, None, limits, depth=0)

    def visit(path: Path, name: str, in_folder: bool) -> Iterator[Source | Unreadable]:
        return _expand_file(path, name, limits, walk, in_folder=in_folder)

    return _unexcluded(_expand_paths(paths, walk, visit, read_stdin), walk.exclude)


def iter_files(
    paths: Iterable[str | os.PathLike[str]], *, exclude: Sequence[str] = ()
) -> Iterator[Listed | Unreadable]:
    """The files ``paths`` name, as :func:`iter_sources` finds them (globs, folders walked in
    the same order, a file reached twice listed once), without opening them.

    Standard input, pipes and devices cannot be read by another process: they are unreadable here.
    """
    walk = _Walk(exclude=tuple(exclude))

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

    return _unexcluded(_expand_paths(paths, walk, visit, no_stdin), walk.exclude)


def excluded(name: str, patterns: Sequence[str]) -> bool:
    """Whether ``--exclude`` globs skip the file, folder or member ``name`` (``a.zip:docs/x.txt``
    for a member). A glob without ``/`` is matched against the base name (``README.txt``,
    ``*.txt``, ``node_modules``), of the member too; one with ``/`` against the whole name as
    listed (``ticket/old/*``, ``*.zip:docs/*``) or the member's path (``docs/*``), ``*`` crossing
    ``/``. A member in a folder the glob names (``old``) is skipped, as the folder on disk would
    be. Standard input never is."""
    if not patterns or name == "<stdin>":
        return False
    member = name.rpartition(":")[2] if ":" in name and not _URL.match(name) else ""
    # the base name, and every folder of a member (a folder on disk is skipped as it is walked)
    bases = {os.path.basename(name.rstrip("/" + os.sep)), *member.split("/")} - {""}
    for pattern in patterns:
        if "/" in pattern or os.sep in pattern:
            if fnmatch.fnmatchcase(name, pattern) or (member and fnmatch.fnmatchcase(member, pattern)):
                return True
        elif any(fnmatch.fnmatchcase(base, pattern) for base in bases):
            return True
    return False


def _unexcluded(items: Iterator[_T], patterns: tuple[str, ...]) -> Iterator[_T]:
    """``items`` but those ``patterns`` exclude (members of archives, and files named or matched
    by a glob; folders are skipped as they are walked)."""
    if not patterns:
        return items
    return (item for item in items if not excluded(item.name, patterns))  # type: ignore[attr-defined]


def plain_total(paths: Iterable[str | os.PathLike[str]]) -> int | None:
    """The bytes on disk a scan of ``paths`` reads (a compressed file's progress is its
    compressed bytes read); None when one is a zip, whose members are read out of order
    (decided by content, as the scan decides: a ``.log`` that is a zip counts as one)."""
    total = 0
    for item in iter_files(paths):
        if not isinstance(item, Listed):
            continue
        try:
            with open(item.path, "rb") as fh:
                head = fh.read(_SNIFF)
        except OSError:
            continue
        if compression_of(head) == "zip":
            return None
        total += item.size
    return total


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
            reason = "no file matches this pattern" if glob_ else "no such file or directory"
            yield Unreadable(text, reason, no_match=glob_)
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
        if walk.exclude and excluded(str(p), walk.exclude):
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
        counted = _DiskCounter(fh)
        stream = io.BufferedReader(counted, buffer_size=1 << 16)
        for item in _expand_stream(name, stream, st.st_size, limits, depth=0):
            if isinstance(item, Source):
                item.disk_read = counted.taken
            yield item


class _DiskCounter(io.RawIOBase):
    """A compressed file as read: counts its bytes (progress of a decompressed source is the
    part of the file on disk read, which is what a total of file sizes measures)."""

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        self._read = 0
        self._told = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._fh.readinto(buffer)  # type: ignore[attr-defined]  # a raw file: BinaryIO lacks it
        self._read += n or 0
        return n

    def taken(self) -> int:
        """The bytes read since last asked."""
        new, self._told = self._read - self._told, self._read
        return new

    def close(self) -> None:  # the file is its opener's to close
        super().close()


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


def is_glob(text: str) -> bool:
    """Whether a path given is a glob (``*``, ``?`` or ``[`` in it)."""
    return bool(_GLOB_CHARS & set(text))

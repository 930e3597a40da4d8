"""Writing to an output stream, and text as it may be shown (no heavy imports: the command line
uses it too)."""

from __future__ import annotations

import errno
import io
import os
import re
import select
import stat
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from logscan.errors import OutputError

T = TypeVar("T")

#: What a terminal could act on, or what cannot be written as UTF-8: C0 controls but tab,
#: DEL, C1 controls, and surrogates (the bytes of a file name that is not UTF-8).
_UNSHOWN = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")
#: Surrogates only (see :func:`text_name`).
_SURROGATES = re.compile("[\ud800-\udfff]")


def _escaped(match: re.Match[str]) -> str:
    point = ord(match.group())
    if 0xDC80 <= point <= 0xDCFF:  # a byte that was not UTF-8, as os.fsdecode keeps it
        return f"\\x{point - 0xDC00:02x}"
    return f"\\x{point:02x}" if point <= 0xFF else f"\\u{point:04x}"


def printable(value: T) -> T:
    """``value`` (a string, or lists, tuples and dicts of them) as shown to a person: control
    characters (C0 but tab, ESC among them, DEL, C1) and bytes that were not UTF-8 as ``\\xNN``,
    so that a log line or a file name can neither drive the terminal nor break a line. Anything
    else is returned as it is; a backslash is not doubled (``C:\\logs`` stays readable)."""
    if isinstance(value, str):
        return _UNSHOWN.sub(_escaped, value) if _UNSHOWN.search(value) else value  # type: ignore[return-value]  # T is str
    if isinstance(value, dict):
        return {k: printable(v) for k, v in value.items()}  # type: ignore[return-value]  # T is a dict
    if isinstance(value, list | tuple):
        return type(value)(printable(v) for v in value)
    return value


def text_name(name: str) -> str:
    """A path's name as text that can be written anywhere (JSON, CSV, a terminal): the bytes of
    a name that is not UTF-8 (kept by Python as surrogates) as ``\\xNN``."""
    return _SURROGATES.sub(_escaped, name) if _SURROGATES.search(name) else name


def write_all(out: BinaryIO, data: bytes) -> None:
    """Write all of ``data`` to ``out``.

    A buffered stream writes only part of a large buffer when a signal comes
    (SIGPIPE: the reader of a pipe went away) and says so only in what it
    returns; written again, the rest raises BrokenPipeError instead of being
    lost without a word.
    """
    view = memoryview(data)
    while view:
        written = out.write(view)
        view = view[len(view) if written is None else written :]


class StdoutClosed(Exception):
    """Standard output cannot be written (closed, full, an I/O error); ``reason`` says why.
    A reader that went away is not this: that stays a BrokenPipeError."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Stdout(io.RawIOBase):
    """File descriptor 1 as the raw stream under ``sys.stdout``: a failed write raises
    :class:`StdoutClosed` once (so that the command line says it in one line), and whatever
    is written after that (the interpreter's last flush) is dropped. ``written`` counts the
    bytes written."""

    def __init__(self, fd: int | None) -> None:
        super().__init__()
        self.fd = fd
        self.written = 0
        self.failed = False

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        if self.fd is None:
            raise OSError(errno.EBADF, "standard output is closed")
        return self.fd

    def isatty(self) -> bool:
        return self.fd is not None and os.isatty(self.fd)

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]  # bytes-likes, not any buffer
        if self.failed:
            return memoryview(data).nbytes
        if self.fd is None:
            self.failed = True
            raise StdoutClosed("it is closed")
        while True:
            try:
                n = os.write(self.fd, data)
                break
            except BlockingIOError:  # a stdout another process made non-blocking: wait for room
                select.select([], [self.fd], [])
            except BrokenPipeError:
                raise
            except OSError as exc:
                self.failed = True
                raise StdoutClosed((exc.strerror or str(exc)).lower()) from None
        self.written += n
        return n


def install_stdio() -> Stdout:
    """Put :class:`Stdout` under ``sys.stdout`` and make sure file descriptors 0, 1 and 2 are
    open (``>&-``, ``2>&-``): a file opened later must not become the process's stdout. With
    stderr closed, messages go nowhere instead of failing. Returns the stdout stream."""
    closed = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            closed.append(fd)
            os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)  # the lowest free fd: fd
    raw = Stdout(None if 1 in closed else 1)
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    errors = getattr(sys.stdout, "errors", None) or "strict"
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(raw), encoding=encoding, errors=errors, line_buffering=raw.isatty()
    )
    if 2 in closed or sys.stderr is None:
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
    if 0 in closed or sys.stdin is None:
        sys.stdin = open(0, encoding="utf-8", errors="replace", closefd=False)
    return raw


#: How long, at most, the end of a run waits for a reader that read all but has not yet closed.
READER_GRACE = 0.05


def reader_gone(fd: int, *, wait: float = READER_GRACE) -> bool:
    """Whether ``fd`` is a pipe or socket whose reader has closed it, or does so within ``wait``
    seconds: ``| head`` that stopped reading before the end. (A reader that stays, ``| jq``,
    waits for the end of the output, which comes when this process ends: it does not close
    first. ``| head -1`` may have read the whole output in one go and be about to leave.)"""
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return False
    if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
        return False
    poll = select.poll()
    poll.register(fd, 0)  # POLLERR (a pipe without readers) and POLLHUP are always reported
    return any(events & (select.POLLERR | select.POLLHUP) for _, events in poll.poll(wait * 1000))


@dataclass(frozen=True)
class Format:
    """An output format: its name, the ``-o`` extensions that pick it, whether it is binary
    (refused on a terminal)."""

    name: str
    extensions: tuple[str, ...] = ()
    binary: bool = False


@dataclass(frozen=True)
class Formats:
    """The formats of one kind of output (a report, a verdict, events), in the order
    ``--help`` lists them: the one place their names and extensions are written."""

    formats: tuple[Format, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.formats)

    @property
    def binary(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.formats if f.binary)

    def by_extension(self, suffix: str) -> str | None:
        """The format an output file's extension (``.md``) picks, if any."""
        return next((f.name for f in self.formats if suffix.lower() in f.extensions), None)


def write_atomic_with(path: Path, produce: Callable[[Any], Any]) -> Any:
    """Run ``produce(stream)`` into a temp file beside ``path``, then rename it into place.

    An interrupted or failed write never leaves a half-written file under the
    target name. A symlink is followed (its target is replaced); a device or a
    pipe (``-o /dev/stdout``, ``-o >(gzip > x.gz)``) is written directly, by the
    name given (a pipe's resolved name, ``/proc/…/pipe:[…]``, cannot be opened).
    A file replaced keeps its permissions (a private report stays private); new
    files get the usual ones (0666 less the umask).
    """
    target = Path(os.path.realpath(path))
    try:
        existing = os.stat(path)
    except OSError:
        existing = None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        try:
            with open(path, "wb") as fh:
                return produce(fh)
        except OSError as exc:
            raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        if existing is not None:
            mode = stat.S_IMODE(existing.st_mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as fh:
            result = produce(fh)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return result


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`write_atomic_with`)."""
    write_atomic_with(path, lambda fh: fh.write(data))

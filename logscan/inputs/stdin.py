"""Standard input, read so that Ctrl-C ends a run blocked on it at once.

A signal may be delivered to any thread of the process (polars starts some); one that does
not land on the main thread leaves its blocking ``read`` waiting, and Python runs the SIGINT
handler only when the read returns: ``logscan report -`` on a terminal would ignore Ctrl-C
until Ctrl-D. Read from a terminal or a pipe, the input is waited for in short steps, so the
handler runs within a tenth of a second whatever thread the signal reached.
"""

from __future__ import annotations

import io
import os
import select
import stat
import sys
from typing import BinaryIO

#: Seconds a read waits for input between two looks at pending signals.
STEP = 0.1


class _Interruptible(io.RawIOBase):
    """A file descriptor read only once it is readable, waiting ``STEP`` at a time."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not select.select([self._fd], [], [], STEP)[0]:
            pass  # between two waits, Python runs the handlers of signals that came
        data = os.read(self._fd, len(buffer))
        buffer[: len(data)] = data
        return len(data)


def standard_input() -> BinaryIO:
    """The process's standard input as bytes: interruptible when it is a terminal or a pipe."""
    stream = sys.stdin.buffer
    try:
        fd = stream.fileno()
        mode = os.fstat(fd).st_mode
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return stream  # not a descriptor (in tests: a buffer)
    if stat.S_ISFIFO(mode) or os.isatty(fd):
        return io.BufferedReader(_Interruptible(fd), buffer_size=1 << 16)
    return stream


def is_terminal() -> bool:
    """Whether standard input is a terminal (a person types the log, or forgot to pipe one)."""
    try:
        return os.isatty(sys.stdin.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return False

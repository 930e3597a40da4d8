"""Writing to an output stream (no heavy imports: the command line uses it too)."""

from __future__ import annotations

from typing import BinaryIO


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

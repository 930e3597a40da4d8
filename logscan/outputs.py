"""Writing to an output stream, and text as it may be shown (no heavy imports: the command line
uses it too)."""

from __future__ import annotations

import re
from typing import BinaryIO, TypeVar

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
        return _UNSHOWN.sub(_escaped, value) if _UNSHOWN.search(value) else value  # type: ignore[return-value]
    if isinstance(value, dict):
        return {k: printable(v) for k, v in value.items()}  # type: ignore[return-value]
    if isinstance(value, list | tuple):
        return type(value)(printable(v) for v in value)  # type: ignore[return-value]
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

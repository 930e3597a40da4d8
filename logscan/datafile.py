"""Data files (patterns, catalogues, configs, baselines): read whole within a bound.

Parsed as TOML or JSON, with the line of each key found for error messages.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from logscan.errors import LogscanError

#: Largest file logscan reads whole (configuration, pyproject, pattern, catalogue and baseline
#: files, a vendor page): the biggest real one is a few hundred KiB; /dev/zero is not one.
MAX_DATA_FILE = 64 << 20


def read_whole(path: Path, error: type[LogscanError], what: str) -> bytes:
    """The bytes of the data file ``path`` (``what`` it is, for messages), read whole; one that
    cannot be read, or is over :data:`MAX_DATA_FILE`, raises ``error`` naming it."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_DATA_FILE + 1)
    except OSError as exc:
        raise error(f"{path}: cannot read {what}: {exc.strerror or exc}") from None
    if len(data) > MAX_DATA_FILE:
        raise error(f"{path}: too large (over {MAX_DATA_FILE >> 20} MiB) for {what}: is it the right file?")
    return data


def read_text(path: Path, error: type[LogscanError], what: str) -> str:
    """The text of the data file ``path`` (UTF-8), read whole (see :func:`read_whole`)."""
    try:
        return read_whole(path, error, what).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"{path}: cannot read {what}: not UTF-8 ({exc})") from None


def nested_too_deeply(path: Path, error: type[LogscanError], what: str = "arrays or tables") -> LogscanError:
    """The error for a data file whose arrays or tables nest deeper than the parser can follow."""
    return error(f"{path}: nested too deeply ({what} inside each other hundreds of levels deep)")


def read_toml(path: Path, error: type[LogscanError], what: str) -> tuple[str, dict[str, Any]]:
    """The text of the data file ``path`` (``what`` it is, for messages) and its TOML, parsed;
    a file that cannot be read or parsed raises ``error`` naming it."""
    text = read_text(path, error, what)
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise nested_too_deeply(path, error) from None


_KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
_DOTTED = rf"{_KEY}(?:[ \t]*\.[ \t]*{_KEY})*"
_HEADER = re.compile(rf"^[ \t]*(\[\[?)[ \t]*({_DOTTED})[ \t]*\]\]?[ \t]*(?:#.*)?$")
_ASSIGN = re.compile(rf"^[ \t]*({_DOTTED})[ \t]*=")
_BARE = re.compile(r"[A-Za-z0-9_-]+")


def key_lines(text: str) -> dict[tuple[str | int, ...], int]:
    """The line of every table header and every ``key = ...`` of a TOML text, by full key, for
    messages: ``("tool", "logscan", "check", "allow")``; the n-th table of an array
    (``[[pattern]]``) is ``("pattern", n)``, its keys ``("pattern", n, "name")``. Dotted and
    quoted keys are read as TOML reads them; lines inside multi-line strings are skipped. The
    first line of a key wins."""
    found: dict[tuple[str | int, ...], int] = {}
    table: tuple[str | int, ...] = ()
    arrays: dict[tuple[str, ...], int] = {}
    in_string = False
    for number, line in enumerate(text.splitlines(), 1):
        if in_string:
            in_string = (line.count("'''") + line.count('"""')) % 2 == 0
            continue
        if m := _HEADER.match(line):
            name = _split(m.group(2))
            if m.group(1) == "[[":
                arrays[name] = arrays.get(name, -1) + 1
                table = (*name, arrays[name])
            else:
                table = name
            found.setdefault(table, number)
        elif m := _ASSIGN.match(line):
            found.setdefault((*table, *_split(m.group(1))), number)
            in_string = (line.count("'''") + line.count('"""')) % 2 == 1
    return found


def _split(dotted: str) -> tuple[str, ...]:
    """``a."b.c"`` -> ``("a", "b.c")``, as TOML reads the key."""
    if _BARE.fullmatch(dotted):
        return (dotted,)
    try:
        value: object = tomllib.loads(f"{dotted} = 0")
    except tomllib.TOMLDecodeError:
        return ()
    parts: list[str] = []
    while isinstance(value, dict):
        (name, value), *_ = value.items()
        parts.append(name)
    return tuple(parts)


def line_of(lines: dict[tuple[str | int, ...], int], key: tuple[str | int, ...]) -> int:
    """The line of ``key`` in :func:`key_lines`, else of the nearest table that holds it; 0 if none."""
    for end in range(len(key), 0, -1):
        if key[:end] in lines:
            return lines[key[:end]]
    return 0

"""The one exception hierarchy of logscan.

Library code raises these; the CLI turns them into one-line messages and exit
codes. Every message says what went wrong, where, and what to do.
"""

from __future__ import annotations

from collections.abc import Iterable


class LogscanError(Exception):
    """Base class of every error logscan reports to the user (exit 2)."""

    exit_code = 2


class InputError(LogscanError):
    """A path could not be found, opened or read."""


class PatternError(LogscanError):
    """A pattern file is malformed or a pattern is invalid."""


class CatalogueError(LogscanError):
    """A catalogue file is malformed or an entry is invalid."""


class ConfigError(LogscanError):
    """A configuration file or value is invalid."""


class UnknownName(LogscanError):
    """A name given to look up (a code's, a kind's, a category's) is not one the catalogue has."""


class OutputError(LogscanError):
    """An output could not be written."""


class EngineError(LogscanError):
    """The distributed engine cannot run: Dask is not installed, or the cluster cannot be reached."""


def located(path: object, line: int | None, message: str) -> str:
    """Format ``message`` with a ``path:line`` prefix (line omitted when unknown)."""
    where = f"{path}:{line}" if line else f"{path}"
    return f"{where}: {message}"


def did_you_mean(value: str, names: Iterable[str], *, fold: bool = True) -> str:
    """``"; did you mean X?"`` for the name of ``names`` nearest ``value``, or ``""`` when none
    is near (``fold``: compare in any case, as the names are looked up)."""
    import difflib

    names = list(dict.fromkeys(names))
    by_key = {(n.lower() if fold else n): n for n in names}
    key = value.lower() if fold else value
    close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=0.6)
    return f"; did you mean {by_key[close[0]]}?" if close else ""

"""The one exception hierarchy of logscan.

Library code raises these; the CLI turns them into one-line messages and exit
codes. Every message says what went wrong, where, and what to do.
"""

from __future__ import annotations


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


class OutputError(LogscanError):
    """An output could not be written."""


class EngineError(LogscanError):
    """The distributed engine cannot run: Dask is not installed, or the cluster cannot be reached."""


def located(path: object, line: int | None, message: str) -> str:
    """Format ``message`` with a ``path:line`` prefix (line omitted when unknown)."""
    where = f"{path}:{line}" if line else f"{path}"
    return f"{where}: {message}"

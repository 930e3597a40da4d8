"""The command line: options parsed, the library called, results rendered."""

from __future__ import annotations

from logscan.cli.app import cli, main

__all__ = ["cli", "main"]

"""What the scanning commands say about standard input and the paths they skip."""

from __future__ import annotations

import click

EXCLUDE_HELP = (
    "Skip files, folders and archive members whose name (README.txt, *.txt) or path "
    "(ticket/old/*) matches GLOB (repeatable)."
)


def note_stdin(paths: tuple[str, ...], *, quiet: bool) -> None:
    """Say that the run reads standard input when a person would otherwise wait on a silent
    terminal (``report -`` with nothing piped in): how to end it."""
    from logscan.inputs.stdin import is_terminal

    if "-" in paths and is_terminal() and not quiet:
        click.echo(
            "logscan: reading standard input from the terminal (end it with Ctrl-D, stop with Ctrl-C)",
            err=True,
        )

"""Output helpers of the commands: format picking, emitting to stdout or a file, progress, warnings."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from logscan.cli.options import EXIT_ERROR
from logscan.outputs import Formats, printable, write_all, write_atomic


def _remember_color(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.meta["logscan.color"] = value


#: ``--color``, for the commands that draw tables (read by :func:`use_color`).
color_option = click.option(
    "--color", type=click.Choice(["auto", "always", "never"]), default=None, expose_value=False,
    callback=_remember_color,
    help="Colour: auto (default: on a terminal, unless NO_COLOR is set or FORCE_COLOR forces it), "
    "always (also into a pipe: | less -R), never.",
)  # fmt: skip


def use_color() -> bool:
    """Whether tables on stdout are drawn in colour: ``--color always|never`` if given; else
    not when ``NO_COLOR`` is set (not empty), yes when ``FORCE_COLOR`` is (not empty, not 0),
    else when stdout is a terminal."""
    ctx = click.get_current_context(silent=True)
    choice = ctx.meta.get("logscan.color", "auto") if ctx is not None else "auto"
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    return sys.stdout.isatty()


def refuse_binary_on_terminal(fmt: str, output: Path | None, formats: Formats) -> None:
    """A binary format written to a terminal is a usage error: it wants -o or a pipe."""
    if output is None and fmt in formats.binary and stdout_is_terminal():
        raise click.UsageError(f"{fmt} is binary: write it to a file with -o FILE.{fmt}, or pipe it")


@contextlib.contextmanager
def progress_bar(paths: tuple[str, ...], *, quiet: bool) -> Any:
    """A progress callback for the engine: a bar on stderr when it is a terminal, else nothing.

    The total is the size of the files given (:func:`logscan.inputs.plain_total`); with
    compressed files or archives among them, there is none, and the bar shows bytes and
    rate only.
    """
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

    from logscan.inputs import plain_total

    total = plain_total(paths)
    columns = (BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("scanning", total=total or None)
        yield lambda n: bar.advance(task, n)


def finish_scan(stats: Any, *, keep_going: bool, quiet: bool, render: Callable[[], None]) -> None:
    """Render, name every unreadable input, pick the exit code.

    When nothing at all could be read there is no report, except with --keep-going (it lists
    the inputs and why: a CI job keeps its SARIF or JUnit file); either way that is an error:
    --keep-going accepts some unreadable inputs, and a gate must not pass on logs it never read.
    """
    nothing_read = stats.nothing_read
    if keep_going or not nothing_read:
        render()
    fatal = bool(stats.unreadable) and (nothing_read or not keep_going)
    for name, warning in getattr(stats, "warnings", ()):
        warn(f"warning: {name}: {warning}", quiet=quiet)
    for bad in stats.unreadable if fatal or not quiet else ():
        level = "error" if fatal else "warning"
        click.echo(f"logscan: {level}: cannot read {printable(bad.name)}: {printable(bad.reason)}", err=True)
    if fatal:
        if nothing_read and keep_going:
            click.echo(
                "logscan: error: no input could be read (--keep-going accepts some, not all)",
                err=True,
            )
        elif not nothing_read:
            click.echo(
                "logscan: error: the report above is incomplete; pass --keep-going to accept that", err=True
            )
        raise click.exceptions.Exit(EXIT_ERROR)


# --------------------------------------------------------------------------- helpers


def pick_format(format_: str | None, output: Path | None, formats: Formats) -> str:
    """``--format`` if given, else the one the ``-o`` extension picks, else the first of ``formats``."""
    if format_ is not None:
        return format_
    if output is not None:
        fmt = formats.by_extension(output.suffix)
        if fmt is None:
            raise click.BadParameter(
                f"cannot tell the format from {output.name!r}; add --format", param_hint="-o/--output"
            )
        return fmt
    return formats.names[0]


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def console_text(draw: Callable[[Any], None], *, to_file: bool = False) -> str:
    """Render with rich into a string: in colour as :func:`use_color` says; for a file
    (``to_file``: ``-o``) as wide and as plain as for a pipe, whatever the terminal."""
    from logscan.render.text import to_text

    return to_text(draw, color=use_color(), to_file=to_file)


def emit(fmt: str, output: Path | None, produce: Callable[[str], str | bytes]) -> None:
    """Write the rendered output to ``output`` atomically, or to stdout."""
    data = produce(fmt)
    if output is None:  # text and bytes alike: all of it, or an error (see write_all);
        # text is in colour only when use_color() says so (console_text)
        sys.stdout.flush()
        encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
        write_all(sys.stdout.buffer, data if isinstance(data, bytes) else data.encode(encoding, "replace"))
        sys.stdout.buffer.flush()
        return
    write_atomic(output, data.encode("utf-8") if isinstance(data, str) else data)


def warn(message: str, *, quiet: bool) -> None:
    if not quiet:
        click.echo(f"logscan: {printable(message)}", err=True)

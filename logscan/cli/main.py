"""The logscan command group: the one place errors become messages and exit codes."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import traceback
from typing import Any

import click

from logscan import __version__
from logscan.cli.catalogue import catalogue
from logscan.cli.check import check
from logscan.cli.events import events
from logscan.cli.explain import codes, explain
from logscan.cli.init import completion, init
from logscan.cli.options import (
    CONTEXT,
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PIPE_CLOSED,
)
from logscan.cli.patterns import patterns
from logscan.cli.report import report
from logscan.cli.usage import suggest_choices, usage_line
from logscan.cli.watch import watch
from logscan.errors import LogscanError
from logscan.outputs import Stdout, StdoutClosed, install_stdio, printable, reader_gone

# --------------------------------------------------------------------------- the group


class _PipeClosed(Exception):
    """The reader of the output went away (click would turn a BrokenPipeError into status 1)."""


class LogscanGroup(click.Group):
    """The command group; its ``main`` is the one place errors become messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError as exc:
            raise _PipeClosed from exc

    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> Any:  # type: ignore[override]  # click.main is overloaded (NoReturn when standalone)
        argv = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in argv or bool(os.environ.get("LOGSCAN_DEBUG"))
        try:
            code = _output_complete(self._run(argv, prog_name, **extra))
        except click.UsageError as exc:
            click.echo(printable(usage_line(exc, self, argv)), err=True)
            code = exc.exit_code
        except click.ClickException as exc:
            exc.show()  # click shows a path or value with its control characters escaped
            code = exc.exit_code if isinstance(exc, click.UsageError) else EXIT_ERROR
        except (click.exceptions.Abort, KeyboardInterrupt):
            click.echo("logscan: interrupted", err=True)
            code = EXIT_INTERRUPTED
        except (BrokenPipeError, _PipeClosed):
            code = _quiet_broken_pipe()
        except StdoutClosed as exc:
            click.echo(f"logscan: error: cannot write to stdout: {exc.reason}", err=True)
            code = EXIT_ERROR
        except LogscanError as exc:
            if debug:
                traceback.print_exc()
            for line in str(exc).splitlines() or [type(exc).__name__]:
                click.echo(f"logscan: error: {printable(line)}", err=True)
            code = exc.exit_code
        except Exception as exc:
            if debug:
                traceback.print_exc()
            hint = "" if debug else " (run with --debug for the traceback)"  # shown above with --debug
            click.echo(
                f"logscan: internal error: {type(exc).__name__}: {printable(str(exc))}{hint}", err=True
            )
            code = EXIT_ERROR
        sys.exit(code if isinstance(code, int) else 0)

    def _run(self, argv: list[str], prog_name: str | None, **extra: Any) -> int:
        """The command's exit status (its errors raised, for :meth:`main` to translate)."""
        try:
            code = super().main(args=argv, prog_name=prog_name or "logscan", standalone_mode=False, **extra)
        except click.exceptions.Exit as exc:
            code = exc.exit_code
        return code if isinstance(code, int) else 0


#: Standard output as :func:`main` set it up (None when the group runs otherwise: in tests).
_STDOUT: Stdout | None = None


def _output_complete(code: int) -> int:
    """The exit status once the output is out: a reader that went away before the end (``| head``
    that stopped reading) cut it: 141, as if SIGPIPE had come, whether or not a write failed."""
    if code in (EXIT_OK, EXIT_FINDINGS) and _STDOUT is not None and _STDOUT.fd is not None:
        sys.stdout.flush()
        if _STDOUT.written and reader_gone(_STDOUT.fd):
            return _quiet_broken_pipe()
    return code


def _quiet_broken_pipe() -> int:
    """The reader went away (``| head``): stop quietly, without a traceback at exit, with
    the status of a process SIGPIPE killed (output was cut: not a success)."""
    with contextlib.suppress(OSError, ValueError):
        fd = _STDOUT.fd if _STDOUT is not None and _STDOUT.fd is not None else sys.stdout.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    return EXIT_PIPE_CLOSED


@click.group(name="logscan", cls=LogscanGroup, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="logscan")
@click.option("--debug", is_flag=True, help="Show tracebacks of errors (for bug reports).")
def cli(debug: bool) -> None:
    """Decode Agora Chat SDK error codes in client logs.

    \b
    Examples:
      logscan report app.log                 which SDK errors, how often, what to do
      logscan report ticket/ -f json -o r.json
      adb logcat | logscan watch -           decode a live log as it is written
      logscan explain 208                    what a code means (both SDK families)
      logscan codes --sdk web                the catalogue
    """


def main() -> None:
    """Console entry point (after :func:`logscan.cli.entry.main` set up the signals)."""
    global _STDOUT
    # A closed pipe (`| head`) is a BrokenPipeError, not SIGPIPE's default action: the run stops
    # quietly and still stops its workers and removes its temporary files.
    with contextlib.suppress(AttributeError, ValueError):
        # `kill` stops a run as Ctrl-C does: workers stopped, temporary files removed.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    _STDOUT = install_stdio()
    cli.main()


for _command in (report, check, events, watch, explain, codes, patterns, catalogue, init, completion):
    suggest_choices(_command)
    cli.add_command(_command)

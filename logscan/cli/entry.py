"""The console entry point: Ctrl-C and ``kill`` are handled from the first instruction.

Nothing is imported before the signal handlers are in place (the command line imports click,
rich and polars, which takes a while): a signal that comes while they load ends the run with
``logscan: interrupted`` and status 130, as it does later, not with a traceback.
"""

import contextlib
import os
import signal
from typing import NoReturn

#: When set, the run waits for a signal right after the handlers are in place (for the tests
#: of this module: a signal at the earliest moment, without racing the start-up).
PAUSE_AT_START = "LOGSCAN_PAUSE_AT_START"


def main() -> None:
    """``logscan``: install the signal handlers, then load and run the command line."""
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        if os.environ.get(PAUSE_AT_START):
            os.write(2, b"logscan: paused at start\n")
            while True:
                signal.pause()
        from logscan.cli.main import main as run

        run()
    except KeyboardInterrupt:  # before the command line's own handling begins, or after it ended
        interrupted()


def interrupted() -> NoReturn:
    """Say so and exit 130 (stderr may be closed: then only exit)."""
    with contextlib.suppress(OSError):
        os.write(2, b"logscan: interrupted\n")
    raise SystemExit(130)

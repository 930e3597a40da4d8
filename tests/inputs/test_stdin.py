"""``report -`` on a terminal says it reads standard input; Ctrl-C ends a run blocked on it."""

from __future__ import annotations

import os
import pty
import select
import sys
import time

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal")


def _read_until(fd: int, wanted: bytes, seconds: float) -> bytes:
    out, end = b"", time.monotonic() + seconds
    while wanted not in out and time.monotonic() < end:
        if select.select([fd], [], [], 0.1)[0]:
            try:
                data = os.read(fd, 4096)
            except OSError:  # the child is gone
                break
            if not data:
                break
            out += data
    return out


@pytest.mark.parametrize("command", ["report", "events"])
def test_ctrl_c_ends_a_read_of_the_terminal_at_once(command):
    pid, fd = pty.fork()
    if pid == 0:  # the child: logscan reading its terminal
        os.environ.update(PYTHONPATH=str(ROOT), NO_COLOR="1")
        os.chdir(ROOT)
        os.execv(sys.executable, [sys.executable, "-m", "logscan", command, "-"])
    try:
        said = _read_until(fd, b"Ctrl-C)", 60)
        assert (
            b"logscan: reading standard input from the terminal (end it with Ctrl-D, stop with Ctrl-C)"
            in said
        )
        time.sleep(0.3)  # blocked on the read by now (not required: a Ctrl-C earlier ends it too)
        os.write(fd, b"\x03")
        said = _read_until(fd, b"interrupted", 20)
        for _ in range(200):  # it has ended within 20 s (before the fix it waited for Ctrl-D)
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.1)
        else:
            pytest.fail("still reading after Ctrl-C")
        assert os.waitstatus_to_exitcode(status) == 130
        assert said.endswith(b"logscan: interrupted\r\n")
    finally:
        try:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(fd)

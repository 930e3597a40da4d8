"""The terminal report: a table that fits 80-120 columns, "What to do" first, views with
numbers right-aligned, the timeline's empty stretches collapsed, and --color."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from logscan.config import CEILING_ENV

from ..cli.test_cli import golden
from ..conftest import ROOT, done, invoke

TICKET = "sample_logs/ticket-4711"
RULE = "─"
LOG = (
    "[2024/05/01 10:00:01:000]: [global listener] onDisconnect303\n"
    "[2024/05/01 10:01:01:000]: [global listener] onDisconnect2\n"
    "[2024/05/01 10:12:01:000]: [global listener] onDisconnect2\n"
    "[2024/05/01 11:30:01:000]: [global listener] onDisconnect303\n"
)


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("columns", [80, 100, 120])
def test_the_ticket_report_is_a_table_of_one_line_per_code_that_fits(columns):
    r = invoke("report", TICKET, env={"COLUMNS": str(columns)})
    assert (r.exit_code, r.stderr) == (0, "")
    golden(f"ticket-4711.{columns}.table", r.stdout)
    lines = r.stdout.splitlines()
    assert max(len(line) for line in lines) <= columns
    codes = lines[lines.index("Codes") + 3 : lines.index("Categories") - 1]
    assert len(codes) == 29 and all(line.startswith(("native ", "web ")) for line in codes)


def test_what_to_do_is_on_the_first_screen_with_relative_names():
    lines = done("report", TICKET, env={"COLUMNS": "120"}).stdout.splitlines()
    assert lines[0] == (
        "logscan report of sample_logs/ticket-4711/ — 7 files, 615 lines, 57.9 KB scanned; 45 error lines, 29 codes"
    )
    assert lines[4:8] == [
        "What to do (the 5 most frequent codes)",
        "• native 2 NETWORK_ERROR (4×): Network error",
        "    Cause/fix: Disconnections between the SDK and the server happen due to the network problems.",
        "    e.g. easemob_2024-05-01_10-00-00.log:78: [2024/05/01 09:50:05:152]: [global listener] onDisconnect2",
    ]
    assert lines.index("Codes") < 30  # the codes table starts on the first screen, too
    assert "native  207 USER_REMOVED                   session        2 2024-05-01 10:18 2024-05-01 10:18 logs.zip:…/easemob.log" in lines  # fmt: skip
    assert "native    2 NETWORK_ERROR                  transient      4 2024-05-01 09:50 2024-05-01 10:20 easemob.log +1" in lines  # fmt: skip


def test_wrapped_text_keeps_its_indent_at_80_columns():
    out = done("report", TICKET, env={"COLUMNS": "80"}).stdout
    section = out[out.index("What to do") : out.index("\nCodes\n")].splitlines()[1:-1]
    assert section[5:11] == [  # after the first code's five lines (its sample, its last line)
        "• native 217 USER_KICKED_BY_OTHER_DEVICE (4×): The user is kicked out from",
        "  another device and logs out",
        "    Cause/fix: When the multi-device login function is enabled, if the user",
        "    forces the user ID logged in at the current device to log out by calling",
        "    APIs or managing the backend at another device, the SDK returns this error",
        "    code.",
    ]
    assert all(line.startswith(("• ", "  ")) for line in section)
    sample = next(line for line in section if line.startswith("    e.g. easemob_2024"))
    assert sample == "    e.g. easemob_2024-05-01_10-00-00.log:78: [2024/05/01 09:50:05:152]: [global…"


def test_views_right_align_numbers_and_the_timeline_collapses_empty_buckets(tmp_path):
    log = tmp_path / "t.log"
    log.write_text(LOG, encoding="utf-8")
    r = invoke("report", log, "--by", "kind", "--by", "time", "--bucket", "10m", env={"COLUMNS": "100"})
    assert (r.exit_code, r.stderr) == (0, "")
    assert r.stdout[r.stdout.index("By kind") :] == (
        "By kind\n"
        "kind      count share codes\n"
        f"{RULE * 32}\n"
        "server        2 50.0% native/303\n"
        "transient     2 50.0% native/2\n"
        "\n"
        "Timeline (10m buckets)\n"
        "start               count categories\n"
        f"{RULE * 76}\n"
        f"2024-05-01 10:00        2 general 1, server 1 {'█' * 30}\n"
        f"2024-05-01 10:10        1 general 1           {'█' * 15}\n"
        "… 7 empty buckets …\n"
        f"2024-05-01 11:30        1 server 1            {'█' * 15}\n"
    )
    md = done("report", log, "--by", "time", "--bucket", "10m", "-f", "markdown").stdout
    assert "| … 7 empty buckets … |  |  |\n" in md


def test_the_ticket_timeline_collapses_its_night():
    out = done("report", TICKET, "--by", "time", env={"COLUMNS": "120"}).stdout
    timeline = out[out.index("Timeline (5m buckets)") :].splitlines()
    assert timeline[3:6] == [
        f"2024-04-30 19:20          3 chatroom 2, server 1            {'█' * 22}▌",
        "… 150 empty buckets …",
        f"2024-05-01 07:55          1 user 1                          {'█' * 7}▌",
    ]
    assert len(timeline) == 26


BOLD = "\x1b[1m"


def _bare_env(**extra: str) -> dict[str, str]:
    """A terminal's environment and nothing else, but the configuration ceiling of the tests."""
    return {"PATH": "/usr/bin:/bin", "TERM": "xterm-256color", CEILING_ENV: os.environ[CEILING_ENV], **extra}


@pytest.mark.parametrize(
    ("options", "env", "coloured"),
    [
        ((), {}, False),  # not a terminal
        (("--color", "always"), {}, True),  # into a pipe: | less -R
        (("--color", "never"), {"NO_COLOR": "", "FORCE_COLOR": "1"}, False),
        ((), {"NO_COLOR": "", "FORCE_COLOR": "1"}, True),
        ((), {"NO_COLOR": "", "FORCE_COLOR": "0"}, False),
        ((), {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
        (("--color", "auto"), {"NO_COLOR": "1"}, False),
    ],
)
@pytest.mark.parametrize(
    "command", [["report", "sample_logs/core"], ["explain", "208"], ["codes", "--sdk", "web"]]
)
def test_color_option_and_environment(command, options, env, coloured):
    r = invoke(*command, *options, env=env)
    assert (r.exit_code, r.stderr) == (0, "")
    assert (BOLD in r.stdout) is coloured
    if coloured:  # the same text, in colour
        plain = done(*command, "--color", "never", env=env).stdout
        assert r.stdout.replace(BOLD, "").count("\n") == plain.count("\n")


def test_color_always_into_a_pipe_and_never_into_a_file(tmp_path):
    piped = subprocess.run(
        [sys.executable, "-m", "logscan", "report", "sample_logs/core", "--color", "always"],
        capture_output=True, text=True, cwd=ROOT, env=_bare_env(),
        timeout=120,
    )  # fmt: skip
    assert (piped.returncode, piped.stderr) == (0, "")
    assert piped.stdout.startswith(f"{BOLD}logscan report\x1b[0m of sample_logs/core/ — 1 file")
    out = tmp_path / "r.txt"
    r = invoke("report", "sample_logs/core", "--color", "always", "-o", out)
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "")
    assert "\x1b[" not in out.read_text(encoding="utf-8")


def test_counts_are_right_aligned_in_the_pattern_tables(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "u.log").write_text(
        "foo error code 5\nbar failed code: 77\nbaz failed code: 777\nbaz failed code: 778\n",
        encoding="utf-8",
    )
    r = invoke("patterns", "unmatched", "u.log", env={"COLUMNS": "100"})
    assert (r.exit_code, r.stderr) == (0, "")
    assert r.stdout == (
        "count shape              example\n"
        f"{RULE * 54}\n"
        "    2 baz failed code: # u.log:3: baz failed code: 777\n"
        "    1 bar failed code: # u.log:2: bar failed code: 77\n"
        "    1 foo error code #   u.log:1: foo error code 5\n"
    )
    listed = done("patterns", "list", env={"COLUMNS": "200"}).stdout.splitlines()
    assert listed[0].startswith("name                  sdk    platform     samples counter samples source")
    assert listed[2].startswith("android-code-error    native android           10              12 ")


def _in_a_terminal(*args: str, env: dict[str, str]) -> str:
    """What ``logscan ARGS`` writes to a terminal (a pty of 120 columns)."""
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "logscan", *args], stdin=follower, stdout=follower, stderr=subprocess.PIPE,
        cwd=ROOT, env=_bare_env(**env),
    )  # fmt: skip
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the other end closed: all read
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    with proc.stderr:
        assert proc.wait(timeout=120) == 0 and proc.stderr.read() == b""
    return out.decode("utf-8").replace("\r\n", "\n")


def test_auto_colours_a_terminal_unless_no_color():
    assert _in_a_terminal("report", "sample_logs/core", env={}).startswith(
        f"{BOLD}logscan report\x1b[0m of sample_logs/core/ — 1 file"
    )
    plain = _in_a_terminal("report", "sample_logs/core", env={"NO_COLOR": "1"})
    assert plain.startswith("logscan report of sample_logs/core/ — 1 file") and "\x1b[" not in plain


@pytest.mark.parametrize("columns", ["80", "100", "120"])
def test_timeline_bars_fit_and_never_wrap(columns, monkeypatch):
    """Regression: at 80 columns a bucket's bar wrapped onto a second line ("█████" alone)."""
    monkeypatch.chdir(ROOT)
    r = invoke("report", "sample_logs/ticket-4711", "--by", "time", env={"COLUMNS": columns})
    assert (r.exit_code, r.stderr) == (0, "")
    lines = r.stdout.splitlines()
    timeline = [line for line in lines if "█" in line]
    assert timeline and all(line[:4] == "2024" for line in timeline)
    assert all(len(line) <= int(columns) for line in lines)

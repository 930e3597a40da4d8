"""logscan watch: live logs (stdin, followed files), the live table, the gate, the final report.

Processes are real (pipes, a pty, files renamed and truncated on disk); no test depends on
timing: each waits for content to appear, with generous timeouts.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import pty
import queue
import shutil
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest
from rich.console import Console

from logscan.live import screen as live
from logscan.live.watch import RATE_WINDOW, LiveState

from ..conftest import SAMPLES

#: An error line of each family (code 204, USER_NOT_FOUND; 208, ...).
ERR = "E/ChatDemo(1234): Login failed! code: {} error: something\n"
#: The code of the lines appended until the watch shows it follows a file (see :func:`_start`).
WARMUP = 303
NOISE = "I/ChatDemo(1234): heartbeat ok, 3 peers, port 5222\n"
TIMEOUT = 60


class Watcher:
    """``logscan watch ...`` in a process; its stdout lines collected by a thread."""

    def __init__(
        self, *args: object, stdin: int | None = subprocess.DEVNULL, cwd: Path | None = None
    ) -> None:
        env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "logscan", "watch", *map(str, args)],
            stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd,
        )  # fmt: skip
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.errors: list[str] = []
        self.readers = [
            threading.Thread(target=self._read, daemon=True),
            threading.Thread(target=self._read_errors, daemon=True),
        ]
        for reader in self.readers:
            reader.start()
        _started.append(self)

    def _read(self) -> None:
        for raw in self.proc.stdout:  # type: ignore[union-attr]
            self.lines.put(raw.decode("utf-8"))

    def _read_errors(self) -> None:
        for raw in self.proc.stderr:  # type: ignore[union-attr]
            self.errors.append(raw.decode("utf-8"))

    def events(self, n: int) -> list[dict]:
        """Wait until ``n`` events in all were printed; all of them so far."""
        deadline = time.monotonic() + TIMEOUT
        while len(self.seen) < n:
            left = deadline - time.monotonic()
            assert left > 0 and self.proc.poll() is None, f"{len(self.seen)} events of {n}: {self.seen}"
            try:
                self.seen.append(self.lines.get(timeout=min(left, 1)))
            except queue.Empty:
                continue
        return [json.loads(line) for line in self.seen]

    def real(self, n: int) -> list[dict]:
        """Wait until ``n`` events other than the warm-up ones (code 303, see :func:`_start`)
        were printed; those events."""
        deadline = time.monotonic() + TIMEOUT
        while len(real(self.seen)) < n:
            left = deadline - time.monotonic()
            assert left > 0 and self.proc.poll() is None, f"{n} events wanted: {self.seen}"
            try:
                self.seen.append(self.lines.get(timeout=min(left, 1)))
            except queue.Empty:
                continue
        return real(self.seen)

    def stop(self, *, sent: int = signal.SIGINT) -> tuple[int, str]:
        """Ctrl-C, and the exit status and stderr once it ended."""
        self.proc.send_signal(sent)
        return self.wait()

    def wait(self) -> tuple[int, str]:
        self.proc.wait(TIMEOUT)
        for reader in self.readers:
            reader.join(TIMEOUT)
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        self.close()
        return self.proc.returncode, "".join(self.errors)

    def close(self) -> None:
        if self.proc.poll() is None:  # a test that failed: no process left behind
            self.proc.kill()
            self.proc.wait(TIMEOUT)
        for reader in self.readers:
            reader.join(TIMEOUT)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


_started: list[Watcher] = []


@pytest.fixture(autouse=True)
def _no_process_left():
    yield
    while _started:
        _started.pop().close()


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text)


def real(lines: list[str]) -> list[dict]:
    return [e for e in map(json.loads, lines) if e["code"] != WARMUP]


def counts(report: dict) -> dict[tuple[str, int], int]:
    return {(c["sdk"], c["code"]): c["count"] for c in report["codes"]}


# ---------------------------------------------------------------- stdin


def test_each_event_is_readable_from_a_pipe_before_the_writer_closes(tmp_path):
    """A writer thread feeds the pipe a line at a time and writes the next line only once the
    event of the last one came out: no event waits for more input, or for the end."""
    read, write = os.pipe()
    watcher = Watcher("-", "--format", "ndjson", stdin=read)
    os.close(read)
    codes = [204, 208, 303, 204, 500]
    seen_so_far = queue.Queue()
    written: list[int] = []

    def writer() -> None:
        with os.fdopen(write, "wb", buffering=0) as pipe:
            for i, code in enumerate(codes):
                pipe.write(NOISE.encode())
                pipe.write(ERR.format(code).encode())
                written.append(code)
                assert seen_so_far.get(timeout=TIMEOUT) == i + 1  # its event came out: write on

    thread = threading.Thread(target=writer)
    thread.start()
    for i in range(len(codes)):
        watcher.events(i + 1)
        seen_so_far.put(i + 1)
    thread.join(TIMEOUT)
    status, err = watcher.wait()  # the writer closed: EOF ends the watch as Ctrl-C does
    assert status == 0, err
    events = [json.loads(line) for line in watcher.seen]
    assert [(e["file"], e["line"], e["code"]) for e in events] == [
        ("<stdin>", 2 * i + 2, code) for i, code in enumerate(codes)
    ]
    assert events[0] == {
        "file": "<stdin>", "line": 2, "timestamp": None, "time_text": None, "time_precision": None,
        "sdk": "native", "platform": "android",
        "pattern": "android-code-error", "code": 204, "name": "USER_NOT_FOUND", "category": "user",
        "kind": "not-found", "description": "something", "text": ERR.format(204).rstrip("\n"),
    }  # fmt: skip
    assert set(events[0]) == {
        "file", "line", "timestamp", "time_text", "time_precision", "sdk", "platform", "pattern", "code", "name", "category", "kind",
        "description", "text",
    }  # fmt: skip
    # The final report is on stderr (stdout carries the events only).
    assert "logscan report — 1 file, 10 lines" in err and "5 error lines, 4 codes" in err


def _samples() -> bytes:
    names = ["core/easemob.log", "android/logcat.txt", "web/console.log", "ios/app.log", "unity/Player.log"]
    return b"".join((SAMPLES / name).read_bytes() for name in names)


def test_final_report_equals_report_on_the_same_bytes(run, tmp_path):
    data = _samples() + b"last line without newline, code: 208"
    out = tmp_path / "final.json"
    r = run("watch", "-", "--format", "ndjson", "-o", out, input=data)
    assert r.exit_code == 0, r.stderr
    expected = run("report", "-", "--format", "json", input=data)
    assert expected.exit_code == 0
    assert json.loads(out.read_text()) == expected.json()
    events = run("events", "-", input=data)
    assert r.stdout == events.stdout  # the same events, in the same order, with the same fields


def test_a_line_cut_in_pieces_is_one_line(run, monkeypatch, tmp_path):
    """Regression: each piece of a line longer than MAX_LINE was counted as a line."""
    from logscan.live import watch

    monkeypatch.setattr(watch, "MAX_LINE", 64)
    monkeypatch.setattr(watch, "READ_SIZE", 50)  # the line arrives in pieces
    data = ("x" * 200 + "\n" + ERR.format(204) + "y" * 150).encode()
    r = run("watch", "-", "-o", tmp_path / "final.json", "-q", input=data)
    assert r.exit_code == 0
    report = json.loads((tmp_path / "final.json").read_text())
    assert report["inputs"]["lines"] == 3 and report["events"] == 1
    assert report["codes"][0]["sample"]["line"] == 2


def test_final_report_of_files_read_to_their_end_equals_report(run, tmp_path):
    files = [SAMPLES / "core/easemob.log", SAMPLES / "ticket-4711/easemob.log", SAMPLES / "web/console.log"]
    r = run("watch", *files, "--no-follow", "--report", "json", "--by", "file")
    assert r.exit_code == 0, r.stderr
    # Not a terminal: the events are on stdout, the report on stderr.
    report = run("report", *files, "--format", "json", "--by", "file")
    assert json.loads(r.stderr) == report.json()
    assert len(r.stdout.splitlines()) == report.json()["events"]


def test_text_format_is_one_line_per_event(run):
    r = run("watch", "-", "--format", "text", "-q", input=NOISE + ERR.format(204) + ERR.format(99999))
    assert r.exit_code == 0 and r.stderr == ""
    assert r.stdout == (
        f"<stdin>:2: native 204 USER_NOT_FOUND (user, not-found): {ERR.format(204).strip()}\n"
        f"<stdin>:3: native 99999 UNKNOWN (unknown, unknown): {ERR.format(99999).strip()}\n"
    )


def test_secrets_are_redacted_in_the_events():
    line = "E/ChatDemo(1): Login failed! code: 204 error: bad, token=abcdef123456 mail bob@example.com\n"
    p = subprocess.run(
        [sys.executable, "-m", "logscan", "watch", "-", "-q"], input=line.encode(), capture_output=True
    )
    assert p.returncode == 0
    text = json.loads(p.stdout)["text"]
    assert "abcdef123456" not in text and "bob@example.com" not in text and "[REDACTED]" in text


# ---------------------------------------------------------------- the gate


def test_fail_on_stops_at_the_first_violating_event(run, tmp_path):
    out = tmp_path / "final.json"
    lines = ERR.format(204) + NOISE + ERR.format(208) + ERR.format(208) + ERR.format(204)
    r = run("watch", "-", "--fail-on", "code=208", "-o", out, input=lines)
    assert r.exit_code == 1
    assert [json.loads(x)["line"] for x in r.stdout.splitlines()] == [1, 3]
    assert r.stderr.startswith(
        "logscan: --fail-on 'code=208' broken (1 error line, more than 0) at <stdin>:3: native 208"
    )
    assert counts(json.loads(out.read_text())) == {("native", 204): 1, ("native", 208): 1}


def test_fail_on_threshold_counts_every_matching_code(run):
    lines = ERR.format(204) + ERR.format(208) + ERR.format(204) + ERR.format(205)
    r = run("watch", "-", "--fail-on", "category=user>2", "-q", input=lines)
    assert r.exit_code == 1
    assert [json.loads(x)["line"] for x in r.stdout.splitlines()] == [1, 2, 3]
    assert "at <stdin>:3: native 204" in r.stderr


def test_max_total_stops_above_n_error_lines_in_all(run):
    r = run("watch", "-", "--max-total", "1", "--allow", "code=205", "-q",
            input=ERR.format(205) + ERR.format(204) + ERR.format(208) + ERR.format(500))  # fmt: skip
    assert r.exit_code == 1
    assert [json.loads(x)["line"] for x in r.stdout.splitlines()] == [1, 2, 3]
    assert r.stderr.startswith(
        "logscan: --max-total 'max-total>1' broken (2 error lines, more than 1) at <stdin>:3: native 208"
    )


def test_fail_on_with_no_violation_exits_0(run):
    r = run("watch", "-", "--fail-on", "code=208", "--allow", "code=204", "--fail-on", "code=204", "-q",
            input=ERR.format(204) * 3)  # fmt: skip
    assert r.exit_code == 0 and r.stderr == ""
    assert len(r.stdout.splitlines()) == 3


def test_policy_takes_the_rules_of_the_configuration(run, tmp_path, monkeypatch):
    (tmp_path / "logscan.toml").write_text('[check]\nfail_on = ["code=205"]\n')
    monkeypatch.chdir(tmp_path)
    lines = ERR.format(204) + ERR.format(205)
    assert run("watch", "-", "-q", input=lines).exit_code == 0  # no gate without --policy
    r = run("watch", "-", "-q", "--policy", input=lines)
    assert r.exit_code == 1 and "logscan.toml:2 check.fail_on 'code=205' broken" in r.stderr


def test_a_rule_naming_no_code_is_a_usage_error(run):
    r = run("watch", "-", "--fail-on", "name=NO_SUCH_NAME", input="")
    assert r.exit_code == 2 and "no code is named" in r.stderr


# ---------------------------------------------------------------- files


@pytest.mark.parametrize("watched", ["easemob.log", "easemob*.log", "."])
def test_rotation_by_rename_reads_the_old_file_to_its_end_then_the_new_one(tmp_path, watched):
    log = tmp_path / "easemob.log"
    log.write_text(ERR.format(204) * 2 + NOISE)  # there before the watch: not read (from the end)
    out = tmp_path.parent / f"{tmp_path.name}-final.json"
    watcher = Watcher(watched, "--format", "ndjson", "-o", out, cwd=tmp_path)
    appended = _start(watcher, log)
    append(log, ERR.format(208) * 2)
    watcher.real(2)
    append(log, ERR.format(500) + ERR.format(501))  # written just before the rotation
    log.rename(tmp_path / "easemob_2024-05-01_10-00-00.log")
    log.write_text(ERR.format(502) + NOISE + ERR.format(503))
    watcher.real(6)
    status, err = watcher.stop()
    assert status == 0, err
    events = real(watcher.seen)
    warmup = len(watcher.seen) - len(events)
    assert [e["code"] for e in events] == [208, 208, 500, 501, 502, 503]  # nothing read twice
    name = "easemob.log" if watched != "." else "./easemob.log"
    assert [e["file"] for e in events] == [name] * 6
    old = 3 + appended  # lines of the old file before the lines above
    assert [e["line"] for e in events] == [old + 1, old + 2, old + 3, old + 4, 1, 3]
    final = counts(json.loads(out.read_text()))
    assert final == {
        ("native", WARMUP): warmup, ("native", 208): 2, ("native", 500): 1, ("native", 501): 1,
        ("native", 502): 1, ("native", 503): 1,
    }  # fmt: skip


def _start(watcher: Watcher, log: Path) -> int:
    """Append warm-up lines (code WARMUP) until the watch shows one: it follows ``log`` from
    then on. (More of them may still come out: tests count them apart.) How many were appended."""
    deadline = time.monotonic() + TIMEOUT
    appended = 0
    while not watcher.seen:
        append(log, ERR.format(WARMUP))
        appended += 1
        try:
            watcher.seen.append(watcher.lines.get(timeout=0.5))
        except queue.Empty:
            assert time.monotonic() < deadline and watcher.proc.poll() is None
    return appended


@pytest.mark.parametrize("watched", ["app.log", "app.log*"])
def test_truncation_reads_the_file_again_from_its_start(tmp_path, watched):
    log = tmp_path / "app.log"
    log.write_text(NOISE * 3)
    out = tmp_path.parent / f"{tmp_path.name}-final.json"
    watcher = Watcher(watched, "-o", out, cwd=tmp_path)
    appended = _start(watcher, log)
    append(log, ERR.format(208) * 2)
    watcher.real(2)
    # copytruncate: copy the file aside (the copy matches the glob: it is not read again), empty it
    shutil.copy(log, tmp_path / "app.log.1")
    with log.open("r+") as fh:
        fh.truncate(0)
    log.write_text(ERR.format(500))
    watcher.real(3)
    status, err = watcher.stop()
    assert status == 0, err
    events = real(watcher.seen)
    assert [(e["file"], e["line"], e["code"]) for e in events] == [
        ("app.log", 4 + appended, 208), ("app.log", 5 + appended, 208), ("app.log", 1, 500),
    ]  # fmt: skip
    assert "app.log: truncated; reading it again from its start" in err
    final = counts(json.loads(out.read_text()))
    assert final == {("native", WARMUP): len(watcher.seen) - 3, ("native", 208): 2, ("native", 500): 1}


def test_a_new_file_in_a_watched_folder_is_read_from_its_start(tmp_path):
    folder = tmp_path / "logs"
    (folder / "sub").mkdir(parents=True)
    old = folder / "old.log"
    old.write_text(ERR.format(204))
    out = tmp_path / "final.json"
    watcher = Watcher(folder, "-o", out)
    _start(watcher, old)
    (folder / "sub" / "new.log").write_text(NOISE + ERR.format(208) + ERR.format(500))
    watcher.real(2)
    status, err = watcher.stop()
    assert status == 0, err
    start = len(watcher.seen) - 2
    assert [(e["file"], e["line"], e["code"]) for e in real(watcher.seen)] == [
        (str(folder / "sub" / "new.log"), 2, 208), (str(folder / "sub" / "new.log"), 3, 500),
    ]  # fmt: skip
    final = counts(json.loads(out.read_text()))
    assert final == {("native", WARMUP): start, ("native", 208): 1, ("native", 500): 1}


def test_a_deleted_file_is_read_to_its_end(tmp_path):
    log = tmp_path / "app.log"
    log.write_text("")
    out = tmp_path / "final.json"
    watcher = Watcher(log, "-o", out)
    _start(watcher, log)
    append(log, ERR.format(208) + ERR.format(500) + ERR.format(501).rstrip("\n"))  # the last: no newline
    log.unlink()  # written, then deleted at once: the watch still reads what it held
    watcher.real(3)
    status, err = watcher.stop()
    assert status == 0, err
    assert [e["code"] for e in real(watcher.seen)] == [208, 500, 501]
    assert counts(json.loads(out.read_text())) == {
        ("native", WARMUP): len(watcher.seen) - 3, ("native", 208): 1, ("native", 500): 1, ("native", 501): 1,
    }  # fmt: skip


def test_from_start_reads_what_is_there_first(tmp_path):
    log = tmp_path / "app.log"
    log.write_text(ERR.format(204) + NOISE + ERR.format(208))
    watcher = Watcher(log, "--from-start", "-q")
    events = watcher.events(2)
    status, err = watcher.stop()
    assert status == 0 and "logscan report" not in err  # -q: no report on stderr
    assert [(e["line"], e["code"]) for e in events] == [(1, 204), (3, 208)]


@pytest.mark.parametrize("from_start", [True, False])
def test_a_utf16_file_is_followed_as_text(tmp_path, from_start):
    log = tmp_path / "win.log"
    log.write_bytes(NOISE.encode("utf-16"))  # with its byte-order mark
    watcher = Watcher(log, "-q", *(["--from-start"] if from_start else []))
    appended, deadline = 0, time.monotonic() + TIMEOUT
    while not watcher.seen:  # until the watch follows the file (see _start)
        with log.open("ab") as fh:
            fh.write(ERR.format(204).encode("utf-16-le"))
        appended += 1
        try:
            watcher.seen.append(watcher.lines.get(timeout=0.5))
        except queue.Empty:
            assert time.monotonic() < deadline and watcher.proc.poll() is None
    status, _ = watcher.stop()
    assert status == 0
    first = json.loads(watcher.seen[0])
    assert first["text"] == ERR.format(204).strip() and first["code"] == 204
    assert first["line"] == 2 if from_start else first["line"] <= 1 + appended


def test_compressed_files_are_not_followed(tmp_path, run):
    shutil.copy(SAMPLES / "ticket-4711" / "log.gz", tmp_path / "old.log.gz")
    (tmp_path / "app.log").write_text(ERR.format(204))
    r = run("watch", tmp_path, "--no-follow", "--report", "json")
    assert r.exit_code == 0
    assert f"not following {tmp_path / 'old.log.gz'}: gzip data" in r.stderr
    assert [json.loads(x)["code"] for x in r.stdout.splitlines()] == [204]


def test_a_second_ctrl_c_aborts_at_once_with_130(tmp_path):
    """The first Ctrl-C ends the watch; its final report then waits for a reader of the FIFO
    named by -o (none comes): a second Ctrl-C aborts it."""
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    read, write = os.pipe()
    watcher = Watcher("-", "-o", fifo, "--report", "json", stdin=read)
    os.close(read)
    os.write(write, ERR.format(204).encode())
    watcher.events(1)
    watcher.proc.send_signal(signal.SIGINT)
    wait_for(lambda: watcher.errors, "the first Ctrl-C to be taken")
    assert watcher.errors == ["logscan: stopping: the final report follows (Ctrl-C again aborts)\n"]
    watcher.proc.send_signal(signal.SIGINT)
    status, err = watcher.wait()
    os.close(write)
    assert status == 130
    assert err.endswith("logscan: interrupted\n") and "Traceback" not in err


def test_a_path_that_never_named_a_file_is_an_error_at_the_end(run, tmp_path):
    r = run("watch", tmp_path / "missing.log", "--no-follow")
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr == f"logscan: error: cannot read {tmp_path / 'missing.log'}: no such file or directory\n"
    (tmp_path / "app.log").write_text(ERR.format(204))
    r = run("watch", tmp_path / "app.log", tmp_path / "*.txt", "--no-follow", "--keep-going", "-q")
    assert r.exit_code == 0 and r.stderr == "" and len(r.stdout.splitlines()) == 1


def test_a_named_pipe_is_read_as_a_stream(tmp_path):
    fifo = tmp_path / "adb.fifo"
    os.mkfifo(fifo)
    watcher = Watcher(fifo, "-q")
    with fifo.open("w") as pipe:  # opened once the watch opened it for reading
        pipe.write(NOISE + ERR.format(204))
        pipe.flush()
        events = watcher.events(1)  # before the writer closes
    status, err = watcher.wait()  # its end ends the watch
    assert status == 0 and err == ""
    assert [(e["file"], e["line"], e["code"]) for e in events] == [(str(fifo), 2, 204)]


# ---------------------------------------------------------------- the live table


def _pty_watch(*args: object) -> tuple[subprocess.Popen, int]:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "logscan", "watch", *map(str, args)],
        stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env={**env, "TERM": "xterm"},
    )  # fmt: skip
    os.close(slave)
    return proc, master


def _screen(master: int, until, what: str) -> str:
    seen = b""
    deadline = time.monotonic() + TIMEOUT
    while not until(seen.decode("utf-8", "replace")):
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {seen[-2000:]!r}"
        try:
            seen += os.read(master, 1 << 16)
        except OSError:  # the other side closed
            assert until(seen.decode("utf-8", "replace")), seen[-2000:]
            break
    return seen.decode("utf-8", "replace")


def test_live_table_on_a_terminal_then_the_final_report_on_ctrl_c(tmp_path):
    log = tmp_path / "app.log"
    log.write_text("")
    proc, master = _pty_watch(log)
    try:
        _screen(master, lambda s: "logscan watch" in s, "the header")
        append(log, NOISE + ERR.format(204))
        _screen(master, lambda s: "USER_NOT_FOUND" in s and "204" in s, "the code on the screen")
        proc.send_signal(signal.SIGINT)
        screen = _screen(master, lambda s: "What to do" in s, "the final report")
        assert proc.wait(TIMEOUT) == 0
    finally:
        os.close(master)
        if proc.poll() is None:  # pragma: no cover - only on failure
            proc.kill()
    report = screen[screen.index("logscan report") :]
    assert "1 file, 2 lines" in report and "1 error line, 1 code" in report
    assert "USER_NOT_FOUND" in report


def _state(now: float) -> LiveState:
    import polars as pl

    state = LiveState(started=now - 30)
    rows = pl.DataFrame(
        {
            "sdk": ["native", "native", "web"], "code": [217, 204, 16],
            "name": ["USER_KICKED_BY_OTHER_DEVICE", "USER_NOT_FOUND", "WEBIM_CONNCTION_DISCONNECTED"],
            "category": ["user", "user", "connection"], "kind": ["session", "not-found", "transient"],
            "text": ["[2024/05/01 10:43:54:850]: onDisconnected 217, a long line " + "x" * 200, "code: 204", "{type: 16}"],
        }
    )  # fmt: skip
    state.read(1000, 50_000, now)
    state.add(rows, now)
    state.add(rows.head(1), now)
    return state


@pytest.mark.parametrize("width", [80, 100, 120, 200])
def test_live_table_fits_80_to_120_columns(width):
    now = time.time()
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=False, color_system=None)
    console.print(live.table(_state(now), now, label="-", width=width, height=30))
    lines = buffer.getvalue().splitlines()
    assert max(len(line) for line in lines) <= min(width, 120)
    assert lines[0].startswith(
        "logscan watch  1,000 lines (200/s)  48.8 KB  00:00:30  4 error lines, 3 codes"
    )
    assert lines[1].split() == ["sdk", "code", "name", "count", "/min", "last", "seen", "newest", "line"]
    # sorted by count: 217 (twice) first; new codes marked; 2 events in the first minute: 2.0 a minute
    assert [line.split()[:2] + line.split()[3:5] for line in lines[3:6]] == [
        ["native", "*217", "2", "2.0"], ["native", "*204", "1", "1.0"], ["web", "*16", "1", "1.0"],
    ]  # fmt: skip
    assert "[2024/05/01 10:43" in lines[3] and lines[-1] == "* first seen in the last 10 s"


def test_live_state_is_bounded():
    import polars as pl

    state = LiveState(started=0.0)
    row = pl.DataFrame(
        {"sdk": ["native"], "code": [204], "name": ["X"], "category": ["user"], "kind": ["k"], "text": ["t"]}
    )
    for second in range(5000):
        state.read(10, 100, float(second))
        state.add(row, float(second))
    code = state.codes[("native", 204)]
    assert code.count == 5000 and len(code.window) <= RATE_WINDOW
    assert code.per_minute(4999.0, 4999.0) == 60.0
    assert state.lines_per_second(4999.0) == 10.0

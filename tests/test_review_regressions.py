"""Regression tests for bugs found in review (one test per bug)."""

from __future__ import annotations

import json
import os
import stat
import xml.etree.ElementTree as ET
import zipfile

import pytest

from logscan.match.matcher import Matcher, match_lines
from logscan.match.patterns import load_patterns

from .conftest import invoke

ERR = "E/ChatDemo(1): Login failed! code: {} error: x\n"


def test_a_corrupt_zip_member_is_unreadable_and_the_others_are_read(tmp_path):
    path = tmp_path / "logs.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.log", ERR.format(201) * 50)
        zf.writestr("b.log", ERR.format(202) * 400)
        zf.writestr("c.log", ERR.format(203) * 50)
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo("b.log")
    start = info.header_offset + 30 + len(info.filename) + 10
    data[start : start + 2] = b"\xff\xff"
    path.write_bytes(bytes(data))
    r = invoke("report", path, "-f", "json", "--keep-going")
    assert r.exit_code == 0 and "Traceback" not in r.stderr
    report = r.json()
    assert {c["code"] for c in report["codes"]} == {201, 203}
    assert [u["name"] for u in report["inputs"]["unreadable"]] == [f"{path}:b.log"]


@pytest.mark.parametrize(
    ("regex", "line", "code"),
    [
        (r"errcode[[:space:]]*=[[:space:]]*(?P<code>[[:digit:]]+)", "errcode = 208", 208),
        (r"(?x) errcode [\s=]+ (?P<code>\d+)", "errcode = 208", 208),
        (r"dir=C:\\(?P<code>\d+)", "dir=C:\\208", 208),
        (r"err,{1, 3}code=(?P<code>\d+)", "err,,code=207", 207),
    ],
)
def test_patterns_rust_reads_differently_from_python_still_match(tmp_path, regex, line, code):
    pattern_file = tmp_path / "p.toml"
    pattern_file.write_text(
        f"[[pattern]]\nname = \"x\"\nsdk = \"native\"\nregex = '''{regex}'''\n", encoding="utf-8"
    )
    log = tmp_path / "a.log"
    log.write_text(line + "\n", encoding="utf-8")
    r = invoke("report", log, "--patterns", pattern_file, "--no-builtin-patterns", "-f", "json")
    assert r.exit_code == 0 and r.stderr == "", r.stderr
    assert [(c["code"], c["count"]) for c in r.json()["codes"]] == [(code, 1)]


def test_a_symlinked_folder_already_scanned_is_not_an_error_and_files_count_once(tmp_path):
    real = tmp_path / "d" / "real"
    real.mkdir(parents=True)
    (real / "a.log").write_text(ERR.format(204), encoding="utf-8")
    (tmp_path / "d" / "current").symlink_to("real")
    r = invoke("report", tmp_path / "d", "-f", "json")
    assert r.exit_code == 0 and r.stderr == ""
    assert r.json()["events"] == 1
    r = invoke("report", real / "a.log", real / "a.log", "-f", "json")
    assert r.json()["events"] == 1


def test_junit_stays_valid_xml_with_ansi_colours(tmp_path):
    log = tmp_path / "ansi.log"
    log.write_text(
        "\x1b[31m[2024/05/01 10:20:01:000]: login failed, code: 208, desc: x\x1b[0m\n", encoding="utf-8"
    )
    out = tmp_path / "out.xml"
    assert invoke("check", log, "-f", "junit", "-o", out).exit_code == 1
    failure = ET.parse(out).getroot().find("testsuite/testcase/failure")
    assert "\\x1b[31m" in failure.text


def test_output_follows_symlinks_keeps_devices_and_honours_the_umask(tmp_path):
    log = tmp_path / "a.log"
    log.write_text(ERR.format(204), encoding="utf-8")
    target = tmp_path / "target.json"
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert invoke("report", log, "-o", link).exit_code == 0
    assert link.is_symlink() and target.read_text().startswith("{")
    old = os.umask(0o022)
    try:
        assert invoke("report", log, "-o", tmp_path / "plain.json").exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "plain.json").stat().st_mode) == 0o644
    r = invoke("report", log, "-f", "json", "-o", "/dev/null")
    assert r.exit_code == 0 and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_output_to_dev_stdout_on_a_pipe_and_a_replaced_file_keeps_its_permissions(tmp_path):
    """Regressions: -o /dev/stdout failed when stdout was a pipe (its resolved name cannot be
    opened); a private report replaced with -o became world-readable."""
    import subprocess
    import sys

    log = tmp_path / "a.log"
    log.write_text(ERR.format(204), encoding="utf-8")
    r = subprocess.run(
        [sys.executable, "-m", "logscan", "report", str(log), "-f", "json", "-o", "/dev/stdout"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (r.returncode, r.stderr) == (0, "") and json.loads(r.stdout)["events"] == 1
    private = tmp_path / "private.json"
    private.write_text("{}", encoding="utf-8")
    private.chmod(0o600)
    assert invoke("report", log, "--no-redact", "-f", "json", "-o", private).exit_code == 0
    assert stat.S_IMODE(private.stat().st_mode) == 0o600 and json.loads(private.read_text())["events"] == 1


def test_a_fifo_is_read_as_a_stream(tmp_path):
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def feed():
        with fifo.open("w") as fh:
            fh.write(ERR.format(205) * 3)

    writer = threading.Thread(target=feed)
    writer.start()
    r = invoke("report", fifo, "-f", "json")
    writer.join()
    assert r.exit_code == 0 and r.json()["events"] == 3


def test_pipes_devices_and_sockets_in_a_folder_are_skipped(tmp_path):
    """Regression: a named pipe inside a scanned folder was opened and waited on for ever."""
    import socket
    import subprocess
    import sys

    (tmp_path / "app.log").write_text(ERR.format(205) * 2, encoding="utf-8")
    os.mkfifo(tmp_path / "pipe")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "sock"))
    try:
        r = subprocess.run(
            [sys.executable, "-m", "logscan", "report", str(tmp_path), "-f", "json"],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.close()
    assert (r.returncode, r.stderr) == (0, "")
    data = json.loads(r.stdout)
    assert data["events"] == 2 and data["inputs"]["files"] == 1 and data["inputs"]["unreadable"] == []


def test_a_config_path_with_braces(tmp_path, monkeypatch):
    folder = tmp_path / "{ci}"
    folder.mkdir()
    (folder / "logscan.toml").write_text('[check]\nfail_on = ["code=204"]\n', encoding="utf-8")
    log = tmp_path / "a.log"
    log.write_text(ERR.format(204), encoding="utf-8")
    monkeypatch.chdir(folder)
    r = invoke("check", log)
    assert r.exit_code == 1 and "logscan.toml:2 check.fail_on" in r.stdout


def test_escaped_parenthesis_is_not_a_group():
    m = Matcher.build(load_patterns())
    assert match_lines([r"onDisconnect303 \(?P<code>x)"], m)["code"].to_list() == [303]

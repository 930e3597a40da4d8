"""Output files: written atomically, symlinks followed, devices and pipes written in place, permissions kept."""

from __future__ import annotations

import json
import os
import stat

from .conftest import invoke

ERR = "E/ChatDemo(1): Login failed! code: {} error: x\n"


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

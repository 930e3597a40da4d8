"""The package type-checks: mypy, configured in pyproject.toml ([tool.mypy]), finds no error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mypy import api  # in the test extras: CI type-checks (never skipped)

ROOT = Path(__file__).resolve().parent.parent

EXCLUDED: tuple[str, ...] = ()


def test_mypy_finds_no_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the checkout's logscan, whatever is installed
    # The packages to check come from [tool.mypy]; a fresh cache: no state from another run.
    stdout, stderr, status = api.run(
        ["--config-file", "pyproject.toml", "--cache-dir", str(tmp_path / "cache"), "--no-error-summary"]
    )
    errors = [
        line
        for line in stdout.splitlines()
        if re.match(r"[^:]+:\d+: error:", line) and not line.startswith(EXCLUDED)
    ]
    assert status in (0, 1) and not stderr, f"mypy did not run:\n{stdout}{stderr}"
    assert not errors, "mypy found errors:\n" + stdout

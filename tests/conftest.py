"""Shared fixtures: a CLI runner with stdout and stderr apart, and the sample logs."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from logscan.cli.main import cli
from logscan.config import CEILING_ENV

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_logs"
DATA = Path(__file__).resolve().parent / "data"
EXPECTED = Path(__file__).resolve().parent / "expected"


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> object:
        return json.loads(self.stdout)


def invoke(*args: object, input: str | bytes | None = None, env: dict[str, str] | None = None) -> Result:
    """Run the CLI in-process exactly as the console script does (errors translated, exit codes kept)."""
    runner = CliRunner()
    result = runner.invoke(
        cli, [str(a) for a in args], input=input, env={"NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Result(result.exit_code, result.stdout, result.stderr)


def done(
    *args: object,
    exit_code: int = 0,
    stderr: str | None = "",
    input: str | bytes | None = None,
    env: dict[str, str] | None = None,
) -> Result:
    """:func:`invoke`, asserting the exit code and the exact stderr (``None``: not asserted here)."""
    r = invoke(*args, input=input, env=env)
    assert r.exit_code == exit_code, (args, r)
    if stderr is not None:
        assert r.stderr == stderr, (args, r)
    return r


@pytest.fixture
def run():
    return invoke


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path_factory):
    """No test sees the developer's environment or writes into the checkout, nor reads a
    configuration file it did not write: discovery stops below the pytest temporary root (a
    test in its tmp_path finds only what it put there) and at the checkout (tests that run at
    ROOT find none; subprocesses inherit the variable)."""
    ceilings = (tmp_path_factory.getbasetemp().resolve(), ROOT)
    monkeypatch.setenv(CEILING_ENV, os.pathsep.join(map(str, ceilings)))
    monkeypatch.delenv("LOGSCAN_DEBUG", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")

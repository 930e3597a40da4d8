"""Docs that test themselves: every command and option is in the README, with help."""

from __future__ import annotations

import re

import click
import pytest

from logscan.cli.main import cli

from ..conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_quickstart_comes_first_with_the_two_commands():
    head = README.split("## What logscan is for")[0]
    assert "## Quickstart" in head
    assert "pip install . && logscan report sample_logs/ticket-4711" in head
    assert "pip install -e '.[test]' && pytest" in head


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -e '.[test]' && pytest" in ci.splitlines()


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_is_documented_with_its_options(name):
    command = cli.commands[name]
    assert command.help and "Example" in command.help
    assert f"### `logscan {name}" in README
    section = README.split(f"### `logscan {name}")[1].split("\n## ")[0].split("\n### ")[0]
    for param in command.params:
        if isinstance(param, click.Option) and param.name != "help":
            assert any(opt in section for opt in param.opts), f"{name}: {param.opts} not in README"


def test_every_category_and_kind_is_explained():
    from logscan.decode.catalogue import CATEGORIES, KINDS

    for value in (*CATEGORIES, *KINDS, "unknown"):
        assert re.search(rf"^\| `{re.escape(value)}` \|", README, re.M), value


def test_the_sample_output_in_the_readme_is_what_logscan_prints(monkeypatch):
    """The ```text block of `logscan report sample_logs/ticket-4711`: each part between `...`
    lines is a run of lines of the real output at 120 columns, in order."""
    from ..conftest import invoke

    monkeypatch.chdir(ROOT)
    block = README.split("```text\n$ COLUMNS=120 logscan report sample_logs/ticket-4711\n")[1].split("```")[0]
    parts = [part.strip("\n").splitlines() for part in block.split("...\n")]
    r = invoke("report", "sample_logs/ticket-4711", env={"COLUMNS": "120"})
    assert r.exit_code == 0
    out = r.stdout.splitlines()
    at = 0
    for part in filter(None, parts):
        starts = [i for i in range(at, len(out)) if out[i : i + len(part)] == part]
        assert starts, f"not in the output (after line {at}):\n" + "\n".join(part)
        at = starts[0] + len(part)


def test_the_command_reference_is_the_help_of_every_command_and_subcommand():
    """The README's reference block is what `--help` prints, for each command and subcommand
    (regenerate with `python -m tests.docs_reference`)."""
    from ..docs_reference import commands, current, render

    assert current(README) == render()
    for words in commands():
        assert f"### `logscan {' '.join(words)}`\n\n```text\nUsage: logscan {' '.join(words)} " in README
    assert ("patterns", "check") in commands() and ("catalogue", "import") in commands()


def test_the_json_example_in_the_readme_names_what_logscan_writes(monkeypatch):
    """The README's JSON report example (abbreviated with "...") uses only keys the real
    report of the ticket has, and its numbers are the real ones."""
    import json

    from ..conftest import invoke

    monkeypatch.chdir(ROOT)
    block = README.split("```json\n{\n", 1)[1].split("```", 1)[0]
    r = invoke("report", "sample_logs/ticket-4711", "-f", "json")
    assert (r.exit_code, r.stderr) == (0, "")
    real = json.loads(r.stdout)

    def keys(value: object) -> set[str]:
        if isinstance(value, dict):
            return set(value) | {k for v in value.values() for k in keys(v)}
        if isinstance(value, list):
            return {k for v in value for k in keys(v)}
        return set()

    named = set(re.findall(r'"([a-z_]+)":', block))
    assert named - keys(real) - {"unreadable", "warnings", "name", "reason", "warning"} == set()
    assert (real["events"], real["inputs"]["files"], real["inputs"]["lines"]) == (45, 7, 615)
    first = real["codes"][0]
    assert (first["code"], first["count"], first["first_seen"], first["sample"]["line"]) == (
        2, 4, "2024-05-01T09:50:05.152", 78,
    )  # fmt: skip
    assert f'"events": {real["events"]},' in block and '"line": 78' in block

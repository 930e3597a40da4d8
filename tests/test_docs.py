"""Docs that test themselves: every command and option is in the README, with help."""

from __future__ import annotations

import re

import click
import pytest

from logscan.cli import cli

from .conftest import ROOT

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
    from logscan.catalogue import CATEGORIES, KINDS

    for value in (*CATEGORIES, *KINDS, "unknown"):
        assert re.search(rf"^\| `{re.escape(value)}` \|", README, re.M), value

"""--exclude GLOB skips files, folders and archive members as the one path walker lists them."""

from __future__ import annotations

import json
import zipfile

import pytest

from logscan.inputs import iter_files, iter_sources
from logscan.inputs.sources import excluded
from tests.conftest import invoke

LINE = "[2024/5/1 9:59:59:999]: onDisconnect2\n"


@pytest.fixture
def ticket(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("t/new/app.log", "t/old/app.log"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(LINE, encoding="utf-8")
    (tmp_path / "t/README.txt").write_text("see onDisconnect303 for help\n", encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "t.zip", "w") as z:
        for name in ("README.txt", "new/app.log", "old/app.log"):
            z.writestr(name, (tmp_path / "t" / name).read_text(encoding="utf-8"))
    return tmp_path


@pytest.mark.parametrize(
    ("name", "patterns", "expected"),
    [
        ("t/README.txt", ["README.txt"], True),
        ("t/README.txt", ["*.txt"], True),
        ("t/app.log", ["*.txt"], False),
        ("t.zip:docs/README.txt", ["*.txt"], True),
        ("t.zip:old/app.log", ["old"], True),
        ("t.zip:new/app.log", ["old"], False),
        ("t.zip:old/app.log", ["old/*"], True),
        ("t/old/app.log", ["t/old/*"], True),
        ("t/new/app.log", ["t/old/*"], False),
        ("<stdin>", ["*"], False),
        ("t/app.log", [], False),
    ],
)
def test_excluded(name, patterns, expected):
    assert excluded(name, patterns) is expected


def names(items):
    return [item.name for item in items]


def test_the_walker_skips_what_is_excluded(ticket):
    every = ["t/README.txt", "t/new/app.log", "t/old/app.log", "t.zip:README.txt", "t.zip:new/app.log", "t.zip:old/app.log"]  # fmt: skip
    assert names(iter_sources(["t", "t.zip"])) == every
    assert names(iter_sources(["t", "t.zip"], exclude=["*.txt", "old"])) == [
        "t/new/app.log",
        "t.zip:new/app.log",
    ]
    assert names(iter_files(["t", "t.zip"], exclude=["*.txt", "old"])) == ["t/new/app.log", "t.zip"]
    assert names(iter_sources(["t/*.txt", "t/new"], exclude=["README.txt"])) == ["t/new/app.log"]


@pytest.mark.parametrize("command", ["report", "check", "events"])
def test_every_scanning_command_takes_exclude(ticket, command):
    fmt = ["-f", "ndjson"] if command == "events" else ["-f", "json"]
    r = invoke(command, "t", "t.zip", "--exclude", "README.txt", "--exclude", "old", *fmt)
    assert r.exit_code in (0, 1) and r.stderr == ""
    if command == "events":
        assert [row["file"] for row in map(json.loads, r.stdout.splitlines())] == [
            "t/new/app.log",
            "t.zip:new/app.log",
        ]
    elif command == "report":
        assert (r.json()["inputs"]["files"], r.json()["events"]) == (2, 2)


def test_exclude_is_for_the_local_engine(ticket):
    r = invoke("report", "t", "--exclude", "old", "--engine", "dask")
    assert (r.exit_code, r.stdout) == (2, "")
    assert (
        r.stderr
        == "logscan: error: --exclude is for the local engine only: drop --engine dask (see logscan report --help)\n"
    )

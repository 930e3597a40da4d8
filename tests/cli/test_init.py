"""logscan init (a commented logscan.toml that loads) and logscan completion."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..conftest import invoke


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no configuration file is found above tmp_path
    return tmp_path


# ---------------------------------------------------------------- init, completion, schema_version


def test_init_writes_a_commented_config_that_loads(here):
    from logscan import config
    from logscan.config import TEMPLATE

    r = invoke("init")
    assert (r.exit_code, r.stderr) == (0, "")
    assert r.stdout == "wrote logscan.toml: edit it, then `logscan check` uses it\n"
    written = here / "logscan.toml"
    assert written.read_text(encoding="utf-8") == TEMPLATE
    loaded = config.load(written)
    assert (loaded.check.fail_on, loaded.check.allow, loaded.check.allow_empty) == (["any"], [], False)
    assert (loaded.builtin_patterns, loaded.engine) == (True, "local")
    assert config.discover(here) == written


def test_init_comments_every_key_and_each_uncommented_loads(here):
    """Every key the loader knows is in the template, after a comment; uncommenting them all
    still loads (the examples are valid values)."""
    from logscan import config
    from logscan.config import TEMPLATE

    lines = TEMPLATE.splitlines()
    keys = {}
    for i, line in enumerate(lines):
        bare = line.removeprefix("# ")
        if " = " in bare and not bare.startswith(("#", " ")) and bare.split(" = ")[0].isidentifier():
            keys[bare.split(" = ")[0]] = i
            assert lines[i - 1].startswith("# ") and " = " not in lines[i - 1], line  # a comment above
    assert set(keys) == {
        "patterns", "catalogue", "builtin_patterns", "engine", "scheduler", "fail_on", "allow", "max_total",
        "baseline", "tolerance", "allow_empty", "max_expanded", "max_archive_expanded", "max_ratio", "max_depth",
    }  # fmt: skip
    uncommented = "\n".join(
        line.removeprefix("# ") if i in keys.values() else line for i, line in enumerate(lines)
    )
    (here / "logscan.toml").write_text(uncommented, encoding="utf-8")
    loaded = config.load(here / "logscan.toml")
    assert loaded.check.max_total == 100 and loaded.limits.max_depth == 2
    assert loaded.scheduler == "tcp://scheduler:8786"


def test_init_keeps_an_existing_file_unless_forced(here):
    (here / "logscan.toml").write_text("# mine\n", encoding="utf-8")
    r = invoke("init")
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr == "logscan: error: logscan.toml: already exists; pass --force to overwrite it\n"
    assert (here / "logscan.toml").read_text(encoding="utf-8") == "# mine\n"
    r = invoke("init", "--force")
    assert r.exit_code == 0 and (here / "logscan.toml").read_text(encoding="utf-8").startswith("# logscan")
    (here / "ci").mkdir()
    r = invoke("init", "ci")
    assert (r.exit_code, r.stdout) == (
        0,
        f"wrote {Path('ci') / 'logscan.toml'}: edit it, then `logscan check` uses it\n",
    )
    r = invoke("init", "missing/logscan.toml")
    assert r.exit_code == 2 and r.stderr == "logscan: error: missing/logscan.toml: no such folder missing\n"


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_clicks_script(shell):
    from click.shell_completion import get_completion_class

    from logscan.cli.main import cli

    r = invoke("completion", shell)
    assert (r.exit_code, r.stderr) == (0, "")
    expected = get_completion_class(shell)(cli, {}, "logscan", "_LOGSCAN_COMPLETE").source()
    assert r.stdout == expected
    assert "_LOGSCAN_COMPLETE=" + f"{shell}_complete" in r.stdout


def test_completion_completes_commands_and_choices():
    env = {"COMP_WORDS": "logscan completion ", "COMP_CWORD": "2", "_LOGSCAN_COMPLETE": "bash_complete"}
    r = invoke(env=env)
    assert (r.exit_code, r.stdout) == (0, "plain,bash\nplain,zsh\nplain,fish\n")
    env = {"COMP_WORDS": "logscan check --allow-e", "COMP_CWORD": "2", "_LOGSCAN_COMPLETE": "bash_complete"}
    assert invoke(env=env).stdout == "plain,--allow-empty\n"
    r = invoke("completion", "tcsh")
    assert (r.exit_code, r.stdout) == (2, "")
    assert (
        r.stderr
        == "logscan: error: SHELL: 'tcsh' is not one of bash, zsh, fish (see logscan completion --help)\n"
    )

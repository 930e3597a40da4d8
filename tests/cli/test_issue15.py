"""Issue 15: no input is no pass (--allow-empty), the gate names its rules, JUnit thresholds,
catalogue check reports every problem, init, completion, schema_version, small polish."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ..conftest import invoke

ONE = "E/ChatDemo(1): Login failed! code: 204 error: User not found\n"
HINT = "; pass --allow-empty if no logs is a pass\n"


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no configuration file is found above tmp_path
    return tmp_path


# ---------------------------------------------------------------- nothing scanned


def test_check_on_an_empty_folder_exits_2_with_one_line(here):
    (here / "logs").mkdir()
    r = invoke("check", "logs")
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr == "logscan: error: nothing was scanned (no file in logs)" + HINT


def test_check_on_an_empty_file_exits_2(here):
    (here / "a.log").write_bytes(b"")
    (here / "b.log").write_bytes(b"")
    r = invoke("check", "a.log", "b.log", "-f", "junit")
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr == "logscan: error: nothing was scanned (2 empty files)" + HINT


def test_check_on_a_glob_that_matches_nothing_exits_2(here):
    r = invoke("check", "logs/*.log")
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr == "logscan: error: nothing was scanned (no file matches logs/*.log)" + HINT


def test_allow_empty_makes_no_input_a_pass(here):
    (here / "logs").mkdir()
    (here / "empty.log").write_bytes(b"")
    for paths in (["logs"], ["empty.log"], ["logs/*.log"]):
        r = invoke("check", *paths, "--allow-empty")
        assert (r.exit_code, r.stderr) == (0, ""), paths
        assert (
            r.stdout == "logscan check: passed: nothing was scanned, allowed (--allow-empty); in force: any\n"
        )
    doc = invoke("check", "logs/*.log", "--allow-empty", "-f", "json").json()
    assert doc["verdict"] == "pass" and doc["nothing_scanned"] is True
    assert doc["report"]["inputs"]["unreadable"] == []


def test_allow_empty_from_the_configuration(here):
    (here / "logs").mkdir()
    (here / "logscan.toml").write_text("[check]\nallow_empty = true\n", encoding="utf-8")
    r = invoke("check", "logs")
    assert r.exit_code == 0 and r.stdout.startswith("logscan check: passed: nothing was scanned")
    (here / "logscan.toml").write_text("[check]\nallow_empty = 1\n", encoding="utf-8")
    r = invoke("check", "logs")
    assert r.exit_code == 2
    assert (
        r.stderr == f"logscan: error: {here / 'logscan.toml'}:2: check.allow_empty: must be true or false\n"
    )


def test_a_missing_path_stays_an_input_error_even_with_allow_empty(here):
    for extra in ([], ["--allow-empty"]):
        r = invoke("check", "missing.log", *extra)
        assert (r.exit_code, r.stdout) == (2, "")
        assert r.stderr == "logscan: error: cannot read missing.log: no such file or directory\n"


def test_a_glob_matching_nothing_beside_a_log_with_allow_empty(here):
    (here / "a.log").write_text(ONE, encoding="utf-8")
    r = invoke("check", "a.log", "none/*.log", "--fail-on", "code=999")
    assert r.exit_code == 2 and "cannot read none/*.log: no file matches this pattern" in r.stderr
    r = invoke("check", "a.log", "none/*.log", "--fail-on", "code=999", "--allow-empty")
    assert (r.exit_code, r.stderr) == (0, "")
    assert r.stdout == "logscan check: passed: code=999 (1 file, 1 error line)\n"


def test_a_file_with_no_error_line_is_scanned_not_empty(here):
    (here / "a.log").write_text("nothing wrong here\n", encoding="utf-8")
    r = invoke("check", "a.log")
    assert (r.exit_code, r.stdout) == (0, "logscan check: passed: any (1 file, 0 error lines)\n")


# ---------------------------------------------------------------- the gate names its rules


@pytest.fixture
def two(here):
    (here / "a.log").write_text(ONE * 2 + "E/ChatDemo(1): Login failed! code: 206 error: elsewhere\n",
                                encoding="utf-8")  # fmt: skip
    (here / "b.log").write_text(ONE, encoding="utf-8")
    return here


def test_the_verdict_names_the_rules_in_force_and_the_broken(two):
    r = invoke(
        "check", "a.log", "b.log", "--fail-on", "code=204", "--fail-on", "any>3", "--fail-on", "code=999"
    )
    assert r.exit_code == 1
    assert r.stdout.splitlines()[-1] == (
        "logscan check: FAILED: 2 rules violated: code=204, any>3 "
        "(in force: code=204, any>3, code=999; 2 files, 4 error lines)"
    )
    doc = invoke("check", "a.log", "--fail-on", "code=204", "--fail-on", "code=999", "-f", "json").json()
    assert (doc["rules"], doc["broken"]) == (["code=204", "code=999"], ["code=204"])


def test_junit_puts_thresholds_in_a_suite_of_their_own(two):
    r = invoke("check", "a.log", "b.log", "--fail-on", "code=204", "--fail-on", "any>3", "-f", "junit")
    assert r.exit_code == 1
    root = ET.fromstring(r.stdout)
    assert [s.get("name") for s in root.findall("testsuite")] == ["thresholds (all inputs)", "a.log", "b.log"]
    assert (root.get("tests"), root.get("failures")) == ("3", "3")
    thresholds = root.find("testsuite")
    assert [c.get("name") for c in thresholds.findall("testcase")] == ["any>3"]
    failure = thresholds.find("testcase/failure")
    assert failure.get("type") == "logscan.any>3"
    assert failure.get("message") == "any>3: 4 error lines in all inputs, more than 3"
    assert failure.text == (
        "native 204 USER_NOT_FOUND: 3 lines, first at a.log:1\n"
        "native 206 USER_LOGIN_ANOTHER_DEVICE: 1 line, first at a.log:3"
    )
    for suite in root.findall("testsuite")[1:]:  # no threshold rule per file
        assert [c.get("name") for c in suite.findall("testcase")] == ["code=204"]
        assert suite.find("testcase/failure").get("type") == "logscan.code=204"
    b = root.findall("testsuite")[2].find("testcase/failure")
    assert b.text == "native 204: 1 line, first at line 1: " + ONE.strip()


def test_max_total_is_a_threshold_suite(two):
    r = invoke("check", "a.log", "b.log", "--max-total", "1", "-f", "junit")
    root = ET.fromstring(r.stdout)
    assert r.exit_code == 1
    assert [s.get("name") for s in root.findall("testsuite")] == ["thresholds (all inputs)"]
    assert root.find("testsuite/testcase/failure").get("type") == "logscan.max-total>1"


def test_annotations_say_which_rule_a_code_broke(two):
    r = invoke("check", "a.log", "--fail-on", "code=204", "-f", "github")
    assert r.exit_code == 1
    assert r.stdout == (
        "::error file=a.log,line=1,title=native 204 USER_NOT_FOUND (2×)::Broke rule code=204. "
        "The user is not found. Cause/fix: The user is not registered when the method is called. "
        "Register before doing any other operation.\n"
        "logscan check: FAILED\n"
    )
    doc = json.loads(
        invoke("check", "a.log", "--fail-on", "code=204", "--fail-on", "any", "-f", "sarif").stdout
    )
    result = doc["runs"][0]["results"][0]
    assert result["properties"]["brokenRules"] == ["code=204", "any"]
    assert result["message"]["text"] == (
        "2 error lines with native/204 USER_NOT_FOUND: The user is not found (broke rule code=204, any)"
    )


# ---------------------------------------------------------------- catalogue check: every problem

BAD_CATALOGUE = """\
[[entry]]
sdk = "native"
code = 1
name = "X"
category = "bogus"
kind = "weird"
description = "d"
cause = "c"
colour = 1

[[entry]]
sdk = "nope"
code = "2"
name = "Y"
category = "user"
kind = "client-bug"
cause = "c"
"""

GOOD_ENTRY = """\
[[entry]]
sdk = "native"
code = 1
name = "X"
category = "user"
kind = "client-bug"
description = "d"
cause = "c"
"""


def test_catalogue_check_reports_every_problem_in_one_run(tmp_path):
    bad, good = tmp_path / "bad.toml", tmp_path / "good.toml"
    bad.write_text(BAD_CATALOGUE, encoding="utf-8")
    good.write_text(GOOD_ENTRY, encoding="utf-8")
    r = invoke("catalogue", "check", bad, good)
    assert (r.exit_code, r.stderr) == (1, "")
    assert r.stdout.splitlines() == [
        f"{bad}:1: entry #1: unknown key 'colour'",
        f"{bad}:1: entry #1: unknown category 'bogus' (one of general, app, request, connection, user, "
        "server, file, message, group, chatroom, call, user-attributes, translation, contact, presence, "
        "moderation, reaction, thread, conversation, database, push)",
        f"{bad}:1: entry #1: unknown kind 'weird' (one of ok, transient, client-bug, auth, session, limit, "
        "permission, configuration, not-found, server, unknown)",
        f"{bad}:11: entry #2: 'code' must be an integer (got '2')",
        f"{bad}:11: entry #2: missing required key 'description'",
        f"{bad}:11: entry #2: 'sdk' must be one of native, web (got 'nope')",
        f"ok   {good}: 1 entry",
        "catalogue check: 6 problems in 1 file of 2",
    ]


def test_catalogue_check_goes_on_past_a_missing_file(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text(GOOD_ENTRY, encoding="utf-8")
    r = invoke("catalogue", "check", tmp_path / "nope.toml", good)
    assert r.exit_code == 2
    assert r.stderr == f"{tmp_path / 'nope.toml'}: no such file\n"
    assert r.stdout == f"ok   {good}: 1 entry\ncatalogue check: 1 problem in 1 file of 2\n"


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
    assert r.exit_code == 2 and "'tcsh' is not one of 'bash', 'zsh', 'fish'" in r.stderr


def test_the_json_report_carries_its_schema_and_logscan_version(here):
    from logscan import __version__

    (here / "a.log").write_text(ONE, encoding="utf-8")
    doc = invoke("report", "a.log", "-f", "json").json()
    assert list(doc)[:2] == ["schema_version", "logscan_version"]
    assert (doc["schema_version"], doc["logscan_version"]) == (1, __version__)
    doc = invoke("check", "a.log", "-f", "json").json()
    assert (doc["schema_version"], doc["logscan_version"]) == (1, __version__)


# ---------------------------------------------------------------- small things


def test_patterns_list_shows_bundled_files_as_bundled(tmp_path):
    from logscan.match.patterns import builtin_dir

    mine = tmp_path / "mine.toml"
    mine.write_text(
        '[[pattern]]\nname = "mine"\nsdk = "native"\nplatform = "x"\nregex = "zz(?P<code>\\\\d+)"\n'
        'samples = [{ line = "zz12", code = 12 }]\n',
        encoding="utf-8",
    )
    r = invoke("patterns", "list", "--patterns", mine, "-f", "json")
    assert r.exit_code == 0
    rows = {row["name"]: row for row in r.json()}
    assert rows["android-code-error"]["source"] == "bundled:android.toml"
    assert rows["android-code-error"]["path"] == str(builtin_dir() / "android.toml")
    assert rows["mine"]["source"] == rows["mine"]["path"] == str(mine)
    listed = invoke("patterns", "list", "--patterns", mine).stdout.splitlines()
    assert (
        listed[2] == "android-code-error    native android           10              12 bundled:android.toml"
    )
    assert listed[-1] == f"mine                  native x                  1               0 {mine}"


def test_plurals_say_one_entry_and_one_sample(tmp_path):
    from logscan.render.text import plural

    assert [plural(1, "entry", "entries"), plural(2, "entry", "entries"), plural(1, "file")] == [
        "1 entry",
        "2 entries",
        "1 file",
    ]
    mine = tmp_path / "mine.toml"
    mine.write_text(
        '[[pattern]]\nname = "mine"\nsdk = "native"\nplatform = "x"\nregex = "zz(?P<code>\\\\d+)"\n'
        'samples = [{ line = "zz12", code = 12 }]\ncounter_samples = ["zz"]\n',
        encoding="utf-8",
    )
    r = invoke("patterns", "check", mine)
    assert r.exit_code == 0
    assert r.stdout == "ok   mine: 1 sample, 1 counter-sample\npatterns check: 1 of 1 patterns pass\n"


def test_check_is_in_colour_on_a_terminal_only(two):
    args = ("check", "a.log", "--fail-on", "code=204", "--fail-on", "code=999")
    plain = invoke(*args)
    assert plain.exit_code == 1 and "\x1b" not in plain.stdout
    r = invoke(*args, "--color", "always")
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert lines[0] == "\x1b[1;31mFAIL \x1b[0mcode=204 [--fail-on]: 2 error lines"
    assert lines[-1] == (
        "\x1b[1;31mlogscan check: FAILED\x1b[0m: 1 rule violated: code=204 (in force: code=204, code=999; "
        "1 file, 3 error lines)"
    )
    assert [
        line.replace("\x1b[1;31m", "").replace("\x1b[0m", "") for line in lines
    ] == plain.stdout.splitlines()
    r = invoke("check", "a.log", "--fail-on", "code=999", "--color", "always")
    assert r.stdout == "\x1b[32mlogscan check: passed\x1b[0m: code=999 (1 file, 3 error lines)\n"
    r = invoke("check", "a.log", "--fail-on", "code=999", "--color", "always", "-o", two / "v.txt")
    assert r.exit_code == 0 and "\x1b" not in (two / "v.txt").read_text(encoding="utf-8")
    assert "\x1b" not in invoke(*args, "--color", "always", "-f", "github").stdout


def test_progress_of_a_compressed_file_is_its_compressed_bytes(tmp_path):
    """The bar's total is the files' size on disk: a .gz or .tar.gz advances it by compressed
    bytes (it used to count decompressed bytes, so it had no total at all)."""
    import gzip
    import io
    import tarfile

    from logscan.aggregate.report import ReportOptions
    from logscan.decode.catalogue import load_catalogue
    from logscan.fleet.dispatch import report_paths
    from logscan.match.matcher import Matcher
    from logscan.match.samples import load_patterns

    plain = tmp_path / "plain.log"
    plain.write_text(ONE * 300, encoding="utf-8")
    gz = tmp_path / "a.log.gz"
    gz.write_bytes(gzip.compress((ONE * 20000).encode(), mtime=0))
    tgz = tmp_path / "b.tar.gz"
    with tarfile.open(tgz, "w:gz") as tar:
        for i in range(3):
            data = (ONE * 5000).encode()
            info = tarfile.TarInfo(f"m{i}.log")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    matcher, catalogue = Matcher.build(load_patterns()), load_catalogue()
    for path in (plain, gz, tgz):
        done: list[int] = []
        report = report_paths(ReportOptions([str(path)], workers=1), matcher, catalogue, progress=done.append)
        assert report.events == {plain: 300, gz: 20000, tgz: 15000}[path]
        assert sum(done) == path.stat().st_size, path.name

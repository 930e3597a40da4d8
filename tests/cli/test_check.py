"""logscan check: nothing scanned is no pass (--allow-empty), the verdict names its rules, JUnit thresholds in a suite of their own, annotations name the rule, colour on a terminal, the JSON's schema_version."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

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
    assert (r.exit_code, r.stderr) == (0, "")
    # Regression: it said "(--allow-empty)", a flag not given.
    assert r.stdout.splitlines()[0] == (
        f"logscan check: passed: nothing was scanned, allowed ({here / 'logscan.toml'}:2 check.allow_empty); "
        "in force: any"
    )
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


def test_the_json_report_carries_its_schema_and_logscan_version(here):
    from logscan import __version__

    (here / "a.log").write_text(ONE, encoding="utf-8")
    doc = invoke("report", "a.log", "-f", "json").json()
    assert list(doc)[:2] == ["schema_version", "logscan_version"]
    assert (doc["schema_version"], doc["logscan_version"]) == (1, __version__)
    doc = invoke("check", "a.log", "-f", "json").json()
    assert (doc["schema_version"], doc["logscan_version"]) == (1, __version__)


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

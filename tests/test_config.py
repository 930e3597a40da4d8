"""Configuration files: discovery of ``[tool.logscan]``, located errors, limits and tolerance."""

from __future__ import annotations

import pytest

from logscan.config import load

from .conftest import invoke

LOG = "E/ChatDemo(1): Login failed! code: 204 error: User not found\n"
PASSED = "logscan check: passed: code=999 (1 file, 1 error line)\n"
KINDS = (
    "ok, transient, client-bug, auth, session, limit, permission, configuration, not-found, server, unknown"
)


@pytest.fixture
def log(tmp_path, monkeypatch):
    """A log with one error (code 204) beside an empty folder ``p`` that is the current folder."""
    (tmp_path / "p").mkdir()
    monkeypatch.chdir(tmp_path / "p")  # no configuration file is found above tmp_path
    path = tmp_path / "some.log"
    path.write_text(LOG, encoding="utf-8")
    return path


def write(folder, name, body):
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def error(r):
    """The one-line error of an exit-2 run."""
    assert (r.exit_code, r.stdout) == (2, ""), r
    return r.stderr


@pytest.mark.parametrize(
    "body",
    [
        '[tool]\nlogscan = { check = { fail_on = ["code=999"] } }\n',
        '[ tool.logscan ]\ncheck = { fail_on = ["code=999"] }\n',
        '[tool."logscan".check]\nfail_on = ["code=999"]\n',
        '[tool]\nlogscan.check.fail_on = ["code=999"]\n',
    ],
)
def test_every_spelling_of_tool_logscan_is_discovered(log, body):
    write(log.parent / "p", "pyproject.toml", body)
    r = invoke("check", log)
    assert (r.exit_code, r.stdout, r.stderr) == (0, PASSED, "")


def test_a_pyproject_without_tool_logscan_is_skipped(log):
    write(log.parent / "p", "pyproject.toml", '[project]\nname = "x"\n\n[tool.other]\nlogscan = 1\n')
    write(log.parent, "pyproject.toml", '[tool.logscan.check]\nfail_on = ["code=999"]\n')
    r = invoke("check", log)
    assert (r.exit_code, r.stdout, r.stderr) == (0, PASSED, "")


def test_an_unparsable_pyproject_is_an_error_if_it_mentions_logscan_else_skipped(log):
    pyproject = write(log.parent / "p", "pyproject.toml", "[tool.logscan\nfail_on = 1\n")
    assert error(invoke("check", log)) == (
        f"logscan: error: {pyproject}: invalid TOML: "
        "Expected ']' at the end of a table declaration (at line 1, column 14)\n"
    )
    write(log.parent / "p", "pyproject.toml", "[tool.black\n")
    write(log.parent, "logscan.toml", '[check]\nfail_on = ["code=999"]\n')
    r = invoke("check", log)
    assert (r.exit_code, r.stdout, r.stderr) == (0, PASSED, "")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('tool = "x"\n', "1: tool: must be a table: put logscan's settings under [tool.logscan]"),
        (
            "[tool]\nlogscan = 5\n",
            "2: tool.logscan: must be a table: put logscan's settings under [tool.logscan]",
        ),
        ("[tool.logscan]\ncheck = 5\n", "2: tool.logscan.check: must be a table ([check])"),
    ],
)
def test_tool_or_tool_logscan_not_a_table(log, body, message):
    pyproject = write(log.parent / "p", "pyproject.toml", body)
    assert error(invoke("check", log, "--config", pyproject)) == f"logscan: error: {pyproject}:{message}\n"
    if body != 'tool = "x"\n':  # discovered too (a pyproject with no tool.logscan is not)
        assert error(invoke("check", log)) == f"logscan: error: {pyproject}:{message}\n"


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        # the key in its own table, not a key of the same name in another table above
        (
            "pyproject.toml",
            "[tool.other]\nallow = 1\nmax_total = 2\n\n[tool.logscan.check]\nfail_on = []\nallow = 1\n",
            ":7: tool.logscan.check.allow: must be a list of strings",
        ),
        (
            "pyproject.toml",
            "[tool.other]\nmax_total = 2\n[tool.logscan.check]\nmax_total = -1\n",
            ":4: tool.logscan.check.max_total: must be a whole number >= 0 (got -1)",
        ),
        (
            "logscan.toml",
            "[check]\nallow = []\n[limits]\nallow = 1\n",
            ":4: limits.allow: unknown key (known in [limits]: max_archive_expanded, max_depth, max_expanded, "
            "max_ratio)",
        ),
        # dotted, quoted and spaced keys
        (
            "logscan.toml",
            'patterns = []\ncheck . "allow" = 1\n',
            ":2: check.allow: must be a list of strings",
        ),
        (
            "logscan.toml",
            "[ limits ]\n'max_ratio' = 0\n",
            ":2: limits.max_ratio: must be a finite number >= 1 (got 0)",
        ),
        # inline tables: the line of the inline table
        ("logscan.toml", "\ncheck = { allow = 1 }\n", ":2: check.allow: must be a list of strings"),
        (
            "pyproject.toml",
            "[tool]\nx = 1\nlogscan = { check = { colour = 1 } }\n",
            ":3: tool.logscan.check.colour: unknown key (known in [check]: allow, allow_empty, baseline, fail_on, max_total, tolerance)",
        ),
        # a multi-line value: the line of its key
        (
            "logscan.toml",
            '[check]\nallow = [\n  "x",\n  1,\n]\n',
            ":2: check.allow: must be a list of strings",
        ),
        # the engine, and the Dask scheduler
        (
            "logscan.toml",
            'patterns = []\nengine = "spark"\n',
            ":2: engine: must be one of: local, dask (got 'spark')",
        ),
        (
            "pyproject.toml",
            "[tool.logscan]\nscheduler = 8786\n",
            ':2: tool.logscan.scheduler: must be the address of a Dask scheduler, such as "tcp://host:8786"',
        ),
        (
            "logscan.toml",
            "colour = 1\n",
            ":1: colour: unknown key (known: builtin_patterns, catalogue, check, engine, limits, patterns, scheduler)",
        ),
    ],
)
def test_errors_name_the_line_of_the_key_in_its_own_table(log, name, body, message):
    path = write(log.parent / "p", name, body)
    assert error(invoke("check", log)) == f"logscan: error: {path}{message}\n"


def test_rules_with_a_dotted_key_name_their_line(log):
    path = write(log.parent / "p", "logscan.toml", '\ncheck.fail_on = ["kind=nope"]\n')
    assert error(invoke("check", log)) == (
        f"logscan: error: {path}:2 check.fail_on: 'kind=nope': unknown kind 'nope' (one of {KINDS})\n"
    )


def test_rule_sources_keep_the_tool_logscan_prefix(tmp_path):
    path = write(
        tmp_path, "pyproject.toml", '[tool.other]\nallow = 1\n\n[tool.logscan.check]\nallow = ["code=1"]\n'
    )
    config = load(path)
    assert config.where("allow") == f"{path}:5 tool.logscan.check.allow"
    assert config.where("fail_on") == f"{path}:4 tool.logscan.check.fail_on"  # absent: its table
    assert load(write(tmp_path, "logscan.toml", "check.allow = []\n")).where("allow") == (
        f"{tmp_path / 'logscan.toml'}:1 check.allow"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("nan", "max_ratio: must be a finite number >= 1 (got nan)"),
        ("inf", "max_ratio: must be a finite number >= 1 (got inf)"),
        ("-inf", "max_ratio: must be a finite number >= 1 (got -inf)"),
        ("0", "max_ratio: must be a finite number >= 1 (got 0)"),
        ("-3.5", "max_ratio: must be a finite number >= 1 (got -3.5)"),
        ("1" + "0" * 400, f"max_ratio: must be a finite number >= 1 (got 1{'0' * 400})"),
    ],
)
def test_non_finite_or_non_positive_limits_are_errors(log, value, message):
    path = write(log.parent / "p", "logscan.toml", f"[limits]\nmax_ratio = {value}\n")
    assert error(invoke("check", log)) == f"logscan: error: {path}:2: limits.{message}\n"


@pytest.mark.parametrize("key", ["max_expanded", "max_archive_expanded"])
@pytest.mark.parametrize("value", ["nan", "inf", "-1.0", "0", "0.0", "-5"])
def test_non_finite_or_non_positive_sizes_are_errors(log, key, value):
    path = write(log.parent / "p", "logscan.toml", f"[limits]\n\n{key} = {value}\n")
    assert error(invoke("check", log)) == (
        f'logscan: error: {path}:3: limits.{key}: must be a size such as "4GiB" or "500MB"\n'
    )


def test_the_archive_limit_is_read_into_the_input_limits(tmp_path):
    from logscan.config import limits_of

    path = write(tmp_path, "logscan.toml", '[limits]\nmax_archive_expanded = "2GiB"\n')
    assert limits_of(load(path)).max_archive_bytes == 2 << 30
    assert limits_of(load(None)).max_archive_bytes == 16 << 30


@pytest.mark.parametrize(
    ("value", "tolerance"), [("2.5", "2.5"), ("2", "2"), ("1e20", "100000000000000000000"), ('"20%"', "20%")]
)
def test_tolerance_is_a_number_or_a_string_as_on_the_command_line(log, value, tolerance):
    path = write(log.parent / "p", "logscan.toml", f'[check]\nfail_on = ["code=999"]\ntolerance = {value}\n')
    assert load(path).check.tolerance == tolerance
    r = invoke("check", log)
    assert (r.exit_code, r.stdout, r.stderr) == (0, PASSED, "")


def test_tolerance_grows_a_baseline_as_the_option_does(log, tmp_path):
    base = tmp_path / "base.json"
    assert invoke("report", log, "-f", "json", "-o", base).exit_code == 0
    log.write_text(LOG * 3, encoding="utf-8")  # 1 -> 3 lines: within 2.5 more lines, not within 1.5
    for tolerance, code in (("2.5", 0), ("1.5", 1)):
        body = '[check]\nbaseline = "../base.json"\n'
        write(log.parent / "p", "logscan.toml", body)
        assert invoke("check", log, "--tolerance", tolerance).exit_code == code
        write(log.parent / "p", "logscan.toml", f"{body}tolerance = {tolerance}\n")
        assert invoke("check", log).exit_code == code


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", 'must be a number of lines >= 0, or a percentage such as "20%" (got -1)'),
        ("nan", 'must be a number of lines >= 0, or a percentage such as "20%" (got nan)'),
        ("inf", 'must be a number of lines >= 0, or a percentage such as "20%" (got inf)'),
        ("true", 'must be a number of lines or a percentage such as "20%"'),
    ],
)
def test_bad_tolerances_are_errors(log, value, message):
    path = write(log.parent / "p", "logscan.toml", f"[check]\ntolerance = {value}\n")
    assert error(invoke("check", log)) == f"logscan: error: {path}:2: check.tolerance: {message}\n"


def test_rule_errors_from_a_pyproject_name_the_whole_key(log):
    path = write(
        log.parent / "p",
        "pyproject.toml",
        '[tool.other]\nfail_on = 1\n\n[tool.logscan.check]\nfail_on = ["kind=nope"]\n',
    )
    assert error(invoke("check", log)) == (
        f"logscan: error: {path}:5 tool.logscan.check.fail_on: 'kind=nope': unknown kind 'nope' (one of {KINDS})\n"
    )


def test_no_patterns_at_all_says_how_they_were_turned_off(log):
    """Regression: with builtin_patterns = false the error said to drop a flag nobody gave."""
    write(log.parent / "p", "logscan.toml", "builtin_patterns = false\n")
    assert error(invoke("report", log)) == (
        "logscan: error: no patterns loaded: the bundled patterns are off (--no-builtin-patterns, or "
        "builtin_patterns = false in the configuration): give --patterns FILE (or patterns = [...]) or "
        "turn them back on\n"
    )


ERR = "E/ChatDemo(1): Login failed! code: {} error: x\n"


def test_a_config_path_with_braces(tmp_path, monkeypatch):
    folder = tmp_path / "{ci}"
    folder.mkdir()
    (folder / "logscan.toml").write_text('[check]\nfail_on = ["code=204"]\n', encoding="utf-8")
    log = tmp_path / "a.log"
    log.write_text(ERR.format(204), encoding="utf-8")
    monkeypatch.chdir(folder)
    r = invoke("check", log)
    assert (r.exit_code, r.stderr) == (1, "")
    assert r.stdout == (
        f"FAIL code=204 [{folder.resolve()}/logscan.toml:2 check.fail_on]: 1 error line\n"
        "    native 204 USER_NOT_FOUND ×1: The user is not found. Cause/fix: The user is not registered when "
        f"the method is called. Register before doing any other operation. (first at {log}:1, file order: no timestamps)\n"
        "logscan check: FAILED: 1 rule violated: code=204 (in force: code=204; 1 file, 1 error line)\n"
    )


# Discovery stops at LOGSCAN_CONFIG_CEILING: the tests' own isolation rests on it.

BAD = "no_such_key = 1\n"  # read, it would be an exit-2 error naming the file
UNKNOWN = ":1: no_such_key: unknown key (known: builtin_patterns, catalogue, check, engine, limits, patterns, scheduler)\n"


def test_a_logscan_toml_above_the_tmp_folder_is_not_read(tmp_path, tmp_path_factory, monkeypatch):
    """The autouse fixture's ceiling: a configuration in the folder holding every test's
    tmp_path (or higher) is never discovered, while one in tmp_path is."""
    above = tmp_path_factory.getbasetemp() / "logscan.toml"
    log = write(tmp_path, "a.log", LOG)
    monkeypatch.chdir(tmp_path)
    above.write_text(BAD, encoding="utf-8")
    try:
        r = invoke("check", log, "--fail-on", "code=999")
        assert (r.exit_code, r.stdout, r.stderr) == (0, PASSED, "")
        monkeypatch.delenv("LOGSCAN_CONFIG_CEILING")  # the same run without the ceiling reads it
        r = invoke("check", log, "--fail-on", "code=999")
        assert (r.exit_code, r.stdout, r.stderr) == (2, "", f"logscan: error: {above.resolve()}{UNKNOWN}")
    finally:
        above.unlink()
    write(tmp_path, "logscan.toml", BAD)  # in the tmp folder itself: found
    assert error(invoke("check", log)) == f"logscan: error: {tmp_path.resolve()}/logscan.toml{UNKNOWN}"


def test_discovery_stops_below_a_ceiling_and_never_searches_it(tmp_path, monkeypatch):
    from logscan.config import discover

    top = tmp_path / "top"
    work = top / "ceiling" / "work"
    work.mkdir(parents=True)
    found = write(top, "logscan.toml", BAD)
    write(top / "ceiling", "pyproject.toml", "[tool.logscan]\n")
    monkeypatch.delenv("LOGSCAN_CONFIG_CEILING")
    assert discover(work) == (top / "ceiling" / "pyproject.toml").resolve()
    (top / "ceiling" / "pyproject.toml").unlink()
    assert discover(work) == found.resolve()
    monkeypatch.setenv("LOGSCAN_CONFIG_CEILING", f"relative/ignored:{top / 'ceiling'}")
    assert discover(work) is None
    assert discover(top / "ceiling") is None  # the ceiling itself, even as the start, is not searched
    assert discover(top) == found.resolve()  # a start outside the ceilings walks up as before
    monkeypatch.setenv("LOGSCAN_CONFIG_CEILING", str(top))
    assert discover(work) is None

"""logscan check: rules, thresholds, config discovery, baselines, formats (schema-validated), exit codes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest
import xmlschema

from logscan.aggregate.gate import evaluate, parse_rule, parse_tolerance
from logscan.errors import ConfigError

from ..conftest import DATA, done, invoke

SCHEMAS = DATA / "schemas"
SARIF = jsonschema.Draft4Validator(
    json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
)
JUNIT = xmlschema.XMLSchema(str(SCHEMAS / "junit-10.xsd"))

LOG = (
    "[2024/05/01 10:00:00:001]: [global listener] onDisconnect303\n"
    "[2024/05/01 10:00:01:001]: [global listener] onDisconnect303\n"
    "[2024/05/01 10:00:02:001]: [global listener] onDisconnect303\n"
    "E/ChatDemo(1): Login failed! code: 204 error: User not found\n"
    "E/ChatDemo(1): Login failed! code: 206 error: logged in elsewhere\n"
    "E/ChatDemo(1): Login failed! code: 4242 error: what is this\n"
    '14:03:07:5 IM SDK [error]: {type: 16, message: "closed"}\n'
    "just noise, errno: 110\n"
)


@pytest.fixture
def log(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no configuration file is found above tmp_path
    path = tmp_path / "app.log"
    path.write_text(LOG, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("rules", "exit_code"),
    [
        (["any"], 1),
        (["unknown"], 1),
        (["code=204"], 1),
        (["code=web/16"], 1),
        (["code=native/16"], 0),
        (["name=USER_NOT_FOUND"], 1),
        (["name=FILE_UPLOAD_FAILED"], 0),  # an alias of 403, which does not occur
        (["category=server"], 1),
        (["category=server>2"], 1),
        (["category=server>3"], 0),
        (["kind=session"], 1),
        (["kind=configuration"], 0),
        (["code=987654"], 0),
        (["any>7"], 0),
        (["any>6"], 1),
    ],
)
def test_rules_and_thresholds(log, rules, exit_code):
    args = [x for r in rules for x in ("--fail-on", r)]
    r = invoke("check", log, *args)
    assert r.exit_code == exit_code, r.stdout + r.stderr
    assert r.stdout.splitlines()[-1].startswith(
        "logscan check: FAILED" if exit_code else "logscan check: passed"
    )


def test_default_rule_is_any_and_allow_accepts(log):
    assert invoke("check", log).exit_code == 1
    r = invoke("check", log, "--allow", "code=303", "--allow", "code=204", "--allow", "code=206",
               "--allow", "unknown", "--allow", "code=web/16")  # fmt: skip
    assert r.exit_code == 0, r.stdout
    assert "accepted (allowed): native 303 ×3" in r.stdout


def test_max_total_and_exit_zero(log):
    assert invoke("check", log, "--max-total", "7").exit_code == 0
    r = invoke("check", log, "--max-total", "6")
    assert r.exit_code == 1 and "FAIL max-total>6 [--max-total]: 7 error lines (more than 6)" in r.stdout
    # Regression: alone, it passed as "no rules", and from the configuration it was named --max-total
    r = invoke("check", log, "--max-total", "7")
    assert r.stdout.splitlines()[-1] == "logscan check: passed: max-total>7 (1 file, 7 error lines)"
    assert done("check", log, "--max-total", "7", "-f", "json").json()["rules"] == ["max-total>7"]
    (log.parent / "logscan.toml").write_text("[check]\nmax_total = 6\n", encoding="utf-8")
    r = invoke("check", log)
    assert r.exit_code == 1
    assert f"FAIL max-total>6 [{log.parent / 'logscan.toml'}:2 check.max_total]: 7 error lines" in r.stdout
    r = invoke("check", log, "--fail-on", "any", "--exit-zero")
    assert r.exit_code == 0 and "logscan check: FAILED" in r.stdout


def test_text_names_the_rule_meaning_and_cause(log):
    r = invoke("check", log, "--fail-on", "category=server")
    first, code = r.stdout.splitlines()[:2]
    assert first == "FAIL category=server [--fail-on]: 3 error lines"
    assert code.startswith(
        "    native 303 SERVER_UNKNOWN_ERROR ×3: The common error code of the requesting service."
    )
    assert "Cause/fix: This common error occurs" in code and f"(first at {log}:1)" in code


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("category=servers", "--fail-on: 'category=servers': unknown category 'servers'"),
        ("kind=nope", "--fail-on: 'kind=nope': unknown kind 'nope'"),
        ("color=red", "--fail-on: 'color=red': unknown field 'color'"),
        ("code=abc", "--fail-on: 'code=abc': no code is named 'abc' (see `logscan codes` for the names)"),
        ("code=20x8", "--fail-on: 'code=20x8': a code is a number, native/N, web/N or a name (USER_REMOVED)"),
        ("code", "--fail-on: 'code': 'code' needs a value"),
        # Regression: a misspelt name matched nothing, and the gate always passed.
        (
            "name=USER_REMOVD",
            "--fail-on: 'name=USER_REMOVD': no code is named 'USER_REMOVD' (did you mean USER_REMOVED?)\n",
        ),
        (
            "name=nothing_like_it",
            "--fail-on: 'name=nothing_like_it': no code is named 'nothing_like_it' (see",
        ),
    ],
)
def test_bad_rules_exit_2(log, rule, message):
    r = invoke("check", log, "--fail-on", rule)
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.startswith(f"logscan: error: {message}")


def test_config_discovered_upward_and_pyproject(tmp_path, monkeypatch):
    (tmp_path / "app.log").write_text(LOG, encoding="utf-8")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)
    (tmp_path / "logscan.toml").write_text('[check]\nfail_on = ["code=987654"]\n', encoding="utf-8")
    assert invoke("check", tmp_path / "app.log").exit_code == 0
    (tmp_path / "logscan.toml").unlink()
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.logscan.check]\nfail_on = ["code=204"]\n', encoding="utf-8"
    )
    r = invoke("check", tmp_path / "app.log")
    assert r.exit_code == 1 and "code=204" in r.stdout
    # options override the file's rules
    assert invoke("check", tmp_path / "app.log", "--fail-on", "code=987654").exit_code == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[check]\nfail_on = [\n", "logscan.toml: invalid TOML"),
        ('colour = "red"\n', "logscan.toml:1: colour: unknown key"),
        ('[check]\nfail_on = ["any"]\nallowed = ["code=1"]\n', "logscan.toml:3: check.allowed: unknown key"),
        ("[check]\nmax_total = -1\n", "logscan.toml:2: check.max_total: must be a whole number >= 0"),
        ('[check]\nfail_on = "any"\nbaseline = 3\n', "logscan.toml:3: check.baseline: must be a path"),
        ('\n[check]\nfail_on = ["kind=nope"]\n', "logscan.toml:3 check.fail_on: 'kind=nope': unknown kind"),
    ],
)
def test_bad_config_exits_2_naming_file_line_and_key(log, body, message):
    (log.parent / "logscan.toml").write_text(body, encoding="utf-8")
    r = invoke("check", log)
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.startswith(f"logscan: error: {log.parent / message}"), r.stderr


def test_explicit_config_file_with_patterns_relative_to_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    conf = tmp_path / "ci"
    conf.mkdir()
    (conf / "mine.toml").write_text(
        "[[pattern]]\nname = \"mine\"\nsdk = \"native\"\nplatform = \"x\"\n"
        "regex = '''MYAPP-ERR (?P<code>\\d+)'''\n", encoding="utf-8")  # fmt: skip
    (conf / "gate.toml").write_text(
        'patterns = ["mine.toml"]\n[check]\nfail_on = ["code=208"]\n', encoding="utf-8"
    )
    log = tmp_path / "x.log"
    log.write_text("MYAPP-ERR 208\n", encoding="utf-8")
    assert invoke("check", log, "--config", conf / "gate.toml").exit_code == 1
    assert done("report", log, "--config", conf / "gate.toml", "-f", "json").json()["events"] == 1


def test_baseline_new_increased_unchanged_fixed(log, tmp_path):
    base = tmp_path / "base.json"
    older = tmp_path / "older.log"
    older.write_text(LOG.replace("code: 204", "code: 205").splitlines(keepends=True)[0] + LOG.splitlines(keepends=True)[4]
                     + "E/ChatDemo(1): Login failed! code: 208 error: gone now\n", encoding="utf-8")  # fmt: skip
    assert invoke("report", older, "-f", "json", "-o", base).exit_code == 0
    r = invoke("check", log, "--baseline", base, "-f", "json")
    assert r.exit_code == 1
    data = r.json()
    states = {(c["sdk"], c["code"]): c["baseline_state"] for v in data["violations"] for c in v["codes"]}
    assert states == {
        ("native", 303): "updated",
        ("native", 204): "new",
        ("native", 4242): "new",
        ("web", 16): "new",
    }
    assert [(c["code"], c["baseline_state"]) for c in data["accepted"]] == [(206, "unchanged")]
    assert data["fixed"] == [{"sdk": "native", "code": 208, "baseline_count": 1, "baseline_state": "absent"}]
    # 303 went from 1 to 3: within a 200 % tolerance, not within 100 %
    r = invoke("check", log, "--baseline", base, "--tolerance", "200%", "-f", "json")
    assert ("native", 303) not in {(c["sdk"], c["code"]) for v in r.json()["violations"] for c in v["codes"]}
    r = invoke("check", log, "--baseline", base, "--tolerance", "100%", "-f", "json")
    assert ("native", 303) in {(c["sdk"], c["code"]) for v in r.json()["violations"] for c in v["codes"]}
    assert "FIXED native 208" in done("check", log, "--baseline", base, exit_code=1).stdout


def test_a_run_like_its_baseline_passes(log, tmp_path):
    base = tmp_path / "base.json"
    done("report", log, "-f", "json", "-o", base)
    r = invoke("check", log, "--baseline", base, "--fail-on", "any")
    assert r.exit_code == 0 and r.stdout.splitlines()[-1].startswith("logscan check: passed")


def test_bad_baseline_exits_2(log, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "a report"}', encoding="utf-8")
    r = invoke("check", log, "--baseline", bad)
    assert r.exit_code == 2 and "not a logscan JSON report" in r.stderr
    # Regression: Infinity (Python's json reads it) was an internal error
    for row, why in (
        ('{"sdk": "native", "code": 204, "count": Infinity}', "needs sdk, code and count (whole numbers)"),
        ('{"sdk": "native", "code": Infinity, "count": 1}', "needs sdk, code and count (whole numbers)"),
        ('{"sdk": "native", "code": 204, "count": -3}', "a count cannot be negative (-3)"),
    ):
        bad.write_text(f'{{"codes": [{row}]}}', encoding="utf-8")
        r = invoke("check", log, "--baseline", bad)
        assert (r.exit_code, r.stdout) == (2, "")
        assert r.stderr.startswith(f"logscan: error: {bad}: codes[0]") and why in r.stderr


def test_sarif_validates_and_is_stable(log, tmp_path):
    out = tmp_path / "r.sarif"
    r = invoke("check", log, "--fail-on", "any", "-o", out)
    assert (r.exit_code, r.stdout) == (1, "")
    doc = json.loads(out.read_text(encoding="utf-8"))
    SARIF.validate(doc)
    run = doc["runs"][0]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == [
        "native/303",
        "native/204",
        "native/206",
        "native/4242",
        "web/16",
    ]
    first = run["results"][0]
    assert first["ruleId"] == "native/303" and first["level"] == "error"
    assert first["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    assert run["tool"]["driver"]["rules"][0]["help"]["text"].startswith("This common error occurs")
    again = tmp_path / "again.sarif"
    done("check", log, "--fail-on", "any", "-o", again, exit_code=1)
    assert again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")
    base = tmp_path / "b.json"
    done("report", log, "-f", "json", "-o", base)
    doc = json.loads(
        done("check", log, "--baseline", base, "--fail-on", "any", "--exit-zero", "-f", "sarif").stdout
    )
    SARIF.validate(doc)


def test_junit_validates_one_suite_per_file(log, tmp_path):
    other = tmp_path / "other.log"
    other.write_text("E/X(1): Login failed! code: 204 error: again\n", encoding="utf-8")
    out = tmp_path / "r.xml"
    r = invoke("check", log, other, "--fail-on", "code=204", "--fail-on", "kind=configuration", "-o", out)
    assert r.exit_code == 1
    JUNIT.validate(str(out))
    root = ET.parse(out).getroot()
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {str(log), str(other)}
    assert suites[str(other)].get("tests") == "2" and suites[str(other)].get("failures") == "1"
    failure = suites[str(other)].find("testcase/failure")
    assert failure.get("message") == "code=204: native 204 ×1, first at line 1"


def test_github_annotations_escaping_top_10_and_summary(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    log = tmp_path / "many, odd: name.log"
    log.write_text("".join(f"E/X(1): Login failed! code: {c} error: x\n" * (20 - i) for i, c in enumerate(range(200, 212))),
                   encoding="utf-8")  # fmt: skip
    summary = tmp_path / "summary.md"
    r = invoke("check", log, "-f", "github", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    errors = [x for x in lines if x.startswith("::error ")]
    assert len(errors) == 10
    assert errors[0].startswith(
        f"::error file={str(log).replace(':', '%3A').replace(',', '%2C')},line=1,title=native 200 USER_ALREADY_LOGIN (20×)::"
    )
    assert "::notice::2 more violating codes" in r.stdout
    assert summary.read_text(encoding="utf-8").startswith("### ❌ logscan check failed")


def test_a_step_summary_that_cannot_be_written_keeps_the_verdict(log, tmp_path):
    """Regression: an unwritable GITHUB_STEP_SUMMARY was an internal error and no annotation was
    printed; with -o failing, the summary was appended all the same."""
    for path in (tmp_path / "missing" / "summary.md", tmp_path):
        r = invoke(
            "check", log, "--fail-on", "code=204", "-f", "github", env={"GITHUB_STEP_SUMMARY": str(path)}
        )
        assert r.exit_code == 1
        assert r.stdout.splitlines()[-1] == "logscan check: FAILED"
        assert r.stdout.startswith("::error file=")
        assert r.stderr.startswith(
            f"logscan: warning: cannot write the step summary to {path} (GITHUB_STEP_SUMMARY): "
        )
        assert "Traceback" not in r.stderr and len(r.stderr.splitlines()) == 1
    summary = tmp_path / "summary.md"
    r = invoke(
        "check", log, "-f", "github", "-o", tmp_path / "missing" / "out.txt",
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )  # fmt: skip
    assert r.exit_code == 2 and not summary.exists()
    # with --keep-going and nothing readable, the verdict's summary is still written (exit 2)
    r = invoke(
        "check",
        tmp_path / "missing.log",
        "--keep-going",
        "-f",
        "github",
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert r.exit_code == 2 and summary.read_text(encoding="utf-8").startswith("### ")


def test_escaping_rules():
    from logscan.render.github import escape_data, escape_property

    assert escape_data("50% a\r\nb") == "50%25 a%0D%0Ab"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_json_has_verdict_violations_and_report(log):
    data = done("check", log, "--fail-on", "unknown", "-f", "json", exit_code=1).json()
    assert data["verdict"] == "fail"
    assert [(v["rule"], v["count"]) for v in data["violations"]] == [("unknown", 1)]
    assert data["report"]["events"] == 7


def test_unreadable_log_is_never_a_silent_pass(log, tmp_path):
    r = invoke("check", log, tmp_path / "missing.log", "--fail-on", "code=987654")
    assert r.exit_code == 2 and "cannot read" in r.stderr
    r = invoke("check", tmp_path / "missing.log", "--fail-on", "code=987654", "-f", "junit")
    assert r.exit_code == 2


def test_keep_going_names_what_it_could_not_read_and_never_passes_on_nothing(log, tmp_path):
    """Regression: with --keep-going and no input readable, check printed no verdict, wrote no
    file and exited 0; SARIF and GitHub output did not say an input was skipped."""
    missing = tmp_path / "missing.log"
    out = tmp_path / "r.sarif"
    r = invoke("check", missing, "--keep-going", "--fail-on", "code=987654", "-o", out)
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr.splitlines() == [
        f"logscan: error: cannot read {missing}: no such file or directory",
        "logscan: error: no input could be read (--keep-going accepts some, not all)",
    ]
    doc = json.loads(out.read_text(encoding="utf-8"))
    SARIF.validate(doc)
    assert doc["runs"][0]["invocations"] == [
        {
            "executionSuccessful": False,
            "toolExecutionNotifications": [
                {
                    "level": "error",
                    "message": {"text": f"cannot read {missing}: no such file or directory"},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": str(missing)}}}],
                }
            ],
        }
    ]
    r = invoke("check", log, missing, "--keep-going", "--fail-on", "code=987654", "-f", "sarif")
    assert r.exit_code == 0
    invocation = json.loads(r.stdout)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    assert [n["level"] for n in invocation["toolExecutionNotifications"]] == ["warning"]
    r = invoke("check", log, missing, "--keep-going", "--fail-on", "code=987654", "-f", "github")
    assert r.exit_code == 0
    assert r.stdout.splitlines() == [
        f"::warning file={missing}::cannot read: no such file or directory",
        "logscan check: passed",
    ]
    r = invoke("check", log, "--fail-on", "code=987654", "-f", "sarif")
    assert json.loads(r.stdout)["runs"][0]["invocations"] == [{"executionSuccessful": True}]
    r = invoke("report", missing, "--keep-going", "-f", "json")
    assert r.exit_code == 2 and r.json()["inputs"]["unreadable"] == [
        {"name": str(missing), "reason": "no such file or directory"}
    ]


def test_names_are_checked_in_allow_lists_and_configuration_too(log, tmp_path):
    r = invoke("check", log, "--allow", "name=user_not_fond")
    assert r.exit_code == 2 and "did you mean USER_NOT_FOUND?" in r.stderr
    (tmp_path / "logscan.toml").write_text('[check]\nfail_on = ["name=USER_REMOVD"]\n', encoding="utf-8")
    r = invoke("check", log)
    assert r.exit_code == 2
    assert r.stderr.startswith(
        f"logscan: error: {tmp_path / 'logscan.toml'}:2 check.fail_on: 'name=USER_REMOVD'"
    )
    # names and aliases, in any case, are known
    assert invoke("check", log, "--fail-on", "name=file_upload_failed").exit_code == 0


def test_names_of_any_case_from_a_user_catalogue(log, tmp_path):
    """Regression: a catalogue name or alias not all in capitals could never be named in a rule."""
    mine = tmp_path / "mine.toml"
    mine.write_text(
        '[[entry]]\nsdk = "native"\ncode = 204\nname = "MyUserMissing"\naliases = ["myAlias"]\n'
        'category = "user"\nkind = "client-bug"\ndescription = "d"\ncause = "c"\n',
        encoding="utf-8",
    )
    for rule in ("name=MyUserMissing", "name=MYUSERMISSING", "name=myalias"):
        r = invoke("check", log, "--catalogue", mine, "--fail-on", rule)
        assert r.exit_code == 1 and r.stdout.startswith(f"FAIL {rule} [--fail-on]: 1 error line"), rule
    r = invoke("check", log, "--catalogue", mine, "--fail-on", "code=204", "--allow", "name=myAlias")
    assert r.exit_code == 0
    r = invoke("explain", "myusermissing", "--catalogue", mine, "-f", "json")
    assert [(e["sdk"], e["code"]) for e in r.json()] == [("native", 204)]


def test_library_rules_and_tolerance():
    assert parse_rule("category=server>10").threshold == 10
    assert parse_rule("code=web/16").sdk == "web"
    assert parse_tolerance("20%").allows(10, 12) and not parse_tolerance("20%").allows(10, 13)
    assert parse_tolerance("5").allows(10, 15) and not parse_tolerance("5").allows(10, 16)
    # Regression: growth exactly at a share's limit failed in floating point (100 x 1.15 < 115).
    for before, share in ((100, 15), (50, 16), (100, 13), (100, 57), (100, 82), (3, 10)):
        limit = before + before * share // 100 if before * share % 100 == 0 else None
        if limit is not None:
            assert parse_tolerance(f"{share}%").allows(before, limit)
            assert not parse_tolerance(f"{share}%").allows(before, limit + 1)
    assert parse_tolerance("0.1%").allows(1000, 1001) and not parse_tolerance("0.1%").allows(1000, 1002)
    # Regression: a tolerance too large for a float was an internal error (Fraction of 'inf')
    assert parse_tolerance("1" + "0" * 400 + "%").allows(1, 10**300)
    with pytest.raises(ConfigError):
        parse_tolerance("lots")
    assert evaluate.__doc__


def test_a_rule_names_a_code_by_name_and_suggests_near_categories_and_kinds():
    """`code=USER_REMOVED` is the code of that name (as --code takes it); a misspelt category
    or kind gets a did-you-mean."""
    from logscan.aggregate.gate import parse_rule

    rule = parse_rule("code=USER_REMOVED>2")
    assert (rule.field, rule.value, rule.sdk, rule.threshold) == ("name", "USER_REMOVED", None, 2)
    with pytest.raises(ConfigError) as bad:
        parse_rule("category=serer")
    assert str(bad.value).endswith("push, unknown); did you mean server?")
    with pytest.raises(ConfigError) as bad:
        parse_rule("kind=client-bugg", source="--allow")
    assert str(bad.value).startswith("--allow: 'kind=client-bugg': unknown kind 'client-bugg' (one of ")
    assert str(bad.value).endswith("; did you mean client-bug?")
    with pytest.raises(ConfigError) as bad:
        parse_rule("cod=208")
    assert str(bad.value).endswith("; did you mean code?")

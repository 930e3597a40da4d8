"""Pattern files: every bundled sample, validation errors, and the traps of sdk-logs.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from logscan.errors import PatternError
from logscan.match.matcher import Matcher, match_lines
from logscan.match.patterns import builtin_dir, load_file
from logscan.match.samples import check_all, load_patterns, run_definition_samples, run_samples

from ..conftest import invoke

BUILTIN = load_patterns()
MATCHER = Matcher.build(BUILTIN)


def test_one_file_per_log_shape_family_and_one_of_shared_definitions():
    names = sorted(p.stem for p in builtin_dir().glob("*.toml"))
    assert names == [
        "android",
        "core",
        "electron",
        "flutter",
        "ios",
        "react-native",
        "shared",
        "unity",
        "web",
    ]
    families = sorted({p.source for p in BUILTIN})
    assert [Path(f).stem for f in families] == [n for n in names if n != "shared"]


@pytest.mark.parametrize("pattern", BUILTIN.patterns, ids=lambda p: p.name)
def test_bundled_pattern_samples(pattern):
    assert pattern.samples, "every bundled pattern carries samples"
    assert pattern.counter_samples, "every bundled pattern carries counter-samples"
    assert run_samples(type(BUILTIN)([pattern])) == []


# The cases of sdk-logs.md (its traps, each platform's shapes, Web error objects, descriptions)
# live in the pattern files, where `logscan patterns check` runs them for users too: a pattern's
# samples (with their code, and their description where it matters) must be won by it, or by
# another pattern of its platform, when all the patterns run; the lines of shared.toml's
# top-level counter_samples (HTTP statuses, the DNS fetch, OS errors, negative codes...) must
# be no event at all. The tests below run them through the scan itself, then through the check.


def test_the_bundled_set_passes_every_check():
    assert BUILTIN.definitions and BUILTIN.counters
    assert check_all(BUILTIN) == []


@pytest.mark.parametrize("line", [line for c in BUILTIN.counters for line in c.lines])
def test_traps_are_not_events(line):
    assert match_lines([line], MATCHER).height == 0


def test_the_shared_trap_exclude_is_written_once_and_checked():
    """Each pattern that introduces its code with a generic word (code, error code, failed,
    onError, errorCode) drops HTTP, DNS-fetch and OS-error lines by the one shared exclude
    (which the scan applies to the line up to the end of the match); the exclude's own
    samples (trap lines it drops) and counter-samples (trap words after the code) pass."""
    generic = {
        "android-code-error", "android-onerror", "electron-errorcode", "js-error-dot-code",
        "flutter-code-desc", "ios-error-code", "ios-error-description", "ios-description-code",
        "js-code-description", "js-description-code", "unity-code-desc", "unity-with-code-desc",
        "core-manager-code", "electron-log-result",
    }  # fmt: skip
    (traps,) = [d for d in BUILTIN.definitions if (d.kind, d.name) == ("excludes", "sdk-traps")]
    assert traps.source == str(builtin_dir() / "shared.toml")
    assert len(traps.samples) >= 13 and len(traps.counter_samples) >= 8
    assert run_definition_samples([traps]) == []
    users = {p.name for p in BUILTIN if p.exclude_names == ("sdk-traps",)}
    assert users == generic
    for p in BUILTIN:
        if p.name in generic:
            assert p.exclude == traps.regex, p.name  # expanded at load: the scan runs the regex itself
        for probe in traps.samples:
            if p.name in generic:
                assert re.search(p.exclude, probe, re.ASCII), (p.name, probe)
        for probe in traps.counter_samples:
            if p.name in generic:
                assert not re.search(p.exclude, probe, re.ASCII), (p.name, probe)


@pytest.mark.parametrize(
    ("pattern", "sample"),
    [(p, s) for p in BUILTIN.patterns for s in p.samples],
    ids=lambda v: v.name if hasattr(v, "name") else str(v.code),
)
def test_every_sample_is_won_by_its_family_when_all_patterns_run(pattern, sample):
    """A sample passes alone (above) but must also win among all the patterns, where the match
    that starts leftmost wins: another family's pattern that starts further left would give the
    line its platform (and, across sdks, its numbering)."""
    rows = (
        match_lines([sample.line], MATCHER).select("sdk", "platform", "pattern", "code", "description").rows()
    )
    assert len(rows) == 1, rows
    sdk, platform, name, code, description = rows[0]
    assert (sdk, code) == (pattern.sdk, sample.code)
    assert name == pattern.name or platform == pattern.platform, (name, platform)
    if sample.description is not None:
        assert (description or "") == sample.description


def test_only_the_web_numbering_has_negative_codes():
    """Native patterns take no minus sign: a negative number there is an OS or HTTP-client error."""
    from logscan.decode.catalogue import load_catalogue

    negative = {(e.sdk, e.code) for e in load_catalogue().entries if e.code < 0}
    assert negative and {sdk for sdk, _ in negative} == {"web"}
    for pattern in BUILTIN:
        if pattern.sdk == "native":
            assert "(?P<code>-" not in pattern.regex, pattern.name


def write(tmp_path, body, name="mine.toml"):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


GOOD = """
[[pattern]]
name = "myapp"
sdk = "native"
platform = "android"
regex = '''\\[MyApp\\] chat error (?P<code>\\d+) \\((?P<description>[A-Z_]+)\\)'''
samples = [{ line = "[MyApp] chat error 208 (USER_REG_FAILED)", code = 208 }]
counter_samples = ["[MyApp] chat ok"]
"""


def test_user_pattern_file_loads_and_extends_builtins(tmp_path):
    path = write(tmp_path, GOOD)
    patterns = load_patterns([path])
    assert len(patterns) == len(BUILTIN) + 1
    assert patterns.patterns[-1].has_description
    only = load_patterns([path], builtin=False)
    events = match_lines(["x [MyApp] chat error 208 (USER_REG_FAILED)"], Matcher.build(only))
    assert events.select("pattern", "code", "description").rows() == [("myapp", 208, "USER_REG_FAILED")]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.replace('sdk = "native"', 'sdk = "ios"'), "mine.toml:3: pattern 'myapp': 'sdk' must be one of native, web (got 'ios')"),
        (lambda s: s.replace("(?P<code>\\d+)", "(\\d+)"), "mine.toml:3: pattern 'myapp': the regex has no named group 'code'"),
        (lambda s: s.replace("\\[MyApp\\]", "(?<=x)\\[MyApp\\]"), "mine.toml:3: pattern 'myapp': regex does not compile: look-around, including look-ahead and look-behind, is not supported at column 1"),
        (lambda s: s.replace("\\((?P<desc", "((?P<desc"), "mine.toml:3: pattern 'myapp': regex does not compile: unclosed group"),
        (lambda s: s + "[[pattern\n", "mine.toml: invalid TOML"),
        (lambda s: s.replace('name = "myapp"', 'name = ""'), "mine.toml:3: pattern #1: 'name' must be a non-empty string"),
    ],
)  # fmt: skip
def test_invalid_pattern_files_name_file_line_pattern_and_problem(tmp_path, edit, message):
    path = write(tmp_path, edit(GOOD))
    with pytest.raises(PatternError) as info:
        load_file(path)
    assert str(info.value).startswith(str(tmp_path) + "/" + message), str(info.value)


def test_samples_are_checked(tmp_path):
    bad = GOOD.replace("code = 208", "code = 209").replace(
        '["[MyApp] chat ok"]', '["[MyApp] chat error 1 (X)"]'
    )
    path = write(tmp_path, bad)
    failures = run_samples(load_patterns([path], builtin=False, check_samples=False))
    assert [f.problem for f in failures] == [
        "sample matches with code 208, expected 209",
        "counter-sample matches (code 1)",
    ]
    with pytest.raises(
        PatternError, match=re.escape("mine.toml:3: pattern 'myapp': sample matches with code 208")
    ):
        load_patterns([path], builtin=False, check_samples=True)


def test_duplicate_pattern_names_are_refused(tmp_path):
    path = write(tmp_path, GOOD.replace('"myapp"', '"core-disconnect"'))
    with pytest.raises(PatternError, match="name already used in"):
        load_patterns([path])


def test_thousands_of_user_patterns_load_with_their_samples_checked(tmp_path):
    """Thousands of patterns: their samples run in one pass (one by one, 5,000 patterns took
    ~40 s, on top of 310 s of literal analysis: bench/load_patterns.py times it), and a
    failing sample among them is still named at its line."""
    rules = [
        f"[[pattern]]\nname = 'app-{i}'\nsdk = 'native'\nregex = '''\\[Mod{i}x\\] op failed, err (?P<code>\\d+)'''\n"
        f"samples = [{{ line = '[Mod{i}x] op failed, err 208', code = {208 if i != 1234 else 209} }}]\n"
        f"counter_samples = ['[Mod{i}x] op ok']\n"
        for i in range(2000)
    ]
    path = tmp_path / "many.toml"
    path.write_text("\n".join(rules), encoding="utf-8")
    with pytest.raises(PatternError) as caught:
        load_patterns([path])
    assert str(caught.value) == (
        f"{path}:{2 + 1234 * 7}: pattern 'app-1234': sample matches with code 208, expected 209: "
        "'[Mod1234x] op failed, err 208'"
    )


@pytest.mark.parametrize(
    ("regex", "line", "code"),
    [
        (r"errcode[[:space:]]*=[[:space:]]*(?P<code>[[:digit:]]+)", "errcode = 208", 208),
        (r"(?x) errcode [\s=]+ (?P<code>\d+)", "errcode = 208", 208),
        (r"dir=C:\\(?P<code>\d+)", "dir=C:\\208", 208),
        (r"err,{1, 3}code=(?P<code>\d+)", "err,,code=207", 207),
    ],
)
def test_patterns_rust_reads_differently_from_python_still_match(tmp_path, regex, line, code):
    pattern_file = tmp_path / "p.toml"
    pattern_file.write_text(
        f"[[pattern]]\nname = \"x\"\nsdk = \"native\"\nregex = '''{regex}'''\n", encoding="utf-8"
    )
    log = tmp_path / "a.log"
    log.write_text(line + "\n", encoding="utf-8")
    r = invoke("report", log, "--patterns", pattern_file, "--no-builtin-patterns", "-f", "json")
    assert r.exit_code == 0 and r.stderr == "", r.stderr
    assert [(c["code"], c["count"]) for c in r.json()["codes"]] == [(code, 1)]


def test_escaped_parenthesis_is_not_a_group():
    m = Matcher.build(load_patterns())
    assert match_lines([r"onDisconnect303 \(?P<code>x)"], m)["code"].to_list() == [303]

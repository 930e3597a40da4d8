"""Pattern files that share definitions ([fragments.NAME] as %{NAME}, [excludes.NAME] as
exclude = "@NAME"), checks among all the patterns, and unknown keys (issues 15 and 16)."""

from __future__ import annotations

import re

import pytest

from logscan.errors import PatternError
from logscan.match.matcher import Matcher, match_lines
from logscan.match.patterns import builtin_dir, load_file
from logscan.match.samples import check_files, load_patterns

from ..conftest import invoke

BUNDLED = load_patterns()
TRAPS = next(d for d in BUNDLED.definitions if d.name == "sdk-traps")

# The README's example of a user file that uses a shared definition.
MINE = """\
[fragments.core-time]
regex = '''\\[\\d{4}/\\d\\d?/\\d\\d? \\d\\d?:\\d\\d?:\\d\\d?:\\d{1,3}\\]'''
samples = ["[2021/09/27 17:03:18:054]"]
counter_samples = ["2021/09/27 17:03:18"]

[excludes.retries]
regex = '''\\bretrying\\b'''
samples = ["[MyApp] retrying, code: 1"]
counter_samples = ["[MyApp] failed, code: 1"]

[[pattern]]
name = "myapp-core"
sdk = "native"
platform = "myapp"
regex = '''^%{core-time}: \\[MyApp\\] [a-z, ]*code: (?P<code>\\d+)'''
exclude = ["@sdk-traps", "@retries"]
samples = [
  { line = "[2021/09/27 17:03:18:054]: [MyApp] failed, code: 208", code = 208 },
]
counter_samples = [
  "[2021/09/27 17:03:18:054]: [MyApp] http failed, code: 208",
  "[2021/09/27 17:03:18:054]: [MyApp] retrying, code: 208",
]
"""


def write(tmp_path, body, name="mine.toml"):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_a_user_file_uses_the_bundled_exclude_and_its_own_definitions(tmp_path):
    path = write(tmp_path, MINE)
    (mine,) = load_file(path)
    # expanded at load: the scan sees plain regexes
    assert mine.regex == (
        "^(?:\\[\\d{4}/\\d\\d?/\\d\\d? \\d\\d?:\\d\\d?:\\d\\d?:\\d{1,3}\\]): \\[MyApp\\] [a-z, ]*code: (?P<code>\\d+)"
    )
    assert mine.exclude == f"(?i:{TRAPS.regex.removeprefix('(?i)')})|(?:\\bretrying\\b)"
    assert mine.exclude_names == ("sdk-traps", "retries")
    re.compile(mine.exclude)  # the Python side (diagnose, descriptions) reads it too
    matcher = Matcher.build(load_patterns([path], builtin=False))
    lines = [
        "[2021/09/27 17:03:18:054]: [MyApp] failed, code: 208",
        "[2021/09/27 17:03:18:054]: [MyApp] http failed, code: 208",
        "[2021/09/27 17:03:18:054]: [MyApp] retrying, code: 208",
    ]
    assert match_lines(lines, matcher).select("row", "code").rows() == [(0, 208)]
    r = invoke("patterns", "check", path)
    assert (r.exit_code, r.stderr) == (0, ""), r.stdout
    assert r.stdout.splitlines() == [
        "ok   myapp-core: 1 sample, 2 counter-samples",
        f"ok   fragment 'core-time' ({path}:1): 2 samples and counter-samples",
        f"ok   exclude 'retries' ({path}:6): 2 samples and counter-samples",
        "patterns check: 1 of 1 patterns pass",
    ]


def test_the_bundled_patterns_use_the_shared_exclude_by_name():
    text = "".join(p.read_text(encoding="utf-8") for p in builtin_dir().glob("*.toml"))
    assert text.count(TRAPS.regex) == 1  # written once, in shared.toml
    assert text.count('exclude = "@sdk-traps"') == 14
    assert sum(p.exclude == TRAPS.regex for p in BUNDLED) == 14


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.replace("%{core-time}", "%{core-tme}"),
         "mine.toml:15: pattern 'myapp-core': unknown fragment 'core-tme' (did you mean 'core-time'?)"),
        (lambda s: s.replace('"@retries"', '"@retry"'),
         "mine.toml:16: pattern 'myapp-core': unknown exclude 'retry' (did you mean 'retries'?)"),
        (lambda s: s.replace('"@retries"', '"@core-time"'),
         "mine.toml:16: pattern 'myapp-core': unknown exclude 'core-time' (it is a fragment: write %{core-time})"),
        (lambda s: s.replace("%{core-time}", "%{nothing-like-it}"),
         "mine.toml:15: pattern 'myapp-core': unknown fragment 'nothing-like-it' (define it as "
         "[fragments.nothing-like-it] in a pattern file)"),
        (lambda s: s.replace("exclude = [", "exlude = ["),
         "mine.toml:16: pattern 'myapp-core': unknown key 'exlude' (did you mean 'exclude'?)"),
        (lambda s: s.replace('counter_samples = ["[MyApp]', 'counter_sample = ["[MyApp]'),
         "mine.toml:9: exclude 'retries': unknown key 'counter_sample' (did you mean 'counter_samples'?)"),
        (lambda s: s.replace("code = 208 }", "code = 208, descripton = 'x' }"),
         "mine.toml:18: pattern 'myapp-core': sample: unknown key 'descripton' (did you mean 'description'?)"),
        (lambda s: "patern = 1\n" + s,
         "mine.toml:1: unknown key 'patern' (did you mean 'pattern'?)"),
        (lambda s: s.replace("[excludes.retries]", "[excludes.sdk-traps]").replace('"@retries"', '"@sdk-traps"'),
         f"mine.toml:6: exclude 'sdk-traps': name already defined in {builtin_dir() / 'shared.toml'}:122"),
        (lambda s: s.replace("\\bretrying\\b", "%{core-time}("),
         "mine.toml:7: exclude 'retries': regex does not compile: unclosed group"),
    ],
)  # fmt: skip
def test_bad_references_and_unknown_keys_name_file_line_and_what_to_do(tmp_path, edit, message):
    path = write(tmp_path, edit(MINE))
    with pytest.raises(PatternError) as info:
        load_file(path)
    assert str(info.value).startswith(str(tmp_path) + "/" + message), str(info.value)
    r = invoke("patterns", "check", path)
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr.startswith(f"logscan: error: {tmp_path}/{message}"), r.stderr


def test_fragments_in_a_cycle_are_an_error(tmp_path):
    body = (
        "[fragments.a]\nregex = 'x%{b}'\n\n[fragments.b]\nregex = 'y%{a}'\n\n"
        "[[pattern]]\nname = 'p'\nsdk = 'native'\nregex = '%{a} (?P<code>\\d+)'\n"
    )
    path = write(tmp_path, body)
    with pytest.raises(PatternError) as info:
        load_file(path)
    assert str(info.value) == f"{path}:5: fragment 'b': fragments refer to each other in a cycle: a -> b -> a"


def test_a_literal_percent_brace_and_a_repetition_are_no_references(tmp_path):
    body = "[[pattern]]\nname = 'p'\nsdk = 'native'\nregex = '''50%{2} %\\{x} (?P<code>\\d+)'''\n"
    (p,) = load_file(write(tmp_path, body))
    assert p.regex == "50%{2} %\\{x} (?P<code>\\d+)"


def test_a_definition_whose_samples_fail_fails_the_check_at_the_samples_line(tmp_path):
    path = write(
        tmp_path, MINE.replace('samples = ["[MyApp] retrying, code: 1"]', 'samples = ["[MyApp] retry"]')
    )
    r = invoke("patterns", "check", path)
    assert r.exit_code == 1
    assert r.stdout.splitlines()[2:] == [
        f"FAIL exclude 'retries' ({path}:6): 1 of 2 samples",
        f"     {path}:8: sample does not match: '[MyApp] retry'",
        "patterns check: FAILED: 1 of 1 patterns pass",
    ]


def test_check_says_which_pattern_wins_a_sample_among_all_the_patterns(tmp_path):
    """Alone the sample passes; among the bundled patterns (as a scan runs it) a core pattern
    whose match starts further left takes the line."""
    body = (
        "[[pattern]]\nname = 'mine'\nsdk = 'native'\nplatform = 'myapp'\n"
        "regex = '''failed, code: (?P<code>\\d+)'''\n"
        "samples = [\n"
        "  { line = 'x failed, code: 7', code = 7 },\n"
        "  { line = '[2021/09/27 17:03:18:466]: EMSessionManager::doLogin() login failed, code: 108 desc: x', code = 108 },\n"
        "]\n"
    )  # fmt: skip
    path = write(tmp_path, body)
    r = invoke("patterns", "check", path)
    assert r.exit_code == 1
    assert r.stdout.splitlines() == [
        f"FAIL mine ({path}:2): 1 of 2 samples",
        f"     {path}:8: sample won by pattern 'core-manager-code' (core, native 108) among all the patterns, "
        "instead of this one (myapp, native 108): "
        "'[2021/09/27 17:03:18:466]: EMSessionManager::doLogin() login failed, code: 108 desc: x'",
        "patterns check: FAILED: 0 of 1 patterns pass",
    ]
    # alone (the file without the bundled set) it passes
    assert invoke("patterns", "check", path, "--no-builtin-patterns").exit_code == 0
    assert check_files([path], builtin=False).failures == []


def test_a_files_counter_samples_must_be_no_event_and_a_sample_its_description(tmp_path):
    body = (
        "counter_samples = [\n  'x failed, code: 7',\n  'nothing here',\n]\n\n"
        "[[pattern]]\nname = 'mine'\nsdk = 'native'\nplatform = 'myapp'\n"
        "regex = '''failed, code: (?P<code>\\d+)(?:, desc: (?P<description>.*))?'''\n"
        "samples = [\n  { line = 'y failed, code: 8, desc: boom', code = 8, description = 'bang' },\n]\n"
    )
    path = write(tmp_path, body)
    r = invoke("patterns", "check", path, "--no-builtin-patterns")
    assert r.exit_code == 1
    assert r.stdout.splitlines() == [
        f"FAIL mine ({path}:7): 1 of 1 samples",
        f"     {path}:12: sample's description is 'boom', expected 'bang': 'y failed, code: 8, desc: boom'",
        f"FAIL counter_samples ({path}:1): 1 of 2 samples",
        f"     {path}:2: counter-sample is an event: pattern 'mine' takes it (native 7): 'x failed, code: 7'",
        "patterns check: FAILED: 0 of 1 patterns pass",
    ]


def test_patterns_test_loads_a_pattern_whose_counter_sample_fails_and_shows_why(tmp_path):
    """Issue 15: scan and report refuse the file (exit 2); patterns test loads it, says which
    counter-sample fails, and shows the pattern that takes the line."""
    body = (
        "[[pattern]]\nname = 'myapp'\nsdk = 'native'\nplatform = 'android'\n"
        "regex = '''\\[MyApp\\] chat error (?P<code>\\d+)'''\n"
        "samples = [{ line = '[MyApp] chat error 208', code = 208 }]\n"
        "counter_samples = ['[MyApp] chat error 1 (retry)']\n"
    )
    path = write(tmp_path, body)
    assert invoke("report", "sample_logs/core", "--patterns", path).exit_code == 2
    r = invoke("patterns", "test", "--patterns", path, "[MyApp] chat error 1 (retry)")
    assert r.exit_code == 0
    assert r.stderr == (
        f"logscan: warning: {path}:2: pattern 'myapp': counter-sample matches (code 1): "
        "'[MyApp] chat error 1 (retry)' (scan and report refuse the file until it passes)\n"
    )
    assert r.stdout.splitlines()[:2] == [
        "line: [MyApp] chat error 1 (retry)",
        "  matched myapp: native 1 (GENERAL_ERROR: A general error occurs (no specified reason))",
    ]


def test_the_readme_example_is_the_file_tested_here():
    from ..conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = (
        readme.split("A user file that uses the bundled exclude", 1)[1]
        .split("```toml\n", 1)[1]
        .split("```", 1)[0]
    )
    assert block == MINE

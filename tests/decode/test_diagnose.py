"""patterns list/test/check/unmatched and catalogue import/check; user pattern files end to end."""

from __future__ import annotations

import json
import time

import pytest

from logscan.decode.catalogue import load_catalogue, load_file
from logscan.decode.diagnose import closest
from logscan.decode.vendor import parse_vendor_page
from logscan.match.samples import load_patterns

from ..conftest import DATA, ROOT, invoke

MYAPP = """
[[pattern]]
name = "myapp-chat-error"
sdk = "native"
platform = "android"
regex = '''\\[MyApp\\] chat error (?P<code>\\d+) \\((?P<description>[A-Z_]+)\\)'''
samples = [{ line = "[MyApp] chat error 208 (USER_REG_FAILED)", code = 208 }]
counter_samples = ["[MyApp] chat ok"]
"""


KINDS = (
    "ok, transient, client-bug, auth, session, limit, permission, configuration, not-found, server, unknown"
)


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def test_a_new_log_shape_needs_only_a_pattern_file(tmp_path):
    log = tmp_path / "myapp.log"
    log.write_text("2026-11-20 10:00:00.000 [MyApp] chat error 208 (USER_REG_FAILED)\n"
                   "2026-11-20 10:00:01.000 [MyApp] chat error 208 (USER_REG_FAILED)\n"
                   "2026-11-20 10:00:02.000 [MyApp] chat ok\n", encoding="utf-8")  # fmt: skip
    r = invoke("report", log, "-f", "json")
    assert (r.exit_code, r.stderr, r.json()["events"]) == (0, "", 0)
    pattern = tmp_path / "myapp.toml"
    pattern.write_text(MYAPP, encoding="utf-8")
    r = invoke("report", log, "--patterns", pattern, "-f", "json")
    assert (r.exit_code, r.stderr) == (0, "")
    assert [(c["code"], c["count"], c["name"]) for c in r.json()["codes"]] == [(208, 2, "USER_REG_FAILED")]
    (tmp_path / "logscan.toml").write_text('patterns = ["myapp.toml"]\n', encoding="utf-8")
    config = invoke("report", log, "--config", tmp_path / "logscan.toml", "-f", "json")
    assert (config.exit_code, config.stderr, config.stdout) == (0, "", r.stdout)  # the same as --patterns


def test_a_failing_sample_of_a_user_pattern_stops_the_load(tmp_path):
    pattern = tmp_path / "myapp.toml"
    pattern.write_text(MYAPP.replace("code = 208", "code = 209"), encoding="utf-8")
    r = invoke("report", "sample_logs/core", "--patterns", pattern)
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr == (f"logscan: error: {pattern}:3: pattern 'myapp-chat-error': sample matches with code 208, "
                        "expected 209: '[MyApp] chat error 208 (USER_REG_FAILED)'\n")  # fmt: skip


@pytest.mark.parametrize(
    ("key", "regex"),
    [("regex", r"(?P<code>\d*)"), ("regex", r"(?:code (?P<code>\d+))?"), ("exclude", "y?")],
)
def test_a_regex_that_matches_an_empty_line_is_refused(tmp_path, key, regex):
    r"""Regression: (?P<code>\d*) matched (empty) at the start of every line and won it: every
    event of the run was lost without a word."""
    mine = tmp_path / "mine.toml"
    main = regex if key == "regex" else r"x (?P<code>\d+)"
    body = f"[[pattern]]\nname = 'mine'\nsdk = 'native'\nplatform = 'x'\nregex = '{main}'\n"
    if key == "exclude":
        body += f"exclude = '{regex}'\n"
    mine.write_text(body, encoding="utf-8")
    r = invoke("report", "sample_logs/core", "--patterns", mine)
    assert (r.exit_code, r.stdout) == (2, "")
    where = "" if key == "regex" else "exclude: "
    assert r.stderr == (
        f"logscan: error: {mine}:2: pattern 'mine': {where}it matches an empty line, so it matches every line "
        "(every part of it is optional)\n"
    )


def test_a_catastrophic_user_regex_cannot_stall_a_run(tmp_path):
    evil = tmp_path / "evil.toml"
    evil.write_text("[[pattern]]\nname = \"evil\"\nsdk = \"native\"\nplatform = \"x\"\n"
                    "regex = '''^(a|a)*(a|aa)*(?P<code>\\d+)$'''\n"
                    "samples = [{ line = \"aa208\", code = 208 }]\ncounter_samples = [\"b\"]\n", encoding="utf-8")  # fmt: skip
    log = tmp_path / "slow.log"
    log.write_text(("a" * 60 + "!\n") * 5000, encoding="utf-8")
    start = time.monotonic()
    r = invoke("report", log, "--patterns", evil, "-f", "json")
    assert r.exit_code == 0 and r.json()["events"] == 0
    # The engine is linear-time (no backtracking): a backtracking one would need ~2^60 steps
    # per line, so even a generous bound (not a speed measure: a loaded machine passes) tells.
    assert time.monotonic() - start < 120
    assert closest("a" * 40 + "!", [p for p in load_patterns([evil]) if p.name == "evil"]) is not None


def test_patterns_list():
    r = invoke("patterns", "list", "-f", "json")
    rows = r.json()
    assert (r.exit_code, r.stderr) == (0, "") and len(rows) == len(load_patterns())
    assert [row["name"] for row in rows] == [p.name for p in load_patterns()]
    keys = {"name", "sdk", "platform", "source", "path", "line", "regex", "samples", "counter_samples"}
    assert all(set(row) == keys for row in rows)
    table = invoke("patterns", "list")
    assert (table.exit_code, table.stderr) == (0, "")
    assert [line.split()[0] for line in table.stdout.splitlines()[2:]] == [row["name"] for row in rows]


def test_patterns_test_matches_explains_and_finds_near_misses():
    r = invoke("patterns", "test", "DestroyThread failed, code:1400, desc:thread not exist", "-f", "json")
    [row] = r.json()
    assert r.exit_code == 0
    assert (row["pattern"], row["code"], row["name"]) == ("unity-code-desc", 1400, "THREAD_NOT_EXIST")
    r = invoke("patterns", "test", "Login failed!! c0de 204 err User not found", "nothing")
    assert (r.exit_code, r.stderr) == (1, "")
    assert r.stdout.splitlines() == [
        "line: Login failed!! c0de 204 err User not found",
        "  no pattern matched; closest: unity-code-desc (4 edits), android-code-error (5 edits), "
        "android-onerror (6 edits)",
        "line: nothing",
        "  no pattern matched (no number in it)",
    ]


def test_patterns_test_from_a_file(tmp_path):
    lines = tmp_path / "lines.txt"
    lines.write_text('onDisconnect303\n{type: 16, message: "x"}\n', encoding="utf-8")
    r = invoke("patterns", "test", "--file", lines, "-f", "json")
    assert (r.exit_code, r.stderr) == (0, "")
    assert [(row["sdk"], row["code"]) for row in r.json()] == [("native", 303), ("web", 16)]
    r = invoke("patterns", "test")
    assert (r.exit_code, r.stdout) == (2, "")
    assert (
        r.stderr == "logscan: error: give LINES to test, or --file FILE (see logscan patterns test --help)\n"
    )


def test_patterns_test_reads_a_file_as_logs_are_read_and_says_why_a_match_is_dropped(tmp_path):
    """Regressions: a UTF-16 file was read as spaced-out text; a line a pattern matches but its
    exclude drops (or with code 0) was reported as "closest: ... (0 edits)"."""
    lines = tmp_path / "lines.txt"
    text = (
        "EMChatManager::uploadFile(): http code: 413, desc: Request Entity Too Large\n"
        "E/ChatDemo(1): Login failed! code: 0 error: ok\n"
        "E/ChatDemo(1): Login failed! code: 204 error: x\n"
    )
    lines.write_bytes(text.encode("utf-16"))
    r = invoke("patterns", "test", "--file", lines)
    assert (r.exit_code, r.stderr) == (1, "")
    assert r.stdout.splitlines() == [
        "line: EMChatManager::uploadFile(): http code: 413, desc: Request Entity Too Large",
        "  not counted: flutter-code-desc matches, but its exclude drops the line "
        "(not an SDK code: an HTTP status, an OS error...)",
        "line: E/ChatDemo(1): Login failed! code: 0 error: ok",
        "  not counted: android-code-error matches, but code 0 is success, not an error",
        "line: E/ChatDemo(1): Login failed! code: 204 error: x",
        "  matched android-code-error: native 204 (USER_NOT_FOUND: The user is not found)",
    ]
    r = invoke("patterns", "test", "--file", lines, "-f", "json")
    assert (r.exit_code, r.stderr) == (1, "")
    assert [row["dropped"] and row["dropped"]["pattern"] for row in r.json()] == [
        "flutter-code-desc",
        "android-code-error",
        None,
    ]


def test_pattern_errors_name_the_line_in_either_quote_style(tmp_path):
    """Regression: a pattern named in single quotes was reported at line 0 (or with no line)."""
    failing = tmp_path / "failing.toml"
    failing.write_text(
        "# mine\n[[pattern]]\nname = 'x'\nsdk = 'native'\nregex = 'code: (?P<code>\\d+)'\n"
        "samples = [ { line = 'code: 5', code = 6 } ]\n",
        encoding="utf-8",
    )
    r = invoke("patterns", "check", failing)
    assert r.exit_code == 1 and r.stdout.splitlines()[0] == f"FAIL x ({failing}:3): 1 of 1 samples"
    r = invoke("report", "sample_logs/core", "--patterns", failing)
    assert r.exit_code == 2
    assert (
        r.stderr
        == f"logscan: error: {failing}:3: pattern 'x': sample matches with code 5, expected 6: 'code: 5'\n"
    )


def test_a_pattern_file_named_twice_loads_once_and_check_refuses_what_report_refuses(tmp_path):
    """Regressions: the same file given twice (a folder and a file in it) was "name already used";
    patterns check passed a file with two patterns of one name, which report then refused."""
    folder = tmp_path / "mine"
    folder.mkdir()
    mine = folder / "mine.toml"
    mine.write_text(MYAPP, encoding="utf-8")
    log = tmp_path / "app.log"
    log.write_text("[MyApp] chat error 208 (USER_REG_FAILED)\n", encoding="utf-8")
    r = invoke(
        "report",
        log,
        "--patterns",
        mine,
        "--patterns",
        folder,
        "--patterns",
        folder / ".." / "mine",
        "-f",
        "json",
    )
    assert (r.exit_code, r.stderr) == (0, "") and r.json()["events"] == 1
    twice = tmp_path / "twice.toml"
    twice.write_text(MYAPP + "\n" + MYAPP, encoding="utf-8")
    line = MYAPP.count("\n") + 1 + MYAPP.split("name =")[0].count("\n") + 1
    expected = f"logscan: error: {twice}:{line}: pattern 'myapp-chat-error': name already used in {twice}\n"
    for command in (("patterns", "check", twice), ("report", log, "--patterns", twice)):
        r = invoke(*command)
        assert (r.exit_code, r.stdout, r.stderr) == (2, "", expected)
    bundled = tmp_path / "android.toml"
    bundled.write_text((ROOT / "patterns" / "android.toml").read_text(encoding="utf-8"), encoding="utf-8")
    r = invoke("patterns", "check", bundled)
    assert r.exit_code == 0
    assert r.stderr.splitlines()[0] == (
        f"logscan: warning: {bundled}:6: pattern 'android-code-error' has a bundled pattern's name: "
        "use the file with --no-builtin-patterns, or rename the pattern"
    )


def test_patterns_check_passes_on_the_bundled_set_and_reports_a_broken_one(tmp_path):
    r = invoke("patterns", "check")
    total = len(load_patterns())
    assert (
        r.exit_code == 0 and r.stdout.splitlines()[-1] == f"patterns check: {total} of {total} patterns pass"
    )
    broken = tmp_path / "broken.toml"
    broken.write_text(MYAPP.replace('["[MyApp] chat ok"]', '["[MyApp] chat error 1 (X)"]'), encoding="utf-8")
    r = invoke("patterns", "check", broken)
    assert r.exit_code == 1
    assert r.stdout.splitlines() == [
        f"FAIL myapp-chat-error ({broken}:3): 1 of 2 samples",
        f"     {broken}:8: counter-sample matches (code 1): '[MyApp] chat error 1 (X)'",
        "patterns check: FAILED: 0 of 1 patterns pass",
    ]
    bad = tmp_path / "bad.toml"
    bad.write_text("[[pattern]]\nname = \"x\"\nsdk = \"native\"\nregex = '''(x'''\n", encoding="utf-8")
    r = invoke("patterns", "check", bad)
    assert (r.exit_code, r.stdout) == (2, "")
    assert (
        r.stderr
        == f"logscan: error: {bad}:2: pattern 'x': regex does not compile: unclosed group at column 1\n"
    )


def test_patterns_unmatched_groups_shapes(tmp_path):
    log = tmp_path / "a.log"
    log.write_text("".join(f"[MyApp] chat error {c} (X)\n" for c in (208, 209, 210)) + "Login failed! code: 204 error: x\n"
                   + "all good\n", encoding="utf-8")  # fmt: skip
    r = invoke("patterns", "unmatched", log, "-f", "json")
    assert (r.exit_code, r.stderr) == (0, "")
    assert [(row["shape"], row["count"], row["line"]) for row in r.json()] == [
        ("[MyApp] chat error # (X)", 3, 1)
    ]
    pattern = tmp_path / "myapp.toml"
    pattern.write_text(MYAPP, encoding="utf-8")
    r = invoke("patterns", "unmatched", log, "--patterns", pattern)
    assert (r.exit_code, r.stdout, r.stderr) == (
        0, "Every line that looks like an SDK error matched a pattern.\n", "")  # fmt: skip


def test_catalogue_import_reproduces_the_vendor_fields(tmp_path):
    out = tmp_path / "vendor.toml"
    r = invoke("catalogue", "import", DATA / "agora-chat-error-codes.md", "-o", out)
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "")
    imported = {e.code: e for e in load_file(out)}
    bundled = {e.code: e for e in load_catalogue().entries if e.sdk == "native" and e.source == "vendor-page"}
    assert set(imported) == set(bundled) and len(imported) == 77
    for code, entry in bundled.items():
        got = imported[code]
        assert (got.name, got.description, got.message_zh, got.category) == (
            entry.name, entry.description, entry.message_zh, entry.category), code  # fmt: skip
        if entry.cause_source == "vendor":
            assert got.cause == entry.cause, code
    assert imported[403].aliases == ("FILE_UPLOAD_FAILED",)
    r = invoke("catalogue", "check", out)
    assert (r.exit_code, r.stdout, r.stderr) == (0, f"ok   {out}: 77 entries\n", "")


def test_catalogue_import_needs_a_table(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# no table here\n", encoding="utf-8")
    r = invoke("catalogue", "import", page)
    assert (r.exit_code, r.stdout) == (2, "")
    assert (
        r.stderr
        == f"logscan: error: {page}: no error-code table rows found (| code | name | description | reason |)\n"
    )
    assert parse_vendor_page("| 1 | X | desc | reason |")[0]["cause"] == "reason"


def entry_file(path, *, code="1", kind="client-bug"):
    """A catalogue file of one entry."""
    path.write_text(f'[[entry]]\nsdk = "native"\ncode = {code}\nname = "X"\ncategory = "user"\nkind = "{kind}"\n'
                    'description = "d"\ncause = "c"\n', encoding="utf-8")  # fmt: skip
    return path


def test_catalogue_check_names_file_and_line(tmp_path):
    bad = entry_file(tmp_path / "bad.toml", kind="bogus")
    r = invoke("catalogue", "check", bad)
    assert (r.exit_code, r.stderr) == (1, "")
    assert r.stdout == f"{bad}:1: entry #1: unknown kind 'bogus' (one of {KINDS})\n"


def test_a_code_beyond_64_bits_is_refused_by_catalogue_check(tmp_path):
    """Regression: catalogue check passed it, then report crashed joining it to the events."""
    big = entry_file(tmp_path / "big.toml", code="99999999999999999999")
    r = invoke("catalogue", "check", big)
    message = f"{big}:1: entry #1: 'code' must be a 64-bit integer, as codes in logs are (got 99999999999999999999)\n"
    assert (r.exit_code, r.stdout, r.stderr) == (1, message, "")
    r = invoke("report", "sample_logs/core", "--catalogue", big)
    assert (r.exit_code, r.stdout, r.stderr) == (2, "", f"logscan: error: {message}")


def test_overrides_show_in_codes(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text('[[entry]]\nsdk = "native"\ncode = 208\nname = "USER_REG_FAILED"\ncategory = "user"\n'
                    'kind = "client-bug"\ndescription = "d"\ncause = "Our fix"\n', encoding="utf-8")  # fmt: skip
    r = invoke("codes", "--catalogue", mine, "-f", "json")
    assert (r.exit_code, r.stderr) == (0, "")
    [row] = [row for row in r.json() if row["sdk"] == "native" and row["code"] == 208]
    assert row["cause"] == "Our fix" and row["origin"] == str(mine) and row["overrides"] == "builtin"
    r = invoke("explain", "208", "--catalogue", mine, "-f", "json")
    assert (r.exit_code, r.stderr) == (0, "")
    assert json.loads(r.stdout)[0]["cause"] == "Our fix"


def test_patterns_unmatched_masks_secrets(tmp_path):
    """Regression: passwords, tokens, e-mails and Bearer values were shown in full."""
    log = tmp_path / "sec.log"
    log.write_text(
        "2024-05-01 10:00:00.000 sync failed error 999 password=hunter2secret "
        "token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc user@example.com Authorization: Bearer abcdef0123456789\n",
        encoding="utf-8",
    )
    r = invoke("patterns", "unmatched", log, "-f", "json")
    assert (r.exit_code, r.stderr) == (0, "")
    [row] = r.json()
    assert row["text"] == (
        "2024-05-01 10:00:00.000 sync failed error 999 password=[REDACTED] token=[REDACTED] [EMAIL] "
        "Authorization: Bearer [REDACTED]"
    )
    assert not any(secret in r.stdout for secret in ("hunter2", "eyJhbGci", "example.com", "abcdef0123"))
    r = invoke("patterns", "unmatched", log, "--no-redact", "-f", "json")
    assert (r.exit_code, r.stderr) == (0, "")
    [row] = r.json()
    assert row["text"] == log.read_text(encoding="utf-8").rstrip("\n")


def test_patterns_test_reads_a_pipe_or_a_gzip_file(tmp_path):
    """Regression: --file <(grep ...) failed (it was read by seeking); now read as logs are."""
    import gzip
    import os
    import threading

    line = "E/ChatDemo(1): Login failed! code: 204 error: x\n"
    packed = tmp_path / "lines.txt.gz"
    packed.write_bytes(gzip.compress(line.encode()))
    r = invoke("patterns", "test", "--file", packed, "-f", "json")
    assert (r.exit_code, r.stderr) == (0, "")
    assert [(row["sdk"], row["code"]) for row in r.json()] == [("native", 204)]
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_text(line, encoding="utf-8"))
    writer.start()
    r = invoke("patterns", "test", "--file", fifo, "-f", "json")
    writer.join()
    assert (r.exit_code, r.stderr) == (0, "") and [row["code"] for row in r.json()] == [204]

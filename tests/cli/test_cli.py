"""The command line: exit codes, stdout and stderr apart, every format, golden outputs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from logscan import __version__
from logscan.cli.main import cli
from logscan.decode.catalogue import load_catalogue

from ..conftest import ROOT, invoke

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
TICKET = "sample_logs/ticket-4711"
LINES = (
    "E/ChatDemo(1234): Login failed! code: 204 error: User not found\n"
    "[2017/3/1 19:30:28:216]: [global listener] onDisconnect303\n"
    "[2017/3/1 9:59:52:664]: getDnsListFromServer code: 408 response:\n"
    "[2017/3/1 19:31:00:001]: [global listener] onDisconnect303\n"
)


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def golden(name: str, text: str) -> None:
    """Compare with tests/golden/NAME; LOGSCAN_UPDATE_GOLDEN=1 rewrites it."""
    path = GOLDEN / name
    if os.environ.get("LOGSCAN_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_version_and_help():
    r = invoke("--version")
    assert (r.exit_code, r.stdout, r.stderr) == (0, f"logscan, version {__version__}\n", "")
    for command in [[], *([c] for c in cli.commands)]:
        for flag in ("-h", "--help"):
            r = invoke(*command, flag)
            assert r.exit_code == 0 and r.stdout.startswith("Usage: logscan") and r.stderr == "", command


@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "csv"])
def test_golden_report_of_the_ticket_folder(fmt):
    r = invoke("report", TICKET, "--format", fmt)
    assert r.exit_code == 0 and r.stderr == ""
    golden(f"ticket-4711.{fmt}", r.stdout)


def test_report_json_shape_and_order(tmp_path):
    log = tmp_path / "a.log"
    log.write_text(LINES, encoding="utf-8")
    r = invoke("report", log, "-f", "json")
    assert r.exit_code == 0 and r.stderr == ""
    data = r.json()
    assert data["inputs"] == {"files": 1, "bytes": len(LINES), "lines": 4, "unreadable": [], "warnings": []}
    assert data["events"] == 3
    assert data["span"] == {"first": "2017-03-01T19:30:28.216", "last": "2017-03-01T19:31:00.001",
                            "no_year": 0, "time_only": 0, "untimed": 1}  # fmt: skip
    first, second = data["codes"]
    assert (first["sdk"], first["code"], first["name"], first["count"], first["share"]) == (
        "native",
        303,
        "SERVER_UNKNOWN_ERROR",
        2,
        0.6667,
    )
    assert first["sample"] == {
        "file": str(log),
        "line": 2,
        "text": "[2017/3/1 19:30:28:216]: [global listener] onDisconnect303",
    }
    assert (first["first_seen"], first["last_seen"]) == ("2017-03-01T19:30:28.216", "2017-03-01T19:31:00.001")
    assert (second["code"], second["count"], second["first_seen"], second["log_description"]) == (
        204,
        1,
        None,
        "User not found",
    )
    assert data["categories"] == [
        {"category": "server", "count": 2, "share": 0.6667, "codes": ["native/303"]},
        {"category": "user", "count": 1, "share": 0.3333, "codes": ["native/204"]},
    ]


def test_stdin(tmp_path):
    r = invoke("report", "-", "-f", "json", input=LINES)
    assert r.exit_code == 0 and r.json()["events"] == 3
    assert r.json()["codes"][0]["sample"]["file"] == "<stdin>"
    # Regression: "-" twice failed with "peek of closed file"; it is read once, as a file named twice.
    r = invoke("report", "-", "-", "-f", "json", input=LINES)
    assert (r.exit_code, r.stderr) == (0, "")
    assert r.json()["events"] == 3 and r.json()["inputs"]["files"] == 1


def test_no_events_is_said_plainly(tmp_path):
    log = tmp_path / "quiet.log"
    log.write_text("nothing to see\nerrno: 110\n", encoding="utf-8")
    r = invoke("report", log)
    assert r.exit_code == 0 and r.stderr == ""
    assert r.stdout == (
        f"logscan report of {tmp_path}/ — 1 file, 2 lines, 26 B scanned; 0 error lines, 0 codes\n"
        "Time span: no full timestamps\n"
        "No SDK error codes found in 1 file (2 lines).\n"
    )
    r = invoke("report", log, "-f", "json")
    assert (r.exit_code, r.stderr) == (0, "")
    assert r.json()["events"] == 0 and r.json()["codes"] == []


def test_missing_path_is_one_line_and_exit_2():
    r = invoke("report", "no-such-file.log")
    assert r.exit_code == 2
    assert r.stdout == ""
    assert r.stderr == "logscan: error: cannot read no-such-file.log: no such file or directory\n"


def test_unreadable_among_readable_inputs(tmp_path):
    log = tmp_path / "a.log"
    log.write_text(LINES, encoding="utf-8")
    r = invoke("report", log, tmp_path / "gone.log", "-f", "json")
    assert r.exit_code == 2
    assert r.json()["inputs"]["unreadable"] == [
        {"name": str(tmp_path / "gone.log"), "reason": "no such file or directory"}
    ]
    assert r.stderr.splitlines() == [
        f"logscan: error: cannot read {tmp_path / 'gone.log'}: no such file or directory",
        "logscan: error: the report above is incomplete; pass --keep-going to accept that",
    ]
    r = invoke("report", log, tmp_path / "gone.log", "-f", "json", "--keep-going")
    assert r.exit_code == 0
    assert r.stderr == f"logscan: warning: cannot read {tmp_path / 'gone.log'}: no such file or directory\n"


def test_output_file_and_format_from_extension(tmp_path):
    log = tmp_path / "a.log"
    log.write_text(LINES, encoding="utf-8")
    for name, check in (("r.json", lambda t: json.loads(t)["events"] == 3), ("r.md", lambda t: t.startswith("# logscan report")),
                        ("r.csv", lambda t: t.startswith("sdk,code,name,"))):  # fmt: skip
        r = invoke("report", log, "-o", tmp_path / name)
        assert (r.exit_code, r.stdout, r.stderr) == (0, "", "")
        assert check((tmp_path / name).read_text(encoding="utf-8"))
    r = invoke("report", log, "-o", tmp_path / "r.xyz")
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr == (
        "logscan: error: -o/--output: cannot tell the format from 'r.xyz'; add --format "
        "(see logscan report --help)\n"
    )
    assert not (tmp_path / "r.xyz").exists()


def test_usage_errors_exit_2():
    for args, error in (
        (["report"], "logscan: error: missing argument PATHS... (see logscan report --help)"),
        (
            ["report", "x", "--format", "yaml"],
            "logscan: error: -f/--format: 'yaml' is not one of table, json, markdown, csv, parquet, html "
            "(see logscan report --help)",
        ),
        (["nope"], "logscan: error: no such command 'nope' (see logscan --help)"),
        (
            ["codes", "--category", "nope"],
            "logscan: error: --category: 'nope' is not a category; use one of: general, app, request, "
            "connection, user, server, file, message, group, chatroom, call, user-attributes, translation, contact, "
            "presence, moderation, reaction, thread, conversation, database, push (see logscan codes --help)",
        ),
    ):
        r = invoke(*args)
        assert (r.exit_code, r.stdout) == (2, ""), args
        assert r.stderr == error + "\n", args


def test_secrets_are_redacted_by_default(tmp_path):
    secret = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.QmFkU2VjcmV0"
    log = tmp_path / "s.log"
    log.write_text(
        f"E/ChatDemo(1234): Login failed! code: 202 error: token={secret} mail a.b@example.com\n",
        encoding="utf-8",
    )
    for fmt in ("table", "json", "markdown", "csv"):
        r = invoke("report", log, "-f", fmt)
        assert (r.exit_code, r.stderr) == (0, ""), fmt
        assert secret not in r.stdout and "a.b@example.com" not in r.stdout, fmt
    r = invoke("report", log, "-f", "json", "--no-redact")
    assert (r.exit_code, r.stderr) == (0, "")
    assert r.json()["codes"][0]["sample"]["text"] == (
        f"E/ChatDemo(1234): Login failed! code: 202 error: token={secret} mail a.b@example.com"
    )


def test_explain_both_families_and_names_and_words():
    r = invoke("explain", "503")
    assert r.exit_code == 0 and r.stderr == ""
    assert "native 503 MESSAGE_ENCRYPTION_ERROR" in r.stdout and "web 503 SERVER_UNKNOWN_ERROR" in r.stdout
    r = invoke("explain", "USER_REMOVED", "-f", "json")
    assert (r.exit_code, r.stderr) == (0, "")
    assert [(e["sdk"], e["code"]) for e in r.json()] == [("native", 207)]
    r = invoke("explain", "token", "expired", "-f", "json")
    assert (r.exit_code, r.stderr) == (0, "")
    assert [(e["sdk"], e["code"]) for e in r.json()] == [("native", 108), ("native", 202)]
    r = invoke("explain", "208")
    assert (r.exit_code, r.stderr) == (0, "")
    assert r.stdout == (
        "native 208 USER_REG_FAILED\n"
        "category     user\n"
        "kind         client-bug\n"
        "description  The user registration fails\n"
        "cause/fix    When you call the server registration method, the parameter passed is empty or invalid. "
        "See User registration RESTful API\n"
        "             (https://docs.agora.io/en/agora-chat/restful-api/user-system-registration).\n"
        "source       vendor-page\n"
    )


NO_MATCH = (
    "logscan: no catalogue entry matches '987654'. If a log shows this code, Agora recommends contacting "
    "support@agora.io; for your app's own codes, add a --catalogue file.\n"
)


def test_explain_several_codes_and_names_one_after_the_other():
    """Regression: ``explain 208 503`` was one search for the words "208 503" and found nothing."""
    r = invoke("explain", "208", "user_removed", "web/16", "208", "-f", "json")
    assert (r.exit_code, r.stderr) == (0, "")
    assert [(e["sdk"], e["code"]) for e in r.json()] == [("native", 208), ("native", 207), ("web", 16)]
    r = invoke("explain", "208", "987654", "-f", "json")
    assert r.exit_code == 1 and [(e["sdk"], e["code"]) for e in r.json()] == [("native", 208)]
    assert r.stderr == NO_MATCH
    # words stay one search: every word must match
    r = invoke("explain", "token", "208", "-f", "json")
    assert r.exit_code == 1 and r.json() == []


def test_explain_nothing_found_exits_1():
    r = invoke("explain", "987654")
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr == NO_MATCH


def test_codes_lists_the_catalogue():
    r = invoke("codes", "-f", "json")
    assert r.exit_code == 0
    rows = r.json()
    assert {("native", 403), ("web", 16)} <= {(e["sdk"], e["code"]) for e in rows}
    assert len(rows) == len(load_catalogue().entries) == 238
    assert {
        "sdk",
        "code",
        "name",
        "aliases",
        "category",
        "kind",
        "description",
        "cause",
        "source",
        "deprecated",
    } <= set(rows[0])
    keys = {"sdk", "code", "name", "aliases", "category", "kind", "description", "message_zh", "cause",
            "cause_source", "notes", "source", "origin", "overrides", "deprecated"}  # fmt: skip
    assert all(set(row) == keys for row in rows)
    r = invoke("codes", "--sdk", "web", "--category", "connection", "-f", "json")
    assert (r.exit_code, r.stderr) == (0, "")
    assert {e["sdk"] for e in r.json()} == {"web"} and {e["category"] for e in r.json()} == {"connection"}
    r = invoke("codes", "--kind", "transient")
    assert (r.exit_code, r.stderr) == (0, "") and "SERVER_BUSY" in r.stdout


def test_internal_errors_are_one_line_without_debug(monkeypatch, tmp_path):
    import logscan.fleet.dispatch

    def boom(*a, **k):
        raise RuntimeError("kaput")

    monkeypatch.setattr(logscan.fleet.dispatch, "report_paths", boom)
    log = tmp_path / "a.log"
    log.write_text(LINES, encoding="utf-8")
    r = invoke("report", log)
    assert r.exit_code == 2
    assert r.stderr == "logscan: internal error: RuntimeError: kaput (run with --debug for the traceback)\n"
    r = invoke("--debug", "report", log)
    assert (r.exit_code, r.stdout) == (2, "") and "Traceback" in r.stderr
    assert (
        r.stderr.splitlines()[-1] == "logscan: internal error: RuntimeError: kaput"
    )  # no "run with --debug"


def test_bad_pattern_file_exits_2_with_location(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[[pattern]]\nname = \"x\"\nsdk = \"native\"\nregex = '''(x'''\n", encoding="utf-8")
    r = invoke("report", "sample_logs/core", "--patterns", bad)
    assert r.exit_code == 2 and r.stdout == ""
    assert (
        r.stderr
        == f"logscan: error: {bad}:2: pattern 'x': regex does not compile: unclosed group at column 1\n"
    )


def test_truncated_gzip_reports_what_it_holds_and_exits_2(tmp_path):
    import gzip

    text = "".join(
        f"2026-11-20 10:00:{i % 60:02d}.123 E/ChatDemo(1): Login failed! code: 302 error: x {i * 7919 % 100003}\n"
        for i in range(6000)
    )
    packed = gzip.compress(text.encode())
    path = tmp_path / "cut.log.gz"
    path.write_bytes(packed[: len(packed) // 2])
    r = invoke("report", path, "-f", "json")
    assert r.exit_code == 2
    data = r.json()
    assert data["inputs"]["unreadable"] == [
        {"name": str(path), "reason": "truncated: the compressed stream ended early"}
    ]
    assert data["events"] > 1000 and data["codes"][0]["code"] == 302
    assert (
        r.stderr.splitlines()[0]
        == f"logscan: error: cannot read {path}: truncated: the compressed stream ended early"
    )
    r = invoke("report", path, "-f", "json", "--keep-going", "-q")
    assert r.exit_code == 0 and r.stderr == "" and r.json()["events"] == data["events"]


def test_help_and_explain_start_without_the_engine():
    """Start-up stays fast: --help and explain do not import polars (checked by import, not by time)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from logscan.cli.main import cli\n"
        "for args in (['--help'], ['explain', '208'], ['codes', '--sdk', 'web']):\n"
        "    try:\n"
        "        cli.main(args=args, prog_name='logscan')\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print('polars' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "False"


@pytest.mark.parametrize("command", ["report", "check", "events"])
def test_an_output_that_is_one_of_the_inputs_is_refused(tmp_path, command):
    """Regression: report -f json -o a.log a.log replaced the log being read."""
    log = tmp_path / "a.log"
    log.write_text(LINES, encoding="utf-8")
    r = invoke(command, log, "-f", "json", "-o", tmp_path / "." / "a.log")
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr == (
        f"logscan: error: -o/--output: {tmp_path / '.' / 'a.log'} is one of the logs to scan; "
        f"write the output elsewhere (see logscan {command} --help)\n"
    )
    assert log.read_text(encoding="utf-8") == LINES
    # through the folder it is in, or a glob (regression: both replaced it)
    for scanned in (tmp_path, tmp_path / "*.log"):
        r = invoke(command, scanned, "-f", "json", "-o", log)
        assert (r.exit_code, r.stdout) == (2, "")
        assert r.stderr == (
            f"logscan: error: -o/--output: {log} is one of the logs to scan; write the output elsewhere "
            f"(see logscan {command} --help)\n"
        )
    assert log.read_text(encoding="utf-8") == LINES
    # a new file in a scanned folder is written after the scan
    r = invoke(command, tmp_path, "-f", "json", "-o", tmp_path / "new.json")
    assert (r.exit_code, r.stdout, r.stderr) == ((1 if command == "check" else 0), "", "")


# ---------------------------------------------------------------- text rendered, not eaten

MARKUP_CATALOGUE = (
    '[[entry]]\nsdk = "native"\ncode = 90001\nname = "MYAPP_SYNC"\ncategory = "general"\n'
    'kind = "transient"\ndescription = "[sync] failed for [red]x[/red] :smile:"\n'
    'cause = "Retry [bold]now[/bold] or see [link=https://x.invalid]docs[/link]"\n'
)


def test_explain_shows_catalogue_text_that_looks_like_markup():
    """Regression: rich read catalogue text as markup: ``explain 101`` lost "[valid user ID]"
    (a Markdown link's text, now shown as its text and public address: links.py), a user
    catalogue's ``[sync]`` vanished and ``[red]x[/red]`` coloured."""
    r = invoke("explain", "native/101")
    assert r.exit_code == 0 and r.stderr == ""
    assert (
        "cause/fix    The user ID is empty, or the format of the parameter is incorrect. Use a valid user "
        "ID (https://docs.agora.io/en/agora-chat/restful-api/user-system-registration).\n"
    ) in r.stdout


def test_user_catalogue_text_is_shown_as_written_in_every_command(tmp_path):
    """Regression: a user catalogue's ``[sync]`` vanished, ``[red]x[/red]`` was a style and
    ``:smile:`` an emoji, in ``explain``, ``codes`` and the report."""
    mine = tmp_path / "mine.toml"
    mine.write_text(MARKUP_CATALOGUE, encoding="utf-8")
    r = invoke("explain", "90001", "--catalogue", mine)
    assert r.exit_code == 0 and r.stderr == ""
    assert r.stdout == (
        "native 90001 MYAPP_SYNC\n"
        "category     general\n"
        "kind         transient\n"
        "description  [sync] failed for [red]x[/red] :smile:\n"
        "cause/fix    Retry [bold]now[/bold] or see [link=https://x.invalid]docs[/link]\n"
        f"source       user ({mine})\n"
    )
    r = invoke("codes", "--catalogue", mine, "-f", "table")
    assert r.exit_code == 0
    row = next(line for line in r.stdout.splitlines() if "MYAPP_SYNC" in line)
    assert row.split("general")[1].split()[:6] == ["transient", "[sync]", "failed", "for", "[red]x[/red]",
                                                   ":smile:"]  # fmt: skip
    log = tmp_path / "app.log"
    log.write_text("E/ChatDemo(1234): Login failed! code: 90001 error: [b]boom[/b]\n", encoding="utf-8")
    r = invoke("report", log, "--catalogue", mine)
    assert r.exit_code == 0
    assert "• native 90001 MYAPP_SYNC (1×): [sync] failed for [red]x[/red] :smile:\n" in r.stdout
    assert "    Cause/fix: Retry [bold]now[/bold] or see [link=https://x.invalid]docs[/link]\n" in r.stdout
    assert (
        "app.log:1 (file order: no timestamps): E/ChatDemo(1234): Login failed! code: 90001 error: [b]boom[/b]\n"
        in r.stdout
    )


def test_markup_in_data_is_no_style_on_a_colour_terminal(tmp_path):
    """Regression: with colour on, ``[red]x[/red]`` in a catalogue coloured the text red."""
    import io

    from logscan.decode.catalogue import load_catalogue
    from logscan.render import text

    mine = tmp_path / "mine.toml"
    mine.write_text(MARKUP_CATALOGUE, encoding="utf-8")
    entries = [e for e in load_catalogue([mine]).entries if e.code == 90001]
    buffer = io.StringIO()
    text.render_entries(entries, text.make_console(buffer, color=True))
    out = buffer.getvalue()
    assert "[sync] failed for [red]x[/red] :smile:" in out and "\x1b[31m" not in out


def test_top_lists_the_most_frequent_codes_and_still_counts_all(monkeypatch):
    """`report --top N`: the codes list holds the N most frequent (in every format), says how
    many more there are; totals and categories still count every code."""
    monkeypatch.chdir(ROOT)
    full = invoke("report", "sample_logs/ticket-4711", "-f", "json").json()
    r = invoke("report", "sample_logs/ticket-4711", "--top", "3", "-f", "json")
    assert (r.exit_code, r.stderr) == (0, "")
    top = r.json()
    assert top["codes"] == full["codes"][:3]
    assert (top["codes_omitted"], top["events"], top["categories"]) == (26, 45, full["categories"])
    assert "codes_omitted" not in full
    table = invoke("report", "sample_logs/ticket-4711", "--top", "3", env={"COLUMNS": "120"})
    assert (table.exit_code, table.stderr) == (0, "")
    lines = table.stdout.splitlines()
    at = lines.index("Codes")
    assert [line.split()[1] for line in lines[at + 3 : at + 6]] == ["2", "217", "509"]
    assert lines[at + 6] == "… and 26 more codes (--top)"
    csv = invoke("report", "sample_logs/ticket-4711", "--top", "1", "-f", "csv")
    assert (csv.exit_code, len(csv.stdout.splitlines())) == (0, 2)
    md = invoke("report", "sample_logs/ticket-4711", "--top", "28", "-f", "markdown")
    assert md.exit_code == 0 and "… and 1 more code (`--top`)." in md.stdout.splitlines()
    bad = invoke("report", "sample_logs/ticket-4711", "--top", "0")
    assert (bad.exit_code, bad.stdout) == (2, "")

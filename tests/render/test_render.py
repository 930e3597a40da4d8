"""The table and Markdown renderers: narrow terminals, unusable COLUMNS, -o files, escaping."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET

import pytest
from markdown_it import MarkdownIt

from logscan.render.markdown import code, table, text
from logscan.render.text import wrap

from ..conftest import done, invoke

LOG = (
    "[2024/05/01 10:13:53:118]: [global listener] onDisconnect1001\n"
    "[2024/05/01 08:09:10:567]: [global listener] onDisconnect1002\n"
    "[2024/05/01 08:10:10:567]: [global listener] onDisconnect100\n"
)
RULE = "─"


@pytest.fixture
def log(tmp_path, monkeypatch):
    """a.log in the current folder (named a.log in the output), codes 100, 1001 and 1002."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.log").write_text(LOG, encoding="utf-8")
    return "a.log"


@pytest.fixture
def no_terminal(monkeypatch):
    """Whatever runs the tests, stdout has no terminal size (as in a pipe)."""

    def no_size(*args):
        raise OSError("not a terminal")

    monkeypatch.setattr(os, "get_terminal_size", no_size)


def codes_section(out: str) -> str:
    return out[out.index("Codes\n") : out.index("\nCategories\n")]


WIDE = f"""Codes
sdk    code name                     category kind          count share first seen       last seen        files
{RULE * 111}
native  100 INVALID_APP_KEY          app      configuration     1 33.3% 2024-05-01 08:10 2024-05-01 08:10 a.log
native 1001 CONTACT_REACH_LIMIT      contact  limit             1 33.3% 2024-05-01 10:13 2024-05-01 10:13 a.log
native 1002 CONTACT_REACH_LIMIT_PEER contact  limit             1 33.3% 2024-05-01 08:09 2024-05-01 08:09 a.log
"""

AT_80 = f"""Codes
sdk    code name                     kind          count first seen       files
{RULE * 79}
native  100 INVALID_APP_KEY          configuration     1 2024-05-01 08:10 a.log
native 1001 CONTACT_REACH_LIMIT      limit             1 2024-05-01 10:13 a.log
native 1002 CONTACT_REACH_LIMIT_PEER limit             1 2024-05-01 08:09 a.log
"""

AT_40 = """Codes
native  100 INVALID_APP_KEY
    category: app  kind: configuration
    count: 1  share: 33.3%
    first seen: 2024-05-01 08:10
    last seen: 2024-05-01 08:10
    files: a.log
native 1001 CONTACT_REACH_LIMIT
    category: contact  kind: limit
    count: 1  share: 33.3%
    first seen: 2024-05-01 10:13
    last seen: 2024-05-01 10:13
    files: a.log
native 1002 CONTACT_REACH_LIMIT_PEER
    category: contact  kind: limit
    count: 1  share: 33.3%
    first seen: 2024-05-01 08:09
    last seen: 2024-05-01 08:09
    files: a.log
"""


def test_a_wide_terminal_keeps_the_table(log):
    assert codes_section(done("report", log, env={"COLUMNS": "200"}).stdout) == WIDE


@pytest.mark.parametrize(("columns", "expected"), [("80", AT_80), ("40", AT_40)])
def test_a_narrow_terminal_shows_every_code_whole(log, columns, expected):
    """Regression: at 80 columns 1001 and 1002 were both shown as ``100`` (the code column cut
    to 3 characters), the name column was dropped and ``native`` became ``nativ``; 40 columns
    were drawn as 80. At 80 the table leaves out share, category and last seen (in that
    order, as the README says) and stays a table; where not even that fits, one block per code."""
    r = invoke("report", log, env={"COLUMNS": columns})
    assert (r.exit_code, r.stderr) == (0, "")
    assert codes_section(r.stdout) == expected
    assert max(len(line) for line in r.stdout.splitlines()) <= int(columns)


def test_file_names_are_relative_to_the_folder_named_and_shortened_around_an_ellipsis(tmp_path, monkeypatch):
    """The files column: names relative to the folder given, the file with most lines of the
    code and how many more; where the column is narrow, the archive and base name are kept."""
    import zipfile

    monkeypatch.chdir(tmp_path)
    (tmp_path / "logs" / "device-one").mkdir(parents=True)
    (tmp_path / "logs" / "device-one" / "easemob.log").write_text(LOG, encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "logs" / "logs.zip", "w") as z:
        z.writestr("sdkdata/easemobLog/easemob.log", LOG.splitlines()[0] + "\n")
        z.writestr("sdkdata/easemobLog/more.log", (LOG.splitlines()[0] + "\n") * 2)
    wide = invoke("report", "logs/", env={"COLUMNS": "200"})
    assert (wide.exit_code, wide.stderr) == (0, "")
    assert wide.stdout.startswith("logscan report of logs/ — 3 files, 6 lines, 371 B scanned; 6 error lines")
    assert codes_section(wide.stdout) == (
        "Codes\n"
        "sdk    code name                     category kind          count share first seen       last seen        files\n"
        f"{RULE * 145}\n"
        "native 1001 CONTACT_REACH_LIMIT      contact  limit             4 66.7% 2024-05-01 10:13 2024-05-01 10:13 logs.zip:sdkdata/easemobLog/more.log +2\n"
        "native  100 INVALID_APP_KEY          app      configuration     1 16.7% 2024-05-01 08:10 2024-05-01 08:10 device-one/easemob.log\n"
        "native 1002 CONTACT_REACH_LIMIT_PEER contact  limit             1 16.7% 2024-05-01 08:09 2024-05-01 08:09 device-one/easemob.log\n"
    )  # fmt: skip
    narrow = invoke("report", "logs/", env={"COLUMNS": "100"})
    assert codes_section(narrow.stdout) == (
        "Codes\n"
        "sdk    code name                     kind          count first seen       files\n"
        f"{RULE * 100}\n"
        "native 1001 CONTACT_REACH_LIMIT      limit             4 2024-05-01 10:13 logs.zip:…/more.log +2\n"
        "native  100 INVALID_APP_KEY          configuration     1 2024-05-01 08:10 device-one/easemob.log\n"
        "native 1002 CONTACT_REACH_LIMIT_PEER limit             1 2024-05-01 08:09 device-one/easemob.log\n"
    )  # fmt: skip


def test_a_report_written_to_a_file_does_not_depend_on_the_terminal(log, no_terminal):
    """Regression: ``-o report.txt`` from an 80-column terminal was cut like the screen."""
    piped = done("report", log, env={"COLUMNS": ""}).stdout  # what `> report.txt` gets
    for columns in ("40", "80", "200"):
        r = invoke("report", log, "-o", "report.txt", env={"COLUMNS": columns})
        assert (r.exit_code, r.stdout, r.stderr) == (0, "", "")
        with open("report.txt", encoding="utf-8") as fh:
            assert fh.read() == piped, columns
    assert codes_section(piped) == WIDE  # 111 columns fit in the 120 a pipe gets


@pytest.mark.parametrize("columns", ["", "abc", "0", "-5", " "])
@pytest.mark.parametrize(
    "command", [["report", "a.log"], ["explain", "1001", "208"], ["codes", "--sdk", "web"]]
)
def test_an_unusable_columns_counts_as_unset(log, no_terminal, columns, command):
    """Regression: COLUMNS= or COLUMNS=abc was ``internal error: ValueError`` in every table."""
    r = invoke(*command, env={"COLUMNS": columns})
    assert (r.exit_code, r.stderr) == (0, "")
    assert r.stdout == done(*command, env={"COLUMNS": "120"}).stdout


@pytest.mark.parametrize("columns", [50, 80, 120])
def test_the_catalogue_never_wraps_a_name(columns):
    """Regression: at 80 columns ``codes`` showed EXCEED_SERVICE_LIM / IT on two lines."""
    names = {e["name"] for e in done("codes", "-f", "json").json()}
    out = done("codes", env={"COLUMNS": str(columns)}).stdout
    shown = set(re.findall(r"\b[A-Z][A-Z0-9_]{2,}\b", out))
    assert names <= shown, sorted(names - shown)[:5]
    assert max(len(line) for line in out.splitlines()) <= columns
    assert "native    4 EXCEED_SERVICE_LIMIT" in out


def test_wrap_breaks_after_separators_and_folds_only_what_is_longer_than_a_line():
    assert wrap("sample_logs/ticket-4711/logs.zip:sdkdata/easemob.log", 24) == [
        "sample_logs/ticket-4711/",
        "logs.zip:sdkdata/",
        "easemob.log",
    ]
    assert wrap("217, 202, 206", 9) == ["217, 202,", "206"]
    assert wrap("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert wrap("", 5) == [""]


# --------------------------------------------------------------------------- Markdown

HOSTILE = "<img src=x onerror=alert(1)>.log"


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in (HOSTILE, "we`ird|a.log"):
        (tmp_path / name).write_text(LOG.splitlines()[0] + "\n", encoding="utf-8")


def render_html(markdown: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(markdown)


def test_markdown_escapes_file_names_in_the_codes_table_and_code_spans(hostile):
    """Regression: a file named like an HTML tag went into the table raw; a backtick broke the
    code span of "First seen at"; an escaped ``\\|`` in a code span showed its backslash."""
    md = done("report", HOSTILE, "we`ird|a.log", "-f", "markdown").stdout
    row = next(line for line in md.splitlines() if line.startswith("| native | 1001 "))
    assert row == (
        "| native | 1001 | CONTACT_REACH_LIMIT | contact | limit | 2 | 100.0% | 2024-05-01T10:13:53.118 "
        "| 2024-05-01T10:13:53.118 | &lt;img src=x onerror=alert(1)&gt;.log, we\\`ird\\|a.log |"
    )
    assert "First seen at `<img src=x onerror=alert(1)>.log:1`:" in md.splitlines()
    html = render_html(md)
    assert "<img" not in html
    assert "<td>&lt;img src=x onerror=alert(1)&gt;.log, we`ird|a.log</td>" in html
    assert "<code>&lt;img src=x onerror=alert(1)&gt;.log:1</code>" in html


def test_markdown_code_spans_are_fenced_longer_than_any_backtick_run():
    assert code("we`ird|``name.log:3") == "```we`ird|``name.log:3```"
    assert code("`x`") == "`` `x` ``"
    assert render_html(code("we`ird|``name.log:3")) == "<p><code>we`ird|``name.log:3</code></p>\n"
    assert render_html(code("`x`")) == "<p><code>`x`</code></p>\n"


@pytest.mark.parametrize(
    "value",
    [
        HOSTILE,
        "a|b\\|c",
        "`code` and ``more``",
        "__init__.py *bold* [link](https://example.com) ![img](x) ~~gone~~ $x$",
        "&amp; &lt;b&gt; <b>bold</b> line\nbreak",
        "trailing backslash \\",
    ],
)
def test_markdown_table_cells_show_exactly_their_text(value):
    html = render_html(table(["h"], [[value]]))
    shown = re.search(r"<td>(.*)</td>", html, re.S).group(1)  # type: ignore[union-attr]
    expected = value.replace("\n", " ").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert shown == expected
    assert text("file_name_2024-05-01.log") == "file_name_2024-05-01.log"  # stays readable


def test_github_step_summary_escapes_the_file_names(hostile, tmp_path):
    summary = tmp_path / "summary.md"
    r = invoke("check", HOSTILE, "-f", "github", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert r.exit_code == 1
    md = summary.read_text(encoding="utf-8")
    row = next(line for line in md.splitlines() if line.startswith("| native | 1001 "))
    assert row.startswith(
        "| native | 1001 | CONTACT_REACH_LIMIT | 1 | limit | &lt;img src=x onerror=alert(1)&gt;.log:1 | "
    )
    assert "<img" not in render_html(md)


def test_junit_stays_valid_xml_with_ansi_colours(tmp_path):
    log = tmp_path / "ansi.log"
    log.write_text(
        "\x1b[31m[2024/05/01 10:20:01:000]: login failed, code: 208, desc: x\x1b[0m\n", encoding="utf-8"
    )
    out = tmp_path / "out.xml"
    assert invoke("check", log, "-f", "junit", "-o", out).exit_code == 1
    failure = ET.parse(out).getroot().find("testsuite/testcase/failure")
    assert "\\x1b[31m" in failure.text

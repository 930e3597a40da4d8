"""Markdown links in catalogue texts: text and address in the terminal, links in Markdown,
the step summary and HTML; links that are not public become the public page or go."""

from __future__ import annotations

import json

import pytest
from markdown_it import MarkdownIt

from logscan.decode import links

from ..conftest import done, invoke

REGISTRATION = "https://docs.agora.io/en/agora-chat/restful-api/user-system-registration"
LOG = (
    "E/ChatDemo(1): Login failed! code: 214 error: too many devices\n"
    "E/ChatDemo(1): Login failed! code: 101 error: bad user\n"
    "E/ChatDemo(1): Login failed! code: 208 error: register\n"
)
CAUSE_214 = (
    "If a user ID has logged in at four devices, when the user tries logging in at a fifth device, "
    "the SDK returns this error code. If you want a user to log in at more than four devices, contact "
)
CAUSE_101 = "The user ID is empty, or the format of the parameter is incorrect. Use a "
CAUSE_208 = "When you call the server registration method, the parameter passed is empty or invalid. See "


@pytest.fixture
def log(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.log").write_text(LOG, encoding="utf-8")
    return "a.log"


def test_links_are_read_once_and_made_public():
    assert links.parts("contact [support@agora.io](mailto:support@agora.io).") == [
        ("contact ", None), ("support@agora.io", "mailto:support@agora.io"), (".", None),
    ]  # fmt: skip
    internal = "[valid user ID](https://confluence.agoralab.co/pages/viewpage.action?pageId=846791321)"
    assert links.parts(internal) == [("valid user ID", REGISTRATION)]
    assert links.parts("[API](./agora_chat_restful_registration)") == [("API", REGISTRATION)]
    assert links.parts("[wiki](https://wiki.agoralab.co/x) and [page](./somewhere_else)") == [
        ("wiki", None), (" and ", None), ("page", None),
    ]  # fmt: skip
    assert links.render("[x](https://example.com/a) [y] (z)") == "x (https://example.com/a) [y] (z)"


def test_the_terminal_shows_text_and_address(log):
    out = done("report", log, env={"COLUMNS": "400"}).stdout
    assert f"    Cause/fix: {CAUSE_214}support@agora.io.\n" in out
    assert f"    Cause/fix: {CAUSE_101}valid user ID ({REGISTRATION}).\n" in out
    assert f"    Cause/fix: {CAUSE_208}User registration RESTful API ({REGISTRATION}).\n" in out
    explain = done("explain", "101", "--sdk", "native", env={"COLUMNS": "400"}).stdout
    assert f"cause/fix    {CAUSE_101}valid user ID ({REGISTRATION}).\n" in explain
    assert "confluence" not in explain and "](" not in explain


def test_markdown_and_the_step_summary_keep_the_links(log, tmp_path):
    """Regression: the step summary showed ``\\[support@agora.io\\](mailto:support@agora.io)``."""
    md = done("report", log, "-f", "markdown").stdout
    assert f"**Cause / fix:** {CAUSE_214}[support@agora.io](mailto:support@agora.io)." in md.splitlines()
    assert f"**Cause / fix:** {CAUSE_101}[valid user ID]({REGISTRATION})." in md.splitlines()
    html = MarkdownIt("commonmark").render(md)
    assert '<a href="mailto:support@agora.io">support@agora.io</a>' in html
    summary = tmp_path / "summary.md"
    r = invoke("check", log, "-f", "github", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert r.exit_code == 1
    rows = summary.read_text(encoding="utf-8").splitlines()
    assert (
        f"| native | 214 | USER_LOGIN_TOO_MANY_DEVICES | 1 | limit | a.log:1 | {CAUSE_214}"
        "[support@agora.io](mailto:support@agora.io). |"
    ) in rows
    assert (
        f"| native | 208 | USER_REG_FAILED | 1 | client-bug | a.log:3 | {CAUSE_208}"
        f"[User registration RESTful API]({REGISTRATION}). |"
    ) in rows
    assert "\\[" not in summary.read_text(encoding="utf-8")
    assert f"Cause/fix: {CAUSE_101}valid user ID ({REGISTRATION})." in r.stdout


def test_sarif_help_has_text_and_markdown(log):
    sarif = json.loads(done("check", log, "-f", "sarif", exit_code=1).stdout)
    help_ = {rule["id"]: rule["help"] for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert help_["native/214"] == {
        "text": f"{CAUSE_214}support@agora.io.",
        "markdown": f"{CAUSE_214}[support@agora.io](mailto:support@agora.io).",
    }

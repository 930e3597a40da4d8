"""logscan catalogue check: every problem of every file in one run."""

from __future__ import annotations

from ..conftest import invoke

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

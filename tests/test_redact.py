"""Redaction of secrets: a quoted value is masked up to its closing quote, whatever it holds;
an unquoted one up to its delimiter; nothing around the secret is eaten."""

from __future__ import annotations

import json

import polars as pl
import pytest

from logscan.redact import redact_expr, redact_text

from .conftest import invoke

CASES = [
    # The three lines of the black-box report (a space, an escaped quote, a comma in the secret).
    ("password='hunter2 SECRETTAIL'", "password='[REDACTED]'"),
    (
        r'ChatError{code=201, description="password: \"correct horse battery\""}',
        r'ChatError{code=201, description="password: \"[REDACTED]\""}',
    ),
    ('"token" : "SECRET,ZZ"', '"token" : "[REDACTED]"'),
    # Each quote style, with what follows kept.
    ("login failed, password='a b, c;d', code=202", "login failed, password='[REDACTED]', code=202"),
    ('{"password": "a b}c", "code": 202}', '{"password": "[REDACTED]", "code": 202}'),
    ('secret: "x y" code=5', 'secret: "[REDACTED]" code=5'),
    (r"password=\"x y, z\", code=5", r"password=\"[REDACTED]\", code=5"),
    (r"password=\'x y\' z", r"password=\'[REDACTED]\' z"),
    # Escaped quotes inside the quoted secret.
    (r'secret="a\"b, c" ok', 'secret="[REDACTED]" ok'),
    (r"app_secret='it\'s here', code=3", "app_secret='[REDACTED]', code=3"),
    (r"password: \"a\\\"b c\" x", r"password: \"[REDACTED]\" x"),
    # JSON inside a string (escaped key and value quotes); was not masked at all.
    (r"{\"password\":\"a b\", \"code\":1}", r"{\"password\":\"[REDACTED]\", \"code\":1}"),
    # Other key names get the same treatment.
    (
        '"refresh_token":"r t","access_token":"a,t"}',
        '"refresh_token":"[REDACTED]","access_token":"[REDACTED]"}',
    ),
    ("api_key = 'k 1';next", "api_key = '[REDACTED]';next"),
    ('{"client_secret" : "s, s", "pwd": "p w"}', '{"client_secret" : "[REDACTED]", "pwd": "[REDACTED]"}'),
    ("passwd='p q' app_token='t u'", "passwd='[REDACTED]' app_token='[REDACTED]'"),
    ('Authorization: "Bearer abc def", x', 'Authorization: "Bearer [REDACTED]", x'),
    ('"authorization": "abc def"}', '"authorization": "[REDACTED]"}'),
    # A quote never closed (a description captured up to the line's end): masked to the end.
    ("password='hunter2 SECRETTAIL", "password='[REDACTED]"),
    ('{"token" : "SECRET,ZZ', '{"token" : "[REDACTED]'),
    ('password: "abc def\\', 'password: "[REDACTED]'),
    # Unquoted values: as before, up to the delimiter.
    ("pwd=abc,def", "pwd=[REDACTED],def"),
    ("token: abc} code=5", "token: [REDACTED]} code=5"),
    ("ChatError{code=201, token=abc}", "ChatError{code=201, token=[REDACTED]}"),
    ("password=hunter2 SECRETTAIL", "password=[REDACTED] SECRETTAIL"),
    ("Authorization: Bearer abc def", "Authorization: Bearer [REDACTED] def"),
    ("Authorization: abc", "Authorization: [REDACTED]"),
    ("authorization=abc", "authorization=[REDACTED]"),
    # An empty value stays empty.
    ('password="" code=5', 'password="" code=5'),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_redact_text(text, expected):
    assert redact_text(text) == expected


def test_the_expression_masks_every_row_alike():
    texts = [text for text, _ in CASES]
    got = pl.DataFrame({"t": texts}).select(redact_expr(pl.col("t"))).to_series().to_list()
    assert got == [expected for _, expected in CASES]


def test_events_mask_quoted_secrets_in_text_and_description(tmp_path):
    """Regression (black-box report): `logscan events` leaked the tail of quoted secrets."""
    log = tmp_path / "q.log"
    log.write_text(
        "E/ChatDemo(1): login error code: 202, description: password='hunter2 SECRETTAIL'\n"
        'E/ChatDemo(1): ChatError{code=201, description="password: \\"correct horse battery\\""}\n'
        'E/ChatDemo(1): login error code: 202, description: {"token" : "SECRET,ZZ"}\n',
        encoding="utf-8",
    )
    r = invoke("events", log)
    assert r.exit_code == 0
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["text"] for row in rows] == [
        "E/ChatDemo(1): login error code: 202, description: password='[REDACTED]'",
        'E/ChatDemo(1): ChatError{code=201, description="password: \\"[REDACTED]\\""}',
        'E/ChatDemo(1): login error code: 202, description: {"token" : "[REDACTED]"}',
    ]
    for row in rows:
        for leak in ("hunter2", "SECRETTAIL", "correct", "horse", "battery", "SECRET,", "ZZ"):
            assert leak not in row["text"] and leak not in (row["description"] or ""), (leak, row)

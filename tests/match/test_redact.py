"""Redaction of secrets: a quoted value is masked up to its closing quote, whatever it holds;
an unquoted one up to its delimiter; nothing around the secret is eaten."""

from __future__ import annotations

import json

import polars as pl
import pytest

from logscan.match.redact import redact_expr

from ..conftest import done, invoke


def redact_text(text: str, *, users: bool = False) -> str:
    return pl.select(redact_expr(pl.lit(text), users=users)).item()


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


# ---------------------------------------------------------------- keys that end in a secret's name

#: (shape, as shown): every value holds ``Zq..Zq``, so that a leak is easy to find in any output.
SECRET_SHAPES = [
    ("userToken=Zq01Zq", "userToken=[REDACTED]"),
    ("agoraToken: Zq02Zq", "agoraToken: [REDACTED]"),
    ("chatToken=Zq03Zq", "chatToken=[REDACTED]"),
    ("rtcToken=Zq04Zq", "rtcToken=[REDACTED]"),
    ("deviceToken=Zq05Zq", "deviceToken=[REDACTED]"),
    ("userPassword=Zq06Zq", "userPassword=[REDACTED]"),
    ("newPassword: Zq07Zq", "newPassword: [REDACTED]"),
    ("secret_key=Zq08Zq", "secret_key=[REDACTED]"),
    ("x-api-key: Zq09Zq", "x-api-key: [REDACTED]"),
    ("Cookie: session=Zq10Zq", "Cookie: [REDACTED]"),
    ("token%3DZq11Zq", "token%3D[REDACTED]"),
    ('"userToken": "Zq12Zq"', '"userToken": "[REDACTED]"'),
    ("'agoraToken': 'Zq13Zq'", "'agoraToken': '[REDACTED]'"),
    (r"{\"chatToken\":\"Zq14Zq\"}", r"{\"chatToken\":\"[REDACTED]\"}"),
    ("USER_TOKEN=Zq15Zq", "USER_TOKEN=[REDACTED]"),
    ("user-token: Zq16Zq", "user-token: [REDACTED]"),
    ("user.token=Zq17Zq", "user.token=[REDACTED]"),
    ("AccessToken = Zq18Zq", "AccessToken = [REDACTED]"),
    ("refresh_token=Zq19Zq", "refresh_token=[REDACTED]"),
    ("id_token=Zq20Zq", "id_token=[REDACTED]"),
    ("app_secret=Zq21Zq", "app_secret=[REDACTED]"),
    ("clientSecret: Zq22Zq", "clientSecret: [REDACTED]"),
    ("SECRET=Zq23Zq", "SECRET=[REDACTED]"),
    ("api_key=Zq24Zq", "api_key=[REDACTED]"),
    ("apiKey: Zq25Zq", "apiKey: [REDACTED]"),
    ("APIKEY=Zq26Zq", "APIKEY=[REDACTED]"),
    ('privateKey="Zq27Zq"', 'privateKey="[REDACTED]"'),
    ("X-Api-Key: Zq28Zq", "X-Api-Key: [REDACTED]"),
    ("Set-Cookie: sid=Zq29Zq; Path=/", "Set-Cookie: [REDACTED]"),
    ("sessionCookie=Zq30Zq", "sessionCookie=[REDACTED]"),
    ("session=Zq31Zq", "session=[REDACTED]"),
    ("sessionId=Zq32Zq", "sessionId=[REDACTED]"),
    ("SESSION_ID: Zq33Zq", "SESSION_ID: [REDACTED]"),
    ("password%3DZq34Zq", "password%3D[REDACTED]"),
    ("passwd=Zq35Zq", "passwd=[REDACTED]"),
    ("pwd: Zq36Zq", "pwd: [REDACTED]"),
    ("dbPassword = 'Zq37 Zq'", "dbPassword = '[REDACTED]'"),
    ("key=Zq38Zq", "key=[REDACTED]"),
    ("GET /v1?access_token=Zq39Zq&x=1", "GET /v1?access_token=[REDACTED]&x=1"),
    ("Authorization: Bearer Zq40Zq", "Authorization: Bearer [REDACTED]"),
    ('"refreshToken" : "Zq41 Zq, x"', '"refreshToken" : "[REDACTED]"'),
    ("pushToken:Zq42Zq", "pushToken:[REDACTED]"),
    ("fcmToken=Zq43Zq", "fcmToken=[REDACTED]"),
    ("imToken%3dZq44Zq", "imToken%3d[REDACTED]"),
    ("Cookie: a=Zq45Zq; b=Zq45Zq", "Cookie: [REDACTED]"),
    ("appKey=Zq46Zq", "appKey=[REDACTED]"),
]

#: Words that name no secret: shown as they are.
HARMLESS = [
    "keyboard=3", "monkey=banana", "turkey: 5", "hockey=1", "tokenizer=bert", "tokens: 12",
    "key: 208", "Key=13", "keyCode=13", "keyId=7", "passwordless=true", "session_count=3",
    "token expired", "password incorrect", "secrets manager", "cookies: 2",
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), SECRET_SHAPES)
def test_keys_that_end_in_a_secret_s_name_are_masked(text, expected):
    """Regression: keys with a prefix (``userToken=``, ``agoraToken:``, ``x-api-key:``, ``Cookie:
    session=``, ``token%3D``) were shown as they were."""
    assert redact_text(text) == expected
    assert redact_text(expected) == expected  # a mask is not masked again


@pytest.mark.parametrize("text", HARMLESS)
def test_words_that_name_no_secret_are_kept(text):
    assert redact_text(text) == text


def test_every_secret_shape_is_masked_in_every_output_and_every_code_found(tmp_path):
    """Regression: the prefixed keys leaked through every output (report, events, check)."""
    import re

    log = tmp_path / "secrets.log"
    lines = [
        f"[2024/05/01 10:20:{n:02d}:000]: login failed code: {9000 + n}, desc: {text} end\n"
        for n, (text, _) in enumerate(SECRET_SHAPES)
    ]
    log.write_text("".join(lines), encoding="utf-8")
    leak = re.compile("Zq[0-9]")
    outputs = {}
    for fmt in ("json", "markdown", "csv", "html", "table"):
        r = invoke("report", log, "-f", fmt)
        assert r.exit_code == 0, fmt
        outputs[f"report {fmt}"] = r.stdout
    data = json.loads(outputs["report json"])
    assert (data["events"], len(data["codes"])) == (len(SECRET_SHAPES), len(SECRET_SHAPES))  # all found
    shown = {c["code"]: c["sample"]["text"] for c in data["codes"]}
    assert [shown[9000 + n] for n in range(len(SECRET_SHAPES))] == [
        f"[2024/05/01 10:20:{n:02d}:000]: login failed code: {9000 + n}, desc: {expected} end"
        for n, (_, expected) in enumerate(SECRET_SHAPES)
    ]
    for fmt in ("ndjson", "csv", "json"):
        r = invoke("events", log, "-f", fmt)
        assert r.exit_code == 0, fmt
        outputs[f"events {fmt}"] = r.stdout
    out = tmp_path / "events.parquet"
    assert invoke("events", log, "-o", out).exit_code == 0
    frame = pl.read_parquet(out)
    assert frame.height == len(SECRET_SHAPES)
    outputs["events parquet"] = "\n".join(frame["text"].to_list() + frame["description"].to_list())
    for fmt in ("text", "github", "sarif", "junit", "json"):
        r = invoke("check", log, "-f", fmt)
        assert r.exit_code == 1, fmt
        outputs[f"check {fmt}"] = r.stdout
    for name, text in outputs.items():
        assert not leak.search(text), (name, leak.findall(text)[:3])
    for name in ("report csv", "report html", "events ndjson", "events csv", "events json", "check junit"):
        assert outputs[name].count("[REDACTED]") >= len(SECRET_SHAPES), name
    assert leak.search(done("events", log, "--no-redact").stdout)  # --no-redact shows them

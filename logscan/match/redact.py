"""Redaction of secrets in log text, applied to every output that carries it.

Rules are regexes for polars' engine, applied in order. By default they mask
credentials (the values of keys that end in token, password, secret, key, cookie
or session, Authorization/Bearer values, JWTs, Agora/Easemob token strings) and
e-mail addresses; ``users=True`` also masks user ids. They apply to the text
shown, never to the text matched: a code beside a secret is still found.
"""

from __future__ import annotations

import polars as pl

MASK = "[REDACTED]"

#: A key that names a secret: one that ends in token, password, secret or session
#: (``userToken``, ``agoraToken``, ``newPassword``, ``app_secret``), in any case and whatever
#: its prefix; or in key where that is a word of its own (``secret_key``, ``x-api-key``,
#: ``apiKey``, ``APIKEY``; ``key`` alone: :data:`_BARE_KEY`). The key ends there: ``monkey``,
#: ``keyboard``, ``tokenizer`` and ``tokens`` name no secret. Cookies: :data:`DEFAULT_RULES`.
_PREFIX = r"(?-u:\b)[A-Za-z0-9_.-]*"
_SECRET_KEYS = (
    rf"{_PREFIX}(?:token|password|passwd|pwd|secret|session(?:_?id)?"
    r"|[-_.]key|(?-i:[a-z0-9]Key)|(?:api|app|access|secret|private|auth|client|master|signing|encryption|license)key)"
)
#: A value up to its delimiter; not one that begins with ``[`` (a mask already there).
_UNQUOTED = r"[^\s,;'\"&}\])\[][^\s,;'\"&}\])]*"
#: ``key`` alone names a secret when its value is more than a number (``key: 208`` is a code).
_BARE_KEY_VALUE = r"(?:[^\s,;'\"&}\])\[][^\s,;'\"&}\])]*)?[^\d\s,;'\"&}\])\[][^\s,;'\"&}\])]*"

#: A key's own closing quote (plain or backslash-escaped) and its ``:``, ``=`` or ``%3D``
#: (``=`` URL-encoded), spaces around.
_SEP = r"(?:\\?[\"'])?\s*(?:[:=]|%3[dD])\s*"

#: Quoted values, one alternative per quote style (no backreferences in polars'
#: engine): (opening quote, content). The content runs to the closing quote
#: whatever it holds (spaces, commas, escaped quotes), or to the end of the text
#: when the quote is never closed (a description captured up to the line's end).
_QUOTES: tuple[tuple[str, str], ...] = (
    # \"...\" (a JSON string inside a string): an escaped quote inside is \\\"
    (r'\\"', r'\\\\\\["\\]|\\\\[^"\\]|\\[^"\\]|[^"\\]'),
    (r"\\'", r"\\\\\\['\\]|\\\\[^'\\]|\\[^'\\]|[^'\\]"),
    (r'"', r'\\.|[^"\\]'),
    (r"'", r"\\.|[^'\\]"),
)


def _value_rule(key: str, unquoted: str, scheme: str = "") -> tuple[str, str]:
    """(regex, replacement) masking the value after ``key``: a quoted value up to
    its closing quote (which is kept), an unquoted one up to ``unquoted``'s end.
    ``scheme`` (optional, e.g. ``Bearer ``) is kept in front of the mask."""
    scheme_group = f"({scheme})?" if scheme else "()"
    alternatives, opens, closes = [], [], []
    group = 2
    for quote, content in _QUOTES:
        alternatives.append(f"({quote}){scheme_group}(?:{content})+(?:({quote})|\\\\?$)")
        opens.append(f"${{{group}}}${{{group + 1}}}")
        closes.append(f"${{{group + 2}}}")
        group += 3
    alternatives.append(f"{scheme_group}{unquoted}")
    opens.append(f"${{{group}}}")
    pattern = f"(?i)({key}{_SEP})(?:{'|'.join(alternatives)})"
    return pattern, f"${{1}}{''.join(opens)}{MASK}{''.join(closes)}"


#: (regex, replacement) pairs, applied in order.
DEFAULT_RULES: tuple[tuple[str, str], ...] = (
    # Authorization: Bearer xxx / Authorization=xxx / "Authorization": "Basic xxx"
    _value_rule(r"authorization", r"[^\s,;'\"}]+", scheme=r"(?:bearer|basic)\s+"),
    (r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+", f"${{1}} {MASK}"),
    # Cookie: a=1; b=2 / sessionCookie=x (every pair of the header)
    _value_rule(rf"{_PREFIX}cookie", rf"{_UNQUOTED}(?:;\s*{_UNQUOTED})*"),
    # key=value, key: value, "key": "value", key='value', key=\"value\", key%3Dvalue
    _value_rule(f"(?:{_SECRET_KEYS})", _UNQUOTED),
    _value_rule(r"\bkey", _BARE_KEY_VALUE),
    # JSON Web Tokens and Agora / Easemob token strings wherever they stand
    (r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*", MASK),
    (r"\b(?:YWMt|007eJ|006[0-9a-f]{8})[A-Za-z0-9+/=_-]{16,}", MASK),
    # e-mail addresses
    (r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", "[EMAIL]"),
)

USER_RULES: tuple[tuple[str, str], ...] = (
    (
        r"(?i)\b(user_?name|user_?id|userid|username|uid|from|to|target|member|owner|id)"
        r"([\"']?\s*[:=]\s*[\"']?)[A-Za-z0-9_.@-]+",
        "${1}${2}[USER]",
    ),
)


def redact_expr(expr: pl.Expr, *, users: bool = False) -> pl.Expr:
    """``expr`` (a String expression) with the redaction rules applied."""
    rules = DEFAULT_RULES + (USER_RULES if users else ())
    for pattern, replacement in rules:
        expr = expr.str.replace_all(pattern, replacement)
    return expr.str.replace_all(r"  +\[REDACTED\]", f" {MASK}")

"""Redaction of secrets in log text, applied to every output that carries it.

Rules are regexes for polars' engine, applied in order. By default they mask
credentials (tokens, passwords, Authorization/Bearer values, access tokens,
app secrets, JWTs, Agora/Easemob token strings) and e-mail addresses;
``users=True`` also masks user ids.
"""

from __future__ import annotations

import polars as pl

MASK = "[REDACTED]"

_SECRET_KEYS = (
    r"access_?token|refresh_?token|auth_?token|token|password|passwd|pwd|"
    r"app_?secret|client_?secret|secret|api_?key|app_?token"
)

#: A key's own closing quote (plain or backslash-escaped) and its ``:``/``=``.
_SEP = r"(?:\\?[\"'])?\s*[:=]\s*"

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
    # key=value, key: value, "key": "value", key='value', key=\"value\"
    _value_rule(rf"\b(?:{_SECRET_KEYS})", r"[^\s,;'\"&}\])]+"),
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


def redact_text(text: str, *, users: bool = False) -> str:
    """Redact one string (for the few places that hold text outside a frame)."""
    return pl.select(redact_expr(pl.lit(text), users=users)).item()

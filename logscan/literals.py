"""Required literals of a regex: strings one of which every match must contain.

The engine uses them as its first, cheapest filter: a line that contains none
of the literals of any pattern cannot match, so the full patterns only run on
the lines that do. The analysis walks Python's parse tree of the regex (the
patterns are written in the syntax Python and Rust share); when a pattern
cannot be analysed, or has no literal of useful length, there is no literal
filter at all rather than a risk of missing a line.
"""

from __future__ import annotations

import re
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser as _p  # type: ignore[attr-defined]

#: Shortest literal worth filtering on (shorter ones match almost every line).
MIN_LENGTH = 3

Literal = tuple[str, bool]  # (text, case-insensitive)


def required_literals(regex: str) -> list[Literal] | None:
    """Literals one of which any match of ``regex`` contains, or None if there are none."""
    try:
        parsed = _p.parse(regex)
    except (re.error, OverflowError, RecursionError):
        return None
    found = _sequence(list(parsed), bool(parsed.state.flags & re.IGNORECASE))
    if not found or min(len(text) for text, _ in found) < MIN_LENGTH:
        return None
    return sorted(found)


def literal_filter(regexes: list[str]) -> str | None:
    """One regex that matches any required literal of any of ``regexes`` (None if one has none)."""
    parts: set[Literal] = set()
    for regex in regexes:
        literals = required_literals(regex)
        if literals is None:
            return None
        parts.update(literals)
    # A literal that contains another one adds nothing: a line with it has the other too.
    parts = {a for a in parts if not any(b != a and b[1] == a[1] and b[0] in a[0] for b in parts)}
    return "|".join(f"(?i:{escape(t)})" if ci else escape(t) for t, ci in sorted(parts)) or None


def _score(options: set[Literal]) -> tuple[int, int]:
    return (min(len(t) for t, _ in options), -len(options))


#: A class of at most this many single characters (``[Cc]``) joins a literal run as variants.
_MAX_VARIANTS = 8


def _sequence(items: list[tuple[object, object]], ignorecase: bool) -> set[Literal] | None:
    """The best literal set of a concatenation: its longest literal run, or a child's set.

    A small class of single characters inside a run multiplies it into variants,
    so ``[Cc]ode`` requires ``Code`` or ``code`` rather than just ``ode``.
    """
    candidates: list[set[Literal]] = []
    run: set[str] = {""}

    def flush() -> None:
        nonlocal run
        if run != {""}:
            candidates.append({(text.lower() if ignorecase else text, ignorecase) for text in run})
        run = {""}

    for op, av in items:
        if op is _c.LITERAL:
            run = {text + chr(av) for text in run}  # type: ignore[arg-type]
            continue
        chars = _small_class(op, av)
        if chars and len(run) * len(chars) <= _MAX_VARIANTS:
            run = {text + ch for text in run for ch in chars}
            continue
        flush()
        found = _item(op, av, ignorecase)
        if found:
            candidates.append(found)
    flush()
    return max(candidates, key=_score) if candidates else None


def _small_class(op: object, av: object) -> list[str] | None:
    """The characters of ``[abc]`` (single characters only), else None."""
    if op is not _c.IN:
        return None
    items = list(av)  # type: ignore[call-overload]
    if not items or any(kind is not _c.LITERAL for kind, _ in items):
        return None
    return [chr(code) for _, code in items]


def _item(op: object, av: object, ignorecase: bool) -> set[Literal] | None:
    if op is _c.SUBPATTERN:
        _group, add_flags, del_flags, pattern = av  # type: ignore[misc]
        flag = (ignorecase or bool(add_flags & re.IGNORECASE)) and not bool(del_flags & re.IGNORECASE)
        return _sequence(list(pattern), flag)
    if op is _c.BRANCH:
        union: set[Literal] = set()
        for branch in av[1]:  # type: ignore[index]
            found = _sequence(list(branch), ignorecase)
            if not found:
                return None
            union |= found
        return union
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        low, _high, pattern = av  # type: ignore[misc]
        return _sequence(list(pattern), ignorecase) if low >= 1 else None
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _sequence(list(av), ignorecase)  # type: ignore[arg-type]
    return None


_META = set("\\.+*?()|[]{}^$")


def escape(text: str) -> str:
    """Escape the regex meta characters of ``text`` (the subset both engines agree on)."""
    return "".join("\\" + ch if ch in _META else ch for ch in text)

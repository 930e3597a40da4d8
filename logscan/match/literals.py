"""Required literals of regexes: the engine's first, cheapest filter.

Every match of a pattern contains one literal of each of its *clauses* (``[Cc]ode\\s*:``
has the clause ``{Code, code}``). The filter keeps a line when it holds one
chosen literal per pattern, so most lines are dropped by a plain literal
search before any pattern runs. For each pattern the clause chosen is one that
the literals already chosen for other patterns cover, if it has one (it then
costs nothing), else the one that adds fewest literals to theirs
(``[Cc]ode|CODE`` adds ``CODE``), else its most selective one (longest
literals, fewest of them). The analysis walks Python's parse tree of the regex (patterns are
written in the syntax Python and Rust share); when a pattern cannot be
analysed, or has no literal of useful length, there is no literal filter at
all rather than a risk of missing a line.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Iterable
from re import _constants as _c  # type: ignore[attr-defined]  # private, not in typeshed
from re import _parser as _p  # type: ignore[attr-defined]  # private, not in typeshed
from typing import Any

#: Shortest literal worth filtering on (shorter ones match almost every line).
MIN_LENGTH = 3
#: Alternatives (``[Cc]``, ``(?:Chat|EM)``) multiply a literal run into at most this many variants.
MAX_VARIANTS = 8

Literal = tuple[str, bool]  # (text, case-insensitive)
Clause = frozenset[Literal]


#: Syntax that Python's parser reads differently from the Rust engine the patterns
#: run on (POSIX classes and nested sets, spaced or bare repetitions, word-boundary
#: variants, Unicode classes, verbose mode): a pattern using any gets no literal filter.
_FOREIGN = re.compile(
    r"\[\[|\{\s*\d*\s*,?\s*\d*\s*\}(?<=\s\})|\{\s+\d|\{\d+\s|\{\d*\s*,\s+|\\[bBpPzZ]\{|\\[pP]|\(\?[a-zA-Z-]*x"
)


def parse(regex: str) -> Any:
    """Python's parse tree of ``regex`` where it is surely the engine's reading too (else None):
    a ``re._parser.SubPattern``, which typeshed does not describe."""
    if _FOREIGN.search(regex):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a warning means the parse may not be Rust's
            return _p.parse(regex)
    except (re.error, OverflowError, RecursionError, Warning):
        return None


def required_clauses(regex: str) -> list[Clause] | None:
    """Every literal requirement of ``regex``: a match holds one literal of each clause."""
    parsed = parse(regex)
    if parsed is None:
        return None
    clauses = _clauses(list(parsed), bool(parsed.state.flags & re.IGNORECASE))
    useful = [c for c in clauses if min(len(t) for t, _ in c) >= MIN_LENGTH]
    return useful or None


def literal_filter(regexes: list[str]) -> str | None:
    """One regex that matches a chosen literal of every pattern (None if one has none)."""
    found = [required_clauses(r) for r in regexes]
    per_pattern = [c for c in found if c is not None]
    if not found or len(per_pattern) < len(found):
        return None
    chosen = [max(clauses, key=_score) for clauses in per_pattern]
    # The literals the patterns chose, with how many chose each: a pattern's clause is free
    # where the others' literals already cover it (linear in the patterns: thousands load fast).
    others = _Cover(lit for clause in chosen for lit in clause)
    for _round in range(2):
        for i, clauses in enumerate(per_pattern):
            if len(clauses) == 1:
                continue
            others.remove(chosen[i])
            free = [c for c in clauses if others.uncovered(c) == 0]
            if free:  # the one most others' literals cover (they converge on ``code``)
                chosen[i] = max(free, key=lambda c: (others.support(c), _score(c)))
            else:
                # None is free: the clause that adds the fewest literals to the others'
                # (``[Cc]ode|CODE`` adds ``CODE`` where ``Code`` and ``code`` are there already).
                cheapest = min(clauses, key=lambda c: (others.uncovered(c), *(-x for x in _score(c))))
                if others.uncovered(cheapest) < others.uncovered(chosen[i]):
                    chosen[i] = cheapest
            others.add(chosen[i])
    literals = _shortest_shared(_minimal(set().union(*chosen)))
    return "|".join(f"(?i:{escape(t)})" if ci else escape(t) for t, ci in sorted(literals))


class _Cover:
    """Literals (with how many chose each), asked whether a line holding a literal certainly
    holds one of them (one is part of it): looked up by the literal's parts, so that the cost
    does not grow with the number of literals."""

    def __init__(self, literals: Iterable[Literal] = ()) -> None:
        self.counts: Counter[Literal] = Counter()
        self.lengths: Counter[int] = Counter()
        self.add(literals)

    def add(self, literals: Iterable[Literal]) -> None:
        for literal in literals:
            self.counts[literal] += 1
            self.lengths[len(literal[0])] += 1

    def remove(self, literals: Iterable[Literal]) -> None:
        for literal in literals:
            self.counts[literal] -= 1
            self.lengths[len(literal[0])] -= 1

    def covering(self, literal: Literal, *, proper: bool = False) -> int:
        """How many chose a literal that is part of ``literal`` (``proper``: other than itself)."""
        text, ci = literal
        found = 0
        for n, seen in self.lengths.items():
            if seen <= 0 or n > len(text) or (proper and n == len(text)):
                continue
            found += sum(max(self.counts[(text[i : i + n], ci)], 0) for i in range(len(text) - n + 1))
        return found

    def covers(self, literal: Literal, *, proper: bool = False) -> bool:
        """Whether one of the literals is part of ``literal`` (``proper``: other than itself)."""
        return self.covering(literal, proper=proper) > 0

    def support(self, clause: Clause) -> int:
        """How well the literals cover ``clause``: the fewest that cover one of its literals."""
        return min(self.covering(lit) for lit in clause)

    def uncovered(self, clause: Clause) -> int:
        return sum(not self.covers(lit) for lit in clause)


def _minimal(literals: set[Literal]) -> set[Literal]:
    """Drop literals that contain another one: a line with the longer has the shorter too."""
    cover = _Cover(literals)
    return {lit for lit in literals if not cover.covers(lit, proper=True)}


#: Literals longer than this are searched by a part of them (a line holding the literal holds
#: every part of it): the part most of the others share, so that many long literals (user
#: patterns with prefixes of their own) become few short ones, which the search finds faster.
MAX_LITERAL = 12


def _shortest_shared(literals: set[Literal]) -> set[Literal]:
    """``literals`` with each one longer than MAX_LITERAL replaced by its most shared part."""
    long = [lit for lit in literals if len(lit[0]) > MAX_LITERAL]
    if not long:
        return literals

    def parts(text: str, ci: bool) -> list[Literal]:
        return [(text[i : i + MAX_LITERAL], ci) for i in range(len(text) - MAX_LITERAL + 1)]

    shared: Counter[Literal] = Counter(part for text, ci in long for part in set(parts(text, ci)))
    out = {lit for lit in literals if len(lit[0]) <= MAX_LITERAL}
    # The most shared part; at a tie the last (nearest the code, in most patterns).
    out |= {max(reversed(parts(text, ci)), key=shared.__getitem__) for text, ci in long}
    return _minimal(out)


def _score(clause: Clause) -> tuple[int, int]:
    return (min(len(t) for t, _ in clause), -len(clause))


def _clauses(items: list[tuple[Any, Any]], ignorecase: bool) -> list[Clause]:
    """The clauses of a concatenation: its literal runs (with variants) and its children's."""
    out: list[Clause] = []
    run: set[str] = {""}

    def flush() -> None:
        nonlocal run
        if run != {""}:
            out.append(frozenset((t.lower() if ignorecase else t, ignorecase) for t in run))
        run = {""}

    for op, av in items:
        if op is _c.LITERAL:
            run = {text + chr(av) for text in run}
            continue
        variants = _variants(op, av, ignorecase)
        if variants and len(run) * len(variants) <= MAX_VARIANTS:
            run = {text + v for text in run for v in variants}
            continue
        flush()
        if op is _c.SUBPATTERN:
            _group, add_flags, del_flags, pattern = av
            out.extend(_clauses(list(pattern), _flag(ignorecase, add_flags, del_flags)))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
            low, _high, pattern = av
            if low >= 1:
                out.extend(_clauses(list(pattern), ignorecase))
        elif op is getattr(_c, "ATOMIC_GROUP", None):
            out.extend(_clauses(list(av), ignorecase))
        elif op is _c.BRANCH:
            union: set[Literal] = set()
            for branch in av[1]:
                best = _clauses(list(branch), ignorecase)
                if not best:
                    union = set()
                    break
                widest: Clause = max(best, key=_score)
                union |= widest
            if union:
                out.append(frozenset(union))
    flush()
    return out


def _flag(ignorecase: bool, add_flags: int, del_flags: int) -> bool:
    return (ignorecase or bool(add_flags & re.IGNORECASE)) and not bool(del_flags & re.IGNORECASE)


def _variants(op: object, av: Any, ignorecase: bool) -> list[str] | None:
    """The strings a small piece can be: ``[Cc]`` or ``(?:Chat|EM)``, else None."""
    if op is _c.IN:
        items = list(av)
        if items and all(kind is _c.LITERAL for kind, _ in items):
            return [chr(code) for _, code in items]
        return None
    if op is _c.SUBPATTERN:
        _group, add_flags, del_flags, pattern = av
        items = list(pattern)
        if _flag(ignorecase, add_flags, del_flags) != ignorecase or len(items) != 1:
            return None
        op, av = items[0]
    if op is _c.BRANCH:
        words = []
        for branch in av[1]:
            parts = list(branch)
            if not parts or any(kind is not _c.LITERAL for kind, _ in parts):
                return None
            words.append("".join(chr(code) for _, code in parts))
        return words
    return None


_META = set("\\.+*?()|[]{}^$")


def escape(text: str) -> str:
    """Escape the regex meta characters of ``text`` (the subset both engines agree on)."""
    return "".join("\\" + ch if ch in _META else ch for ch in text)

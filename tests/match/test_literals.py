"""The literal pre-filter: required literals of regexes, and that it never drops a match."""

from __future__ import annotations

import re

import pytest

from logscan.match.literals import literal_filter, required_clauses
from logscan.match.samples import load_patterns


def clauses(regex):
    found = required_clauses(regex)
    return None if found is None else sorted(sorted(t for t, _ in c) for c in found)


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        (r"failed! code: (?P<code>\d+)", [["failed! code: "]]),
        (r"\b[Cc]ode\s*[:=]\s*(?P<code>\d+)", [["Code", "code"]]),
        (r"(?:Chat|EM)Error\{code=(?P<code>\d+)", [["ChatError{code=", "EMError{code="]]),
        (r"onDisconnect(?:ed)?[ .]*(?P<code>\d+)", [["onDisconnect"]]),
        (r"(?:abc)?x(?P<code>\d+)", None),  # optional parts require nothing
        (r"(?P<code>\d+)", None),
        (r"(?:onError|WEBIM_[A-Z]+)\s+type=(?P<code>\d+)", [["WEBIM_", "onError"], ["type="]]),
        (r"(?i)Code: (?P<code>\d+)", [["code: "]]),
        (r"(unclosed", None),
    ],
)
def test_required_clauses(regex, expected):
    assert clauses(regex) == expected


def test_no_filter_when_a_pattern_has_no_literal():
    assert literal_filter([r"code: (?P<code>\d+)", r"(?P<code>\d+)!"]) is None


def test_a_pattern_takes_a_clause_the_others_already_cover():
    # the second pattern needs "code" or "message"; "code" is needed anyway
    assert literal_filter([r"code=(?P<code>\d+)", r"message: x, code=(?P<code>\d+)"]) == "code="


def test_where_no_clause_is_covered_the_one_adding_fewest_literals_is_taken():
    # "ERROR CODE: N" needs one of Error/error/ERROR and one of Code/code/CODE; Code and code
    # are needed anyway, so only CODE is added (not three spellings of "error").
    literals = literal_filter(
        [r"\b[Cc]ode\s*=(?P<code>\d+)", r"(?:[Ee]rror|ERROR)\s+(?:[Cc]ode|CODE):\s*(?P<code>\d+)"]
    )
    assert literals == "CODE|Code|code"


@pytest.mark.parametrize("pattern", load_patterns().patterns, ids=lambda p: p.name)
def test_the_bundled_filter_keeps_every_sample(pattern):
    bundled = re.compile(literal_filter([p.regex for p in load_patterns()]))
    for sample in pattern.samples:
        assert bundled.search(sample.line), sample.line


def test_long_literals_are_searched_by_the_part_they_share():
    # Twenty user patterns with a module tag each: one short literal they all hold.
    regexes = [rf"\[Mod{name}\] request rejected, reason #(?P<code>\d+)" for name in "ABCDEFGHIJKLMNOPQRST"]
    assert literal_filter(regexes) == "ed, reason #"
    # A long literal alone is cut to its last part (nearest the code).
    assert literal_filter([r"EMSessionManager::login\(\) failed: (?P<code>\d+)"]) == r"n\(\) failed: "


def test_thousands_of_patterns_are_analysed():
    """Regression: choosing each pattern's clause compared it with every other pattern's
    choice, twice (5,000 patterns: 310 s, in bench/; here a second). The literals chosen are
    looked up by their parts."""
    regexes = [rf"\[Mod{i}x\] op{i} failed, err (?P<code>\d+)" for i in range(5000)]
    regexes += [rf"(?:Chat{i}|EM{i})Error code=(?P<code>\d+)" for i in range(200)]
    found = literal_filter(regexes)
    assert found is not None and all(re.search(found, f"[Mod{i}x] op{i} failed, err 5") for i in (0, 4999))

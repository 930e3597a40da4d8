"""The matcher: lines to events, exactly as a line-by-line reference would."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from logscan.match.matcher import Matcher, match_lines, read_lines, scan_bytes
from logscan.match.samples import load_patterns

from ..conftest import ROOT

MATCHER = Matcher.build(load_patterns())
ERR = "E/ChatDemo(1234): Login failed! code: {} error: x"


def test_read_lines_keeps_empty_lines_and_strips_crlf():
    frame = read_lines(b"a\r\n\nb\nlast")
    assert frame["line"].to_list() == ["a", "", "b", "last"]
    assert frame["row"].to_list() == [0, 1, 2, 3]
    assert read_lines(b"a\n")["line"].to_list() == ["a"]
    assert read_lines(b"").height == 0


def test_invalid_utf8_is_replaced_not_dropped():
    data = b"noise \xff\xfe here\n" + (ERR.format(208) + " \xc3\x28\n").encode("latin-1")
    block = scan_bytes(data, MATCHER)
    assert block.events.select("row", "code").rows() == [(1, 208)]
    assert "\ufffd" in block.events["text"][0]
    assert block.newlines == 2


def test_nul_bytes_do_not_hide_lines():
    data = b"\x00\x00binary\x00\n" + ERR.format(300).encode() + b"\n"
    assert scan_bytes(data, MATCHER).events["code"].to_list() == [300]


def test_event_columns_and_types():
    block = scan_bytes((b"[2017/3/1 19:30:28:216]: [global listener] onDisconnect303\n"), MATCHER)
    row = block.events.row(0, named=True)
    assert row["sdk"] == "native" and row["platform"] == "core" and row["pattern"] == "core-disconnect"
    assert row["code"] == 303 and row["description"] is None
    assert row["timestamp"] == datetime(2017, 3, 1, 19, 30, 28, 216000) and row["time_precision"] == "full"
    assert block.events.schema["code"] == pl.Int64


def test_long_lines_are_capped_in_events():
    line = ERR.format(208) + " " + "x" * 5000
    text = scan_bytes(line.encode(), MATCHER).events["text"][0]
    assert len(text) < 2100 and text.endswith("…[cut]")


def _optional_description():
    """A pattern whose description may be missing from a line."""
    from logscan.match.patterns import Pattern

    return Pattern(
        "a",
        "native",
        "android",
        r"A code=(?P<code>\d+)(?: desc=(?P<description>.*))?",
        "t",
        1,
        has_description=True,
    )


def test_patterns_without_literals_scan_every_line():
    from logscan.match.patterns import Pattern

    bare = Pattern(name="bare", sdk="native", platform="x", regex=r"(?P<code>\d+)!", source="t", line=1)
    matcher = Matcher.build([bare])
    assert matcher.literals is None
    events = scan_bytes(b"a 12!\nb 7\n30!\n", matcher).events
    assert events.select("row", "code").rows() == [(0, 12), (2, 30)]


def _reference_events(lines: list[str], patterns) -> list[tuple[int, int, str]]:
    """What the engine must find, line by line with the ``regex`` package: for each line the
    match with a code that starts leftmost, at the same position the pattern listed first;
    then that pattern's ``exclude`` (on the line up to the end of the match, a description
    that ends the line left out) and code 0 drop the line."""
    import regex

    from logscan.match.matcher import _empty_tail_description

    compiled = [(p, regex.compile(_empty_tail_description(p.regex), regex.ASCII)) for p in patterns]
    out = []
    for row, line in enumerate(lines):
        found = [
            (m.start(), i, p, m)
            for i, (p, r) in enumerate(compiled)
            if (m := r.search(line)) and m.group("code")
        ]
        if not found:
            continue
        _start, _i, pattern, match = min(found, key=lambda f: (f[0], f[1]))
        if pattern.exclude and regex.search(pattern.exclude, line[: match.end()], regex.ASCII):
            continue
        code = int(match.group("code")) if match.group("code") is not None else 0
        if code != 0 and -(2**63) <= code < 2**63:
            out.append((row, code, pattern.name))
    return out


def _fragments() -> list[str]:
    patterns = load_patterns()
    pieces = [s.line for p in patterns for s in p.samples] + [c for p in patterns for c in p.counter_samples]
    return sorted(set(pieces))


def test_where_patterns_compete_the_leftmost_match_wins_then_the_first_listed():
    from logscan.match.patterns import Pattern

    def pattern(name: str, regex: str) -> Pattern:
        return Pattern(name=name, sdk="native", platform="x", regex=regex, source="t", line=1)

    late = pattern("late", r"code=(?P<code>\d+)")
    early = pattern("early", r"err(?:or)? (?P<code>\d+)")
    same = pattern("same", r"code=(?P<code>\d)")
    # Its code is optional: where it matches without one, it does not compete (regression: it
    # won the line, and the code another pattern found further along was lost).
    optional = pattern("optional", r"foo(?: code (?P<code>\d+))?")
    matcher = Matcher.build([late, early, same, optional])
    lines = [
        "error 7 then code=208",
        "code=208 then error 7",
        "code=5",
        "nothing here",
        "foo error 9",
        "foo code 3",
    ]
    events = match_lines(lines, matcher)
    assert events.select("row", "code", "pattern").rows() == [
        (0, 7, "early"),  # leftmost, though listed second
        (1, 208, "late"),  # leftmost
        (2, 5, "late"),  # same start as "same": the first listed wins
        (4, 9, "early"),  # "optional" matched first, without a code
        (5, 3, "optional"),
    ]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(_fragments()), min_size=1, max_size=3),
            st.sampled_from([" ", ", ", " | ", "", "\t", " -> "]),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_the_engine_agrees_with_a_line_by_line_reference(parts):
    """Lines made of several patterns' samples and traps: the engine (one alternation to
    find lines, each pattern on its own to capture) finds what the reference finds."""
    patterns = list(load_patterns())
    lines = [separator.join(pieces) for pieces, separator in parts]
    events = match_lines(lines, Matcher.build(patterns))
    assert events.select("row", "code", "pattern").rows() == _reference_events(lines, patterns)


def test_the_engine_agrees_with_the_reference_on_every_sample_log():
    patterns = list(load_patterns())
    logs = sorted(p for p in (ROOT / "sample_logs").rglob("*") if p.suffix in (".log", ".txt"))
    assert len(logs) == 12
    total = 0
    for log in logs:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
        events = match_lines(lines, Matcher.build(patterns))
        assert events.select("row", "code", "pattern").rows() == _reference_events(lines, patterns), log.name
        total += events.height
    assert total > 100


def test_descriptions_are_the_same_line_by_line_and_vectorised(monkeypatch):
    """Few events are described line by line in Python, many by the engine: the same text."""
    import logscan.match.matcher as scan_module

    lines = []
    for log in sorted(p for p in (ROOT / "sample_logs").rglob("*") if p.suffix in (".log", ".txt")):
        lines += log.read_text(encoding="utf-8", errors="replace").splitlines()
    events = match_lines(lines, MATCHER)
    undescribed = events.with_columns(pl.lit(None, dtype=pl.String).alias("description"))
    monkeypatch.setattr(scan_module, "DESCRIBE_VECTORISED", 10**9)
    by_line = scan_module.describe_events(undescribed, MATCHER)
    monkeypatch.setattr(scan_module, "DESCRIBE_VECTORISED", 0)
    vectorised = scan_module.describe_events(undescribed, MATCHER)
    assert by_line["description"].to_list() == vectorised["description"].to_list()
    assert by_line["description"].drop_nulls().len() > 60
    assert_frame_equal(by_line, events)


def _custom(*regexes: str):
    from logscan.match.patterns import Pattern

    return [
        Pattern(name=f"p{i}", sdk="native", platform="x", regex=regex, source="t", line=1)
        for i, regex in enumerate(regexes)
    ]


@pytest.mark.parametrize(
    ("regexes", "lines"),
    [
        # A word boundary before the match: "xcode=5" is not "\bcode", so the second wins.
        ((r"\bcode=(?P<code>\d+)", r"code=(?P<code>\d+)"), ["xcode=5", "code=6", "a code=7", "écode=8"]),
        # A boundary after the match, and a code cut short by it.
        (
            (r"err (?P<code>\d{1,3})\b", r"err (?P<code>\d+)"),
            ["err 12345 x", "err 123 x", "err 123x", "err 12"],
        ),
        # Anchors: the line's own start and end, whatever the flag spelling.
        (
            (r"^E (?P<code>\d+)", r"\AF (?P<code>\d+)\z", r"(?P<code>\d+)$"),
            ["E 4", "x E 4", "F 5", "F 5 ", "y 9"],
        ),
        # Classes that would match a newline (negated, \s, \D, \W) stay within the line.
        (
            (r"[^x]*code (?P<code>\d+)", r"\s*k(?P<code>\d+)", r"\Wz(?P<code>\d+)\D"),
            ["code 1", " k2", "-z3-", "z3"],
        ),
        # The context character before a match is a multibyte one.
        ((r"\bé(?P<code>\d+)", r"(?P<code>\d+)€"), ["xé1", " é2", "3€", "ü4€"]),
        # Patterns the framed search cannot run (a dot that matches newlines): the exact path.
        ((r"(?s)a.b(?P<code>\d+)", r"b(?P<code>\d+)"), ["axb1", "b2 axb3"]),
    ],
)
def test_framed_search_agrees_with_the_reference_at_the_edges(regexes, lines):
    """The one-pass search reads each line's winner from its match and the
    characters around it; word boundaries, anchors and classes at the match's edges must
    give what each pattern alone gives on the line."""
    patterns = _custom(*regexes)
    events = match_lines(lines, Matcher.build(patterns))
    assert events.select("row", "code", "pattern").rows() == _reference_events(lines, patterns)


def test_patterns_that_cannot_run_framed_use_the_exact_path():
    from logscan.match.dialect import for_lines

    assert for_lines(r"(?s)a.b") is None
    assert for_lines(r"a\nb") is None
    assert for_lines(r"[[:alpha:]]+") is None
    assert Matcher.build(_custom(r"(?s)a.b(?P<code>\d+)", r"b(?P<code>\d+)")).bounded is None
    assert Matcher.build(_custom(r"b(?P<code>\d+)")).bounded is not None


@pytest.mark.parametrize(
    "regex", [r"[^a-]+", r"[a-]+", r"[]x]+", r"\s+", r"\D+", r"\W+", r"\pL+", r"[\s\d]+", r".+"]
)
def test_framed_classes_never_match_a_newline(regex):
    from logscan.match.dialect import for_lines

    bounded = for_lines(regex)
    assert bounded is not None
    texts = pl.Series(["\n", "a\nb"])
    whole = texts.str.contains(f"^(?:{bounded})$")
    assert whole.to_list() == [False, False]


def _alone_one_by_one(pairs):
    out = []
    for pattern, line in pairs:
        events = match_lines([line], Matcher.build([pattern]))
        out.append(events["code"][0] if events.height else None)
    return out


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 100), st.sampled_from(_fragments())), min_size=1, max_size=40))
def test_each_pattern_alone_in_one_pass_is_each_pattern_alone(picks):
    """match_alone (a pattern's samples at load, thousands of patterns at once) gives what
    each pattern alone gives through the engine."""
    from logscan.match.matcher import match_alone

    patterns = list(load_patterns())
    pairs = [(patterns[i % len(patterns)], line) for i, line in picks]
    assert match_alone(pairs) == _alone_one_by_one(pairs)


def test_each_pattern_alone_at_the_edges():
    from logscan.match.matcher import match_alone

    patterns = _custom(
        r"\bcode=(?P<code>\d+)", r"err (?P<code>\d{1,3})\b", r"(?s)a.b(?P<code>\d+)", r"(x)?y(?P<code>\d+)"
    )
    lines = ["xcode=5", "code=6", "err 123x", "err 12", "axb1", "y7", "xy8", "nothing"]
    pairs = [(p, line) for p in patterns for line in lines]
    assert match_alone(pairs) == _alone_one_by_one(pairs)


def test_winners_are_remembered_within_a_bound(monkeypatch):
    """Regression: match texts identified once are looked up after; past the bound the memory
    starts again (a block of texts partly known and partly new then lost the known ones:
    KeyError), with the same events."""
    from logscan.match import matcher as scan

    lines = [s.line for p in load_patterns() for s in p.samples]
    expected = match_lines(lines, MATCHER)
    monkeypatch.setattr(scan, "MAX_WINNERS", len(set(lines)) + 2)
    scan._WINNERS.clear()
    half = len(lines) // 2
    assert_frame_equal(match_lines(lines[:half], MATCHER), expected.filter(pl.col("row") < half))
    assert_frame_equal(match_lines(lines, MATCHER), expected)  # known and new together, past the bound
    assert len(scan._WINNERS[MATCHER.search]) <= len(set(lines)) + 2

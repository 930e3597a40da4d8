"""Tools for the people who write patterns: test lines, find near misses, list what no
pattern matched."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl
import regex

from logscan import inputs
from logscan.decode import catalogue as cat
from logscan.errors import InputError
from logscan.inputs import Source, Unreadable
from logscan.match.matcher import Matcher, match_frame, match_lines, python_regex, read_lines
from logscan.match.patterns import Pattern
from logscan.match.redact import redact_expr

#: A line that looks like an SDK error: an error-ish word, then (nearby) a number.
SUSPECT = (
    r"(?i)\b(?:err(?:or)?s?|fail(?:ed|ure|s)?|code|exception|errno|status|type|onerror|disconnect\w*)\b"
    r"[^0-9\n]{0,24}?-?\b\d{1,5}\b"
)
_NUMBER = re.compile(r"-?\b\d{1,5}\b")


@dataclass
class LineVerdict:
    """What ``patterns test`` says about one line."""

    line: str
    pattern: str | None = None
    sdk: str | None = None
    code: int | None = None
    description: str | None = None
    entry: cat.Entry | None = None
    #: (pattern name, number of edits) of the patterns that came closest, when none matched.
    closest: list[tuple[str, int]] | None = None
    #: (pattern name, why) when a pattern matches the line but it makes no event.
    dropped: tuple[str, str] | None = None


def test_lines(lines: Sequence[str], matcher: Matcher, catalogue: cat.Catalogue) -> list[LineVerdict]:
    """Which pattern matches each line and what its code means; near misses otherwise."""
    events = match_lines(list(lines), matcher)
    found = {row["row"]: row for row in events.iter_rows(named=True)}
    out = []
    for i, line in enumerate(lines):
        hit = found.get(i)
        if hit:
            out.append(
                LineVerdict(line, hit["pattern"], hit["sdk"], hit["code"], hit["description"],
                            catalogue.get(hit["sdk"], hit["code"]))
            )  # fmt: skip
        elif dropped := _dropped(line, matcher.patterns):
            out.append(LineVerdict(line, dropped=dropped))
        else:
            near = closest(line, matcher.patterns) if _NUMBER.search(line) else []
            out.append(LineVerdict(line, closest=near))
    return out


def lines_of(path: str) -> list[str]:
    """The lines of a file read as logs are (a pipe, gzip, UTF-16, bad bytes replaced), for
    ``patterns test --file``; raises :class:`InputError` when it cannot be read."""
    out: list[str] = []
    for item in inputs.iter_sources([path]):
        if isinstance(item, Unreadable):
            raise InputError(f"cannot read {item.name}: {item.reason}")
        try:
            with item.open() as stream:
                for block in inputs.iter_blocks(stream):
                    out.extend(read_lines(block)["line"].to_list())
        except inputs.READ_ERRORS as exc:
            raise InputError(f"cannot read {item.name}: {inputs.read_error_reason(exc)}") from None
    return out


def _dropped(line: str, patterns: Sequence[Pattern]) -> tuple[str, str] | None:
    """The first pattern that matches ``line`` although the line makes no event, and why."""
    for pattern in patterns:
        compiled = python_regex(pattern.regex)
        m = compiled.search(line) if compiled is not None else None
        if m is None:
            continue
        code = m.group("code")
        if not code:
            return pattern.name, "its code group is empty here"
        exclude = python_regex(pattern.exclude) if pattern.exclude else None
        if exclude is not None and exclude.search(line[: m.end("code")]):  # as the scan: up to the code
            return (
                pattern.name,
                "its exclude drops the line (not an SDK code: an HTTP status, an OS error...)",
            )
        if code.lstrip("-+0") == "":
            return pattern.name, "code 0 is success, not an error"
    return None


def closest(
    line: str, patterns: Sequence[Pattern], *, limit: int = 3, max_edits: int = 6
) -> list[tuple[str, int]]:
    """The patterns that would match ``line`` with the fewest edits (fuzzy matching, bounded in time)."""
    scores = []
    for pattern in patterns:
        try:
            fuzzy = regex.compile(f"(?:{pattern.regex}){{e<={max_edits}}}", regex.BESTMATCH)
            m = fuzzy.search(line, timeout=0.2)
        except (regex.error, TimeoutError, ValueError):
            continue
        if m is not None:
            scores.append((pattern.name, sum(m.fuzzy_counts)))
    return sorted(scores, key=lambda s: (s[1], s[0]))[:limit]


def _shape(text: str) -> str:
    """A line's shape: the part around its error word, numbers and hex ids as ``#``."""
    m = re.search(SUSPECT.removeprefix("(?i)"), text, re.I)
    start = max(0, m.start() - 40) if m else 0
    part = text[start : (m.end() + 40) if m else 120]
    part = re.sub(r"\b[0-9a-fA-F]{8,}\b", "#", part)
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", part)).strip()


def find_unmatched(
    items: Iterable[Source | Unreadable], matcher: Matcher, *, redact: bool = True, redact_users: bool = False
) -> tuple[pl.DataFrame, list[Unreadable]]:
    """Lines that look like SDK errors but that no pattern matched, grouped by shape.

    Returns (shape, count, example file, example line, example text), most
    frequent first, and the inputs that could not be read. The text is redacted
    (:mod:`logscan.match.redact`) before it is shaped, unless ``redact`` is false.
    """
    rows: list[dict[str, object]] = []
    bad: list[Unreadable] = []
    for item in items:
        if isinstance(item, Unreadable):
            bad.append(item)
            continue
        base = 0
        try:
            with item.open() as stream:
                for block in inputs.iter_blocks(stream):
                    lines = read_lines(block)
                    events = match_frame(lines, matcher, describe=False, timestamps=False)
                    suspects = lines.filter(pl.col("line").str.contains(SUSPECT)).join(
                        events.select("row"), on="row", how="anti"
                    )
                    if redact:
                        suspects = suspects.with_columns(redact_expr(pl.col("line"), users=redact_users))
                    for row, text in suspects.iter_rows():
                        rows.append({"file": item.name, "line": base + row + 1, "text": text[:300]})
                    base += block.count(b"\n")
        except inputs.READ_ERRORS as exc:
            bad.append(Unreadable(item.name, inputs.read_error_reason(exc)))
    if not rows:
        schema = {
            "shape": pl.String,
            "count": pl.Int64,
            "file": pl.String,
            "line": pl.Int64,
            "text": pl.String,
        }
        return pl.DataFrame(schema=schema), bad
    frame = pl.DataFrame(rows).with_columns(
        pl.col("text").map_elements(_shape, return_dtype=pl.String).alias("shape")
    )
    grouped = (
        frame.group_by("shape", maintain_order=True)
        .agg(
            pl.len().cast(pl.Int64).alias("count"),
            pl.col("file").first(),
            pl.col("line").first(),
            pl.col("text").first(),
        )
        .sort(["count", "shape"], descending=[True, False])
    )
    return grouped, bad

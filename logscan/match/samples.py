"""Samples and counter-samples run: each pattern alone, each sample among all the patterns a
scan loads, the definitions' own; and loading the pattern files a scan uses, samples checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from logscan.errors import PatternError, located
from logscan.match.patterns import (
    Definition,
    Pattern,
    PatternSet,
    SampleFailure,
    builtin_dir,
    bundled_names_taken,
    check_unique,
    load_files,
    pattern_files,
)


def load_patterns(
    extra: Sequence[Path] = (), *, builtin: bool = True, check_samples: bool | None = None
) -> PatternSet:
    """Load the bundled patterns (unless ``builtin`` is false) and then ``extra`` ones.

    The samples and counter-samples of the ``extra`` files are run at load
    (``check_samples=None``; the bundled ones are run by the test suite):
    a sample that fails is a load error. ``True`` runs every pattern's.
    """
    files = pattern_files(([builtin_dir()] if builtin else []) + list(extra))
    result = load_files(files)
    patterns = result.patterns
    check_unique(patterns)
    if not patterns:
        raise PatternError(
            "no patterns loaded: the bundled patterns are off (--no-builtin-patterns, or builtin_patterns = "
            "false in the configuration): give --patterns FILE (or patterns = [...]) or turn them back on"
        )
    user = {str(p) for p in pattern_files(list(extra))}
    to_check = (
        patterns
        if check_samples
        else [p for p in patterns if p.source in user]
        if check_samples is None
        else []
    )
    if to_check:
        failures = run_samples(PatternSet(to_check))
        if failures:
            raise PatternError("\n".join(describe_failure(f) for f in failures))
    return result


def run_samples(patterns: PatternSet) -> list[SampleFailure]:
    """Run every sample and counter-sample of every pattern through the engine (each pattern
    alone, all of them in one pass)."""
    from logscan.match.matcher import match_alone

    listed = list(patterns)
    keys = [(i, s.line) for i, p in enumerate(listed) for s in p.samples]
    keys += [(i, line) for i, p in enumerate(listed) for line in p.counter_samples]
    found = dict(zip(keys, match_alone([(listed[i], line) for i, line in keys]), strict=True))
    failures: list[SampleFailure] = []
    for i, pattern in enumerate(listed):
        for sample in pattern.samples:
            got = found[(i, sample.line)]
            if got is None:
                failures.append(SampleFailure(pattern, sample.line, "sample does not match", sample.at))
            elif got != sample.code:
                failures.append(
                    SampleFailure(
                        pattern,
                        sample.line,
                        f"sample matches with code {got}, expected {sample.code}",
                        sample.at,
                    )
                )
        for counter, at in zip(
            pattern.counter_samples, _lines_or(pattern.counter_lines, pattern), strict=False
        ):
            got = found[(i, counter)]
            if got is not None:
                failures.append(SampleFailure(pattern, counter, f"counter-sample matches (code {got})", at))
    return failures


def _lines_or(lines: tuple[int, ...], owner: Pattern) -> Iterable[int]:
    return lines if len(lines) == len(owner.counter_samples) else [owner.line] * len(owner.counter_samples)


def user_sample_failures(patterns: PatternSet, paths: Sequence[Path]) -> list[SampleFailure]:
    """The failing samples and counter-samples of the patterns of the files ``paths`` (what
    :func:`load_patterns` refuses them for), each pattern alone."""
    user = {str(p) for p in pattern_files(list(paths))}
    return run_samples(PatternSet([p for p in patterns if p.source in user]))


def run_definition_samples(definitions: Sequence[Definition]) -> list[SampleFailure]:
    """Run the samples (text it must match) and counter-samples (text it must not) of each
    fragment and exclude, on the engine the scan runs them on (an exclude sees the line)."""
    from logscan.match.dialect import for_engine

    rows = [
        (d.regex, text, want, at)
        for d in definitions
        for texts, lines, want in (
            (d.samples, d.sample_lines, True),
            (d.counter_samples, d.counter_lines, False),
        )
        for text, at in zip(texts, lines or [d.line] * len(texts), strict=True)
    ]
    if not rows:
        return []
    frame = pl.DataFrame(
        {"regex": [for_engine(r[0]) for r in rows], "text": [r[1] for r in rows]},
        schema={"regex": pl.String, "text": pl.String},
    )
    hit = frame.select(pl.col("text").str.contains(pl.col("regex")))["text"].to_list()
    failures = []
    index = 0
    for d in definitions:
        for texts, lines, want in (
            (d.samples, d.sample_lines, True),
            (d.counter_samples, d.counter_lines, False),
        ):
            for text, at in zip(texts, lines or [d.line] * len(texts), strict=True):
                if hit[index] != want:
                    problem = "sample does not match" if want else "counter-sample matches"
                    failures.append(SampleFailure(d, text, problem, at))
                index += 1
    return failures


def run_among_all(checked: PatternSet, among: PatternSet) -> list[SampleFailure]:
    """Each sample of ``checked`` must be won, when all the patterns of ``among`` run (the
    leftmost match wins, then the first listed), by its pattern or another of its platform,
    with its sdk and code (and its description when the sample gives one); each line of the
    files' ``counter_samples`` must be no event."""
    from logscan.match.matcher import Matcher, match_lines

    owned = [(p, s) for p in checked for s in p.samples]
    counted = [
        (c, text, at)
        for c in checked.counters
        for text, at in zip(c.lines, c.at or [c.line] * len(c.lines), strict=True)
    ]
    if not owned and not counted:
        return []
    matcher = Matcher.build(among)
    lines = [s.line for _, s in owned] + [text for _, text, _ in counted]
    events = match_lines(lines, matcher).select("row", "sdk", "platform", "pattern", "code", "description")
    by_line: dict[int, list[tuple[object, ...]]] = {}
    for row in events.rows():
        by_line.setdefault(row[0], []).append(row[1:])
    failures: list[SampleFailure] = []
    for number, (pattern, sample) in enumerate(owned):
        rows = by_line.get(number, [])
        if not rows:
            failures.append(SampleFailure(pattern, sample.line, "sample is no event among all the patterns "
                                          "(another pattern's exclude drops it)", sample.at))  # fmt: skip
            continue
        sdk, platform, name, code, description = rows[0]
        if (sdk, code) != (pattern.sdk, sample.code) or (
            name != pattern.name and platform != pattern.platform
        ):
            failures.append(SampleFailure(
                pattern, sample.line,
                f"sample won by pattern {name!r} ({platform or 'no platform'}, {sdk} {code}) among all "
                f"the patterns, instead of this one "
                f"({pattern.platform or 'no platform'}, {pattern.sdk} {sample.code})",
                sample.at,
            ))  # fmt: skip
        elif sample.description is not None and (description or "") != sample.description:
            failures.append(SampleFailure(
                pattern, sample.line,
                f"sample's description is {description!r}, expected {sample.description!r}",
                sample.at,
            ))  # fmt: skip
    for number, (owner, text, at) in enumerate(counted, len(owned)):
        for sdk, _platform, name, code, _ in by_line.get(number, [])[:1]:
            problem = f"counter-sample is an event: pattern {name!r} takes it ({sdk} {code})"
            failures.append(SampleFailure(owner, text, problem, at))
    return failures


def check_all(checked: PatternSet, among: PatternSet | None = None) -> list[SampleFailure]:
    """Every check ``logscan patterns check`` runs on ``checked``: each pattern alone on its
    samples and counter-samples, the definitions' samples, then each sample among all the
    patterns of ``among`` (default: ``checked``), sorted by file and line."""
    failures = run_samples(checked) + run_definition_samples(checked.definitions)
    alone = {(id(f.pattern), f.line) for f in failures}  # one failure a sample: its first
    failures += [
        f
        for f in run_among_all(checked, among if among is not None else checked)
        if (id(f.pattern), f.line) not in alone
    ]
    return sorted(failures, key=lambda f: (f.pattern.source, f.at or f.pattern.line))


def describe_failure(failure: SampleFailure) -> str:
    p = failure.pattern
    return located(p.source, p.line, f"{p.label}: {failure.problem}: {failure.line!r}")


@dataclass
class CheckReport:
    """What ``logscan patterns check`` found: the patterns, definitions and file counter-samples
    checked, the failures (sorted by file and line), and the patterns that take a bundled name."""

    checked: PatternSet
    failures: list[SampleFailure]
    taken: list[Pattern]
    among: int  # how many patterns the samples competed among


def check_files(paths: Sequence[Path], *, builtin: bool = True) -> CheckReport:
    """Check pattern files (default: the bundled ones) as a scan would run them: each sample
    alone and among the bundled patterns plus ``paths`` (``builtin=False``, or a pattern that
    takes a bundled name, which a scan only runs without the bundled set: among ``paths``)."""
    files = pattern_files(list(paths) or [builtin_dir()])
    checked = load_files(files)
    check_unique(checked.patterns)
    taken = bundled_names_taken(checked.patterns)
    among = checked
    if builtin and not taken:
        everything = pattern_files([builtin_dir(), *files])
        if len(everything) > len(files):
            among = load_files(everything)
    return CheckReport(checked, check_all(checked, among), taken, len(among))

"""What the pattern authors' commands show: ``patterns check``'s report, ``patterns test``'s
verdicts, and the plain tables of ``patterns list`` and ``patterns unmatched``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import polars as pl
from rich.console import Console, JustifyMethod

from logscan.decode.diagnose import LineVerdict
from logscan.match.patterns import Definition, FileCounters, Pattern, SampleFailure, shown_source
from logscan.match.samples import CheckReport
from logscan.outputs import printable
from logscan.render import json_
from logscan.render.text import Col, plural, print_table


def check_report(report: CheckReport) -> list[str]:
    """The lines of ``patterns check``: ``ok``/``FAIL`` per pattern, definition and file
    counter-samples (each failing sample below its owner, ``FILE:LINE`` first), then the verdict."""
    by_owner: dict[int, list[SampleFailure]] = {}
    for failure in report.failures:
        by_owner.setdefault(id(failure.pattern), []).append(failure)
    checked = report.checked
    out: list[str] = []
    owners: list[Pattern | Definition | FileCounters] = [
        *checked.patterns,
        *checked.definitions,
        *checked.counters,
    ]
    for owner in owners:
        problems = by_owner.get(id(owner), [])
        if isinstance(owner, Pattern):
            what, total = owner.name, len(owner.samples) + len(owner.counter_samples)
        elif isinstance(owner, Definition):
            what, total = owner.label, len(owner.samples) + len(owner.counter_samples)
        else:
            what, total = owner.name, len(owner.lines)
        if problems:
            out.append(f"FAIL {what} ({owner.source}:{owner.line}): {len(problems)} of {total} samples")
            out += [
                f"     {f.pattern.source}:{f.at or f.pattern.line}: {f.problem}: {f.line!r}" for f in problems
            ]
        elif isinstance(owner, Pattern):
            counter = plural(len(owner.counter_samples), "counter-sample")
            out.append(f"ok   {what}: {plural(len(owner.samples), 'sample')}, {counter}")
        elif isinstance(owner, Definition):
            out.append(f"ok   {what} ({owner.source}:{owner.line}): {total} samples and counter-samples")
        else:
            out.append(f"ok   {what} ({owner.source}:{owner.line}): {total} lines no pattern matches")
    failed = {id(p) for p in checked.patterns if id(p) in by_owner}
    n = len(checked.patterns)
    verdict = f"{n - len(failed)} of {n} patterns pass"
    out.append(f"patterns check: FAILED: {verdict}" if report.failures else f"patterns check: {verdict}")
    return [printable(line) for line in out]


def test_verdicts(verdicts: Sequence[LineVerdict], fmt: str) -> str:
    """``patterns test``'s answer per line: which pattern took it, its code and meaning, or why
    none did (dropped by an exclude, the closest patterns); ``fmt`` text or json."""
    if fmt == "json":
        return json_.dumps([
            {"line": v.line, "pattern": v.pattern, "sdk": v.sdk, "code": v.code, "description": v.description,
             "name": v.entry.name if v.entry else None, "meaning": v.entry.description if v.entry else None,
             "closest": [{"pattern": n, "edits": e} for n, e in v.closest or []],
             "dropped": {"pattern": v.dropped[0], "why": v.dropped[1]} if v.dropped else None}
            for v in verdicts
        ])  # fmt: skip
    out = []
    for v in verdicts:
        out.append(f"line: {v.line}")
        if v.pattern:
            meaning = f"{v.entry.name}: {v.entry.description}" if v.entry else "not in the catalogue"
            out.append(f"  matched {v.pattern}: {v.sdk} {v.code} ({meaning})")
        elif v.dropped:
            out.append(f"  not counted: {v.dropped[0]} matches, but {v.dropped[1]}")
        elif v.closest:
            near = ", ".join(f"{n} ({e} edits)" for n, e in v.closest)
            out.append(f"  no pattern matched; closest: {near}")
        else:
            out.append("  no pattern matched" + ("" if re.search(r"\d", v.line) else " (no number in it)"))
    return "".join(printable(line) + "\n" for line in out)  # each line: one line, as it was


def simple_table(console: Console, rows: list[dict[str, Any]], columns: dict[str, str]) -> None:
    """``rows`` as a table of ``columns`` (key: how its cells wrap, ``""`` for identifiers);
    columns of numbers right-aligned."""

    def justify(name: str) -> JustifyMethod:
        return "right" if rows and all(type(row[name]) is int for row in rows) else "left"

    cols = [Col(name.replace("_", " "), justify(name), wrap) for name, wrap in columns.items()]
    print_table(console, cols, [[str(row[c]) for c in columns] for row in rows])


def list_rows(patterns: Sequence[Pattern]) -> list[dict[str, Any]]:
    """``patterns list``'s rows: a bundled file shown as ``bundled:NAME``, its path apart."""
    return [
        {"name": p.name, "sdk": p.sdk, "platform": p.platform, "source": shown_source(p.source),
         "path": p.source, "line": p.line, "samples": len(p.samples),
         "counter_samples": len(p.counter_samples), "regex": p.regex}
        for p in patterns
    ]  # fmt: skip


def list_table(console: Console, rows: list[dict[str, Any]]) -> None:
    columns = {"name": "", "sdk": "", "platform": "", "samples": "", "counter_samples": "", "source": "path"}
    simple_table(console, rows, columns)


def unmatched_table(console: Console, shapes: pl.DataFrame) -> None:
    """``patterns unmatched``'s shapes: count, shape, an example with its ``FILE:LINE``."""
    rows = [{**r, "example": f"{r['file']}:{r['line']}: {r['text'][:160]}"} for r in shapes.to_dicts()]
    simple_table(console, rows, {"count": "", "shape": "text", "example": "text"})

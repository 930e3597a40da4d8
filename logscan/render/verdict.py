"""The gate's own views: text (one line per violated rule, then the verdict) and JSON."""

from __future__ import annotations

from logscan.aggregate.gate import NOTHING_READ, NOTHING_SCANNED, Verdict
from logscan.aggregate.report import CodeDict
from logscan.decode import links
from logscan.outputs import printable
from logscan.render import json_
from logscan.render.samples import FILE_ORDER, by_file_order
from logscan.render.text import plural


def _code_line(code: CodeDict) -> str:
    code = printable(code)
    name = code["name"] or "UNKNOWN"
    meaning = str(code["description"] or "not in the catalogue").rstrip(".")
    state = f" [{code['baseline_state']}]" if code.get("baseline_state") else ""
    sample = code["sample"]
    note = f", {FILE_ORDER}" if by_file_order(code) else ""
    return (
        f"    {code['sdk']} {code['code']} {name} ×{code['count']}{state}: {meaning}. "
        f"Cause/fix: {links.render(str(code['cause']))} (first at {sample['file']}:{sample['line']}{note})"
    )


#: ANSI styles of the words that carry the verdict, for a terminal (``color``).
_RED, _GREEN, _DIM, _RESET = "\x1b[1;31m", "\x1b[32m", "\x1b[2m", "\x1b[0m"


def _paint(text: str, lead: str, style: str) -> str:
    """``text`` with its leading ``lead`` in ``style``."""
    return style + lead + _RESET + text[len(lead) :] if text.startswith(lead) else text


def render_text(verdict: Verdict, *, color: bool = False) -> str:
    """The verdict as text; with ``color``, FAIL/FAILED red, FIXED/passed green (for a terminal:
    the rest is :func:`printable`, so no log text brings escapes of its own)."""
    out = _lines(verdict)
    if not color:
        return "\n".join(out) + "\n"
    painted = []
    for line in out:
        for lead, style in (
            ("FAIL ", _RED),
            ("FIXED ", _GREEN),
            ("accepted ", _DIM),
            ("logscan check: FAILED", _RED),
            ("logscan check: passed", _GREEN),
            (f"logscan check: {NOTHING_READ}", _RED),
        ):
            if line.startswith(lead):
                line = _paint(line, lead, style)
                break
        painted.append(line)
    return "\n".join(painted) + "\n"


def _lines(verdict: Verdict) -> list[str]:
    report = verdict.report
    inputs = report.inputs()
    out = []
    for v in verdict.violations:
        rule = v.rule
        limit = f" (more than {rule.threshold})" if rule.threshold else ""
        rule_text, source = printable((rule.text, rule.source))
        out.append(f"FAIL {rule_text} [{source}]: {plural(v.count, 'error line')}{limit}")
        out.extend(_code_line(c) for c in v.codes[:5])
        if len(v.codes) > 5:
            out.append(f"    … and {plural(len(v.codes) - 5, 'more code')}")
    for fixed in verdict.fixed:
        out.append(
            f"FIXED {fixed['sdk']} {fixed['code']}: in the baseline ({fixed['baseline_count']}×), gone now"
        )
    if verdict.accepted:
        shown = ", ".join(f"{c['sdk']} {c['code']} ×{c['count']}" for c in verdict.accepted[:10])
        more = f" and {len(verdict.accepted) - 10} more" if len(verdict.accepted) > 10 else ""
        why = "allowed or within the baseline" if verdict.baseline else "allowed"
        out.append(f"accepted ({why}): {shown}{more}")
    scanned = f"{plural(inputs['files'], 'file')}, {plural(report.events, 'error line')}"
    in_force = printable(", ".join(r.text for r in verdict.rules)) or "no rules"
    if verdict.failed:
        broken = printable(", ".join(r.text for r in verdict.broken))
        out.append(
            f"logscan check: FAILED: {plural(len(verdict.violations), 'rule')} violated: {broken} "
            f"(in force: {in_force}; {scanned})"
        )
    elif verdict.nothing_scanned and verdict.allow_empty:
        allowed = f"allowed ({verdict.allow_empty_source})"
        out.append(f"logscan check: passed: {NOTHING_SCANNED}, {allowed}; in force: {in_force}")
    elif verdict.nothing_read:
        out.append(f"logscan check: {NOTHING_READ}")
    else:
        out.append(f"logscan check: passed: {in_force} ({scanned})")
    return out


def render_json(verdict: Verdict) -> str:
    return json_.dumps(json_.stamped(verdict.to_dict()))

"""The gate's own views: text (one line per violated rule, then the verdict) and JSON."""

from __future__ import annotations

from logscan.gate import NOTHING_READ, Verdict
from logscan.outputs import printable
from logscan.render import json_, links
from logscan.render.text import plural
from logscan.report import CodeDict


def _code_line(code: CodeDict) -> str:
    code = printable(code)
    name = code["name"] or "UNKNOWN"
    meaning = str(code["description"] or "not in the catalogue").rstrip(".")
    state = f" [{code['baseline_state']}]" if code.get("baseline_state") else ""
    sample = code["sample"]
    return (
        f"    {code['sdk']} {code['code']} {name} ×{code['count']}{state}: {meaning}. "
        f"Cause/fix: {links.render(str(code['cause']))} (first at {sample['file']}:{sample['line']})"
    )


def render_text(verdict: Verdict) -> str:
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
    if verdict.nothing_read:
        out.append(f"logscan check: {NOTHING_READ}")
    elif verdict.failed:
        out.append(f"logscan check: FAILED: {plural(len(verdict.violations), 'rule')} violated ({scanned})")
    else:
        out.append(
            f"logscan check: passed: {printable(', '.join(r.text for r in verdict.rules)) or 'no rules'} "
            f"({scanned})"
        )
    return "\n".join(out) + "\n"


def render_json(verdict: Verdict) -> str:
    return json_.dumps(verdict.to_dict())

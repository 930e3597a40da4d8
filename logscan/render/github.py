"""GitHub Actions workflow commands: one ``::error`` annotation per violating code, a
``::warning`` per input that could not be read (accepted with --keep-going).

GitHub shows at most 10 error annotations per step: the 10 most frequent
codes are annotated and a ``::notice`` says how many more there are. Values
are escaped as the runner requires (``%``, CR, LF; in properties also ``:``
and ``,``). When ``GITHUB_STEP_SUMMARY`` names a file, a Markdown summary is
appended to it.
"""

from __future__ import annotations

from logscan.aggregate.gate import NOTHING_READ, NOTHING_SCANNED, Verdict
from logscan.decode import links
from logscan.outputs import printable
from logscan.render.markdown import linked, table

MAX_ANNOTATIONS = 10
#: The last line, by :attr:`Verdict.outcome`.
_OUTCOME = {"fail": "FAILED", "pass": "passed", "error": NOTHING_READ, "empty": NOTHING_SCANNED}


def escape_data(text: str) -> str:
    """``text`` as a workflow command's message: escaped, the other controls :func:`printable`."""
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(verdict: Verdict) -> str:
    codes = verdict.violating_codes()
    lines = []
    for code in codes[:MAX_ANNOTATIONS]:
        sample = code["sample"]
        title = f"{code['sdk']} {code['code']} {code['name'] or 'UNKNOWN'} ({code['count']}×)"
        meaning = str(code["description"] or "Not in the catalogue").rstrip(".")
        broke = ", ".join(r.text for r in verdict.rules_broken_by(code))
        message = f"Broke rule {broke}. {meaning}. Cause/fix: {links.render(str(code['cause']))}"
        props = (
            f"file={escape_property(str(sample['file']))},line={sample['line']},"
            f"title={escape_property(title)}"
        )
        lines.append(f"::error {props}::{escape_data(message)}")
    if len(codes) > MAX_ANNOTATIONS:
        more = len(codes) - MAX_ANNOTATIONS
        lines.append(
            f"::notice::{more} more violating codes are not annotated (GitHub shows 10); see the job summary"
        )
    level = "error" if verdict.nothing_read else "warning"  # some: accepted with --keep-going
    for bad in verdict.report.stats.unreadable:
        message = escape_data(f"cannot read: {bad.reason}")
        lines.append(f"::{level} file={escape_property(bad.name)}::{message}")
    lines.append(f"logscan check: {_OUTCOME[verdict.outcome]}")
    return "\n".join(lines) + "\n"


def summary(verdict: Verdict) -> str:
    """The Markdown summary for ``$GITHUB_STEP_SUMMARY``."""
    head = {
        "fail": "❌ logscan check failed",
        "pass": "✅ logscan check passed",
        "error": f"❌ logscan check: {NOTHING_READ}",
        "empty": f"❌ logscan check: {NOTHING_SCANNED}",
    }[verdict.outcome]
    rows = [
        [
            v.rule.text,
            v.count,
            ", ".join(f"{c['sdk']} {c['code']} {c['name'] or 'UNKNOWN'}" for c in v.codes[:5]),
        ]
        for v in verdict.violations
    ]
    out = [f"### {head}", ""]
    if rows:
        out.append(table(["rule", "lines", "codes"], rows))
    codes = verdict.violating_codes()
    if codes:
        out.append(
            table(
                ["sdk", "code", "name", "count", "kind", "first seen at", "cause / fix"],
                [
                    [
                        c["sdk"],
                        c["code"],
                        c["name"] or "UNKNOWN",
                        c["count"],
                        c["kind"],
                        f"{c['sample']['file']}:{c['sample']['line']}",
                        linked(c["cause"]),
                    ]
                    for c in codes
                ],
            )
        )
    return "\n".join(out) + "\n"

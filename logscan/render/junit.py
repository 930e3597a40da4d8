"""JUnit XML: a testsuite per input file, a testcase per rule; a failure names the code,
its count in the file and its first line there.

A rule with a threshold (``category=server>10``, ``--max-total``) counts the lines of all
inputs together: it is a testcase of a suite of its own, ``thresholds (all inputs)``, and
fails once, not once per file. A failure's type is the rule (``logscan.code=208``)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from logscan.aggregate.gate import Rule, Verdict

#: Characters XML 1.0 does not allow (ANSI escapes in coloured logs, other controls).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """``text`` with the characters XML 1.0 forbids shown as ``\\xNN``."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


#: The suite of the rules with a threshold, which count all inputs together.
THRESHOLDS = "thresholds (all inputs)"


def _failure_type(rule: Rule) -> str:
    """A failure's type: the rule that broke, as in ``logscan.category=server>10``."""
    return _xml_text("logscan." + rule.id)


def _lines(n: object) -> str:
    return f"{n} line" if n == 1 else f"{n} lines"


def render(verdict: Verdict) -> str:
    report = verdict.report
    by_file: dict[str, list[dict[str, object]]] = {}
    for row in report.by_file.iter_rows(named=True):
        by_file.setdefault(row["file"], []).append(row)
    rules = [v.rule for v in verdict.violations]
    in_force = list(verdict.rules) + [r for r in rules if r not in verdict.rules]
    checked = [r for r in in_force if not r.threshold]
    thresholds = [r for r in in_force if r.threshold]
    root = ET.Element("testsuites", name="logscan check")
    total_tests = total_failures = 0
    read = [s for s in report.stats.sources if report.stats.was_read(s)]
    if thresholds and read:
        suite = ET.SubElement(root, "testsuite", name=THRESHOLDS)
        failures = 0
        for rule in thresholds:
            case = ET.SubElement(suite, "testcase", name=_xml_text(rule.text), classname=THRESHOLDS)
            violation = next((v for v in verdict.violations if v.rule == rule), None)
            if violation is None:
                continue
            failures += 1
            failure = ET.SubElement(
                case,
                "failure",
                type=_failure_type(rule),
                message=_xml_text(
                    f"{rule.text}: {violation.count} error lines in all inputs, more than {rule.threshold}"
                ),
            )
            failure.text = _xml_text(
                "\n".join(
                    f"{c['sdk']} {c['code']} {c['name'] or 'UNKNOWN'}: {_lines(c['count'])}, "
                    f"first at {c['sample']['file']}:{c['sample']['line']}"
                    for c in violation.codes
                )
            )
        suite.set("tests", str(len(thresholds)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        total_tests += len(thresholds)
        total_failures += failures
    for source in read if checked else ():
        suite = ET.SubElement(root, "testsuite", name=_xml_text(source.name), file=_xml_text(source.name))
        failures = 0
        for rule in checked:
            case = ET.SubElement(
                suite, "testcase", name=_xml_text(rule.text), classname=_xml_text(source.name)
            )
            violation = next((v for v in verdict.violations if v.rule == rule), None)
            if violation is None:
                continue
            keys = {(c["sdk"], c["code"]) for c in violation.codes}
            here = [r for r in by_file.get(source.name, []) if (r["sdk"], r["code"]) in keys]
            if not here:
                continue
            failures += 1
            lines = [
                f"{r['sdk']} {r['code']}: {_lines(r['count'])}, first at line {r['line']}: {r['text']}"
                for r in here
            ]
            first = here[0]
            failure = ET.SubElement(
                case,
                "failure",
                type=_failure_type(rule),
                message=_xml_text(
                    f"{rule.text}: {first['sdk']} {first['code']} ×{first['count']}, "
                    f"first at line {first['line']}"
                ),
            )
            failure.text = _xml_text("\n".join(lines))
        suite.set("tests", str(len(checked)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        total_tests += len(checked)
        total_failures += failures
    for bad in report.stats.unreadable:
        suite = ET.SubElement(
            root, "testsuite", name=_xml_text(bad.name), tests="1", failures="0", errors="1"
        )
        case = ET.SubElement(suite, "testcase", name="readable", classname=_xml_text(bad.name))
        ET.SubElement(case, "error", type="logscan.unreadable", message=_xml_text(bad.reason))
    root.set("tests", str(total_tests + len(report.stats.unreadable)))
    root.set("failures", str(total_failures))
    root.set("errors", str(len(report.stats.unreadable)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

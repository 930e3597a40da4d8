"""SARIF 2.1.0: one rule per code, one result per violating code at its first occurrence."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

from logscan import __version__
from logscan.aggregate.gate import Verdict
from logscan.aggregate.report import CodeDict
from logscan.decode import links
from logscan.render import json_
from logscan.render.markdown import linked

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: SARIF levels by triage kind: transient faults are warnings, the rest errors.
LEVELS = {"transient": "warning", "ok": "note"}


def rule_id(code: CodeDict) -> str:
    return f"{code['sdk']}/{code['code']}"


def render(verdict: Verdict) -> str:
    codes = verdict.violating_codes()
    rules, results = [], []
    for index, code in enumerate(codes):
        level = LEVELS.get(str(code["kind"]), "error")
        name = code["name"] or "UNKNOWN"
        description = str(code["description"] or "Not in the catalogue")
        rules.append(
            {
                "id": rule_id(code),
                "name": name,
                "shortDescription": {"text": f"{name}: {description}"},
                "fullDescription": {"text": description},
                "help": {"text": links.render(str(code["cause"])), "markdown": linked(code["cause"])},
                "defaultConfiguration": {"level": level},
                "properties": {"category": code["category"], "kind": code["kind"], "sdk": code["sdk"]},
            }
        )
        broke = [r.text for r in verdict.rules_broken_by(code)]
        sample = code["sample"]
        uri = quote(str(sample["file"]), safe="/")
        result: dict[str, object] = {
            "ruleId": rule_id(code),
            "ruleIndex": index,
            "level": level,
            "message": {
                "text": f"{code['count']} error line{'' if code['count'] == 1 else 's'} with "
                f"{rule_id(code)} {name}: {description} (broke rule {', '.join(broke)})"
            },
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri},
                        "region": {"startLine": int(sample["line"])},
                    }
                }
            ],
            "partialFingerprints": {
                "logscanCode/v1": hashlib.sha256(f"{rule_id(code)}|{sample['file']}".encode()).hexdigest()[
                    :32
                ]
            },
            "properties": {"count": code["count"], "brokenRules": broke},
        }
        if verdict.baseline:
            result["baselineState"] = code.get("baseline_state") or "new"
        results.append(result)
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "logscan", "version": __version__, "rules": rules}},
                "results": results,
                "invocations": [_invocation(verdict)],
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json_.dumps(doc)


def _invocation(verdict: Verdict) -> dict[str, object]:
    """The run itself: whether it read anything, and every input it could not read (with
    --keep-going the verdict stands without them; the notifications say which)."""
    stats = verdict.report.stats
    notifications = [
        {
            "level": "error" if stats.nothing_read else "warning",
            "message": {"text": f"cannot read {bad.name}: {bad.reason}"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": quote(bad.name, safe="/")}}}],
        }
        for bad in stats.unreadable
    ]
    invocation: dict[str, object] = {"executionSuccessful": not stats.nothing_read}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation

"""The CI gate: rules over a report, allow-lists, baselines, a verdict.

A rule is ``FIELD[=VALUE][>N]``: ``any``, ``unknown`` (codes in no catalogue),
``code=208`` (``code=web/16`` for one family), ``name=USER_REMOVED`` (names and
aliases), ``category=server``, ``kind=client-bug``. It is violated when the
error lines of the codes it matches number more than N (0 when no threshold
is given). Allowed codes (``--allow``, same syntax, no threshold) and, with a
baseline, codes that did not grow beyond the tolerance are accepted before any
rule looks at them.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from logscan import SDKS
from logscan.aggregate.report import CodeDict, Report
from logscan.config import Config
from logscan.datafile import nested_too_deeply, read_whole
from logscan.decode.catalogue import CATEGORIES, KINDS, UNKNOWN, Catalogue, names_match
from logscan.errors import ConfigError, did_you_mean

if TYPE_CHECKING:
    from logscan.run.engine import RunStats

#: What a gate says when no input could be read.
NOTHING_READ = "no input could be read, nothing was checked"
#: What a gate says when its inputs held no byte (see :attr:`RunStats.nothing_scanned`).
NOTHING_SCANNED = "nothing was scanned"

FIELDS = ("any", "unknown", "code", "name", "category", "kind")
_RULE = re.compile(r"^(?P<field>[a-z-]+)(?:=(?P<value>[^>]+?))?(?:\s*>\s*(?P<threshold>\d+))?$")


class RuleSubject(TypedDict):
    """What a rule reads of a code: a report's (:class:`~logscan.aggregate.report.CodeDict`) or a live
    one (``logscan watch``)."""

    sdk: str
    code: int
    name: str | None
    aliases: list[str]
    category: str
    kind: str


@dataclass(frozen=True)
class Rule:
    """One ``--fail-on`` / ``--allow`` rule, as written and parsed."""

    text: str
    field: str
    value: str | None = None
    sdk: str | None = None
    threshold: int = 0
    source: str = "--fail-on"

    def matches(self, code: RuleSubject) -> bool:
        if self.field == "any":
            return True
        if self.field == "unknown":
            return code["name"] is None
        if self.field == "code":
            return str(code["code"]) == self.value and self.sdk in (None, code["sdk"])
        if self.field == "name":
            return names_match(self.value or "", [code["name"], *code.get("aliases", [])])
        return code.get(self.field) == self.value

    @property
    def id(self) -> str:
        return self.text.replace(" ", "")


def parse_rule(text: str, *, source: str = "--fail-on", threshold_allowed: bool = True) -> Rule:
    """Parse ``category=server>10`` and friends; errors name where the rule came from."""
    m = _RULE.match(text.strip())

    def fail(message: str) -> ConfigError:
        return ConfigError(f"{source}: {text!r}: {message}")

    if not m:
        raise fail("expected FIELD, FIELD=VALUE or FIELD=VALUE>N (e.g. any, code=208, category=server>10)")
    fld, value, threshold = m.group("field"), m.group("value"), m.group("threshold")
    if fld not in FIELDS:
        raise fail(f"unknown field {fld!r} (one of {', '.join(FIELDS)}){did_you_mean(fld, FIELDS)}")
    if threshold is not None and not threshold_allowed:
        raise fail("an allowed code takes no threshold")
    if fld in ("any", "unknown"):
        if value is not None:
            raise fail(f"{fld!r} takes no value")
        return Rule(text, fld, None, None, int(threshold or 0), source)
    if value is None:
        raise fail(f"{fld!r} needs a value, as in {fld}=...")
    value = value.strip()
    sdk = None
    if fld == "code" and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", value):
        fld = "name"  # code=USER_REMOVED: a code by its name, as --code takes it
    elif fld == "code":
        cm = re.fullmatch(r"(?:(native|web)/)?(-?\d+)", value)
        if not cm:
            raise fail("a code is a number, native/N, web/N or a name (USER_REMOVED)")
        sdk, value = cm.group(1), str(int(cm.group(2)))
    elif fld == "category" and value not in (*CATEGORIES, UNKNOWN):
        near = did_you_mean(value, (*CATEGORIES, UNKNOWN))
        raise fail(f"unknown category {value!r} (one of {', '.join(CATEGORIES)}, unknown){near}")
    elif fld == "kind" and value not in KINDS:  # KINDS has "unknown" already
        raise fail(f"unknown kind {value!r} (one of {', '.join(KINDS)}){did_you_mean(value, KINDS)}")
    return Rule(text, fld, value, sdk, int(threshold or 0), source)


def check_names(rules: Sequence[Rule], catalogue: Catalogue) -> None:
    """Refuse a ``name=`` rule that names no code of the catalogue: a typo would silently
    turn the gate off."""
    for rule in rules:
        if rule.field == "name" and not any(e.is_named(rule.value or "") for e in catalogue.entries):
            known = sorted({name.upper() for e in catalogue.entries for name in (e.name, *e.aliases)})
            close = difflib.get_close_matches((rule.value or "").upper(), known, n=1)
            hint = f"did you mean {close[0]}?" if close else "see `logscan codes` for the names"
            raise ConfigError(f"{rule.source}: {rule.text!r}: no code is named {rule.value!r} ({hint})")


@dataclass(frozen=True)
class Tolerance:
    """How much a code may grow over its baseline count: a share (``20%``) or lines (``5``)."""

    #: Exact (a fraction of the decimal written): 100 lines grown by 15% allow 115, where floating
    #: point would make the limit 114.99999999999999.
    value: Fraction = Fraction(0)
    percent: bool = False

    def allows(self, before: int, now: int) -> bool:
        limit = before * (100 + self.value) / 100 if self.percent else before + self.value
        return now <= limit


def parse_tolerance(text: str | None, *, source: str = "--tolerance") -> Tolerance:
    if text is None:
        return Tolerance()
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(%?)\s*", text)
    if not m:
        raise ConfigError(f"{source}: {text!r}: expected a number of lines or a percentage such as 20%")
    return Tolerance(Fraction(m.group(1)), bool(m.group(2)))


def load_baseline(path: Path) -> dict[tuple[str, int], int]:
    """(sdk, code) -> count from a JSON report written earlier (``report --format json``)."""
    try:
        data = json.loads(read_whole(path, ConfigError, "the baseline"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: the baseline is not JSON: {exc}") from None
    except RecursionError:
        raise nested_too_deeply(path, ConfigError, "arrays or objects") from None
    if isinstance(data, dict) and "report" in data and isinstance(data["report"], dict):
        data = data["report"]  # a `check --format json` output works too
    codes = data.get("codes") if isinstance(data, dict) else None
    if not isinstance(codes, list):
        raise ConfigError(
            f"{path}: not a logscan JSON report (no 'codes' list); write one with report --format json"
        )
    counts: dict[tuple[str, int], int] = {}
    for i, row in enumerate(codes):
        needs = f"{path}: codes[{i}] needs sdk, code and count (whole numbers)"
        if not isinstance(row, dict) or not {"sdk", "code", "count"} <= row.keys():
            raise ConfigError(needs)
        sdk, code, count = row["sdk"], row["code"], row["count"]
        # JSON's true is no code, nor is 208.5 or "208": whole numbers only, as a report writes them.
        for key, value in (("code", code), ("count", count)):
            if type(value) is not int:
                raise ConfigError(f"{needs}: its {key} is {json.dumps(value)[:80]}")
        if sdk not in SDKS:
            raise ConfigError(f"{needs}: its sdk is {json.dumps(sdk)[:80]}, not one of {', '.join(SDKS)}")
        if count < 0:
            raise ConfigError(f"{path}: codes[{i}]: a count cannot be negative ({count})")
        counts[(sdk, code)] = count
    return counts


@dataclass
class Violation:
    rule: Rule
    count: int
    codes: list[CodeDict]


@dataclass
class Verdict:
    report: Report
    rules: list[Rule]
    violations: list[Violation] = field(default_factory=list)
    #: Codes accepted before the rules: allowed, or within the baseline's tolerance.
    accepted: list[CodeDict] = field(default_factory=list)
    #: Codes of the baseline that no longer occur.
    fixed: list[dict[str, object]] = field(default_factory=list)
    baseline: bool = False
    #: Whether no input at all is a pass (``--allow-empty``); else a gate that scanned nothing
    #: is an error, as one that read nothing is.
    allow_empty: bool = False
    #: Where ``allow_empty`` came from (the flag, or the configuration's ``FILE:LINE key``).
    allow_empty_source: str = "--allow-empty"

    @property
    def failed(self) -> bool:
        return bool(self.violations)

    @property
    def nothing_scanned(self) -> bool:
        """The inputs held no byte: empty folders, empty files, globs that matched no file."""
        return self.report.stats.nothing_scanned

    @property
    def broken(self) -> list[Rule]:
        """The rules violated, in the order they are in force."""
        return [v.rule for v in self.violations]

    def rules_broken_by(self, code: CodeDict) -> list[Rule]:
        """The violated rules that counted ``code``."""
        key = (code["sdk"], code["code"])
        return [v.rule for v in self.violations if any((c["sdk"], c["code"]) == key for c in v.codes)]

    @property
    def nothing_read(self) -> bool:
        """No input could be read (a gate that judged nothing: never a pass, whatever the rules)."""
        return self.report.stats.nothing_read

    @property
    def outcome(self) -> str:
        """``fail``, ``pass``, ``empty`` when nothing was scanned (a pass with ``allow_empty``),
        or ``error`` when no input could be read."""
        if self.failed:
            return "fail"
        if self.nothing_scanned:
            return "pass" if self.allow_empty else "empty"
        return "error" if self.nothing_read else "pass"

    def violating_codes(self) -> list[CodeDict]:
        """Every code some violated rule matched, once, by count descending."""
        seen: dict[tuple[str, int], CodeDict] = {}
        for violation in self.violations:
            for code in violation.codes:
                seen.setdefault((code["sdk"], code["code"]), code)
        return sorted(seen.values(), key=lambda c: (-int(c["count"]), c["sdk"], c["code"]))

    def to_dict(self) -> dict[str, object]:
        return {
            "verdict": self.outcome,
            "rules": [r.text for r in self.rules],
            "broken": [r.text for r in self.broken],
            "nothing_scanned": self.nothing_scanned,
            "violations": [
                {
                    "rule": v.rule.text,
                    "source": v.rule.source,
                    "threshold": v.rule.threshold,
                    "count": v.count,
                    "codes": [_brief(c) for c in v.codes],
                }
                for v in self.violations
            ],
            "accepted": [_brief(c) for c in self.accepted],
            "fixed": self.fixed,
            "report": self.report.to_dict(),
        }


def _brief(code: CodeDict) -> dict[str, object]:
    keys = (
        "sdk",
        "code",
        "name",
        "category",
        "kind",
        "count",
        "description",
        "cause",
        "sample",
        "baseline_state",
    )
    return {k: code.get(k) for k in keys}


def nothing_scanned_reason(stats: RunStats, paths: Sequence[str] = ()) -> str:
    """Why no byte was scanned, for a gate's one line: ``nothing was scanned (2 empty files)``."""
    why = []
    empty = [s for s in stats.sources if s.bytes == 0]
    if empty:
        why.append(f"{len(empty)} empty file{'' if len(empty) == 1 else 's'}")
    unmatched = [u.name for u in stats.unreadable if u.no_match]
    if unmatched:
        why.append("no file matches " + ", ".join(unmatched))
    if not why:
        folders = [p for p in paths if p != "-" and Path(p).is_dir()]
        why.append(f"no file in {', '.join(folders)}" if folders else "no input")
    return f"{NOTHING_SCANNED} ({'; '.join(why)})"


def max_total_rule(limit: int, source: str = "--max-total") -> Rule:
    """``--max-total N`` as a rule: more than N error lines in all (``max-total>N``)."""
    return Rule(f"max-total>{limit}", "any", threshold=limit, source=source)


def evaluate(
    report: Report,
    rules: list[Rule],
    *,
    allow: Sequence[Rule] = (),
    max_total: int | None = None,
    max_total_source: str = "--max-total",
    baseline: dict[tuple[str, int], int] | None = None,
    tolerance: Tolerance = Tolerance(),
    allow_empty: bool = False,
    allow_empty_source: str = "--allow-empty",
) -> Verdict:
    """Apply the allow-list, the baseline and the rules to a report (``max_total`` is the rule
    ``any>N``, named ``max-total>N``).

    With ``allow_empty`` no input is a pass: a glob that matched no file is then no unreadable
    input (the verdict's report is the report without it)."""
    if max_total is not None:
        rules = [*rules, max_total_rule(max_total, max_total_source)]
    if allow_empty and any(u.no_match for u in report.stats.unreadable):
        kept = [u for u in report.stats.unreadable if not u.no_match]
        report = dataclasses.replace(report, stats=dataclasses.replace(report.stats, unreadable=kept))
    verdict = Verdict(
        report, list(rules), baseline=baseline is not None, allow_empty=allow_empty,
        allow_empty_source=allow_empty_source,
    )  # fmt: skip
    live: list[CodeDict] = []
    for code in report.to_dict()["codes"]:
        key = (code["sdk"], code["code"])
        if any(a.matches(code) for a in allow):
            verdict.accepted.append(code)
            continue
        if baseline is not None:
            before = baseline.get(key)
            if before is None:
                code["baseline_state"] = "new"
            elif tolerance.allows(before, int(code["count"])):
                code["baseline_state"] = "unchanged"
                verdict.accepted.append(code)
                continue
            else:
                code["baseline_state"] = "updated"
            code["baseline_count"] = before
        live.append(code)
    if baseline is not None:
        present = {(c["sdk"], c["code"]) for c in report.to_dict()["codes"]}
        verdict.fixed = [
            {"sdk": sdk, "code": code, "baseline_count": count, "baseline_state": "absent"}
            for (sdk, code), count in sorted(baseline.items())
            if (sdk, code) not in present
        ]
    for rule in rules:
        hits = [c for c in live if rule.matches(c)]
        count = sum(int(c["count"]) for c in hits)
        if count > rule.threshold:
            verdict.violations.append(Violation(rule, count, hits))
    return verdict


def rules_of(
    config: Config,
    catalogue: Catalogue,
    fail_on: tuple[str, ...],
    allow: tuple[str, ...],
    max_total: int | None,
    *,
    policy: bool = True,
) -> tuple[list[Rule], list[Rule], int | None, str]:
    """The rules of a gate (``check``, ``watch``): ``--fail-on`` (else, with ``policy``, the
    configuration's ``fail_on``), the accepted codes (``--allow`` and the configuration's), the
    largest total (``--max-total``, else with ``policy`` the configuration's) and where it came
    from. With ``policy`` and nothing asked for, the rule is ``any``."""
    where = config.where
    if fail_on:
        rules = [parse_rule(r) for r in fail_on]
    elif policy:
        rules = [parse_rule(r, source=where("fail_on")) for r in config.check.fail_on]
    else:
        rules = []
    allowed = [parse_rule(r, source="--allow", threshold_allowed=False) for r in allow] + [
        parse_rule(r, source=where("allow"), threshold_allowed=False) for r in config.check.allow
    ]
    check_names([*rules, *allowed], catalogue)
    limit = max_total if max_total is not None else (config.check.max_total if policy else None)
    if policy and not rules and limit is None:
        rules = [parse_rule("any", source="default")]
    return rules, allowed, limit, "--max-total" if max_total is not None else where("max_total")

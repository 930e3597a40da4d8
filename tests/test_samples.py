"""The bundled sample logs against their ground truth (written by construction, not by regex)."""

from __future__ import annotations

import json
from collections import Counter

import polars as pl
import pytest

from logscan.aggregate.report import ReportOptions
from logscan.decode.catalogue import load_catalogue
from logscan.fleet.dispatch import report_paths
from logscan.inputs import iter_sources
from logscan.match.matcher import Matcher
from logscan.match.samples import load_patterns
from logscan.run.engine import Engine, keep_events

from .conftest import EXPECTED, SAMPLES

TRUTH: dict[str, list[list]] = json.loads((EXPECTED / "sample_events.json").read_text(encoding="utf-8"))
MATCHER = Matcher.build(load_patterns())
CATALOGUE = load_catalogue()


def _events(path) -> pl.DataFrame:
    with Engine(MATCHER, workers=1) as engine:
        frames = [f for f in engine.run(iter_sources([path]), keep_events) if not f.is_empty()]
    return pl.concat(frames) if frames else pl.DataFrame()


def test_every_sample_file_has_a_truth():
    names = {str(p.relative_to(SAMPLES)) for p in SAMPLES.rglob("*") if p.is_file()}
    covered = {key.split(":")[0] for key in TRUTH}
    assert names == covered


def test_exact_event_lines_on_every_sample():
    events = _events(SAMPLES)
    got: dict[str, list[list]] = {}
    for row in events.sort("file", "line").iter_rows(named=True):
        got.setdefault(row["file"].removeprefix(f"{SAMPLES}/"), []).append(
            [row["line"], row["sdk"], row["code"]]
        )
    expected = {k: v for k, v in TRUTH.items() if v}
    assert got == expected


@pytest.mark.parametrize("name", sorted({k.split(":")[0] for k in TRUTH}))
def test_report_counts_per_sample_file(name):
    report = report_paths(ReportOptions(paths=[str(SAMPLES / name)], workers=1), MATCHER, CATALOGUE)
    expected = Counter()
    for key, rows in TRUTH.items():
        if key.split(":")[0] == name:
            expected.update((sdk, code) for _, sdk, code in rows)
    got = {(r["sdk"], r["code"]): r["count"] for r in report.to_dict()["codes"]}
    assert got == dict(expected)
    assert report.events == sum(expected.values())
    assert not report.stats.unreadable


def test_report_of_the_whole_folder():
    report = report_paths(ReportOptions(paths=[str(SAMPLES)], workers=1), MATCHER, CATALOGUE).to_dict()
    assert report["inputs"]["files"] == 15  # 13 files, one of them a zip: its 2 members are scanned
    assert report["events"] == sum(len(v) for v in TRUTH.values()) == 140
    unknown = [c for c in report["codes"] if c["name"] is None]
    assert {(c["sdk"], c["code"]) for c in unknown} == {("native", 4242), ("web", 4242)}
    assert all(c["category"] == "unknown" and "support@agora.io" in c["cause"] for c in unknown)
    order = [(-c["count"], c["sdk"], c["code"]) for c in report["codes"]]
    assert order == sorted(order)
    assert sum(c["count"] for c in report["categories"]) == 140


def test_samples_exercise_every_platform_and_both_families():
    events = _events(SAMPLES)
    assert set(events["platform"].unique()) == {
        "core", "android", "ios", "flutter", "react-native", "unity", "electron", "web",
    }  # fmt: skip
    assert set(events["sdk"].unique()) == {"native", "web"}


def _platform_of(name: str, text: str) -> str:
    """The platform a sample line comes from (sdk-logs.md §4): its folder's, the core's log files
    of the ticket, the core's own lines inside logcat (tag ``ONE SDK``), the ticket's Web console."""
    if "ONE SDK" in text:
        return "core"
    folder, _, rest = name.partition("/")
    if folder != "ticket-4711":
        return folder
    if rest == "console.txt":
        return "web"
    return "android" if rest.endswith("logcat.txt") else "core"


def test_every_event_of_the_samples_has_the_platform_of_its_log():
    """Regression: with all patterns running, shapes of one family matched further left in the
    lines of another (Flutter's 'failed, code: N, desc:' as unity, React Native's
    'ChatError {"code": N, ...}' as android, the core's 'EMx::y() code: N desc:' as flutter)."""
    events = _events(SAMPLES)
    wrong = [
        (name, row["line"], row["platform"], row["pattern"])
        for row in events.iter_rows(named=True)
        for name in [row["file"].removeprefix(f"{SAMPLES}/")]
        if row["platform"] != _platform_of(name, row["text"])
    ]
    assert wrong == []

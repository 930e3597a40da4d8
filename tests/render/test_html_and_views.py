"""report --by views, the report's tabular formats, and the HTML report (in headless Chromium)."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser

import polars as pl
import pytest

from ..conftest import ROOT, done, invoke

ARTIFACTS = ROOT / "tests" / "artifacts"
SECRET = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.QmFkU2VjcmV0"


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def test_views_in_json_and_their_totals():
    r = invoke(
        "report",
        "sample_logs/ticket-4711",
        "--by",
        "kind",
        "--by",
        "file",
        "--by",
        "platform",
        "--by",
        "time",
        "-f",
        "json",
    )
    assert r.exit_code == 0
    data = r.json()
    total = data["events"]
    assert sum(k["count"] for k in data["kinds"]) == total
    assert sum(f["count"] for f in data["files"]) == total
    assert sum(p["count"] for p in data["platforms"]) == total
    timeline = data["timeline"]
    assert timeline["bucket"] == "5m"
    starts = sorted({row["start"] for row in timeline["rows"]})
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}", s) for s in starts)
    # empty buckets are included: consecutive starts are one bucket apart
    from datetime import datetime, timedelta

    times = [datetime.fromisoformat(s) for s in starts]
    assert all(b - a == timedelta(minutes=5) for a, b in itertools.pairwise(times))
    assert 0 < sum(row["count"] for row in timeline["rows"]) <= total


def test_bucket_option_and_its_validation():
    data = done("report", "sample_logs/ticket-4711", "--bucket", "1h", "-f", "json").json()
    assert data["timeline"]["bucket"] == "1h"
    r = invoke("report", "sample_logs/core", "--bucket", "5 minutes")
    assert r.exit_code == 2 and "--bucket" in r.stderr
    # Regression: a bucket too long for a duration was a multi-line internal error
    for huge in ("20000000w", "99999999999999999999w"):
        r = invoke("report", "sample_logs/core", "--bucket", huge)
        assert r.exit_code == 2 and r.stderr == (
            f"logscan: error: --bucket: '{huge}': a bucket is at most 100 years (5214w) "
            "(see logscan report --help)\n"
        )


def _timeline_of(tmp_path, dates, *options):
    log = tmp_path / "span.log"
    log.write_text("".join(f"[{d}:000]: onDisconnect303\n" for d in dates), encoding="utf-8")
    r = invoke("report", log, "--by", "time", "-f", "json", *options)
    assert r.exit_code == 0 and r.stderr == ""
    return r.json()["timeline"]


def test_a_timeline_over_years_stays_small(tmp_path):
    """Regression: --bucket 1s over seven years built a grid of 240 million buckets (OOM), and
    dates of year 1 and 9999 one of a million weeks; the default bucket grows to months and years."""
    seven_years = ["2017/3/1 9:59:52", "2024/10/16 10:00:00"]
    timeline = _timeline_of(tmp_path, seven_years, "--bucket", "1s")
    assert timeline == {
        "bucket": "1s",
        "rows": [
            {"start": "2017-03-01T09:59:52.000", "category": "server", "count": 1},
            {"start": "2024-10-16T10:00:00.000", "category": "server", "count": 1},
        ],
    }
    timeline = _timeline_of(tmp_path, seven_years)
    assert timeline["bucket"] == "1mo" and len(timeline["rows"]) == 92
    assert timeline["rows"][1] == {"start": "2017-04-01T00:00:00.000", "category": "server", "count": 0}
    timeline = _timeline_of(tmp_path, ["0001/1/1 0:00:00", "9999/12/31 10:00:00", "1970/1/1 0:0:0"])
    assert timeline["bucket"] == "1y" and len(timeline["rows"]) == 9999
    assert sum(row["count"] for row in timeline["rows"]) == 3


def test_table_and_markdown_show_the_views():
    r = invoke("report", "sample_logs/ticket-4711", "--by", "kind", "--by", "time")
    assert r.exit_code == 0 and "By kind" in r.stdout and "Timeline (5m buckets)" in r.stdout
    md = done("report", "sample_logs/ticket-4711", "--by", "platform", "-f", "markdown").stdout
    assert "## By platform" in md and "| platform | count | share |" in md


def test_csv_and_parquet_hold_the_first_view(tmp_path):
    out = tmp_path / "kinds.csv"
    assert invoke("report", "sample_logs/ticket-4711", "--by", "kind", "-o", out).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("kind,count,share,codes\n")
    out = tmp_path / "codes.parquet"
    assert invoke("report", "sample_logs/ticket-4711", "-o", out).exit_code == 0
    frame = pl.read_parquet(out)
    assert frame.schema["code"] == pl.Int64 and frame["count"].sum() == 45
    out = tmp_path / "time.parquet"
    assert invoke("report", "sample_logs/ticket-4711", "--by", "time", "-o", out).exit_code == 0
    assert pl.read_parquet(out).columns == ["start", "category", "count"]


class _Cells(HTMLParser):
    """(sdk, code) -> count from the codes table of the HTML report."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[tuple[str, int], int] = {}
        self.current: tuple[str, int] | None = None
        self.in_count = False
        self.unknown: set[tuple[str, int]] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and "data-code" in a:
            self.current = (a["data-sdk"], int(a["data-code"]))
            if "unknown" in (a.get("class") or ""):
                self.unknown.add(self.current)
        if tag == "td" and "count" in (a.get("class") or "").split():
            self.in_count = True

    def handle_data(self, data):
        if self.in_count and self.current:
            self.rows[self.current] = int(data.replace(",", ""))
            self.in_count = False


def test_html_is_self_contained_and_redacted(tmp_path):
    log = tmp_path / "s.log"
    log.write_text(f"E/ChatDemo(1): Login failed! code: 202 error: token={SECRET}\n", encoding="utf-8")
    page = done("report", log, "-f", "html").stdout
    assert SECRET not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert '<canvas id="timeline"' in page and "Chart.js v4" in page


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _browser(*args: str) -> subprocess.CompletedProcess[str]:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--virtual-time-budget=10000"]  # fmt: skip
    return subprocess.run([_chromium(), *flags, *args], capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(
    _chromium() is None and not os.environ.get("CI"), reason="no Chromium here (CI installs it)"
)
def test_html_report_in_headless_chromium(tmp_path):
    page = tmp_path / "report.html"
    assert invoke("report", "sample_logs", "-o", page).exit_code == 0
    expected = {
        (c["sdk"], c["code"]): c["count"] for c in done("report", "sample_logs", "-f", "json").json()["codes"]
    }
    profile = tmp_path / "profile"
    dom = _browser(f"--user-data-dir={profile}", "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert '<body data-charts="2">' in html, "both charts were drawn"
    assert re.search(r'<pre id="errors" hidden="">\s*</pre>', html), "no script errors"
    cells = _Cells()
    cells.feed(html)
    assert cells.rows == expected, "the numbers on the page are the JSON report's"
    assert cells.unknown == {("native", 4242), ("web", 4242)}
    ARTIFACTS.mkdir(exist_ok=True)
    shot = _browser(
        f"--user-data-dir={profile}2",
        "--window-size=1280,1800",
        f"--screenshot={ARTIFACTS / 'report.png'}",
        page.as_uri(),
    )
    assert shot.returncode == 0 and (ARTIFACTS / "report.png").stat().st_size > 10_000


def test_binary_formats_are_refused_on_a_terminal(monkeypatch):
    import logscan.cli.output

    monkeypatch.setattr(logscan.cli.output, "stdout_is_terminal", lambda: True)
    for command in ("report", "events"):
        r = invoke(command, "sample_logs/core", "-f", "parquet")
        assert r.exit_code == 2 and "parquet is binary: write it to a file with -o FILE.parquet" in r.stderr
    assert invoke("report", "sample_logs/core", "-f", "json").exit_code == 0

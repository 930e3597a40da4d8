"""A self-contained HTML report that works offline.

One file: the summary, a timeline of errors by category and the top codes as
charts (Chart.js, MIT licence, embedded in the page: no CDN, no network), and
a table of every code with its meaning, kind, cause and fix, first and last
seen, files and a redacted sample line; unknown codes are highlighted. The
page records script errors in ``#errors`` and sets ``data-charts`` on
``<body>`` to the number of charts drawn, so a headless browser can check it.
"""

from __future__ import annotations

import json
from html import escape as _html_escape
from importlib import resources

from logscan import __version__
from logscan.outputs import printable
from logscan.render.text import describe_span, human_bytes, plural, timeline_rows
from logscan.report import Report

#: Colours of the categories in the charts (cycled).
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac", "#1f77b4", "#d62728", "#2ca02c", "#8c564b", "#17becf", "#bcbd22",
    "#7f7f7f", "#393b79", "#637939", "#843c39", "#7b4173",
)  # fmt: skip
TOP_CODES = 15


def escape(text: str) -> str:
    """Untrusted text as HTML: control characters shown :func:`printable`, then escaped."""
    return _html_escape(printable(text))


def _chart_js() -> str:
    return (resources.files("logscan") / "data" / "vendor" / "chart.umd.min.js").read_text(encoding="utf-8")


def _json_for_script(data: object) -> str:
    """JSON that is safe inside a <script> element."""
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/").replace("<!--", "<\\!--")


def _chart_data(report: Report) -> dict[str, object]:
    data = report.to_dict()
    codes = data["codes"][:TOP_CODES]  # type: ignore[index]
    categories = (
        sorted({row["category"] for row in report.timeline.iter_rows(named=True)})
        if report.timeline.height
        else []
    )
    colours = {
        c: PALETTE[i % len(PALETTE)]
        for i, c in enumerate(sorted({r["category"] for r in data["categories"]}))
    }  # type: ignore[union-attr]
    starts = sorted({row["start"] for row in report.timeline.iter_rows(named=True)})
    counts = {(r["start"], r["category"]): r["count"] for r in report.timeline.iter_rows(named=True)}
    # Labels as short as the bucket allows: a date for days and weeks, else date and time.
    cut = 10 if (report.bucket or "").endswith(("d", "w")) else 16
    return {
        "timeline": {
            "labels": [s[:cut].replace("T", " ") for s in starts],
            "datasets": [
                {
                    "label": c,
                    "data": [counts.get((s, c), 0) for s in starts],
                    "backgroundColor": colours.get(c, "#888"),
                }
                for c in categories
            ],
        },
        "top": {
            "labels": [f"{c['sdk']} {c['code']} {c['name'] or 'UNKNOWN'}" for c in codes],
            "data": [c["count"] for c in codes],
            "colors": [colours.get(c["category"], "#888") for c in codes],
        },
        "bucket": report.bucket,
    }


_STYLE = """
:root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2430; }
body { margin: 0 auto; max-width: 1200px; padding: 1.5rem; background: #fafbfc; }
h1 { margin: 0 0 .25rem; font-size: 1.6rem; } h2 { font-size: 1.15rem; margin: 2rem 0 .6rem; }
.meta { color: #5b6472; margin: 0 0 1rem; }
.cards { display: flex; flex-wrap: wrap; gap: .75rem; }
.card { background: #fff; border: 1px solid #e1e4e8; border-radius: 8px; padding: .6rem 1rem; min-width: 8rem; }
.card b { display: block; font-size: 1.4rem; }
.chart { background: #fff; border: 1px solid #e1e4e8; border-radius: 8px; padding: 1rem; height: 320px; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: .88rem; }
th, td { border-bottom: 1px solid #e1e4e8; padding: .4rem .5rem; text-align: left; vertical-align: top; }
th { background: #f1f3f5; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.unknown { background: #fff4e5; } tr.unknown td.name { color: #b54708; font-weight: 600; }
code, .sample { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .8rem; }
.sample { color: #444; word-break: break-all; min-width: 18rem; max-width: 28rem; }
td.cause { min-width: 16rem; } td.meaning { min-width: 10rem; }
.unreadable { color: #b42318; }
footer { color: #8a94a3; font-size: .8rem; margin-top: 2rem; }
"""

_SCRIPT = """
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var drawn = 0;
  function done() { document.body.setAttribute('data-charts', String(drawn)); }
  try {
    if (data.timeline.labels.length) {
      new Chart(document.getElementById('timeline'), {
        type: 'bar',
        data: data.timeline,
        options: { animation: false, maintainAspectRatio: false, responsive: true,
                   scales: { x: { stacked: true, ticks: { maxRotation: 60 } }, y: { stacked: true, beginAtZero: true,
                   title: { display: true, text: 'error lines per ' + data.bucket } } },
                   plugins: { legend: { position: 'bottom' } } }
      });
      drawn += 1;
    }
    if (data.top.labels.length) {
      new Chart(document.getElementById('top-codes'), {
        type: 'bar',
        data: { labels: data.top.labels, datasets: [{ label: 'error lines', data: data.top.data,
                backgroundColor: data.top.colors }] },
        options: { animation: false, indexAxis: 'y', maintainAspectRatio: false, responsive: true,
                   plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true } } }
      });
      drawn += 1;
    }
  } finally { done(); }
})();
"""

_GUARD = """
window.__logscanErrors = [];
function __logscanRecord(message) {
  window.__logscanErrors.push(String(message));
  var box = document.getElementById('errors');
  if (box) { box.hidden = false; box.textContent = window.__logscanErrors.join('\\n'); }
}
window.addEventListener('error', function (e) { __logscanRecord(e.message); });
window.addEventListener('unhandledrejection', function (e) { __logscanRecord(e.reason); });
(function () {
  var original = console.error;
  console.error = function () { __logscanRecord(Array.prototype.join.call(arguments, ' ')); original.apply(console, arguments); };
})();
"""


def render(report: Report) -> str:
    data = report.to_dict()
    inputs = data["inputs"]
    codes = data["codes"]
    rows = []
    for c in codes:  # type: ignore[union-attr]
        unknown = c["name"] is None
        sample = c["sample"]
        files = c["files"]
        rows.append(
            f'<tr class="{"unknown" if unknown else "known"}" data-sdk="{escape(c["sdk"])}" data-code="{c["code"]}">'
            f"<td>{escape(c['sdk'])}</td><td class=num>{c['code']}</td>"
            f'<td class="name">{escape(c["name"] or "UNKNOWN")}</td>'
            f"<td>{escape(c['category'])}</td><td>{escape(c['kind'])}</td>"
            f'<td class="num count">{c["count"]}</td><td class=num>{c["share"]:.1%}</td>'
            f"<td class=meaning>{escape(c['description'] or c['log_description'] or '')}</td>"
            f"<td class=cause>{escape(c['cause'])}</td>"
            f"<td>{escape(c['first_seen'] or '–')}</td><td>{escape(c['last_seen'] or '–')}</td>"
            f"<td>{escape(files[0])}{f' (+{len(files) - 1})' if len(files) > 1 else ''}</td>"
            f'<td class="sample">{escape(sample["file"])}:{sample["line"]}<br>{escape(sample["text"])}</td></tr>'
        )
    categories = "".join(
        f"<tr><td>{escape(c['category'])}</td><td class='num'>{c['count']}</td><td class='num'>{c['share']:.1%}</td>"
        f"<td>{escape(', '.join(map(str, c['codes'])))}</td></tr>"
        for c in data["categories"]  # type: ignore[union-attr]
    )
    timeline = timeline_rows(report)
    unreadable = "".join(
        f"<li class='unreadable'>{escape(u['name'])}: {escape(u['reason'])}</li>"
        for u in inputs["unreadable"]  # type: ignore[index]
    )
    cards = [
        ("files", f"{inputs['files']:,}"), ("lines", f"{inputs['lines']:,}"),  # type: ignore[index]
        ("scanned", human_bytes(inputs["bytes"])), ("error lines", f"{data['events']:,}"),  # type: ignore[index,arg-type]
        ("codes", f"{len(codes):,}"),  # type: ignore[arg-type]
        ("unknown codes", f"{sum(1 for c in codes if c['name'] is None):,}"),  # type: ignore[union-attr]
    ]  # fmt: skip
    empty = "" if codes else "<p>No SDK error codes found.</p>"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="logscan {escape(__version__)}">
<title>logscan report</title>
<style>{_STYLE}</style>
<script>{_GUARD}</script>
</head>
<body data-charts="0">
<h1>logscan report</h1>
<p class="meta">Agora Chat SDK error codes. Time span: {escape(describe_span(data["span"]))}.</p>
<pre id="errors" hidden></pre>
<div class="cards">{"".join(f'<div class="card" data-card="{escape(k)}"><b>{escape(v)}</b>{escape(k)}</div>' for k, v in cards)}</div>
{f"<ul>{unreadable}</ul>" if unreadable else ""}
{empty}
<h2>Errors over time, by category ({escape(str(report.bucket))} buckets; {plural(int(timeline["count"].sum()) if timeline.height else 0, "line")} with a full timestamp)</h2>
<div class="chart"><canvas id="timeline" aria-label="errors over time by category" role="img"></canvas></div>
<h2>Top codes</h2>
<div class="chart"><canvas id="top-codes" aria-label="most frequent codes" role="img"></canvas></div>
<h2>Codes</h2>
<table id="codes"><thead><tr><th>sdk</th><th>code</th><th>name</th><th>category</th><th>kind</th><th>count</th><th>share</th><th>meaning</th><th>cause / fix</th><th>first seen</th><th>last seen</th><th>files</th><th>sample</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
<h2>Categories</h2>
<table id="categories"><thead><tr><th>category</th><th>count</th><th>share</th><th>codes</th></tr></thead><tbody>{categories}</tbody></table>
<footer>Generated by logscan {escape(__version__)}. Charts: Chart.js (MIT licence), embedded. Secrets in log lines are masked unless --no-redact was given.</footer>
<script>{_chart_js()}</script>
<script type="application/json" id="report-data">{_json_for_script(_chart_data(report))}</script>
<script>{_SCRIPT}</script>
</body>
</html>
"""

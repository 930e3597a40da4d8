"""A self-contained HTML report that works offline.

One file that fits a 1280 px screen: the summary; a timeline of errors by category
(runs of empty buckets drawn as one narrow gap, so that an incident of an hour in a
day-long log fills the chart) and the top codes as charts (Chart.js, MIT licence,
embedded in the page: no CDN, no network); a table of every code, one row each, whose
meaning, cause and fix and redacted sample line open below it (``<details>``); and the
views: categories, kinds, platforms, files and the timeline as a table. Unknown codes
are highlighted. Each category has a fixed colour, the same in every report
(:data:`CATEGORY_COLOURS`). The page records script errors in ``#errors`` and sets
``data-charts`` on ``<body>`` to the number of charts drawn, so a headless browser can
check it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from html import escape as _html_escape
from importlib import resources

from logscan import __version__
from logscan.aggregate.report import Report
from logscan.decode import links
from logscan.outputs import printable
from logscan.render.text import (
    collapse_empty,
    describe_span,
    human_bytes,
    plain_cell,
    plural,
    relative,
    timeline_rows,
    top_files,
)  # fmt: skip

#: Okabe-Ito's colour-blind-safe palette for the eight categories seen most, then Paul Tol's
#: muted and light palettes; the same colour for a category in every report.
CATEGORY_COLOURS = {
    "connection": "#0072B2", "user": "#E69F00", "server": "#D55E00", "message": "#009E73",
    "general": "#56B4E9", "request": "#CC79A7", "group": "#F0E442", "chatroom": "#000000",
    "app": "#332288", "file": "#88CCEE", "call": "#44AA99", "user-attributes": "#117733",
    "translation": "#999933", "contact": "#DDCC77", "presence": "#CC6677", "moderation": "#882255",
    "reaction": "#AA4499", "thread": "#77AADD", "conversation": "#EE8866", "database": "#FFAABB",
    "push": "#BBCC33", "unknown": "#BBBBBB",
}  # fmt: skip
#: A category that is in no catalogue list (a user catalogue's own).
OTHER_COLOUR = "#DDDDDD"
TOP_CODES = 15


def escape(text: str) -> str:
    """Untrusted text as HTML: control characters shown :func:`printable`, then escaped."""
    return _html_escape(printable(text))


def colour(category: str) -> str:
    return CATEGORY_COLOURS.get(category, OTHER_COLOUR)


def _chart_js() -> str:
    return (resources.files("logscan") / "data" / "vendor" / "chart.umd.min.js").read_text(encoding="utf-8")


def _json_for_script(data: object) -> str:
    """JSON that is safe inside a <script> element."""
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/").replace("<!--", "<\\!--")


def _slots(report: Report) -> list[tuple[str, list[str]]]:
    """The timeline's slots: (label, bucket starts); a run of two or more empty buckets is one
    slot (``… 150 empty buckets …``) with no start."""
    rows = collapse_empty(timeline_rows(report))
    cut = 10 if (report.bucket or "").endswith(("d", "w", "mo", "y")) else 16
    return [
        (start.replace("T", " ")[:cut], [start]) if count is not None else (start, [])
        for start, count, _ in rows.iter_rows()
    ]


def _chart_data(report: Report) -> dict[str, object]:
    data = report.to_dict()
    codes = data["codes"][:TOP_CODES]
    timeline = report.timeline
    categories = (
        sorted({row["category"] for row in timeline.iter_rows(named=True)}) if timeline.height else []
    )
    counts = {(r["start"], r["category"]): r["count"] for r in timeline.iter_rows(named=True)}
    slots = _slots(report) if timeline.height else []
    return {
        "timeline": {
            "labels": [label for label, _ in slots],
            "gaps": [i for i, (_, starts) in enumerate(slots) if not starts],
            "datasets": [
                {
                    "label": c,
                    "data": [sum(counts.get((s, c), 0) for s in starts) for _, starts in slots],
                    "backgroundColor": colour(c),
                }
                for c in categories
            ],
        },
        "top": {
            "labels": [f"{c['sdk']} {c['code']} {c['name'] or 'UNKNOWN'}" for c in codes],
            "data": [c["count"] for c in codes],
            "colors": [colour(c["category"]) for c in codes],
        },
        "bucket": report.bucket,
    }


_STYLE = """
:root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2430; }
*, *::before, *::after { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 1.5rem; background: #fafbfc; overflow-wrap: anywhere; }
h1 { margin: 0 0 .25rem; font-size: 1.6rem; } h2 { font-size: 1.15rem; margin: 2rem 0 .6rem; }
.meta { color: #5b6472; margin: 0 0 1rem; }
.cards { display: flex; flex-wrap: wrap; gap: .75rem; }
.card { background: #fff; border: 1px solid #e1e4e8; border-radius: 8px; padding: .6rem 1rem; min-width: 8rem; }
.card b { display: block; font-size: 1.4rem; }
.chart { position: relative; background: #fff; border: 1px solid #e1e4e8; border-radius: 8px; padding: 1rem;
         height: 340px; width: 100%; }
.note { color: #5b6472; font-size: .85rem; margin: .3rem 0 0; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: .85rem; }
th, td { border-bottom: 1px solid #e1e4e8; padding: .35rem .4rem; text-align: left; vertical-align: top; }
th { background: #f1f3f5; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.when, td.id { white-space: nowrap; }
td.files { min-width: 7rem; } .more-files { white-space: nowrap; color: #5b6472; }
td.when { font-variant-numeric: tabular-nums; }
tr.code td { border-bottom: none; }
tr.more td { padding-top: 0; }
tr.unknown, tr.unknown + tr.more { background: #fff4e5; }
tr.unknown td.name { color: #b54708; font-weight: 600; }
details summary { cursor: pointer; color: #3b4452; }
details[open] summary { margin-bottom: .3rem; }
.swatch { display: inline-block; width: .8em; height: .8em; border-radius: 2px; margin-right: .35em;
          vertical-align: -.05em; border: 1px solid #0002; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .8rem; }
pre.sample { margin: .2rem 0 .3rem; padding: .4rem .6rem; background: #f6f8fa; border-radius: 4px;
             white-space: pre-wrap; word-break: break-all; }
.unreadable { color: #b42318; }
footer { color: #8a94a3; font-size: .8rem; margin-top: 2rem; }
"""

_SCRIPT = """
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var drawn = 0;
  function done() { document.body.setAttribute('data-charts', String(drawn)); }
  try {
    var t = data.timeline;
    if (t.labels.length) {
      var gaps = {};
      t.gaps.forEach(function (i) { gaps[i] = true; });
      var gapShade = {
        id: 'gaps',
        beforeDatasetsDraw: function (chart) {
          var ctx = chart.ctx, x = chart.scales.x, area = chart.chartArea;
          var step = (area.right - area.left) / Math.max(t.labels.length, 1);
          ctx.save();
          ctx.fillStyle = 'rgba(120, 130, 145, 0.12)';
          t.gaps.forEach(function (i) {
            ctx.fillRect(x.getPixelForValue(i) - step / 2, area.top, step, area.bottom - area.top);
          });
          ctx.restore();
        }
      };
      new Chart(document.getElementById('timeline'), {
        type: 'bar',
        data: { labels: t.labels, datasets: t.datasets },
        plugins: [gapShade],
        options: { animation: false, maintainAspectRatio: false, responsive: true,
                   datasets: { bar: { categoryPercentage: 0.9, barPercentage: 1.0 } },
                   scales: { x: { stacked: true, grid: { display: false },
                                  ticks: { maxRotation: 60, autoSkip: true,
                                           color: function (c) { return gaps[c.index] ? '#8a94a3' : '#444'; } } },
                             y: { stacked: true, beginAtZero: true, ticks: { precision: 0 },
                                  title: { display: true, text: 'error lines per ' + data.bucket } } },
                   plugins: { legend: { position: 'bottom' },
                              tooltip: { filter: function (item) { return item.raw > 0; } } } }
      });
      drawn += 1;
    }
    if (data.top.labels.length) {
      new Chart(document.getElementById('top-codes'), {
        type: 'bar',
        data: { labels: data.top.labels, datasets: [{ label: 'error lines', data: data.top.data,
                backgroundColor: data.top.colors }] },
        options: { animation: false, indexAxis: 'y', maintainAspectRatio: false, responsive: true,
                   plugins: { legend: { display: false } },
                   scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
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


def linked(value: object) -> str:
    """Catalogue text as HTML, its public links as links (:mod:`logscan.decode.links`)."""
    return links.render(
        "" if value is None else str(value),
        plain=escape,
        link=lambda text, address: (
            f'<a href="{escape(address)}" rel="noopener noreferrer">{escape(text)}</a>'
        ),
    )


def _when(value: object) -> str:
    """A seen-time as the table shows it: to the second, date and time on one line."""
    if not value:
        return "–"
    text = str(value).replace("T", " ")
    return escape(text[: text.index(" ") + 9] if " " in text else text[:8])


def _table(
    id_: str, header: Sequence[str], rows: Sequence[Sequence[object]], numeric: Sequence[str] = ()
) -> str:
    """A plain table of text cells (escaped); ``numeric`` columns right-aligned."""
    head = "".join(f"<th{' class=num' if h in numeric else ''}>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=num' if h in numeric else ''}>{escape(plain_cell(v))}</td>"
            for h, v in zip(header, row, strict=True)
        )
        + "</tr>"
        for row in rows
    )
    return f'<table id="{id_}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _breakable(name: str) -> str:
    """A file name as HTML that may break after ``/`` and ``:`` (and nowhere else first)."""
    return re.sub(r"([/:])", r"\1<wbr>", escape(name))


def _percent(share: float) -> str:
    return f"{float(share):.1%}"


def _swatch(category: str) -> str:
    return f'<span class="swatch" style="background:{colour(category)}"></span>{escape(category)}'


def render(report: Report, *, paths: Sequence[str] = ()) -> str:
    """The page; file names relative to the folder of ``paths`` (the inputs named)."""
    from logscan.inputs import common_folder

    folder = printable(common_folder(paths))

    def shown(name: object) -> str:
        return relative(printable(str(name)), folder)  # both spelled as the page shows them

    data = report.to_dict()
    inputs = data["inputs"]
    codes = data["codes"]
    top = top_files(report)
    rows = []
    for c in codes:
        unknown = c["name"] is None
        sample = c["sample"]
        files = c["files"]
        first_file = top.get((c["sdk"], c["code"])) or files[0]
        meaning = c["description"] or (f"Logged as: {c['log_description']}" if c["log_description"] else "")
        rows.append(
            f'<tr class="code {"unknown" if unknown else "known"}" data-sdk="{escape(c["sdk"])}" data-code="{c["code"]}">'
            f"<td class=id>{escape(c['sdk'])}</td><td class=num>{c['code']}</td>"
            f'<td class="name id">{escape(c["name"] or "UNKNOWN")}</td>'
            f"<td class=id>{_swatch(c['category'])}</td><td class=id>{escape(c['kind'])}</td>"
            f'<td class="num count">{c["count"]:,}</td><td class=num>{c["share"]:.1%}</td>'
            f"<td class=when>{_when(c['first_seen'])}</td><td class=when>{_when(c['last_seen'])}</td>"
            f'<td class=files title="{escape(", ".join(map(shown, files)))}">{_breakable(shown(first_file))}'
            f"{f' <span class=more-files>+{len(files) - 1}</span>' if len(files) > 1 else ''}</td></tr>"
            f'<tr class="more"><td></td><td colspan="9"><details><summary>{escape(meaning or "What to do")}</summary>'
            f"<p><b>Cause / fix:</b> {linked(c['cause'])}</p>"
            f"<p>Sample, {escape(shown(sample['file']))}:{sample['line']}:</p>"
            f'<pre class="sample">{escape(str(sample["text"]))}</pre></details></td></tr>'
        )
    categories = "".join(
        f"<tr><td class=id>{_swatch(c['category'])}</td><td class=num>{c['count']:,}</td>"
        f"<td class=num>{c['share']:.1%}</td><td>{escape(', '.join(map(str, c['codes'])))}</td></tr>"
        for c in data["categories"]
    )
    views = []
    if "kind" in report.views:
        kinds = report.kinds()
        views.append(("By kind", _table("kinds", ["kind", "count", "share", "codes"],
            [[k, f"{n:,}", _percent(sh), cs] for k, n, sh, cs in kinds.iter_rows()], ["count", "share"])))  # fmt: skip
    if "platform" in report.views:
        views.append(("By platform", _table("platforms", ["platform", "count", "share", "codes"],
            [[p, f"{n:,}", _percent(sh), cs] for p, n, sh, cs in report.platforms.iter_rows()], ["count", "share"])))  # fmt: skip
    if "file" in report.views:
        views.append(("By file", _table("files", ["file", "count", "codes"],
            [[shown(f), f"{n:,}", cs] for f, n, cs in report.files().iter_rows()], ["count"])))  # fmt: skip
    timeline = timeline_rows(report)
    buckets = collapse_empty(timeline) if timeline.height else timeline
    timeline_table = _table(
        "timeline-table", ["start", "count", "categories"],
        [[s.replace("T", " ") if n is not None else s, "" if n is None else f"{n:,}", cats]
         for s, n, cats in buckets.iter_rows()],
        ["count"],
    )  # fmt: skip
    unreadable = "".join(
        f"<li class='unreadable'>{escape(u['name'])}: {escape(u['reason'])}</li>"
        for u in inputs["unreadable"]
    )
    cards = [
        ("files", f"{inputs['files']:,}"), ("lines", f"{inputs['lines']:,}"),
        ("scanned", human_bytes(inputs["bytes"])), ("error lines", f"{data['events']:,}"),
        ("codes", f"{len(codes):,}"),
        ("unknown codes", f"{sum(1 for c in codes if c['name'] is None):,}"),
    ]  # fmt: skip
    empty = "" if codes else "<p>No SDK error codes found.</p>"
    timed = int(timeline["count"].sum()) if timeline.height else 0
    gaps = sum(1 for n in buckets["count"] if n is None) if timeline.height else 0
    views_html = "".join(f"<h2>{escape(title)}</h2>{table}" for title, table in views)
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
<p class="meta">Agora Chat SDK error codes{f" in {escape(folder)}/ (file names below are relative to it)" if folder else ""}. Time span: {escape(describe_span(data["span"]))}.</p>
<pre id="errors" hidden></pre>
<div class="cards">{"".join(f'<div class="card" data-card="{escape(k)}"><b>{escape(v)}</b>{escape(k)}</div>' for k, v in cards)}</div>
{f"<ul>{unreadable}</ul>" if unreadable else ""}
{empty}
<h2>Errors over time, by category ({escape(str(report.bucket))} buckets; {plural(timed, "line")} with a full timestamp)</h2>
<div class="chart"><canvas id="timeline" aria-label="errors over time by category" role="img"></canvas></div>
<p class="note">{"Each shaded slot stands for a run of empty buckets (" + plural(gaps, "run") + "), so that the busy stretches fill the chart. " if gaps else ""}The timeline as a table is below.</p>
<h2>Top codes</h2>
<div class="chart"><canvas id="top-codes" aria-label="most frequent codes" role="img"></canvas></div>
<h2>Codes</h2>
<p class="note">Open a row for the meaning, the cause and fix, and a sample line.</p>
<table id="codes"><thead><tr><th>sdk</th><th class=num>code</th><th>name</th><th>category</th><th>kind</th><th class=num>count</th><th class=num>share</th><th>first seen</th><th>last seen</th><th>files</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
{f'<p class="note">… and {plural(report.omitted_codes, "more code")} (--top).</p>' if report.omitted_codes else ""}
<h2>Categories</h2>
<table id="categories"><thead><tr><th>category</th><th class=num>count</th><th class=num>share</th><th>codes</th></tr></thead><tbody>{categories}</tbody></table>
{views_html}
<h2>Timeline ({escape(str(report.bucket))} buckets)</h2>
<details id="timeline-details"><summary>The timeline as a table ({plural(buckets.height, "row")})</summary>{timeline_table}</details>
<footer>Generated by logscan {escape(__version__)}. Charts: Chart.js (MIT licence), embedded. Secrets in log lines are masked unless --no-redact was given.</footer>
<script>{_chart_js()}</script>
<script type="application/json" id="report-data">{_json_for_script(_chart_data(report))}</script>
<script>{_SCRIPT}</script>
</body>
</html>
"""

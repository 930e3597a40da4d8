"""The HTML report as a page: it fits 1280 px, rows open for cause, fix and sample, the
timeline shows where the errors are, categories keep their colours, every view is there."""

from __future__ import annotations

import json
import re

import pytest

from logscan.render.html import CATEGORY_COLOURS

from ..conftest import ROOT, done, invoke
from .test_html_and_views import ARTIFACTS, _browser, _chromium

needs_chromium = pytest.mark.skipif(_chromium() is None, reason="no Chromium here (CI installs it)")

#: Run in the page after its charts: the page's width, the timeline's bars (label, total,
#: left and right edge), its chart area and y ticks, and whether every time cell is one line,
#: with every row's details closed and then open.
MEASURE = """<script>
(function () {
  function widths() { return [document.documentElement.scrollWidth, window.innerWidth]; }
  var out = {closed: widths()};
  var chart = Chart.getChart('timeline');
  var meta = chart.getDatasetMeta(0), area = chart.chartArea;
  out.area = [area.left, area.right];
  out.bars = chart.data.labels.map(function (label, i) {
    var total = chart.data.datasets.reduce(function (s, d) { return s + d.data[i]; }, 0);
    var bar = meta.data[i];
    return [label, total, bar.x - bar.width / 2, bar.x + bar.width / 2];
  });
  out.yticks = chart.scales.y.ticks.map(function (t) { return t.value; });
  out.colours = chart.data.datasets.map(function (d) { return [d.label, d.backgroundColor]; });
  out.topticks = Chart.getChart('top-codes').scales.x.ticks.map(function (t) { return t.value; });
  document.querySelectorAll('details').forEach(function (d) { d.open = true; });
  out.open = widths();
  out.timesOnOneLine = Array.prototype.every.call(document.querySelectorAll('td.when'), function (td) {
    var range = document.createRange(); range.selectNodeContents(td);
    return range.getClientRects().length === 1;
  });
  var pre = document.createElement('pre'); pre.id = 'measure'; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>"""


def _incident_log(path):
    """A 14-hour log: a line at 00:00, an incident of 70 minutes from 10:00 (a line a minute,
    codes of four categories), a line at 14:00."""
    lines = ["[2024/05/01 00:00:01:000]: [global listener] onDisconnect303"]
    codes = (2, 303, 217, 509)
    lines += [
        f"[2024/05/01 {10 + m // 60:02d}:{m % 60:02d}:30:000]: [global listener] onDisconnect{codes[m % 4]}"
        for m in range(70)
    ]
    lines.append("[2024/05/01 14:00:01:000]: [global listener] onDisconnect303")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _measure(tmp_path, page, width):
    text = page.read_text(encoding="utf-8")
    at = text.rindex("</body>")
    measured = tmp_path / f"measured-{width}.html"
    measured.write_text(text[:at] + MEASURE + text[at:], encoding="utf-8")
    dom = _browser(f"--user-data-dir={tmp_path / f'profile-{width}'}", f"--window-size={width},1000",
                   "--dump-dom", measured.as_uri())  # fmt: skip
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert re.search(r'<pre id="errors" hidden="">\s*</pre>', dom.stdout), "no script errors"
    found = re.search(r'<pre id="measure">(.*?)</pre>', dom.stdout, re.S)
    assert found, dom.stdout[-2000:]
    return json.loads(found.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))


@needs_chromium
@pytest.mark.parametrize("width", [1280, 1920])
def test_the_page_fits_and_an_incident_fills_the_timeline(tmp_path, width):
    log = tmp_path / "incident.log"
    _incident_log(log)
    page = tmp_path / "report.html"
    assert invoke("report", log, "-o", page).exit_code == 0
    m = _measure(tmp_path, page, width)
    assert m["closed"][0] <= m["closed"][1] and m["open"][0] <= m["open"][1], m
    assert m["timesOnOneLine"]
    left, right = m["area"]
    busy = [bar for bar in m["bars"] if bar[0] >= "2024-05-01 10:00" and bar[0] <= "2024-05-01 11:10"]
    assert sum(bar[1] for bar in busy) == 70
    share = (max(bar[3] for bar in busy) - min(bar[2] for bar in busy)) / (right - left)
    assert share >= 0.6, f"the 70 minutes take {share:.0%} of the chart"
    assert [bar[0] for bar in m["bars"]] == [
        "2024-05-01 00:00", "… 119 empty buckets …",
        *(f"2024-05-01 {10 + n // 12:02d}:{n % 12 * 5:02d}" for n in range(14)),
        "… 34 empty buckets …", "2024-05-01 14:00",
    ]  # fmt: skip
    assert all(float(t).is_integer() for t in m["yticks"] + m["topticks"])
    assert dict(m["colours"]) == {c: CATEGORY_COLOURS[c] for c in ("general", "message", "server", "user")}
    ARTIFACTS.mkdir(exist_ok=True)
    shot = _browser(f"--user-data-dir={tmp_path / 'shot'}", f"--window-size={width},1400",
                    f"--screenshot={ARTIFACTS / f'incident-{width}.png'}", page.as_uri())  # fmt: skip
    assert shot.returncode == 0 and (ARTIFACTS / f"incident-{width}.png").stat().st_size > 10_000


@needs_chromium
def test_the_ticket_page_fits_1280_px(tmp_path):
    """Regression: the codes table was 2108 px wide in a 1248 px page."""
    page = tmp_path / "ticket.html"
    assert invoke("report", "sample_logs/ticket-4711", "-o", page).exit_code == 0
    m = _measure(tmp_path, page, 1280)
    assert m["closed"][0] <= 1280 and m["open"][0] <= 1280 and m["timesOnOneLine"], m


def test_rows_open_for_cause_fix_and_sample_and_every_view_is_there(monkeypatch):
    monkeypatch.chdir(ROOT)
    page = done("report", "sample_logs/ticket-4711", "-f", "html").stdout
    assert (
        "Agora Chat SDK error codes in sample_logs/ticket-4711/ (file names below are relative to it)."
        in page
    )
    assert (
        '<tr class="code known" data-sdk="native" data-code="214"><td class=id>native</td><td class=num>214</td>'
        '<td class="name id">USER_LOGIN_TOO_MANY_DEVICES</td><td class=id><span class="swatch" '
        'style="background:#E69F00"></span>user</td><td class=id>limit</td><td class="num count">1</td>'
        "<td class=num>2.2%</td><td class=when>2024-05-01 09:41:29</td><td class=when>2024-05-01 09:41:29</td>"
        '<td class=files title="easemob_2024-05-01_10-00-00.log">easemob_2024-05-01_10-00-00.log</td></tr>'
        '<tr class="more"><td></td><td colspan="9"><details><summary>The user logs in at too many devices</summary>'
        "<p><b>Cause / fix:</b> If a user ID has logged in at four devices, when the user tries logging in at a "
        "fifth device, the SDK returns this error code. If you want a user to log in at more than four devices, "
        'contact <a href="mailto:support@agora.io" rel="noopener noreferrer">support@agora.io</a>.</p>'
    ) in page
    assert '<td class=files title="easemob.log, logs.zip:sdkdata/easemobLog/easemob.log">easemob.log <span class=more-files>+1</span></td>' in page  # fmt: skip
    # Links are the public pages only; nothing is loaded from the network.
    assert re.findall(r'href="([^"]*)"', page) == ["mailto:support@agora.io"]  # 214's cause
    assert not re.search(r"""src\s*=\s*["']?(https?:)?//""", page)
    for title in ("By kind", "By platform", "By file", "Timeline (5m buckets)"):
        assert f"<h2>{title}</h2>" in page
    assert "<tr><td>limit</td><td class=num>11</td><td class=num>24.4%</td><td>native/509, native/704, native/214, native/504, native/1001, native/1002, native/1112, web/704</td></tr>" in page  # fmt: skip
    assert "<tr><td>… 150 empty buckets …</td><td class=num></td><td></td></tr>" in page
    assert "<tr><td>logs.zip:sdkdata/easemobLog/easemob.log</td><td class=num>11</td>" in page
    data = json.loads(
        re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page).group(1)
    )
    assert data["timeline"]["gaps"] == [1, 5, 7]
    assert data["timeline"]["labels"][:3] == ["2024-04-30 19:20", "… 150 empty buckets …", "2024-05-01 07:55"]


def test_a_category_has_the_same_colour_in_every_report(tmp_path):
    from logscan.decode.catalogue import CATEGORIES

    assert set(CATEGORY_COLOURS) == {*CATEGORIES, "unknown"}
    assert len(set(CATEGORY_COLOURS.values())) == len(CATEGORY_COLOURS)
    log = tmp_path / "one.log"
    log.write_text("[2024/05/01 10:00:00:000]: [global listener] onDisconnect303\n", encoding="utf-8")
    page = done("report", log, "-f", "html").stdout
    data = json.loads(
        re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page).group(1)
    )
    assert data["timeline"]["datasets"][0]["backgroundColor"] == CATEGORY_COLOURS["server"] == "#D55E00"


def test_internal_links_become_the_public_page(tmp_path):
    log = tmp_path / "a.log"
    log.write_text("E/ChatDemo(1): Login failed! code: 101 error: bad user\n", encoding="utf-8")
    page = done("report", log, "-f", "html").stdout
    assert (
        "<p><b>Cause / fix:</b> The user ID is empty, or the format of the parameter is incorrect. Use a "
        '<a href="https://docs.agora.io/en/agora-chat/restful-api/user-system-registration" '
        'rel="noopener noreferrer">valid user ID</a>.</p>'
    ) in page
    assert "confluence" not in page

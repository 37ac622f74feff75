"""The generated HTML reports draw every chart in a real browser with no network.

Debian's Chromium (installed by .ci/run), driven by Playwright, opens each
report from disk in an offline browser context in which every non-file request
is also refused and recorded. Each plotly chart must have drawn its traces
(plot elements in the SVG, not an empty div), and the page must log no console
error and raise no JavaScript error.

A campaign whose name, description, client names, companies, an account owner
and the outcome log's notes hold markup (``<img onerror>``, ``javascript:``
links in HTML and Markdown) gets both reports too: opening them fires no dialog,
the DOM holds no element with an event-handler attribute or a ``javascript:``
link, and the reader sees the text as it was typed, in the page and in a
chart's hover label.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browser_support import chromium_browser, hostile

# The reports opened here are the session's (conftest's sample_report and hostile_report),
# the same files the report tests check: each is generated once per session.


@pytest.fixture(scope="module")
def browser():
    with chromium_browser() as browser:
        yield browser


# Per notebook and sample firm: (charts, charts that draw data). The others show a
# message instead (the consulting firm has no outcomes yet: no reasons to chart).
CHARTS = {
    ("overview", "consulting-firm"): (6, 6),
    ("overview", "financial-planner"): (6, 6),
    ("weekly", "consulting-firm"): (5, 4),
    ("weekly", "financial-planner"): (7, 7),
}


def _open_offline(browser, html: Path, dialogs: list[str] | None = None):
    context = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    requests: list[str] = []
    if dialogs is not None:
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None,
    )
    page.on("pageerror", lambda err: problems.append(f"page error: {err}"))

    def refuse(route):
        if route.request.url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            requests.append(route.request.url)
            route.abort()

    page.route("**/*", refuse)
    page.goto(html.as_uri(), wait_until="load")
    return context, page, problems, requests


# For each chart div: traces plotly knows of, and SVG plot elements it drew for them.
_DRAWN = """
() => Array.from(document.querySelectorAll('.plotly-graph-div')).map(div => ({
    id: div.id,
    traces: (div._fullData || []).length,
    drawn: div.querySelectorAll(
        '.main-svg .trace path, .main-svg .trace .point, .main-svg g.point path, '
        + '.main-svg .bars path, .main-svg .scatterlayer path, .main-svg .heatmaplayer image, '
        + '.main-svg .funnellayer path').length,
    annotations: div.querySelectorAll('.main-svg .annotation').length,
    title: (div.querySelector('.gtitle') || {}).textContent || '',
}))
"""


@pytest.mark.parametrize(("kind", "firm"), list(CHARTS))
def test_every_chart_draws_offline_without_errors(browser, sample_report, kind, firm):
    context, page, problems, requests = _open_offline(browser, sample_report(kind, firm).html)
    try:
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('.plotly-graph-div')).every(d => d._fullLayout)",
            timeout=30_000,
        )
        charts = page.evaluate(_DRAWN)
    finally:
        context.close()
    total, drawing = CHARTS[kind, firm]
    assert len(charts) == total, [c["title"] for c in charts]
    for chart in charts:
        assert chart["title"], f"chart {chart['id']} has no title"
        # A figure without data carries an annotation saying why (e.g. no contacts recorded yet).
        assert chart["drawn"] > 0 or chart["annotations"] > 0, f"chart {chart['title']!r} drew nothing"
    assert sum(c["traces"] > 0 and c["drawn"] > 0 for c in charts) == drawing, charts
    assert requests == [], f"the report asked the network for {requests}"
    assert problems == []


# Every attribute that would run script: an event handler, or a javascript: URL where a URL is followed.
# (plotly keeps a label's text in data-unformatted: text, never followed.)
_LIVE = """
() => Array.from(document.querySelectorAll('*')).flatMap(el => Array.from(el.attributes)
    .filter(a => /^on/i.test(a.name) || (/^(href|xlink:href|src|action|formaction|srcdoc)$/i.test(a.name)
                                         && /javascript:/i.test(a.value.replace(/\\s/g, ''))))
    .map(a => `${el.tagName} ${a.name}=${a.value}`))
"""
# Hover the first client of the value-vs-dormancy chart (names travel in customdata); the hover label's text.
_HOVER_NAME = """
() => {
    const div = Array.from(document.querySelectorAll('.plotly-graph-div')).find(
        d => (d._fullData || []).some(t => String(t.hovertemplate || '').startsWith('%{customdata}')));
    if (!div) return null;
    Plotly.Fx.hover(div, [{curveNumber: 0, pointNumber: 0}]);
    return div.querySelector('.hoverlayer').textContent;
}
"""


@pytest.mark.parametrize("kind", ["overview", "weekly"])
def test_hostile_text_is_shown_as_text_and_never_runs(browser, hostile_report, kind):
    dialogs: list[str] = []
    context, page, problems, requests = _open_offline(browser, hostile_report(kind).html, dialogs)
    try:
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('.plotly-graph-div')).every(d => d._fullLayout)",
            timeout=30_000,
        )
        hovered = page.evaluate(_HOVER_NAME) if kind == "overview" else None
        page.wait_for_load_state("networkidle")
        live = page.evaluate(_LIVE)
        images = page.evaluate("() => document.images.length")
        text = page.evaluate("() => document.body.innerText")
        title = page.title()
    finally:
        context.close()
    assert dialogs == []
    assert live == []
    assert images == 0
    assert requests == [], f"the report asked the network for {requests}"
    assert problems == []
    assert "<" not in title
    for field in ("campaign", "name", "company", "owner"):
        assert hostile(field) in text, field
    if kind == "overview":
        assert hovered is not None
        assert hostile("name") in hovered
    if kind == "weekly":
        numbers = json.loads(hostile_report(kind).numbers.read_text(encoding="utf-8"))
        assert numbers["campaign"] == hostile("campaign")  # data for machines: as typed


# Each element of the page outside the charts (plotly.js draws and styles those itself): its tag
# and every computed style property, in document order. Custom properties (--jp-...) are values
# for var() to read, not styles: the pruned page keeps those that a kept rule reads.
_COMPUTED = """
() => Array.from(document.body.querySelectorAll('*'))
    .filter(el => !el.closest('.plotly-graph-div'))
    .map(el => {
        const style = getComputedStyle(el);
        const names = Array.from(style).filter(name => !name.startsWith('--'));
        return [el.tagName, names.map(name => `${name}: ${style.getPropertyValue(name)}`)];
    })
"""


@pytest.mark.parametrize(("kind", "firm"), [("weekly", "financial-planner"), ("overview", "consulting-firm")])
def test_the_pruned_styles_render_every_element_as_the_whole_stylesheet_does(
    browser, sample_report, tmp_path, kind, firm
):
    # The report keeps only the rules of nbconvert's JupyterLab stylesheet (240 KB, all of JupyterLab)
    # that may match its elements, and only the custom properties they read. Opened with and without
    # that pruning, with the summary of the folded list opened too, each element looks the same.
    import nbformat

    from reconnect_lib.reports import _exporter

    paths = sample_report(kind, firm)
    whole, _ = _exporter().from_notebook_node(nbformat.read(paths.notebook, as_version=4))
    (tmp_path / "whole.html").write_text(whole, encoding="utf-8")
    pruned = paths.html.read_text(encoding="utf-8")
    assert len(pruned) < len(whole) - 200_000
    seen = []
    for html in (tmp_path / "whole.html", paths.html):
        context, page, problems, requests = _open_offline(browser, html)
        try:
            page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
            seen.append(page.evaluate(_COMPUTED))
        finally:
            context.close()
        assert problems == []
        assert requests == []
    assert len(seen[0]) > 100
    assert seen[1] == seen[0]

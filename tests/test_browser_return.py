"""The weekly report's "Did it pay for itself?" section in a real browser (issue 19).

Debian's Chromium opens each sample's weekly report from disk, offline: the
return chart has drawn (two lines of running totals when the log has weeks, a
sentence saying why when it has none), its break-even or forecast week is marked
when the summary has one, and the owner's sentence is on the page, visible, with
the amounts the library computes for the same week.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import chromium_browser

import reconnect_lib as rl
from reconnect_lib.notebook import return_words
from reconnect_lib.weekly import campaign_week
from reconnect_lib.weeks import iso_week

pytestmark = pytest.mark.slow

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


@pytest.fixture(scope="module")
def chromium():
    with chromium_browser() as browser:
        yield browser


# The return chart: its traces, the SVG paths it drew for its lines, its shapes and its annotations' texts.
_RETURN_CHART = """
() => {
    const div = Array.from(document.querySelectorAll('.plotly-graph-div')).find(
        d => ((d.querySelector('.gtitle') || {}).textContent || '').startsWith('Did it pay for itself?'));
    if (!div) return null;
    return {
        traces: (div._fullData || []).filter(t => t.visible !== false && (t.y || []).some(v => v !== null))
            .map(t => t.name),
        lines: div.querySelectorAll('.main-svg .scatterlayer .trace path.js-line').length,
        shapes: Array.from(div.querySelectorAll('.shapelayer path')).length,
        annotations: Array.from(div.querySelectorAll('.annotation-text')).map(a => a.textContent),
        height: div.getBoundingClientRect().height,
    };
}
"""


@pytest.mark.parametrize("firm", ["consulting-firm", "financial-planner"])
def test_the_return_chart_draws_and_the_owner_s_sentence_is_visible(chromium, sample_report, firm):
    cfg = rl.load_config(SAMPLE / firm / "campaign.toml")
    returns = campaign_week(cfg.source, week=iso_week(cfg.campaign.as_of), as_of=cfg.campaign.as_of).returns
    words = return_words(returns, currency=cfg.campaign.currency, locale=cfg.campaign.locale)
    context = chromium.new_context(offline=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    try:
        page.goto(sample_report("weekly", firm).html.as_uri(), wait_until="load")
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('.plotly-graph-div')).every(d => d._fullLayout)",
            timeout=60_000,
        )
        chart = page.evaluate(_RETURN_CHART)
        sentence = page.locator("p", has_text="Did it pay for itself? So far the campaign has cost")
        visible = sentence.is_visible()
        text = sentence.inner_text()
    finally:
        context.close()
    assert errors == []
    assert chart is not None, "no return chart in the report"
    assert chart["height"] > 200
    if returns.weekly.empty:
        assert chart["annotations"] == ["Nothing spent or won back yet"]
    else:
        assert len(chart["traces"]) == 2, chart
        assert chart["lines"] >= 2, chart
        marked = returns.break_even_week or returns.forecast_break_even_week
        spent = returns.weekly["cumulative_cost"].max() > 0
        assert chart["shapes"] == (1 if marked and spent else 0), chart
        if marked and spent:
            assert any(marked in a for a in chart["annotations"]), chart
    assert visible
    for key in ("spent", "returned", "recovered", "referrals"):
        assert words[key] in text, key
    assert words["verdict"] in text

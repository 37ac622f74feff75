"""How the reports and the explorer look in a real browser: what an owner sees first, and that it reads.

The weekly report of the financial planner (200 contacts this week) is opened
in Debian's Chromium with no network: the charts come first and the week's
contact list after the last of them, folded; every count axis is labelled in
whole numbers; the catch-up chart labels a dozen weeks at most; the keep-up
chart's legend does not cover its axis. (The explorer's layout in a real
JupyterLab is tested in tests/test_browser_explorer.py, beside its server.)
"""

from __future__ import annotations

import re

import pytest
from browser_support import chromium_browser

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chromium():
    with chromium_browser() as browser:
        yield browser


# Per chart: its title, the tick labels of each axis, and the boxes of its legend and axis titles.
_CHARTS = """
() => Array.from(document.querySelectorAll('.plotly-graph-div')).map(div => {
    const box = el => {
        if (!el) return null;
        const r = el.getBoundingClientRect();
        return {top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left, right: r.right};
    };
    const ticks = cls => Array.from(div.querySelectorAll(`.${cls} text`)).map(t => t.textContent);
    return {
        title: (div.querySelector('.gtitle') || {}).textContent || '',
        box: box(div),
        xticks: ticks('xtick'),
        yticks: ticks('ytick'),
        legend: box(div.querySelector('.legend')),
        xtitle: box(div.querySelector('.g-xtitle text')),
        xaxis: box(div.querySelector('.xaxislayer-above')),
    };
})
"""


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
        and a["left"] < b["right"]
        and b["left"] < a["right"]
    )


def _whole(label: str) -> bool:
    return re.fullmatch(r"−?[\d,]+", label.replace("\u2212", "−")) is not None


def test_the_weekly_report_shows_charts_first_and_the_long_contact_list_folded(chromium, sample_report):
    html = sample_report("weekly", "financial-planner").html
    context = chromium.new_context(offline=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(html.as_uri(), wait_until="load")
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('.plotly-graph-div')).every(d => d._fullLayout)",
            timeout=60_000,
        )
        charts = page.evaluate(_CHARTS)
        height = page.evaluate("() => document.documentElement.scrollHeight")
        details = page.locator("details", has_text="Show the 200 contacts planned this week")
        folded_top = details.bounding_box()["y"] + page.evaluate("() => scrollY")
        rows_before = page.locator("details table tbody tr").first.is_visible()
        details.locator("summary").click()
        rows_after = page.locator("details table tbody tr").count()
        shown_after = page.locator("details table tbody tr").first.is_visible()
    finally:
        context.close()
    print(f"weekly report of the financial planner: {height:,} px high")
    # Before: the 200 rows came first, the first chart 6,160 px down a 10,239 px page.
    assert charts[0]["box"]["top"] < 900, "the first chart is not on the first screen"
    assert height < 6_000
    assert all(c["box"]["bottom"] <= folded_top for c in charts), "a chart comes after the contact list"
    assert not rows_before
    assert shown_after
    assert rows_after == 200

    by_title = {c["title"].split(":")[0]: c for c in charts}
    counts = {
        "Catch-up": "yticks",
        "Keeping up": "yticks",
        "Why clients left or said no": "xticks",
    }
    for title, axis in counts.items():
        labels = by_title[title][axis]
        assert labels, title
        assert all(_whole(t) for t in labels), (title, labels)
        assert len(labels) == len(set(labels)), (title, labels)
    assert len(by_title["Catch-up"]["xticks"]) <= 12
    keep_up = by_title["Keeping up"]
    assert not _overlap(keep_up["legend"], keep_up["xtitle"])
    assert not _overlap(keep_up["legend"], keep_up["xaxis"])


def test_the_overview_numbers_whole_clients_in_the_real_browser(chromium, sample_report):
    html = sample_report("overview", "consulting-firm").html
    context = chromium.new_context(offline=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(html.as_uri(), wait_until="load")
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('.plotly-graph-div')).every(d => d._fullLayout)",
            timeout=60_000,
        )
        charts = page.evaluate(_CHARTS)
        text = page.evaluate("() => document.body.innerText")
    finally:
        context.close()
    (dormancy,) = [c for c in charts if c["title"].startswith("Clients by time since")]
    assert dormancy["yticks"]  # the clients panel (the value panel's axis is y2)
    assert all(_whole(t) for t in dormancy["yticks"]), dormancy["yticks"]
    assert "Rank is the client's place in that order" in text

"""What a business owner reads in a minute: the reports' order, their charts' axes and their words.

The figures and display helpers are checked directly (quick); the order of the
weekly report is checked in the session's generated HTML of the financial
planner, whose week holds 200 contacts.
"""

from __future__ import annotations

import math
import re
from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconnect_lib import plots
from reconnect_lib.notebook import OPEN_ROWS, client_view, contacts_view, folded, keep_up_section

# --- count axes: whole numbers only ------------------------------------------------------------


def _tick_values(axis: dict) -> list[float]:
    """The ticks plotly draws on a linear axis from 0 to `top`, as its settings make them."""
    top = axis["_top"]
    dtick = axis.get("dtick")
    if dtick is None:  # plotly's own spacing: 1, 2 or 5 times a power of ten, about 6 ticks
        raw = max(top, 1) / 6
        power = 10 ** math.floor(math.log10(raw))
        dtick = min((m * power for m in (1, 2, 5, 10) if m * power >= raw), default=power)
    return [i * dtick for i in range(int(top // dtick) + 1)]


@given(st.integers(min_value=0, max_value=5_000))
def test_a_count_axis_never_shows_a_fraction_of_a_client(top):
    axis = plots.count_axis(top)
    assert axis["tickformat"] == ",d"
    assert axis["rangemode"] == "tozero"
    ticks = _tick_values({**axis, "_top": top})
    # plotly's automatic step is at least 1 for a range of more than 5: ",d" then never repeats a label
    assert all(float(t).is_integer() for t in ticks), ticks
    labels = [f"{int(t):,d}" for t in ticks]
    assert len(labels) == len(set(labels))


def _timeline(weeks: int, crossing: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "week": [f"2026-W{w:02d}" for w in range(1, weeks + 1)],
            "crossing": [crossing] * weeks,
            "crossing_left_out": [0] * weeks,
            "keep_up_contacts": [crossing] * weeks,
            "late": [0] * weeks,
        }
    )


@pytest.mark.parametrize("crossing", [0, 1, 2])
def test_keep_up_chart_counts_whole_clients_and_keeps_the_legend_off_the_axis(crossing):
    fig = plots.keep_up_chart(_timeline(4, crossing))
    layout = fig.layout
    assert layout.yaxis.tickformat == ",d"
    assert layout.yaxis.dtick == 1  # a range of 0 to 2 clients: ticks 0, 1, 2, never 0.5
    # The legend sits above the plot area; the week axis and its title below it.
    assert layout.legend.yanchor == "bottom"
    assert layout.legend.y >= 1
    assert layout.xaxis.title.text == "ISO week"


def _progress(weeks: int) -> pd.DataFrame:
    names = [f"{2026 + (w - 1) // 52}-W{(w - 1) % 52 + 1:02d}" for w in range(1, weeks + 1)]
    left = pd.array([max(0, 600 - 10 * i) for i in range(weeks)], dtype="Int64")
    return pd.DataFrame(
        {
            "week": names,
            "actual_left": pd.array([600] + [None] * (weeks - 1), dtype="Int64"),
            "planned_left": left,
            "forecast_left": left,
            "forecast_end": [i == weeks - 1 for i in range(weeks)],
        }
    )


@pytest.mark.parametrize("weeks", [3, 12, 13, 61])
def test_catch_up_chart_labels_at_most_twelve_weeks(weeks):
    progress = _progress(weeks)
    fig = plots.burn_down_chart(progress)
    axis = fig.layout.xaxis
    shown = list(axis.tickvals)
    assert len(shown) <= plots.WEEK_LABELS
    assert shown[0] == progress["week"].iloc[0]
    assert set(shown) <= set(progress["week"])
    if weeks <= plots.WEEK_LABELS:
        assert shown == progress["week"].tolist()  # few weeks: every one labelled
    assert fig.layout.yaxis.tickformat == ",d"


def test_funnel_words_say_of_whom_each_share_is():
    funnel = pd.DataFrame(
        {
            "stage": ["planned", "contacted", "replied", "won back"],
            "clients": [3000, 3000, 3000, 1530],
            "share_of_previous": [float("nan"), 1.0, 1.0, 0.51],
        }
    )
    trace = plots.funnel_chart(funnel).data[0]
    assert list(trace.text) == [
        "3,000",
        "3,000: all 3,000 planned",
        "3,000: all 3,000 contacted",
        "1,530: 51% of the 3,000 who answered",
    ]
    assert "answered (any reply)" in trace.y
    assert not any("stage before" in t or "100%" in t for t in trace.text)


def test_reasons_chart_counts_whole_clients():
    reasons = pd.DataFrame({"reason": ["money", "moved"], "clients": [1, 2], "share": [1 / 3, 2 / 3]})
    axis = plots.reasons_chart(reasons).layout.xaxis
    assert axis.tickformat == ",d"
    assert axis.dtick == 1


# --- tables ----------------------------------------------------------------------------------------


def _actions(n: int, note: object = None) -> pd.DataFrame:
    monday = date(2026, 11, 23)
    return pd.DataFrame(
        {
            "planned_on": [monday + timedelta(days=i % 5) for i in range(n)],
            "action": ["letter"] * n,
            "week_order": range(n),
            "name": [f"Client {i}" for i in range(n)],
            "value_at_stake": [1000.0 + i for i in range(n)],
            "note": [note] * n,
        }
    )


@pytest.mark.parametrize("empty", [None, "", "  "])
def test_the_contact_list_leaves_out_an_empty_note_column(empty):
    html = contacts_view(_actions(3, empty)).to_html()
    assert ">Note<" not in html
    assert ">Note<" in contacts_view(_actions(3, "call back after 3pm")).to_html()


def test_a_long_contact_list_is_folded_under_a_line_saying_how_many():
    long = _actions(200)
    html = str(folded(contacts_view(long), rows=len(long), what="contacts planned this week, by day"))
    assert html.startswith("<details><summary>Show the 200 contacts planned this week, by day</summary>")
    assert html.count("<tr>") + html.count("<tr ") >= 200
    short = _actions(OPEN_ROWS)
    assert "<details>" not in str(folded(contacts_view(short), rows=len(short), what="contacts"))


def test_no_keep_up_table_follows_nobody_becoming_due():
    nobody = pd.DataFrame(columns=["client_id", "crosses_on", "name"])
    html = str(keep_up_section(nobody, weeks=4))
    assert html == "<p><strong>0</strong> clients become due within 4 weeks.</p>"
    one = pd.DataFrame(
        {"client_id": ["a"], "crosses_on": [date(2026, 12, 1)], "weeks_until_due": [1], "name": ["Ann"]}
    )
    html = str(keep_up_section(one, weeks=4))
    assert "<strong>1</strong> client becomes due within 4 weeks." in html
    assert "<table" in html
    assert "Ann" in html
    many = pd.concat([one] * 20, ignore_index=True).assign(client_id=[f"c{i}" for i in range(20)])
    html = str(keep_up_section(many, weeks=4, n=15))
    assert "The first 15 by the day they become due:" in html
    assert html.count("Ann") == 15


def test_the_due_list_numbers_its_clients_without_gaps():
    clients = pd.DataFrame(
        {
            "client_id": list("abcdef"),
            "priority_rank": [1, 2, 3, 4, 5, 6],
            "name": list("ABCDEF"),
            "due": [True, False, True, True, False, True],
            "do_not_contact": [False, False, True, False, False, False],
        }
    )
    shown = client_view(clients, due_only=True).data
    assert shown["Rank"].tolist() == [1, 2, 3]
    assert shown["Name"].tolist() == ["A", "D", "F"]


# --- the weekly report, as generated ------------------------------------------------------------


@pytest.mark.slow
def test_the_week_s_contacts_come_after_the_charts_folded(sample_report):
    html = sample_report("weekly", "financial-planner").html.read_text(encoding="utf-8")
    first_chart = html.index('class="plotly-graph-div"')
    heading = html.index("This week&#39;s contacts") if "This week&#39;s contacts" in html else -1
    if heading < 0:
        heading = html.index("This week's contacts")
    assert first_chart < heading
    assert html.count('class="plotly-graph-div"', heading) == 0  # every chart before the list
    details = html.index("<details><summary>Show the 200 contacts planned this week, by day</summary>")
    assert details > heading
    assert ">Note<" not in html[heading:]


# --- money in the campaign's currency ----------------------------------------------------------------


def test_tables_and_charts_show_money_in_the_campaign_s_currency():
    from reconnect_lib.notebook import bucket_view, rates_view

    gbp = {"currency": "GBP", "locale": "en_GB"}
    assert "£1,000" in contacts_view(_actions(1), **gbp).to_html()
    assert "£1,000" not in contacts_view(_actions(1)).to_html()  # no currency: plain numbers
    assert ">1,000<" in contacts_view(_actions(1)).to_html()
    clients = pd.DataFrame(
        {"client_id": ["a"], "priority_rank": [1], "name": ["Ann"], "value_at_stake": [48762.4]}
    )
    assert "48.762 €" in client_view(clients, currency="EUR", locale="de_DE").to_html().replace("\xa0", " ")
    buckets = pd.DataFrame(
        {
            "dormancy_bucket": ["1–2 years"],
            "clients": [3],
            "due": [3],
            "do_not_contact": [0],
            "share_of_revenue": [1.0],
            "total_revenue": [2578658.32],
            "value_at_stake": [900.0],
        }
    )
    assert "£2,578,658" in bucket_view(buckets, **gbp).to_html()
    rates = pd.DataFrame(
        {
            "channel": ["letter"],
            "contacted": [4],
            "won_back": [1],
            "win_back_rate": [0.25],
            "rate_low": [0.05],
            "rate_high": [0.7],
            "revenue_recovered": [1234.0],
        }
    )
    assert "£1,234" in rates_view(rates, label="Channel", **gbp).to_html()
    fig = plots.dormancy_chart(buckets, **gbp)
    assert list(fig.data[1].text) == ["£900"]
    assert "(£)" in fig.layout.annotations[1].text
    segments = pd.DataFrame({"rfm_segment": ["At Risk"], "clients": [2], "total_revenue": [5000.0]})
    seg = plots.segment_chart(segments, **gbp)
    assert seg.layout.xaxis.title.text == "total revenue (£)"
    assert seg.data[0].customdata[0][1] == "£5,000"


def test_the_bucket_table_names_every_column_in_words():
    """The overview's bucket table: every header is words ("due_contactable" was shown as named in code)."""
    from pathlib import Path

    import reconnect_lib as rl
    from reconnect_lib.notebook import bucket_view

    sample = Path(__file__).resolve().parents[1] / "data" / "sample" / "consulting-firm" / "campaign.toml"
    headers = list(bucket_view(rl.scored_base(sample).buckets).data.columns)
    assert "Due, may be contacted" in headers
    assert not [h for h in headers if "_" in h], headers


def test_every_picture_in_the_readme_is_made_by_the_screenshot_script():
    """The README shows only pictures docs/screenshots.py makes from the real reports, and names it."""
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("screenshots", root / "docs" / "screenshots.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    readme = (root / "README.md").read_text(encoding="utf-8")
    shown = {root / p for p in re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", readme)}
    assert shown
    assert shown <= set(script.PICTURES.values())
    assert all(p.is_file() for p in shown)
    assert "docs/screenshots.py" in readme


def test_a_folded_contact_list_carries_no_per_cell_ids_or_classes():
    # Each cell was written <td class="data row0 col0" id="T_b691c_row0_col0">: two thirds of the
    # 200-contact list's 98 KB in the financial planner's report, for styles nobody set.
    long = _actions(200)
    html = str(folded(contacts_view(long), rows=len(long), what="contacts planned this week, by day"))
    assert "id=" not in html
    assert "class=" not in html
    assert html.count("<td") == 200 * len(contacts_view(long).data.columns)
    assert len(html) < len(contacts_view(long).to_html()) / 2


# --- the page's weight: styles it uses, a contact list without per-cell ids -----------------------


@pytest.mark.parametrize(
    ("css", "classes", "kept"),
    [
        (".a { x: 1 } .b { x: 2 }", {"a"}, ".a { x: 1 }"),
        (".a.b > p, .c { x: 1 }", {"a", "c"}, ".a.b > p, .c { x: 1 }"),  # one selector of the list may match
        (".a.b > p { x: 1 }", {"a"}, ""),
        ("p:not(.gone) { x: 1 } .gone:hover { x: 2 }", set(), "p:not(.gone) { x: 1 }"),
        (
            '[href$=".pdf"] { x: 1 } :is(.gone, p) { x: 2 }',
            set(),
            '[href$=".pdf"] { x: 1 }\n:is(.gone, p) { x: 2 }',
        ),
        (".lm-mod-\\:x { x: 1 }", set(), ".lm-mod-\\:x { x: 1 }"),  # an escape: kept as it is
        ("/* .a { } */ .b { content: '}' } .c { x: 1 }", {"b"}, ".b { content: '}' }"),
        (
            "@media print { .a { x: 1 } .b { x: 2 } } @media (hover) { .b { x: 3 } }",
            {"a"},
            "@media print {\n.a { x: 1 }\n}",
        ),
        (
            "@keyframes spin { from { x: 1 } } @charset 'utf-8';",
            set(),
            "@keyframes spin { from { x: 1 } }\n@charset 'utf-8';",
        ),
    ],
)
def test_prune_css_keeps_the_rules_that_may_match_and_only_those(css, classes, kept):
    from reconnect_lib.reports import prune_css

    assert prune_css(css, classes) == kept


_CLASS_NAMES = st.sampled_from(["a", "b", "c", "jp-X", "jp-X-y"])
_SELECTORS = st.lists(_CLASS_NAMES, min_size=1, max_size=3).map(lambda names: "." + ".".join(names))


@given(
    rules=st.lists(st.lists(_SELECTORS, min_size=1, max_size=3), min_size=1, max_size=8),
    classes=st.sets(_CLASS_NAMES),
)
def test_a_rule_is_kept_exactly_when_one_of_its_selectors_names_only_classes_on_the_page(rules, classes):
    from reconnect_lib.reports import prune_css

    css = "\n".join(f"{', '.join(selectors)} {{ n: {i} }}" for i, selectors in enumerate(rules))
    expected = [
        f"{', '.join(selectors)} {{ n: {i} }}"
        for i, selectors in enumerate(rules)
        if any(set(s.strip(".").split(".")) <= classes for s in selectors)
    ]
    assert prune_css(css, classes) == "\n".join(expected)


def test_the_jupyterlab_stylesheet_keeps_every_rule_for_a_page_with_every_class():
    from pathlib import Path

    from jupyter_core.paths import jupyter_path

    from reconnect_lib.reports import _css_rules, prune_css

    css = next(
        (Path(p) / "lab" / "static" / "index.css").read_text(encoding="utf-8")
        for p in jupyter_path("nbconvert", "templates")
        if (Path(p) / "lab" / "static" / "index.css").is_file()
    )
    every = set(re.findall(r"\.(-?[_a-zA-Z][_a-zA-Z0-9-]*)", css))
    assert len(_css_rules(prune_css(css, every))) == len(_css_rules(css)) > 900
    report = {"jp-Notebook", "jp-Cell", "jp-OutputArea", "jp-OutputArea-output", "jp-RenderedHTMLCommon"}
    assert len(prune_css(css, report)) < len(css) / 2


def test_custom_properties_nobody_reads_are_left_out_and_those_read_kept():
    from reconnect_lib.reports import _pruned_styles

    page = (
        '<html><head><style type="text/css">:root { --icon: url(data:image/svg+xml;base64,AAA=); '
        "--font: 13px; --size: var(--font); --unused: 1px; }\n"
        ".jp-A { font-size: var(--size); } .jp-Gone { color: var(--gone-color); }</style></head>"
        '<body class="jp-A"><p style="margin: var(--pad)">x</p></body></html>'
    )
    head = _pruned_styles(page).split("</head>")[0]
    assert "--font: 13px;" in head
    assert "--size: var(--font);" in head
    assert ".jp-A { font-size: var(--size); }" in head
    assert "--icon" not in head
    assert "--unused" not in head
    assert ".jp-Gone" not in head
    assert _pruned_styles(page).endswith(
        '<body class="jp-A"><p style="margin: var(--pad)">x</p></body></html>'
    )


@pytest.mark.slow
def test_the_weekly_report_weighs_under_5_mb_with_plotly_js_inline(sample_report):
    # plotly.js is 4.6 MiB of it; the JupyterLab stylesheet (240 KB) and the contact list's per-cell
    # ids (some 70 KB) made the financial planner's report 5,225,583 bytes.
    html = sample_report("weekly", "financial-planner").html
    assert html.stat().st_size < 5_000_000
    assert html.read_text(encoding="utf-8").count("Plotly.newPlot") == 7

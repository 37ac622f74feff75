"""Did it pay for itself? The return chart, the sentence and tables, and the reports' sections (issue 19).

The chart draws the summary's cumulative numbers and marks the break-even week
(or the forecast one, dashed, the week axis running on to it); the sentence and
the tables show the summary's amounts in the campaign's currency, escaped. The
built weekly report of both samples has the section, and the overview says the
return so far once a campaign has started. The samples' numbers are not pinned:
the tests compute the same summary and compare.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from browser_support import hostile
from markupsafe import escape

import reconnect_lib as rl
from reconnect_lib import plots
from reconnect_lib.metrics import Costs, return_summary
from reconnect_lib.notebook import narrative, return_table, return_words
from reconnect_lib.pipeline import campaign_return
from reconnect_lib.weekly import campaign_week
from reconnect_lib.weeks import iso_week

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
FIRMS = ("consulting-firm", "financial-planner")


@pytest.fixture(scope="module")
def summary():
    """A small log: two letters and a call that won 600 back, a referral of 150; 124 spent."""
    events = pd.DataFrame(
        {
            "client_id": ["a", "a", "b", "b", "a"],
            "date": pd.to_datetime(["2026-03-02", "2026-03-09", "2026-03-02", "2026-03-09", "2026-04-01"]),
            "channel": ["letter", "phone", "letter", "phone", "phone"],
            "kind": ["contacted", "renewed", "contacted", "no_answer", "referral"],
            "amount": [None, 600.0, None, None, 150.0],
        }
    )
    costs = Costs(letter_print=1.0, letter_postage=1.0, call_minutes=15, hourly_rate=40.0, fixed=100.0)
    return return_summary(events, costs, as_of=date(2026, 4, 30), resamples=200)


# --- the chart ---------------------------------------------------------------------------------------


def test_the_chart_draws_the_cumulative_cost_and_return_and_marks_the_break_even_week(summary):
    weekly = summary.weekly
    assert summary.break_even_week == "2026-W11"
    fig = plots.return_chart(weekly, break_even_week=summary.break_even_week, currency="GBP")
    cost, ret = fig.data
    assert list(cost.x) == list(ret.x) == weekly["week"].tolist()
    assert list(cost.y) == pytest.approx(weekly["cumulative_cost"].tolist())
    assert list(ret.y) == pytest.approx(weekly["cumulative_return"].tolist())
    assert cost.y[-1] == pytest.approx(124.0)
    assert ret.y[-1] == pytest.approx(750.0)
    assert cost.customdata[-1] == "£124"
    assert ret.customdata[-1] == "£750"
    (line,) = fig.layout.shapes
    assert line.x0 == line.x1 == "2026-W11"
    assert line.line.dash == "solid"
    assert any(a.text == "broke even: 2026-W11" and a.x == "2026-W11" for a in fig.layout.annotations)
    assert "it broke even in 2026-W11" in fig.layout.title.text
    assert fig.layout.yaxis.title.text == "cost and return so far (£)"
    assert fig.layout.yaxis.automargin  # the amounts' labels are never cut
    assert next(a for a in fig.layout.annotations if a.x == "2026-W11").xanchor == "left"  # room on the right
    assert list(fig.layout.xaxis.categoryarray) == weekly["week"].tolist()


def test_a_forecast_week_is_dashed_and_the_week_axis_runs_on_to_it_across_the_new_year():
    # 2026 has 53 ISO weeks: the axis counts 2026-W53 between 2026-W52 and 2027-W01.
    weekly = pd.DataFrame(
        {
            "week": ["2026-W51", "2026-W52"],
            "cumulative_cost": [300.0, 340.0],
            "cumulative_return": [0.0, 90.0],
        }
    )
    fig = plots.return_chart(weekly, forecast_week="2027-W02")
    assert list(fig.layout.xaxis.categoryarray) == [
        "2026-W51",
        "2026-W52",
        "2026-W53",
        "2027-W01",
        "2027-W02",
    ]
    assert iso_week(date(2027, 1, 1)) == "2026-W53"
    (line,) = fig.layout.shapes
    assert (line.x0, line.line.dash) == ("2027-W02", "dash")
    assert any(a.text == "break-even forecast: 2027-W02" for a in fig.layout.annotations)
    assert list(fig.data[0].y) == [300.0, 340.0]  # the weeks to come carry no point
    assert all(v is None for v in fig.data[-1].y)
    assert "breaks even in 2027-W02" in fig.layout.title.text


def test_the_chart_says_when_nothing_was_spent_or_nothing_happened_yet():
    nothing = plots.return_chart(pd.DataFrame(columns=["week", "cumulative_cost", "cumulative_return"]))
    assert len(nothing.data) == 0
    assert nothing.layout.annotations[0].text == "Nothing spent or won back yet"
    free = pd.DataFrame({"week": ["2026-W10"], "cumulative_cost": [0.0], "cumulative_return": [500.0]})
    fig = plots.return_chart(free)
    assert fig.layout.title.text.endswith("no cost counted yet")
    assert "[costs]" in fig.layout.annotations[0].text
    assert not fig.layout.shapes
    broke = plots.return_chart(free.assign(cumulative_cost=[100.0]))
    assert broke.layout.title.text.endswith("it has not broken even yet")


# --- the sentence and the tables ----------------------------------------------------------------------


def test_the_sentence_says_the_amounts_the_break_even_week_and_the_statement(summary):
    words = return_words(summary, currency="GBP")
    assert (words["spent"], words["returned"], words["recovered"], words["referrals"]) == (
        "£124",
        "£750",
        "£600",
        "£150",
    )
    assert words["verdict"] == (
        "It broke even in week 2026-W11: since then what it brought back has covered its cost. "
        + summary.statement
    )
    assert "Paid for itself" in words["verdict"]
    forecast = replace(summary, break_even_week=None, forecast_break_even_week="2026-W30")
    assert "it would in week 2026-W30" in return_words(forecast)["verdict"]
    plain = return_words(summary)
    assert plain["spent"] == "124"  # no currency: a plain number


def test_the_tables_show_each_group_s_return_escaped(summary):
    shown = return_table(summary.by_channel, label="Channel", currency="GBP")
    data = shown.data
    assert data["Channel"].tolist() == [*summary.by_channel["channel"].iloc[:-1], "fixed costs"]
    assert data["Return"].tolist() == summary.by_channel["return"].tolist()
    html = shown.to_html()
    assert "£600" in html
    assert "Return per unit of cost" in html
    bucket = summary.by_bucket.assign(dormancy_bucket=[hostile("bucket")] * len(summary.by_bucket))
    html = return_table(bucket, label="Dormancy").to_html()
    assert "<img" not in html
    assert str(escape(hostile("bucket"))) in html


# --- the reports -------------------------------------------------------------------------------------


def _week(firm: str):
    cfg = rl.load_config(SAMPLE / firm / "campaign.toml")
    return campaign_week(cfg.source, week=iso_week(cfg.campaign.as_of), as_of=cfg.campaign.as_of), cfg


@pytest.mark.slow
@pytest.mark.parametrize("firm", FIRMS)
def test_the_weekly_report_asks_whether_it_paid_for_itself_after_the_outcomes(sample_report, firm):
    html = sample_report("weekly", firm).html.read_text(encoding="utf-8")
    cw, cfg = _week(firm)
    money = {"currency": cfg.campaign.currency, "locale": cfg.campaign.locale}
    words = return_words(cw.returns, **money)
    heading = html.index(">Did it pay for itself?<")
    assert html.index(">What the contacts brought back<") < heading < html.index(">Why clients left<")
    section = html[heading : html.index(">Why clients left<")]
    assert "Did it pay for itself? What the campaign cost and what it brought back" in section  # the chart
    sentence = narrative(
        "**Did it pay for itself?** So far the campaign has cost **{spent}** and brought back **{returned}** "
        "({recovered} won back, {referrals} from referrals). {verdict}",
        **words,
    )
    assert str(sentence) in section
    if len(cw.returns.by_channel):
        assert "Channel of the first contact" in section
        assert "Dormancy when the campaign began" in section


@pytest.mark.slow
@pytest.mark.parametrize("firm", FIRMS)
def test_the_overview_says_the_return_so_far_once_the_campaign_has_started(sample_report, firm):
    html = sample_report("overview", firm).html.read_text(encoding="utf-8")
    campaign = rl.scored_base(SAMPLE / firm / "campaign.toml")
    started = campaign.events is not None and len(campaign.events) > 0
    assert ("The campaign so far" in html) == started
    if started:
        words = return_words(
            campaign_return(campaign),
            currency=campaign.config.campaign.currency,
            locale=campaign.config.campaign.locale,
        )
        assert str(escape(words["verdict"])) in html
        assert f"brought back <strong>{escape(words['returned'])}</strong>" in html

"""Figures carry the stage outputs' numbers, not numbers of their own."""

import json
import shutil
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import reconnect_lib as rl
from reconnect_lib import plots
from reconnect_lib import schema as s

SAMPLE = Path(__file__).parents[1] / "data" / "sample"


@pytest.fixture(scope="module")
def campaign():
    return rl.scored_base(SAMPLE / "consulting-firm" / "campaign.toml")


def test_dormancy_chart_shows_the_bucket_table(campaign):
    table = campaign.buckets
    fig = plots.dormancy_chart(table)
    clients, value = fig.data
    assert list(clients.x) == list(table["dormancy_bucket"])
    assert list(clients.y) == list(table["clients"])
    assert list(value.y) == pytest.approx(list(table["value_at_stake"]))
    assert "time since" in fig.layout.title.text


def test_dormancy_chart_without_value_columns_has_one_panel(campaign):
    table = campaign.buckets.drop(columns=["value_at_stake", "expected_value"])
    fig = plots.dormancy_chart(table)
    assert len(fig.data) == 1


def test_segment_chart_shows_the_segment_table(campaign):
    seg = rl.segment_table(campaign.scored)
    fig = plots.segment_chart(seg)
    bar = fig.data[0]
    got = dict(zip(bar.y, bar.x, strict=True))
    want = dict(zip(seg["rfm_segment"], seg["total_revenue"], strict=True))
    assert got == pytest.approx(want)


def test_p_alive_chart_shows_the_table(campaign):
    from reconnect_lib import clv

    rhythm = clv.purchase_rhythm(campaign.inputs.transactions, as_of=campaign.as_of)
    table = clv.p_alive_table(rhythm, campaign.scored)
    bar = plots.p_alive_chart(table).data[0]
    assert list(bar.x) == list(table["dormancy_bucket"])
    assert list(bar.y) == pytest.approx(list(table["mean_p_alive"]))


def test_calibration_chart_shows_actual_and_predicted(campaign):
    from datetime import date

    from reconnect_lib import clv

    table = clv.calibration_table(
        campaign.inputs.transactions, calibration_end=date(2025, 11, 23), as_of=campaign.as_of
    )
    actual, predicted = plots.calibration_chart(table).data
    assert list(actual.y) == pytest.approx(list(table["actual"]))
    assert list(predicted.y) == pytest.approx(list(table["predicted"]))
    assert actual.x[-1].endswith("+")


# --- the weekly report's figures ---------------------------------------------------------------

AS_OF = date(2026, 11, 23)


def _annotations(fig) -> list[str]:
    return [a.text for a in fig.layout.annotations]


def _pairs(fig) -> list[tuple[float, float]]:
    return sorted((x, y) for trace in fig.data for x, y in zip(trace.x, trace.y, strict=True))


@pytest.fixture(scope="module")
def planner(tmp_path_factory):
    from reconnect_lib import metrics

    folder = tmp_path_factory.mktemp("planner") / "financial-planner"
    shutil.copytree(SAMPLE / "financial-planner", folder, ignore=shutil.ignore_patterns("outcomes.sqlite*"))
    campaign = rl.scored_base(folder / "campaign.toml", outcomes=True)
    data = SimpleNamespace(
        events=campaign.events, clients=campaign.at_contact, transactions=campaign.inputs.transactions
    )
    outcomes = metrics.contact_outcomes(
        data.events, as_of=AS_OF, transactions=data.transactions, clients=data.clients
    )
    return campaign, data, outcomes


@pytest.fixture(scope="module")
def no_events():
    from reconnect_lib.outcomes import empty_events

    return empty_events()


def test_value_dormancy_chart_draws_every_client_by_bucket(campaign):
    from reconnect_lib.value import value_by_dormancy

    table = value_by_dormancy(campaign.scored)
    assert len(table) == len(campaign.scored) == 532
    fig = plots.value_dormancy_chart(table)
    assert _pairs(fig) == sorted(zip(table["days_dormant"].astype(int), table["value"], strict=True))
    buckets = campaign.buckets
    present = buckets.loc[buckets["clients"] > 0, "dormancy_bucket"]
    assert [t.name for t in fig.data] == present.tolist()
    names = [n for trace in fig.data for n in trace.customdata]
    assert sorted(names) == sorted(campaign.scored["name"])
    # names travel as data, never inside the hover template
    assert all("customdata" in t.hovertemplate and "<b>" not in t.hovertemplate for t in fig.data)
    assert fig.layout.yaxis.type == "log"
    assert "value at stake" in fig.layout.title.text.lower()


def test_value_dormancy_chart_of_a_million_clients_is_a_small_heatmap():
    from reconnect_lib.value import value_by_dormancy

    rng = np.random.default_rng(5)
    n = 1_000_000
    base = pd.DataFrame(
        {
            "client_id": np.arange(n),
            "days_dormant": pd.array(rng.integers(0, 4000, n), dtype="Int64"),
            "value_at_stake": rng.lognormal(7, 1.5, n),
        }
    )
    table = value_by_dormancy(base)
    assert table["clients"].sum() == n
    fig = plots.value_dormancy_chart(table)
    assert len(fig.to_json()) < 300_000
    heat = fig.data[0]
    assert np.asarray(heat.z).sum() == n
    assert list(heat.x) == list(dict.fromkeys(table["days_bin"]))
    assert list(heat.y) == list(dict.fromkeys(table["value_bin"]))
    assert np.asarray(heat.customdata).sum() == pytest.approx(base["value_at_stake"].sum(), rel=1e-6)


def test_value_dormancy_chart_of_nobody_says_so(campaign):
    from reconnect_lib.value import value_by_dormancy

    for max_points in (0, 2000):
        fig = plots.value_dormancy_chart(value_by_dormancy(campaign.scored.iloc[0:0], max_points=max_points))
        assert len(fig.data) == 0
        assert "No clients to show" in _annotations(fig)


def test_concentration_chart_shows_the_curve_and_names_the_top_shares(campaign):
    from reconnect_lib.value import value_concentration

    table = value_concentration(campaign.scored)
    fig = plots.concentration_chart(table)
    curve = fig.data[1]
    assert list(curve.x) == pytest.approx(list(table["client_share"]))
    assert list(curve.y) == pytest.approx(list(table["cumulative_share"]))
    top10, top20 = table["cumulative_share"].iloc[[10, 20]]
    assert list(fig.data[2].y) == pytest.approx([top10, top20])
    assert f"top 10% bring {top10:.0%}" in fig.layout.title.text
    assert f"top 20% bring {top20:.0%}" in fig.layout.title.text
    empty = plots.concentration_chart(value_concentration(campaign.scored.iloc[0:0]))
    assert "No clients to show" in _annotations(empty)
    nothing = plots.concentration_chart(value_concentration(campaign.scored.assign(total_revenue=0.0)))
    assert "No total revenue recorded yet" in _annotations(nothing)


def test_burn_down_chart_of_a_campaign_without_outcomes(campaign, no_events):
    from reconnect_lib.metrics import catch_up_progress
    from reconnect_lib.plan import plan_from_config

    plan = plan_from_config(campaign.scored, campaign.config, as_of=campaign.as_of)
    progress = catch_up_progress(plan, no_events, as_of=campaign.as_of)
    fig = plots.burn_down_chart(progress)
    planned, forecast, actual = fig.data
    assert list(actual.x) == list(progress["week"])
    assert list(actual.y[:2]) == [460, 460]
    assert all(y is None for y in actual.y[2:])
    assert list(planned.y) == progress["planned_left"].tolist()
    assert [y for y in forecast.y if y is not None] == progress["forecast_left"].dropna().tolist()
    assert fig.layout.shapes[0].x0 == plan.forecast.end_week == "2027-W40"
    assert plots.NO_CONTACTS in _annotations(fig)
    assert "2027-W40" in fig.layout.title.text


def test_burn_down_chart_of_the_planner(planner):
    from reconnect_lib.metrics import catch_up_progress
    from reconnect_lib.plan import plan_from_config

    campaign, data, _ = planner
    plan = plan_from_config(campaign.scored, campaign.config, as_of=AS_OF, status=campaign.status)
    progress = catch_up_progress(plan, data.events, as_of=AS_OF)
    fig = plots.burn_down_chart(progress)
    actual = fig.data[2]
    assert [y for y in actual.y if y is not None] == progress["actual_left"].dropna().tolist()
    assert actual.x[1] == "2026-W10"
    assert plots.NO_CONTACTS not in _annotations(fig)
    assert "No plan to show" in _annotations(plots.burn_down_chart(progress.iloc[0:0]))


def test_funnel_chart_shows_the_funnel(planner, no_events):
    from reconnect_lib.metrics import funnel

    _, data, _ = planner
    table = funnel(data.events, as_of=AS_OF, transactions=data.transactions)
    trace = plots.funnel_chart(table).data[0]
    assert list(trace.y) == [s.FUNNEL_STAGES[stage] for stage in table["stage"]]
    assert list(trace.x) == list(table["clients"])
    assert trace.x[0] == 3000
    empty = plots.funnel_chart(funnel(no_events, as_of=AS_OF))
    assert len(empty.data) == 0
    assert plots.NO_CONTACTS in _annotations(empty)


@pytest.mark.parametrize("by", ["dormancy_bucket", "channel", "week", "account_owner"])
def test_win_back_rate_chart_shows_rates_intervals_and_n(planner, by):
    from reconnect_lib.metrics import win_back_rates

    _, _, outcomes = planner
    rates = win_back_rates(outcomes, by=by)
    overall = win_back_rates(outcomes)
    fig = plots.win_back_rate_chart(rates, by, overall=overall)
    bar = fig.data[0]
    assert list(bar.x) == rates[by].astype(str).tolist()
    assert list(bar.y) == pytest.approx(rates["win_back_rate"].tolist())
    assert np.add(bar.y, bar.error_y.array) == pytest.approx(rates["rate_high"].tolist())
    assert np.subtract(bar.y, bar.error_y.arrayminus) == pytest.approx(rates["rate_low"].tolist())
    assert list(bar.text) == [f"n = {n:,}" for n in rates["contacted"]]
    line = [sh for sh in fig.layout.shapes if sh.type == "line"]
    assert line[0].y0 == pytest.approx(overall["win_back_rate"].iloc[0])
    assert plots.GROUP_LABELS[by] in fig.layout.title.text


def test_win_back_rate_chart_without_contacts(no_events):
    from reconnect_lib.metrics import contact_outcomes, win_back_rates

    outcomes = contact_outcomes(no_events, as_of=AS_OF)
    for by in ("channel", "week"):
        fig = plots.win_back_rate_chart(win_back_rates(outcomes, by=by), by, overall=win_back_rates(outcomes))
        assert len(fig.data) == 0
        assert plots.NO_CONTACTS in _annotations(fig)


def test_reasons_chart_shows_the_reasons_table(planner, no_events):
    from reconnect_lib.metrics import reasons_table

    _, data, _ = planner
    table = reasons_table(data.events, as_of=AS_OF)
    bar = plots.reasons_chart(table).data[0]
    got = dict(zip(bar.y, bar.x, strict=True))
    want = {plots.REASON_LABELS[r]: c for r, c in zip(table["reason"], table["clients"], strict=True)}
    assert got == want
    assert list(bar.x) == sorted(bar.x)  # the most frequent at the top
    empty = plots.reasons_chart(reasons_table(no_events, as_of=AS_OF))
    assert "No reasons recorded yet" in _annotations(empty)


def test_lift_chart_shows_both_rates_and_the_difference():
    from reconnect_lib.metrics import lift, lift_rates

    table = lift(1600, 3000, 120, 300)
    fig = plots.lift_chart(table)
    bars, point = fig.data
    rates = lift_rates(table)
    assert list(bars.x) == ["contacted", "hold-out"]
    assert list(bars.y) == pytest.approx(rates["win_back_rate"].tolist())
    assert np.subtract(bars.y, bars.error_y.arrayminus) == pytest.approx(rates["rate_low"].tolist())
    assert np.add(bars.y, bars.error_y.array) == pytest.approx(rates["rate_high"].tolist())
    row = table.iloc[0]
    assert point.y[0] == pytest.approx(row["lift"])
    assert point.y[0] + point.error_y.array[0] == pytest.approx(row["lift_high"])
    assert point.y[0] - point.error_y.arrayminus[0] == pytest.approx(row["lift_low"])
    assert "+13.3 points" in fig.layout.title.text
    for empty in (None, lift(0, 0, 0, 0), lift(10, 20, 0, 0)):
        fig = plots.lift_chart(empty)
        assert len(fig.data) == 0
        assert any(a.startswith("No lift yet") for a in _annotations(fig))


def test_keep_up_chart_shows_the_timeline(campaign):
    from reconnect_lib.plan import keep_up_timeline, plan_from_config

    plan = plan_from_config(campaign.scored, campaign.config, as_of=campaign.as_of)
    timeline = keep_up_timeline(plan, weeks=12)
    fig = plots.keep_up_chart(timeline)
    crossing, contacts, late, left_out = fig.data
    assert list(crossing.x) == list(timeline["week"])
    assert list(crossing.y) == (timeline["crossing"] - timeline["crossing_left_out"]).tolist()
    assert list(left_out.y) == timeline["crossing_left_out"].tolist()
    assert list(contacts.y) == timeline["keep_up_contacts"].tolist()
    assert list(late.y) == timeline["late"].tolist()
    assert "No weeks to show" in _annotations(plots.keep_up_chart(keep_up_timeline(plan, weeks=0)))


def test_every_new_figure_serialises(campaign):
    from reconnect_lib.value import value_by_dormancy, value_concentration

    for fig in (
        plots.value_dormancy_chart(value_by_dormancy(campaign.scored, max_points=0)),
        plots.concentration_chart(value_concentration(campaign.scored, column="value_at_stake")),
    ):
        payload = json.loads(fig.to_json())
        assert payload["layout"]["title"]["text"]

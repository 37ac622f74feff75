"""Figures carry the stage outputs' numbers, not numbers of their own."""

from pathlib import Path

import pytest

import reconnect_lib as rl
from reconnect_lib import plots

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

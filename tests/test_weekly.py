"""The weekly composition: which day a week's report is as of, and numbers equal to the stages'."""

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import reconnect_lib as rl
from reconnect_lib.cli import main
from reconnect_lib.pipeline import outcome_report
from reconnect_lib.plan import iso_week, plan_from_config, week_monday
from reconnect_lib.weekly import campaign_clients, campaign_week
from reconnect_lib.weeks import report_as_of

SAMPLE = Path(__file__).parents[1] / "data" / "sample"
days = st.dates(min_value=date(2000, 1, 3), max_value=date(2090, 12, 31))


@given(day=days, offset=st.integers(0, 6))
def test_a_date_in_the_week_is_kept(day, offset):
    week = iso_week(day)
    inside = week_monday(week) + timedelta(days=offset)
    assert report_as_of(week, as_of=inside, config_as_of=None) == (week, inside)


@given(day=days, config_day=days)
def test_a_week_without_a_date_is_as_of_its_monday_or_the_configured_day_inside_it(day, config_day):
    week = iso_week(day)
    got_week, got_day = report_as_of(week, as_of=None, config_as_of=config_day, today=date(1999, 1, 1))
    assert got_week == week
    if iso_week(config_day) == week:
        assert got_day == config_day
    else:
        assert got_day == week_monday(week)  # never the clock: the same report on every rerun


@given(day=days, shift=st.integers(1, 400))
def test_a_date_outside_the_week_is_refused(day, shift):
    week = iso_week(day)
    outside = week_monday(week) + timedelta(days=6 + shift)
    with pytest.raises(rl.ConfigError, match=f"not in week {week}"):
        report_as_of(week, as_of=outside, config_as_of=None)


def test_without_a_week_the_date_picks_the_week_and_the_clock_is_the_last_resort():
    assert report_as_of(None, as_of=date(2026, 12, 31), config_as_of=date(2026, 11, 23)) == (
        "2026-W53",
        date(2026, 12, 31),
    )
    assert report_as_of(None, as_of=None, config_as_of=date(2026, 11, 23), today=date(2027, 1, 1)) == (
        "2026-W48",
        date(2026, 11, 23),
    )
    assert report_as_of(None, as_of=None, config_as_of=None, today=date(2027, 1, 1)) == (
        "2026-W53",
        date(2027, 1, 1),
    )
    with pytest.raises(rl.ConfigError, match="no week and no as-of date"):
        report_as_of(None, as_of=None, config_as_of=None)
    with pytest.raises(rl.ConfigError, match="not an ISO week"):
        report_as_of("2026-48", as_of=None, config_as_of=None)


@pytest.fixture(scope="module", params=["consulting-firm", "financial-planner"])
def week_of(request, tmp_path_factory):
    config = rl.load_config(SAMPLE / request.param / "campaign.toml")
    # A private outcome store, so the test never writes beside the sample.
    db = tmp_path_factory.mktemp("store") / "outcomes.sqlite"
    config = config.model_copy(
        update={"outcomes": config.outcomes.model_copy(update={"database": f"sqlite:///{db}"})}
    )
    return config, campaign_week(config)


def test_the_numbers_are_the_stages_numbers(week_of):
    config, cw = week_of
    numbers = cw.numbers()
    assert (numbers["week"], numbers["as_of"]) == ("2026-W48", "2026-11-23")
    campaign = rl.scored_base(config, outcomes=True)
    pd.testing.assert_frame_equal(cw.campaign.scored, campaign.scored)
    plan = plan_from_config(campaign.scored, config, as_of=campaign.as_of, status=campaign.status)
    summary = plan.summary(plan.start_week)
    for key in ("this_week", "catch_up_clients", "catch_up_left", "end_week", "weekly_capacity", "excluded"):
        assert numbers[key] == summary[key], key
    outcomes = outcome_report(config, as_of=campaign.as_of)
    overall = outcomes.overall.iloc[0]
    assert numbers["contacted"] == overall["contacted"]
    assert numbers["won_back"] == overall["won_back"]
    assert numbers["revenue_recovered"] == pytest.approx(overall["revenue_recovered"])
    reasons = outcomes.reasons
    assert numbers["reasons"] == dict(zip(reasons["reason"], reasons["clients"], strict=True))
    assert numbers["due"] == int(campaign.scored["due"].sum())
    assert len(cw.this_week()) == sum(numbers["this_week"].values())


def test_the_field_reports_come_through(week_of):
    config, cw = week_of
    numbers = cw.numbers()
    if config.campaign.name == "consulting-firm":
        # Reconnection by letter: 10 letters in the first week, nothing recorded yet.
        assert numbers["this_week"]["letter"] == 10
        assert numbers["contacted"] == 0
        assert numbers["win_back_rate"] is None
        assert "No contacted clients yet" in numbers["statement"]
    else:
        # Win-back by phone and e-mail: 3,000 contacted, over half renewed.
        assert numbers["contacted"] == 3000
        assert numbers["won_back"] == 1530
        assert numbers["rate_low"] < 0.51 < numbers["rate_high"]
        assert [row["contacted"] for row in numbers["rates_by_bucket"]] == [870, 960, 660, 510]
    assert "hold-out" in cw.lift_text  # neither sample keeps a hold-out group


def test_the_funnel_starts_with_every_client_reached_or_planned(week_of):
    _, cw = week_of
    frame = campaign_clients(cw.plan, cw.events)
    assert frame["client_id"].is_unique
    reached = set(cw.events["client_id"]) | set(cw.plan.first_contacts()["client_id"])
    assert set(frame.loc[~frame["holdout"], "client_id"]) == reached - set(cw.plan.holdout["client_id"])
    assert cw.outcomes.funnel.iloc[0]["clients"] == (~frame["holdout"]).sum()


def test_campaign_clients_flags_the_holdout_and_leaves_inputs_alone():
    scored = rl.scored_base(SAMPLE / "consulting-firm" / "campaign.toml").scored
    config = rl.load_config(SAMPLE / "consulting-firm" / "campaign.toml")
    plan = plan_from_config(scored, config, as_of=date(2026, 11, 23), holdout_share=0.2, holdout_min_due=0)
    events = pd.DataFrame({"client_id": pd.array(["C00001"], dtype="string")})
    before = events.copy()
    frame = campaign_clients(plan, events)
    pd.testing.assert_frame_equal(events, before)
    assert frame["holdout"].sum() == len(plan.holdout) > 0
    assert not set(frame.loc[frame["holdout"], "client_id"]) & set(frame.loc[~frame["holdout"], "client_id"])


def test_cli_refuses_a_date_outside_the_week_before_running_anything(tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "report",
            "weekly",
            "--config",
            str(SAMPLE / "consulting-firm" / "campaign.toml"),
            "--week",
            "2026-W47",
            "--as-of",
            "2026-11-23",
        ],
    )
    assert result.exit_code == 2
    assert "not in week 2026-W47" in result.output
    assert "Traceback" not in result.output


def test_a_campaign_nobody_can_be_contacted_in_still_reports():
    """No logged contact and nobody planned (e.g. nobody may be contacted): an empty funnel, not a crash."""
    config = rl.load_config(SAMPLE / "consulting-firm" / "campaign.toml")
    campaign = rl.scored_base(config)
    plan = plan_from_config(campaign.scored.assign(do_not_contact=True), config, as_of=campaign.as_of)
    events = pd.DataFrame({"client_id": pd.Series(dtype="string")})
    frame = campaign_clients(plan, events)
    assert len(frame) == 0
    assert frame["holdout"].dtype == bool
    assert frame["client_id"].dtype == "string"

"""Tests for reconnect_lib.plan: capacity, order, follow-ups, hold-out, exclusions, reruns, forecast."""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reconnect_lib as rl
import reconnect_lib.plan as plan_module
from reconnect_lib.dormancy import bucket_labels, dormancy_buckets
from reconnect_lib.errors import ConfigError, InputError
from reconnect_lib.pipeline import scored_base
from reconnect_lib.plan import (
    EXCLUSION_REASONS,
    ContactPlan,
    contact_plan,
    iso_week,
    plan_from_config,
    week_monday,
)
from reconnect_lib.schema import (
    ACTION,
    ADDRESS_LINE1,
    BUCKET_ORDER,
    BUCKET_RANK,
    CHANNEL,
    CLIENT_ID,
    CONTACT_ON,
    CROSSES_ON,
    DAYS_DORMANT,
    DO_NOT_CONTACT,
    DORMANCY_BUCKET,
    DORMANT_SINCE,
    DUE,
    EMAIL,
    EXPECTED_VALUE,
    FOLLOW_UP_ON,
    GIFT_ON,
    LAST_CONTACT,
    LAST_LOGGED_CONTACT,
    MODE,
    N_PURCHASES,
    NAME,
    OPEN_PROBLEM,
    PHONE,
    PLAN_ORDER,
    PLANNED_ON,
    REASON,
    STATUS,
    TOTAL_REVENUE,
    VALUE_SCORE,
    WEEK,
    WEEK_ORDER,
    WEEK_START,
    WON_BACK_FLAG,
    YEARLY_REVENUE,
)
from reconnect_lib.value import value_scores

ROOT = Path(__file__).parents[1]
CONSULTING = ROOT / "data" / "sample" / "consulting-firm" / "campaign.toml"
AS_OF = date(2026, 11, 23)  # a Monday, ISO week 2026-W48
LABELS = bucket_labels()
# 6-12 months, 1-2 years, 2-3 years, 3 years and more: days dormant well inside each bucket
BUCKET_DAYS = {1: 250, 2: 500, 3: 900, 4: 1500}


def scored_frame(
    per_bucket: dict[int, int],
    *,
    as_of: date = AS_OF,
    seed: int = 1,
    prefix: str = "C",
) -> pd.DataFrame:
    """A hand-made scored base: `per_bucket[b]` clients in bucket b, values drawn with `seed`.

    Bucket 0 clients are not due and cross the due mark 1..27 weeks after `as_of`.
    """
    rng = np.random.default_rng(seed)
    rows = []
    i = 0
    for bucket, count in sorted(per_bucket.items()):
        for _ in range(count):
            i += 1
            days = BUCKET_DAYS[bucket] if bucket else int(rng.integers(10, 182))
            rows.append(
                {
                    CLIENT_ID: f"{prefix}{i:05d}",
                    NAME: f"Client {i}",
                    ADDRESS_LINE1: f"{i} High Street",
                    PHONE: f"0113 496 {i:04d}",
                    EMAIL: f"client{i}@example.com",
                    DO_NOT_CONTACT: False,
                    # active clients bought recently; nobody contacted them
                    LAST_CONTACT: pd.Timestamp(as_of - timedelta(days=days)) if bucket else pd.NaT,
                    DORMANT_SINCE: pd.Timestamp(as_of - timedelta(days=days)),
                    DAYS_DORMANT: days,
                    DORMANCY_BUCKET: LABELS[bucket],
                    BUCKET_ORDER: bucket,
                    DUE: bucket > 0,
                    VALUE_SCORE: float(rng.integers(100, 100_000)) / 10,
                    EXPECTED_VALUE: float(rng.integers(100, 100_000)) / 10,
                }
            )
    columns = [
        CLIENT_ID, NAME, ADDRESS_LINE1, PHONE, EMAIL, DO_NOT_CONTACT, LAST_CONTACT, DORMANT_SINCE,
        DAYS_DORMANT, DORMANCY_BUCKET, BUCKET_ORDER, DUE, VALUE_SCORE, EXPECTED_VALUE,
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns).astype(
        {
            BUCKET_ORDER: "int64",
            DUE: bool,
            DO_NOT_CONTACT: bool,
            VALUE_SCORE: "float64",
            EXPECTED_VALUE: "float64",
        }
    )
    frame[LAST_CONTACT] = pd.to_datetime(frame[LAST_CONTACT])
    frame[DORMANT_SINCE] = pd.to_datetime(frame[DORMANT_SINCE])
    frame[DAYS_DORMANT] = frame[DAYS_DORMANT].astype("Int64")
    return frame


def status_frame(rows: list[dict]) -> pd.DataFrame:
    """A status frame with exactly the columns the outcome log hands to the plan."""
    defaults = {
        STATUS: "contacted",
        LAST_LOGGED_CONTACT: pd.NaT,
        WON_BACK_FLAG: False,
        OPEN_PROBLEM: False,
        DO_NOT_CONTACT: False,
    }
    frame = pd.DataFrame([{**defaults, **r} for r in rows], columns=[CLIENT_ID, *defaults])
    frame[LAST_LOGGED_CONTACT] = pd.to_datetime(frame[LAST_LOGGED_CONTACT])
    return frame[[CLIENT_ID, STATUS, LAST_LOGGED_CONTACT, WON_BACK_FLAG, OPEN_PROBLEM, DO_NOT_CONTACT]]


@pytest.fixture(scope="module")
def sample():
    """The consulting-firm sample, scored as of its as_of date (loaded once for this module)."""
    return scored_base(CONSULTING)


def firsts(plan: ContactPlan) -> pd.DataFrame:
    return plan.first_contacts()


def week_index(day: pd.Series | pd.Timestamp, start: date = AS_OF) -> pd.Series:
    return (pd.to_datetime(day) - pd.Timestamp(start)).dt.days // 7


# --- capacity, order, round robin -------------------------------------------------------


def test_capacity_is_never_exceeded_per_channel_and_week():
    scored = scored_frame({1: 40, 2: 40, 3: 40, 4: 40})
    plan = contact_plan(scored, as_of=AS_OF, capacity={"letter": 10, "phone": 6, "gift": 4}, gift=True)
    per_week = plan.actions.pivot_table(
        index=WEEK, columns=ACTION, values=CLIENT_ID, aggfunc="size", fill_value=0
    )
    assert per_week["letter"].max() == 10
    assert per_week["follow_up_call"].max() <= 6
    assert per_week["gift"].max() <= 4
    assert per_week["letter"].sum() == per_week["follow_up_call"].sum() == per_week["gift"].sum() == 160


def test_order_within_each_bucket_is_by_value():
    scored = scored_frame({1: 25, 2: 25, 3: 25, 4: 25})
    first = firsts(contact_plan(scored, as_of=AS_OF))
    for _, group in first.groupby(DORMANCY_BUCKET):
        values = group.sort_values(PLAN_ORDER)[VALUE_SCORE].to_numpy()
        assert (np.diff(values) <= 0).all()


def test_round_robin_takes_the_best_of_each_bucket_then_the_next():
    scored = scored_frame({1: 3, 2: 3, 3: 1, 4: 2})
    first = firsts(contact_plan(scored, as_of=AS_OF, capacity={"letter": 4}))
    ranked = scored.sort_values([BUCKET_ORDER, VALUE_SCORE], ascending=[True, False])
    by_bucket = {b: list(g[CLIENT_ID]) for b, g in ranked.groupby(BUCKET_ORDER)}
    expected = [
        by_bucket[1][0], by_bucket[2][0], by_bucket[3][0], by_bucket[4][0],  # round 1, recent bucket first
        by_bucket[1][1], by_bucket[2][1], by_bucket[4][1],  # round 2: bucket 3 has run out
        by_bucket[1][2], by_bucket[2][2],
    ]  # fmt: skip
    assert list(first[CLIENT_ID]) == expected
    assert list(first[WEEK]) == ["2026-W48"] * 4 + ["2026-W49"] * 4 + ["2026-W50"]
    assert list(first[WEEK_ORDER]) == [1, 2, 3, 4, 1, 2, 3, 4, 1]


def test_value_ties_break_on_client_id():
    scored = scored_frame({1: 4})
    scored[VALUE_SCORE] = 100.0
    first = firsts(contact_plan(scored, as_of=AS_OF))
    assert list(first[CLIENT_ID]) == sorted(scored[CLIENT_ID])


def test_other_strategies():
    scored = scored_frame({1: 10, 2: 10, 3: 10, 4: 10})
    by_value = firsts(contact_plan(scored, as_of=AS_OF, strategy="value"))
    assert (np.diff(by_value[EXPECTED_VALUE].to_numpy()) <= 0).all()
    by_dormancy = firsts(contact_plan(scored, as_of=AS_OF, strategy="dormancy"))
    assert (np.diff(by_dormancy[DAYS_DORMANT].astype(int).to_numpy()) <= 0).all()
    custom = firsts(contact_plan(scored, as_of=AS_OF, strategy="custom", sort_key=[NAME]))
    assert list(custom[NAME]) == sorted(scored[NAME])
    descending = firsts(contact_plan(scored, as_of=AS_OF, strategy="custom", sort_key="-" + VALUE_SCORE))
    assert (np.diff(descending[VALUE_SCORE].to_numpy()) <= 0).all()


def test_letters_spread_over_the_working_week_and_never_before_as_of():
    scored = scored_frame({2: 30})
    plan = contact_plan(scored, as_of=AS_OF, capacity={"letter": 10})
    days = firsts(plan).groupby(WEEK)[PLANNED_ON].apply(lambda d: list(d.dt.day_of_week))
    assert days["2026-W48"] == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    wednesday = AS_OF + timedelta(days=2)
    late = contact_plan(scored, as_of=wednesday, capacity={"letter": 10})
    assert late.start_week == "2026-W48"
    assert (late.actions[PLANNED_ON] >= pd.Timestamp(wednesday)).all()
    saturday = contact_plan(scored, as_of=AS_OF + timedelta(days=5))
    assert saturday.start_week == "2026-W49"


# --- follow-ups and gifts ---------------------------------------------------------------


def test_follow_up_call_lands_follow_up_days_after_its_letter():
    scored = scored_frame({1: 10, 2: 10})
    plan = contact_plan(scored, as_of=AS_OF, capacity={"letter": 10, "phone": 10}, follow_up_days=7)
    letters = plan.actions[plan.actions[ACTION] == "letter"].set_index(CLIENT_ID)
    calls = plan.actions[plan.actions[ACTION] == "follow_up_call"].set_index(CLIENT_ID)
    assert set(calls.index) == set(letters.index)
    gap = (calls[PLANNED_ON] - letters.loc[calls.index, PLANNED_ON]).dt.days
    assert (gap == 7).all()
    # every row of the client carries the promise, which the letter states
    assert (letters.loc[calls.index, FOLLOW_UP_ON] == calls[PLANNED_ON]).all()


def test_follow_up_on_a_weekend_moves_to_monday():
    scored = scored_frame({1: 10})
    plan = contact_plan(scored, as_of=AS_OF, capacity={"letter": 10, "phone": 10}, follow_up_days=3)
    calls = plan.actions[plan.actions[ACTION] == "follow_up_call"]
    assert (calls[PLANNED_ON].dt.day_of_week < 5).all()
    letter_day = plan.actions.loc[plan.actions[ACTION] == "letter"].set_index(CLIENT_ID)[PLANNED_ON]
    thursday_letters = letter_day[letter_day.dt.day_of_week == 3].index
    moved = calls.set_index(CLIENT_ID).loc[thursday_letters, PLANNED_ON]
    assert (moved.dt.day_of_week == 0).all()  # Thursday + 3 = Sunday -> Monday


def test_full_phone_week_pushes_calls_to_the_next_week_with_room():
    scored = scored_frame({1: 30})
    plan = contact_plan(scored, as_of=AS_OF, capacity={"letter": 10, "phone": 4}, follow_up_days=7)
    calls = plan.actions[plan.actions[ACTION] == "follow_up_call"]
    assert calls.groupby(WEEK).size().max() == 4
    assert len(calls) == 30
    letters = plan.actions[plan.actions[ACTION] == "letter"].set_index(CLIENT_ID)[PLANNED_ON]
    gap = (calls.set_index(CLIENT_ID)[PLANNED_ON] - letters).dt.days
    assert (gap >= 7).all()
    assert ((gap - 7) % 7 == 0).all()
    assert gap.max() > 7
    assert any("does not keep up with the follow-up calls" in n for n in plan.notes)
    # calls get their week in the order their letters went out
    weeks = calls.sort_values(PLAN_ORDER)[WEEK_START].to_numpy()
    assert (np.diff(weeks) >= np.timedelta64(0)).all()


def test_no_phone_capacity_means_no_promised_call():
    plan = contact_plan(scored_frame({1: 5}), as_of=AS_OF, capacity={"phone": 0})
    assert set(plan.actions[ACTION]) == {"letter"}
    assert plan.actions[FOLLOW_UP_ON].isna().all()
    assert any("no phone capacity" in n for n in plan.notes)


def test_gift_goes_out_with_the_call_and_within_gift_capacity():
    scored = scored_frame({1: 12})
    plan = contact_plan(scored, as_of=AS_OF, capacity={"letter": 12, "phone": 12}, gift=True)
    gifts = plan.actions[plan.actions[ACTION] == "gift"].set_index(CLIENT_ID)[PLANNED_ON]
    calls = plan.actions[plan.actions[ACTION] == "follow_up_call"].set_index(CLIENT_ID)[PLANNED_ON]
    assert (gifts == calls.loc[gifts.index]).all()
    limited = contact_plan(scored, as_of=AS_OF, capacity={"letter": 12, "phone": 12, "gift": 5}, gift=True)
    assert limited.actions[limited.actions[ACTION] == "gift"].groupby(WEEK).size().max() == 5
    assert limited.actions[GIFT_ON].notna().all()


# --- exclusions ---------------------------------------------------------------------------


def test_do_not_contact_recent_and_lost_are_never_planned():
    scored = scored_frame({1: 10, 2: 10, 3: 10})
    scored.loc[0, DO_NOT_CONTACT] = True
    scored.loc[1, LAST_CONTACT] = pd.Timestamp(AS_OF - timedelta(days=30))
    status = status_frame(
        [
            {CLIENT_ID: "C00003", STATUS: "do_not_contact", DO_NOT_CONTACT: True},
            {CLIENT_ID: "C00004", STATUS: "won_back", WON_BACK_FLAG: True},
            {CLIENT_ID: "C00005", STATUS: "lost"},
            {CLIENT_ID: "C00006", STATUS: "replied", LAST_LOGGED_CONTACT: AS_OF - timedelta(days=10)},
            {CLIENT_ID: "C00007", STATUS: "problem_open", DO_NOT_CONTACT: True},
            {CLIENT_ID: "NOT-A-CLIENT", STATUS: "contacted"},
        ]
    )
    plan = contact_plan(scored, as_of=AS_OF, status=status)
    reasons = plan.excluded.set_index(CLIENT_ID)[REASON]
    assert reasons.to_dict() == {
        "C00001": "do_not_contact",
        "C00003": "do_not_contact",
        "C00007": "do_not_contact",
        "C00005": "lost",
        "C00002": "recently_contacted",
        "C00006": "recently_contacted",
    }
    assert not set(reasons.index) & set(plan.actions[CLIENT_ID])
    assert "C00004" in set(firsts(plan)[CLIENT_ID])  # won back, silent since: kept up, below
    assert any("1 clients in the outcome log are not in the client base" in n for n in plan.notes)


def test_recently_contacted_days_is_the_window():
    scored = scored_frame({2: 3})
    scored[LAST_CONTACT] = pd.to_datetime([AS_OF - timedelta(days=d) for d in (29, 30, 31)])
    plan = contact_plan(scored, as_of=AS_OF, recently_contacted_days=30)
    assert list(plan.excluded[CLIENT_ID]) == ["C00001"]
    assert len(contact_plan(scored, as_of=AS_OF, recently_contacted_days=0).excluded) == 0


def test_a_logged_contact_within_six_months_moves_a_due_client_to_keep_up():
    scored = scored_frame({3: 2})
    logged = AS_OF - timedelta(days=100)
    status = status_frame([{CLIENT_ID: "C00001", LAST_LOGGED_CONTACT: logged}])
    plan = contact_plan(scored, as_of=AS_OF, status=status)
    first = firsts(plan).set_index(CLIENT_ID)
    assert first.loc["C00001", MODE] == "keep_up"
    assert first.loc["C00001", CROSSES_ON] == pd.Timestamp(logged + timedelta(days=183))
    assert first.loc["C00001", PLANNED_ON] < first.loc["C00001", CROSSES_ON]
    assert first.loc["C00002", MODE] == "catch_up"


def test_a_client_won_back_is_kept_up_six_months_after_the_renewal():
    # "Once caught up, nobody should slide past 6 months again": a client who has
    # come back gets a keep-up contact before the mark, like everyone else.
    scored = scored_frame({3: 4})
    renewed = AS_OF - timedelta(days=120)
    status = status_frame(
        [
            {CLIENT_ID: "C00001", STATUS: "won_back", WON_BACK_FLAG: True, LAST_LOGGED_CONTACT: renewed},
            {CLIENT_ID: "C00002", STATUS: "won_back", WON_BACK_FLAG: True, LAST_LOGGED_CONTACT: AS_OF},
            # won back once, lost since: left out as lost, not counted as kept up
            {CLIENT_ID: "C00003", STATUS: "lost", WON_BACK_FLAG: True},
        ]
    )
    plan = contact_plan(scored, as_of=AS_OF, status=status)
    first = firsts(plan).set_index(CLIENT_ID)
    assert first.loc["C00001", MODE] == "keep_up"
    assert first.loc["C00001", CROSSES_ON] == pd.Timestamp(renewed + timedelta(days=183))
    assert first.loc["C00001", PLANNED_ON] < first.loc["C00001", CROSSES_ON]
    assert first.loc["C00004", MODE] == "catch_up"
    # renewed today: left out this week as any client just contacted, back in a later plan
    assert plan.excluded.set_index(CLIENT_ID)[REASON].to_dict() == {
        "C00002": "recently_contacted",
        "C00003": "lost",
    }
    assert any("2 clients won back are kept up" in n for n in plan.notes)


def test_a_client_won_back_long_ago_and_silent_since_is_due_again():
    scored = scored_frame({3: 1})
    old_win = AS_OF - timedelta(days=400)
    status = status_frame(
        [{CLIENT_ID: "C00001", STATUS: "won_back", WON_BACK_FLAG: True, LAST_LOGGED_CONTACT: old_win}]
    )
    plan = contact_plan(scored, as_of=AS_OF, status=status)
    assert firsts(plan).set_index(CLIENT_ID).loc["C00001", MODE] == "catch_up"
    assert plan.excluded.empty


def test_unreachable_clients_are_excluded_not_dropped():
    scored = scored_frame({1: 3})
    scored.loc[0, ADDRESS_LINE1] = None
    scored.loc[1, ADDRESS_LINE1] = "   "
    plan = contact_plan(scored, as_of=AS_OF, channels=["letter"])
    assert plan.excluded.set_index(CLIENT_ID)[REASON].to_dict() == {
        "C00001": "unreachable",
        "C00002": "unreachable",
    }
    assert any(n.startswith("2 clients have no postal address and are left out") for n in plan.notes)
    assert any("list it in [plan] channels in campaign.toml" in n for n in plan.notes)


def test_every_client_is_planned_once_or_excluded_with_a_reason():
    scored = scored_frame({0: 20, 1: 20, 2: 20, 3: 20, 4: 20})
    scored.loc[::7, DO_NOT_CONTACT] = True
    plan = contact_plan(scored, as_of=AS_OF, weeks=6)
    planned = list(firsts(plan)[CLIENT_ID])
    excluded = list(plan.excluded[CLIENT_ID])
    assert len(planned) == len(set(planned))
    assert sorted(planned + excluded) == sorted(scored[CLIENT_ID])
    assert set(plan.excluded[REASON]) <= set(EXCLUSION_REASONS)
    assert (plan.excluded[REASON] == "beyond_horizon").sum() > 0
    assert firsts(plan)[WEEK].map(week_monday).max() < AS_OF + timedelta(weeks=6)


# --- keep-up ------------------------------------------------------------------------------


def test_keep_up_clients_are_contacted_the_week_before_they_cross():
    scored = scored_frame({0: 30, 1: 5})
    plan = contact_plan(scored, as_of=AS_OF, capacity={"letter": 10})
    keep = firsts(plan).loc[lambda f: f[MODE] == "keep_up"]
    assert len(keep) == 30
    crossing_week_start = keep[CROSSES_ON] - pd.to_timedelta(keep[CROSSES_ON].dt.day_of_week, unit="D")
    on_time = keep[WEEK_START] == crossing_week_start - pd.Timedelta(days=7)
    # a client crossing in the first week(s) is contacted as soon as there is room, still before crossing
    assert (keep[PLANNED_ON] < keep[CROSSES_ON]).all()
    assert on_time[keep[CROSSES_ON] > pd.Timestamp(AS_OF + timedelta(days=21))].all()


def test_clients_lapsing_during_a_long_catch_up_follow_it():
    scored = scored_frame({0: 10, 1: 200})
    plan = contact_plan(scored, as_of=AS_OF, capacity={"letter": 10})
    first = firsts(plan)
    assert first[MODE].iloc[:200].eq("catch_up").all()
    assert first[MODE].iloc[200:].eq("keep_up").all()
    assert plan.forecast.end_week == iso_week(AS_OF + timedelta(weeks=19))
    assert any("lapse during the catch-up" in n for n in plan.notes)


# --- channels -----------------------------------------------------------------------------


def test_without_letters_email_and_phone_share_the_queue_by_capacity():
    scored = scored_frame({1: 100, 2: 100})
    capacity = {"letter": 0, "email": 20, "phone": 30}
    plan = contact_plan(scored, as_of=AS_OF, capacity=capacity)
    assert plan.primary == ("email", "phone")
    first = firsts(plan)
    assert first.loc[first[WEEK] == "2026-W48", CHANNEL].value_counts().to_dict() == {
        "phone": 30,
        "email": 20,
    }
    assert set(plan.actions[ACTION]) == {"email", "call"}  # the phone is busy with first calls
    assert (plan.forecast.weekly_capacity, plan.forecast.weeks_needed) == (50, 4)

    scored.loc[:29, EMAIL] = None  # thirty clients can only be called
    plan = contact_plan(scored, as_of=AS_OF, capacity=capacity)
    first = firsts(plan)
    per_week = first.pivot_table(index=WEEK, columns=CHANNEL, values=CLIENT_ID, aggfunc="size", fill_value=0)
    assert per_week["email"].max() <= 20
    assert per_week["phone"].max() <= 30
    assert set(first.loc[first[CLIENT_ID].isin(scored[CLIENT_ID][:30]), CHANNEL]) == {"phone"}
    shares = first[CHANNEL].value_counts()
    expected = max(math.ceil(shares["email"] / 20), math.ceil(shares["phone"] / 30))
    assert plan.forecast.weeks_needed == expected == first[WEEK].nunique()


def test_idle_capacity_is_noted_and_primary_can_be_chosen():
    scored = scored_frame({1: 10})
    plan = contact_plan(scored, as_of=AS_OF)
    assert any("email capacity (50 a week) is not used" in n for n in plan.notes)
    both = contact_plan(scored, as_of=AS_OF, primary=["letter", "email"])
    assert set(firsts(both)[CHANNEL]) == {"letter", "email"}
    with pytest.raises(ConfigError, match="has no capacity"):
        contact_plan(scored, as_of=AS_OF, primary="email", capacity={"email": 0})
    with pytest.raises(ConfigError, match="no channel has capacity"):
        contact_plan(scored, as_of=AS_OF, capacity={"letter": 0, "email": 0, "phone": 0})


def test_a_list_with_only_emails_and_phones_plans_every_due_client_by_email_or_phone():
    # A small business's spreadsheet: e-mails and phones, no postal address (the column is blank,
    # as the loader gives it), and campaign.toml's default capacities (letter 10, email 50, phone 20).
    scored = scored_frame({1: 40, 2: 30, 3: 20})
    scored[ADDRESS_LINE1] = None
    scored.loc[:9, EMAIL] = None  # ten can only be called
    scored.loc[10:14, PHONE] = None
    plan = contact_plan(scored, as_of=AS_OF)
    first = firsts(plan)
    assert plan.excluded.empty
    assert len(first) == scored[DUE].sum() == 90
    by_client = first.set_index(CLIENT_ID)[CHANNEL]
    assert set(by_client.loc[scored[CLIENT_ID][:10]]) == {"phone"}
    assert set(by_client.drop(scored[CLIENT_ID][:10])) == {"email"}
    assert plan.primary == ("email", "phone")
    assert plan.forecast.weekly_capacity == 70
    # the phone makes ten first calls and the follow-up calls of the e-mails to clients with a
    # phone number, within its 20 a week
    per_week = plan.actions.loc[plan.actions[CHANNEL] == "phone"].groupby(WEEK).size()
    assert per_week.max() <= 20
    assert plan.actions[ACTION].value_counts()[["call", "follow_up_call"]].tolist() == [10, 75]
    assert "5 letters and e-mails go to clients with no phone number: they promise no follow-up call" in (
        plan.notes
    )
    assert "letter capacity (10 a week) is not used: no client planned has a postal address" in plan.notes
    # the same from campaign.toml, with and without [plan] channels
    config = rl.load_config(CONSULTING)
    for channels in (None, ("email", "phone"), ("letter", "email", "phone")):
        settings = {"channels": channels, "capacity": {"letter": 10, "email": 50, "phone": 20}}
        cfg = config.model_copy(update={"plan": config.plan.model_copy(update=settings)})
        again = plan_from_config(scored, cfg, as_of=AS_OF)
        assert again.excluded.empty
        assert set(firsts(again)[CHANNEL]) == {"email", "phone"}


def test_channels_are_an_order_of_preference_over_what_each_client_can_be_reached_by():
    scored = scored_frame({1: 6})
    scored.loc[0, [ADDRESS_LINE1, EMAIL]] = None  # phone only
    scored.loc[1, [EMAIL, PHONE]] = None  # letter only
    scored.loc[2, [ADDRESS_LINE1, EMAIL, PHONE]] = None  # nothing
    plan = contact_plan(scored, as_of=AS_OF, channels=["email", "letter", "phone"])
    assert firsts(plan).set_index(CLIENT_ID)[CHANNEL].to_dict() == {
        "C00001": "phone",
        "C00002": "letter",
        "C00004": "email",
        "C00005": "email",
        "C00006": "email",
    }
    assert plan.excluded.set_index(CLIENT_ID)[REASON].to_dict() == {"C00003": "unreachable"}
    # a channel without capacity is skipped, whatever its place
    plan = contact_plan(
        scored, as_of=AS_OF, channels=["email", "letter", "phone"], capacity={"email": 0, "letter": 5}
    )
    assert firsts(plan).set_index(CLIENT_ID)[CHANNEL].to_dict()["C00004"] == "letter"
    with pytest.raises(ConfigError, match="not both"):
        contact_plan(scored, as_of=AS_OF, channels=["email"], primary="email")
    with pytest.raises(ConfigError, match="has capacity"):
        contact_plan(scored, as_of=AS_OF, channels=["email"], capacity={"email": 0})
    with pytest.raises(ConfigError, match="'letter', 'email', 'phone'"):
        contact_plan(scored, as_of=AS_OF, channels=["pigeon"])


def test_the_idle_capacity_note_names_the_campaign_toml_key():
    plan = contact_plan(scored_frame({1: 10}), as_of=AS_OF)
    (note,) = [n for n in plan.notes if n.startswith("email capacity")]
    assert '[plan] channels = ["email", "letter"] in campaign.toml' in note
    assert "primary=" not in note


@st.composite
def reach_inputs(draw):
    scored = scored_frame({b: draw(st.integers(0, 8)) for b in range(5)}, seed=draw(st.integers(0, 99)))
    for column in (ADDRESS_LINE1, EMAIL, PHONE):
        blank = draw(
            st.lists(st.sampled_from([None, "", "  ", "x"]), min_size=len(scored), max_size=len(scored))
        )
        scored[column] = [value if b == "x" else b for value, b in zip(scored[column], blank, strict=True)]
    if draw(st.booleans()):
        scored = scored.drop(columns=draw(st.sampled_from([ADDRESS_LINE1, EMAIL, PHONE])))
    caps = {c: draw(st.integers(0, 5)) for c in ("letter", "email", "phone")}
    if not any(caps.values()):
        caps["email"] = 1
    choice = draw(st.sampled_from(["default", "channels", "primary"]))
    options: dict = {"capacity": caps}
    with_capacity = [c for c in caps if caps[c] > 0]
    if choice == "channels":
        options["channels"] = draw(st.permutations(["letter", "email", "phone"]))[: draw(st.integers(1, 3))]
        if not any(caps[c] for c in options["channels"]):
            options["channels"] = [*options["channels"], with_capacity[0]]
    elif choice == "primary":
        options["primary"] = draw(st.sampled_from(with_capacity))
    return scored, options


@given(reach_inputs())
def test_no_client_is_ever_planned_on_a_channel_they_cannot_be_reached_by(inputs):
    scored, options = inputs
    plan = contact_plan(scored, as_of=AS_OF, **options)
    needs = {"letter": ADDRESS_LINE1, "email": EMAIL, "phone": PHONE}
    by_id = scored.set_index(CLIENT_ID)
    first = firsts(plan)
    for client, channel in zip(first[CLIENT_ID], first[CHANNEL], strict=True):
        column = needs[channel]
        if column in by_id.columns:  # a column the list does not have counts as known
            assert str(by_id.loc[client, column] or "").strip(), (client, channel)
        assert plan.capacity[channel] > 0
    # a call, first or follow-up, is made only to a client with a phone number
    calls = plan.actions.loc[plan.actions[CHANNEL] == "phone", CLIENT_ID]
    if PHONE in by_id.columns:
        assert by_id.loc[calls, PHONE].fillna("").astype(str).str.strip().ne("").all()
    # everyone reachable on a channel with capacity (and allowed) is planned, the others are unreachable
    allowed = options.get("channels") or ([options["primary"]] if "primary" in options else list(needs))
    allowed = [c for c in allowed if plan.capacity[c] > 0]
    reachable = np.zeros(len(scored), dtype=bool)
    for c in allowed:
        column = needs[c]
        reachable |= (
            scored[column].fillna("").astype(str).str.strip().ne("").to_numpy()
            if column in scored.columns
            else True
        )
    unreachable = set(plan.excluded.loc[plan.excluded[REASON] == "unreachable", CLIENT_ID])
    assert unreachable == set(scored.loc[~reachable, CLIENT_ID])
    # and the capacity of every channel holds each week, first calls and follow-ups together
    for (_, channel), count in plan.actions.groupby([WEEK, CHANNEL]).size().items():
        assert count <= plan.capacity[channel]


# --- hold-out -----------------------------------------------------------------------------


def test_holdout_is_reproducible_stratified_and_stable_on_rerun():
    scored = scored_frame({1: 3000, 2: 3000, 3: 3000, 4: 3000}, seed=3)
    plan = contact_plan(scored, as_of=AS_OF, holdout_share=0.1, seed=42, weeks=2)
    again = contact_plan(
        scored.sample(frac=1, random_state=1), as_of=AS_OF, holdout_share=0.1, seed=42, weeks=2
    )
    other = contact_plan(scored, as_of=AS_OF, holdout_share=0.1, seed=43, weeks=2)
    held = set(plan.holdout[CLIENT_ID])
    assert held == set(again.holdout[CLIENT_ID])
    assert held != set(other.holdout[CLIENT_ID])
    share = plan.holdout.groupby(DORMANCY_BUCKET).size() / scored.groupby(DORMANCY_BUCKET).size()
    assert share.between(0.08, 0.12).all(), share
    assert not held & set(plan.actions[CLIENT_ID])
    assert (plan.excluded[REASON] == "holdout").sum() == len(held)
    # contacting others (logged) never releases a held-out client
    contacted = firsts(plan)[CLIENT_ID][:20]
    status = status_frame([{CLIENT_ID: c, LAST_LOGGED_CONTACT: AS_OF} for c in contacted])
    later = contact_plan(
        scored, as_of=AS_OF + timedelta(days=7), status=status, holdout_share=0.1, seed=42, weeks=2
    )
    assert set(later.holdout[CLIENT_ID]) == held


def test_holdout_is_off_below_the_minimum_unless_forced():
    scored = scored_frame({1: 200, 2: 200})
    plan = contact_plan(scored, as_of=AS_OF, holdout_share=0.2)
    assert plan.holdout.empty
    assert any("hold-out off: 400 due clients" in n and "fewer than 1,000" in n for n in plan.notes)
    forced = contact_plan(scored, as_of=AS_OF, holdout_share=0.2, holdout_min_due=100)
    assert 50 < len(forced.holdout) < 110
    assert list(forced.holdout.columns[:3]) == [CLIENT_ID, DORMANCY_BUCKET, BUCKET_ORDER]


# --- reruns -------------------------------------------------------------------------------


def _bucketed_base(days: dict[str, int], revenue: dict[str, float], as_of: date) -> pd.DataFrame:
    """A scored base built by the real stages, with values that do not drift week to week."""
    base = pd.DataFrame(
        {
            CLIENT_ID: list(days),
            DAYS_DORMANT: pd.array(list(days.values()), dtype="Int64"),
            DORMANT_SINCE: [pd.Timestamp(as_of - timedelta(days=d)) for d in days.values()],
            N_PURCHASES: pd.array([3] * len(days), dtype="Int64"),
            TOTAL_REVENUE: list(revenue.values()),
            YEARLY_REVENUE: list(revenue.values()),
        }
    )
    return value_scores(dormancy_buckets(base), basis="total")


def _rerun(days: dict[str, int], revenue: dict[str, float]) -> tuple[pd.DataFrame, ...]:
    """Plan, log the first week's letters as contacts, rebuild the base a week later, plan again."""
    week_later = AS_OF + timedelta(days=7)
    base = _bucketed_base(days, revenue, AS_OF)
    first = contact_plan(base, as_of=AS_OF, capacity={"letter": 5})
    week1 = firsts(first).loc[lambda f: f[WEEK] == "2026-W48"]
    status = status_frame(
        [
            {CLIENT_ID: c, LAST_LOGGED_CONTACT: d}
            for c, d in zip(week1[CLIENT_ID], week1[PLANNED_ON], strict=True)
        ]
    )
    later_base = _bucketed_base({c: d + 7 for c, d in days.items()}, revenue, week_later)
    second = contact_plan(later_base, as_of=week_later, status=status, capacity={"letter": 5})
    return firsts(first), firsts(second), base, later_base


def test_rerun_a_week_later_keeps_the_remaining_order():
    rng = np.random.default_rng(7)
    days = {f"C{i:03d}": int(d) for i, d in enumerate(rng.choice([250, 500, 900, 1500], size=60))}
    revenue = {c: float(rng.integers(100, 10_000)) for c in days}
    before, after, _, _ = _rerun(days, revenue)
    contacted = set(before.loc[before[WEEK] == "2026-W48", CLIENT_ID])
    remaining = [c for c in before[CLIENT_ID] if c not in contacted]
    assert list(after[CLIENT_ID]) == remaining
    assert not contacted & set(after[CLIENT_ID])
    assert set(after[WEEK]) <= {iso_week(AS_OF + timedelta(weeks=k)) for k in range(1, 30)}
    # and the weeks line up: what was planned for week 2 is week 2's plan now
    assert list(after.loc[after[WEEK] == "2026-W49", CLIENT_ID]) == list(
        before.loc[before[WEEK] == "2026-W49", CLIENT_ID]
    )


def test_rerun_when_a_client_changes_bucket_moves_only_its_neighbours_by_one_round():
    rng = np.random.default_rng(8)
    days = {f"C{i:03d}": int(d) for i, d in enumerate(rng.choice([250, 500, 900, 1500], size=60))}
    revenue = {c: float(rng.integers(100, 10_000)) for c in days}
    # the third most valuable of 1-2 years: not in the first week's letters
    mover = sorted((c for c in days if days[c] == 500), key=revenue.get, reverse=True)[2]
    days[mover] = 727  # crosses 730 days (2 years) within the week
    before, after, base, later_base = _rerun(days, revenue)
    contacted = set(before.loc[before[WEEK] == "2026-W48", CLIENT_ID])
    assert mover not in contacted
    assert after.set_index(CLIENT_ID).loc[mover, BUCKET_ORDER] == 3
    # clients of the buckets the mover neither left nor joined keep their relative order
    untouched = [c for c in before[CLIENT_ID] if c not in contacted and days[c] in (250, 1500)]
    assert [c for c in after[CLIENT_ID] if c in set(untouched)] == untouched
    # the others move by at most one round: their rank in the whole bucket changes by at most one
    rounds_before = base.set_index(CLIENT_ID)[BUCKET_RANK]
    rounds_after = later_base.set_index(CLIENT_ID)[BUCKET_RANK]
    shift = (rounds_after - rounds_before).drop([mover, *contacted]).abs()
    assert shift.max() == 1
    # and the rerun's order is the round robin on those whole-bucket ranks
    expected = later_base.set_index(CLIENT_ID).drop(list(contacted)).sort_values([BUCKET_RANK, BUCKET_ORDER])
    assert list(after[CLIENT_ID]) == list(expected.index)


def test_rerun_on_the_sample_a_week_later_gives_week_two_as_planned(sample):
    campaign = sample
    plan = plan_from_config(campaign.scored, campaign.config, as_of=campaign.as_of)
    week1 = firsts(plan).loc[lambda f: f[WEEK] == "2026-W48"]
    status = status_frame(
        [
            {CLIENT_ID: c, LAST_LOGGED_CONTACT: d}
            for c, d in zip(week1[CLIENT_ID], week1[PLANNED_ON], strict=True)
        ]
    )
    later = scored_base(CONSULTING, as_of=AS_OF + timedelta(days=7))
    rerun = plan_from_config(later.scored, later.config, as_of=later.as_of, status=status)
    planned = firsts(plan).loc[lambda f: f[WEEK] == "2026-W49", CLIENT_ID]
    assert list(firsts(rerun).loc[lambda f: f[WEEK] == "2026-W49", CLIENT_ID]) == list(planned)
    assert set(week1[CLIENT_ID]) <= set(
        rerun.excluded.loc[rerun.excluded[REASON] == "recently_contacted", CLIENT_ID]
    )


def test_same_inputs_same_plan():
    scored = scored_frame({0: 10, 1: 30, 2: 30})
    a = contact_plan(scored, as_of=AS_OF, holdout_share=0.3, holdout_min_due=0, gift=True)
    b = contact_plan(scored, as_of=AS_OF, holdout_share=0.3, holdout_min_due=0, gift=True)
    pd.testing.assert_frame_equal(a.actions, b.actions)
    pd.testing.assert_frame_equal(a.excluded, b.excluded)
    assert a.forecast == b.forecast
    assert a.notes == b.notes


# --- forecast -----------------------------------------------------------------------------


def test_forecast_500_due_at_10_a_week_is_50_weeks():
    scored = scored_frame({1: 125, 2: 125, 3: 125, 4: 125})
    plan = contact_plan(scored, as_of=AS_OF, capacity={"letter": 10})
    f = plan.forecast
    assert (f.catch_up_clients, f.weekly_capacity, f.weeks_needed) == (500, 10, 50)
    assert f.start_week == "2026-W48"
    assert f.end_week == iso_week(AS_OF + timedelta(weeks=49)) == firsts(plan)[WEEK].iloc[-1]
    assert f.capacity_needed(iso_week(AS_OF + timedelta(weeks=24))) == 20  # 25 weeks
    assert f.capacity_needed(AS_OF + timedelta(weeks=49, days=4)) == 10
    assert f.capacity_needed(AS_OF + timedelta(weeks=9)) == 50
    with pytest.raises(ConfigError, match="before the plan starts"):
        f.capacity_needed(AS_OF - timedelta(days=7))
    summary = plan.summary("2026-W49")
    assert summary["catch_up_left"] == 480
    assert summary["this_week"]["letter"] == 10
    assert summary["this_week"]["follow_up_call"] == 10
    assert summary["capacity_to_finish"] == 20  # 26 weeks: 2026 has 53 ISO weeks


def test_forecast_rounds_up_and_handles_nobody_due():
    plan = contact_plan(scored_frame({1: 501}), as_of=AS_OF, capacity={"letter": 10})
    assert plan.forecast.weeks_needed == 51
    nobody = contact_plan(scored_frame({0: 5}), as_of=AS_OF)
    assert (nobody.forecast.catch_up_clients, nobody.forecast.weeks_needed, nobody.forecast.end_week) == (
        0,
        0,
        None,
    )
    assert nobody.forecast.capacity_needed("2027-W10") == 0
    empty = contact_plan(scored_frame({}), as_of=AS_OF)
    assert empty.actions.empty
    assert empty.excluded.empty
    assert empty.forecast.weeks_needed == 0


def test_weekly_counts_add_up():
    plan = contact_plan(scored_frame({1: 23}), as_of=AS_OF, capacity={"letter": 10, "phone": 10})
    counts = plan.weekly_counts()
    assert list(counts[WEEK]) == ["2026-W48", "2026-W49", "2026-W50", "2026-W51"]
    assert list(counts["letter"]) == [10, 10, 3, 0]
    assert list(counts["follow_up_call"]) == [0, 10, 10, 3]
    assert list(counts["catch_up_left"]) == [13, 3, 0, 0]


def test_sample_forecast_at_ten_letters_a_week(sample):
    campaign = sample
    plan = plan_from_config(campaign.scored, campaign.config, as_of=campaign.as_of)
    f = plan.forecast
    assert (f.weekly_capacity, f.catch_up_clients, f.weeks_needed) == (10, 460, 46)
    assert f.end_week == "2027-W40"
    assert plan.excluded[REASON].value_counts().to_dict() == {"do_not_contact": 17, "recently_contacted": 9}
    assert any("hold-out off: 460 due clients" in n for n in plan.notes)


# --- inputs: engines, mutation, validation --------------------------------------------------


def test_inputs_are_not_mutated():
    scored = scored_frame({0: 5, 1: 10, 2: 10})
    status = status_frame([{CLIENT_ID: "C00007", STATUS: "replied", LAST_LOGGED_CONTACT: AS_OF}])
    scored_copy, status_copy = scored.copy(deep=True), status.copy(deep=True)
    contact_plan(scored, as_of=AS_OF, status=status, holdout_share=0.5, holdout_min_due=0, gift=True)
    pd.testing.assert_frame_equal(scored, scored_copy)
    pd.testing.assert_frame_equal(status, status_copy)


def test_clients_table_has_every_client_and_what_the_plan_decided():
    scored = scored_frame({0: 5, 1: 10, 2: 10})
    scored.loc[0, DO_NOT_CONTACT] = True
    plan = contact_plan(scored, as_of=AS_OF, capacity={"letter": 10, "phone": 10})
    clients = plan.clients
    assert list(clients[CLIENT_ID]) == list(scored[CLIENT_ID])
    assert (clients[REASON].isna() == clients[PLAN_ORDER].notna()).all()
    assert clients.loc[0, REASON] == "do_not_contact"
    planned = clients.dropna(subset=[PLAN_ORDER]).sort_values(PLAN_ORDER)
    first = plan.first_contacts()
    assert list(planned[CLIENT_ID]) == list(first[CLIENT_ID])
    assert (planned[CONTACT_ON].to_numpy() == first[PLANNED_ON].to_numpy()).all()
    assert set(clients[MODE].dropna()) == {"catch_up", "keep_up"}
    assert clients.loc[clients[MODE] == "keep_up", CROSSES_ON].notna().all()
    week = plan.week("2026-W49")
    assert {ADDRESS_LINE1, PHONE, EMAIL, LAST_CONTACT, OPEN_PROBLEM} <= set(week.columns)
    assert len(week) == 20
    # the plan's tables are its own: editing them never reaches the caller's frame
    before = scored.copy(deep=True)
    plan.clients.loc[1, NAME] = "changed"
    pd.testing.assert_frame_equal(scored, before)


def test_polars_input_gives_the_same_plan(engine, to_engine):
    scored = scored_frame({0: 10, 1: 20, 2: 20, 3: 5})
    status = status_frame([{CLIENT_ID: "C00012", STATUS: "lost"}])
    reference = contact_plan(scored, as_of=AS_OF, status=status, holdout_share=0.3, holdout_min_due=0)
    plan = contact_plan(
        to_engine(scored), as_of=AS_OF, status=to_engine(status), holdout_share=0.3, holdout_min_due=0
    )
    columns = [WEEK, PLANNED_ON, ACTION, WEEK_ORDER, PLAN_ORDER, CLIENT_ID, MODE, FOLLOW_UP_ON]
    pd.testing.assert_frame_equal(plan.actions[columns], reference.actions[columns])
    assert list(plan.holdout[CLIENT_ID]) == list(reference.holdout[CLIENT_ID])
    assert list(plan.excluded[REASON]) == list(reference.excluded[REASON])


def test_status_may_be_empty_and_dates_may_be_python_dates():
    scored = scored_frame({1: 3})
    empty = status_frame([]).astype({STATUS: "str"})
    assert len(firsts(contact_plan(scored, as_of=AS_OF, status=empty))) == 3
    status = status_frame([{CLIENT_ID: "C00001"}])
    status[LAST_LOGGED_CONTACT] = [AS_OF - timedelta(days=3)]  # datetime.date objects
    plan = contact_plan(scored, as_of=AS_OF, status=status)
    assert plan.excluded.set_index(CLIENT_ID)[REASON].to_dict() == {"C00001": "recently_contacted"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"strategy": "loudest"}, "'round_robin', 'value', 'dormancy', 'custom'"),
        ({"strategy": "custom"}, "needs a sort_key"),
        ({"sort_key": "name"}, "only used with strategy='custom'"),
        ({"capacity": {"fax": 3}}, "unknown channel 'fax'"),
        ({"capacity": {"letter": -1}}, "capacity\\['letter'\\] = -1"),
        ({"capacity": [10]}, "not a mapping"),
        ({"primary": "pigeon"}, "'letter', 'email', 'phone'"),
        ({"follow_up_days": -1}, "follow_up_days=-1"),
        ({"holdout_share": 1.0}, "holdout_share=1.0"),
        ({"gift": "yes"}, "gift='yes'"),
        ({"weeks": 0}, "weeks=0"),
        ({"start_week": "2026-48"}, "not an ISO week"),
        ({"start_week": "2026-W40"}, "no working day left"),
        ({"as_of": "2026-11-23"}, "is not a date"),
        ({"notes": ["x"]}, "not a mapping"),
    ],
)
def test_bad_options_raise_a_config_error_that_says_what_is_allowed(options, message):
    kwargs = {"as_of": AS_OF, **options}
    with pytest.raises(ConfigError, match=message):
        contact_plan(scored_frame({1: 2}), **kwargs)


def test_bad_inputs_raise_an_input_error(sample):
    scored = scored_frame({1: 3})
    with pytest.raises(InputError, match="no column `value_score`"):
        contact_plan(scored.drop(columns=VALUE_SCORE), as_of=AS_OF)
    with pytest.raises(InputError, match="no column `expected_value`"):
        contact_plan(scored.drop(columns=EXPECTED_VALUE), as_of=AS_OF, strategy="value")
    with pytest.raises(InputError, match="one row per client"):
        contact_plan(pd.concat([scored, scored.iloc[[0]]]), as_of=AS_OF)
    with pytest.raises(InputError, match="unknown client status") as err:
        contact_plan(scored, as_of=AS_OF, status=status_frame([{CLIENT_ID: "C00001", STATUS: "angry"}]))
    assert "'contacted'" in str(err.value)
    with pytest.raises(InputError, match="no column `is_won_back`"):
        contact_plan(scored, as_of=AS_OF, status=status_frame([]).drop(columns=WON_BACK_FLAG))
    bad_flag = status_frame([{CLIENT_ID: "C00001"}]).astype({DO_NOT_CONTACT: object})
    bad_flag.loc[0, DO_NOT_CONTACT] = "false"
    with pytest.raises(InputError, match="not True/False"):
        contact_plan(scored, as_of=AS_OF, status=bad_flag)
    with pytest.raises(InputError, match="not a data frame"):
        contact_plan([1, 2], as_of=AS_OF)
    campaign = sample
    config = campaign.config.model_copy(
        update={"plan": campaign.config.plan.model_copy(update={"strategy": "custom"})}
    )
    with pytest.raises(ConfigError, match="needs a sort key"):
        plan_from_config(campaign.scored, config, as_of=campaign.as_of)


def test_iso_week_helpers():
    assert iso_week(date(2026, 12, 31)) == "2026-W53"
    assert week_monday("2027-W01") == date(2027, 1, 4)
    with pytest.raises(ConfigError, match="not an ISO week"):
        week_monday("2026-W54")


# --- properties -----------------------------------------------------------------------------


@st.composite
def plan_inputs(draw):
    n_per_bucket = {b: draw(st.integers(0, 12)) for b in range(5)}
    scored = scored_frame(n_per_bucket, seed=draw(st.integers(0, 1000)))
    n = len(scored)
    if n:
        flags = draw(st.lists(st.sampled_from(["", "dnc", "recent", "no_address"]), min_size=n, max_size=n))
        scored[DO_NOT_CONTACT] = [f == "dnc" for f in flags]
        recent = [f == "recent" for f in flags]
        scored.loc[recent, LAST_CONTACT] = pd.Timestamp(AS_OF - timedelta(days=5))
        scored.loc[[f == "no_address" for f in flags], ADDRESS_LINE1] = None
    logged = draw(st.lists(st.sampled_from(scored[CLIENT_ID].tolist() or ["x"]), max_size=6, unique=True))
    status = status_frame(
        [
            {
                CLIENT_ID: c,
                STATUS: draw(st.sampled_from(["contacted", "replied", "won_back", "lost", "problem_open"])),
                LAST_LOGGED_CONTACT: AS_OF - timedelta(days=draw(st.integers(1, 400))),
                WON_BACK_FLAG: draw(st.booleans()),
                DO_NOT_CONTACT: draw(st.booleans()),
            }
            for c in logged
        ]
    )
    options = {
        "capacity": {
            "letter": draw(st.integers(0, 6)),
            "email": draw(st.integers(0, 4)),
            "phone": draw(st.integers(0, 6)),
            "gift": draw(st.integers(1, 5)),
        },
        "follow_up_days": draw(st.integers(0, 16)),
        "gift": draw(st.booleans()),
        "strategy": draw(st.sampled_from(["round_robin", "value", "dormancy"])),
        "holdout_share": draw(st.sampled_from([0.0, 0.3])),
        "holdout_min_due": 0,
        "as_of": AS_OF + timedelta(days=draw(st.integers(0, 6))),
    }
    if not any(options["capacity"][c] for c in ("letter", "email", "phone")):
        options["capacity"]["letter"] = 1
    return scored, status, options


@given(plan_inputs())
@settings(max_examples=max(10, settings.default.max_examples // 2))
def test_plan_invariants(inputs):
    scored, status, options = inputs
    plan = contact_plan(scored, status=status, **options)
    caps = plan.capacity
    actions = plan.actions
    first = plan.first_contacts()

    # every client exactly once: planned or excluded with a reason
    assert first[CLIENT_ID].is_unique
    assert sorted([*first[CLIENT_ID], *plan.excluded[CLIENT_ID]]) == sorted(scored[CLIENT_ID])
    assert set(plan.excluded[REASON]) <= set(EXCLUSION_REASONS)

    # capacity per channel and week
    per_week = actions.groupby([WEEK, CHANNEL]).size()
    for (_, channel), count in per_week.items():
        assert count <= caps[channel], (channel, count)

    # never a do-not-contact, recently contacted or lost client (won back ones are kept up)
    flagged = set(scored.loc[scored[DO_NOT_CONTACT], CLIENT_ID]) | set(
        status.loc[status[DO_NOT_CONTACT], CLIENT_ID]
    )
    flagged |= set(status.loc[status[STATUS].isin(["lost"]), CLIENT_ID])
    last = (
        pd.concat(
            [scored.set_index(CLIENT_ID)[LAST_CONTACT], status.set_index(CLIENT_ID)[LAST_LOGGED_CONTACT]]
        )
        .groupby(level=0)
        .max()
    )
    flagged |= set(last[(pd.Timestamp(options["as_of"]) - last).dt.days < 90].index)
    assert not flagged & set(actions[CLIENT_ID])

    # nothing before as_of; follow-ups follow_up_days after the letter (weekend -> Monday, full week -> later)
    assert (actions[PLANNED_ON] >= pd.Timestamp(options["as_of"])).all()
    letters = first.set_index(CLIENT_ID)[PLANNED_ON]
    for action in ("follow_up_call", "gift"):
        rows = actions[actions[ACTION] == action].set_index(CLIENT_ID)[PLANNED_ON]
        target = letters.loc[rows.index] + pd.Timedelta(days=options["follow_up_days"])
        target = target + pd.to_timedelta(
            (7 - target.dt.day_of_week).where(target.dt.day_of_week >= 5, 0), unit="D"
        )
        late = (rows - target).dt.days
        assert ((late >= 0) & (late % 7 == 0)).all()
    if "phone" not in plan.primary and caps["phone"] > 0:
        written = first[CHANNEL].isin(["letter", "email"])
        assert first.loc[written, FOLLOW_UP_ON].notna().all()

    # keep-up clients are the not-yet-due ones; the forecast counts the catch-up
    assert (first[MODE] == "catch_up").sum() == plan.forecast.catch_up_clients
    if plan.forecast.weeks_needed:
        catch = first[first[MODE] == "catch_up"]
        assert catch[WEEK].map(week_monday).max() == week_monday(plan.forecast.end_week)
    assert math.isfinite(plan.forecast.keep_up_per_week)


# --- keep-up timeline --------------------------------------------------------------------------


def _keep_up_scored(n_due: int) -> pd.DataFrame:
    """`n_due` due clients, then three not yet due crossing on 2026-12-02, 2026-12-10 and 2027-01-20."""
    crossing = pd.to_datetime(["2026-12-02", "2026-12-10", "2027-01-20"]) - pd.Timedelta(days=183)
    due = pd.DataFrame(
        {
            CLIENT_ID: [f"d{i:03d}" for i in range(n_due)],
            DORMANCY_BUCKET: "1–2 years",
            BUCKET_ORDER: 2,
            DUE: True,
            VALUE_SCORE: 10.0,
            DORMANT_SINCE: pd.Timestamp("2025-06-01"),
        }
    )
    soon = pd.DataFrame(
        {
            CLIENT_ID: ["k1", "k2", "k3"],
            DORMANCY_BUCKET: "active (< 6 months)",
            BUCKET_ORDER: 0,
            DUE: False,
            VALUE_SCORE: 1.0,
            DORMANT_SINCE: crossing,
        }
    )
    return pd.concat([due, soon], ignore_index=True)


def test_keep_up_timeline_counts_crossings_and_keep_up_contacts():
    plan = contact_plan(_keep_up_scored(0), as_of=AS_OF, capacity={"letter": 10, "phone": 10})
    out = plan_module.keep_up_timeline(plan, weeks=12)
    assert out[WEEK].tolist()[:3] == ["2026-W48", "2026-W49", "2026-W50"]
    assert len(out) == 12
    by_week = out.set_index(WEEK)
    # 2026-12-02 is in W49, 2026-12-10 in W50, 2027-01-20 in 2027-W03
    assert by_week["crossing"].to_dict() == {
        w: {"2026-W49": 1, "2026-W50": 1, "2027-W03": 1}.get(w, 0) for w in by_week.index
    }
    # each one gets its letter the week before it crosses, and nobody is late
    assert by_week["keep_up_contacts"].to_dict() == {
        w: {"2026-W48": 1, "2026-W49": 1, "2027-W02": 1}.get(w, 0) for w in by_week.index
    }
    assert out["late"].sum() == 0
    assert out["crossing_left_out"].sum() == 0
    first = plan.actions[plan.actions[MODE] == "keep_up"]
    assert out["keep_up_contacts"].sum() == first[ACTION].isin(["letter", "email", "call"]).sum()


def test_keep_up_timeline_flags_clients_the_catch_up_leaves_past_the_mark():
    # 30 due clients at 10 letters a week keep the letters busy three weeks: k1 and k2 cross meanwhile.
    plan = contact_plan(_keep_up_scored(30), as_of=AS_OF, capacity={"letter": 10, "phone": 10})
    out = plan_module.keep_up_timeline(plan, weeks=12).set_index(WEEK)
    assert out.loc["2026-W49", "late"] == 1
    assert out.loc["2026-W50", "late"] == 1
    assert out["late"].sum() == 2
    assert out.loc["2027-W03", "crossing"] == 1


def test_keep_up_timeline_agrees_with_the_keep_up_list_of_the_sample():
    from reconnect_lib.dormancy import keep_up_list

    campaign = scored_base(CONSULTING)
    plan = plan_from_config(campaign.scored, campaign.config, as_of=campaign.as_of)
    out = plan_module.keep_up_timeline(plan, weeks=12)
    listed = keep_up_list(campaign.scored, as_of=campaign.as_of, weeks=12)
    weeks = listed[CROSSES_ON].map(lambda d: iso_week(d.date()))
    expected = weeks.value_counts().reindex(out[WEEK], fill_value=0)
    assert out["crossing"].tolist() == expected.tolist()
    assert out["crossing"].sum() > 0
    assert plan_module.keep_up_timeline(plan, weeks=0).empty
    with pytest.raises(InputError, match="ContactPlan"):
        plan_module.keep_up_timeline(plan.clients)


def test_keep_up_timeline_counts_apart_the_clients_left_out_on_purpose():
    scored = _keep_up_scored(0).assign(do_not_contact=[False, True, False])
    plan = contact_plan(scored, as_of=AS_OF, capacity={"letter": 10, "phone": 10})
    out = plan_module.keep_up_timeline(plan, weeks=12).set_index(WEEK)
    # k2 (crossing in W50) asked not to be contacted: crossing, left out, not late, no contact for it
    assert out.loc["2026-W50", "crossing"] == 1
    assert out.loc["2026-W50", "crossing_left_out"] == 1
    assert out["crossing_left_out"].sum() == 1
    assert out["late"].sum() == 0
    assert out["keep_up_contacts"].sum() == 2

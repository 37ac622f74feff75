"""Did it pay for itself? Cost from the outcome log, return, break-even and intervals, on a hand-built log."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconnect_lib import schema as s
from reconnect_lib.errors import ConfigError
from reconnect_lib.metrics import contact_outcomes
from reconnect_lib.metrics.returns import (
    Costs,
    break_even_week,
    campaign_costs,
    forecast_break_even,
    referral_links,
    referral_revenue,
    return_summary,
)

AS_OF = date(2026, 4, 5)  # 2026-W14
COSTS = Costs(
    letter_print=0.5, letter_postage=1.5, call_minutes=30, hourly_rate=20.0, gift=8.0, email=0.25, fixed=100.0
)


def _events(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows, columns=["client_id", "date", "channel", "kind", "amount", "note", "referred_client_id"]
    )
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


# a, b, c by letter in W10, d by e-mail; calls, a gift, and d's referral of n1 (a new client) in W12.
LOG = _events(
    [
        ("a", "2026-03-02", "letter", "contacted", None, None, None),
        ("b", "2026-03-02", "letter", "contacted", None, None, None),
        ("c", "2026-03-02", "letter", "contacted", None, None, None),
        ("d", "2026-03-03", "email", "contacted", None, None, None),
        ("a", "2026-03-09", "phone", "no_answer", None, None, None),
        ("a", "2026-03-10", "phone", "contacted", None, None, None),
        ("a", "2026-03-10", "phone", "renewed", 500.0, None, None),  # the same call
        ("b", "2026-03-10", "phone", "no_answer", None, None, None),
        ("a", "2026-03-11", "gift", "contacted", None, None, None),
        ("c", "2026-03-16", "phone", "replied", None, None, None),
        ("d", "2026-03-18", "email", "referral", 50.0, "Nia Obi", "n1"),
    ]
)
TRANSACTIONS = pd.DataFrame(
    {
        "client_id": ["a", "c", "n1", "n1", "h1"],
        "date": pd.to_datetime(["2026-03-10", "2026-03-20", "2026-03-25", "2027-06-01", "2026-03-15"]),
        "amount": [500.0, 300.0, 200.0, 100.0, 100.0],
    }
)
BUCKETS = pd.DataFrame(
    {
        "client_id": ["a", "b", "c", "d"],
        "dormancy_bucket": ["1-2 years", "1-2 years", "2-3 years", "2-3 years"],
    }
)
CLIENT_LIST = pd.DataFrame(
    {
        "client_id": ["a", "b", "c", "d", "n1", "n2", "n3", "n4"],
        "name": ["A", "B", "C", "D", "Nia Obi", "Tom Tay", "Sam Lo", "Sam Lo"],
    }
)
HOLDOUT = pd.DataFrame({"client_id": ["h1", "h2"], "planned_on": pd.to_datetime(["2026-03-02"] * 2)})


def _summary(**kwargs):
    args = {
        "as_of": AS_OF,
        "transactions": TRANSACTIONS,
        "clients": BUCKETS,
        "client_list": CLIENT_LIST,
        "resamples": 500,
        "seed": 7,
        **kwargs,
    }
    return return_summary(LOG, COSTS, **args)


# --- cost -----------------------------------------------------------------------------------


def test_cost_is_counted_from_what_the_log_says_was_done():
    table = campaign_costs(LOG, COSTS, as_of=AS_OF, clients=BUCKETS)
    rows = {(r.week, r.channel, r.dormancy_bucket): (r.actions, r.cost) for r in table.itertuples()}
    assert rows == {
        ("2026-W10", "fixed", "fixed"): (0, 100.0),
        ("2026-W10", "letter", "1-2 years"): (2, 4.0),
        ("2026-W10", "letter", "2-3 years"): (1, 2.0),
        ("2026-W10", "email", "2-3 years"): (1, 0.25),  # the referral in W12 costs nothing
        # a: one unanswered call, then one call logged contacted and renewed; b: one unanswered call
        ("2026-W11", "phone", "1-2 years"): (3, 30.0),
        ("2026-W11", "gift", "1-2 years"): (1, 8.0),
        ("2026-W12", "phone", "2-3 years"): (1, 10.0),
    }
    assert table[s.COST].sum() == pytest.approx(154.25)
    assert table[s.WEEK].tolist() == sorted(table[s.WEEK].tolist())


def test_a_referral_costs_nothing_and_is_no_contact():
    only = _events([("x", "2026-03-04", "phone", "referral", 80.0, "Someone", None)])
    assert campaign_costs(only, replace(COSTS, fixed=0.0), as_of=AS_OF).empty
    assert contact_outcomes(only, as_of=AS_OF).empty


def test_a_superseded_event_costs_nothing():
    log = LOG.assign(event_id=[f"e{i}" for i in range(len(LOG))], supersedes=pd.NA)
    retraction = pd.DataFrame(
        {
            "client_id": ["b"],
            "date": pd.to_datetime(["2026-03-11"]),
            "channel": ["phone"],
            "kind": ["retracted"],
            "event_id": ["r1"],
            "supersedes": ["e7"],
        }  # b's unanswered call was never made
    )
    table = campaign_costs(pd.concat([log, retraction], ignore_index=True), COSTS, as_of=AS_OF)
    assert table[s.COST].sum() == pytest.approx(144.25)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("letter_print", -1.0),
        ("gift", math.nan),
        ("email", math.inf),
        ("fixed", "100"),
        ("hourly_rate", True),
    ],
)
def test_a_cost_that_is_not_a_cost_is_a_config_error_naming_the_field(field, value):
    with pytest.raises(ConfigError, match=f"{field} = .* is not a cost") as err:
        Costs(**{field: value})
    assert err.value.column == field


def test_a_call_costed_both_ways_is_refused():
    with pytest.raises(ConfigError, match="both a flat cost and minutes"):
        Costs(call_flat=5.0, call_minutes=10, hourly_rate=30.0)
    assert Costs(call_flat=5.0).per_call == 5.0
    assert Costs(call_minutes=12, hourly_rate=45.0).per_call == pytest.approx(9.0)


# --- referrals -----------------------------------------------------------------------------


def test_referrals_link_by_id_or_by_a_unique_name_and_once_per_new_client():
    log = _events(
        [
            ("a", "2026-03-02", "phone", "referral", None, "Tom  TAY", None),  # by name
            ("b", "2026-03-03", "phone", "referral", None, "Sam Lo", None),  # two Sam Los: not linked
            ("c", "2026-03-04", "phone", "referral", None, "C", None),  # the referrer's own name
            ("d", "2026-03-05", "phone", "referral", None, "Nia", "n1"),  # by id
            ("b", "2026-03-06", "phone", "referral", None, "Nia again", "n1"),  # n1 already linked
            ("a", "2026-03-07", "phone", "referral", None, "Zed", "n9"),  # an id not (yet) in the list
        ]
    )
    links = referral_links(log, CLIENT_LIST, as_of=AS_OF)
    assert links[s.CLIENT_ID].tolist() == ["n2", "n1"]
    assert links[s.REFERRED_BY].tolist() == ["a", "d"]
    assert links[s.LINKED_BY].tolist() == ["name", "id"]
    assert links[s.DATE].tolist() == [pd.Timestamp("2026-03-02"), pd.Timestamp("2026-03-05")]


def test_referral_revenue_counts_the_new_client_s_purchases_within_the_window():
    table, flow = referral_revenue(
        LOG, as_of=date(2027, 12, 1), clients=CLIENT_LIST, transactions=TRANSACTIONS
    )
    assert table[[s.REFERRED_BY, s.CLIENT_ID]].to_numpy().tolist() == [["d", "n1"]]
    assert table[s.REFERRAL_REVENUE].tolist() == [200.0]  # not the 100 of 2027-06-01: after 365 days
    assert flow[s.REFERRAL_REVENUE].tolist() == [200.0]
    longer, _ = referral_revenue(
        LOG, as_of=date(2027, 12, 1), clients=CLIENT_LIST, transactions=TRANSACTIONS, referral_days=500
    )
    assert longer[s.REFERRAL_REVENUE].tolist() == [300.0]
    recorded, _ = referral_revenue(LOG, as_of=AS_OF, clients=CLIENT_LIST)  # no transactions: the amount
    assert recorded[s.REFERRAL_REVENUE].tolist() == [50.0]


# --- return --------------------------------------------------------------------------------


def test_return_break_even_and_groups_on_a_hand_built_log():
    summary = _summary()
    row = summary.overall.iloc[0]
    assert int(row[s.CONTACTED]) == 4
    assert row[s.COST] == pytest.approx(154.25)
    assert row[s.REVENUE_RECOVERED] == pytest.approx(800.0)  # a's logged 500 (invoiced too: once), c's 300
    assert row[s.REFERRAL_REVENUE] == pytest.approx(200.0)
    assert row[s.RETURN_PER_COST] == pytest.approx(1000.0 / 154.25)
    assert row[s.REVENUE_PER_CONTACTED] == pytest.approx(250.0)
    weekly = summary.weekly.set_index(s.WEEK)
    assert weekly.index.tolist() == ["2026-W10", "2026-W11", "2026-W12", "2026-W13", "2026-W14"]
    assert weekly[s.CUMULATIVE_COST].tolist() == pytest.approx([106.25, 144.25, 154.25, 154.25, 154.25])
    assert weekly[s.CUMULATIVE_RETURN].tolist() == pytest.approx([0.0, 500.0, 800.0, 1000.0, 1000.0])
    assert summary.break_even_week == "2026-W11"
    assert summary.forecast_break_even_week is None
    channel = summary.by_channel.set_index(s.CHANNEL)
    assert channel.index.tolist() == ["letter", "email", "fixed"]
    assert channel[s.COST].tolist() == pytest.approx([54.0, 0.25, 100.0])  # a letter group's calls and gift
    assert channel[s.RETURN].tolist() == pytest.approx([800.0, 200.0, 0.0])
    assert channel[s.CLIENTS].tolist() == [3, 1, 0]
    bucket = summary.by_bucket.set_index(s.DORMANCY_BUCKET)
    assert bucket.loc[["1-2 years", "2-3 years"], s.COST].tolist() == pytest.approx([42.0, 12.25])
    assert bucket.loc[["1-2 years", "2-3 years"], s.RETURN].tolist() == pytest.approx([500.0, 500.0])
    assert summary.by_channel[s.COST].sum() == pytest.approx(row[s.COST])
    assert "Paid for itself: " in summary.statement


def test_intervals_hold_the_estimate_and_a_seed_reproduces_them():
    one, again, other = _summary(), _summary(), _summary(seed=8)
    cols = [s.RETURN_LOW, s.RETURN_HIGH, s.REVENUE_PER_CONTACTED_LOW, s.REVENUE_PER_CONTACTED_HIGH]
    assert one.overall[cols].equals(again.overall[cols])
    assert not one.overall[cols].equals(other.overall[cols])
    row = one.overall.iloc[0]
    assert row[s.RETURN_LOW] <= row[s.RETURN_PER_COST] <= row[s.RETURN_HIGH]
    assert (
        row[s.REVENUE_PER_CONTACTED_LOW] <= row[s.REVENUE_PER_CONTACTED] <= row[s.REVENUE_PER_CONTACTED_HIGH]
    )
    # Four clients with returns 500, 0, 300, 200: no resample brings back more than 4 x 500 per contact.
    assert 0.0 <= row[s.REVENUE_PER_CONTACTED_LOW] < row[s.REVENUE_PER_CONTACTED_HIGH] <= 500.0


def test_with_a_hold_out_the_incremental_return_stands_beside_the_plain_one():
    summary = _summary(holdout=HOLDOUT, attribution_days=30)
    inc = summary.incremental.iloc[0]
    # contacted, by purchases within 30 days of the first contact: a 500, b 0, c 300, d 0 -> 200 each;
    # hold-out: h1 100, h2 0 -> 50 each; (200 - 50) x 4 contacted = 600 against 154.25.
    assert inc[s.TREATED_REVENUE] == pytest.approx(200.0)
    assert inc[s.HOLDOUT_REVENUE] == pytest.approx(50.0)
    assert inc[s.INCREMENTAL_RETURN] == pytest.approx(600.0)
    assert inc[s.RETURN_PER_COST] == pytest.approx(600.0 / 154.25)
    assert inc[s.RETURN_LOW] <= inc[s.RETURN_PER_COST] <= inc[s.RETURN_HIGH]
    # Two hold-out clients cannot establish anything: the interval reaches below 1.
    assert inc[s.RETURN_LOW] < 1
    assert summary.incremental_statement.startswith("Incremental return per unit of cost 3.89 (95 % interval")
    assert summary.incremental_statement.endswith(
        "Paid for itself: not yet established, the interval reaches 1 or below."
    )
    assert _summary().incremental is None


def test_paid_for_itself_is_established_only_when_the_whole_interval_is_above_one():
    many = pd.concat(
        [LOG.assign(client_id=LOG["client_id"] + str(i), referred_client_id=None) for i in range(30)],
        ignore_index=True,
    )
    summary = return_summary(many, replace(COSTS, fixed=0.0), as_of=AS_OF, resamples=500, seed=1)
    row = summary.overall.iloc[0]
    assert row[s.RETURN_LOW] > 1
    assert summary.statement.endswith("Paid for itself: established, the whole interval is above 1.")
    dear = return_summary(many, replace(COSTS, fixed=1e6), as_of=AS_OF, resamples=500, seed=1)
    assert dear.statement.endswith("the whole interval is below 1 so far.")
    assert dear.break_even_week is None


def test_the_break_even_week_is_forecast_from_the_plan_when_not_yet_reached():
    dear = replace(COSTS, fixed=1000.0)  # cumulative: 1054.25 spent, 1000 back by W14
    plan = pd.DataFrame(
        {
            "planned_on": pd.to_datetime(["2026-04-06", "2026-04-07", "2026-04-13", "2026-04-14"]),
            "channel": ["letter", "phone", "letter", "letter"],
            "action": ["letter", "follow_up_call", "letter", "letter"],
        }
    )
    summary = return_summary(
        LOG, dear, as_of=AS_OF, transactions=TRANSACTIONS, client_list=CLIENT_LIST, plan=plan, resamples=50
    )
    assert summary.break_even_week is None
    # W15: +2 + 10 cost, +250 return (one first contact x 250 per contact) -> 1066.25 vs 1250: even.
    assert summary.forecast_break_even_week == "2026-W15"
    assert forecast_break_even(summary.weekly, plan, dear, as_of=AS_OF, revenue_per_contact=10.0) is None


def test_break_even_needs_the_return_to_stay_above_the_cost():
    weekly = pd.DataFrame(
        {
            "week": ["2026-W10", "2026-W11", "2026-W12"],
            "cumulative_cost": [10.0, 50.0, 60.0],
            "cumulative_return": [20.0, 30.0, 70.0],
        }
    )
    assert break_even_week(weekly) == "2026-W12"
    assert break_even_week(weekly.iloc[:2]) is None
    assert break_even_week(weekly.assign(cumulative_cost=0.0, cumulative_return=0.0)) is None


def test_numbers_are_plain_json():
    summary = _summary(holdout=HOLDOUT, attribution_days=30)
    numbers = summary.numbers()
    assert json.loads(json.dumps(numbers, allow_nan=False)) == numbers
    assert numbers["break_even_week"] == "2026-W11"
    assert numbers["overall"]["cost"] == pytest.approx(154.25)
    assert numbers["incremental"]["incremental_return"] == pytest.approx(600.0)
    assert numbers["tables"]["weekly"][0]["week"] == "2026-W10"


# --- invariants ----------------------------------------------------------------------------

_DAYS = [date(2026, 3, 2) + timedelta(days=i) for i in range(35)]
_event = st.tuples(
    st.sampled_from(["a", "b", "c", "d"]),
    st.sampled_from(_DAYS),
    st.sampled_from(s.CHANNELS),
    st.sampled_from(s.EVENT_KINDS),
)
_costs = st.builds(
    Costs,
    letter_print=st.floats(0, 5),
    letter_postage=st.floats(0, 5),
    gift=st.floats(0, 50),
    call_minutes=st.floats(0, 60),
    hourly_rate=st.floats(0, 100),
    email=st.floats(0, 1),
)


def _log(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["client_id", "date", "channel", "kind"]).assign(
        date=lambda f: pd.to_datetime(f["date"]), amount=100.0
    )


@settings(max_examples=max(10, settings.default.max_examples // 5), deadline=None)
@given(rows=st.lists(_event, max_size=40), costs=_costs)
def test_cost_is_non_negative_and_additive_over_weeks(rows, costs):
    log = _log(rows)
    table = campaign_costs(log, costs, as_of=AS_OF)
    assert (table[s.COST] >= 0).all()
    weeks = log["date"].dt.isocalendar().week
    parts = sum(campaign_costs(log[weeks == w], costs, as_of=AS_OF)[s.COST].sum() for w in weeks.unique())
    assert table[s.COST].sum() == pytest.approx(parts)


@settings(max_examples=max(10, settings.default.max_examples // 5), deadline=None)
@given(
    rows=st.lists(_event, min_size=1, max_size=30),
    costs=_costs,
    more=st.sampled_from(["letter_print", "gift", "hourly_rate", "email", "fixed"]),
    extra=st.floats(0.01, 100),
)
def test_more_cost_never_raises_the_return_per_unit_of_cost(rows, costs, more, extra):
    log = _log(rows)
    dearer = replace(costs, **{more: getattr(costs, more) + extra})
    before = return_summary(log, costs, as_of=AS_OF, resamples=1).overall.iloc[0]
    after = return_summary(log, dearer, as_of=AS_OF, resamples=1).overall.iloc[0]
    assert after[s.RETURN] == before[s.RETURN]
    assert after[s.COST] >= before[s.COST]
    if math.isfinite(before[s.RETURN_PER_COST]) and math.isfinite(after[s.RETURN_PER_COST]):
        assert after[s.RETURN_PER_COST] <= before[s.RETURN_PER_COST] * (1 + 1e-12)
    assert np.isfinite(after[s.COST])


def test_groups_come_in_bucket_order_when_the_clients_have_it():
    buckets = BUCKETS.assign(
        dormancy_bucket=["1-2 years", "1-2 years", "6-12 months", "6-12 months"], bucket_order=[1, 1, 0, 0]
    )
    table = _summary(clients=buckets).by_bucket
    assert table[s.DORMANCY_BUCKET].tolist() == ["6-12 months", "1-2 years", "fixed"]
    assert table[s.COST].tolist() == pytest.approx([12.25, 42.0, 100.0])


def test_fixed_costs_before_any_contact_are_spent_and_not_yet_paid_back():
    from reconnect_lib.outcomes import empty_events

    summary = return_summary(empty_events(), Costs(fixed=50.0), as_of=AS_OF)
    assert summary.weekly[[s.WEEK, s.CUMULATIVE_COST]].to_numpy().tolist() == [["2026-W14", 50.0]]
    assert summary.overall.loc[0, s.RETURN_PER_COST] == 0.0
    assert summary.statement == (
        "Return per unit of cost 0.00 (no interval: no client to resample yet). "
        "Paid for itself: not yet established."
    )
    assert summary.break_even_week is None
    assert json.dumps(summary.numbers(), allow_nan=False)

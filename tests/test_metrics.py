"""Win-back metrics: known interval values, the field report, attribution, status, survival and lift."""

from __future__ import annotations

import ast
import importlib
import inspect
import shutil
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reconnect_lib.metrics as metrics_module
from reconnect_lib import schema as s
from reconnect_lib.errors import ConfigError, InputError
from reconnect_lib.metrics import (
    OUTCOME_COLUMNS,
    STATUS_COLUMNS,
    campaign_lift,
    client_status,
    contact_outcomes,
    funnel,
    lift,
    lift_statement,
    observed_counts,
    outcome_summary,
    rate_statement,
    reasons_table,
    time_to_win_back,
    wilson_interval,
    win_back_rates,
)
from reconnect_lib.pipeline import outcome_report, scored_base
from reconnect_lib.value import win_back_chance

ROOT = Path(__file__).parents[1]
PLANNER = ROOT / "data" / "sample" / "financial-planner"
START = date(2026, 3, 2)
AS_OF = date(2026, 11, 23)


def log(*rows: tuple) -> pd.DataFrame:
    """Events from (client, days after START, kind[, amount[, channel]]) tuples."""
    records = []
    for row in rows:
        client, day, kind, *rest = row
        amount = rest[0] if rest else None
        channel = rest[1] if len(rest) > 1 else "phone"
        records.append(
            {
                "event_id": f"e{len(records)}",
                "client_id": client,
                "date": pd.Timestamp(START + timedelta(days=day)),
                "campaign": "winback",
                "channel": channel,
                "kind": kind,
                "amount": amount,
                "reason": None,
                "supersedes": None,
            }
        )
    return pd.DataFrame(records)


def purchases(*rows: tuple) -> pd.DataFrame:
    """Transactions from (client, days after START, amount) tuples."""
    return pd.DataFrame(
        {
            "client_id": [r[0] for r in rows],
            "date": [pd.Timestamp(START + timedelta(days=r[1])) for r in rows],
            "amount": [float(r[2]) for r in rows],
        }
    )


def field_report(renewed: int, contacted: int = 3000) -> pd.DataFrame:
    """The phone/email field report: everyone contacted, `renewed` signed up again, the rest gone."""
    rows = []
    for i in range(contacted):
        client = f"C{i:05d}"
        rows.append((client, i % 100, "contacted"))
        if i < renewed:
            rows.append((client, i % 100 + 7, "renewed", 1000.0))
        else:
            rows.append((client, i % 100 + 7, "moved_on" if i % 2 else "change_of_circumstances"))
    return log(*rows)


# --- known values ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("won", "n", "low", "high"),
    [(1600, 3000, 0.5154, 0.5511), (1501, 3000, 0.4825, 0.5182), (1530, 3000, 0.4921, 0.5279)],
)
def test_wilson_intervals_match_the_known_values(won, n, low, high):
    assert wilson_interval(won, n) == pytest.approx((low, high), abs=5e-5)


def test_1600_of_3000_is_over_half_and_1501_is_not_established():
    assert round(100 * 1600 / 3000, 1) == 53.3
    assert "Over 50 % is established" in rate_statement(1600, 3000)
    words = rate_statement(1501, 3000)
    assert "48.2 % to 51.8 %" in words
    assert "Over 50 % is not established" in words
    assert "may be under it" in words
    assert "under 50 %: the whole interval is below it" in rate_statement(1300, 3000)
    assert rate_statement(0, 0) == "No contacted clients yet, so no win-back rate."


def test_lift_of_1600_of_3000_over_120_of_300():
    row = lift(1600, 3000, 120, 300).iloc[0]
    assert row[s.LIFT] == pytest.approx(0.1333, abs=5e-5)
    assert (row[s.LIFT_LOW], row[s.LIFT_HIGH]) == pytest.approx((0.0742, 0.1900), abs=5e-4)
    assert (row[s.RATE], row[s.HOLDOUT_RATE]) == pytest.approx((1600 / 3000, 0.4))
    text = lift_statement(lift(1600, 3000, 120, 300))
    assert "a lift of +13.3 points (95 % interval +7.4 to +19.0)" in text
    assert "established" in text
    assert "not established: the interval includes zero" in lift_statement(lift(100, 300, 30, 100))
    assert lift(10, 20, 0, 0)[s.LIFT].isna().all()
    with pytest.raises(InputError, match="is not a count"):
        lift(30, 20, 1, 10)


def test_the_field_report_rate_is_51_percent_with_its_wilson_interval():
    outcomes = contact_outcomes(field_report(1530), as_of=AS_OF)
    row = win_back_rates(outcomes).iloc[0]
    assert (row[s.CONTACTED], row[s.WON_BACK]) == (3000, 1530)
    assert row[s.RATE] == pytest.approx(0.51)
    assert (row[s.RATE_LOW], row[s.RATE_HIGH]) == pytest.approx((0.4921, 0.5279), abs=5e-5)
    assert row[s.REVENUE_RECOVERED] == 1530 * 1000.0
    assert row[s.REVENUE_PER_CONTACTED] == pytest.approx(510.0)
    # "Over 50 %" as the field report says it: a little over, but not established by 3,000 clients.
    assert "51.0 % (95 % interval 49.2 % to 52.8 %)" in rate_statement(1530, 3000)
    assert "not established" in rate_statement(1530, 3000)


def test_kaplan_meier_matches_the_textbook_6mp_example():
    """Freireich's 6-MP arm (weeks; 0 = censored): survival and log-log intervals as R's survfit gives."""
    time = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
    event = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    outcomes = pd.DataFrame({s.DAYS_FOLLOWED: time, s.WON_BACK_FLAG: [bool(e) for e in event]})
    table = time_to_win_back(outcomes, days=[6, 7, 10, 13, 16, 22, 23])
    survival = 1 - table[s.SHARE_WON_BACK]
    expected = [0.857, 0.807, 0.753, 0.690, 0.627, 0.538, 0.448]
    lower = [0.620, 0.563, 0.503, 0.432, 0.368, 0.268, 0.188]
    upper = [0.952, 0.923, 0.889, 0.849, 0.805, 0.747, 0.680]
    np.testing.assert_allclose(survival, expected, atol=5e-4)
    np.testing.assert_allclose(1 - table[s.SHARE_HIGH], lower, atol=5e-4)
    np.testing.assert_allclose(1 - table[s.SHARE_LOW], upper, atol=5e-4)
    assert table[s.AT_RISK].tolist() == [21, 17, 15, 12, 11, 7, 6]


# --- the sample -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def planner_summary(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("planner") / "financial-planner"
    shutil.copytree(PLANNER, folder, ignore=shutil.ignore_patterns("outcomes.sqlite*"))
    campaign = scored_base(folder / "campaign.toml", as_of=AS_OF)
    data = SimpleNamespace(
        events=campaign.events, clients=campaign.at_contact, transactions=campaign.inputs.transactions
    )
    return campaign.config, data, outcome_report(campaign.config, as_of=AS_OF)


def test_the_sample_reproduces_a_rate_a_little_over_half(planner_summary):
    _, _, summary = planner_summary
    row = summary.overall.iloc[0]
    assert (row[s.CONTACTED], row[s.WON_BACK]) == (3000, 1530)
    assert 0.50 < row[s.RATE] < 0.52
    assert round(row[s.REVENUE_RECOVERED]) == 2_389_619  # the sample README's figure
    assert "not established" in summary.statement


def test_the_sample_buckets_and_reasons_match_its_readme(planner_summary):
    _, _, summary = planner_summary
    by_bucket = summary.by["dormancy_bucket"].set_index(s.DORMANCY_BUCKET)
    assert by_bucket[s.CONTACTED].to_dict() == {
        "6–12 months": 870,
        "1–2 years": 960,
        "2–3 years": 660,
        "3 years and more": 510,
    }
    assert (by_bucket[s.RATE] * 100).round().astype(int).tolist() == [71, 51, 40, 31]
    reasons = summary.reasons.set_index(s.REASON)[s.CLIENTS].to_dict()
    assert reasons == {
        "fixable_problem": 80,
        "competitor": 302,
        "money": 219,
        "invoicing_mistakes": 115,
        "owner_not_involved": 244,
        "moved": 166,
        "circumstances": 277,
        "other": 67,
    }
    assert set(summary.by) == {"dormancy_bucket", "channel", "week", "account_owner"}
    assert summary.by["channel"][s.CONTACTED].sum() == 3000


def test_sample_outcomes_update_the_chance_of_winning_back(planner_summary):
    cfg, data, _ = planner_summary
    observed = observed_counts(data.events, data.clients, as_of=AS_OF, transactions=data.transactions)
    assert observed[s.CONTACTED].sum() == 3000  # the campaign ended months ago: every outcome is known
    chance = win_back_chance(edges_months=cfg.dormancy.edges_months, observed=observed).set_index(
        s.DORMANCY_BUCKET
    )
    # 870 clients at 71 % outweigh the 50 % prior worth 20 clients.
    assert chance.loc["6–12 months", s.WIN_BACK_CHANCE] == pytest.approx((10 + 614) / (20 + 870))
    assert chance.loc["3 years and more", s.WIN_BACK_CHANCE] < chance.loc["6–12 months", s.WIN_BACK_CHANCE]


def test_sample_statuses_cover_every_client_and_flag_do_not_contact(planner_summary):
    _, data, _ = planner_summary
    status = client_status(data.events, as_of=AS_OF, transactions=data.transactions)
    assert len(status) == 3000
    assert status[s.DO_NOT_CONTACT].sum() == 47
    assert status[s.WON_BACK_FLAG].sum() == 1530
    assert set(status[s.STATUS]) <= set(s.STATUSES)


def test_a_campaign_without_outcomes_keeps_the_prior_and_creates_no_database(tmp_path):
    folder = tmp_path / "consulting-firm"
    shutil.copytree(ROOT / "data" / "sample" / "consulting-firm", folder)
    campaign = scored_base(folder / "campaign.toml", as_of=AS_OF)
    assert campaign.events is None
    assert campaign.observed is None
    assert not (folder / "outcomes.sqlite").exists()
    chance = win_back_chance(observed=campaign.observed)
    assert chance[s.WIN_BACK_CHANCE].tolist() == chance[s.PRIOR_MEAN].tolist()
    scored = campaign.scored.drop_duplicates(s.DORMANCY_BUCKET).set_index(s.DORMANCY_BUCKET)
    prior = chance.set_index(s.DORMANCY_BUCKET)[s.WIN_BACK_CHANCE]
    assert scored[s.WIN_BACK_CHANCE].to_dict() == prior[scored.index].to_dict()


# --- attribution and revenue ---------------------------------------------------------


def test_a_purchase_within_the_window_after_a_contact_counts_as_won_back():
    events = log(("a", 0, "contacted"), ("b", 0, "contacted"), ("c", 0, "contacted"), ("d", 10, "contacted"))
    tx = purchases(("a", 90, 500), ("b", 91, 700), ("c", -5, 300), ("d", 10, 200), ("x", 3, 100))
    outcomes = contact_outcomes(events, as_of=AS_OF, transactions=tx).set_index(s.CLIENT_ID)
    assert outcomes[s.WON_BACK_FLAG].to_dict() == {"a": True, "b": False, "c": False, "d": True}
    assert outcomes.loc["a", s.WON_BY] == "purchase"
    assert outcomes.loc["a", s.REVENUE_RECOVERED] == 500.0
    assert outcomes.loc["a", s.DAYS_FOLLOWED] == 90
    assert outcomes.loc["d", s.DAYS_FOLLOWED] == 0  # bought on the day of the call
    # A narrower window: only the same-day purchase counts.
    narrow = contact_outcomes(events, as_of=AS_OF, transactions=tx, attribution_days=0)
    assert narrow[s.WON_BACK_FLAG].tolist() == [False, False, False, True]


def test_attribution_counts_from_any_contact_and_ignores_attempts_and_refunds():
    events = log(("a", 0, "no_answer"), ("b", 0, "contacted"), ("b", 200, "replied"), ("e", 0, "contacted"))
    tx = purchases(("a", 5, 100), ("b", 250, 400), ("e", 3, -50))
    outcomes = contact_outcomes(events, as_of=AS_OF, transactions=tx).set_index(s.CLIENT_ID)
    assert "a" not in outcomes.index  # a no-answer is an attempt, not a contact
    assert outcomes.loc["b", s.WON_BACK_FLAG]  # within 90 days of the second contact
    assert not outcomes.loc["e", s.WON_BACK_FLAG]  # a refund is not a purchase


def test_a_logged_renewal_that_is_also_invoiced_is_not_counted_twice():
    events = log(
        ("a", 0, "contacted"), ("a", 5, "renewed", 1200.0), ("b", 0, "contacted"), ("b", 4, "renewed")
    )
    tx = purchases(("a", 5, 1200), ("b", 4, 800))
    outcomes = contact_outcomes(events, as_of=AS_OF, transactions=tx).set_index(s.CLIENT_ID)
    assert outcomes[s.REVENUE_RECOVERED].to_dict() == {"a": 1200.0, "b": 800.0}
    assert outcomes[s.WON_BY].tolist() == ["logged", "logged"]


def test_contact_outcomes_columns_dtypes_and_client_columns():
    events = log(("a", 0, "contacted", None, "email"), ("a", 3, "renewed", 10.0), ("b", 8, "contacted"))
    clients = pd.DataFrame(
        {"client_id": ["a", "b"], "dormancy_bucket": ["1–2 years", "6–12 months"], "bucket_order": [2, 1]}
    )
    out = contact_outcomes(events, as_of=date(2026, 3, 20), clients=clients)
    assert tuple(out.columns) == (*OUTCOME_COLUMNS, s.DORMANCY_BUCKET, s.BUCKET_ORDER)
    assert str(out[s.FIRST_CONTACT].dtype) == "datetime64[ns]"
    assert str(out[s.WON_BACK_FLAG].dtype) == "bool"
    assert out[s.CHANNEL].tolist() == ["email", "phone"]
    assert out[s.WEEK].tolist() == ["2026-W10", "2026-W11"]
    assert out[s.DAYS_FOLLOWED].tolist() == [3, 10]


def test_inputs_are_never_modified():
    events = log(("a", 0, "contacted"), ("a", 3, "renewed", 10.0))
    tx = purchases(("a", 3, 10))
    before_events, before_tx = events.copy(), tx.copy()
    outcome_summary(events, as_of=AS_OF, transactions=tx)
    client_status(events, as_of=AS_OF, transactions=tx)
    pd.testing.assert_frame_equal(events, before_events)
    pd.testing.assert_frame_equal(tx, before_tx)


def test_superseded_and_retracted_events_do_not_count_even_in_a_whole_table():
    events = log(
        ("a", 0, "contacted"), ("a", 5, "renewed", 100.0), ("a", 5, "moved_on"), ("b", 0, "contacted")
    )
    events.loc[2, "supersedes"] = "e1"  # the renewal was a mistake: moved on
    events = pd.concat(
        [events, log(("b", 1, "renewed", 50.0)).assign(event_id="e9"), log(("b", 2, "retracted"))],
        ignore_index=True,
    )
    events.loc[5, ["event_id", "supersedes"]] = ["e10", "e9"]
    outcomes = contact_outcomes(events, as_of=AS_OF).set_index(s.CLIENT_ID)
    assert not outcomes[s.WON_BACK_FLAG].any()


def test_bad_inputs_get_clear_errors():
    events = log(("a", 0, "contacted"))
    with pytest.raises(InputError, match="`events` has no column `kind`"):
        contact_outcomes(events.drop(columns="kind"), as_of=AS_OF)
    with pytest.raises(InputError, match=r"column `date`, row 1: `events` has values that are not dates"):
        contact_outcomes(events.assign(date="soon"), as_of=AS_OF)
    with pytest.raises(InputError, match="unknown event kinds"):
        contact_outcomes(events.assign(kind="won"), as_of=AS_OF)
    with pytest.raises(InputError, match="amounts that are not numbers"):
        contact_outcomes(events, as_of=AS_OF, transactions=purchases(("a", 1, 5)).assign(amount="five"))
    with pytest.raises(ConfigError, match="by='owner' is not a known choice"):
        win_back_rates(contact_outcomes(events, as_of=AS_OF), by="owner")
    with pytest.raises(InputError, match="`outcomes` has no column `dormancy_bucket`"):
        win_back_rates(contact_outcomes(events, as_of=AS_OF), by="dormancy_bucket")
    with pytest.raises(ConfigError, match="as_of"):
        contact_outcomes(events, as_of="2026-01-01")
    with pytest.raises(InputError, match="not a pandas DataFrame"):
        contact_outcomes([1, 2], as_of=AS_OF)


# --- rates by group, reasons, funnel --------------------------------------------------


def test_rates_by_group_come_in_a_useful_order():
    events = log(
        ("a", 0, "contacted", None, "email"),
        ("b", 0, "contacted", None, "phone"),
        ("c", 9, "contacted", None, "letter"),
        ("c", 10, "renewed", 40.0),
    )
    clients = pd.DataFrame(
        {
            "client_id": ["a", "b", "c"],
            "dormancy_bucket": ["3 years and more", "6–12 months", "6–12 months"],
            "bucket_order": [4, 1, 1],
            "account_owner": ["Zoe", None, "Al"],
        }
    )
    outcomes = contact_outcomes(events, as_of=AS_OF, clients=clients)
    assert win_back_rates(outcomes, by="channel")[s.CHANNEL].tolist() == ["letter", "phone", "email"]
    by_bucket = win_back_rates(outcomes, by="dormancy_bucket")
    assert by_bucket[s.DORMANCY_BUCKET].tolist() == ["6–12 months", "3 years and more"]
    assert by_bucket[s.WON_BACK].tolist() == [1, 0]
    assert win_back_rates(outcomes, by="account_owner")[s.ACCOUNT_OWNER].tolist() == ["Al", "Zoe", "unknown"]
    assert win_back_rates(outcomes, by="week")[s.WEEK].tolist() == ["2026-W10", "2026-W11"]


def test_reasons_are_counted_per_client_with_every_reason_listed():
    events = log(("a", 0, "moved_on"), ("a", 1, "moved_on"), ("b", 0, "declined"), ("c", 0, "contacted"))
    events["reason"] = ["money", "money", "competitor", None]
    table = reasons_table(events, as_of=AS_OF)
    assert table[s.REASON].tolist() == list(s.REASONS)
    counts = table.set_index(s.REASON)[s.CLIENTS]
    assert (counts["money"], counts["competitor"], counts.sum()) == (1, 1, 2)
    with pytest.raises(InputError, match="unknown reasons"):
        reasons_table(events.assign(reason="bored"), as_of=AS_OF)


def test_funnel_from_plan_to_won_back():
    events = log(
        ("a", 0, "contacted"),
        ("a", 2, "replied"),
        ("b", 0, "contacted"),
        ("b", 1, "renewed"),
        ("c", 0, "contacted"),
        ("z", 0, "contacted"),  # contacted outside the plan: not in the plan's funnel
        ("z", 1, "renewed"),
    )
    plan = pd.DataFrame(
        {"client_id": ["a", "b", "c", "d", "h"], "holdout": [False, False, False, False, True]}
    )
    table = funnel(events, as_of=AS_OF, plan=plan)
    assert table[s.STAGE].tolist() == ["planned", "contacted", "replied", "won back"]
    assert table[s.CLIENTS].tolist() == [4, 3, 2, 1]
    assert table[s.SHARE_OF_PREVIOUS].tolist()[1:] == pytest.approx([0.75, 2 / 3, 0.5])
    without_plan = funnel(events, as_of=AS_OF)
    assert without_plan[s.STAGE].tolist() == ["contacted", "replied", "won back"]
    assert without_plan[s.CLIENTS].tolist() == [4, 3, 2]


# --- client status (what the contact plan reads) --------------------------------------


def test_client_status_columns_and_precedence():
    events = log(
        ("dnc", 0, "contacted"),
        ("dnc", 1, "renewed"),
        ("dnc", 2, "do_not_contact"),
        ("won", 0, "contacted"),
        ("won", 1, "moved_on"),
        ("won", 30, "renewed"),
        ("prob", 0, "contacted"),
        ("prob", 1, "problem_raised"),
        ("prob", 2, "moved_on"),
        ("fixed", 0, "contacted"),
        ("fixed", 1, "problem_raised"),
        ("fixed", 3, "problem_fixed"),
        ("again", 0, "contacted"),
        ("again", 1, "problem_fixed"),
        ("again", 4, "problem_raised"),
        ("lost", 0, "contacted"),
        ("lost", 3, "change_of_circumstances"),
        ("rep", 0, "no_answer"),
        ("rep", 2, "contacted"),
        ("rep", 3, "replied"),
        ("try", 5, "no_answer"),
    )
    status = client_status(events, as_of=AS_OF)
    assert tuple(status.columns) == STATUS_COLUMNS
    assert {c: str(status[c].dtype) for c in ("is_won_back", "open_problem", "do_not_contact")} == {
        "is_won_back": "bool",
        "open_problem": "bool",
        "do_not_contact": "bool",
    }
    assert str(status[s.LAST_LOGGED_CONTACT].dtype) == "datetime64[ns]"
    table = status.set_index(s.CLIENT_ID)
    assert table[s.STATUS].to_dict() == {
        "again": "problem_open",
        "dnc": "do_not_contact",
        "fixed": "replied",
        "lost": "lost",
        "prob": "problem_open",
        "rep": "replied",
        "try": "contacted",
        "won": "won_back",
    }
    assert table.loc["dnc", s.WON_BACK_FLAG]
    assert table.loc["dnc", s.DO_NOT_CONTACT]
    assert table[s.OPEN_PROBLEM].to_dict()["fixed"] is False
    assert table.loc["rep", s.LAST_LOGGED_CONTACT] == pd.Timestamp(START + timedelta(days=3))
    assert pd.isna(table.loc["try", s.LAST_LOGGED_CONTACT])  # only tried, never reached


def test_client_status_sees_purchases_and_respects_as_of():
    events = log(("a", 0, "contacted"), ("b", 0, "contacted"), ("b", 40, "do_not_contact"))
    tx = purchases(("a", 20, 300))
    early = client_status(events, as_of=START + timedelta(days=10), transactions=tx).set_index(s.CLIENT_ID)
    late = client_status(events, as_of=AS_OF, transactions=tx).set_index(s.CLIENT_ID)
    assert early[s.STATUS].tolist() == ["contacted", "contacted"]
    assert late[s.STATUS].tolist() == ["won_back", "do_not_contact"]
    assert late.loc["a", s.WON_BACK_FLAG]


def test_a_loss_after_the_latest_win_makes_the_client_lost_again():
    events = log(
        ("renewed-then-left", 0, "contacted"),
        ("renewed-then-left", 5, "renewed"),
        ("renewed-then-left", 200, "moved_on"),
        ("bought-then-declined", 0, "contacted"),
        ("bought-then-declined", 150, "declined"),
        ("left-then-renewed", 0, "contacted"),
        ("left-then-renewed", 3, "declined"),
        ("left-then-renewed", 90, "renewed"),
        ("same-day", 0, "contacted"),
        ("same-day", 7, "renewed"),
        ("same-day", 7, "declined"),
    )
    tx = purchases(("bought-then-declined", 20, 300))
    status = client_status(events, as_of=AS_OF, transactions=tx).set_index(s.CLIENT_ID)
    assert status[s.STATUS].to_dict() == {
        "bought-then-declined": "lost",  # the purchase won them back; the later "declined" stands
        "left-then-renewed": "won_back",
        "renewed-then-left": "lost",
        "same-day": "won_back",  # only a later loss ends a win
    }
    assert status[s.WON_BACK_FLAG].all()  # each was won back once: the rates count them


def test_a_client_who_buys_again_after_saying_no_is_not_lost():
    events = log(
        ("came-back", 0, "contacted"),
        ("came-back", 3, "moved_on"),
        ("bought-before", 0, "contacted"),
        ("bought-before", 30, "declined"),
    )
    # 200 days after the contact: outside the 90-day window, so no win for the campaign
    tx = purchases(("came-back", 200, 80), ("bought-before", 10, 50))
    status = client_status(events, as_of=AS_OF, transactions=tx).set_index(s.CLIENT_ID)
    assert status[s.STATUS].to_dict() == {
        "bought-before": "lost",  # within the window after the contact, but the "no" came after
        "came-back": "replied",
    }
    assert not status.loc["came-back", s.WON_BACK_FLAG]


def test_a_retracted_do_not_contact_no_longer_blocks_the_client():
    events = log(("a", 0, "contacted"), ("a", 1, "do_not_contact"), ("a", 2, "retracted"))
    events.loc[2, "supersedes"] = "e1"
    assert not client_status(events, as_of=AS_OF)[s.DO_NOT_CONTACT].any()


# --- time to win-back -----------------------------------------------------------------


def test_recent_contacts_are_followed_not_counted_as_lost():
    # 100 contacted long ago, half won back 6 to 25 days later; 100 contacted 5 days ago, none yet.
    rows = []
    for i in range(100):
        rows.append((f"old{i}", 0, "contacted"))
        if i < 50:
            rows.append((f"old{i}", 6 + i % 20, "renewed"))
        rows.append((f"new{i}", 200, "contacted"))
    events = log(*rows)
    as_of = START + timedelta(days=205)
    outcomes = contact_outcomes(events, as_of=as_of)
    assert win_back_rates(outcomes).loc[0, s.RATE] == pytest.approx(0.25)  # the naive rate
    table = time_to_win_back(outcomes).set_index(s.DAYS)
    assert table.loc[30, s.SHARE_WON_BACK] == pytest.approx(0.5)  # what contacted clients do
    assert table.loc[30, s.SHARE_LOW] < 0.5 < table.loc[30, s.SHARE_HIGH]
    assert table.loc[30, s.AT_RISK] == 50


def test_no_follow_up_that_long_is_nan_and_no_wins_is_zero():
    outcomes = pd.DataFrame({s.DAYS_FOLLOWED: [3, 5], s.WON_BACK_FLAG: [False, False]})
    table = time_to_win_back(outcomes, days=[4, 30])
    assert table[s.SHARE_WON_BACK].tolist()[0] == 0.0
    assert table.iloc[1].drop([s.DAYS, s.AT_RISK]).isna().all()


# --- hold-out -------------------------------------------------------------------------


def test_campaign_lift_measures_both_groups_by_the_same_purchase_rule():
    contacted = [(f"c{i}", 0, "contacted") for i in range(10)]
    contacted += [("late", 150, "contacted")]  # window not over by as_of: not judged
    events = log(*contacted)
    holdout = pd.DataFrame(
        {
            "client_id": [f"h{i}" for i in range(10)] + ["late-h", "c0"],
            "holdout": [True] * 12,
            "planned_on": [pd.Timestamp(START)] * 10 + [pd.Timestamp(START + timedelta(days=150))] * 2,
        }
    )
    tx = purchases(
        *[(f"c{i}", 30, 100) for i in range(6)], *[(f"h{i}", 60, 100) for i in range(2)], ("h3", 120, 5)
    )
    as_of = START + timedelta(days=160)
    outcomes = contact_outcomes(events, as_of=as_of, transactions=tx)
    row = campaign_lift(outcomes, holdout, tx, as_of=as_of).iloc[0]
    assert (row[s.WON_BACK], row[s.CONTACTED]) == (6, 10)
    assert (row[s.HOLDOUT_WON_BACK], row[s.HOLDOUT_CLIENTS]) == (2, 10)
    assert row[s.LIFT] == pytest.approx(0.4)
    summary = outcome_summary(events, as_of=as_of, transactions=tx, holdout=holdout)
    assert summary.lift is not None
    assert "lift of +40.0 points" in summary.lift_statement
    assert any("1 contacted and 2 hold-out clients are too recent" in note for note in summary.notes)
    assert any("were contacted anyway" in note for note in summary.notes)


def test_an_undated_hold_out_is_measured_from_the_campaigns_first_contact():
    events = log(("a", 10, "contacted"), ("b", 20, "contacted"))
    holdout = pd.DataFrame({"client_id": ["h1", "h2", "h3"]})  # holdout.csv of a plan: no days
    tx = purchases(("a", 15, 100), ("h1", 95, 100), ("h2", 101, 100), ("h3", 5, 100))
    as_of = START + timedelta(days=200)
    outcomes = contact_outcomes(events, as_of=as_of, transactions=tx)
    row = campaign_lift(outcomes, holdout, tx, as_of=as_of).iloc[0]
    # From day 10: h1 (day 95) is in its window; h2 (day 101) is one day late; h3 bought before.
    assert (row[s.HOLDOUT_WON_BACK], row[s.HOLDOUT_CLIENTS]) == (1, 3)
    assert (row[s.WON_BACK], row[s.CONTACTED]) == (1, 2)
    later = campaign_lift(outcomes, holdout, tx, as_of=as_of, holdout_from=START + timedelta(days=20)).iloc[0]
    assert later[s.HOLDOUT_WON_BACK] == 2


def test_summary_without_hold_out_or_transactions_says_so():
    summary = outcome_summary(log(("a", 0, "contacted")), as_of=AS_OF)
    assert summary.lift is None
    assert any("No hold-out group" in note for note in summary.notes)
    assert any("only logged renewals count" in note for note in summary.notes)
    assert set(summary.tables()) == {
        "overall",
        "by_channel",
        "by_week",
        "reasons",
        "funnel",
        "time_to_win_back",
    }


# --- feeding value scoring ------------------------------------------------------------


def test_observed_counts_leave_out_clients_whose_outcome_is_not_known_yet():
    events = log(
        ("won", 0, "contacted"),
        ("won", 3, "renewed"),
        ("gone", 0, "contacted"),
        ("gone", 3, "moved_on"),
        ("quiet", 0, "contacted"),  # 100 days without news: counted as not won back
        ("fresh", 95, "contacted"),  # 5 days: not known yet
    )
    clients = pd.DataFrame(
        {
            "client_id": ["won", "gone", "quiet", "fresh"],
            "dormancy_bucket": ["1–2 years"] * 4,
            "bucket_order": [2] * 4,
        }
    )
    observed = observed_counts(events, clients, as_of=START + timedelta(days=100))
    assert observed.to_dict("records") == [{"dormancy_bucket": "1–2 years", "contacted": 3, "won_back": 1}]
    chance = win_back_chance(observed=observed).set_index(s.DORMANCY_BUCKET)[s.WIN_BACK_CHANCE]
    assert chance["1–2 years"] == pytest.approx((0.35 * 20 + 1) / 23)
    with pytest.raises(InputError, match="have no dormancy bucket"):
        observed_counts(events, clients.iloc[:2], as_of=AS_OF)


# --- properties -----------------------------------------------------------------------


@given(n=st.integers(1, 100_000), data=st.data())
def test_wilson_interval_holds_the_rate_and_stays_in_0_1(n, data):
    k = data.draw(st.integers(0, n))
    low, high = wilson_interval(k, n)
    assert 0.0 <= low <= k / n <= high <= 1.0


@given(
    n=st.integers(1, 10**7),
    data=st.data(),
    confidence=st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99, 0.999]),
)
def test_wilson_interval_is_statsmodels_wilson_interval(n, data, confidence):
    # The interval is written out to spare `reconnect buckets` the statsmodels import; it
    # must stay the library's answer.
    from statsmodels.stats.proportion import proportion_confint

    k = data.draw(st.integers(0, n))
    low, high = proportion_confint(k, n, alpha=1 - confidence, method="wilson")
    rate = k / n
    expected = (max(0.0, min(float(low), rate)), min(1.0, max(float(high), rate)))
    assert wilson_interval(k, n, confidence=confidence) == pytest.approx(expected, rel=1e-12, abs=1e-15)


@given(
    n1=st.integers(1, 5000),
    n2=st.integers(1, 5000),
    data=st.data(),
)
def test_lift_interval_holds_the_difference(n1, n2, data):
    k1, k2 = data.draw(st.integers(0, n1)), data.draw(st.integers(0, n2))
    row = lift(k1, n1, k2, n2).iloc[0]
    assert -1.0 <= row[s.LIFT_LOW] <= row[s.LIFT] + 1e-12
    assert row[s.LIFT] - 1e-12 <= row[s.LIFT_HIGH] <= 1.0


_logs = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d", "e"]),
        st.integers(0, 120),
        st.sampled_from(s.EVENT_KINDS),
    ),
    min_size=1,
    max_size=30,
)


# Each example runs four stages on pandas frames: a tenth of the profile keeps the runs quick.
@settings(max_examples=max(5, settings.default.max_examples // 10))
@given(
    rows=_logs, bought=st.lists(st.tuples(st.sampled_from(["a", "b", "x"]), st.integers(0, 200)), max_size=5)
)
def test_funnel_narrows_and_statuses_are_consistent(rows, bought):
    events = log(*rows)
    tx = purchases(*[(c, d, 100) for c, d in bought]) if bought else None
    as_of = START + timedelta(days=150)
    counts = funnel(events, as_of=as_of, transactions=tx)[s.CLIENTS].tolist()
    assert counts == sorted(counts, reverse=True)
    status = client_status(events, as_of=as_of, transactions=tx)
    assert status[s.CLIENT_ID].is_unique
    assert set(status[s.STATUS]) <= set(s.STATUSES)
    assert (status[s.STATUS] == "do_not_contact").eq(status[s.DO_NOT_CONTACT]).all()
    won = status[s.STATUS] == "won_back"
    assert status.loc[won, s.WON_BACK_FLAG].all()
    outcomes = contact_outcomes(events, as_of=as_of, transactions=tx)
    km = time_to_win_back(outcomes, days=[0, 30, 60, 90])[s.SHARE_WON_BACK].dropna()
    assert km.between(0, 1).all()
    assert km.is_monotonic_increasing


# --- catch-up burn-down and the lift's two rates ----------------------------------------------


def _five_due_plan(as_of: date = date(2026, 3, 18)):
    from reconnect_lib.plan import contact_plan

    scored = pd.DataFrame(
        {
            s.CLIENT_ID: list("abcde"),
            s.DORMANCY_BUCKET: ["1–2 years"] * 5,
            s.BUCKET_ORDER: 2,
            s.DUE: True,
            s.VALUE_SCORE: [5.0, 4.0, 3.0, 2.0, 1.0],
        }
    )
    return contact_plan(scored, as_of=as_of, capacity={"letter": 2, "phone": 2})


def _logged() -> pd.DataFrame:
    return pd.DataFrame(
        {
            s.CLIENT_ID: ["x", "y", "x", "z", "w", "v"],
            s.DATE: pd.to_datetime(
                ["2026-03-02", "2026-03-04", "2026-03-11", "2026-03-10", "2026-03-09", "2026-03-25"]
            ),
            s.KIND: ["contacted", "replied", "contacted", "contacted", "no_answer", "contacted"],
        }
    )


def test_catch_up_progress_by_hand():
    # Plan on Wed 2026-03-18 (W12): 5 due clients, 2 letters a week -> W12, W13, W14.
    # Logged: x first reached W10 (again W11), y W10 (a reply is a contact), z W11 but not due,
    # w only tried (no answer), v after as_of. Start W10; total 5 + 2 (x, y) = 7.
    plan = _five_due_plan()
    events = _logged()
    before = events.copy()
    clients = pd.DataFrame({s.CLIENT_ID: ["x", "y", "z", "w", "v"], s.DUE: [True, True, False, True, True]})
    out = metrics_module.catch_up_progress(plan, events, as_of=date(2026, 3, 18), clients=clients)
    pd.testing.assert_frame_equal(events, before)
    assert list(out.columns) == list(metrics_module.PROGRESS_COLUMNS)
    assert out[s.WEEK].tolist() == ["2026-W09", "2026-W10", "2026-W11", "2026-W12", "2026-W13", "2026-W14"]
    assert out[s.WEEK_START].iloc[1] == pd.Timestamp("2026-03-02")
    assert out[s.ACTUAL_LEFT].tolist()[:4] == [7, 5, 5, 5]
    assert out[s.ACTUAL_LEFT].iloc[4:].isna().all()
    assert out[s.PLANNED_LEFT].tolist() == [7, 5, 3, 1, 0, 0]
    assert out[s.FORECAST_LEFT].iloc[:3].isna().all()
    assert out[s.FORECAST_LEFT].iloc[3:].tolist() == [3, 1, 0]
    assert out[s.FORECAST_END].tolist() == [False] * 5 + [True]
    assert out[s.CURRENT_WEEK].tolist() == [False, False, False, True, False, False]
    # without the due flags every first contact counts: x, y and z
    plain = metrics_module.catch_up_progress(plan, events, as_of=date(2026, 3, 18))
    assert plain[s.ACTUAL_LEFT].tolist()[:4] == [8, 6, 5, 5]


def test_catch_up_progress_needs_every_contacted_client_and_a_plan():
    plan = _five_due_plan()
    with pytest.raises(InputError, match="not in `clients`"):
        metrics_module.catch_up_progress(
            plan,
            _logged(),
            as_of=date(2026, 3, 18),
            clients=pd.DataFrame({s.CLIENT_ID: ["x"], s.DUE: [True]}),
        )
    with pytest.raises(InputError, match="due"):
        metrics_module.catch_up_progress(
            plan, _logged(), as_of=date(2026, 3, 18), clients=pd.DataFrame({s.CLIENT_ID: ["x"]})
        )
    with pytest.raises(InputError, match="ContactPlan"):
        metrics_module.catch_up_progress(plan.actions, _logged(), as_of=date(2026, 3, 18))


def test_catch_up_progress_without_outcomes_starts_with_the_plan():
    plan = _five_due_plan(date(2026, 3, 21))  # a Saturday: the plan starts the next week (W13)
    out = metrics_module.catch_up_progress(plan, _logged().iloc[0:0], as_of=date(2026, 3, 21))
    assert out[s.WEEK].tolist() == ["2026-W12", "2026-W13", "2026-W14", "2026-W15"]
    assert out[s.ACTUAL_LEFT].tolist()[0] == 5  # the week before the start, which is as_of's week
    assert out[s.ACTUAL_LEFT].iloc[1:].isna().all()
    assert out[s.PLANNED_LEFT].tolist() == [5, 3, 1, 0]
    # nothing is planned for the rest of as_of's week
    assert out[s.FORECAST_LEFT].tolist() == [5, 3, 1, 0]


def test_catch_up_progress_of_the_planner_sample(planner_summary):
    from reconnect_lib.client_base import client_base
    from reconnect_lib.dormancy import dormancy_buckets
    from reconnect_lib.pipeline import scored_base
    from reconnect_lib.plan import plan_from_config

    cfg, data, _ = planner_summary
    campaign = scored_base(cfg, as_of=AS_OF, outcomes=True)
    plan = plan_from_config(campaign.scored, cfg, as_of=AS_OF, status=campaign.status)
    # due when the campaign began (the day before its first contact), as clients_at_contact buckets them
    inputs = campaign.inputs
    base = client_base(inputs.clients, inputs.transactions, inputs.contacts, as_of=date(2026, 3, 1))
    due = dormancy_buckets(base)[[s.CLIENT_ID, s.DUE]]
    out = metrics_module.catch_up_progress(plan, data.events, as_of=AS_OF, clients=due)
    contacted = set(contact_outcomes(data.events, as_of=AS_OF)[s.CLIENT_ID])
    was_due = int(due[due[s.CLIENT_ID].isin(contacted)][s.DUE].sum())
    total = plan.forecast.catch_up_clients + was_due
    assert out[s.WEEK].iloc[1] == "2026-W10"  # the first logged contact, 2026-03-02
    assert out[s.ACTUAL_LEFT].iloc[0] == total
    current = out[out[s.CURRENT_WEEK]].iloc[0]
    assert current[s.WEEK] == "2026-W48"
    assert current[s.ACTUAL_LEFT] == plan.forecast.catch_up_clients
    actual = out[s.ACTUAL_LEFT].dropna().astype(int)
    assert (actual.diff().iloc[1:] <= 0).all()
    assert out[s.PLANNED_LEFT].iloc[1] == total - plan.forecast.weekly_capacity
    end = out[out[s.FORECAST_END]]
    assert end[s.WEEK].tolist() == [plan.forecast.end_week]
    assert end[s.FORECAST_LEFT].iloc[0] == 0


def test_lift_rates_are_the_two_groups_wilson_intervals():
    table = lift(1600, 3000, 120, 300)
    rates = metrics_module.lift_rates(table)
    assert rates[s.GROUP].tolist() == ["contacted", "hold-out"]
    assert rates[s.CLIENTS].tolist() == [3000, 300]
    assert rates[s.RATE].tolist() == pytest.approx([1600 / 3000, 0.4])
    assert (rates[s.RATE_LOW].iloc[1], rates[s.RATE_HIGH].iloc[1]) == pytest.approx(wilson_interval(120, 300))
    assert rates[s.RATE_LOW].iloc[0] == pytest.approx(table[s.RATE_LOW].iloc[0])
    empty = metrics_module.lift_rates(lift(0, 0, 0, 0))
    assert empty[s.RATE].isna().all()


def test_an_empty_plan_with_a_holdout_column_gives_an_empty_funnel_stage():
    events = pd.DataFrame({"client_id": ["a"], "date": pd.to_datetime(["2026-03-02"]), "kind": ["contacted"]})
    empty = pd.DataFrame({"client_id": pd.Series(dtype="string"), "holdout": pd.Series(dtype="float64")})
    table = funnel(events, as_of=date(2026, 3, 31), plan=empty)
    assert table["clients"].tolist() == [0, 0, 0, 0]


# --- the package: one module per job, the stages free of I/O ----------------------------------

#: Every name ``reconnect_lib.metrics`` offered as a single module, and the job module that now holds it.
FACE = {
    "status": [
        "ATTRIBUTION_DAYS", "CLIENT_COLUMNS", "CONFIDENCE", "OUTCOME_COLUMNS", "STATUS_COLUMNS",
        "client_status", "contact_outcomes",
    ],
    "rates": [
        "GROUP_BY_CHOICES", "GroupBy", "observed_counts", "rate_statement", "reasons_table",
        "wilson_interval", "win_back_rates",
    ],
    "conversion": ["funnel"],
    "survival": ["time_to_win_back"],
    "holdout": ["campaign_lift", "lift", "lift_rates", "lift_statement"],
    "progress": ["PROGRESS_COLUMNS", "catch_up_progress"],
    "summary": ["OutcomeSummary", "outcome_summary"],
    "returns": [
        "Costs", "ReturnSummary", "break_even_week", "campaign_costs", "forecast_break_even",
        "paid_statement", "referral_links", "referral_revenue", "return_summary",
    ],
}  # fmt: skip


def test_metrics_offers_the_same_names_as_before_the_split():
    # less those that read the campaign's files and store: reconnect_lib.pipeline composes them now
    assert sorted(metrics_module.__all__) == sorted(name for names in FACE.values() for name in names)


@pytest.mark.parametrize("job", sorted(FACE))
def test_each_metric_is_defined_in_its_job_module_and_offered_by_the_package(job):
    module = importlib.import_module(f"reconnect_lib.metrics.{job}")
    for name in FACE[job]:
        value = getattr(module, name)
        assert getattr(metrics_module, name) is value
        if inspect.isfunction(value) or inspect.isclass(value):
            assert value.__module__ == module.__name__


def _imported_modules(path: Path) -> set[str]:
    """The modules of reconnect_lib above metrics/ that a file in it imports (first dotted part)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 2:
            found |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[1] if node.module.startswith("reconnect_lib.") else "")
    return found - {""}


@pytest.mark.parametrize("job", sorted(FACE))
def test_the_metrics_compute_from_the_frames_they_are_handed(job):
    imported = _imported_modules(Path(metrics_module.__file__).parent / f"{job}.py")
    # neither read a file or the outcome store, nor rerun the client base: reconnect_lib.pipeline does
    io_and_stages = {"load", "outcomes", "config", "files", "engines", "pipeline", "client_base", "dormancy"}
    assert imported & io_and_stages == set()

"""Did the campaign pay for itself? The return composed from a campaign file (pipeline.campaign_return)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import reconnect_lib as rl
from reconnect_lib.pipeline import NO_COSTS, campaign_return
from reconnect_lib.weekly import campaign_week

PLANNER = Path(__file__).parents[1] / "data" / "sample" / "financial-planner"


def _planner(tmp_path: Path, costs: str) -> Path:
    folder = tmp_path / "planner"
    shutil.copytree(PLANNER, folder, ignore=shutil.ignore_patterns("*.sqlite", "*.sqlite-*"))
    toml = folder / "campaign.toml"
    text = toml.read_text(encoding="utf-8").replace('"../../../reports"', '"reports"')
    if "[costs]" in text:  # the sample's own costs give way to the test's
        head, _, tail = text.partition("[costs]")
        rest = tail.split("\n[", 1)
        text = head + ("[" + rest[1] if len(rest) > 1 else "")
    toml.write_text(text + "\n[costs]\n" + costs, encoding="utf-8")
    return toml


@pytest.mark.slow
def test_the_return_is_set_against_the_costs_the_log_says_were_spent(tmp_path):
    toml = _planner(tmp_path, "call_minutes = 12\nhourly_rate = 30\nemail = 0.5\nfixed = 2000\n")
    campaign = rl.scored_base(toml)
    events = campaign.events
    summary = campaign_return(campaign)
    row = summary.overall.iloc[0]
    # every phone event is a call (answered or not) at 6.00; every e-mail reach costs 0.50
    calls = events[events["channel"] == "phone"].drop_duplicates(["client_id", "date"])
    no_answer = events[(events["channel"] == "phone") & (events["kind"] == "no_answer")]
    emails = events[(events["channel"] == "email") & events["kind"].isin(["contacted", "no_answer"])]
    assert row["cost"] >= 2000 + 0.5 * emails.drop_duplicates(["client_id", "date"]).shape[0]
    assert row["cost"] <= 2000 + 6.0 * (len(calls) + len(no_answer)) + 0.5 * len(emails)
    assert row["revenue_recovered"] == pytest.approx(2_389_618.91)
    assert row["return_per_cost"] == pytest.approx(row["return"] / row["cost"])
    assert summary.break_even_week is not None
    assert "Paid for itself: established" in summary.statement
    numbers = campaign_week(toml).numbers()["return"]
    assert numbers["overall"]["cost"] == round(row["cost"], 2)
    json.dumps(numbers)  # plain values


@pytest.mark.slow
def test_without_costs_the_return_says_how_to_set_them(tmp_path):
    toml = _planner(tmp_path, "")
    summary = campaign_return(rl.scored_base(toml))
    assert summary.statement == NO_COSTS
    assert campaign_return(rl.scored_base(toml, outcomes=False)) is None


@pytest.mark.slow
def test_outcome_summary_says_whether_it_paid_for_itself_in_a_table_and_in_json(tmp_path):
    from cli_support import run_cli

    toml = _planner(tmp_path, "call_minutes = 12\nhourly_rate = 30\nemail = 0.5\nfixed = 2000\n")
    table = run_cli("outcome", "summary", "--config", str(toml))
    assert "Did it pay for itself?" in table
    assert "Paid for itself: established" in table
    assert "By channel of the first contact" in table
    payload = json.loads(run_cli("outcome", "summary", "--config", str(toml), "--format", "json"))
    want = campaign_return(rl.scored_base(toml)).overall.iloc[0]
    assert payload["return"]["overall"]["cost"] == round(want["cost"], 2)
    assert payload["return"]["break_even_week"] is not None
    assert payload["tables"]["return_overall"] == [payload["return"]["overall"]]
    csv = run_cli("outcome", "summary", "--config", str(toml), "--format", "csv")
    assert "return_weekly" in csv

"""One campaign, one voice: every output counts the same clients as due and contactable.

The rule (issue "one campaign, one voice"): the outcome log is part of each
client's history, so `reconnect buckets`, the overview report, the weekly
report and the plan compute from the same history, as of the same day, with
the same chances. Where the plan's catch-up is smaller, the weekly report says
why in words, and the parts add up.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cli_support import run_cli

import reconnect_lib as rl
from reconnect_lib.weekly import GAP_WORDS

SAMPLE = Path(__file__).parents[1] / "data" / "sample"


def _copy(tmp_path: Path, firm: str) -> Path:
    """A copy of a sample firm (its SQLite store and reports are then made in tmp_path)."""
    folder = tmp_path / firm
    shutil.copytree(SAMPLE / firm, folder, ignore=shutil.ignore_patterns("*.sqlite", "*.sqlite-*"))
    toml = folder / "campaign.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('"../../../reports"', '"../reports"'), encoding="utf-8"
    )
    return toml


@pytest.mark.slow
@pytest.mark.parametrize("firm", ["consulting-firm", "financial-planner"])
def test_due_and_contactable_is_one_number_in_every_output(sample_report, firm):
    toml = SAMPLE / firm / "campaign.toml"
    buckets = json.loads(run_cli("buckets", "--config", str(toml), "--format", "json"))
    due_contactable = sum(row["due_contactable"] for row in buckets)
    overview = json.loads(sample_report("overview", firm).numbers.read_text(encoding="utf-8"))
    weekly = json.loads(sample_report("weekly", firm).numbers.read_text(encoding="utf-8"))
    assert overview["due_contactable"] == due_contactable
    assert weekly["due_contactable"] == due_contactable
    assert overview["due"] == weekly["due"] == sum(row["due"] for row in buckets)
    # the plan's catch-up is that number less what the weekly report names, in words
    gap = weekly["not_in_catch_up"]
    assert weekly["catch_up_clients"] + sum(gap.values()) == due_contactable
    assert f"{due_contactable:,} clients" in weekly["catch_up_text"]
    assert all(GAP_WORDS[key] in weekly["catch_up_text"] for key in gap)


@pytest.mark.slow
def test_financial_planner_numbers_follow_the_outcome_log(tmp_path):
    toml = _copy(tmp_path, "financial-planner")
    campaign = rl.scored_base(toml)
    before = rl.scored_base(toml, outcomes=False)
    # The campaign reached all 3,000 clients between March and August: fewer are due now than the
    # export alone says, and the lost and do-not-contact clients may not be contacted.
    assert campaign.summary()["due"] < before.summary()["due"]
    # 936 of the campaign's clients, and 8 of the 25 people referred, whose one purchase (April-May) is
    # more than 6 months old.
    assert campaign.summary()["due_contactable"] == 944
    # the 6–12 months chance follows the observed outcomes (614 of 870 won back), not the 50 % prior
    buckets = {
        row["dormancy_bucket"]: row
        for row in json.loads(run_cli("buckets", "--config", str(toml), "--format", "json"))
    }
    observed = campaign.observed.set_index("dormancy_bucket").loc["6–12 months"]
    assert (observed["contacted"], observed["won_back"]) == (870, 614)
    chance = campaign.scored.loc[campaign.scored["dormancy_bucket"] == "6–12 months", "win_back_chance"]
    assert chance.nunique() == 1
    assert chance.iloc[0] > 0.65
    row = buckets["6–12 months"]
    assert row["expected_value"] == pytest.approx(row["value_at_stake"] * chance.iloc[0])

"""``reconnect outcome``: record, import, list, retract and summarise, with errors and no tracebacks."""

from __future__ import annotations

import json
import shutil
from datetime import date
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from reconnect_lib.cli import base, main
from reconnect_lib.config import load_config
from reconnect_lib.outcomes import OutcomeStore

ROOT = Path(__file__).parents[1]
PLANNER = ROOT / "data" / "sample" / "financial-planner"
TODAY = date(2026, 4, 1)


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch):
    """The CLI's one read of the clock, fixed."""
    monkeypatch.setattr(base, "today", lambda: TODAY)


@pytest.fixture
def campaign(tmp_path: Path) -> Path:
    """A small campaign: five clients, two purchases, an outcome database in tmp_path."""
    (tmp_path / "clients.csv").write_text(
        "client_id,name,account_owner,client_since\n"
        + "".join(f"C{i},Client {i},Ann,2020-01-0{i}\n" for i in range(1, 6)),
        encoding="utf-8",
    )
    (tmp_path / "transactions.csv").write_text(
        "client_id,date,amount\nC1,2024-05-01,500\nC2,2026-03-10,800\n", encoding="utf-8"
    )
    config = tmp_path / "campaign.toml"
    config.write_text(
        '[campaign]\nname = "small"\nas_of = 2026-03-31\n'
        '[data]\nclients = "clients.csv"\ntransactions = "transactions.csv"\n'
        '[outcomes]\ndatabase = "sqlite:///log.sqlite"\n',
        encoding="utf-8",
    )
    return config


def invoke(runner: CliRunner, *args: str):
    return runner.invoke(main, [str(a) for a in args])


def stored(config: Path) -> pd.DataFrame:
    with OutcomeStore.from_config(load_config(config)) as store:
        return store.events(include_superseded=True)


# --- record, correct, retract ---------------------------------------------------------


def test_record_then_correct_then_list(runner, campaign):
    done = invoke(
        runner, "outcome", "record", "--config", campaign, "--client", "C1", "--kind", "moved on",
        "--channel", "call", "--reason", "money", "--by", "Tom", "--date", "2026-03-05",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert done.output.startswith("Recorded ev-")
    assert "C1 moved on by call on 2026-03-05." in done.output
    wrong = stored(campaign)["event_id"].iloc[0]
    fixed = invoke(
        runner, "outcome", "record", "--config", campaign, "--client", "C1", "--kind", "renewed",
        "--channel", "phone", "--amount", "950", "--date", "2026-03-05", "--supersedes", wrong,
    )  # fmt: skip
    assert fixed.exit_code == 0, fixed.output
    assert f"correcting {wrong}" in fixed.output
    events = stored(campaign)
    assert events["kind"].tolist() == ["moved_on", "renewed"]
    assert events["campaign"].tolist() == ["small", "small"]  # [campaign] name by default
    assert events["source"].tolist() == ["cli", "cli"]
    listed = invoke(runner, "outcome", "events", "--config", campaign, "--format", "json")
    assert [e["kind"] for e in json.loads(listed.output)] == ["renewed"]
    everything = invoke(runner, "outcome", "events", "--config", campaign, "--all")
    assert everything.exit_code == 0
    assert "moved on" in everything.output
    assert wrong in everything.output


def test_record_defaults_to_today_and_refuses_the_future(runner, campaign):
    done = invoke(runner, "outcome", "record", "--config", campaign, "--client", "C2", "--kind", "contacted",
                  "--channel", "email")  # fmt: skip
    assert done.exit_code == 0, done.output
    assert stored(campaign)["date"].iloc[0] == pd.Timestamp(TODAY)
    future = invoke(runner, "outcome", "record", "--config", campaign, "--client", "C2", "--kind", "replied",
                    "--channel", "email", "--date", "2026-05-01")  # fmt: skip
    assert future.exit_code == 2
    assert "date after the as-of date 2026-04-01" in future.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--client", "C9", "--kind", "renewed", "--channel", "phone"], "client id not in the client list"),
        (["--client", "C1", "--kind", "won big", "--channel", "phone"], "not an event kind"),
        (["--client", "C1", "--kind", "renewed", "--channel", "fax"], "not a channel"),
        (
            ["--client", "C1", "--kind", "renewed", "--channel", "phone", "--supersedes", "ev-x"],
            "not in the log",
        ),
    ],
)
def test_a_bad_record_is_one_message_exit_2_and_nothing_written(runner, campaign, args, message):
    result = invoke(runner, "outcome", "record", "--config", campaign, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert stored(campaign).empty


def test_retract(runner, campaign):
    invoke(runner, "outcome", "record", "--config", campaign, "--client", "C3", "--kind", "renewed",
           "--channel", "phone")  # fmt: skip
    oops = stored(campaign)["event_id"].iloc[0]
    result = invoke(runner, "outcome", "retract", oops, "--config", campaign, "--note", "wrong client")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Retracted {oops}")
    listed = invoke(runner, "outcome", "events", "--config", campaign, "--format", "csv")
    assert pd.read_csv(StringIO(listed.output)).empty
    assert len(stored(campaign)) == 2


# --- import ---------------------------------------------------------------------------


def test_import_is_idempotent_and_a_bad_row_changes_nothing(runner, campaign, tmp_path):
    sheet = pd.DataFrame(
        {
            "Client": ["C1", "C2", "C2"],
            "Date": ["2026-03-02", "2026-03-02", "2026-03-09"],
            "Channel": ["phone", "email", "email"],
            "Outcome": ["no answer", "contacted", "bought again"],
            "Amount": [None, None, "1,250.00"],
        }
    )
    path = tmp_path / "week-10.csv"
    sheet.to_csv(path, index=False)
    first = invoke(runner, "outcome", "import", path, "--config", campaign)
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "week-10.csv: 3 rows read, 3 recorded, 0 already recorded"
    again = invoke(runner, "outcome", "import", path, "--config", campaign)
    assert again.output.strip() == "week-10.csv: 3 rows read, 0 recorded, 3 already recorded"
    sheet.loc[3] = ["C4", "2026-03-10", "phone", "renewd", None]
    bad = tmp_path / "week-11.csv"
    sheet.to_csv(bad, index=False)
    failed = invoke(runner, "outcome", "import", bad, "--config", campaign)
    assert failed.exit_code == 2
    assert "week-11.csv, column `Outcome`, row 4: not an event kind (found 'renewd')" in failed.output
    assert len(stored(campaign)) == 3


# --- summary --------------------------------------------------------------------------


def test_summary_of_a_small_campaign_with_a_hold_out_plan(runner, campaign, tmp_path):
    for client, kind, day in (("C1", "contacted", "2026-03-02"), ("C2", "contacted", "2026-03-02")):
        invoke(runner, "outcome", "record", "--config", campaign, "--client", client, "--kind", kind,
               "--channel", "phone", "--date", day)  # fmt: skip
    plan, holdout = tmp_path / "plan.csv", tmp_path / "holdout.csv"
    pd.DataFrame(
        {
            "client_id": ["C1", "C2", "C3", "C5"],
            "holdout": ["False", "False", "True", "False"],  # hold-out rows of a plan count too
            "planned_on": ["2026-03-02"] * 4,
        }
    ).to_csv(plan, index=False)
    pd.DataFrame({"client_id": ["C4"]}).to_csv(holdout, index=False)  # undated, as the plan writes it
    result = invoke(
        runner, "outcome", "summary", "--config", campaign, "--plan", plan, "--holdout", holdout,
        "--as-of", "2026-06-30",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = result.output
    assert "1 of 2 contacted clients won back: 50.0 %" in out  # C2 bought 8 days after the call
    assert "Lift over the hold-out group" in out
    assert "(1 of 2) vs hold-out 0.0 % (0 of 2): a lift of +50.0 points" in out
    assert "Funnel" in out
    assert "planned" in out
    assert "Note: No client list" not in out


def test_summary_before_any_outcome_says_so_and_creates_no_database(runner, campaign):
    result = invoke(runner, "outcome", "summary", "--config", campaign)
    assert result.exit_code == 0, result.output
    assert "No contacted clients yet, so no win-back rate." in result.output
    assert not (campaign.parent / "log.sqlite").exists()


@pytest.fixture(scope="module")
def planner(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The financial-planner sample as a fresh clone has it: no database yet."""
    folder = tmp_path_factory.mktemp("clone") / "financial-planner"
    shutil.copytree(PLANNER, folder, ignore=shutil.ignore_patterns("outcomes.sqlite*"))
    return folder / "campaign.toml"


def test_summary_on_a_fresh_clone_of_the_sample_needs_no_prior_command(planner):
    assert not (planner.parent / "outcomes.sqlite").exists()
    result = CliRunner().invoke(main, ["outcome", "summary", "--config", str(planner)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert (planner.parent / "outcomes.sqlite").exists()  # next to campaign.toml
    assert "1,530 of 3,000 contacted clients won back: 51.0 % (95 % interval 49.2 % to 52.8 %)" in out
    assert "Over 50 % is not established" in out
    assert "49.2–52.8 %" in out
    for label in ("6–12 months", "3 years and more", "phone", "email", "2026-W10", "Jonathan Reeve"):
        assert label in out
    for reason in ("fixable problem", "competitor", "invoicing mistakes", "owner not involved"):
        assert reason in out
    assert "Time from first contact to win-back (Kaplan–Meier)" in out
    assert "90 days" in out
    assert "No hold-out group" in out
    assert "History synced from outcomes.csv: 8,045 rows read, 8,045 recorded" in out


def test_summary_json_of_the_sample_after_the_table_records_nothing_twice(planner):
    as_json = CliRunner().invoke(main, ["outcome", "summary", "--config", str(planner), "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    payload = json.loads(as_json.output)
    assert payload["notes"][0].startswith("History synced from outcomes.csv: 8,045 rows read")
    overall = payload["tables"]["overall"][0]
    assert (overall["contacted"], overall["won_back"]) == (3000, 1530)
    assert overall["rate_low"] == pytest.approx(0.4921, abs=1e-4)
    assert "not established" in payload["statement"]
    with OutcomeStore.from_config(load_config(planner)) as store:
        assert store.count() == 8045  # synced on every summary, recorded once


def test_summary_csv_and_json_agree(runner, campaign):
    invoke(runner, "outcome", "record", "--config", campaign, "--client", "C1", "--kind", "contacted",
           "--channel", "phone", "--date", "2026-03-02")  # fmt: skip
    as_json = invoke(runner, "outcome", "summary", "--config", campaign, "--format", "json")
    as_csv = invoke(runner, "outcome", "summary", "--config", campaign, "--format", "csv")
    assert as_json.exit_code == as_csv.exit_code == 0, as_json.output
    payload = json.loads(as_json.output)
    frame = pd.read_csv(StringIO(as_csv.output))
    assert set(frame["table"]) == set(payload["tables"])
    for name, records in payload["tables"].items():
        expected = pd.DataFrame(records).fillna(np.nan)  # JSON null: missing, as in the CSV
        part = frame.loc[frame["table"] == name, list(expected.columns)].reset_index(drop=True)
        pd.testing.assert_frame_equal(part, expected, check_dtype=False, check_exact=False)


def test_summary_with_a_bad_config_is_one_message(runner, tmp_path):
    result = invoke(runner, "outcome", "summary", "--config", tmp_path / "missing.toml")
    assert result.exit_code == 2
    assert "campaign file not found" in result.output

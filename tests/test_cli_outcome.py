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
                  "--channel", "email", "--as-of", "2026-04-01")  # fmt: skip
    assert done.exit_code == 0, done.output
    assert stored(campaign)["date"].iloc[0] == pd.Timestamp(TODAY)
    future = invoke(runner, "outcome", "record", "--config", campaign, "--client", "C2", "--kind", "replied",
                    "--channel", "email", "--date", "2026-05-01", "--as-of", "2026-04-01")  # fmt: skip
    assert future.exit_code == 2
    assert "date after the as-of date 2026-04-01" in future.output


def test_record_and_import_refuse_an_event_after_the_pinned_as_of_alike(runner, campaign, tmp_path):
    # campaign.toml pins as_of = 2026-03-31; today is 2026-04-01.
    recorded = invoke(runner, "outcome", "record", "--config", campaign, "--client", "C2", "--kind",
                      "contacted", "--channel", "email", "--date", "2026-04-01")  # fmt: skip
    sheet = tmp_path / "late.csv"
    sheet.write_text("client_id,date,channel,kind\nC2,2026-04-01,email,contacted\n", encoding="utf-8")
    imported = invoke(runner, "outcome", "import", sheet, "--config", campaign)
    assert recorded.exit_code == imported.exit_code == 2
    message = (
        "date after the as-of date 2026-03-31 (found '2026-04-01') (expected dates on or before 2026-03-31)"
    )
    assert f"column `date`: {message}" in recorded.output
    assert f"late.csv, column `date`, row 1: {message}" in imported.output
    assert recorded.output.split("Hint:")[1] == imported.output.split("Hint:")[1]
    assert stored(campaign).empty
    with_default_day = invoke(runner, "outcome", "record", "--config", campaign, "--client", "C2", "--kind",
                              "contacted", "--channel", "email")  # fmt: skip
    assert with_default_day.exit_code == 2
    assert message in with_default_day.output
    later = invoke(runner, "outcome", "record", "--config", campaign, "--client", "C2", "--kind",
                   "contacted", "--channel", "email", "--as-of", "2026-04-01")  # fmt: skip
    assert later.exit_code == 0, later.output


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
    result = invoke(runner, "outcome", "record", "--config", campaign, "--date", "2026-03-20", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert stored(campaign).empty


def test_record_a_referral_with_the_introduced_clients_id(runner, campaign):
    # `outcome record` had no way to name the referred client: the referral could only be linked by name.
    done = invoke(
        runner, "outcome", "record", "--config", campaign, "--client", "C1", "--kind", "introduced someone",
        "--channel", "phone", "--date", "2026-03-20", "--note", "Client 5", "--amount", "400",
        "--referred-client-id", "C5",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "C1 introduced someone by phone on 2026-03-20, introducing C5." in done.output
    row = stored(campaign).iloc[0][["kind", "referred_client_id", "note", "amount"]]
    assert row.tolist() == ["referral", "C5", "Client 5", 400.0]


@pytest.mark.parametrize(
    ("client", "kind", "referred", "message"),
    [
        ("C1", "referral", "C9", "referred client id not in the client list"),
        ("C1", "referral", "C1", "a client who referred themselves"),
        ("C1", "renewed", "C5", "a referred client id on an event that is not a referral"),
    ],
)
def test_a_bad_referred_client_id_is_one_message_and_nothing_written(
    runner, campaign, client, kind, referred, message
):
    result = invoke(runner, "outcome", "record", "--config", campaign, "--client", client, "--kind", kind,
                    "--channel", "phone", "--date", "2026-03-20",
                    "--referred-client-id", referred)  # fmt: skip
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert stored(campaign).empty


def test_retract(runner, campaign):
    invoke(runner, "outcome", "record", "--config", campaign, "--client", "C3", "--kind", "renewed",
           "--channel", "phone", "--date", "2026-03-20")  # fmt: skip
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


def test_a_row_of_another_sheet_stops_the_import_until_allowed(runner, campaign, tmp_path):
    row = "client_id,date,channel,kind\nC1,2026-03-02,phone,no answer\n"
    (tmp_path / "ann.csv").write_text(row, encoding="utf-8")
    (tmp_path / "bob.csv").write_text(row, encoding="utf-8")
    assert invoke(runner, "outcome", "import", tmp_path / "ann.csv", "--config", campaign).exit_code == 0
    refused = invoke(runner, "outcome", "import", tmp_path / "bob.csv", "--config", campaign)
    assert refused.exit_code == 2
    assert "bob.csv, row 1: the same event" in refused.output
    assert "already recorded from ann.csv" in refused.output
    assert "--allow-duplicates" in refused.output
    assert len(stored(campaign)) == 1
    allowed = invoke(
        runner, "outcome", "import", tmp_path / "bob.csv", "--config", campaign, "--allow-duplicates"
    )
    assert allowed.exit_code == 0, allowed.output
    assert allowed.output.startswith("bob.csv: 1 rows read, 1 recorded, 0 already recorded")
    again = invoke(runner, "outcome", "import", tmp_path / "bob.csv", "--config", campaign)
    assert again.output.strip() == "bob.csv: 1 rows read, 0 recorded, 1 already recorded"
    assert len(stored(campaign)) == 2
    assert "--allow-duplicates" in invoke(runner, "outcome", "import", "--help").output


@pytest.mark.parametrize("amount", ["nan", "inf", "-inf", "1e308", "1,5e3", "lots"])
def test_record_refuses_an_amount_that_is_not_one(runner, campaign, amount):
    result = invoke(runner, "outcome", "record", "--config", campaign, "--client", "C1", "--kind", "renewed",
                    "--channel", "phone", "--date", "2026-03-02", "--amount", amount)  # fmt: skip
    assert result.exit_code == 2
    assert "column `amount`: not an amount" in result.output
    assert stored(campaign).empty


def test_record_reads_an_amount_as_the_transactions_do(runner, campaign):
    result = invoke(runner, "outcome", "record", "--config", campaign, "--client", "C1", "--kind", "renewed",
                    "--channel", "phone", "--date", "2026-03-02", "--amount", "120,50")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert stored(campaign)["amount"].tolist() == [120.5]


_H = "client_id,date,channel,kind,amount\n"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("latin.csv", (_H + "C1,2026-03-02,phone,renewed,12\u20ac\n").encode("cp1252"), "1 recorded"),
        ("empty.csv", b"", "the file is empty"),
        ("blank.csv", b"\n\n", "the file is empty"),
        ("header.csv", _H.encode(), "0 rows read, 0 recorded"),
        ("feb.csv", (_H + "C1,2024-02-31,phone,contacted,\n").encode(), "not a date (found '2024-02-31')"),
        ("who.csv", (_H + "C99,2026-03-02,phone,contacted,\n").encode(), "client id not in the client list"),
        ("huge.csv", (_H + "C1,2026-03-02,phone,renewed,1e308\n").encode(), "not an amount"),
        ("nan.csv", (_H + "C1,2026-03-02,phone,renewed,nan\n").encode(), "not an amount"),
        ("wide.csv", (_H + "C1," + "2026-03-02,phone,renewed,1,x\n").encode(), "more values than the header"),
        ("book.xlsx", b"not a workbook", "cannot be read as an Excel workbook"),
        ("old.xls", b"\xd0\xcf\x11\xe0", ".xls files are not supported"),
        ("data.parquet", b"PAR1", "cannot be read as Parquet"),
        ("notes.json", b"{}", "unsupported file type"),
        ("long.csv", (_H + "C" + "1" * 300 + ",2026-03-02,phone,contacted,\n").encode(), "longer than 200"),
    ],
)
def test_no_import_file_gets_a_traceback(runner, campaign, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = invoke(runner, "outcome", "import", path, "--config", campaign)
    assert result.exit_code in (0, 2), result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert message in result.output


def test_a_missing_import_file_is_named_as_such(runner, campaign, tmp_path):
    result = invoke(runner, "outcome", "import", tmp_path / "week-12.csv", "--config", campaign)
    assert result.exit_code == 2
    assert "week-12.csv: the file to import was not found" in result.output
    assert "reconnect outcome import week-12.csv --config campaign.toml" in result.output
    assert "[data]" not in result.output
    folder = invoke(runner, "outcome", "import", tmp_path, "--config", campaign)
    assert folder.exit_code == 2
    assert "is a folder, not a file" in folder.output


def test_a_missing_plan_is_named_without_pointing_at_data(runner, campaign, tmp_path):
    result = invoke(runner, "outcome", "summary", "--config", campaign, "--plan", tmp_path / "plan.csv")
    assert result.exit_code == 2
    assert "'--plan'" in result.output
    assert "does not exist" in result.output
    assert "[data]" not in result.output


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
    # worded for an owner: what "replied" counts, and who the Kaplan-Meier count is
    assert "answered (any reply)" in out
    assert "Of the stage before" in out
    assert "Not yet won back, followed this long" in out
    assert "No hold-out group" in out
    # 8,045 events of the campaign and 62 referrals
    assert "History synced from outcomes.csv: 8,107 rows read, 8,107 recorded" in out


def test_summary_json_of_the_sample_after_the_table_records_nothing_twice(planner):
    as_json = CliRunner().invoke(main, ["outcome", "summary", "--config", str(planner), "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    payload = json.loads(as_json.output)
    assert payload["notes"][0].startswith("History synced from outcomes.csv: 8,107 rows read")
    overall = payload["tables"]["overall"][0]
    assert (overall["contacted"], overall["won_back"]) == (3000, 1530)
    assert overall["rate_low"] == pytest.approx(0.4921, abs=1e-4)
    assert "not established" in payload["statement"]
    with OutcomeStore.from_config(load_config(planner)) as store:
        assert store.count() == 8107  # synced on every summary, recorded once


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


def test_names_that_look_like_terminal_markup_are_printed_as_typed(runner, campaign):
    # rich read "[/]" as a closing tag (a traceback) and "[red]" as a colour in titles and cells
    campaign.write_text(
        campaign.read_text(encoding="utf-8").replace('name = "small"', 'name = "Acme [/] [red]x"'),
        encoding="utf-8",
    )
    done = invoke(runner, "outcome", "record", "--config", campaign, "--client", "C1", "--kind", "contacted",
                  "--channel", "phone", "--date", "2026-03-05", "--by", "Bob [/]")  # fmt: skip
    assert done.exit_code == 0, done.output
    for command in ("events", "summary"):
        shown = invoke(runner, "outcome", command, "--config", campaign)
        assert shown.exit_code == 0, shown.output
        assert "Acme [/] [red]x" in shown.output
    assert "Bob [/]" in invoke(runner, "outcome", "events", "--config", campaign).output

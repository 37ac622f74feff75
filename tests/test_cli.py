"""The reconnect command: readable tables, machine formats, and errors without tracebacks."""

import json
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from reconnect_lib.cli import main

SAMPLE = Path(__file__).parents[1] / "data" / "sample"
CONSULTING = str(SAMPLE / "consulting-firm" / "campaign.toml")


@pytest.fixture
def runner():
    return CliRunner()


def test_buckets_prints_a_table_with_totals(runner):
    result = runner.invoke(main, ["buckets", "--config", CONSULTING])
    assert result.exit_code == 0, result.output
    out = result.output
    for label in (
        "active (< 6 months)",
        "6–12 months",
        "1–2 years",
        "2–3 years",
        "3 years and more",
        "Total",
    ):
        assert label in out
    assert "532" in out  # clients in the sample consulting firm
    assert "clients.csv: 532 rows read, 532 kept" in out


def test_buckets_csv_and_json_agree(runner):
    as_csv = runner.invoke(main, ["buckets", "--config", CONSULTING, "--format", "csv"])
    as_json = runner.invoke(main, ["buckets", "--config", CONSULTING, "--format", "json"])
    assert as_csv.exit_code == as_json.exit_code == 0
    frame = pd.read_csv(StringIO(as_csv.output))
    records = json.loads(as_json.output)
    assert list(frame["clients"]) == [r["clients"] for r in records]
    assert frame["clients"].sum() == 532


def test_as_of_flag_overrides_the_campaign_file(runner):
    base = runner.invoke(main, ["buckets", "--config", CONSULTING, "--format", "json"])
    later = runner.invoke(
        main, ["buckets", "--config", CONSULTING, "--format", "json", "--as-of", "2027-06-01"]
    )
    due = [sum(r["due"] for r in json.loads(x.output)) for x in (base, later)]
    assert due[1] > due[0]


def test_bad_config_is_one_message_and_exit_2(runner, tmp_path):
    bad = tmp_path / "campaign.toml"
    bad.write_text('[campaign]\nname = "x"\n[data]\nclients = "missing.csv"\n[plan]\nstrategy = "loud"\n')
    result = runner.invoke(main, ["buckets", "--config", str(bad), "--as-of", "2026-01-01"])
    assert result.exit_code == 2
    assert "plan.strategy" in result.output
    assert "Traceback" not in result.output


def test_missing_data_file_is_reported_not_raised(runner, tmp_path):
    cfg = tmp_path / "campaign.toml"
    cfg.write_text('[campaign]\nname = "x"\nas_of = 2026-01-01\n[data]\nclients = "missing.csv"\n')
    result = runner.invoke(main, ["buckets", "--config", str(cfg)])
    assert result.exit_code == 2
    assert "missing.csv" in result.output
    assert "Traceback" not in result.output


def test_sample_command_writes_a_campaign_that_buckets(runner, tmp_path):
    out = tmp_path / "firm"
    result = runner.invoke(
        main, ["sample", str(out), "--firm", "consulting-firm", "--seed", "7", "--reports-folder", "reports"]
    )
    assert result.exit_code == 0, result.output
    assert (out / "campaign.toml").exists()
    table = runner.invoke(main, ["buckets", "--config", str(out / "campaign.toml"), "--format", "json"])
    assert table.exit_code == 0, table.output
    assert sum(r["clients"] for r in json.loads(table.output)) > 500


def test_buckets_engine_flag_lists_the_engines(runner):
    result = runner.invoke(main, ["buckets", "--config", CONSULTING, "--engine", "dask"])
    assert result.exit_code == 2
    for engine in ("pandas", "polars", "duckdb", "spark"):
        assert engine in result.output


def test_buckets_on_duckdb_prints_the_pandas_table(runner):
    want = runner.invoke(main, ["buckets", "--config", CONSULTING])
    got = runner.invoke(main, ["buckets", "--config", CONSULTING, "--engine", "duckdb"])
    assert got.exit_code == 0, got.output
    assert got.output == want.output

"""campaign.toml: defaults, relative paths, and errors that name the wrong key."""

from datetime import date
from pathlib import Path

import pytest

from reconnect_lib.config import DEFAULT_CAPACITY, load_config, parse_config
from reconnect_lib.errors import ConfigError

MINIMAL = {"campaign": {"name": "demo"}, "data": {"clients": "clients.csv"}}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "campaign.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_follow_the_field_reports():
    cfg = parse_config(MINIMAL)
    assert cfg.dormancy.edges_months == (6, 12, 24, 36)
    assert cfg.dormancy.due_after_months == 6
    assert cfg.plan.capacity["letter"] == 10
    assert cfg.plan.strategy == "round_robin"
    assert cfg.dormancy.measure_from == "latest"


def test_relative_paths_resolve_against_the_campaign_folder(tmp_path):
    path = write(
        tmp_path,
        '[campaign]\nname = "x"\nas_of = 2026-11-23\n'
        '[data]\nclients = "in/clients.csv"\ntransactions = "/abs/tx.csv"\n'
        '[reports]\nfolder = "../reports"\n',
    )
    cfg = load_config(path)
    assert cfg.data.clients == tmp_path.resolve() / "in" / "clients.csv"
    assert cfg.data.transactions == Path("/abs/tx.csv")
    assert cfg.reports.folder == tmp_path.resolve().parent / "reports"
    assert cfg.outcomes.database == f"sqlite:///{tmp_path.resolve()}/outcomes.sqlite"
    assert cfg.campaign.as_of == date(2026, 11, 23)
    assert cfg.source == path.resolve()


def test_partial_capacity_keeps_other_channels():
    cfg = parse_config({**MINIMAL, "plan": {"capacity": {"letter": 25}}})
    assert cfg.plan.capacity == {**DEFAULT_CAPACITY, "letter": 25}


def test_unknown_key_is_named_with_the_allowed_keys(tmp_path):
    path = write(tmp_path, '[campaign]\nname = "x"\n[data]\nclients = "c.csv"\n[plan]\ncapcity = 3\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    text = str(info.value)
    assert "campaign.toml" in text
    assert "unknown key `plan.capcity`" in text
    assert "capacity" in text


def test_wrong_values_are_all_reported_at_once():
    raw = {
        **MINIMAL,
        "plan": {"strategy": "loudest"},
        "dormancy": {"edges_months": [12, 6]},
        "value": {"basis": "vibes"},
    }
    with pytest.raises(ConfigError) as info:
        parse_config(raw)
    text = str(info.value)
    assert text.startswith("3 problems")
    assert "`plan.strategy` = 'loudest'" in text
    assert "round_robin" in text
    assert "`dormancy.edges_months`" in text
    assert "`value.basis` = 'vibes'" in text


def test_missing_required_key_is_named():
    with pytest.raises(ConfigError, match=r"missing key `data\.clients`"):
        parse_config({"campaign": {"name": "x"}, "data": {}})


def test_negative_capacity_is_refused():
    with pytest.raises(ConfigError, match="cannot be negative"):
        parse_config({**MINIMAL, "plan": {"capacity": {"phone": -1}}})


def test_missing_file_and_bad_toml(tmp_path):
    with pytest.raises(ConfigError, match="campaign file not found"):
        load_config(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[campaign\nname="))


@pytest.mark.parametrize("firm", ["consulting-firm", "financial-planner"])
def test_sample_campaigns_parse(firm):
    cfg = load_config(Path(__file__).parents[1] / "data" / "sample" / firm / "campaign.toml")
    assert cfg.campaign.name == firm
    assert cfg.data.clients.exists()


def test_value_model_choices():
    assert parse_config(MINIMAL).value.model == "historical"
    assert parse_config({**MINIMAL, "value": {"model": "bgnbd"}}).value.model == "bgnbd"
    with pytest.raises(ConfigError, match=r"value\.model"):
        parse_config({**MINIMAL, "value": {"model": "pareto"}})


def test_engine_defaults_to_pandas_and_names_its_choices():
    assert parse_config(MINIMAL).engine.name == "pandas"
    cfg = parse_config({**MINIMAL, "engine": {"name": "spark", "master": "spark://head:7077"}})
    assert (cfg.engine.name, cfg.engine.master) == ("spark", "spark://head:7077")
    with pytest.raises(ConfigError, match="'pandas', 'polars', 'duckdb' or 'spark'"):
        parse_config({**MINIMAL, "engine": {"name": "dask"}})
    with pytest.raises(ConfigError, match="settings of the spark engine"):
        parse_config({**MINIMAL, "engine": {"name": "duckdb", "master": "local[2]"}})

"""campaign.toml: defaults, relative paths, and errors that name the wrong key."""

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


def test_plan_channels_are_an_order_of_preference_named_when_wrong(tmp_path):
    assert parse_config(MINIMAL).plan.channels is None
    cfg = parse_config({**MINIMAL, "plan": {"channels": ["email", "phone"]}})
    assert cfg.plan.channels == ("email", "phone")
    for line, reason in (
        ('channels = ["email", "email"]', "each once"),
        ("channels = []", "each once"),
        ('channels = "email"', "valid tuple"),
        ('channels = ["pigeon"]', "'letter', 'email' or 'phone'"),
        ('channels = ["email"]\ncapacity = { email = 0 }', "capacity of 0"),
    ):
        path = write(tmp_path, f'[campaign]\nname = "x"\n[data]\nclients = "c.csv"\n[plan]\n{line}\n')
        with pytest.raises(ConfigError) as info:
            load_config(path)
        text = str(info.value)
        assert "plan.channels" in text, text
        assert reason in text, text
        assert 'channels = ["letter", "email", "phone"] under [plan]' in text


def test_sender_names_who_writes_and_is_checked_as_one_line(tmp_path):
    assert parse_config(MINIMAL).sender.signer == ""
    sender = {"firm": "Pike & Okoye", "signer": "Daniel Okoye", "role": "Director"}
    sender |= {"phone": "0191 498 0000", "email": "office@example.com"}
    assert parse_config({**MINIMAL, "sender": sender}).sender.model_dump() == sender
    for line, reason in (
        ('email = "office"', "not an e-mail address"),
        ('email = "a@b.com\\nBcc: x@y.com"', "one line"),
        ('signer = "Dan\\r\\nBcc: x"', "one line"),
        ("phone = 1914980000", "valid string"),
    ):
        path = write(tmp_path, f'[campaign]\nname = "x"\n[data]\nclients = "c.csv"\n[sender]\n{line}\n')
        with pytest.raises(ConfigError) as info:
            load_config(path)
        text = str(info.value)
        assert "sender." in text, text
        assert reason in text, text
        assert "under [sender]" in text, text


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
    with pytest.raises(ConfigError, match=r"`plan\.capacity\.phone` = -1 .*greater than or equal to 0"):
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


# --- Whatever campaign.toml holds, load_config gives a config or a ConfigError (issue 15, item 8) ---

SAMPLE_TOML = (Path(__file__).parents[1] / "data" / "sample" / "consulting-firm" / "campaign.toml").read_text(
    encoding="utf-8"
)


def _loaded_or_config_error(path: Path) -> str:
    """Load `path`; return the error text, or "" when it loads. Any other exception fails the test."""
    try:
        load_config(path)
    except ConfigError as err:
        return str(err)
    return ""


def test_latin1_file_names_the_byte_line_and_the_fix(tmp_path):
    path = tmp_path / "campaign.toml"
    path.write_bytes(SAMPLE_TOML.replace("Fictional", "Fictiønal").encode("latin-1"))
    text = _loaded_or_config_error(path)
    assert text.startswith("campaign.toml: not UTF-8 text (byte 0xf8 at line ")
    assert "save campaign.toml as UTF-8" in text


def test_a_byte_order_mark_is_fine(tmp_path):
    path = tmp_path / "campaign.toml"
    path.write_bytes(b"\xef\xbb\xbf" + SAMPLE_TOML.encode("utf-8"))
    assert load_config(path).campaign.name == "consulting-firm"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "is empty: it sets no key"),
        (b"# only a comment\n", "is empty: it sets no key"),
        (bytes(range(256)), "not UTF-8 text"),
        (b"\x00\x01\x02 binary", "not valid TOML"),
        (b'[campaign]\nname = "x"\nsecret = "hunter2\n', "(at line 3, column"),
        (b"x" * 2_000_000, "larger than 1,000,000 bytes"),
    ],
)
def test_empty_binary_invalid_or_huge_file(tmp_path, content, expected):
    path = tmp_path / "campaign.toml"
    path.write_bytes(content)
    text = _loaded_or_config_error(path)
    assert text.startswith("campaign.toml")
    assert expected in text
    assert "hunter2" not in text  # TOML errors give the place, not the file's content


def test_a_folder_is_not_a_campaign_file(tmp_path):
    (tmp_path / "campaign.toml").mkdir()
    assert "is a folder, not a campaign file" in _loaded_or_config_error(tmp_path / "campaign.toml")


_SECTIONS_OF = {
    "letter": "plan.capacity",
    "due_after_months": "dormancy",
    "keep_up_weeks": "dormancy",
    "follow_up_days": "plan",
    "seed": "plan",
    "holdout_share": "plan",
    "prior_strength": "value",
}


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("letter", "99999999999999999999", "less than or equal to 10000000"),
        ("letter", "-1", "greater than or equal to 0"),
        ("letter", "true", "valid integer"),
        ("letter", '"10"', "valid integer"),
        ("letter", "10.5", "valid integer"),
        ("letter", "{ a = 1 }", "valid integer"),
        ("due_after_months", "0", "greater than or equal to 1"),
        ("due_after_months", "99999999999999999999", "less than or equal to 1200"),
        ("keep_up_weeks", "1e400", "valid integer"),
        ("follow_up_days", "99999999999999999999", "less than or equal to 365"),
        ("seed", "-1", "greater than or equal to 0"),
        ("seed", "99999999999999999999", "less than or equal to"),
        ("holdout_share", "nan", "finite number"),
        ("holdout_share", "false", "valid number"),
        ("prior_strength", "1e400", "finite number"),
        ("prior_strength", "0", "greater than 0"),
        ("prior_strength", "[1, 2]", "valid number"),
    ],
)
def test_absurd_numbers_name_the_file_key_expected_and_fix(tmp_path, key, value, reason):
    section = _SECTIONS_OF[key]
    path = write(tmp_path, MINIMAL_TOML + f"\n[{section}]\n{key} = {value}\n")
    text = _loaded_or_config_error(path)
    assert text.startswith(f"campaign.toml: key `{section}.{key}` = ")
    assert reason in text
    assert "(expected " in text
    assert "Hint: set e.g. " in text


MINIMAL_TOML = '[campaign]\nname = "x"\n[data]\nclients = "c.csv"\n'


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("edges_months = [6, 12, 99999999999999999999]", "`dormancy.edges_months[2]`"),
        ("edges_months = [true, 12]", "`dormancy.edges_months[0]`"),
        ("edges_months = [12, 6]", "increasing order"),
        ("edges_months = []", "increasing order"),
    ],
)
def test_bucket_edges_are_whole_months_in_range(tmp_path, line, reason):
    text = _loaded_or_config_error(write(tmp_path, MINIMAL_TOML + f"[dormancy]\n{line}\n"))
    assert reason in text
    assert "expected whole months from 1 to 1200" in text


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2024-02-31", "not valid TOML: Invalid date or datetime (at line 3"),
        ('"2024-02-31"', "day value is outside expected range"),
        ("2026-11-23T10:00:00", "is a date and time"),
        ("2026-11-23T00:00:00", "is a date and time"),
        ("9999-01-01", "must be from 1900-01-01 to 2199-12-31"),
        ("1899-12-31", "must be from 1900-01-01 to 2199-12-31"),
        ("20261123", "is not a date"),
        ("0", "is not a date"),
    ],
)
def test_as_of_is_a_date_in_range(tmp_path, value, reason):
    path = write(tmp_path, f'[campaign]\nname = "x"\nas_of = {value}\n[data]\nclients = "c.csv"\n')
    text = _loaded_or_config_error(path)
    assert text.startswith("campaign.toml")
    assert reason in text


def _toml_escaped(text: str) -> str:
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


@pytest.mark.parametrize("name", ["  ", "tab\there", "new\nline", "bell\u0007"])
def test_campaign_name_is_readable_text(tmp_path, name):
    text = _loaded_or_config_error(
        write(tmp_path, f'[campaign]\nname = "{_toml_escaped(name)}"\n[data]\nclients = "c.csv"\n')
    )
    assert "key `campaign.name`" in text
    assert "readable name" in text


@pytest.mark.parametrize("name", ["/tmp/elsewhere", "../up", "..", "a\\b", "Acme / Partners"])
def test_a_path_like_campaign_name_is_kept_as_written(tmp_path, name):
    # The report folder is made safe from the name (files.safe_folder_name); the name stays the user's.
    quoted = name.replace("\\", "\\\\")
    path = write(tmp_path, f'[campaign]\nname = "{quoted}"\n[data]\nclients = "c.csv"\n')
    assert load_config(path).campaign.name == name


@pytest.mark.parametrize(
    "line", ['clients = ""', 'clients = "  "', 'clients = "a\\u0000b"', "clients = 3", "clients = 2026-01-01"]
)
def test_path_keys_are_non_empty_text(tmp_path, line):
    text = _loaded_or_config_error(write(tmp_path, f'[campaign]\nname = "x"\n[data]\n{line}\n'))
    assert "key `data.clients`" in text
    assert "expected the path of the client list" in text


def test_reports_folder_is_not_empty(tmp_path):
    text = _loaded_or_config_error(write(tmp_path, MINIMAL_TOML + '[reports]\nfolder = ""\n'))
    assert "key `reports.folder` = '' is not valid: is empty" in text


@pytest.mark.parametrize("master", ["nonsense", "", "local[0]"])
def test_spark_master_is_a_master_url(master):
    with pytest.raises(ConfigError, match=r"engine\.master.*expected a Spark master URL"):
        parse_config({**MINIMAL, "engine": {"name": "spark", "master": master}})


def test_a_value_fitting_no_member_of_a_union_is_one_problem(tmp_path):
    text = _loaded_or_config_error(write(tmp_path, MINIMAL_TOML.replace('"c.csv"', '"c.xlsx"\nsheet = true')))
    assert text.startswith("campaign.toml: key `data.sheet` = true is not valid")
    assert text.count("data.sheet") == 1


def test_check_files_names_the_key_of_a_missing_file_or_a_folder(tmp_path):
    from reconnect_lib.config import check_files

    (tmp_path / "clients.csv").write_text("client_id\nA\n", encoding="utf-8")
    (tmp_path / "history").mkdir()
    path = write(
        tmp_path,
        '[campaign]\nname = "x"\n[data]\nclients = "clients.csv"\n'
        'transactions = "client.csv"\noutcomes = "history"\n',
    )
    cfg = load_config(path)
    with pytest.raises(ConfigError) as info:
        check_files(cfg)
    text = str(info.value)
    assert text.startswith("2 problems in campaign.toml")
    assert "key `data.transactions`" in text
    assert "file not found" in text
    assert "did you mean 'clients.csv'?" in text
    assert "key `data.outcomes`" in text
    assert "is a folder, not a file" in text
    check_files(load_config(write(tmp_path, '[campaign]\nname = "x"\n[data]\nclients = "clients.csv"\n')))


# TOML values of every kind, written as TOML text, for the property below.
_scalars = st.one_of(
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=20),
    st.dates(),
    st.datetimes(),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(["a", "letter", "x y"]), inner, max_size=3),
    ),
    max_leaves=8,
)


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if value != value
            else ("inf" if value > 0 else "-inf")
            if abs(value) == float("inf")
            else repr(value)
        )
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + "}"


KEYS = [
    ("campaign", "name"),
    ("campaign", "as_of"),
    ("campaign", "description"),
    ("data", "clients"),
    ("data", "transactions"),
    ("data", "outcomes"),
    ("data", "column_map"),
    ("data", "columns"),
    ("data", "date_format"),
    ("data", "dayfirst"),
    ("data", "decimal"),
    ("data", "delimiter"),
    ("data", "encoding"),
    ("data", "sheet"),
    ("dormancy", "edges_months"),
    ("dormancy", "measure_from"),
    ("dormancy", "due_after_months"),
    ("dormancy", "keep_up_weeks"),
    ("value", "basis"),
    ("value", "model"),
    ("value", "prior_strength"),
    ("value", "prior"),
    ("plan", "strategy"),
    ("plan", "capacity"),
    ("plan", "follow_up_days"),
    ("plan", "gift"),
    ("plan", "holdout_share"),
    ("plan", "seed"),
    ("plan", "channels"),
    ("sender", "firm"),
    ("sender", "signer"),
    ("sender", "email"),
    ("outcomes", "database"),
    ("reports", "folder"),
    ("engine", "name"),
    ("engine", "master"),
    ("engine", "spark_config"),
    ("costs", "letter_postage"),
    ("costs", "call_minutes"),
    ("costs", "call_flat"),
    ("costs", "fixed"),
]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(KEYS), value=_values)
def test_any_value_of_any_key_loads_or_is_a_config_error(tmp_path, key, value):
    section, name = key
    body = {"campaign": 'name = "x"\n', "data": 'clients = "c.csv"\n'}
    body[section] = body.get(section, "") + f"{name} = {_toml(value)}\n"
    text = "".join(f"[{s}]\n{b}" for s, b in body.items())
    path = write(tmp_path, text)
    error = _loaded_or_config_error(path)
    if error:
        assert "campaign.toml" in error


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(lambda t: t.encode("utf-8"))))
def test_any_bytes_load_or_are_a_config_error(tmp_path, content):
    path = tmp_path / "campaign.toml"
    path.write_bytes(content)
    error = _loaded_or_config_error(path)
    if error:
        assert "campaign.toml" in error


def test_currency_and_locale_are_optional_and_checked():
    cfg = parse_config(MINIMAL)
    assert (cfg.campaign.currency, cfg.campaign.locale) == (None, None)  # plain numbers, as before
    cfg = parse_config({**MINIMAL, "campaign": {"name": "demo", "currency": "gbp", "locale": "en_GB"}})
    assert (cfg.campaign.currency, cfg.campaign.locale) == ("GBP", "en_GB")


@pytest.mark.parametrize(
    ("key", "value"), [("currency", "XYZ"), ("currency", "£"), ("currency", "EURO"), ("locale", "xx_YY")]
)
def test_an_unknown_currency_or_locale_names_its_key(key, value):
    with pytest.raises(ConfigError, match=rf"key `campaign.{key}` = '{value}' is not valid") as caught:
        parse_config({**MINIMAL, "campaign": {"name": "demo", key: value}})
    assert f'{key} = "' in str(caught.value)  # the hint shows a valid line


def test_costs_are_amounts_and_a_call_is_costed_one_way(tmp_path):
    base = '[campaign]\nname = "x"\n[data]\nclients = "c.csv"\n[costs]\n'
    costs = load_config(
        write(tmp_path, base + "letter_postage = 0.85\ncall_minutes = 10\nhourly_rate = 30\n")
    ).costs
    assert (costs.letter_postage, costs.call_minutes, costs.hourly_rate, costs.call_flat) == (
        0.85,
        10.0,
        30.0,
        None,
    )
    assert costs.any
    assert not load_config(write(tmp_path, base)).costs.any
    with pytest.raises(ConfigError, match="costs") as caught:
        load_config(write(tmp_path, base + "call_flat = 5\ncall_minutes = 10\n"))
    assert "either flat" in str(caught.value)
    with pytest.raises(ConfigError, match=r"costs\.gift"):
        load_config(write(tmp_path, base + "gift = -1\n"))

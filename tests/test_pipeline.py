"""The composed pipeline on the sample firms: the field reports' numbers come out."""

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reconnect_lib as rl
from reconnect_lib.errors import ConfigError

SAMPLE = Path(__file__).parents[1] / "data" / "sample"


@pytest.fixture(scope="module")
def consulting():
    return rl.scored_base(SAMPLE / "consulting-firm" / "campaign.toml")


@pytest.fixture(scope="module")
def planner():
    return rl.scored_base(SAMPLE / "financial-planner" / "campaign.toml")


def test_consulting_firm_has_over_500_clients_most_of_them_due(consulting):
    table = consulting.buckets
    assert table["clients"].sum() == len(consulting.scored) > 500
    assert table["due"].sum() > 400
    # some have not been contacted or bought for over 3 years
    assert table.loc[table["dormancy_bucket"] == "3 years and more", "clients"].item() > 50
    assert table["share_of_revenue"].sum() == pytest.approx(1.0)


def test_financial_planner_has_3000_clients_lapsed_before_the_campaign(planner):
    # The 3,000 lapsed clients of the campaign, then the 25 people their referrals brought in since.
    events = pd.read_csv(SAMPLE / "financial-planner" / "outcomes.csv", dtype=str)
    referred = set(events["referred_client_id"].dropna())
    assert len(referred) == 25
    assert len(planner.scored) == 3000 + 25
    start = date(2026, 3, 2)  # the campaign's first day (see data/sample/financial-planner/README.md)
    inputs = planner.inputs  # loaded as of the sample's as-of date; history after `start` is ignored below
    base = rl.client_base(
        inputs.clients, inputs.transactions, inputs.contacts, as_of=start - timedelta(days=1)
    )
    buckets = rl.dormancy_buckets(base)
    lapsed = ~buckets["client_id"].isin(referred)
    assert lapsed.sum() == 3000
    assert buckets.loc[lapsed, "due"].all()


def test_every_client_in_exactly_one_bucket_and_ranks_are_permutations(consulting):
    scored = consulting.scored
    assert scored["client_id"].is_unique
    assert sorted(scored["priority_rank"]) == list(range(1, len(scored) + 1))
    labels = rl.bucket_labels()
    assert set(scored["dormancy_bucket"]) <= set(labels)


def test_base_summary_agrees_with_the_scored_frame(consulting):
    scored = consulting.scored
    n = rl.base_summary(scored)
    reachable = scored[scored["due"] & ~scored["do_not_contact"]]
    assert n["clients"] == len(scored)
    assert n["due"] == int(scored["due"].sum())
    assert n["due_contactable"] == len(reachable)
    assert n["value_at_stake_due"] == pytest.approx(reachable["value_at_stake"].sum())
    assert n["expected_value_due"] == pytest.approx(reachable["expected_value"].sum())
    assert n["oldest_bucket_clients"] == int((scored["dormancy_bucket"] == "3 years and more").sum())


def test_as_of_comes_from_the_argument_then_the_file_never_the_clock(consulting):
    assert consulting.as_of == date(2026, 11, 23)
    cfg = consulting.config.model_copy(
        update={"campaign": consulting.config.campaign.model_copy(update={"as_of": None})}
    )
    with pytest.raises(ConfigError, match="no as-of date"):
        rl.scored_base(cfg)
    later = rl.scored_base(cfg, as_of=date(2026, 11, 30))
    shift = (
        later.scored.set_index("client_id")["days_dormant"]
        - consulting.scored.set_index("client_id")["days_dormant"]
    )
    assert (shift == 7).all()


def test_keep_up_list_holds_only_clients_not_yet_due(consulting):
    keep_up = consulting.keep_up
    assert not keep_up["due"].any()
    horizon = consulting.as_of + timedelta(weeks=consulting.config.dormancy.keep_up_weeks)
    assert (keep_up["crosses_on"].dt.date <= horizon).all()


def test_segment_table_covers_every_client(consulting):
    seg = rl.segment_table(consulting.scored)
    assert seg["clients"].sum() == len(consulting.scored)
    assert seg["total_revenue"].sum() == pytest.approx(consulting.scored["total_revenue"].sum())
    assert list(seg["total_revenue"]) == sorted(seg["total_revenue"], reverse=True)


def test_import_pulls_in_no_heavy_optional_engine():
    import subprocess
    import sys

    code = (
        "import sys, reconnect_lib\n"
        "heavy = {'polars', 'duckdb', 'pyspark', 'playwright', 'openpyxl', 'plotly', 'scipy', 'sqlalchemy',"
        " 'statsmodels'} & set(sys.modules)\n"
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_outcome_log_feeds_status_and_win_back_chance(tmp_path):
    # A copy, so the sample's SQLite store is created in tmp_path, not in the repo.
    firm = tmp_path / "financial-planner"
    shutil.copytree(SAMPLE / "financial-planner", firm)
    campaign = rl.scored_base(firm / "campaign.toml", outcomes=True)
    status = campaign.status.set_index("client_id")
    assert int(status["is_won_back"].sum()) == 1530
    assert (firm / "outcomes.sqlite").exists()
    observed = campaign.observed.set_index("dormancy_bucket")
    assert int(observed["contacted"].sum()) == 3000
    # the observed 6–12 month win-back (about 71 %) lifts that bucket's chance above its 50 % prior
    chances = campaign.scored.groupby("dormancy_bucket")["win_back_chance"].first()
    assert chances["6–12 months"] > 0.6
    # The log is read by default when the campaign has one: every output sees the same history.
    default = rl.scored_base(firm / "campaign.toml")
    pd.testing.assert_frame_equal(default.scored, campaign.scored)
    prior_only = rl.scored_base(firm / "campaign.toml", outcomes=False)
    assert prior_only.status is None
    assert prior_only.scored.groupby("dormancy_bucket")["win_back_chance"].first()["6–12 months"] == 0.5


def test_bgnbd_value_model_values_clients_at_their_own_rhythm(consulting):
    from reconnect_lib import clv

    cfg = consulting.config
    model_cfg = cfg.model_copy(update={"value": cfg.value.model_copy(update={"model": "bgnbd"})})
    modelled = rl.scored_base(model_cfg)
    scored = modelled.scored.set_index("client_id")
    rhythm = clv.base_purchase_rhythm(consulting.inputs.transactions, as_of=consulting.as_of)
    s = rhythm.scores.set_index("client_id")
    usable = s[(s["expected_spend"] > 0) & s["rhythm_days"].gt(0)]
    expected = usable["expected_spend"] * 365.0 / usable["rhythm_days"]
    got = scored.loc[expected.index, "value_at_stake"].to_numpy()
    assert got == pytest.approx(expected.to_numpy(), rel=1e-12)
    others = scored.index.difference(expected.index)
    historical = consulting.scored.set_index("client_id")
    assert (scored.loc[others, "value_at_stake"] == historical.loc[others, "value_at_stake"]).all()
    assert sorted(scored["priority_rank"]) == list(range(1, len(scored) + 1))
    assert (scored["expected_value"] <= scored["value_at_stake"] + 1e-9).all()
    # The notebooks' purchase_rhythm is the same fit to the last bit: one rhythm.
    notebooks = clv.purchase_rhythm(consulting.inputs.transactions, as_of=consulting.as_of)
    pd.testing.assert_frame_equal(notebooks.scores, rhythm.scores, check_dtype=False)  # (id: str vs string)


def test_bgnbd_summary_is_rfm_summary_with_money_in_whole_cents(consulting):
    from reconnect_lib import clv

    tx = consulting.inputs.transactions
    summary = clv.base_summary(tx, as_of=consulting.as_of)
    want = clv.rfm_summary(tx, as_of=consulting.as_of)
    pd.testing.assert_frame_equal(summary, want, check_dtype=False)
    pd.testing.assert_frame_equal(tx, consulting.inputs.transactions)  # not modified


@pytest.mark.parametrize("engine", ["pandas", "polars", "duckdb"])
def test_bgnbd_without_a_purchase_history_says_what_to_add(tmp_path, engine):
    (tmp_path / "clients.csv").write_text("client_id,last_contact\nA1,2024-01-01\n", encoding="utf-8")
    toml = tmp_path / "campaign.toml"
    toml.write_text(
        '[campaign]\nname = "t"\nas_of = 2025-01-01\n[data]\nclients = "clients.csv"\n'
        '[value]\nmodel = "bgnbd"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"needs a purchase history[\s\S]*transactions = "):
        rl.scored_base(toml, engine=engine)


@pytest.mark.parametrize("as_of", [date(1899, 12, 31), date(2200, 1, 1), date(9999, 12, 31)])
def test_an_as_of_out_of_range_is_refused_before_any_date_overflows(as_of):
    with pytest.raises(
        ConfigError, match=r"is out of range \(expected a date from 1900-01-01 to 2199-12-31\)"
    ):
        rl.scored_base(SAMPLE / "consulting-firm" / "campaign.toml", as_of=as_of)


def test_an_as_of_that_is_not_a_date_is_refused():
    with pytest.raises(ConfigError, match=r"as_of='2026-11-23' is not a date"):
        rl.scored_base(SAMPLE / "consulting-firm" / "campaign.toml", as_of="2026-11-23")


def test_a_folder_given_as_a_data_file_names_campaign_toml_and_the_key(tmp_path):
    folder = tmp_path / "firm"
    shutil.copytree(SAMPLE / "consulting-firm", folder)
    toml = folder / "campaign.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('contacts = "contacts.csv"', 'contacts = "."'),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        rl.scored_base(toml)
    text = str(info.value)
    assert text.startswith("campaign.toml: key `data.contacts` = ")
    assert "is a folder, not a file" in text


_IDS = st.sampled_from(["C1", "C2", "c1", "C01", None])
_DAYS = st.one_of(
    st.none(),
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 1, 6)),
)


@settings(max_examples=60, deadline=None)
@given(
    history=st.lists(st.tuples(_IDS, _DAYS), max_size=12),
    rows=st.lists(
        st.tuples(_IDS.filter(lambda x: x is not None), st.dates(date(2026, 1, 1), date(2026, 1, 6))),
        max_size=8,
    ),
)
def test_the_log_s_rows_already_in_a_history_are_found_on_every_engine(history, rows):
    # The outcome log's contacts and renewals join the histories unless the client has one on
    # that day already; on pandas the keys are matched as a set, on other engines by a join.
    import polars as pl

    from reconnect_lib.history import _new_rows

    past = pd.DataFrame(
        {
            "client_id": pd.Series([i for i, _ in history], dtype="string"),
            "date": pd.Series([d for _, d in history], dtype="datetime64[ns]"),
        }
    )
    new = pd.DataFrame(
        {
            "client_id": pd.Series([i for i, _ in rows], dtype="string"),
            "date": pd.to_datetime(pd.Series([d for _, d in rows], dtype=object)).astype("datetime64[ns]"),
        }
    )
    known = {(i, pd.Timestamp(d).normalize()) for i, d in history if i is not None and d is not None}
    keep = pd.Series([(i, pd.Timestamp(d)) not in known for i, d in rows], index=new.index, dtype=bool)
    expected = new[keep].reset_index(drop=True)
    keys = ["client_id", "date"]
    pd.testing.assert_frame_equal(_new_rows(past, new, keys), expected)
    pd.testing.assert_frame_equal(_new_rows(pl.from_pandas(past), new, keys), expected)

"""One pipeline, every engine: pandas, Polars (eager and lazy), PyArrow, DuckDB and Spark agree.

The client base, buckets and scores computed on each engine are collected
with :func:`reconnect_lib.engines.to_pandas` and compared with the pandas
engine's with ``assert_frame_equal``: every date to the day, every amount to
the cent (exactly: money is summed in whole cents), every rank identical.

Spark runs in local mode on the sample firms only (one session for the whole
run; starting it costs seconds). Without Java or PySpark its tests skip, except
on CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import reconnect_lib as rl
from reconnect_lib import engines
from reconnect_lib.cli import main
from reconnect_lib.client_base import client_base
from reconnect_lib.config import load_config
from reconnect_lib.dormancy import bucket_table, dormancy_buckets, keep_up_list
from reconnect_lib.errors import ConfigError, InputError
from reconnect_lib.load import scan_inputs
from reconnect_lib.value import value_scores

SAMPLE = Path(__file__).parents[1] / "data" / "sample"
FIRMS = ("consulting-firm", "financial-planner")
#: Frame kinds the stages accept (Spark separately, below).
KINDS = ("pandas", "polars", "polars-lazy", "pyarrow", "duckdb")


def as_kind(frame: pd.DataFrame | None, kind: str) -> Any:
    """A pandas frame as the given kind of frame."""
    if frame is None:
        return None
    if kind == "polars":
        return engines.from_pandas(frame, engine="polars", lazy=False)
    if kind == "polars-lazy":
        return engines.from_pandas(frame, engine="polars")
    if kind == "pyarrow":
        return engines.from_pandas(frame, engine="polars", lazy=False).to_arrow()
    return engines.from_pandas(frame, engine=kind)  # type: ignore[arg-type]


def by_client(frame: Any) -> pd.DataFrame:
    """Any frame as pandas, in client order (lazy engines keep no row order)."""
    return engines.to_pandas(frame).sort_values("client_id", ignore_index=True)


def scored_on(kind: str, clients, transactions, contacts, as_of: dt.date, observed=None) -> Any:
    base = client_base(
        as_kind(clients, kind), as_kind(transactions, kind), as_kind(contacts, kind), as_of=as_of
    )
    return value_scores(dormancy_buckets(base), observed=observed)


# The financial planner (3,000 clients and an outcome log) is the slow layer; make check runs the firm.
@pytest.fixture(scope="module", params=[FIRMS[0], pytest.param(FIRMS[1], marks=pytest.mark.slow)])
def firm(request: pytest.FixtureRequest) -> rl.Campaign:
    return rl.scored_base(SAMPLE / request.param / "campaign.toml")


# --- the stages on every kind of frame ------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_stages_give_the_pandas_results_on_every_engine(firm, kind):
    # firm.inputs is the history with the outcome log in it: the stages over it give the
    # campaign's scored base, less what the log's statuses add.
    inputs = firm.inputs
    want = firm.scored.drop(columns=["status", "contactable", "do_not_contact"])
    history = (inputs.clients, inputs.transactions, inputs.contacts, firm.as_of, firm.observed)
    scored = scored_on(kind, *history)
    got = by_client(scored).drop(columns=["do_not_contact"])
    pd.testing.assert_frame_equal(got, by_client(want))
    pandas = scored_on("pandas", *history)
    pd.testing.assert_frame_equal(engines.to_pandas(bucket_table(scored)), bucket_table(pandas))
    keep_up = engines.to_pandas(keep_up_list(scored, as_of=firm.as_of))
    keep_up = keep_up.sort_values(["crosses_on", "client_id"], ignore_index=True)
    want_keep_up = keep_up_list(pandas, as_of=firm.as_of).sort_values(
        ["crosses_on", "client_id"], ignore_index=True
    )
    pd.testing.assert_frame_equal(keep_up, want_keep_up)


@pytest.mark.parametrize("kind", KINDS)
def test_same_kind_out_and_lazy_stays_lazy(firm, kind):
    inputs = firm.inputs
    native = as_kind(inputs.clients, kind)
    scored = scored_on(kind, inputs.clients, inputs.transactions, inputs.contacts, firm.as_of)
    assert type(scored) is type(native)


@pytest.mark.parametrize("kind", ["pandas", "polars", "pyarrow"])
def test_eager_frames_keep_the_client_lists_order(firm, kind):
    # An eager Polars frame is planned lazily inside the stages, and a lazy
    # join keeps no row order: the stages must put the client list's back.
    inputs = firm.inputs
    clients = inputs.clients.sample(frac=1.0, random_state=7, ignore_index=True)
    tx = pd.concat([inputs.transactions] * 20, ignore_index=True)  # several chunks to join
    tx = tx.sample(frac=1.0, random_state=8, ignore_index=True)
    scored = scored_on(kind, clients, tx, inputs.contacts, firm.as_of)
    assert engines.to_pandas(scored)["client_id"].tolist() == clients["client_id"].tolist()


def test_ranks_are_identical_permutations_on_every_engine(firm):
    inputs = firm.inputs
    want = firm.scored.set_index("client_id")[["bucket_rank", "priority_rank"]]
    for kind in ("polars-lazy", "pyarrow", "duckdb"):
        got = by_client(
            scored_on(kind, inputs.clients, inputs.transactions, inputs.contacts, firm.as_of, firm.observed)
        )
        ranks = got.set_index("client_id")[["bucket_rank", "priority_rank"]]
        pd.testing.assert_frame_equal(ranks.loc[want.index], want, obj=kind)
    assert sorted(want["priority_rank"]) == list(range(1, len(want) + 1))


# --- random small histories -----------------------------------------------------------

_DAYS = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2024, 12, 31))
_CENTS = st.integers(min_value=-50_000, max_value=500_000)


@st.composite
def histories(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    n = draw(st.integers(min_value=1, max_value=12))
    ids = [f"c{i:02d}" for i in range(n)]
    since = [draw(st.none() | _DAYS) for _ in ids]
    clients = pd.DataFrame(
        {"client_id": pd.array(ids, dtype="string"), "client_since": pd.to_datetime(since)}
    )
    rows = draw(st.lists(st.tuples(st.sampled_from(ids), _DAYS, _CENTS), max_size=40))
    transactions = pd.DataFrame(
        {
            "client_id": pd.array([r[0] for r in rows], dtype="string"),
            "date": pd.to_datetime([r[1] for r in rows]).astype("datetime64[ns]"),
            # half cents too: whole cents plus 0.005 on some rows
            "amount": [r[2] / 100 + (0.005 if r[2] % 3 == 0 else 0.0) for r in rows],
        }
    )
    touches = draw(st.lists(st.tuples(st.sampled_from(ids), _DAYS), max_size=15))
    contacts = pd.DataFrame(
        {
            "client_id": pd.array([t[0] for t in touches], dtype="string"),
            "date": pd.to_datetime([t[1] for t in touches]).astype("datetime64[ns]"),
        }
    )
    return clients, transactions, contacts


# Each example runs four engines (DuckDB plans some forty queries, about a second
# here), so this property gets fewer examples than the profile's default.
_EXAMPLES = 40 if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else 10


@settings(max_examples=_EXAMPLES)
@given(data=histories(), as_of=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2025, 6, 30)))
def test_random_histories_agree_on_pandas_polars_pyarrow_duckdb(data, as_of):
    clients, transactions, contacts = data
    want = by_client(scored_on("pandas", clients, transactions, contacts, as_of))
    for kind in ("polars-lazy", "pyarrow", "duckdb"):
        got = by_client(scored_on(kind, clients, transactions, contacts, as_of))
        pd.testing.assert_frame_equal(got, want, obj=kind)


# --- the pipeline and the CLI, reading the files with each engine ----------------------


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_scored_base_reads_the_files_with_the_engine(firm, engine):
    lazy = rl.scored_base(firm.config, engine=engine, collect=False)
    assert engines.engine_of(lazy.scored) == engine
    assert lazy.inputs.report.summary() == firm.inputs.report.summary()
    assert f"scanned by {engine}" in lazy.inputs.report.details()
    pd.testing.assert_frame_equal(by_client(lazy.scored), by_client(firm.scored))
    pd.testing.assert_frame_equal(engines.to_pandas(lazy.buckets), firm.buckets)
    collected = rl.scored_base(firm.config, engine=engine)
    pd.testing.assert_frame_equal(collected.scored, firm.scored)  # same rows, same order


def _bgnbd(config):
    return config.model_copy(update={"value": config.value.model_copy(update={"model": "bgnbd"})})


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_bgnbd_value_model_gives_the_pandas_results_on_every_engine(firm, engine):
    config = _bgnbd(firm.config)
    want = rl.scored_base(config)
    modelled = want.scored["model_yearly_value"] != want.scored["yearly_revenue"]
    assert modelled.sum() > 400  # the models valued most clients, not the fallback
    collected = rl.scored_base(config, engine=engine)
    pd.testing.assert_frame_equal(collected.scored, want.scored)  # same rows, same order, same ranks
    lazy = rl.scored_base(config, engine=engine, collect=False)
    assert engines.engine_of(lazy.scored) == engine
    pd.testing.assert_frame_equal(by_client(lazy.scored), by_client(want.scored))
    pd.testing.assert_frame_equal(engines.to_pandas(lazy.buckets), want.buckets)


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_bgnbd_on_an_engine_brings_one_row_per_buyer_to_pandas(monkeypatch, engine):
    config = _bgnbd(load_config(SAMPLE / "consulting-firm" / "campaign.toml"))
    collected: list[int] = []
    to_pandas = engines.to_pandas

    def counting(frame, *args, **kwargs):
        out = to_pandas(frame, *args, **kwargs)
        collected.append(len(out))
        return out

    monkeypatch.setattr(engines, "to_pandas", counting)
    campaign = rl.scored_base(config, engine=engine, collect=False)
    clients = len(to_pandas(campaign.inputs.clients))
    transactions = len(to_pandas(campaign.inputs.transactions))
    assert collected
    assert max(collected) <= clients < transactions  # never the history itself


@pytest.mark.parametrize("kind", KINDS)
def test_bgnbd_summary_and_model_value_on_every_kind_of_frame(firm, kind):
    from reconnect_lib import clv

    tx = firm.inputs.transactions
    want = clv.base_summary(tx, as_of=firm.as_of)
    pd.testing.assert_frame_equal(clv.base_summary(as_kind(tx, kind), as_of=firm.as_of), want)
    rhythm = clv.base_purchase_rhythm(tx, as_of=firm.as_of)
    base = firm.scored.drop(columns=["value_score"])
    native = as_kind(base, kind)
    out = clv.with_model_value(native, rhythm)
    assert type(out) is type(native)
    pd.testing.assert_frame_equal(by_client(out), by_client(clv.with_model_value(base, rhythm)))


def test_engine_comes_from_campaign_toml(tmp_path):
    folder = tmp_path / "firm"
    shutil.copytree(SAMPLE / "consulting-firm", folder)
    toml = folder / "campaign.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[engine]\nname = "duckdb"\n', encoding="utf-8")
    campaign = rl.scored_base(toml, collect=False)
    assert engines.engine_of(campaign.scored) == "duckdb"


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_cli_buckets_prints_the_pandas_table_on_every_engine(engine):
    runner = CliRunner()
    for name in FIRMS:
        config = str(SAMPLE / name / "campaign.toml")
        want = runner.invoke(main, ["buckets", "--config", config])
        got = runner.invoke(main, ["buckets", "--config", config, "--engine", engine])
        assert want.exit_code == got.exit_code == 0, got.output
        assert got.output == want.output


# --- what a scanned table is checked for ----------------------------------------------


def _campaign(tmp_path: Path, clients: str, transactions: str, extra: str = "") -> Path:
    (tmp_path / "clients.csv").write_text(clients, encoding="utf-8")
    (tmp_path / "transactions.csv").write_text(transactions, encoding="utf-8")
    toml = tmp_path / "campaign.toml"
    toml.write_text(
        '[campaign]\nname = "t"\nas_of = 2025-01-01\n'
        f'[data]\nclients = "clients.csv"\ntransactions = "transactions.csv"\n{extra}',
        encoding="utf-8",
    )
    return toml


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_scan_reports_every_bad_row_at_once(tmp_path, engine):
    toml = _campaign(
        tmp_path,
        "Customer ID,Customer Since\n007,2020-01-01\nA2,2020-02-01\n007,2020-03-01\n",
        "client_id,date,amount\n007,2024-01-01,10.5\nZ9,2024-01-02,3\nA2,2026-05-01,4\nA2,2024-01-03,\n",
    )
    with pytest.raises(InputError) as caught:
        scan_inputs(load_config(toml), as_of=dt.date(2025, 1, 1), engine=engine)
    text = str(caught.value)
    assert "client ids that appear more than once" in text
    assert "'007'" in text  # ids are read as text, leading zeros and all
    assert "`date` after the as-of date" in text
    assert "A2: 2026-05-01" in text
    assert "blank `amount`" in text
    assert "1 client id not in the client list" in text
    assert "'Z9'" in text


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_scan_reads_only_iso_dates_from_a_csv(tmp_path, engine):
    toml = _campaign(tmp_path, "client_id\nA1\n", "client_id,date,amount\nA1,01/02/2024,1\nA1,13/02/2024,1\n")
    with pytest.raises(InputError, match=r"2 values of column date are not an ISO date[\s\S]*13/02/2024"):
        scan_inputs(load_config(toml), as_of=dt.date(2025, 1, 1), engine=engine)


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_scan_reports_impossible_iso_days_before_any_stage(tmp_path, engine):
    toml = _campaign(
        tmp_path,
        "Customer ID,Customer Since\nA1,2020-01-01\nA2,2021-04-31\n",
        "client_id,date,amount\n"
        "A1,2024-02-31,1\nA2,2024-13-01,2\nA1,2023-02-29,3\nA2,2024-02-29,4\nA1,2024-00-10,5\n",
    )
    with pytest.raises(InputError) as caught:
        scan_inputs(load_config(toml), as_of=dt.date(2025, 1, 1), engine=engine)
    error = caught.value
    assert [(p.file, p.column) for p in error.problems] == [
        (str(tmp_path / "clients.csv"), "client_since"),
        (str(tmp_path / "transactions.csv"), "date"),
    ]
    since, day = (p.render() for p in error.problems)
    assert "1 value of column Customer Since (read as `client_since`) is not a date" in since
    assert "'A2: 2021-04-31'" in since
    # named by client id, as the other scan checks name rows; 2024-02-29 is a real day
    assert "4 values of column date are not a date" in day
    for shown in ("'A1: 2024-02-31'", "'A2: 2024-13-01'", "'A1: 2023-02-29'", "'A1: 2024-00-10'"):
        assert shown in day
    assert "2024-02-29'" not in day
    assert "(expected dates as YYYY-MM-DD, a month 01 to 12 and a day that month has)" in day
    assert "Hint: correct these cells, or set date_format under [data]" in day


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_scan_rejects_exactly_the_days_the_calendar_lacks(tmp_path, engine):
    # Every month 00-13 and day 00-32 of a common year, a leap year, a century
    # that is not leap (1900) and one that is (2000): the count must be exact.
    cells, impossible = [], 0
    for year in (1900, 2000, 2023, 2024):
        for month in range(14):
            for day in range(33):
                cells.append(f"A1,{year:04d}-{month:02d}-{day:02d},1")
                try:
                    dt.date(year, month, day)
                except ValueError:
                    impossible += 1
    toml = _campaign(tmp_path, "client_id\nA1\n", "client_id,date,amount\n" + "\n".join(cells) + "\n")
    with pytest.raises(InputError) as caught:
        scan_inputs(load_config(toml), as_of=dt.date(2025, 1, 1), engine=engine)
    assert [p.message for p in caught.value.problems] == [
        f"{impossible:,} values of column date are not a date"
    ]


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_scan_rejects_the_days_the_pandas_loader_rejects(tmp_path, engine):
    days = ["2024-02-31", "2024-13-01", "2023-02-29", "2024-02-29", "2024-04-31", "2024-04-30"]
    rows = "".join(f"A1,{d},1\n" for d in days)
    toml = _campaign(tmp_path, "client_id\nA1\n", "client_id,date,amount\n" + rows)
    with pytest.raises(InputError) as on_pandas:
        scan_inputs(load_config(toml), as_of=dt.date(2025, 1, 1), engine="pandas")
    with pytest.raises(InputError) as scanned:
        scan_inputs(load_config(toml), as_of=dt.date(2025, 1, 1), engine=engine)
    assert "not a date" in on_pandas.value.message
    assert "not a date" in scanned.value.message
    # (`values` of an error: the offending cells, not a pandas attribute)
    found = [str(v).removeprefix("A1: ") for v in scanned.value.values]  # noqa: PD011
    assert found == list(on_pandas.value.values)


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_scan_reads_real_iso_days_padded_or_with_a_midnight(tmp_path, engine):
    toml = _campaign(
        tmp_path,
        "client_id\nA1\n",
        "client_id,date,amount\nA1,2024-02-29,1\nA1, 2000-02-29 ,2\nA1,2024-06-30 00:00:00,3\n",
    )
    inputs = scan_inputs(load_config(toml), as_of=dt.date(2025, 1, 1), engine=engine)
    tx = engines.to_pandas(inputs.transactions).sort_values("amount", ignore_index=True)
    assert list(tx["date"]) == [pd.Timestamp(d) for d in ("2024-02-29", "2000-02-29", "2024-06-30")]


#: Every character ``str.split()`` splits on, so the pandas loader collapses.
WHITESPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())


def _messy_text_campaign(tmp_path: Path, suffix: str, spaces: str = WHITESPACE) -> Path:
    """Client ids and names padded with, and broken by, each whitespace character; the
    transactions carry the ids as the pandas loader cleans them."""
    ids = [f"{ch}A{i}{ch}{ch}{i}{ch}" for i, ch in enumerate(spaces)] + ["  B  7  "]
    names = [f"Ann{ch}{ch}Lee{ch}" for ch in spaces] + [" "]
    clients = pd.DataFrame({"client_id": ids, "name": names})
    tx = pd.DataFrame({"client_id": [" ".join(i.split()) for i in ids], "date": "2024-03-01", "amount": 10.0})
    if suffix == "csv":
        clients.to_csv(tmp_path / "clients.csv", index=False)
        tx.to_csv(tmp_path / "transactions.csv", index=False)
    else:
        clients.to_parquet(tmp_path / "clients.parquet")
        tx.assign(date=pd.to_datetime(tx["date"])).to_parquet(tmp_path / "transactions.parquet")
    toml = tmp_path / "campaign.toml"
    toml.write_text(
        f'[campaign]\nname = "t"\nas_of = 2025-01-01\n'
        f'[data]\nclients = "clients.{suffix}"\ntransactions = "transactions.{suffix}"\n',
        encoding="utf-8",
    )
    return toml


def _scanned(toml: Path, engine: str, spark: Any = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    inputs = scan_inputs(load_config(toml), as_of=dt.date(2025, 1, 1), engine=engine, spark=spark)
    clients = by_client(inputs.clients)[["client_id", "name"]]
    return clients, by_client(inputs.transactions)[["client_id", "amount"]]


# A CSV holds the characters a CSV reader does not take for a line break (the
# pandas loader splits lines on \n and \r only; Polars and DuckDB too); Parquet holds them all.
CSV_SPACES = "".join(ch for ch in WHITESPACE if ch not in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_scan_cleans_ids_and_text_as_the_pandas_loader_does(tmp_path, engine, suffix):
    toml = _messy_text_campaign(tmp_path, suffix, CSV_SPACES if suffix == "csv" else WHITESPACE)
    want_clients, want_tx = _scanned(toml, "pandas")
    assert "A0 0" in set(want_clients["client_id"])
    assert want_clients["name"].isna().sum() == 1
    got_clients, got_tx = _scanned(toml, engine)
    pd.testing.assert_frame_equal(got_clients, want_clients)
    pd.testing.assert_frame_equal(got_tx, want_tx)


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_scan_reads_whole_float_ids_as_the_pandas_loader_does(tmp_path, engine):
    # A spreadsheet's numeric ids come out as floats; 1.0 is client "1" in pandas,
    # where an engine's own cast would say "1.0" and match nothing.
    ids = [1.0, 20.0, 3.5, 2.0**53, -(2.0**62)]
    pd.DataFrame({"client_id": ids}).to_parquet(tmp_path / "clients.parquet")
    pd.DataFrame(
        {"client_id": [1, 20, 20], "date": pd.to_datetime(["2024-01-05"] * 3), "amount": [1.0, 2.0, 3.0]}
    ).to_parquet(tmp_path / "transactions.parquet")
    toml = tmp_path / "campaign.toml"
    toml.write_text(
        '[campaign]\nname = "t"\nas_of = 2025-01-01\n'
        '[data]\nclients = "clients.parquet"\ntransactions = "transactions.parquet"\n',
        encoding="utf-8",
    )
    want = scan_inputs(load_config(toml), as_of=dt.date(2025, 1, 1), engine="pandas")
    got = scan_inputs(load_config(toml), as_of=dt.date(2025, 1, 1), engine=engine)
    assert {"1", "20", "3.5", "9007199254740992", "-4611686018427387904"} == set(want.clients["client_id"])
    pd.testing.assert_series_equal(by_client(got.clients)["client_id"], by_client(want.clients)["client_id"])
    pd.testing.assert_series_equal(
        by_client(got.transactions)["client_id"], by_client(want.transactions)["client_id"]
    )


@pytest.mark.parametrize("engine", ["pandas", "polars", "duckdb"])
def test_a_nan_client_id_is_a_blank_id_on_every_engine(tmp_path, engine):
    # A real NaN (pandas would write a null), with a name: a row with no cell at all
    # is a blank row, set aside and counted.
    ids = pa.array([1.0, float("nan")], type=pa.float64(), from_pandas=False)
    pq.write_table(pa.table({"client_id": ids, "name": ["Ann", "Bob"]}), tmp_path / "clients.parquet")
    assert pq.read_table(tmp_path / "clients.parquet")["client_id"].null_count == 0
    pd.DataFrame({"client_id": [1.0], "date": pd.to_datetime(["2024-01-05"]), "amount": [1.0]}).to_parquet(
        tmp_path / "transactions.parquet"
    )
    toml = tmp_path / "campaign.toml"
    toml.write_text(
        '[campaign]\nname = "t"\nas_of = 2025-01-01\n'
        '[data]\nclients = "clients.parquet"\ntransactions = "transactions.parquet"\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="client_id") as caught:
        scan_inputs(load_config(toml), as_of=dt.date(2025, 1, 1), engine=engine)
    assert "blank" in str(caught.value).lower()


def test_scan_hands_to_pandas_what_only_pandas_reads(tmp_path):
    toml = _campaign(
        tmp_path,
        "client_id\nA1\n",
        "client_id,date,amount\nA1,01/02/2024,1.5\n",
        'date_format = "%d/%m/%Y"\n',
    )
    inputs = scan_inputs(load_config(toml), as_of=dt.date(2025, 1, 1), engine="duckdb")
    assert "loaded by pandas (date_format = '%d/%m/%Y')" in inputs.report.details()
    assert engines.engine_of(inputs.transactions) == "duckdb"  # then handed to the engine
    tx = engines.to_pandas(inputs.transactions)
    assert tx.loc[0, "date"] == pd.Timestamp("2024-02-01")


def test_scan_reads_parquet_lazily(tmp_path):
    firm_inputs = rl.scored_base(SAMPLE / "consulting-firm" / "campaign.toml").inputs
    firm_inputs.transactions.to_parquet(tmp_path / "tx.parquet")
    lazy = engines.scan(tmp_path / "tx.parquet", engine="polars")
    assert type(lazy).__name__ == "LazyFrame"
    relation = engines.scan(tmp_path / "tx.parquet", engine="duckdb")
    total = firm_inputs.transactions["amount"].sum()
    assert engines.to_pandas(relation)["amount"].sum() == pytest.approx(total)


# --- the module's boundary --------------------------------------------------------------


def test_unknown_engine_lists_the_choices():
    with pytest.raises(ConfigError, match="'pandas', 'polars', 'duckdb', 'spark'"):
        engines.check_engine("dask")


def test_scan_refuses_excel_with_a_hint(tmp_path):
    path = tmp_path / "clients.xlsx"
    path.write_bytes(b"")
    # campaign.toml's key is `name` under [engine]: the hint says that, not "engine = ...".
    with pytest.raises(InputError, match=r"not \.xlsx[\s\S]*set name = \"pandas\" under \[engine\]"):
        engines.scan(path, engine="duckdb")


def test_importing_engines_pulls_in_no_engine():
    code = (
        "import sys, reconnect_lib.engines, reconnect_lib.load\n"
        "print(sorted({'polars', 'duckdb', 'pyspark'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- Spark, local mode, sample firms only -----------------------------------------------


def _spark_available() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime (PySpark 4 needs Java 17)"
    return None


@pytest.fixture(scope="session")
def spark():
    missing = _spark_available()
    if missing:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"Spark tests cannot run on CI: {missing}")
        pytest.skip(missing)
    session = engines.spark_session("local[2]")
    yield session
    session.stop()


# PySpark 4.x warns, on creating a session and on each Arrow conversion, that it
# "does not yet fully support pandas >= 3.0.0" (pyspark.sql.pandas.utils). Our
# Spark path never hands pandas frames to PySpark (Arrow both ways), so the
# warning is about a feature not used; only that message is ignored.
spark_warning = pytest.mark.filterwarnings(
    "ignore:PySpark does not yet fully support pandas >= 3.0.0:FutureWarning"
)


# Two tests, one firm each (the CLI one covers the consulting firm): each Spark
# pass over a sample costs tens of seconds on a busy two-core machine.
@spark_warning
def test_spark_gives_the_pandas_results_client_by_client(spark):
    want = rl.scored_base(SAMPLE / "financial-planner" / "campaign.toml")
    got = rl.scored_base(want.config, engine="spark", spark=spark, collect=False)
    assert engines.engine_of(got.scored) == "spark"
    pd.testing.assert_frame_equal(by_client(got.scored), by_client(want.scored))
    pd.testing.assert_frame_equal(engines.to_pandas(got.buckets), want.buckets)


@spark_warning
def test_cli_buckets_on_spark_prints_the_pandas_table(spark):
    runner = CliRunner()
    config = str(SAMPLE / "consulting-firm" / "campaign.toml")
    want = runner.invoke(main, ["buckets", "--config", config])
    got = runner.invoke(main, ["buckets", "--config", config, "--engine", "spark"])
    assert want.exit_code == got.exit_code == 0, got.output
    assert got.output == want.output


@spark_warning
def test_bgnbd_on_spark_gives_the_pandas_results_client_by_client(spark):
    want = rl.scored_base(_bgnbd(load_config(SAMPLE / "consulting-firm" / "campaign.toml")))
    got = rl.scored_base(want.config, engine="spark", spark=spark, collect=False)
    assert engines.engine_of(got.scored) == "spark"
    pd.testing.assert_frame_equal(by_client(got.scored), by_client(want.scored))


@spark_warning
def test_spark_scan_cleans_ids_and_text_as_the_pandas_loader_does(tmp_path, spark):
    toml = _messy_text_campaign(tmp_path, "parquet")
    want_clients, want_tx = _scanned(toml, "pandas")
    got_clients, got_tx = _scanned(toml, "spark", spark)
    pd.testing.assert_frame_equal(got_clients, want_clients)
    pd.testing.assert_frame_equal(got_tx, want_tx)


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_scan_names_unknown_ids_in_order_with_the_pandas_hint(tmp_path, engine):
    # A spreadsheet dropped the zeros of the client list's ids: the scan says so as the pandas
    # loader does, and names the same (smallest) ids on every run instead of whichever came first.
    ids = [f"{i:05d}" for i in range(40, 0, -1)]
    toml = _campaign(
        tmp_path,
        "client_id\n" + "".join(f"{int(i)}\n" for i in ids),
        "client_id,date,amount\n" + "".join(f"{i},2024-01-01,1\n" for i in ids),
    )
    with pytest.raises(InputError) as caught:
        scan_inputs(load_config(toml), as_of=dt.date(2025, 1, 1), engine=engine)
    (problem,) = caught.value.problems
    assert problem.message == "40 client ids not in the client list"
    assert list(problem.values) == ["00001", "00002", "00003", "00004", "00005"]
    assert problem.hint.startswith("ids differ only by leading zeros ('00001' here, '1' in clients.csv)")


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_scan_names_the_date_format_that_reads_the_file(tmp_path, engine):
    # date_format alone hands the table to the pandas loader on any engine: no engine switch needed.
    toml = _campaign(tmp_path, "client_id\nA1\n", "client_id,date,amount\nA1,26.11.2016,1\nA1,02.12.2016,1\n")
    with pytest.raises(InputError) as caught:
        scan_inputs(load_config(toml), as_of=dt.date(2025, 1, 1), engine=engine)
    (problem,) = caught.value.problems
    assert 'set date_format = "%d.%m.%Y" under [data]' in problem.hint
    assert "[engine]" not in problem.hint
    fixed = toml.read_text(encoding="utf-8").replace("[data]\n", '[data]\ndate_format = "%d.%m.%Y"\n')
    toml.write_text(fixed, encoding="utf-8")
    inputs = scan_inputs(load_config(toml), as_of=dt.date(2025, 1, 1), engine=engine)
    assert "loaded by pandas" in inputs.report.details()


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_scan_gives_the_pandas_hints_for_blank_early_and_late_cells(tmp_path, engine):
    toml = _campaign(
        tmp_path,
        "client_id\nA1\n",
        "client_id,date,amount\nA1,1850-01-01,1\nA1,2099-01-01,1\nA1,,1\nA1,2024-01-01,\n",
    )
    hints = {}
    for kind in ("pandas", engine):
        with pytest.raises(InputError) as caught:
            scan_inputs(load_config(toml), as_of=dt.date(2025, 1, 1), engine=kind)
        hints[kind] = sorted(p.hint for p in caught.value.problems)
    assert hints[engine] == hints["pandas"]
    assert len(hints[engine]) == 4


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_scan_refuses_a_repeated_header_as_the_pandas_loader_does(tmp_path, engine):
    history = "client_id,date,amount\nA1,2024-01-01,1\nclient_id,date,amount\n"
    toml = _campaign(tmp_path, "client_id\nA1\n", history)
    refusals = []
    for kind in ("pandas", engine):
        with pytest.raises(InputError) as caught:
            scan_inputs(load_config(toml), as_of=dt.date(2025, 1, 1), engine=kind)
        refusals.append(str(caught.value))
    assert refusals[0] == refusals[1]
    assert "row 2: repeats the header row" in refusals[1]


@pytest.mark.parametrize(
    ("engine", "module"), [("polars", "polars"), ("duckdb", "duckdb"), ("spark", "pyspark.sql")]
)
def test_an_engine_not_installed_names_its_extra_and_the_key(engine, module, monkeypatch):
    import tomllib

    monkeypatch.setitem(sys.modules, module, None)  # import raises ImportError, as when not installed
    with pytest.raises(ConfigError, match=f"engine '{engine}' is not installed") as caught:
        engines._require(engine)
    message = str(caught.value)
    assert f'pip install "reconnect_lib[{engine}]"' in message
    assert 'name = "pandas" under [engine]' in message
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    extras = pyproject["project"]["optional-dependencies"]
    package = module.split(".")[0]
    assert any(dep.startswith(package) for dep in extras[engine])  # the extra the message names exists
    assert any(dep.startswith(package) for dep in extras["test"])  # and the test extra still installs it


@pytest.mark.parametrize("collect", ["to_pandas", "materialize"])
def test_polars_results_are_collected_with_the_streaming_engine(monkeypatch, collect):
    # The streaming engine takes less time and memory than the default one on the scored
    # base; the result is the same (the cross-engine tests above compare every value).
    import polars as pl

    engines_used = []
    real = pl.LazyFrame.collect

    def spy(self, *args, **kwargs):
        engines_used.append(kwargs.get("engine", "auto"))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pl.LazyFrame, "collect", spy)
    lazy = pl.LazyFrame({"client_id": ["b", "a"], "amount": [2.0, 1.0]}).sort("client_id")
    out = engines.to_pandas(lazy) if collect == "to_pandas" else engines.materialize(lazy).collect()
    assert list(out["client_id"]) == ["a", "b"]
    assert engines_used[0] == "streaming"

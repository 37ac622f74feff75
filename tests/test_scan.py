"""How often a scan reads a CSV: the engine parses each file a fixed number of times.

A Polars ``scan_csv`` or a DuckDB ``read_csv`` relation is a plan, not data: every
query over it parses the file again. :func:`reconnect_lib.load.scan_inputs` checks
the raw text in one aggregate query, types the table once into memory, and every
later check and stage reads that. The hooks below count the engine's queries that
read each CSV (not their time).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from reconnect_lib import engines
from reconnect_lib.client_base import client_base
from reconnect_lib.config import load_config
from reconnect_lib.errors import InputError
from reconnect_lib.load import scan_inputs

AS_OF = dt.date(2025, 1, 1)
FILES = ("clients.csv", "transactions.csv", "contacts.csv")


def _campaign(tmp_path: Path, transactions: str | None = None) -> Path:
    (tmp_path / "clients.csv").write_text(
        "client_id,name,client_since,do_not_contact\nA1,Ann,2020-01-01,no\nB2, Bo ,2021-05-06,yes\n",
        encoding="utf-8",
    )
    (tmp_path / "transactions.csv").write_text(
        transactions or "client_id,date,amount\nA1,2024-01-01,10.5\nB2,2024-02-29,3\nA1, 2024-03-01 ,4\n",
        encoding="utf-8",
    )
    (tmp_path / "contacts.csv").write_text(
        "client_id,date,channel\nA1,2024-04-01,email\nB2,2024-04-02,call\n", encoding="utf-8"
    )
    toml = tmp_path / "campaign.toml"
    toml.write_text(
        '[campaign]\nname = "t"\nas_of = 2025-01-01\n[data]\nclients = "clients.csv"\n'
        'transactions = "transactions.csv"\ncontacts = "contacts.csv"\n',
        encoding="utf-8",
    )
    return toml


@pytest.fixture
def csv_reads(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Which CSV files each query Polars or DuckDB runs reads, counted by file name."""
    import duckdb
    import polars as pl

    reads: Counter[str] = Counter()

    def count(plan: str) -> None:
        reads.update(name for name in FILES if name in plan)

    polars_collect = pl.LazyFrame.collect

    def collect(self: pl.LazyFrame, *args: Any, **kwargs: Any) -> Any:
        count(self.explain(optimized=False))
        return polars_collect(self, *args, **kwargs)

    duckdb_arrow = duckdb.DuckDBPyRelation.to_arrow_table

    def to_arrow_table(self: Any, *args: Any, **kwargs: Any) -> Any:
        count(self.sql_query())
        return duckdb_arrow(self, *args, **kwargs)

    monkeypatch.setattr(pl.LazyFrame, "collect", collect)
    monkeypatch.setattr(duckdb.DuckDBPyRelation, "to_arrow_table", to_arrow_table)
    return reads


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_a_scan_parses_each_csv_twice_and_the_stages_read_memory(tmp_path, engine, csv_reads):
    # Once for every check of the raw text together (one aggregate query), once to type
    # the table into memory; the checks of the typed table and the stages read memory.
    inputs = scan_inputs(load_config(_campaign(tmp_path)), as_of=AS_OF, engine=engine)
    assert csv_reads == dict.fromkeys(FILES, 2)
    base = engines.to_pandas(client_base(inputs.clients, inputs.transactions, inputs.contacts, as_of=AS_OF))
    assert csv_reads == dict.fromkeys(FILES, 2)
    assert list(base.sort_values("client_id")["n_purchases"]) == [2, 1]


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_a_scan_still_gives_the_pandas_tables(tmp_path, engine):
    toml = _campaign(tmp_path)
    want = scan_inputs(load_config(toml), as_of=AS_OF, engine="pandas")
    got = scan_inputs(load_config(toml), as_of=AS_OF, engine=engine)
    for table in ("clients", "transactions", "contacts"):
        columns = list(getattr(want, table).columns)
        expected = getattr(want, table).sort_values(columns, ignore_index=True)
        found = engines.to_pandas(getattr(got, table))[columns].sort_values(columns, ignore_index=True)
        pd.testing.assert_frame_equal(found, expected, check_dtype=False)
    assert f"scanned by {engine}" in got.report.details()


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_bad_iso_days_and_impossible_days_are_counted_in_the_one_query(tmp_path, engine, csv_reads):
    # Not ISO (a day first) and not in the calendar (31 April, 29 February 2023, month 13):
    # both counted by the raw-text query; their examples are read after it.
    toml = _campaign(
        tmp_path,
        "client_id,date,amount\nA1,2024-04-31,1\nB2,2023-02-29,2\nA1,2024-13-01,3\nB2,01/02/2024,4\n"
        "A1,2024-02-29,5\n",
    )
    with pytest.raises(InputError) as caught:
        scan_inputs(load_config(toml), as_of=AS_OF, engine=engine)
    text = str(caught.value)
    assert "1 value of column date is not an ISO date" in text
    assert "3 values of column date are not a date" in text
    for example in ("A1: 2024-04-31", "B2: 2023-02-29", "A1: 2024-13-01", "B2: 01/02/2024"):
        assert example in text
    assert "A1: 2024-02-29" not in text
    assert csv_reads["clients.csv"] == 2

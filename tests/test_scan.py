"""How often a scan reads a CSV: once, by pyarrow, whatever the engine.

A Polars ``scan_csv`` or a DuckDB ``read_csv`` relation is a plan, not data: every
query over it parses the file again. :func:`reconnect_lib.load.scan_inputs` reads
each CSV once with pyarrow (which it does anyway, to check the engine reads the
cells a CSV reader reads), hands the text to the engine, checks it in one
aggregate query, types the table once into memory, and every later check and
stage reads that. The hooks below count the reads of each CSV (not their time).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconnect_lib import engines
from reconnect_lib.client_base import client_base
from reconnect_lib.config import load_config
from reconnect_lib.errors import InputError
from reconnect_lib.load import scan_inputs

AS_OF = dt.date(2025, 1, 1)
FILES = ("clients.csv", "transactions.csv", "contacts.csv")


def _campaign(tmp_path: Path, transactions: str | None = None) -> Path:
    (tmp_path / "clients.csv").write_text(
        # (an empty cell: a scan reads it as its engine's reader would, not as an empty date)
        "client_id,name,client_since,do_not_contact\nA1,Ann,2020-01-01,no\nB2, Bo ,2021-05-06,yes\n"
        'C3,"",,\n',
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
    """Which CSV files each query Polars or DuckDB runs reads, and each pyarrow CSV reader
    opened, counted by file name (``"pyarrow clients.csv"``, ``"duckdb clients.csv"``...)."""
    import duckdb
    import polars as pl
    import pyarrow.csv as pv

    reads: Counter[str] = Counter()

    def count(plan: str, reader: str = "engine") -> None:
        reads.update(f"{reader} {name}" for name in FILES if name in plan)
        if reader == "engine":
            reads["queries"] += 1

    open_csv = pv.open_csv

    def opened(path: Any, *args: Any, **kwargs: Any) -> Any:
        count(str(path), "pyarrow")
        return open_csv(path, *args, **kwargs)

    polars_collect = pl.LazyFrame.collect

    def collect(self: pl.LazyFrame, *args: Any, **kwargs: Any) -> Any:
        count(self.explain(optimized=False))
        return polars_collect(self, *args, **kwargs)

    duckdb_arrow = duckdb.DuckDBPyRelation.to_arrow_table

    def to_arrow_table(self: Any, *args: Any, **kwargs: Any) -> Any:
        count(self.sql_query())
        return duckdb_arrow(self, *args, **kwargs)

    monkeypatch.setattr(pv, "open_csv", opened)
    monkeypatch.setattr(pl.LazyFrame, "collect", collect)
    monkeypatch.setattr(duckdb.DuckDBPyRelation, "to_arrow_table", to_arrow_table)
    return reads


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_a_scan_parses_each_csv_once_and_the_stages_read_memory(tmp_path, engine, csv_reads):
    # pyarrow reads each file once; the engine checks that text, types it into memory,
    # and the checks of the typed table and the stages read memory.
    inputs = scan_inputs(load_config(_campaign(tmp_path)), as_of=AS_OF, engine=engine)
    queries = csv_reads.pop("queries")
    assert csv_reads == {f"pyarrow {name}": 1 for name in FILES}
    # Per table: every check of the raw text in one query, the typing into memory, the checks
    # of the typed table in one query; and for a history, its ids not in the client list.
    assert queries == 3 * 3 + 2
    base = engines.to_pandas(client_base(inputs.clients, inputs.transactions, inputs.contacts, as_of=AS_OF))
    assert csv_reads == {f"pyarrow {name}": 1 for name in FILES} | {"queries": csv_reads["queries"]}
    assert list(base.sort_values("client_id")["n_purchases"]) == [2, 1, 0]


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_a_scan_still_gives_the_pandas_tables(tmp_path, engine):
    toml = _campaign(tmp_path)
    want = scan_inputs(load_config(toml), as_of=AS_OF, engine="pandas")
    got = scan_inputs(load_config(toml), as_of=AS_OF, engine=engine)
    for table in ("clients", "transactions", "contacts"):
        columns = list(getattr(want, table).columns)
        expected = getattr(want, table).sort_values(columns, ignore_index=True)
        # (the pandas loader's dates are in ns, every stage's in us)
        dates = expected.select_dtypes("datetime").columns
        expected = expected.astype(dict.fromkeys(dates, "datetime64[us]"))
        found = engines.to_pandas(getattr(got, table))[columns].sort_values(columns, ignore_index=True)
        pd.testing.assert_frame_equal(found, expected, check_dtype=False)
    assert f"scanned by {engine}" in got.report.details()
    assert "loaded by pandas" not in got.report.details()


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
    assert {k: n for k, n in csv_reads.items() if k != "queries"} == {f"pyarrow {name}": 1 for name in FILES}


# Text with and without whitespace of every kind a CSV holds on one line: a column with
# none is typed without trimming, one with any is trimmed and collapsed as pandas does.
_CELL = st.text(alphabet=st.sampled_from("AB7 \t\u00a0\u3000é"), min_size=1, max_size=6).filter(
    lambda t: "".join(t.split()) != ""
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ids=st.lists(_CELL, min_size=1, max_size=5, unique_by=lambda t: " ".join(t.split())),
    padded=st.booleans(),
)
def test_ids_and_amounts_with_or_without_spaces_scan_as_pandas_reads_them(tmp_path_factory, ids, padded):
    tmp_path = tmp_path_factory.mktemp("spaces")
    pad = " " if padded else ""
    clients = pd.DataFrame({"client_id": ids, "name": [f"N{i}" for i in range(len(ids))]})
    clients.to_csv(tmp_path / "clients.csv", index=False)
    tx = pd.DataFrame(
        {"client_id": ids, "date": f"{pad}2024-03-01", "amount": [f"{i}.5{pad}" for i in range(len(ids))]}
    )
    tx.to_csv(tmp_path / "transactions.csv", index=False)
    toml = tmp_path / "campaign.toml"
    toml.write_text(
        '[campaign]\nname = "t"\nas_of = 2025-01-01\n'
        '[data]\nclients = "clients.csv"\ntransactions = "transactions.csv"\n',
        encoding="utf-8",
    )
    want = scan_inputs(load_config(toml), as_of=AS_OF, engine="pandas")
    for engine in ("polars", "duckdb"):
        got = scan_inputs(load_config(toml), as_of=AS_OF, engine=engine)
        for table in ("clients", "transactions"):
            expected = getattr(want, table).sort_values("client_id", ignore_index=True)
            found = engines.to_pandas(getattr(got, table))[list(expected.columns)]
            found = found.sort_values("client_id", ignore_index=True)
            pd.testing.assert_frame_equal(found, expected, check_dtype=False)

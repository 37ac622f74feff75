"""Benchmark: transaction history -> ranked client base on every engine, against hand-written queries.

Generates a seeded transaction history (about one client per eight
transactions) in chunks, straight to Parquet row groups, so that even the
100,000,000-transaction history is never held in memory whole; then times,
each run in a fresh subprocess, the history -> ranked client base work (per
client: first and last purchase, distinct purchase days, total in cents, days
dormant, dormancy bucket, rank within the bucket by total):

- ``reconnect_lib · pandas / Polars / DuckDB / Spark``: ``client_base``,
  ``dormancy_buckets`` and ``value_scores(basis="total")`` on that engine's
  frames, the result materialised (pandas frame, Polars frame, Arrow table);
- ``Polars lazy``, ``DuckDB SQL``, ``pandas groupby``: the same work written
  by hand;
- ``lifetimes`` and ``pymc-marketing``: their per-customer summaries
  (``summary_data_from_transaction_data``, ``rfm_summary``), run in their own
  virtualenv (benchmarks/.venv-baselines) so the project's stays clean.

Each variant reads the history from Parquet inside the clock ("parquet") or
gets it already loaded in its engine's memory ("memory"). Every result is
checked against reconnect_lib on pandas (counts, cents, days, ranks); at 100M,
where pandas is not run, against reconnect_lib on DuckDB. A disagreement is
printed loudly and recorded.

Usage::

    .venv/bin/python benchmarks/bench_engines.py --setup-baselines      # once: the lifetimes/pymc venv
    .venv/bin/python benchmarks/bench_engines.py --sizes 100k           # a smoke run
    .venv/bin/python benchmarks/bench_engines.py --sizes 1M 10M 100M --write

``--write`` puts the results between the ``engines`` markers of
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from _common import machine, package_versions, write_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / ".data" / "engines"
README = HERE / "README.md"
START, END = "<!-- engines:start -->", "<!-- engines:end -->"
BASELINES_VENV = HERE / ".venv-baselines"
BASELINE_PACKAGES = ("lifetimes", "pymc-marketing", "pyarrow")

AS_OF = date(2026, 11, 23)
SEED = 20261124
#: Bump when the generator changes, so cached Parquet files are regenerated.
GENERATOR_VERSION = 1
#: Transactions generated (and written as one Parquet row group) at a time.
CHUNK = 2_000_000

#: name -> (clients, transactions): about one client per eight transactions.
SIZES: dict[str, tuple[int, int]] = {
    "warm-up": (125, 1_000),
    "100k": (12_500, 100_000),
    "1M": (125_000, 1_000_000),
    "10M": (1_250_000, 10_000_000),
    "100M": (12_500_000, 100_000_000),
}
#: Sizes at which pandas-based variants (and Spark in local mode) are not run.
TOO_BIG_FOR_PANDAS = {"100M"}

#: reconnect_lib's default bucket edges (6, 12, 24, 36 months) in days, written
#: out so the hand-written queries do not import reconnect_lib.
EDGES_DAYS = (183, 365, 730, 1096)
LABELS = ("active (< 6 months)", "6–12 months", "1–2 years", "2–3 years", "3 years and more")

ENGINES = (
    "reconnect_lib · pandas",
    "reconnect_lib · Polars",
    "reconnect_lib · DuckDB",
    "reconnect_lib · Spark",
)
QUERIES = ("Polars lazy", "DuckDB SQL", "pandas groupby")
SUMMARIES = ("lifetimes", "pymc-marketing")
VARIANTS = (*ENGINES, *QUERIES, *SUMMARIES)
MODES = ("parquet", "memory")
#: Variants whose child runs in the baselines virtualenv.
IN_BASELINES_VENV = set(SUMMARIES)
#: Variants built on pandas (or, for Spark, a local JVM with a driver-sized heap): not run at 100M.
PANDAS_BASED = {"reconnect_lib · pandas", "reconnect_lib · Spark", "pandas groupby", *SUMMARIES}

#: What the check compares, client by client (dates as days since 1970-01-01).
CHECKED = (
    "first_purchase",
    "last_purchase",
    "n_purchases",
    "total_cents",
    "days_dormant",
    "bucket",
    "bucket_rank",
)

DUCKDB_MEMORY_LIMIT = "6GB"
SPARK_DRIVER_MEMORY = "6g"


# --- data --------------------------------------------------------------------------------


def data_dir(size: str) -> Path:
    return DATA / size


def ensure_data(size: str) -> Path:
    """The folder of `size`'s Parquet files, generating them if missing or stale."""
    folder = data_dir(size)
    meta = folder / "meta.json"
    wanted = {
        "generator": GENERATOR_VERSION,
        "seed": SEED,
        "size": list(SIZES[size]),
        "as_of": AS_OF.isoformat(),
        "chunk": CHUNK,
    }
    files = [folder / f"{t}.parquet" for t in ("clients", "transactions")]
    if meta.exists() and all(f.exists() for f in files) and json.loads(meta.read_text()) == wanted:
        return folder
    n_clients, n_tx = SIZES[size]
    print(f"generating {size}: {n_clients:,} clients, {n_tx:,} transactions ...", flush=True)
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    meta.unlink(missing_ok=True)
    generate(folder, n_clients, n_tx, seed=SEED + n_clients)
    meta.write_text(json.dumps(wanted))
    print(f"  done in {time.perf_counter() - started:.1f} s ({folder})", flush=True)
    return folder


def generate(folder: Path, n_clients: int, n_tx: int, *, seed: int) -> None:
    """Write clients.parquet (client_id, client_since) and transactions.parquet into `folder`.

    Every client has a start (client since, at most 20 years ago; 2 % unknown)
    and an end of activity (the as-of date minus an exponential dormancy, mean
    two years), so every dormancy bucket is well filled. Transactions fall
    uniformly within each client's last ten years of activity, with
    gamma-distributed client weights (a few big clients, many small ones); 5 %
    of clients never bought and 2 % of transactions are refunds. They are drawn
    `CHUNK` at a time and each chunk, in date order, is one Parquet row group:
    only the per-client arrays (a few bytes per client) are held whole.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    as_of = np.datetime64(AS_OF.isoformat(), "D").astype("int64")
    width = max(7, len(str(n_clients)))
    ids = pa.array([f"C{i:0{width}d}" for i in range(1, n_clients + 1)], pa.string())
    since = as_of - rng.integers(30, 20 * 365, n_clients)
    window_start = np.maximum(since, as_of - 3652)
    dormant = np.minimum(rng.exponential(730.0, n_clients).astype("int64"), as_of - window_start)
    end = as_of - dormant
    since_ts = (since * 86_400_000_000).astype("datetime64[us]")
    clients = pa.table(
        {"client_id": ids, "client_since": pa.array(since_ts, mask=rng.random(n_clients) < 0.02)}
    )
    pq.write_table(clients, folder / "clients.parquet")
    del clients, since, since_ts, dormant

    weight = rng.gamma(0.7, 1.0, n_clients)
    weight[rng.random(n_clients) < 0.05] = 0.0
    cdf = np.cumsum(weight)
    cdf /= cdf[-1]
    del weight
    schema = pa.schema([("client_id", pa.string()), ("date", pa.timestamp("us")), ("amount", pa.float64())])
    tmp = folder / "transactions.parquet.tmp"
    with pq.ParquetWriter(tmp, schema) as writer:
        for start in range(0, n_tx, CHUNK):
            n = min(CHUNK, n_tx - start)
            who = np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), n_clients - 1)
            span = end[who] - window_start[who]
            day = window_start[who] + (rng.random(n) * (span + 1)).astype("int64")
            amount = np.round(np.maximum(rng.lognormal(np.log(150.0), 1.0, n), 1.0), 2)
            amount[rng.random(n) < 0.02] *= -1
            order = np.argsort(day, kind="stable")  # an accounting export is in date order
            chunk = pa.table(
                {
                    "client_id": ids.take(pa.array(who[order])),
                    "date": pa.array((day[order] * 86_400_000_000).astype("datetime64[us]")),
                    "amount": pa.array(amount[order]),
                },
                schema=schema,
            )
            writer.write_table(chunk, row_group_size=CHUNK)
            del who, span, day, amount, order, chunk
    tmp.replace(folder / "transactions.parquet")


# --- the variants (each runs in a child process) ------------------------------------------
#
# A variant is a `prepare` (untimed: paths, a session, or the data already in
# the engine's memory), a `work` (timed: history -> materialised ranked base)
# and a `checked` (untimed: the compared columns as a pandas frame).


def _engines_module() -> Any:
    """reconnect_lib.engines when it exists (being written alongside), else None."""
    try:
        return importlib.import_module("reconnect_lib.engines")
    except ImportError:
        return None


def _duckdb_connection() -> Any:
    """DuckDB's default connection (the one relations read without a connection use), capped."""
    import duckdb

    con = duckdb.default_connection() if callable(getattr(duckdb, "default_connection", None)) else duckdb
    spill = DATA / "duckdb-spill"
    spill.mkdir(parents=True, exist_ok=True)
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
    con.execute(f"SET temp_directory = '{spill.as_posix()}'")
    con.execute("SET preserve_insertion_order = false")
    return con


def _spark_session() -> Any:
    engines = _engines_module()
    config = {"spark.driver.memory": SPARK_DRIVER_MEMORY}
    if engines is not None and hasattr(engines, "spark_session"):
        spark = engines.spark_session("local[2]", config=config)
    else:
        from pyspark.sql import SparkSession

        builder = SparkSession.builder.master("local[2]")
        for key, value in config.items():
            builder = builder.config(key, value)
        spark = builder.getOrCreate()
    # A small local job: the default 200 shuffle partitions cost more than the work.
    spark.conf.set("spark.sql.shuffle.partitions", "8")
    spark.conf.set("spark.sql.execution.arrow.pyspark.enabled", "true")
    return spark


def _scan(path: Path, engine: str, spark: Any = None, con: Any = None) -> Any:
    """A lazy read of `path` by `engine`: reconnect_lib.engines.scan when it exists."""
    engines = _engines_module()
    if engines is not None and hasattr(engines, "scan"):
        if engine == "duckdb":
            return engines.scan(path, engine=engine, connection=con)
        return engines.scan(path, engine=engine, spark=spark)
    if engine == "polars":
        import polars as pl

        return pl.scan_parquet(path)
    if engine == "duckdb":
        return con.read_parquet(str(path))
    if engine == "spark":
        return spark.read.parquet(str(path))
    import pandas as pd

    return pd.read_parquet(path)


def prepare_engine(engine: str, folder: Path, mode: str) -> dict[str, Any]:
    ctx: dict[str, Any] = {"engine": engine, "folder": folder, "mode": mode}
    if engine == "duckdb":
        ctx["con"] = _duckdb_connection()
    if engine == "spark":
        ctx["spark"] = _spark_session()
    if mode == "memory":
        ctx["clients"], ctx["transactions"] = (
            _load_in_memory(engine, folder / f"{t}.parquet", ctx, t) for t in ("clients", "transactions")
        )
    return ctx


def _load_in_memory(engine: str, path: Path, ctx: dict[str, Any], name: str) -> Any:
    """`path` loaded into `engine`'s own memory, the way a user holding the data would have it."""
    if engine == "pandas":
        import pandas as pd

        return pd.read_parquet(path)
    if engine == "polars":
        import polars as pl

        return pl.read_parquet(path)
    if engine == "duckdb":
        con = ctx["con"]
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM read_parquet('{path.as_posix()}')")
        return con.table(name)
    if engine == "spark":
        frame = ctx["spark"].read.parquet(str(path)).cache()
        frame.count()
        return frame
    raise ValueError(engine)


def work_engine(ctx: dict[str, Any]) -> Any:
    """client_base -> dormancy_buckets -> value_scores(basis="total") on one engine, materialised."""
    from reconnect_lib.client_base import client_base
    from reconnect_lib.dormancy import dormancy_buckets
    from reconnect_lib.value import value_scores

    engine, folder = ctx["engine"], ctx["folder"]
    if ctx["mode"] == "parquet":
        spark, con = ctx.get("spark"), ctx.get("con")
        clients = _scan(folder / "clients.parquet", engine, spark, con)
        transactions = _scan(folder / "transactions.parquet", engine, spark, con)
    else:
        clients, transactions = ctx.pop("clients"), ctx.pop("transactions")
    scored = value_scores(dormancy_buckets(client_base(clients, transactions, as_of=AS_OF)), basis="total")
    return _materialise(scored, engine, ctx["mode"])


def _materialise(frame: Any, engine: str, mode: str) -> Any:
    """A lazy result computed into memory: Polars DataFrame, Arrow table (DuckDB, Spark)."""
    if engine == "polars" and hasattr(frame, "collect"):
        # the streaming engine, as reconnect_lib collects (engines.materialize, engines.to_pandas):
        # from Parquet it is what makes 100M fit; in memory it takes less time and memory
        return frame.collect(engine="streaming")
    if engine == "duckdb":
        return frame.to_arrow_table() if hasattr(frame, "to_arrow_table") else frame.fetch_arrow_table()
    if engine == "spark":
        return frame.toArrow() if hasattr(frame, "toArrow") else frame.toPandas()
    return frame


def checked_engine(result: Any) -> Any:
    """The compared columns of a reconnect_lib result, as pandas."""
    frame = _to_pandas(result)
    bucket = frame["dormancy_bucket"].map({label: i for i, label in enumerate(LABELS)})
    out = {
        "client_id": frame["client_id"].astype(str),
        "first_purchase": _days(frame["first_purchase"]),
        "last_purchase": _days(frame["last_purchase"]),
        "n_purchases": frame["n_purchases"],
        "total_cents": (frame["total_revenue"].astype("float64") * 100).round(),
        "days_dormant": frame["days_dormant"],
        "bucket": bucket,
        "bucket_rank": frame["bucket_rank"],
    }
    return _frame(out)


# --- hand-written queries ---


def prepare_polars_lazy(folder: Path, mode: str) -> dict[str, Any]:
    import polars as pl

    ctx: dict[str, Any] = {"folder": folder, "mode": mode}
    if mode == "memory":
        ctx["clients"] = pl.read_parquet(folder / "clients.parquet")
        ctx["transactions"] = pl.read_parquet(folder / "transactions.parquet")
    return ctx


def work_polars_lazy(ctx: dict[str, Any]) -> Any:
    """The ranked base as one Polars lazy query, as a Polars user would write it."""
    import polars as pl

    if ctx["mode"] == "parquet":
        clients = pl.scan_parquet(ctx["folder"] / "clients.parquet")
        tx = pl.scan_parquet(ctx["folder"] / "transactions.parquet")
    else:
        clients, tx = ctx.pop("clients").lazy(), ctx.pop("transactions").lazy()
    day = pl.col("date").cast(pl.Date)
    bought = pl.col("amount") > 0
    summary = (
        tx.filter(day <= AS_OF)
        .group_by("client_id")
        .agg(
            day.filter(bought).min().alias("first_purchase"),
            day.filter(bought).max().alias("last_purchase"),
            day.filter(bought).n_unique().alias("n_purchases"),
            (pl.col("amount") * 100).round().cast(pl.Int64).sum().alias("total_cents"),
        )
    )
    days = pl.col("days_dormant")
    bucket = pl.when(days.is_null()).then(len(EDGES_DAYS))
    for i, edge in enumerate(EDGES_DAYS):
        bucket = bucket.when(days < edge).then(i)
    query = (
        clients.select("client_id", pl.col("client_since").cast(pl.Date))
        .join(summary, on="client_id", how="left")
        .with_columns(
            pl.col("n_purchases").fill_null(0),
            pl.col("total_cents").fill_null(0),
            (pl.lit(AS_OF) - pl.coalesce("last_purchase", "client_since"))
            .dt.total_days()
            .alias("days_dormant"),
        )
        .with_columns(bucket.otherwise(len(EDGES_DAYS)).alias("bucket"))
        .sort(["total_cents", "client_id"], descending=[True, False])
        .with_columns(pl.int_range(1, pl.len() + 1).over("bucket").alias("bucket_rank"))
        .drop("client_since")
    )
    return query.collect(engine="streaming" if ctx["mode"] == "parquet" else "auto")


DUCKDB_SQL = """
WITH tx AS (
    SELECT client_id, CAST(date AS DATE) AS day, amount FROM {transactions}
    WHERE CAST(date AS DATE) <= DATE '{as_of}'
), summary AS (
    SELECT client_id,
           min(day) FILTER (WHERE amount > 0) AS first_purchase,
           max(day) FILTER (WHERE amount > 0) AS last_purchase,
           count(DISTINCT day) FILTER (WHERE amount > 0) AS n_purchases,
           sum(CAST(round(amount * 100) AS BIGINT)) AS total_cents
    FROM tx GROUP BY client_id
), base AS (
    SELECT c.client_id, s.first_purchase, s.last_purchase,
           coalesce(s.n_purchases, 0) AS n_purchases,
           coalesce(s.total_cents, 0) AS total_cents,
           DATE '{as_of}' - coalesce(s.last_purchase, CAST(c.client_since AS DATE)) AS days_dormant
    FROM {clients} AS c LEFT JOIN summary AS s USING (client_id)
), bucketed AS (
    SELECT *, CASE WHEN days_dormant IS NULL THEN 4
                   WHEN days_dormant < {e0} THEN 0 WHEN days_dormant < {e1} THEN 1
                   WHEN days_dormant < {e2} THEN 2 WHEN days_dormant < {e3} THEN 3 ELSE 4 END AS bucket
    FROM base
)
SELECT *, row_number() OVER (PARTITION BY bucket ORDER BY total_cents DESC, client_id) AS bucket_rank
FROM bucketed
"""


def prepare_duckdb_sql(folder: Path, mode: str) -> dict[str, Any]:
    con = _duckdb_connection()
    ctx: dict[str, Any] = {"con": con, "folder": folder, "mode": mode}
    if mode == "memory":
        for name in ("clients", "transactions"):
            path = (folder / f"{name}.parquet").as_posix()
            con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM read_parquet('{path}')")
    return ctx


def work_duckdb_sql(ctx: dict[str, Any]) -> Any:
    """The ranked base as one DuckDB SQL query, fetched as an Arrow table."""
    if ctx["mode"] == "parquet":
        tables = {
            t: f"read_parquet('{(ctx['folder'] / f'{t}.parquet').as_posix()}')"
            for t in ("clients", "transactions")
        }
    else:
        tables = {"clients": "clients", "transactions": "transactions"}
    sql = DUCKDB_SQL.format(
        as_of=AS_OF.isoformat(), **tables, **{f"e{i}": e for i, e in enumerate(EDGES_DAYS)}
    )
    relation = ctx["con"].sql(sql)
    return relation.to_arrow_table() if hasattr(relation, "to_arrow_table") else relation.fetch_arrow_table()


def prepare_pandas(folder: Path, mode: str) -> dict[str, Any]:
    import pandas as pd

    ctx: dict[str, Any] = {"folder": folder, "mode": mode}
    if mode == "memory":
        ctx["clients"] = pd.read_parquet(folder / "clients.parquet")
        ctx["transactions"] = pd.read_parquet(folder / "transactions.parquet")
    return ctx


def _pandas_inputs(ctx: dict[str, Any]) -> tuple[Any, Any]:
    import pandas as pd

    if ctx["mode"] == "parquet":
        return pd.read_parquet(ctx["folder"] / "clients.parquet"), pd.read_parquet(
            ctx["folder"] / "transactions.parquet"
        )
    return ctx.pop("clients"), ctx.pop("transactions")


def work_pandas(ctx: dict[str, Any]) -> Any:
    """The ranked base as a pandas user would write it: one groupby, a merge, pd.cut, a sort."""
    import numpy as np
    import pandas as pd

    clients, tx = _pandas_inputs(ctx)
    as_of = pd.Timestamp(AS_OF)
    day = tx["date"].dt.normalize()
    tx = tx.assign(
        purchase_day=day.where(tx["amount"] > 0), cents=(tx["amount"] * 100).round().astype("int64")
    )
    tx = tx[day <= as_of]
    summary = tx.groupby("client_id").agg(
        first_purchase=("purchase_day", "min"),
        last_purchase=("purchase_day", "max"),
        n_purchases=("purchase_day", "nunique"),
        total_cents=("cents", "sum"),
    )
    base = clients[["client_id", "client_since"]].merge(summary, on="client_id", how="left")
    base["n_purchases"] = base["n_purchases"].fillna(0).astype("int64")
    base["total_cents"] = base["total_cents"].fillna(0).astype("int64")
    since = base.pop("client_since").dt.normalize()
    base["days_dormant"] = (as_of - base["last_purchase"].fillna(since)).dt.days
    edges = [-np.inf, *EDGES_DAYS, np.inf]
    base["bucket"] = pd.cut(base["days_dormant"], edges, right=False, labels=False).fillna(len(EDGES_DAYS))
    base["bucket"] = base["bucket"].astype("int64")
    base = base.sort_values(["total_cents", "client_id"], ascending=[False, True])
    base["bucket_rank"] = base.groupby("bucket").cumcount() + 1
    return base


def checked_query(result: Any) -> Any:
    frame = _to_pandas(result)
    out = {
        c: frame[c]
        for c in ("client_id", "n_purchases", "total_cents", "days_dormant", "bucket", "bucket_rank")
    }
    out["client_id"] = out["client_id"].astype(str)
    out["first_purchase"] = _days(frame["first_purchase"])
    out["last_purchase"] = _days(frame["last_purchase"])
    return _frame(out)


# --- per-customer summaries of lifetimes and pymc-marketing (baselines venv) ---


def _purchases(ctx: dict[str, Any]) -> Any:
    """Purchases (positive amounts) up to the as-of date, what both summaries are meant for."""
    import pandas as pd

    tx = (
        ctx.pop("transactions")
        if ctx["mode"] == "memory"
        else pd.read_parquet(ctx["folder"] / "transactions.parquet")
    )
    return tx[(tx["amount"] > 0) & (tx["date"] <= pd.Timestamp(AS_OF))]


def prepare_summary(folder: Path, mode: str) -> dict[str, Any]:
    import pandas as pd

    ctx: dict[str, Any] = {"folder": folder, "mode": mode}
    if mode == "memory":
        ctx["transactions"] = pd.read_parquet(folder / "transactions.parquet")
    return ctx


def work_lifetimes(ctx: dict[str, Any]) -> Any:
    import pandas as pd
    from lifetimes.utils import summary_data_from_transaction_data

    return summary_data_from_transaction_data(
        _purchases(ctx),
        "client_id",
        "date",
        monetary_value_col="amount",
        observation_period_end=pd.Timestamp(AS_OF),
        freq="D",
    )


def work_pymc(ctx: dict[str, Any]) -> Any:
    import pandas as pd
    from pymc_marketing.clv.utils import rfm_summary

    return rfm_summary(
        _purchases(ctx),
        customer_id_col="client_id",
        datetime_col="date",
        monetary_value_col="amount",
        observation_period_end=pd.Timestamp(AS_OF),
        time_unit="D",
    )


def checked_summary(result: Any) -> Any:
    """frequency + 1 distinct purchase days; first purchase T days before as-of, last `recency` after it."""
    import pandas as pd

    frame = result.reset_index() if "client_id" not in result.columns else result
    id_col = "client_id" if "client_id" in frame.columns else "customer_id"
    as_of = (pd.Timestamp(AS_OF) - pd.Timestamp(0)).days
    first = as_of - frame["T"].round().astype("int64")
    return _frame(
        {
            "client_id": frame[id_col].astype(str),
            "first_purchase": first,
            "last_purchase": first + frame["recency"].round().astype("int64"),
            "n_purchases": frame["frequency"].round().astype("int64") + 1,
        }
    )


def _to_pandas(result: Any) -> Any:
    import pandas as pd

    if isinstance(result, pd.DataFrame):
        return result
    if hasattr(result, "to_pandas"):  # Polars, Arrow
        return result.to_pandas()
    raise TypeError(type(result))


def _days(column: Any) -> Any:
    """A date column as days since 1970-01-01 (nullable Int64)."""
    import pandas as pd

    stamps = pd.to_datetime(column).astype("datetime64[s]")
    days = (stamps - pd.Timestamp(0)).dt.days
    return days.astype("Int64")


def _frame(columns: dict[str, Any]) -> Any:
    """The compared columns (sharing one index) as one frame: client_id, then nullable integers."""
    import pandas as pd

    out = pd.DataFrame(columns).reset_index(drop=True)
    for c in out.columns:
        if c != "client_id":
            out[c] = pd.to_numeric(out[c]).astype("Int64")
    return out.sort_values("client_id", ignore_index=True)


@dataclass(frozen=True)
class Variant:
    prepare: Callable[[Path, str], dict[str, Any]]
    work: Callable[[dict[str, Any]], Any]
    checked: Callable[[Any], Any]
    #: imported before the clock starts: importing is not the work measured
    imports: tuple[str, ...]


def _engine(name: str) -> Variant:
    imports = ("reconnect_lib.client_base", "reconnect_lib.dormancy", "reconnect_lib.value", "narwhals")
    extra = {"pandas": ("pandas",), "polars": ("polars",), "duckdb": ("duckdb",), "spark": ("pyspark.sql",)}[
        name
    ]
    return Variant(
        lambda folder, mode: prepare_engine(name, folder, mode),
        work_engine,
        checked_engine,
        (*imports, *extra),
    )


RUNNERS: dict[str, Variant] = {
    "reconnect_lib · pandas": _engine("pandas"),
    "reconnect_lib · Polars": _engine("polars"),
    "reconnect_lib · DuckDB": _engine("duckdb"),
    "reconnect_lib · Spark": _engine("spark"),
    "Polars lazy": Variant(prepare_polars_lazy, work_polars_lazy, checked_query, ("polars",)),
    "DuckDB SQL": Variant(prepare_duckdb_sql, work_duckdb_sql, checked_query, ("duckdb",)),
    "pandas groupby": Variant(prepare_pandas, work_pandas, checked_query, ("pandas", "pyarrow.parquet")),
    "lifetimes": Variant(prepare_summary, work_lifetimes, checked_summary, ("pandas", "lifetimes.utils")),
    "pymc-marketing": Variant(
        prepare_summary, work_pymc, checked_summary, ("pandas", "pymc_marketing.clv.utils")
    ),
}


def peak_rss_mb() -> float:
    """Peak resident memory since the last reset (VmHWM), or since start (ru_maxrss)."""
    with contextlib.suppress(OSError, AttributeError):
        found = re.search(r"^VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text(), flags=re.MULTILINE)
        if found:
            return int(found.group(1)) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    with contextlib.suppress(OSError):
        found = re.search(r"^VmRSS:\s+(\d+) kB", Path("/proc/self/status").read_text(), flags=re.MULTILINE)
        if found:
            return int(found.group(1)) / 1024
    return peak_rss_mb()


def reset_peak() -> bool:
    """Reset VmHWM, so the peak measured is the work's, not the untimed load's (Linux only)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(variant: str, size: str, mode: str, out: Path) -> None:
    runner = RUNNERS[variant]
    for module in runner.imports:
        importlib.import_module(module)
    # The same work once on 1,000 transactions first: what is imported or
    # compiled on first use (narwhals' backends, a JVM's first queries) is not
    # the work measured, any more than the imports are.
    runner.work(runner.prepare(data_dir("warm-up"), mode))
    ctx = runner.prepare(data_dir(size), mode)
    engines = _engines_module()
    via = "reconnect_lib.engines.scan" if engines is not None and hasattr(engines, "scan") else "direct reads"
    gc.collect()
    reset = reset_peak()
    start_rss = rss_mb()
    print("CLOCK start", file=sys.stderr, flush=True)
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    result = runner.work(ctx)
    total = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_before
    peak = peak_rss_mb()
    print(f"CLOCK stop {total:.3f}", file=sys.stderr, flush=True)
    checked = runner.checked(result)
    checked_file = out.with_suffix(".checked.parquet")
    checked.to_parquet(checked_file)
    out.write_text(
        json.dumps(
            {
                "variant": variant,
                "size": size,
                "mode": mode,
                "total": total,
                "cpu": cpu,
                "peak_rss_mb": peak,
                "start_rss_mb": start_rss,
                "peak_is_work_only": reset,
                "rows": len(checked),
                "checked": str(checked_file),
                "reads": via,
            }
        )
    )
    if "spark" in ctx:  # let the JVM go before the parent stops watching it
        ctx["spark"].stop()


# --- the parent: runs the children, compares, renders ----------------------------------------


@dataclass
class Outcome:
    variant: str
    size: str
    mode: str
    runs: list[dict[str, Any]] = field(default_factory=list)
    failure: str | None = None
    skipped: str | None = None

    @property
    def best(self) -> float | None:
        return min(r["total"] for r in self.runs) if self.runs else None

    @property
    def peak(self) -> float | None:
        return max(r["peak_mb"] for r in self.runs) if self.runs else None


def _tree_rss_mb(proc: Any) -> float:
    """Resident memory of `proc` and its children (Spark's JVM is a child of the Python driver)."""
    import psutil

    total = 0.0
    with contextlib.suppress(psutil.Error):
        for p in [proc, *proc.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
    return total / 2**20


def python_for(variant: str) -> Path:
    return BASELINES_VENV / "bin" / "python" if variant in IN_BASELINES_VENV else Path(sys.executable)


def run_child(
    variant: str, size: str, mode: str, index: int, *, timeout: float, memory_limit_mb: float
) -> dict[str, Any] | str:
    """One measured run in a fresh interpreter: its report, or why it did not finish.

    A watchdog samples the resident memory of the child and its children every
    0.1 s and kills the whole process group above `memory_limit_mb` or after
    `timeout` seconds of work.
    """
    import psutil

    folder = data_dir(size) / "runs"
    folder.mkdir(exist_ok=True)
    stem = folder / f"{re.sub(r'[^a-z0-9]+', '-', variant.lower()).strip('-')}-{mode}-{index}"
    out, log_path = stem.with_suffix(".json"), stem.with_suffix(".log")
    out.unlink(missing_ok=True)
    cmd = [str(python_for(variant)), __file__, "--child", variant, "--child-size", size, "--child-mode", mode]
    cmd += ["--child-out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"}
    with log_path.open("w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=log, cwd=ROOT, env=env, start_new_session=True)
        watched = psutil.Process(proc.pid)
        started, peak, why, clock = time.perf_counter(), 0.0, None, None
        while proc.poll() is None:
            rss = _tree_rss_mb(watched)
            if clock is None and "CLOCK start" in log_path.read_text():
                clock, peak = time.perf_counter(), 0.0  # the peak of the work, not of the load
            if clock is not None and "CLOCK stop" not in log_path.read_text():
                peak = max(peak, rss)
            if time.perf_counter() - started > timeout:
                why = f"did not finish in {timeout:.0f} s"
            elif rss > memory_limit_mb:
                why = f"stopped at {rss / 1024:.1f} GiB resident (limit {memory_limit_mb / 1024:.0f} GiB)"
            if why:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                break
            time.sleep(0.1)
    text = log_path.read_text()
    if why is None and proc.returncode == 0 and out.exists():
        report = json.loads(out.read_text())
        # The child's own peak (exact, VmHWM) or the sampled peak of its process tree (the JVM).
        report["tree_peak_mb"] = peak
        report["peak_mb"] = max(report["peak_rss_mb"], peak)
        return report
    if why is None:
        lines = [line for line in text.strip().splitlines() if line.strip() and not line.startswith("CLOCK")]
        why = f"failed (exit {proc.returncode}): {(lines or ['no output'])[-1][:300]}"
    return why


def measure(
    variant: str, size: str, mode: str, *, repeat: int, budget: float, timeout: float, memory_limit_mb: float
) -> Outcome:
    outcome = Outcome(variant, size, mode)
    spent = 0.0
    for i in range(repeat):
        result = run_child(variant, size, mode, i, timeout=timeout, memory_limit_mb=memory_limit_mb)
        if isinstance(result, str):
            outcome.failure = result
            print(f"  {variant:<24} {mode:<8} run {i + 1}: {result}", flush=True)
            break
        outcome.runs.append(result)
        spent += result["total"]
        print(
            f"  {variant:<24} {mode:<8} run {i + 1}: {result['total']:8.2f} s"
            f"  peak {result['peak_mb']:7.0f} MB  (before the clock {result['start_rss_mb']:.0f} MB)"
            f"  CPU {result['cpu']:8.2f} s",
            flush=True,
        )
        if spent > budget and i + 1 < repeat:
            print(f"  {variant:<24} {mode:<8} over its {budget:.0f} s budget: no more repeats", flush=True)
            break
    return outcome


def reference_of(outcomes: list[Outcome]) -> Outcome | None:
    """reconnect_lib on pandas from Parquet; where pandas was not run, reconnect_lib on DuckDB."""
    for variant in ("reconnect_lib · pandas", "reconnect_lib · DuckDB", "reconnect_lib · Polars"):
        for mode in MODES:
            found = next((o for o in outcomes if (o.variant, o.mode) == (variant, mode) and o.runs), None)
            if found:
                return found
    return None


def compare(outcomes: list[Outcome]) -> list[str]:
    """Every variant's result against the reference's, column by column, client by client."""
    import pandas as pd

    reference = reference_of(outcomes)
    if reference is None:
        return []
    mine = pd.read_parquet(reference.runs[0]["checked"])
    problems = []
    for outcome in outcomes:
        if outcome is reference or not outcome.runs:
            continue
        name = f"{outcome.variant} ({outcome.size}, {outcome.mode})"
        theirs = pd.read_parquet(outcome.runs[0]["checked"])
        ours = mine
        if outcome.variant in SUMMARIES:  # summaries list the clients who bought, nobody else
            ours = mine[mine["n_purchases"] > 0].reset_index(drop=True)
        if len(theirs) != len(ours) or (theirs["client_id"].to_numpy() != ours["client_id"].to_numpy()).any():
            problems.append(
                f"{name}: {len(theirs):,} clients, not the same as {reference.variant}'s {len(ours):,}"
            )
            continue
        for column in CHECKED:
            if column not in theirs.columns:
                continue
            a, b = theirs[column], ours[column]
            differ = int((a.isna() != b.isna()).sum() + ((a != b) & a.notna() & b.notna()).sum())
            if differ:
                problems.append(
                    f"{name}: `{column}` differs for {differ:,} clients from {reference.variant}'s"
                )
    return problems


def fmt_seconds(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}" if value < 100 else f"{value:.0f}"


def _best_of(outcomes: list[Outcome], size: str, mode: str, names: tuple[str, ...]) -> Outcome | None:
    found = [o for o in outcomes if o.size == size and o.mode == mode and o.variant in names and o.runs]
    return min(found, key=lambda o: o.best) if found else None


def _get(outcomes: list[Outcome], size: str, mode: str, name: str) -> Outcome | None:
    return next((o for o in outcomes if (o.size, o.mode, o.variant) == (size, mode, name) and o.runs), None)


def table(outcomes: list[Outcome]) -> str:
    head = (
        "| size | source | variant | time best (s) | time median (s) | CPU of best (s) "
        "| runs | peak RSS (MB) | RSS before the clock (MB) | × fastest query | × pandas groupby "
        "| lifetimes ÷ this |"
    )
    width = head.count("|") - 1
    lines = [head, "|" + " --- |" * width]
    for o in outcomes:
        n_clients, n_tx = SIZES[o.size]
        size = f"{n_tx:,} / {n_clients:,}"
        if not o.runs:
            lines.append(
                f"| {size} | {o.mode} | {o.variant} | {o.skipped or o.failure} |" + " |" * (width - 4)
            )
            continue
        best = o.best
        cpu = next(r["cpu"] for r in o.runs if r["total"] == best)
        fastest = _best_of(outcomes, o.size, o.mode, ("Polars lazy", "DuckDB SQL"))
        pandas = _get(outcomes, o.size, o.mode, "pandas groupby")
        life = _get(outcomes, o.size, o.mode, "lifetimes")
        ratios = [
            f"{best / fastest.best:.2f}" if fastest else "–",
            f"{best / pandas.best:.2f}" if pandas else "–",
            f"{life.best / best:.1f}" if life else "–",
        ]
        before = min(r["start_rss_mb"] for r in o.runs)
        median = fmt_seconds(statistics.median(r["total"] for r in o.runs))
        lines.append(
            f"| {size} | {o.mode} | {o.variant} | {fmt_seconds(best)} | {median} | {fmt_seconds(cpu)} "
            f"| {len(o.runs)} | {o.peak:,.0f} | {before:,.0f} | {' | '.join(ratios)} |"
        )
        if o.failure:
            lines.append(
                f"| {size} | {o.mode} | {o.variant} (further runs) | {o.failure} |" + " |" * (width - 4)
            )
    return "\n".join(lines)


def targets(outcomes: list[Outcome]) -> str:
    """The issue's targets, each as a ratio measured in this run, met or not."""
    rows = ["| target | size | source | measured | met? |", "| --- | --- | --- | --- | --- |"]
    fastest_queries = ("Polars lazy", "DuckDB SQL")

    def verdict(ok: bool) -> str:
        return "**met**" if ok else "**not yet**"

    def row(target: str, size: str, mode: str, measured: str, ok: bool) -> None:
        rows.append(f"| {target} | {size} | {mode} | {measured} | {verdict(ok)} |")

    def secs(o: Outcome) -> str:
        return f"{o.variant} {fmt_seconds(o.best)} s"

    sizes = list(dict.fromkeys(o.size for o in outcomes))
    for mode in MODES if "10M" in sizes else ():
        engine = _best_of(outcomes, "10M", mode, ENGINES)
        query = _best_of(outcomes, "10M", mode, fastest_queries)
        if engine and query:
            t, m = engine.best / query.best, engine.peak / query.peak
            row(
                "fastest engine within 1.1× of the fastest hand-written query: time",
                "10M",
                mode,
                f"{secs(engine)} ÷ {secs(query)} = {t:.2f}×",
                t <= 1.1,
            )
            row(
                "… and peak memory",
                "10M",
                mode,
                f"{engine.peak:,.0f} MB ÷ {query.peak:,.0f} MB = {m:.2f}×",
                m <= 1.1,
            )
        duck = _get(outcomes, "10M", mode, "reconnect_lib · DuckDB")
        sql = _get(outcomes, "10M", mode, "DuckDB SQL")
        if duck and sql:
            r = duck.best / sql.best
            measured = f"{secs(duck)} ÷ {secs(sql)} = {r:.2f}×"
            row("DuckDB engine within 1.5× of DuckDB SQL", "10M", mode, measured, r <= 1.5)
    for size in sizes:
        for mode in MODES:
            mine = _get(outcomes, size, mode, "reconnect_lib · pandas")
            pandas = _get(outcomes, size, mode, "pandas groupby")
            query = _best_of(outcomes, size, mode, fastest_queries)
            if mine and pandas:
                r = mine.best / pandas.best
                measured = f"{fmt_seconds(mine.best)} s ÷ {fmt_seconds(pandas.best)} s = {r:.2f}×"
                row("pandas engine within 1.25× of hand-written pandas", size, mode, measured, r <= 1.25)
            if mine and query:
                r = mine.best / query.best
                measured = f"{fmt_seconds(mine.best)} s ÷ {secs(query)} = {r:.2f}×"
                row("pandas engine within 3× of the fastest query", size, mode, measured, r <= 3)
    for size in sizes:
        for mode in MODES:
            life = _get(outcomes, size, mode, "lifetimes")
            run = [o for name in ENGINES if (o := _get(outcomes, size, mode, name))]
            if not life or not run:
                continue
            ratios = {o.variant.split(" · ")[1]: life.best / o.best for o in run}
            measured = f"lifetimes {fmt_seconds(life.best)} s ÷ engine: " + ", ".join(
                f"{name} {r:.1f}×" for name, r in ratios.items()
            )
            row("every engine ≥ 10× faster than lifetimes", size, mode, measured, min(ratios.values()) >= 10)
    for name in ("reconnect_lib · DuckDB", "reconnect_lib · Polars") if "100M" in sizes else ():
        o = next((x for x in outcomes if (x.size, x.mode, x.variant) == ("100M", "parquet", name)), None)
        if o is not None:
            done = f"{fmt_seconds(o.best)} s, peak {o.peak:,.0f} MB" if o.runs else o.failure or o.skipped
            row(
                "100M from Parquet completes within memory",
                "100M",
                "parquet",
                f"{name}: {done}",
                bool(o.runs),
            )
    return "\n".join(rows)


def versions() -> str:
    names = ("pandas", "numpy", "pyarrow", "narwhals", "polars", "duckdb", "pyspark")
    found = package_versions(names)
    java = "Java unknown"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        banner = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=30).stderr
        java = banner.splitlines()[0].replace('"', "") if banner else java
    baselines = baseline_versions()
    return (
        f"Python {platform.python_version()}, " + ", ".join(found) + f", {java}; baselines venv: {baselines}"
    )


def baseline_versions() -> str:
    python = BASELINES_VENV / "bin" / "python"
    if not python.exists():
        return "not set up"
    code = (
        "from importlib.metadata import version as v\n"
        "for n in ('lifetimes', 'pymc-marketing', 'pymc', 'pandas', 'numpy'):\n"
        "    try: print(n, v(n))\n"
        "    except Exception: print(n, '(not installed)')\n"
    )
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=60)
    return ", ".join(done.stdout.split("\n")[:-1]) if done.returncode == 0 else "broken"


def setup_baselines() -> int:
    """Create benchmarks/.venv-baselines with lifetimes and pymc-marketing (never the project's venv)."""
    base = Path(sys.base_prefix) / "bin" / "python3"
    if not (BASELINES_VENV / "bin" / "python").exists():
        subprocess.run([str(base), "-m", "venv", str(BASELINES_VENV)], check=True)
    pip = [str(BASELINES_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    failed = []
    for package in BASELINE_PACKAGES:  # one at a time: one that will not install does not stop the others
        if subprocess.run([*pip, package]).returncode:
            failed.append(package)
    print(
        f"baselines venv: {baseline_versions()}"
        + (f"; failed to install: {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0


def baseline_missing(variant: str) -> str | None:
    """Why a summary variant cannot run (its venv or package is missing), or None."""
    python = BASELINES_VENV / "bin" / "python"
    if not python.exists():
        return "not run: no benchmarks/.venv-baselines (run --setup-baselines)"
    module = RUNNERS[variant].imports[-1]
    done = subprocess.run(
        [str(python), "-c", f"import {module}"], capture_output=True, text=True, timeout=300
    )
    if done.returncode:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return f"not run: `import {module}` fails in the baselines venv ({last[:200]})"
    return None


def section(outcomes: list[Outcome], problems: list[str], command: str, started: datetime, load: str) -> str:
    sizes = dict.fromkeys(o.size for o in outcomes)
    data = "; ".join(f"{s}: {SIZES[s][1]:,} transactions, {SIZES[s][0]:,} clients" for s in sizes)
    reads = sorted({r["reads"] for o in outcomes for r in o.runs if o.variant in ENGINES})
    reference = {s: reference_of([o for o in outcomes if o.size == s]) for s in sizes}
    refs = "; ".join(f"{s}: {r.variant} from {r.mode}" for s, r in reference.items() if r)
    agreement = (
        "**All variants agree** with the reference on every client's first and last purchase, distinct "
        "purchase days, total in cents, days dormant, bucket and rank within the bucket (lifetimes and "
        "pymc-marketing: on the purchase days, first and last purchase of every client who bought)."
        if not problems
        else "**MISMATCH**:\n\n" + "\n".join(f"- {p}" for p in problems)
    )
    return "\n".join(
        [
            f"Recorded {started:%Y-%m-%d %H:%M %Z} on {machine()} (load average at start {load}).",
            "",
            f"{versions()}.",
            "",
            f"Data (seed {SEED}, as of {AS_OF}): {data}.",
            f"reconnect_lib's engines read Parquet through {', '.join(reads) or '–'}.",
            f"Reference for the check: {refs}.",
            "",
            f"Rerun: `{command}`",
            "",
            table(outcomes),
            "",
            "Targets (ratios from this run):",
            "",
            targets(outcomes),
            "",
            agreement,
        ]
    )


# --- command line -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        nargs="+",
        choices=[s for s in SIZES if s != "warm-up"],
        default=["100k"],
        help="history sizes to run",
    )
    parser.add_argument(
        "--modes", nargs="+", choices=MODES, default=list(MODES), help="Parquet and/or in memory"
    )
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS), metavar="VARIANT")
    parser.add_argument("--repeat", type=int, default=2, help="measured runs per variant (best and median)")
    parser.add_argument(
        "--budget", type=float, default=60.0, help="no more repeats once a variant took this long (s)"
    )
    parser.add_argument("--timeout", type=float, default=1200.0, help="stop a single run after this long (s)")
    parser.add_argument("--memory-limit-gb", type=float, default=14.0, help="stop a run above this RSS (GiB)")
    parser.add_argument("--no-spark", action="store_true", help="leave out reconnect_lib on Spark")
    parser.add_argument("--write", action="store_true", help="record the results in benchmarks/README.md")
    parser.add_argument(
        "--setup-baselines", action="store_true", help="create the lifetimes/pymc-marketing venv"
    )
    parser.add_argument("--generate-only", action="store_true", help="write the data of --sizes and stop")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-size", help=argparse.SUPPRESS)
    parser.add_argument("--child-mode", help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        child(args.child, args.child_size, args.child_mode, args.child_out)
        return 0
    if args.setup_baselines:
        return setup_baselines()
    for size in ["warm-up", *args.sizes]:
        ensure_data(size)
    if args.generate_only:
        return 0

    started = datetime.now().astimezone()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    command = " ".join([".venv/bin/python", "benchmarks/bench_engines.py", *(argv or sys.argv[1:])])
    missing = {v: baseline_missing(v) for v in SUMMARIES if v in args.variants}
    outcomes: list[Outcome] = []
    for size in args.sizes:
        shutil.rmtree(data_dir(size) / "runs", ignore_errors=True)  # results of an earlier run
        n_clients, n_tx = SIZES[size]
        print(f"\n{size}: {n_tx:,} transactions, {n_clients:,} clients", flush=True)
        for mode in args.modes:
            for variant in args.variants:
                skipped = None
                if size in TOO_BIG_FOR_PANDAS and mode == "memory":
                    continue  # measured from Parquet only: said once in the README, not in 9 rows
                if size in TOO_BIG_FOR_PANDAS and variant in PANDAS_BASED:
                    skipped = "not run at this size (pandas-based, or Spark in local mode)"
                elif variant == "reconnect_lib · Spark" and args.no_spark:
                    skipped = "not run (--no-spark)"
                elif missing.get(variant):
                    skipped = missing[variant]
                if skipped:
                    outcomes.append(Outcome(variant, size, mode, skipped=skipped))
                    continue
                outcomes.append(
                    measure(
                        variant,
                        size,
                        mode,
                        repeat=1 if size in TOO_BIG_FOR_PANDAS else args.repeat,
                        budget=args.budget,
                        timeout=args.timeout,
                        memory_limit_mb=args.memory_limit_gb * 1024,
                    )
                )
    problems = []
    for size in args.sizes:
        problems += compare([o for o in outcomes if o.size == size])
    ended = " ".join(f"{x:.2f}" for x in os.getloadavg())
    text = section(outcomes, problems, command, started, f"{load}, at the end {ended}")
    print("\n" + text)
    if problems:
        banner = "!" * 78
        print(f"\n{banner}\nMISMATCH: the variants disagree\n{banner}", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
    if args.write:
        write_section(START, END, text)
        print(f"\nwritten to {README}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

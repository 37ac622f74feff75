"""Benchmark: load + client base + dormancy buckets + value scores, against pandas and DuckDB.

Generates a seeded client list, a ten-year transaction history and a contact
history (cached as Parquet under ``benchmarks/.data/``), then times, each run in
a fresh subprocess so that peak memory is measured per run:

- ``reconnect_lib (pandas)``: load_clients / load_transactions / load_contacts
  from Parquet (reading, cleaning and pandera validation), client_base,
  dormancy_buckets, value_scores;
- ``reconnect_lib (Polars)``: the same three stages on ``pl.read_parquet``
  frames (no validation: reconnect_lib.load is pandas-only);
- ``pandas groupby``: the same per-client summary written directly in pandas;
- ``DuckDB SQL``: the same summary as one SQL query over the Parquet files.

Every variant's result is fingerprinted (clients, due, revenue to the cent,
purchases and days dormant per bucket; hashes of the per-client values and
ranks) and compared with reconnect_lib's; a mismatch is printed loudly.

Usage::

    .venv/bin/python benchmarks/bench_client_base.py --sizes small large --repeat 3 --write
    .venv/bin/python benchmarks/bench_client_base.py --quick
    .venv/bin/python benchmarks/bench_client_base.py --sizes large --profile

``--write`` puts the results table into benchmarks/README.md between the
``client-base`` markers; ``--profile`` runs the reconnect_lib pandas path once
under cProfile instead and prints the top functions of each stage.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import importlib
import io
import json
import os
import platform
import pstats
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from _common import machine, package_versions, write_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / ".data"
README = HERE / "README.md"
START, END = "<!-- client-base:start -->", "<!-- client-base:end -->"

AS_OF = date(2026, 11, 23)
SEED = 20261123
#: Bump when the generator changes, so cached Parquet files are regenerated.
GENERATOR_VERSION = 1

#: name -> (clients, transactions); contacts are one per five clients.
SIZES: dict[str, tuple[int, int]] = {
    "quick": (10_000, 100_000),
    "small": (100_000, 1_000_000),
    "large": (1_000_000, 10_000_000),
}

#: The default buckets of reconnect_lib.dormancy (edges 6, 12, 24, 36 months =
#: 183, 365, 730, 1096 days) and the default prior chance of winning back each,
#: written out here so the baselines do not import reconnect_lib.
EDGES_DAYS = (183, 365, 730, 1096)
LABELS = ("active (< 6 months)", "6–12 months", "1–2 years", "2–3 years", "3 years and more")
CHANCE = (0.60, 0.50, 0.35, 0.25, 0.15)
DUE_DAYS = 183
DAYS_PER_YEAR = 365.25

VARIANTS = ("reconnect_lib (pandas)", "reconnect_lib (Polars)", "pandas groupby", "DuckDB SQL")
REFERENCE = VARIANTS[0]
STAGES = ("load", "client_base", "buckets", "scores")

FIRST_NAMES = (
    "Ann", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jack", "Keiko", "Liam",
    "Maya", "Noah", "Olga", "Pavel", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Victor", "Wen", "Yusuf",
)  # fmt: skip
LAST_NAMES = (
    "Adams", "Brown", "Chen", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jones", "Khan",
    "Lopez", "Martin", "Nowak", "Okafor", "Patel", "Rossi", "Silva", "Taylor", "Walsh", "Young", "Zhang",
)  # fmt: skip
COMPANY_SUFFIXES = ("Ltd", "& Co", "Partners", "Consulting", "Group", "Holdings", "Studio", "Trading")
CITIES = (
    "London", "Manchester", "Leeds", "Bristol", "Glasgow", "Cardiff", "Dublin", "Cork", "Paris", "Lyon",
    "Berlin", "Hamburg", "Madrid", "Porto", "Milan", "Vienna", "Zurich", "Brussels", "Oslo", "Warsaw",
)  # fmt: skip
COUNTRIES = ("GB", "IE", "FR", "DE", "ES", "PT", "IT", "AT", "CH", "BE", "NO", "PL")
OWNERS = ("A. Reid", "B. Singh", "C. Moreau", "D. Kowalski", "E. Byrne", "F. Costa")
CHANNELS = ("letter", "phone", "email", "visit", "gift", "other")


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
    }
    files = [folder / f"{t}.parquet" for t in ("clients", "transactions", "contacts")]
    if meta.exists() and all(f.exists() for f in files) and json.loads(meta.read_text()) == wanted:
        return folder
    n_clients, n_tx = SIZES[size]
    print(f"generating {size}: {n_clients:,} clients, {n_tx:,} transactions ...", flush=True)
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    generate(folder, n_clients, n_tx, seed=SEED + n_clients)
    meta.write_text(json.dumps(wanted))
    print(f"  done in {time.perf_counter() - started:.1f} s ({folder})", flush=True)
    return folder


def generate(folder: Path, n_clients: int, n_tx: int, *, seed: int) -> None:
    """Write clients.parquet, transactions.parquet and contacts.parquet into `folder`.

    Every client has a start (client since, at most 20 years ago) and an end of
    activity (the as-of date minus an exponential dormancy, mean two years), so
    the dormancy buckets are all well filled. Transactions fall uniformly within
    each client's last ten years of activity, with gamma-distributed client
    weights (a few big clients, many small ones); 5 % of clients never bought,
    2 % have no client-since date, 2 % of transactions are refunds.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    as_of = np.datetime64(AS_OF.isoformat(), "D").astype("int64")
    ids = pa.array([f"C{i:07d}" for i in range(1, n_clients + 1)])

    def pick(words: tuple[str, ...], n: int) -> pa.Array:
        return pa.array(np.asarray(words, dtype=object)[rng.integers(0, len(words), n)], pa.string())

    age = rng.integers(30, 20 * 365, n_clients)
    since = as_of - age
    window_start = np.maximum(since, as_of - 3652)
    dormant = np.minimum(rng.exponential(730.0, n_clients).astype("int64"), as_of - window_start)
    end = as_of - dormant
    first, last = pick(FIRST_NAMES, n_clients), pick(LAST_NAMES, n_clients)
    number = pc.cast(pa.array(np.arange(1, n_clients + 1)), pa.string())
    email = pc.binary_join_element_wise(
        pc.utf8_lower(first), ".", pc.utf8_lower(last), number, "@example.com", ""
    )
    company = pc.binary_join_element_wise(last, pick(COMPANY_SUFFIXES, n_clients), " ")
    company = pc.if_else(pa.array(rng.random(n_clients) < 0.3), pa.scalar(None, pa.string()), company)
    since_ts = (since * 86_400_000_000).astype("datetime64[us]")
    since_col = pa.array(since_ts, mask=rng.random(n_clients) < 0.02)
    clients = pa.table(
        {
            "client_id": ids,
            "name": pc.binary_join_element_wise(first, last, " "),
            "company": company,
            "email": email,
            "city": pick(CITIES, n_clients),
            "country": pick(COUNTRIES, n_clients),
            "account_owner": pick(OWNERS, n_clients),
            "client_since": since_col,
            "do_not_contact": pa.array(rng.random(n_clients) < 0.03),
        }
    )
    pq.write_table(clients, folder / "clients.parquet")

    weight = rng.gamma(0.7, 1.0, n_clients)
    weight[rng.random(n_clients) < 0.05] = 0.0
    who = rng.choice(n_clients, size=n_tx, p=weight / weight.sum())
    span = end[who] - window_start[who]
    day = window_start[who] + (rng.random(n_tx) * (span + 1)).astype("int64")
    amount = np.round(np.maximum(rng.lognormal(np.log(150.0), 1.0, n_tx), 1.0), 2)
    amount[rng.random(n_tx) < 0.02] *= -1
    order = np.argsort(day, kind="stable")  # an accounting export is in date order
    transactions = pa.table(
        {
            "client_id": ids.take(pa.array(who[order])),
            "date": pa.array((day[order] * 86_400_000_000).astype("datetime64[us]")),
            "amount": pa.array(amount[order]),
        }
    )
    pq.write_table(transactions, folder / "transactions.parquet")
    del who, span, day, amount, order, transactions

    n_ct = n_clients // 5
    whom = rng.integers(0, n_clients, n_ct)
    when = window_start[whom] + (rng.random(n_ct) * (as_of - window_start[whom] + 1)).astype("int64")
    when = np.minimum(when, as_of)
    order = np.argsort(when, kind="stable")
    contacts = pa.table(
        {
            "client_id": ids.take(pa.array(whom[order])),
            "date": pa.array((when[order] * 86_400_000_000).astype("datetime64[us]")),
            "channel": pick(CHANNELS, n_ct).take(pa.array(order)),
        }
    )
    pq.write_table(contacts, folder / "contacts.parquet")


# --- the variants (each runs in a child process) ------------------------------------------


class Stages:
    """Times named stages with perf_counter and reports each as it ends (on stderr)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.seconds[name] = time.perf_counter() - started
        print(f"STAGE {name} {self.seconds[name]:.3f}", file=sys.stderr, flush=True)


def run_reconnect_pandas(folder: Path, stage: Stages, ext: str = "parquet") -> Any:
    """The public loaders on `folder`'s ``*.{ext}`` files (as load_inputs reads them), then the stages."""
    from reconnect_lib.client_base import client_base
    from reconnect_lib.dormancy import dormancy_buckets
    from reconnect_lib.load import load_clients, load_contacts, load_transactions
    from reconnect_lib.value import value_scores

    with stage("load"):
        clients = load_clients(folder / f"clients.{ext}", as_of=AS_OF)
        known = clients["client_id"]
        tx = load_transactions(folder / f"transactions.{ext}", as_of=AS_OF, client_ids=known)
        ct = load_contacts(folder / f"contacts.{ext}", as_of=AS_OF, client_ids=known)
    with stage("client_base"):
        base = client_base(clients, tx, ct, as_of=AS_OF)
    del tx, ct
    with stage("buckets"):
        bucketed = dormancy_buckets(base)
    with stage("scores"):
        return value_scores(bucketed)


def run_reconnect_polars(folder: Path, stage: Stages) -> Any:
    import polars as pl

    from reconnect_lib.client_base import client_base
    from reconnect_lib.dormancy import dormancy_buckets
    from reconnect_lib.value import value_scores

    with stage("load"):
        clients = pl.read_parquet(folder / "clients.parquet")
        tx = pl.read_parquet(folder / "transactions.parquet")
        ct = pl.read_parquet(folder / "contacts.parquet")
    with stage("client_base"):
        base = client_base(clients, tx, ct, as_of=AS_OF)
    del tx, ct
    with stage("buckets"):
        bucketed = dormancy_buckets(base)
    with stage("scores"):
        return value_scores(bucketed)


def run_pandas(folder: Path, stage: Stages) -> Any:
    """The per-client summary as a pandas user would write it: groupby, joins, pd.cut, a sort."""
    import pandas as pd

    with stage("load"):
        clients = pd.read_parquet(folder / "clients.parquet")
        tx = pd.read_parquet(folder / "transactions.parquet", columns=["client_id", "date", "amount"])
        ct = pd.read_parquet(folder / "contacts.parquet", columns=["client_id", "date"])
    return pandas_summary(clients, tx, ct, stage)


def pandas_summary(clients: Any, tx: Any, ct: Any, stage: Stages) -> Any:
    """run_pandas's work after its read: the client base, buckets and ranks, each a stage."""
    import numpy as np
    import pandas as pd

    as_of = pd.Timestamp(AS_OF)
    with stage("client_base"):
        tx = tx[tx["date"] <= as_of]
        bought = tx[tx["amount"] > 0]
        purchases = bought.groupby("client_id").agg(
            first_purchase=("date", "min"), last_purchase=("date", "max"), n_purchases=("date", "nunique")
        )
        revenue = tx.groupby("client_id")["amount"].sum().rename("total_revenue")
        touched = ct[ct["date"] <= as_of].groupby("client_id")["date"].agg(["min", "max"])
        touched.columns = ["first_contact", "last_contact"]
        base = clients.join(purchases, on="client_id").join(revenue, on="client_id")
        base = base.join(touched, on="client_id")
        base["n_purchases"] = base["n_purchases"].fillna(0).astype("int64")
        base["total_revenue"] = base["total_revenue"].fillna(0.0)
        first_activity = base[["first_purchase", "first_contact"]].min(axis=1)
        last_activity = base[["last_purchase", "last_contact"]].max(axis=1)
        base["days_dormant"] = (as_of - last_activity.fillna(base["client_since"])).dt.days
        tenure = (as_of - base["client_since"].fillna(first_activity)).dt.days
        base["yearly_revenue"] = base["total_revenue"] / (tenure.fillna(0) / DAYS_PER_YEAR).clip(lower=1.0)
    del tx, bought, ct
    with stage("buckets"):
        days = base["days_dormant"]
        order = pd.cut(days, [-np.inf, *EDGES_DAYS, np.inf], right=False, labels=False)
        base["bucket_order"] = order.fillna(len(EDGES_DAYS)).astype("int64")  # unknown: the oldest
        base["dormancy_bucket"] = np.asarray(LABELS, dtype=object)[base["bucket_order"].to_numpy()]
        base["due"] = days.isna() | (days >= DUE_DAYS)
    with stage("scores"):
        chance = np.asarray(CHANCE)[base["bucket_order"].to_numpy()]
        base["expected_value"] = base["yearly_revenue"].clip(lower=0.0) * chance
        base["value_cents"] = np.floor(base["expected_value"] * 100 + 0.5).astype("int64")
        ranked = base.sort_values(["value_cents", "client_id"], ascending=[False, True])
        base["priority_rank"] = pd.Series(np.arange(1, len(base) + 1), index=ranked.index)
        base["bucket_rank"] = ranked.groupby("bucket_order").cumcount() + 1
        return base


DUCKDB_SQL = """
WITH tx AS (
    SELECT client_id, CAST(date AS DATE) AS day, amount
    FROM {transactions} WHERE date <= DATE '{as_of}'
), purchases AS (
    SELECT client_id, min(day) AS first_purchase, max(day) AS last_purchase,
           count(DISTINCT day) AS n_purchases
    FROM tx WHERE amount > 0 GROUP BY client_id
), revenue AS (
    SELECT client_id, sum(amount) AS total_revenue FROM tx GROUP BY client_id
), touched AS (
    SELECT client_id, min(CAST(date AS DATE)) AS first_contact, max(CAST(date AS DATE)) AS last_contact
    FROM {contacts} WHERE date <= DATE '{as_of}' GROUP BY client_id
), base AS (
    SELECT c.*, p.first_purchase, p.last_purchase, k.last_contact,
           coalesce(p.n_purchases, 0) AS n_purchases,
           coalesce(r.total_revenue, 0.0) AS total_revenue,
           DATE '{as_of}' - coalesce(greatest(p.last_purchase, k.last_contact), CAST(c.client_since AS DATE))
               AS days_dormant,
           DATE '{as_of}' - coalesce(CAST(c.client_since AS DATE), least(p.first_purchase, k.first_contact))
               AS tenure_days
    FROM {clients} AS c
    LEFT JOIN purchases AS p USING (client_id)
    LEFT JOIN revenue AS r USING (client_id)
    LEFT JOIN touched AS k USING (client_id)
), bucketed AS (
    SELECT *,
           total_revenue / greatest(coalesce(tenure_days, 0) / {days_per_year}, 1.0) AS yearly_revenue,
           CASE WHEN days_dormant IS NULL THEN 4
                WHEN days_dormant < {e0} THEN 0 WHEN days_dormant < {e1} THEN 1
                WHEN days_dormant < {e2} THEN 2 WHEN days_dormant < {e3} THEN 3 ELSE 4 END AS bucket_order,
           days_dormant IS NULL OR days_dormant >= {due} AS due
    FROM base
), valued AS (
    SELECT *,
           greatest(yearly_revenue, 0.0)
               * CASE bucket_order WHEN 0 THEN {c0} WHEN 1 THEN {c1} WHEN 2 THEN {c2} WHEN 3 THEN {c3}
                                   ELSE {c4} END AS expected_value
    FROM bucketed
)
SELECT *,
       ['{l0}', '{l1}', '{l2}', '{l3}', '{l4}'][bucket_order + 1] AS dormancy_bucket,
       rank() OVER (PARTITION BY bucket_order ORDER BY floor(expected_value * 100 + 0.5) DESC, client_id)
           AS bucket_rank,
       rank() OVER (ORDER BY floor(expected_value * 100 + 0.5) DESC, client_id) AS priority_rank
FROM valued
ORDER BY client_id
"""


def duckdb_sql(**sources: str) -> str:
    """DUCKDB_SQL over `sources` (clients, transactions, contacts: each a table expression)."""
    return DUCKDB_SQL.format(
        **sources,
        as_of=AS_OF.isoformat(),
        days_per_year=DAYS_PER_YEAR,
        due=DUE_DAYS,
        **{f"e{i}": e for i, e in enumerate(EDGES_DAYS)},
        **{f"c{i}": c for i, c in enumerate(CHANCE)},
        **{f"l{i}": label for i, label in enumerate(LABELS)},
    )


def run_duckdb(folder: Path, stage: Stages) -> Any:
    import duckdb

    sql = duckdb_sql(
        **{
            t: f"read_parquet('{folder.as_posix()}/{t}.parquet')"
            for t in ("clients", "transactions", "contacts")
        }
    )
    with stage("total"), duckdb.connect() as con:
        return con.execute(sql).df()


#: What each variant imports, before its clock starts: importing is not the work measured.
IMPORTS: dict[str, tuple[str, ...]] = {
    "reconnect_lib (pandas)": (
        "reconnect_lib.load",
        "reconnect_lib.client_base",
        "reconnect_lib.dormancy",
        "reconnect_lib.value",
    ),
    "reconnect_lib (Polars)": (
        "polars",
        "reconnect_lib.client_base",
        "reconnect_lib.dormancy",
        "reconnect_lib.value",
    ),
    "pandas groupby": ("pandas", "pyarrow.parquet"),
    "DuckDB SQL": ("duckdb", "pandas"),
}

RUNNERS: dict[str, Callable[[Path, Stages], Any]] = dict(
    zip(VARIANTS, (run_reconnect_pandas, run_reconnect_polars, run_pandas, run_duckdb), strict=True)
)


def fingerprint(result: Any, ranks_file: Path) -> dict[str, Any]:
    """What must agree across variants: per-bucket totals and hashes of every client's values.

    Money is compared in whole cents (a float sum depends on the order it is
    added in); the ranks are written to `ranks_file` so that a mismatch can be
    counted client by client.
    """
    import numpy as np
    import pandas as pd

    frame = result if isinstance(result, pd.DataFrame) else result.to_pandas()
    out = pd.DataFrame(
        {
            "client_id": frame["client_id"].astype(object),
            "bucket": frame["dormancy_bucket"].astype(str).astype(object),
            "due": frame["due"].astype(bool),
            "n_purchases": frame["n_purchases"].astype("float64").fillna(-1).astype("int64"),
            "days_dormant": frame["days_dormant"].astype("float64").fillna(-1).astype("int64"),
            "revenue_cents": np.round(frame["total_revenue"].astype("float64") * 100).astype("int64"),
            "expected_value": frame["expected_value"].astype("float64"),
            "bucket_rank": frame["bucket_rank"].astype("int64"),
            "priority_rank": frame["priority_rank"].astype("int64"),
        }
    )
    out = out.sort_values("client_id", ignore_index=True)
    out[["client_id", "bucket", "expected_value", "bucket_rank", "priority_rank"]].to_parquet(ranks_file)

    def digest(columns: list[str]) -> str:
        hashed = pd.util.hash_pandas_object(out[columns], index=False).to_numpy()
        return f"{int(hashed.sum(dtype='uint64')):016x}"

    per_bucket = out.groupby("bucket").agg(
        clients=("client_id", "size"),
        due=("due", "sum"),
        revenue_cents=("revenue_cents", "sum"),
        n_purchases=("n_purchases", "sum"),
        days_dormant=("days_dormant", "sum"),
    )
    return {
        "buckets": {b: {k: int(v) for k, v in row.items()} for b, row in per_bucket.iterrows()},
        "expected_value": out.groupby("bucket")["expected_value"].sum().to_dict(),
        "clients": len(out),
        "revenue_cents": int(out["revenue_cents"].sum()),
        "summary_hash": digest(
            ["client_id", "bucket", "due", "n_purchases", "days_dormant", "revenue_cents"]
        ),
        "rank_hash": digest(["client_id", "bucket_rank", "priority_rank"]),
    }


def rss_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User and system CPU time of this process, all its threads included."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(variant: str, size: str, out: Path) -> None:
    folder = data_dir(size)
    stage = Stages()
    for module in IMPORTS[variant]:
        importlib.import_module(module)
    start_rss = rss_mb()
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    result = RUNNERS[variant](folder, stage)
    total = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_before
    peak = rss_mb()
    ranks = out.with_suffix(".ranks.parquet")
    report = {
        "variant": variant,
        "size": size,
        "stages": stage.seconds,
        "total": total,
        "cpu": cpu,
        "peak_rss_mb": peak,
        "start_rss_mb": start_rss,
        "fingerprint": fingerprint(result, ranks),
        "ranks": str(ranks),
    }
    out.write_text(json.dumps(report))


# --- the parent: runs the children, compares, renders ----------------------------------------


@dataclass
class Outcome:
    variant: str
    size: str
    runs: list[dict[str, Any]] = field(default_factory=list)
    failure: str | None = None

    @property
    def totals(self) -> list[float]:
        return [r["total"] for r in self.runs]

    def best_stage(self, name: str) -> float | None:
        values = [r["stages"][name] for r in self.runs if name in r["stages"]]
        return min(values) if values else None


def run_child(
    variant: str, size: str, index: int, *, timeout: float, memory_limit_mb: float
) -> dict[str, Any] | str:
    """One measured run in a fresh interpreter: its report, or why it did not finish."""
    import psutil

    folder = data_dir(size) / "runs"
    folder.mkdir(exist_ok=True)
    stem = folder / f"{re.sub(r'[^a-z]+', '-', variant.lower()).strip('-')}-{index}"
    out, err_path = stem.with_suffix(".json"), stem.with_suffix(".log")
    out.unlink(missing_ok=True)
    cmd = [sys.executable, __file__, "--child", variant, "--child-size", size, "--child-out", str(out)]
    with err_path.open("w") as err:
        proc = subprocess.Popen(cmd, stdout=err, stderr=err, cwd=ROOT)
        watched = psutil.Process(proc.pid)
        started, peak, why = time.perf_counter(), 0.0, None
        while proc.poll() is None:
            with contextlib.suppress(psutil.NoSuchProcess):
                peak = max(peak, watched.memory_info().rss / 2**20)
            if time.perf_counter() - started > timeout:
                why = f"did not finish in {timeout:.0f} s"
            elif peak > memory_limit_mb:
                why = f"stopped at {peak / 1024:.1f} GiB resident (limit {memory_limit_mb / 1024:.0f} GiB)"
            if why:
                proc.kill()
                proc.wait()
                break
            time.sleep(0.2)
    log = err_path.read_text()
    if why is None and proc.returncode == 0 and out.exists():
        return json.loads(out.read_text())
    done = re.findall(r"^STAGE (\S+) ([\d.]+)$", log, flags=re.MULTILINE)
    where = ", ".join(f"{name} {float(s):.1f} s" for name, s in done) or "none"
    if why is None:
        last = (log.strip().splitlines() or ["no output"])[-1]
        why = f"failed (exit {proc.returncode}): {last}"
    return f"{why}; stages finished: {where}"


def measure(
    variant: str, size: str, *, repeat: int, budget: float, timeout: float, memory_limit_mb: float
) -> Outcome:
    outcome = Outcome(variant, size)
    spent = 0.0
    for i in range(repeat):
        result = run_child(variant, size, i, timeout=timeout, memory_limit_mb=memory_limit_mb)
        if isinstance(result, str):
            outcome.failure = result
            print(f"  {variant:<24} run {i + 1}: {result}", flush=True)
            break
        outcome.runs.append(result)
        spent += result["total"]
        stages = ", ".join(f"{k} {v:.2f}" for k, v in result["stages"].items())
        print(
            f"  {variant:<24} run {i + 1}: {result['total']:8.2f} s  peak {result['peak_rss_mb']:7.0f} MB"
            f"  CPU {result['cpu']:8.2f} s  ({stages})",
            flush=True,
        )
        if spent > budget and i + 1 < repeat:
            print(f"  {variant:<24} over its {budget:.0f} s budget: no more repeats", flush=True)
            break
    return outcome


def own_ranks(frame: Any) -> tuple[Any, Any]:
    """bucket_rank and priority_rank by reconnect_lib's rule, from `frame`'s own expected values.

    Whole cents (half up), highest first, client_id breaking ties.
    """
    import numpy as np
    import pandas as pd

    cents = np.floor(frame["expected_value"] * 100 + 0.5)
    ranked = frame.assign(_cents=cents).sort_values(["_cents", "client_id"], ascending=[False, True])
    priority = pd.Series(np.arange(1, len(frame) + 1), index=ranked.index)
    bucket = ranked.groupby("bucket").cumcount() + 1
    return bucket.reindex(frame.index), priority.reindex(frame.index)


def compare(outcomes: list[Outcome]) -> tuple[list[str], list[str]]:
    """Disagreements with the reference variant, and differences that are only float rounding.

    A rank may legitimately differ when an expected value lies on a half cent
    and the two engines' float sums of a client's amounts differ in the last
    bit: such a difference is a note, provided the expected values agree to
    1e-9 and the variant's ranks follow reconnect_lib's rule on its own values.
    """
    import numpy as np
    import pandas as pd

    reference = next((o for o in outcomes if o.variant == REFERENCE and o.runs), None)
    if reference is None:
        return [], []
    ref = reference.runs[0]
    ref_print = ref["fingerprint"]
    mine = pd.read_parquet(ref["ranks"])
    problems: list[str] = []
    notes: list[str] = []
    for outcome in outcomes:
        for run in outcome.runs[:1]:  # every run computes the same; one is enough
            fp, name = run["fingerprint"], f"{outcome.variant} ({outcome.size})"
            for bucket in sorted(set(ref_print["buckets"]) | set(fp["buckets"])):
                ours, theirs = ref_print["buckets"].get(bucket, {}), fp["buckets"].get(bucket, {})
                problems += [
                    f"{name}: bucket {bucket!r} {key} = {theirs.get(key)} vs {ours.get(key)} in {REFERENCE}"
                    for key in sorted(set(ours) | set(theirs))
                    if ours.get(key) != theirs.get(key)
                ]
            if fp["summary_hash"] != ref_print["summary_hash"]:
                problems.append(f"{name}: the per-client summary differs from {REFERENCE}'s")
            theirs = pd.read_parquet(run["ranks"])
            if len(theirs) != len(mine) or (theirs["client_id"] != mine["client_id"]).any():
                problems.append(f"{name}: not the same clients as {REFERENCE}")
                continue
            value = ~np.isclose(theirs["expected_value"], mine["expected_value"], rtol=1e-9, atol=1e-9)
            if value.any():
                problems.append(f"{name}: expected_value differs for {int(value.sum()):,} clients")
            if fp["rank_hash"] == ref_print["rank_hash"]:
                continue
            cents = np.floor(mine["expected_value"] * 100 + 0.5)
            flipped = int((cents != np.floor(theirs["expected_value"] * 100 + 0.5)).sum())
            n_bucket = int((theirs["bucket_rank"] != mine["bucket_rank"]).sum())
            n_priority = int((theirs["priority_rank"] != mine["priority_rank"]).sum())
            differ = f"bucket_rank differs for {n_bucket:,} clients and priority_rank for {n_priority:,}"
            bucket_rank, priority_rank = own_ranks(theirs)
            consistent = (bucket_rank == theirs["bucket_rank"]).all() and (
                priority_rank == theirs["priority_rank"]
            ).all()
            if consistent and not value.any():
                notes.append(
                    f"{name}: {differ}, because {flipped:,} expected values lie on a half cent and round "
                    "the other way (the float sums of their amounts differ in the last bit); its ranks "
                    "follow reconnect_lib's rule on its own values"
                )
            else:
                problems.append(f"{name}: {differ}")
    return problems, notes


def fmt_seconds(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}" if value < 100 else f"{value:.0f}"


def table(outcomes: list[Outcome]) -> str:
    """One row per size and variant; stage columns are each stage's best over the runs."""
    head = (
        "| size | variant | load (s) | client base (s) | buckets (s) | scores (s) | total best (s) "
        "| total median (s) | CPU of best (s) | runs | peak RSS (MB) | × pandas | × DuckDB "
        "| without load (s) | without load × pandas |"
    )
    width = head.count("|") - 1
    lines = [head, "|" + " --- |" * width]
    by_key = {(o.size, o.variant): o for o in outcomes}

    def without_load(o: Outcome | None) -> float | None:
        if o is None or not o.runs or "load" not in o.runs[0]["stages"]:
            return None
        return min(r["total"] - r["stages"]["load"] for r in o.runs)

    for o in outcomes:
        n_clients, n_tx = SIZES[o.size]
        size = f"{n_clients:,} / {n_tx:,}"
        if not o.runs:
            lines.append(f"| {size} | {o.variant} | {o.failure} |" + " |" * (width - 3))
            continue
        best = min(o.totals)
        cpu = next(r["cpu"] for r in o.runs if r["total"] == best)
        ratios = []
        for other in ("pandas groupby", "DuckDB SQL"):
            base = by_key.get((o.size, other))
            ratios.append(f"{best / min(base.totals):.1f}" if base and base.runs else "–")
        compute, compute_base = without_load(o), without_load(by_key.get((o.size, "pandas groupby")))
        compute_ratio = f"{compute / compute_base:.1f}" if compute and compute_base else "–"
        peak = max(r["peak_rss_mb"] for r in o.runs)
        stages = [fmt_seconds(o.best_stage(s)) for s in STAGES]
        median = fmt_seconds(statistics.median(o.totals))
        lines.append(
            f"| {size} | {o.variant} | {' | '.join(stages)} | {fmt_seconds(best)} | {median} "
            f"| {fmt_seconds(cpu)} | {len(o.runs)} | {peak:,.0f} | {ratios[0]} | {ratios[1]} "
            f"| {fmt_seconds(compute)} | {compute_ratio} |"
        )
        if o.failure:
            lines.append(f"| {size} | {o.variant} (further runs) | {o.failure} |" + " |" * (width - 3))
    return "\n".join(lines)


def versions() -> str:
    names = ("pandas", "numpy", "pyarrow", "narwhals", "polars", "duckdb", "pandera")
    found = package_versions(names)
    return f"Python {platform.python_version()}, " + ", ".join(found)


def section(
    outcomes: list[Outcome], problems: list[str], notes: list[str], command: str, started: datetime, load: str
) -> str:
    sizes = dict.fromkeys(o.size for o in outcomes)
    data = "; ".join(
        f"{s}: {SIZES[s][0]:,} clients, {SIZES[s][1]:,} transactions, {SIZES[s][0] // 5:,} contacts"
        for s in sizes
    )
    agreement = (
        "**All variants agree** with reconnect_lib (pandas) on every client's bucket, due flag, purchases, "
        "days dormant and revenue to the cent, and on the expected value (to 1e-9)"
        + (" and the ranks." if not notes else "; ranks differ only by float rounding:\n\n")
        + "\n".join(f"- {n}" for n in notes)
        if not problems
        else "**MISMATCH** between variants:\n\n" + "\n".join(f"- {p}" for p in [*problems, *notes])
    )
    return "\n".join(
        [
            f"Recorded {started:%Y-%m-%d %H:%M %Z} on {machine()} (load average at start {load}).",
            "",
            f"{versions()}.",
            "",
            f"Data (seed {SEED}, as of {AS_OF}): {data}.",
            "",
            f"Rerun: `{command}`",
            "",
            table(outcomes),
            "",
            agreement,
        ]
    )


# --- profiling ------------------------------------------------------------------------------


def profile(size: str, top: int, stages: list[str]) -> None:
    """Run the reconnect_lib pandas path once and print the top functions of each of `stages`.

    The other stages run too (they make the next stage's input) but unprofiled.
    """
    from reconnect_lib.client_base import client_base
    from reconnect_lib.dormancy import dormancy_buckets
    from reconnect_lib.load import load_clients, load_contacts, load_transactions
    from reconnect_lib.value import value_scores

    folder = ensure_data(size)
    report = io.StringIO()

    def profiled(name: str, call: Callable[[], Any]) -> Any:
        if name not in stages:
            return call()
        profiler = cProfile.Profile()
        started = time.perf_counter()
        result = profiler.runcall(call)
        print(f"\n=== {name}: {time.perf_counter() - started:.1f} s (under cProfile)", file=report)
        for key in ("tottime", "cumulative"):
            stats = pstats.Stats(profiler, stream=report).strip_dirs().sort_stats(key)
            stats.print_stats(top)
        return result

    def load() -> tuple[Any, Any, Any]:
        clients = load_clients(folder / "clients.parquet", as_of=AS_OF)
        known = clients["client_id"]
        tx = load_transactions(folder / "transactions.parquet", as_of=AS_OF, client_ids=known)
        return clients, tx, load_contacts(folder / "contacts.parquet", as_of=AS_OF, client_ids=known)

    clients, tx, ct = profiled("load", load)
    base = profiled("client_base", lambda: client_base(clients, tx, ct, as_of=AS_OF))
    bucketed = profiled("buckets", lambda: dormancy_buckets(base))
    profiled("scores", lambda: value_scores(bucketed))
    out = DATA / f"profile-{size}.txt"
    out.write_text(report.getvalue())
    print(report.getvalue())
    print(f"(also written to {out})")


# --- command line -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", choices=SIZES, default=["small"], help="data sizes to run")
    parser.add_argument("--quick", action="store_true", help="a 10,000-client smoke run (size 'quick')")
    parser.add_argument("--repeat", type=int, default=3, help="measured runs per variant (best and median)")
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS), metavar="VARIANT")
    parser.add_argument(
        "--budget", type=float, default=240.0, help="no more repeats once a variant's runs took this long (s)"
    )
    parser.add_argument("--timeout", type=float, default=900.0, help="stop a single run after this long (s)")
    parser.add_argument("--memory-limit-gb", type=float, default=16.0, help="stop a run above this RSS (GiB)")
    parser.add_argument("--write", action="store_true", help="record the results in benchmarks/README.md")
    parser.add_argument("--profile", action="store_true", help="cProfile the reconnect_lib stages instead")
    parser.add_argument("--top", type=int, default=15, help="functions per stage listed by --profile")
    parser.add_argument(
        "--profile-stages", nargs="+", choices=STAGES, default=list(STAGES), help="stages --profile profiles"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-size", help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        child(args.child, args.child_size, args.child_out)
        return 0
    sizes = ["quick"] if args.quick else args.sizes
    if args.profile:
        for size in sizes:
            profile(size, args.top, args.profile_stages)
        return 0

    started = datetime.now().astimezone()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    command = " ".join([".venv/bin/python", "benchmarks/bench_client_base.py", *(argv or sys.argv[1:])])
    outcomes: list[Outcome] = []
    for size in sizes:
        ensure_data(size)
        shutil.rmtree(data_dir(size) / "runs", ignore_errors=True)  # results of an earlier run
        n_clients, n_tx = SIZES[size]
        print(f"\n{size}: {n_clients:,} clients, {n_tx:,} transactions", flush=True)
        for variant in args.variants:
            outcomes.append(
                measure(
                    variant,
                    size,
                    repeat=args.repeat,
                    budget=args.budget,
                    timeout=args.timeout,
                    memory_limit_mb=args.memory_limit_gb * 1024,
                )
            )
    problems, notes = [], []
    for size in sizes:
        found, explained = compare([o for o in outcomes if o.size == size])
        problems += found
        notes += explained
    ended = " ".join(f"{x:.2f}" for x in os.getloadavg())
    text = section(outcomes, problems, notes, command, started, f"{load}, at the end {ended}")
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

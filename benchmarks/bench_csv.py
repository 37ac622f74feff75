"""Benchmark: a consultant's CSV export -> ranked client base, reconnect_lib against hand-written queries.

The data is bench_client_base.py's (same generator, seed and sizes), written
as CSV the way an accounting or CRM export arrives (ISO dates, a dot for the
decimal mark, ``true``/``false``), cached under ``benchmarks/.data/<size>/``
beside the Parquet files. Each variant runs in a fresh process, once per
round; the rounds interleave the variants (one run of each, then the next
round) so that a burst of load from elsewhere falls on all of them alike, and
the ratios are taken run by run within a round; no further round starts once a
round took ``--budget`` seconds (so 10M runs once):

- ``reconnect_lib (pandas)``: ``load_clients``, ``load_transactions`` and
  ``load_contacts`` on the CSV files (what ``load_inputs`` does), then
  ``client_base``, ``dormancy_buckets``, ``value_scores``;
- ``reconnect_lib · DuckDB`` / ``reconnect_lib · Polars``:
  ``scored_base(campaign.toml, engine=..., outcomes=False, collect=False)``
  as ``reconnect buckets --engine ...`` runs it (``scan_inputs`` and its
  checks, the stages in the engine), then the scored base fetched as pandas;
- ``pandas groupby``: ``pd.read_csv(engine="pyarrow")`` and bench_client_base's
  groupby, buckets and ranks;
- ``DuckDB SQL``: bench_client_base's query over ``read_csv``;
- ``Polars lazy``: the same query written with ``pl.scan_csv``.

Every result is checked client by client against reconnect_lib (pandas) with
bench_client_base's comparison. Import time is not counted.

Usage::

    .venv/bin/python benchmarks/bench_csv.py --sizes small --repeat 3 --write
    .venv/bin/python benchmarks/bench_csv.py --sizes small large --repeat 1 --write
    .venv/bin/python benchmarks/bench_csv.py --sizes small --profile   # cProfile of the pandas load
    .venv/bin/python benchmarks/bench_csv.py --sizes small --profile --engine duckdb   # of scored_base
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import importlib
import io
import json
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import bench_client_base as cb
from _common import machine, write_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
START, END = "<!-- csv:start -->", "<!-- csv:end -->"
TABLES = ("clients", "transactions", "contacts")
#: Bump when the CSV writing changes, so cached CSV files are rewritten.
CSV_VERSION = 1

REFERENCE = cb.REFERENCE  # "reconnect_lib (pandas)"
VARIANTS = (
    REFERENCE,
    "reconnect_lib · DuckDB",
    "reconnect_lib · Polars",
    "pandas groupby",
    "DuckDB SQL",
    "Polars lazy",
)
#: The hand-written query each reconnect_lib variant is held against (issue 18's targets).
TARGETS = {
    REFERENCE: ("pandas groupby", 1.25),
    "reconnect_lib · DuckDB": ("DuckDB SQL", 1.5),
    "reconnect_lib · Polars": ("Polars lazy", 1.5),
}
IMPORTS: dict[str, tuple[str, ...]] = {
    REFERENCE: cb.IMPORTS[REFERENCE],
    "reconnect_lib · DuckDB": ("duckdb", "reconnect_lib", "reconnect_lib.engines", "reconnect_lib.pipeline"),
    "reconnect_lib · Polars": ("polars", "reconnect_lib", "reconnect_lib.engines", "reconnect_lib.pipeline"),
    "pandas groupby": ("pandas", "pyarrow.csv"),
    "DuckDB SQL": ("duckdb", "pandas"),
    "Polars lazy": ("polars", "pandas"),
}

CAMPAIGN_TOML = """\
# Written by benchmarks/bench_csv.py: the generated CSV export as a campaign.
[campaign]
name = "bench-csv"
as_of = {as_of}

[data]
clients = "clients.csv"
transactions = "transactions.csv"
contacts = "contacts.csv"
column_map = "generic"
"""


# --- data --------------------------------------------------------------------------------


def ensure_csv(size: str) -> Path:
    """`size`'s folder with clients.csv, transactions.csv, contacts.csv and campaign.toml."""
    import pyarrow as pa
    import pyarrow.csv as pv
    import pyarrow.parquet as pq

    folder = cb.ensure_data(size)
    meta = folder / "csv.json"
    wanted = {"csv": CSV_VERSION, "parquet": json.loads((folder / "meta.json").read_text())}
    files = [folder / f"{t}.csv" for t in TABLES]
    if meta.exists() and all(f.exists() for f in files) and json.loads(meta.read_text()) == wanted:
        return folder
    print(f"writing {size} as CSV ...", flush=True)
    for name in TABLES:
        table = pq.read_table(folder / f"{name}.parquet")
        for i, field in enumerate(table.schema):
            if pa.types.is_timestamp(field.type):  # an export's dates carry no time of day
                table = table.set_column(i, field.name, table.column(i).cast(pa.date32()))
        pv.write_csv(table, folder / f"{name}.csv", pv.WriteOptions(quoting_style="needed"))
    (folder / "campaign.toml").write_text(CAMPAIGN_TOML.format(as_of=cb.AS_OF.isoformat()))
    meta.write_text(json.dumps(wanted))
    return folder


# --- the variants (each runs in a child process) ------------------------------------------


def run_reconnect_pandas(folder: Path, stage: cb.Stages) -> Any:
    return cb.run_reconnect_pandas(folder, stage, ext="csv")


def _run_engine(engine: str) -> Callable[[Path, cb.Stages], Any]:
    def run(folder: Path, stage: cb.Stages) -> Any:
        import reconnect_lib as rl
        from reconnect_lib.engines import to_pandas

        with stage("scored_base"):
            campaign = rl.scored_base(folder / "campaign.toml", engine=engine, outcomes=False, collect=False)
        with stage("fetch"):
            return to_pandas(campaign.scored)

    return run


def run_pandas(folder: Path, stage: cb.Stages) -> Any:
    import pandas as pd

    with stage("load"):
        clients = pd.read_csv(folder / "clients.csv", engine="pyarrow", parse_dates=["client_since"])
        tx = pd.read_csv(folder / "transactions.csv", engine="pyarrow", parse_dates=["date"])
        ct = pd.read_csv(
            folder / "contacts.csv", engine="pyarrow", parse_dates=["date"], usecols=["client_id", "date"]
        )
    return cb.pandas_summary(clients, tx, ct, stage)


def run_duckdb(folder: Path, stage: cb.Stages) -> Any:
    import duckdb

    sql = cb.duckdb_sql(**{t: f"read_csv('{folder.as_posix()}/{t}.csv')" for t in TABLES})
    with stage("total"), duckdb.connect() as con:
        return con.execute(sql).df()


def run_polars(folder: Path, stage: cb.Stages) -> Any:
    """bench_client_base's per-client summary, buckets and ranks as one lazy Polars query."""
    import polars as pl

    as_of = pl.lit(cb.AS_OF)
    with stage("total"):
        clients = pl.scan_csv(folder / "clients.csv", try_parse_dates=True)
        tx = pl.scan_csv(folder / "transactions.csv", try_parse_dates=True).filter(pl.col("date") <= as_of)
        ct = pl.scan_csv(folder / "contacts.csv", try_parse_dates=True).filter(pl.col("date") <= as_of)
        purchases = (
            tx.filter(pl.col("amount") > 0)
            .group_by("client_id")
            .agg(
                first_purchase=pl.col("date").min(),
                last_purchase=pl.col("date").max(),
                n_purchases=pl.col("date").n_unique(),
            )
        )
        revenue = tx.group_by("client_id").agg(total_revenue=pl.col("amount").sum())
        touched = ct.group_by("client_id").agg(
            first_contact=pl.col("date").min(), last_contact=pl.col("date").max()
        )
        days = pl.col("days_dormant")
        bucket = pl.when(days.is_null()).then(len(cb.EDGES_DAYS))
        for i, edge in enumerate(cb.EDGES_DAYS):
            bucket = bucket.when(days < edge).then(i)
        chance = pl.col("bucket_order").replace_strict(dict(enumerate(cb.CHANCE)), return_dtype=pl.Float64)
        cents = (pl.col("expected_value") * 100 + 0.5).floor()
        query = (
            clients.join(purchases, on="client_id", how="left")
            .join(revenue, on="client_id", how="left")
            .join(touched, on="client_id", how="left")
            .with_columns(
                n_purchases=pl.col("n_purchases").fill_null(0),
                total_revenue=pl.col("total_revenue").fill_null(0.0),
                days_dormant=(
                    as_of
                    - pl.max_horizontal("last_purchase", "last_contact").fill_null(pl.col("client_since"))
                ).dt.total_days(),
                tenure=(
                    as_of
                    - pl.col("client_since").fill_null(pl.min_horizontal("first_purchase", "first_contact"))
                ).dt.total_days(),
            )
            .with_columns(
                yearly_revenue=pl.col("total_revenue")
                / (pl.col("tenure").fill_null(0) / cb.DAYS_PER_YEAR).clip(lower_bound=1.0),
                bucket_order=bucket.otherwise(len(cb.EDGES_DAYS)),
                due=days.is_null() | (days >= cb.DUE_DAYS),
            )
            .with_columns(
                expected_value=pl.col("yearly_revenue").clip(lower_bound=0.0) * chance,
                dormancy_bucket=pl.col("bucket_order").replace_strict(dict(enumerate(cb.LABELS))),
            )
            .sort([cents, pl.col("client_id")], descending=[True, False])
            .with_columns(
                priority_rank=pl.int_range(1, pl.len() + 1),
                bucket_rank=pl.int_range(1, pl.len() + 1).over("bucket_order"),
            )
        )
        return query.collect()


RUNNERS: dict[str, Callable[[Path, cb.Stages], Any]] = {
    REFERENCE: run_reconnect_pandas,
    "reconnect_lib · DuckDB": _run_engine("duckdb"),
    "reconnect_lib · Polars": _run_engine("polars"),
    "pandas groupby": run_pandas,
    "DuckDB SQL": run_duckdb,
    "Polars lazy": run_polars,
}


def use_code(folder: Path | None) -> None:
    """Import reconnect_lib from `folder` (a snapshot of one commit) instead of the working tree."""
    if folder is None:
        return
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in type(f).__module__]
    sys.path.insert(0, str(folder))
    import reconnect_lib

    if not Path(reconnect_lib.__file__).is_relative_to(folder):
        raise SystemExit(f"reconnect_lib came from {reconnect_lib.__file__}, not from {folder}")


def snapshot(rev: str) -> tuple[Path, str]:
    """reconnect_lib as committed at `rev`, unpacked under benchmarks/.data/code/, and the full hash."""
    commit = subprocess.run(
        ["git", "rev-parse", "--verify", f"{rev}^{{commit}}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    folder = cb.DATA / "code" / commit
    if not (folder / "reconnect_lib" / "__init__.py").exists():
        folder.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", commit, "reconnect_lib"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder, commit


def child(variant: str, size: str, out: Path, code: Path | None = None, load: float | None = None) -> None:
    use_code(code)
    folder = cb.data_dir(size)
    stage = cb.Stages()
    for module in IMPORTS[variant]:
        importlib.import_module(module)
    cpu_before = cb.cpu_seconds()
    started = time.perf_counter()
    result = RUNNERS[variant](folder, stage)
    total = time.perf_counter() - started
    cpu = cb.cpu_seconds() - cpu_before
    peak = cb.rss_mb()
    ranks = out.with_suffix(".ranks.parquet")
    report = {
        "variant": variant,
        "size": size,
        "stages": stage.seconds,
        "total": total,
        "cpu": cpu,
        "peak_rss_mb": peak,
        "load": load,
        "fingerprint": cb.fingerprint(result, ranks),
        "ranks": str(ranks),
    }
    out.write_text(json.dumps(report))


# --- the parent ------------------------------------------------------------------------------


def run_child(
    variant: str, size: str, index: int, *, timeout: float, memory_limit_mb: float, code: Path | None
) -> dict | str:
    """One measured run in a fresh interpreter: its report (with the load average), or why it failed."""
    import psutil

    folder = cb.data_dir(size) / "csv-runs"
    folder.mkdir(exist_ok=True)
    stem = folder / f"{re.sub(r'[^a-z]+', '-', variant.lower()).strip('-')}-{index}"
    out, log_path = stem.with_suffix(".json"), stem.with_suffix(".log")
    out.unlink(missing_ok=True)
    load = os.getloadavg()[0]
    cmd = [sys.executable, __file__, "--child", variant, "--child-size", size, "--child-out", str(out)]
    cmd += ["--child-code", str(code)] if code else []
    cmd += ["--child-load", f"{load:.2f}"]
    why = None
    with log_path.open("w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=log, cwd=ROOT)
        watched, started, peak = psutil.Process(proc.pid), time.perf_counter(), 0.0
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
            time.sleep(0.1)
    if why is None and proc.returncode == 0 and out.exists():
        return {**json.loads(out.read_text()), "load": load}
    last = (log_path.read_text().strip().splitlines() or ["no output"])[-1]
    return why or f"failed (exit {proc.returncode}): {last}"


def saved_runs(size: str, variants: list[str], repeat: int, log: Path) -> list[cb.Outcome]:
    """The runs of `size` an earlier run left in its folder, in rounds, with each run's load average."""
    loads = {
        (m[1].strip(), int(m[2])): float(m[3])
        for m in re.finditer(r"^  (.+?) run (\d+): .* load ([\d.]+) ", log.read_text(), flags=re.MULTILINE)
    }
    folder, found = cb.data_dir(size) / "csv-runs", []
    for variant in variants:
        outcome = cb.Outcome(variant, size)
        stem = re.sub(r"[^a-z]+", "-", variant.lower()).strip("-")
        for i in range(repeat):
            path = folder / f"{stem}-{i}.json"
            if not path.exists():
                outcome.failure = outcome.failure or f"run {i + 1} not finished (the run was stopped)"
                continue
            run = json.loads(path.read_text())
            run["load"] = run.get("load") or loads.get((variant, i + 1))
            outcome.runs.append(run)
        found.append(outcome)
    return found


def fmt(value: float | None) -> str:
    return "–" if value is None else (f"{value:.2f}" if value < 100 else f"{value:.0f}")


def table(outcomes: list[cb.Outcome]) -> str:
    head = (
        "| size | variant | stages, best (s) | total best (s) | total median (s) | CPU of best (s) | runs "
        "| load avg at runs | peak RSS (MB) | × its hand-written query |"
    )
    lines = [head, "|" + " --- |" * (head.count("|") - 1)]
    by_key = {(o.size, o.variant): o for o in outcomes}
    for o in outcomes:
        n_clients, n_tx = cb.SIZES[o.size]
        size = f"{n_clients:,} / {n_tx:,}"
        if not o.runs:
            lines.append(f"| {size} | {o.variant} | {o.failure} | | | | | | | |")
            continue
        best = min(o.totals)
        best_run = next(r for r in o.runs if r["total"] == best)
        names = dict.fromkeys(k for r in o.runs for k in r["stages"])
        stages = ", ".join(f"{n} {fmt(o.best_stage(n))}" for n in names)
        loads = " / ".join("–" if r.get("load") is None else f"{r['load']:.1f}" for r in o.runs)
        peak = max(r["peak_rss_mb"] for r in o.runs)
        ratio = "–"
        if o.variant in TARGETS and (base := by_key.get((o.size, TARGETS[o.variant][0]))) and base.runs:
            ratio = f"{best / min(base.totals):.2f} ({TARGETS[o.variant][0]})"
        lines.append(
            f"| {size} | {o.variant} | {stages} | {fmt(best)} | {fmt(statistics.median(o.totals))} "
            f"| {fmt(best_run['cpu'])} | {len(o.runs)} | {loads} | {peak:,.0f} "
            f"| {ratio} |"
        )
        if o.failure:
            lines.append(f"| {size} | {o.variant} (further runs) | {o.failure} | | | | | | | |")
    return "\n".join(lines)


def paired(outcomes: list[cb.Outcome]) -> str:
    """Each reconnect_lib variant over its hand-written query, run by run (same round = same load)."""
    by_key = {(o.size, o.variant): o for o in outcomes}
    lines = []
    for (size, variant), o in by_key.items():
        base = by_key.get((size, TARGETS.get(variant, ("",))[0]))
        if variant not in TARGETS or not o.runs or not base or not base.runs:
            continue
        pairs = list(zip(o.runs, base.runs, strict=False))
        ratios = [r["total"] / b["total"] for r, b in pairs]
        cpu = [r["cpu"] / b["cpu"] for r, b in pairs]
        limit = TARGETS[variant][1]
        met = "**met**" if min(ratios) <= limit else "**not yet**"
        lines.append(
            f"| {cb.SIZES[size][1]:,} | {variant} ÷ {base.variant} | {', '.join(f'{x:.2f}' for x in ratios)} "
            f"| {', '.join(f'{x:.2f}' for x in cpu)} | {limit}× | {met} |"
        )
    head = (
        "| transactions | ratio | wall time, paired runs | CPU time, paired runs | target | met? |\n"
        "| --- | --- | --- | --- | --- | --- |"
    )
    return head + "\n" + "\n".join(lines) if lines else ""


def section(
    outcomes: list[cb.Outcome], problems: list[str], notes: list[str], command: str, when: str
) -> str:
    sizes = dict.fromkeys(o.size for o in outcomes)
    data = "; ".join(
        f"{s}: {cb.SIZES[s][0]:,} clients, {cb.SIZES[s][1]:,} transactions, {cb.SIZES[s][0] // 5:,} contacts"
        for s in sizes
    )
    compared = any(o.variant == REFERENCE and o.runs for o in outcomes)
    agreement = (
        f"Not compared: {REFERENCE} was not run."
        if not compared
        else "**All variants agree** with reconnect_lib (pandas) on every client's bucket, due flag, "
        "purchases, days dormant, revenue to the cent, expected value (1e-9) and ranks."
        if not problems and not notes
        else "**Differences** from reconnect_lib (pandas):\n\n"
        + "\n".join(f"- {p}" for p in [*problems, *notes])
    )
    return "\n".join(
        [
            f"Recorded {when} on {machine()}.",
            "",
            f"{cb.versions()}.",
            "",
            f"Data (bench_client_base's, seed {cb.SEED}, as of {cb.AS_OF}, written as CSV): {data}.",
            "",
            f"Rerun: `{command}`",
            "",
            table(outcomes),
            "",
            paired(outcomes),
            "",
            agreement,
        ]
    )


def profile(size: str, top: int, engine: str = "pandas") -> None:
    """cProfile reconnect_lib on `size`'s CSV files; print the top functions.

    pandas: the three loaders (the load stage). DuckDB, Polars: ``scored_base``
    as the engine variants run it, and the fetch of the scored base.
    """
    folder = ensure_csv(size)
    report = io.StringIO()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    if engine == "pandas":
        from reconnect_lib.load import load_clients, load_contacts, load_transactions

        profiler.enable()
        clients = load_clients(folder / "clients.csv", as_of=cb.AS_OF)
        known = clients["client_id"]
        load_transactions(folder / "transactions.csv", as_of=cb.AS_OF, client_ids=known)
        load_contacts(folder / "contacts.csv", as_of=cb.AS_OF, client_ids=known)
        profiler.disable()
    else:
        importlib.import_module(engine)
        profiler.enable()
        _run_engine(engine)(folder, cb.Stages())
        profiler.disable()
    what = "load" if engine == "pandas" else f"scored_base on {engine}"
    print(
        f"=== {what} of {size} from CSV: {time.perf_counter() - started:.1f} s (under cProfile)", file=report
    )
    for key in ("tottime", "cumulative"):
        pstats.Stats(profiler, stream=report).sort_stats(key).print_stats(top)
    out = cb.DATA / f"profile-csv-{size}-{engine}.txt"
    out.write_text(report.getvalue())
    print(report.getvalue())
    print(f"(also written to {out})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", choices=cb.SIZES, default=["small"], help="data sizes to run")
    parser.add_argument("--repeat", type=int, default=3, help="rounds: one run of every variant each")
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS), metavar="VARIANT")
    parser.add_argument(
        "--budget", type=float, default=240.0, help="no further round once a round took this long (s)"
    )
    parser.add_argument("--timeout", type=float, default=900.0, help="stop a single run after this long (s)")
    parser.add_argument("--memory-limit-gb", type=float, default=12.0, help="stop a run above this RSS (GiB)")
    parser.add_argument("--write", action="store_true", help="record the results in benchmarks/README.md")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile reconnect_lib instead (see --engine)"
    )
    parser.add_argument(
        "--engine",
        choices=("pandas", "duckdb", "polars"),
        default="pandas",
        help="what --profile profiles: the pandas loaders, or scored_base on DuckDB or Polars",
    )
    parser.add_argument("--top", type=int, default=25, help="functions listed by --profile")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-size", help=argparse.SUPPRESS)
    parser.add_argument(
        "--commit",
        help="measure reconnect_lib as committed at this revision (a snapshot), not the working tree",
    )
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-code", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-load", type=float, help=argparse.SUPPRESS)
    parser.add_argument(
        "--render",
        type=Path,
        metavar="LOG",
        help="record the runs an earlier, stopped run left (its saved output LOG gives older runs' load)",
    )
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.child_size, args.child_out, args.child_code, args.child_load)
        return 0
    code, commit = snapshot(args.commit) if args.commit else (None, None)
    if args.profile:
        use_code(code)
        for size in args.sizes:
            profile(size, args.top, args.engine)
        return 0

    started = datetime.now().astimezone()
    load_start = " ".join(f"{x:.2f}" for x in os.getloadavg())
    command = " ".join([".venv/bin/python", "benchmarks/bench_csv.py", *(argv or sys.argv[1:])])
    outcomes: list[cb.Outcome] = []
    for size in args.sizes if args.render else ():
        outcomes += saved_runs(size, args.variants, args.repeat, args.render)
    for size in () if args.render else args.sizes:
        ensure_csv(size)
        shutil.rmtree(cb.data_dir(size) / "csv-runs", ignore_errors=True)
        print(f"\n{size}: {cb.SIZES[size][0]:,} clients, {cb.SIZES[size][1]:,} transactions", flush=True)
        mine = {v: cb.Outcome(v, size) for v in args.variants}
        round_started = time.perf_counter()
        for i in range(args.repeat):
            if i and time.perf_counter() - round_started > args.budget:
                print(f"  a round took over {args.budget:.0f} s: no more rounds at this size", flush=True)
                break
            round_started = time.perf_counter()
            for variant, outcome in mine.items():
                if outcome.failure:
                    continue
                result = run_child(
                    variant,
                    size,
                    i,
                    timeout=args.timeout,
                    memory_limit_mb=args.memory_limit_gb * 1024,
                    code=code,
                )
                if isinstance(result, str):
                    outcome.failure = result
                    print(f"  {variant:<24} run {i + 1}: {result}", flush=True)
                    continue
                outcome.runs.append(result)
                stages = ", ".join(f"{k} {v:.2f}" for k, v in result["stages"].items())
                print(
                    f"  {variant:<24} run {i + 1}: {result['total']:8.2f} s"
                    f"  peak {result['peak_rss_mb']:7.0f} MB"
                    f"  CPU {result['cpu']:7.2f} s  load {result['load']:.1f}  ({stages})",
                    flush=True,
                )
        outcomes += mine.values()
    problems, notes = [], []
    for size in args.sizes:
        found, explained = cb.compare([o for o in outcomes if o.size == size])
        problems += found
        notes += explained
    load_end = " ".join(f"{x:.2f}" for x in os.getloadavg())
    when = f"{started:%Y-%m-%d %H:%M %Z} (load average at start {load_start}, at the end {load_end})"
    when += f", reconnect_lib at commit {commit[:10]}" if commit else ", reconnect_lib from the working tree"
    text = section(outcomes, problems, notes, command, when)
    print("\n" + text)
    if args.write:
        write_section(START, END, text)
        print(f"\nwritten to {cb.README}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

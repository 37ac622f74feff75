"""Fit time of the CLV models on synthetic clients drawn from the BG/NBD process.

    .venv/bin/python benchmarks/bench_clv.py [--clients 100000] [--repeat 5]

Clients are simulated with the CDNOW estimates (r = 0.243, alpha = 4.414,
a = 0.793, b = 2.426, weeks) and first purchases spread over 12 weeks before a
39-week horizon, with a seeded generator. Spend per repeat purchase follows the
Gamma-Gamma process with the CDNOW estimates (p = 6.25, q = 3.74,
gamma = 15.44). Prints a markdown table of the best of ``--repeat`` wall-clock
times (one run for Pareto/NBD, which is much slower).

If the ``lifetimes`` package is importable (it is no dependency of
reconnect_lib; use a throwaway virtualenv), its fitters are timed on the same
data too. ``--data FILE`` writes the simulated summary to a CSV so another
environment can read it with ``--from-csv FILE``. ``--days`` rounds the times
to whole days, as ``rfm_summary`` produces them from dated transactions: many
clients then share a history, which the fits evaluate once.
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

SEED = 20260523
CDNOW_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
CDNOW_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "gamma": 15.44}


def simulate(n: int, seed: int = SEED) -> pd.DataFrame:
    """n clients: frequency, recency, T (weeks) and mean spend of repeat purchases."""
    from reconnect_lib.clv import simulate_bgnbd

    rng = np.random.default_rng(seed)
    age = 39.0 - rng.uniform(0.0, 12.0, n)
    data = simulate_bgnbd(age, **CDNOW_BGNBD, seed=rng)
    x = data["frequency"].to_numpy()
    p, q, gamma = CDNOW_GAMMA_GAMMA.values()
    nu = rng.gamma(q, 1.0 / gamma, n)
    total = rng.gamma(p * np.maximum(x, 1), 1.0 / nu)
    data["monetary_value"] = np.where(x > 0, total / np.maximum(x, 1), np.nan)
    return data


def to_whole_days(data: pd.DataFrame) -> pd.DataFrame:
    """The same clients as rfm_summary would see them: times in whole days (still in weeks)."""
    out = data.copy()
    age_days = np.round(out["T"] * 7)
    out["T"] = age_days / 7
    out["recency"] = np.minimum(np.round(out["recency"] * 7), age_days) / 7
    return out


def best_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def ours(data: pd.DataFrame, repeat: int) -> list[tuple[str, float, str]]:
    from reconnect_lib.clv import fit_bgnbd, fit_gamma_gamma, fit_pareto_nbd

    x, t_x, age, m = (data[c].to_numpy() for c in ("frequency", "recency", "T", "monetary_value"))
    fit_bgnbd(x, t_x, age)  # warm-up: imports, first-call overheads
    rows = []
    bg = fit_bgnbd(x, t_x, age)
    rows.append(("reconnect_lib BG/NBD", best_time(lambda: fit_bgnbd(x, t_x, age), repeat), _fmt(bg.params)))
    pn = fit_pareto_nbd(x, t_x, age)
    rows.append(
        ("reconnect_lib Pareto/NBD", best_time(lambda: fit_pareto_nbd(x, t_x, age), 1), _fmt(pn.params))
    )
    gg = fit_gamma_gamma(x, m)
    rows.append(
        ("reconnect_lib Gamma-Gamma", best_time(lambda: fit_gamma_gamma(x, m), repeat), _fmt(gg.params))
    )
    return rows


def theirs(data: pd.DataFrame, repeat: int) -> list[tuple[str, float, str]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lifetimes sets a deprecated pandas option at import
        from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter

    freq, rec, age = data["frequency"], data["recency"], data["T"]
    repeat_buyers = data[data["frequency"] > 0]
    rows = []
    bg = BetaGeoFitter()
    rows.append(("lifetimes BG/NBD", best_time(lambda: bg.fit(freq, rec, age), repeat), _fmt(bg.params_)))
    pn = ParetoNBDFitter()
    rows.append(("lifetimes Pareto/NBD", best_time(lambda: pn.fit(freq, rec, age), 1), _fmt(pn.params_)))
    gg = GammaGammaFitter()
    rows.append(
        (
            "lifetimes Gamma-Gamma",
            best_time(lambda: gg.fit(repeat_buyers["frequency"], repeat_buyers["monetary_value"]), repeat),
            _fmt(gg.params_),
        )
    )
    return rows


def _fmt(params: object) -> str:
    return ", ".join(f"{k} = {float(v):.4g}" for k, v in dict(params).items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data", help="write the simulated summary to this CSV")
    parser.add_argument("--from-csv", help="read the summary from this CSV instead of simulating")
    parser.add_argument(
        "--days", action="store_true", help="round times to whole days, as rfm_summary gives them"
    )
    args = parser.parse_args()

    data = pd.read_csv(args.from_csv) if args.from_csv else simulate(args.clients)
    if args.days:
        data = to_whole_days(data)
    if args.data:
        data.to_csv(args.data, index=False)
    rows = []
    if importlib.util.find_spec("reconnect_lib") is not None and not args.from_csv:
        rows += ours(data, args.repeat)
    if importlib.util.find_spec("lifetimes") is not None:
        rows += theirs(data, args.repeat)

    n_repeat = int((data["frequency"] > 0).sum())
    resolution = "times in whole days" if args.days else "continuous times"
    print(
        f"{len(data):,} clients ({n_repeat:,} repeat buyers, {resolution}), seed {SEED}; "
        f"{platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}\n"
    )
    print("| fit | seconds | estimates |")
    print("| --- | ---: | --- |")
    for name, seconds, estimates in rows:
        print(f"| {name} | {seconds:.2f} | {estimates} |")


if __name__ == "__main__":
    main()

"""What both purchase models and the spend model share: checked inputs, distinct histories,
a bounded optimiser, and the special functions and purchase interval of the two purchase models.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.special import hyp2f1

from ..errors import InputError, Problem, ReconnectError
from .columns import AGE, FREQUENCY, RECENCY

FloatArray = NDArray[np.float64]

# Parameters are optimised as logs within these bounds (on the rescaled time and
# money axes, where the data span about 1): wide enough for any real data set,
# narrow enough that exp() and the special functions stay finite. A fit that
# ends on a bound is a sign the data cannot identify that parameter (e.g. no
# drop-out at all), not a numerical failure.
_LOG_BOUND: Final = math.log(1e8)
_OPTIONS: Final = {"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-9}


# --- validating model inputs --------------------------------------------------------


def _checked(
    frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, *, allow_empty: bool = False
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Frequency, recency and age as broadcast float arrays, every problem reported at once."""
    x, t_x, age = (np.asarray(v, dtype="float64") for v in (frequency, recency, T))
    try:
        x, t_x, age = np.broadcast_arrays(x, t_x, age)
    except ValueError as err:
        raise InputError(
            "frequency, recency and T have different lengths",
            values=[np.shape(x), np.shape(t_x), np.shape(age)],
            expected="one value per client in each",
        ) from err
    if x.size == 0 and not allow_empty:
        raise InputError("no clients to fit", expected="at least one client")
    problems = []
    checks = [
        (FREQUENCY, ~np.isfinite(x) | (x < 0) | (x != np.floor(x)), x, "a whole number >= 0"),
        (RECENCY, ~np.isfinite(t_x) | (t_x < 0), t_x, "a time >= 0"),
        (AGE, ~np.isfinite(age) | (age < 0), age, "a time >= 0"),
    ]
    for name, bad, values, expected in checks:
        flat = np.ravel(bad)
        if flat.any():
            rows = np.flatnonzero(flat)
            problems.append(
                Problem(
                    "invalid value",
                    column=name,
                    rows=[int(r) + 1 for r in rows],
                    values=[float(np.ravel(values)[r]) for r in rows[:5]],
                    expected=expected,
                )
            )
    late = np.ravel((t_x > age) & np.isfinite(age))
    if late.any():
        rows = np.flatnonzero(late)
        problems.append(
            Problem(
                "recency is longer than T (last purchase after the end of observation)",
                column=RECENCY,
                rows=[int(r) + 1 for r in rows],
                values=[float(np.ravel(t_x)[r]) for r in rows[:5]],
                expected="0 <= recency <= T",
                hint="recency and T must be in the same time unit and measured to the same as_of",
            )
        )
    if problems:
        raise InputError.from_problems(problems)
    return x, t_x, age


def _checked_t(t: ArrayLike) -> FloatArray:
    out = np.asarray(t, dtype="float64")
    if not np.all(np.isfinite(out) & (out >= 0)):
        raise InputError("the prediction period t must be finite and >= 0", values=[t])
    return out


def _fit_scale(age: FloatArray) -> float:
    scale = float(np.max(age))
    if not scale > 0:
        raise InputError(
            "every client's T is 0: nothing has been observed yet",
            column=AGE,
            hint="take the summary at a later as_of",
        )
    return scale


def _require_repeats(x: FloatArray, model: str) -> None:
    if not np.any(x > 0):
        raise InputError(
            f"no client made a repeat purchase: the {model} model cannot be fitted",
            column=FREQUENCY,
            expected="some clients with frequency >= 1",
            hint="use a longer history (an earlier first date or a later as_of)",
        )


def _one_blas_thread() -> AbstractContextManager[object]:
    """Limit BLAS to one thread while the optimiser runs (restored on exit).

    L-BFGS-B's 4 x 4 linear algebra goes through OpenBLAS, whose threads cost
    ~6 ms per iteration to wake on a busy two-core machine: 200 ms of a 220 ms
    fit of 300 clients (measured). One thread does it in microseconds.
    threadpoolctl scopes the limit to this block; without it the fit is only
    slower.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _minimize(
    objective: Callable[[FloatArray], tuple[float, FloatArray]] | Callable[[FloatArray], float],
    start: FloatArray,
    *,
    jac: bool,
    model: str,
) -> FloatArray:
    """Bounded L-BFGS-B on log-parameters; the optimum's log-parameters."""
    with _one_blas_thread():
        result = minimize(
            objective,
            start,
            jac=jac,
            method="L-BFGS-B",
            bounds=[(-_LOG_BOUND, _LOG_BOUND)] * len(start),
            options=_OPTIONS,
        )
    # L-BFGS-B often stops with "ABNORMAL" when the line search cannot improve in
    # the last digits; that is an optimum. A non-finite value is not.
    if not np.isfinite(result.fun) or not np.all(np.isfinite(result.x)):
        raise ReconnectError(
            f"the {model} fit failed: {result.message}",
            hint="check the summary for extreme values (e.g. a client with thousands of purchases)",
        )
    return np.asarray(result.x, dtype="float64")


@dataclass(frozen=True)
class _Histories:
    """Distinct (x, t_x, T) histories and how many clients share each.

    Day-resolution summaries repeat the same history many times (every
    single-purchase client first seen on the same day), so the likelihood is
    evaluated once per distinct history and weighted. ``repeat`` is the slice of
    rows with x > 0 (they sort last). ``ux``/``counts`` are the distinct
    frequencies and their client counts, for the terms that depend on x alone.
    """

    x: FloatArray
    t_x: FloatArray
    age: FloatArray
    w: FloatArray
    repeat: slice
    ux: FloatArray
    counts: FloatArray
    n: float
    sum_x: float


def _histories(x: FloatArray, t_x: FloatArray, age: FloatArray) -> _Histories:
    x, t_x, age = np.ravel(x), np.ravel(t_x), np.ravel(age)
    # t_x carries no information when x = 0 (the likelihood ignores it); zero it
    # so such clients merge.
    t_x = np.where(x > 0, t_x, 0.0)
    (hx, ht, ha), w, _ = _distinct_rows(x, t_x, age)
    ux, counts = np.unique(x, return_counts=True)
    return _Histories(
        x=hx,
        t_x=ht,
        age=ha,
        w=w.astype("float64"),
        repeat=slice(int(np.searchsorted(hx, 0.0, side="right")), None),
        ux=ux,
        counts=counts.astype("float64"),
        n=float(x.size),
        sum_x=float(np.sum(x)),
    )


def _distinct_rows(*columns: FloatArray) -> tuple[list[FloatArray], NDArray[np.int64], NDArray[np.intp]]:
    """Distinct rows of equal-length columns, sorted by the first column, then the next...

    Returns the distinct rows (one array per column), how many times each
    occurs, and for every input row the index of its distinct row. A lexsort
    and a neighbour comparison: ~10x faster than ``np.unique(axis=0)``.
    """
    n = columns[0].size
    order = np.lexsort(columns[::-1])
    ordered = [c[order] for c in columns]
    new = np.zeros(n, dtype=bool)
    new[:1] = True
    for c in ordered:
        new[1:] |= c[1:] != c[:-1]
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, n))
    inverse = np.empty(n, dtype=np.intp)
    inverse[order] = np.cumsum(new) - 1
    return [c[starts] for c in ordered], counts, inverse


def _softplus_and_sigmoid(z: FloatArray) -> tuple[FloatArray, FloatArray]:
    """log(1 + e^z) and 1/(1 + e^-z) from one exp (numpy's logaddexp is ~10x slower)."""
    e = np.exp(-np.abs(z))
    softplus = np.maximum(z, 0.0) + np.log1p(e)
    sigmoid = np.where(z >= 0, 1.0, e) / (1.0 + e)
    return softplus, sigmoid


def _dot(a: FloatArray, b: FloatArray) -> float:
    """Sum of a * b without BLAS.

    ``a @ b`` calls OpenBLAS's threaded ddot, which on a busy two-core machine
    spends ~8 ms per 100,000-element call waking threads (measured; 0.04 ms
    single-threaded). einsum's own loop is as fast as one BLAS thread and never
    threads, so the likelihoods use it for every sum of products.
    """
    return float(np.einsum("i,i->", a, b))


def _start(data: _Histories) -> FloatArray:
    """Starting log-parameters: r = a = b (= s = beta) = 1 and alpha = mean T (rescaled)."""
    mean_age = _dot(data.w, data.age) / data.n
    return np.array([0.0, math.log(max(mean_age, 1e-3)), 0.0, 0.0])


def _scalar_or_array(values: FloatArray) -> FloatArray | float:
    return float(values) if values.ndim == 0 else values


def _hyp2f1(a: float | FloatArray, b: float | FloatArray, c: float | FloatArray, z: FloatArray) -> FloatArray:
    """scipy's hyp2f1, retried off its one failing branch.

    scipy returns NaN when c - a - b is exactly an integer and z is near 1 (e.g.
    BG/NBD with a = b, or Pareto/NBD with s = 1, for large x). The function is
    smooth in c, so such entries are recomputed at c (1 +- 1e-12) and averaged:
    the error is O(1e-24), far below double precision. Entries that still fail
    stay NaN for the caller to handle.
    """
    f = np.array(hyp2f1(a, b, c, z), dtype="float64")
    failed = ~np.isfinite(f)
    if failed.any():
        a_, b_, c_, z_ = (
            np.broadcast_to(np.asarray(v, dtype="float64"), f.shape)[failed] for v in (a, b, c, z)
        )
        f[failed] = 0.5 * (hyp2f1(a_, b_, c_ * (1 + 1e-12), z_) + hyp2f1(a_, b_, c_ * (1 - 1e-12), z_))
    return f


def _purchase_interval(r: float, alpha: float, x: ArrayLike, t_x: ArrayLike) -> FloatArray | float:
    x_arr = np.asarray(x, dtype="float64")
    t_arr = np.asarray(t_x, dtype="float64")
    return _scalar_or_array((alpha + t_arr) / (r + x_arr))

"""Probabilistic customer-base models: who is still a client, and what they will buy.

"Buy till you die" models read each client's purchase history as a Poisson
purchase process that runs until an unobserved drop-out, with both the purchase
rate and the drop-out propensity varying across clients. Fitted by maximum
likelihood on a per-client summary (:func:`rfm_summary`), they give, per client:

- the probability the client is still active (``p_alive``);
- the expected number of purchases in a coming period;
- with the Gamma-Gamma spend model, the expected value of the next year;
- the date the next purchase was due had the client stayed active, and an
  "overdue" ratio: time dormant relative to the client's own purchase rhythm.

Models:

- BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"):
  :func:`fit_bgnbd` returns a :class:`BetaGeoModel`;
- Pareto/NBD (Schmittlein, Morrison & Colombo 1987; likelihood as in Fader &
  Hardie's note "A note on deriving the Pareto/NBD model and related
  expressions", 2005): :func:`fit_pareto_nbd` returns a :class:`ParetoNBDModel`;
- Gamma-Gamma spend (Fader & Hardie, "The Gamma-Gamma model of monetary
  value", 2013): :func:`fit_gamma_gamma` returns a :class:`GammaGammaModel`.

:func:`clv_scores` adds the per-client columns to a summary frame.

Time is in whatever unit the summary uses (days by default, weeks for the
published CDNOW numbers). Every fit rescales time (and money) internally to the
longest observation, so the optimiser sees the same problem in any unit: a fit
in days gives the same ``r``, ``a``, ``b`` (``s``) as in weeks, with ``alpha``
(``beta``) seven times larger.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final, Literal, get_args

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.linalg import eigh_tridiagonal
from scipy.optimize import minimize
from scipy.special import betaln, digamma, expit, exprel, gammaln, hyp2f1, roots_legendre

from .errors import ConfigError, InputError, Problem, ReconnectError
from .schema import AMOUNT, CLIENT_ID, DATE, FIRST_PURCHASE, LAST_PURCHASE

# --- column vocabulary (to move into schema.py) ------------------------------------
#: Repeat purchase days in the observation window (purchase days after the first).
FREQUENCY: Final = "frequency"
#: t_x: time from the first to the last purchase day (0 for a single purchase day).
RECENCY: Final = "recency"
#: T: time from the first purchase day to ``as_of`` (``calibration_end``). The name
#: follows the literature; read it as ``summary["T"]``, since ``summary.T`` is pandas'
#: transpose.
AGE: Final = "T"
#: Mean amount of the repeat purchase days (NaN without a repeat purchase).
MONETARY_VALUE: Final = "monetary_value"
#: Purchase days after ``calibration_end`` up to ``as_of`` (with ``calibration_end``).
FREQUENCY_HOLDOUT: Final = "frequency_holdout"
#: Length of the holdout period ``calibration_end`` .. ``as_of``.
DURATION_HOLDOUT: Final = "duration_holdout"

P_ALIVE: Final = "p_alive"
EXPECTED_PURCHASES: Final = "expected_purchases"
EXPECTED_SPEND: Final = "expected_spend"
EXPECTED_VALUE_NEXT_YEAR: Final = "expected_value_next_year"
NEXT_PURCHASE_EXPECTED: Final = "next_purchase_expected"
OVERDUE_RATIO: Final = "overdue_ratio"

TimeUnit = Literal["D", "W"]
TIME_UNIT_CHOICES: tuple[str, ...] = get_args(TimeUnit)
_DAYS_PER_UNIT: Final = {"D": 1.0, "W": 7.0}
DAYS_PER_YEAR: Final = 365.0
_MAX_GAP_DAYS: Final = 100 * 365.25

__all__ = [
    "AGE",
    "DURATION_HOLDOUT",
    "EXPECTED_PURCHASES",
    "EXPECTED_SPEND",
    "EXPECTED_VALUE_NEXT_YEAR",
    "FREQUENCY",
    "FREQUENCY_HOLDOUT",
    "MONETARY_VALUE",
    "NEXT_PURCHASE_EXPECTED",
    "OVERDUE_RATIO",
    "P_ALIVE",
    "RECENCY",
    "BetaGeoModel",
    "GammaGammaModel",
    "ParetoNBDModel",
    "clv_scores",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_pareto_nbd",
    "rfm_summary",
    "simulate_bgnbd",
]

FloatArray = NDArray[np.float64]

# Parameters are optimised as logs within these bounds (on the rescaled time and
# money axes, where the data span about 1): wide enough for any real data set,
# narrow enough that exp() and the special functions stay finite. A fit that
# ends on a bound is a sign the data cannot identify that parameter (e.g. no
# drop-out at all), not a numerical failure.
_LOG_BOUND: Final = math.log(1e8)
_OPTIONS: Final = {"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-9}


# --- summary ------------------------------------------------------------------------


def rfm_summary(
    transactions: pd.DataFrame,
    *,
    as_of: date | datetime,
    client_id: str = CLIENT_ID,
    date: str = DATE,
    amount: str | None = AMOUNT,
    time_unit: TimeUnit | float = "D",
    calibration_end: date | datetime | None = None,
) -> pd.DataFrame:
    """Per-client frequency, recency, age and mean spend, the input of the models.

    Transactions are collapsed to purchase days: all of a client's transactions
    on one day are one purchase, worth their total. A purchase is a transaction
    with a positive amount (as for ``n_purchases`` in the client base); refunds
    and zero amounts are ignored. Transactions after ``as_of`` are ignored.

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per transaction. Not modified.
    as_of : datetime.date
        The day the summary is taken; ``T`` is measured up to it. With
        ``calibration_end`` it is the end of the holdout period.
    client_id, date, amount : str
        Column names. ``amount=None`` counts every row as a purchase and leaves
        ``monetary_value`` NaN.
    time_unit : {"D", "W"} or float
        Unit of ``recency``, ``T`` and ``duration_holdout``: days, weeks, or a
        number of days per unit.
    calibration_end : datetime.date, optional
        Summarise only up to this day (inclusive) and count the purchase days
        after it, up to ``as_of``, as a holdout. Clients whose first purchase
        is after it are left out.

    Returns
    -------
    pandas.DataFrame
        One row per client, sorted by client id, with columns ``client_id``,
        ``frequency`` (repeat purchase days, int), ``recency`` (t_x: first to
        last purchase day), ``T`` (first purchase day to ``as_of`` or
        ``calibration_end``), ``monetary_value`` (mean amount of the repeat
        purchase days, NaN without one; amounts are added as whole cents,
        each rounded half up, so the sums are exact), ``first_purchase``,
        ``last_purchase``; with ``calibration_end`` also ``frequency_holdout``
        and ``duration_holdout``.

    Examples
    --------
    >>> import datetime as dt
    >>> tx = pd.DataFrame({
    ...     "client_id": ["a", "a", "a", "b"],
    ...     "date": pd.to_datetime(["2024-01-01", "2024-01-15", "2024-03-01", "2024-02-01"]),
    ...     "amount": [100.0, 50.0, 70.0, 30.0],
    ... })
    >>> summary = rfm_summary(tx, as_of=dt.date(2024, 3, 31))
    >>> summary[["client_id", "frequency", "recency", "T", "monetary_value"]]
      client_id  frequency  recency     T  monetary_value
    0         a          2     60.0  90.0            60.0
    1         b          0      0.0  59.0             NaN
    """
    unit_days = _days_per_unit(time_unit)
    end_obs = _as_day(as_of, "as_of")
    end_cal = end_obs if calibration_end is None else _as_day(calibration_end, "calibration_end")
    if end_cal > end_obs:
        raise ConfigError(
            f"calibration_end={calibration_end!r} is after as_of={as_of!r}",
            expected="calibration_end on or before as_of",
        )
    if not isinstance(transactions, pd.DataFrame):
        raise InputError(
            f"`transactions` is a {type(transactions).__name__}, not a pandas DataFrame",
            expected="a pandas DataFrame with one row per transaction",
        )
    needed = [client_id, date] + ([amount] if amount is not None else [])
    missing = [c for c in needed if c not in transactions.columns]
    if missing:
        raise InputError(
            f"`transactions` has no column {', '.join(f'`{c}`' for c in missing)}",
            column=missing[0],
            expected=f"columns {', '.join(f'`{c}`' for c in needed)}",
            hint="name the columns with rfm_summary(..., client_id=..., date=..., amount=...)",
        )

    problems: list[Problem] = []
    ids = transactions[client_id]
    _collect(problems, ids.isna().to_numpy(), ids, "no client id", client_id)
    raw_days = transactions[date]
    days = pd.to_datetime(raw_days, errors="coerce")
    if days.dt.tz is not None:  # a purchase day is the local calendar day
        days = days.dt.tz_localize(None)
    _collect(problems, days.isna().to_numpy(), raw_days, "not a date", date, "YYYY-MM-DD")
    if amount is not None:
        raw_amount = transactions[amount]
        amounts = pd.to_numeric(raw_amount, errors="coerce").astype("float64")
        bad = amounts.isna().to_numpy() | ~np.isfinite(amounts.to_numpy(na_value=np.nan))
        _collect(problems, bad, raw_amount, "not a number", amount, "an amount such as 120.50")
    else:
        amounts = pd.Series(1.0, index=transactions.index)
    if problems:
        raise InputError.from_problems(problems)

    frame = pd.DataFrame(
        {
            CLIENT_ID: ids.to_numpy(),
            "day": days.dt.as_unit("us").dt.normalize().to_numpy(),
            "amount": amounts.to_numpy(dtype="float64"),
        }
    )
    frame = frame[(frame["amount"] > 0) & (frame["day"] <= end_obs)]
    # Money in whole cents (each amount rounded half up), as the client base
    # adds it: exact sums, so every engine's summary (base_summary) is this one.
    frame["amount"] = np.floor(frame["amount"].to_numpy() * 100 + 0.5).astype("int64")
    per_day = frame.groupby([CLIENT_ID, "day"], sort=True, observed=True)["amount"].sum().reset_index()
    calibration = per_day[per_day["day"] <= end_cal]
    if calibration.empty:
        raise InputError(
            "no purchases up to " + str(end_cal.date()),
            column=amount or date,
            hint="check as_of / calibration_end and that purchase amounts are positive",
        )

    by_client = calibration.groupby(CLIENT_ID, sort=True, observed=True)
    first = by_client["day"].min()
    last = by_client["day"].max()
    n_days = by_client["day"].size()
    total = by_client["amount"].sum()
    first_amount = calibration.drop_duplicates(CLIENT_ID).set_index(CLIENT_ID)["amount"].reindex(first.index)
    frequency = (n_days - 1).astype("int64")
    with np.errstate(
        invalid="ignore", divide="ignore"
    ):  # 0/0 for clients without a repeat: NaN, masked below
        monetary = (total - first_amount) / 100 / frequency
    monetary = monetary.where(frequency > 0)
    if amount is None:
        monetary = pd.Series(np.nan, index=first.index)

    unit = pd.Timedelta(days=unit_days)
    out = pd.DataFrame(
        {
            CLIENT_ID: first.index.to_numpy(),
            FREQUENCY: frequency.to_numpy(),
            RECENCY: ((last - first) / unit).to_numpy(dtype="float64"),
            AGE: ((end_cal - first) / unit).to_numpy(dtype="float64"),
            MONETARY_VALUE: monetary.to_numpy(dtype="float64"),
            FIRST_PURCHASE: first.to_numpy(),
            LAST_PURCHASE: last.to_numpy(),
        }
    )
    if calibration_end is not None:
        holdout = per_day[per_day["day"] > end_cal].groupby(CLIENT_ID, observed=True).size()
        out[FREQUENCY_HOLDOUT] = holdout.reindex(first.index, fill_value=0).to_numpy(dtype="int64")
        out[DURATION_HOLDOUT] = (end_obs - end_cal) / unit
    return out


def _collect(
    problems: list[Problem],
    bad: np.ndarray,
    raw: pd.Series,
    message: str,
    column: str,
    expected: str | None = None,
) -> None:
    """Record one problem for the rows flagged in `bad` (1-based, as a spreadsheet shows)."""
    if bad.any():
        positions = np.flatnonzero(bad)
        problems.append(
            Problem(
                message,
                column=column,
                rows=[int(p) + 1 for p in positions],
                values=[raw.iloc[p] for p in positions[:5]],
                expected=expected,
            )
        )


def _as_day(value: object, name: str) -> pd.Timestamp:
    if isinstance(value, date):  # datetime and pandas.Timestamp are dates too
        return pd.Timestamp(value).as_unit("us").normalize()
    raise ConfigError(
        f"{name}={value!r} is not a date",
        expected="a datetime.date",
        hint=f"pass e.g. {name}=datetime.date(2026, 11, 30)",
    )


def _days_per_unit(time_unit: object) -> float:
    if isinstance(time_unit, str):
        if time_unit not in TIME_UNIT_CHOICES:
            raise ConfigError(
                f"time_unit={time_unit!r} is not a known unit",
                expected="one of " + ", ".join(repr(u) for u in TIME_UNIT_CHOICES) + " or days per unit",
            )
        return _DAYS_PER_UNIT[time_unit]
    is_number = isinstance(time_unit, int | float) and not isinstance(time_unit, bool)
    if is_number and math.isfinite(time_unit) and time_unit > 0:
        return float(time_unit)
    raise ConfigError(
        f"time_unit={time_unit!r} is not a unit of time",
        expected="one of " + ", ".join(repr(u) for u in TIME_UNIT_CHOICES) + " or a positive number of days",
    )


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


# --- BG/NBD -------------------------------------------------------------------------


@dataclass(frozen=True)
class BetaGeoModel:
    """A fitted BG/NBD model (Fader, Hardie & Lee 2005).

    While active a client buys at Poisson rate ``lambda ~ Gamma(r, alpha)``;
    after each repeat purchase they drop out with probability
    ``p ~ Beta(a, b)``. Times are in the unit of the data the model was fitted
    on (``alpha`` is in that unit).

    Attributes
    ----------
    r, alpha, a, b : float
        Parameters.
    log_likelihood : float
        Maximised log-likelihood of the fitted data.
    n : int
        Number of clients fitted.
    """

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    n: int

    def p_alive(self, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> FloatArray | float:
        """Probability a client with history (x, t_x, T) is still active at T.

        ``1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x))``
        (FHL 2005, eq. 13): 1 for a client without a repeat purchase.

        Examples
        --------
        >>> m = BetaGeoModel(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=-9582.4, n=2357)
        >>> round(m.p_alive(2, 30.43, 38.86), 3)
        0.727
        """
        x, t_x, age = _checked(x, t_x, T, allow_empty=True)
        return _scalar_or_array(
            expit(-_bgnbd_log_odds_inactive(self.r, self.alpha, self.a, self.b, x, t_x, age))
        )

    def expected_purchases(
        self, t: ArrayLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike
    ) -> FloatArray | float:
        """Expected number of purchases in (T, T + t] given the history (x, t_x, T).

        FHL 2005 eq. 10, computed through Euler's transformation of its 2F1 (see
        :func:`_bgnbd_mean_if_active`), which stays accurate for large x.

        Examples
        --------
        >>> m = BetaGeoModel(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=-9582.4, n=2357)
        >>> round(m.expected_purchases(39, 2, 30.43, 38.86), 3)
        1.226
        """
        x, t_x, age = _checked(x, t_x, T, allow_empty=True)
        t = _checked_t(t)
        p = expit(-_bgnbd_log_odds_inactive(self.r, self.alpha, self.a, self.b, x, t_x, age))
        mean = _bgnbd_mean_if_active(t, self.r, self.alpha, self.a, self.b, x, age)
        return _scalar_or_array(p * mean)

    def expected_purchases_new(self, t: ArrayLike) -> FloatArray | float:
        """Expected purchases in (0, t] of a new client (repeat purchases, E[X(t)]).

        Examples
        --------
        >>> m = BetaGeoModel(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=-9582.4, n=2357)
        >>> round(m.expected_purchases_new(39), 3)
        1.197
        """
        t = _checked_t(t)
        zero = np.zeros_like(t)
        return _scalar_or_array(_bgnbd_mean_if_active(t, self.r, self.alpha, self.a, self.b, zero, zero))

    def purchase_interval(self, x: ArrayLike, t_x: ArrayLike) -> FloatArray | float:
        """Expected time between purchases while active: ``(alpha + t_x) / (r + x)``.

        The reciprocal of the posterior mean purchase rate given the x repeat
        purchases seen while the client was certainly active, in (0, t_x]:
        ``lambda | x, t_x ~ Gamma(r + x, alpha + t_x)``. The silence since t_x is
        left out on purpose: it is what the rhythm is compared with (see
        :func:`clv_scores`), and counting it would stretch the rhythm with every
        silent day. (E[1/lambda] would be infinite for r + x <= 1, so the
        reciprocal of the mean rate is used.)
        """
        return _purchase_interval(self.r, self.alpha, x, t_x)

    @property
    def params(self) -> dict[str, float]:
        """The parameters as a dict."""
        return {"r": self.r, "alpha": self.alpha, "a": self.a, "b": self.b}


def fit_bgnbd(frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> BetaGeoModel:
    """Fit the BG/NBD model by maximum likelihood.

    The log-likelihood (FHL 2005, eq. 6) is written with ``gammaln``/``betaln``
    and an analytic gradient, maximised over log-parameters with a bounded
    L-BFGS-B on time rescaled to the longest T. Special functions of the
    frequency are evaluated once per distinct frequency, so a fit costs a few
    vectorised passes over the clients per iteration.

    Parameters
    ----------
    frequency : array-like
        Repeat purchases x (whole numbers >= 0; 0 for single-purchase clients).
    recency : array-like
        t_x, time from first to last purchase (0 when x = 0).
    T : array-like
        Time from first purchase to the end of observation, same unit.

    Returns
    -------
    BetaGeoModel

    Raises
    ------
    InputError
        For invalid values (all reported at once), or when no client made a
        repeat purchase (the model is then not identified).

    Examples
    --------
    >>> data = simulate_bgnbd(np.full(20_000, 52.0), r=0.25, alpha=4.0, a=0.8, b=2.5, seed=1)
    >>> m = fit_bgnbd(data["frequency"], data["recency"], data["T"])
    >>> round(m.r, 2), round(m.alpha, 1), round(m.a, 2), round(m.b, 1)
    (0.25, 4.0, 0.8, 2.4)
    """
    x, t_x, age = _checked(frequency, recency, T)
    _require_repeats(x, "BG/NBD")
    scale = _fit_scale(age)
    data = _histories(x, t_x / scale, age / scale)
    nll = _bgnbd_objective(data)
    theta = _minimize(nll, _start(data), jac=True, model="BG/NBD")
    r, alpha, a, b = np.exp(theta)
    ll = -nll(theta)[0] * data.n - data.sum_x * math.log(scale)
    return BetaGeoModel(
        r=float(r),
        alpha=float(alpha * scale),
        a=float(a),
        b=float(b),
        log_likelihood=float(ll),
        n=int(data.n),
    )


def _bgnbd_objective(data: _Histories) -> Callable[[FloatArray], tuple[float, FloatArray]]:
    """Mean negative log-likelihood of BG/NBD and its gradient in log-parameters.

    Per client (FHL 2005, eq. 6, rearranged with
    B(a + 1, b + x - 1) = B(a, b + x) a / (b + x - 1))::

        ll = log G(r + x) - log G(r) + r log(alpha) + log B(a, b + x) - log B(a, b)
             - (r + x) log(alpha + T) + [x > 0] softplus(z)
        z  = log a - log(b + x - 1) + (r + x) (log(alpha + T) - log(alpha + t_x))

    so a single-purchase client (x = 0) never touches B(a + 1, b - 1). The
    gradient follows by differentiating each term (digamma for the gamma and
    beta functions, sigmoid(z) for softplus).
    """
    n, ux, counts = data.n, data.ux, data.counts
    age, w, wx = data.age, data.w, data.w * data.x
    rep = data.repeat
    xr, txr, wr = data.x[rep], data.t_x[rep], data.w[rep]

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        r, alpha, a, b = np.exp(theta)
        log_at = np.log(alpha + age)
        inv_at = 1.0 / (alpha + age)
        log_ax = np.log(alpha + txr)
        gap = log_at[rep] - log_ax
        z = math.log(a) - np.log(b + xr - 1.0) + (r + xr) * gap
        softplus, sigmoid = _softplus_and_sigmoid(z)
        wsig = wr * sigmoid
        sum_log_at = _dot(w, log_at)
        ll = (
            _dot(counts, gammaln(r + ux))
            - n * gammaln(r)
            + n * r * math.log(alpha)
            + _dot(counts, betaln(a, b + ux))
            - n * betaln(a, b)
            - r * sum_log_at
            - _dot(wx, log_at)
            + _dot(wr, softplus)
        )
        psi_abx = digamma(a + b + ux)
        d_r = (
            _dot(counts, digamma(r + ux))
            - n * digamma(r)
            + n * math.log(alpha)
            - sum_log_at
            + _dot(wsig, gap)
        )
        d_alpha = (
            n * r / alpha
            - r * _dot(w, inv_at)
            - _dot(wx, inv_at)
            + _dot(wsig * (r + xr), inv_at[rep] - 1.0 / (alpha + txr))
        )
        d_a = n * digamma(a + b) - _dot(counts, psi_abx) + np.sum(wsig) / a
        d_b = (
            _dot(counts, digamma(b + ux) - psi_abx)
            - n * (digamma(b) - digamma(a + b))
            - _dot(wsig, 1.0 / (b + xr - 1.0))
        )
        grad = np.array([d_r * r, d_alpha * alpha, d_a * a, d_b * b])
        return -ll / n, -grad / n

    return objective


def _bgnbd_log_odds_inactive(
    r: float, alpha: float, a: float, b: float, x: FloatArray, t_x: FloatArray, age: FloatArray
) -> FloatArray:
    """log of P(inactive) / P(active) at T; -inf (certainly active) for x = 0."""
    x_rep = np.maximum(x, 1.0)  # keeps log(b + x - 1) defined where x = 0 is masked out
    z = math.log(a) - np.log(b + x_rep - 1) + (r + x) * (np.log(alpha + age) - np.log(alpha + t_x))
    return np.where(x > 0, z, -np.inf)


# Half-width of the bracket used around the removable singularities of the
# conditional expectation (at a = 1 and a + b + x = 1): the value there is the
# linear interpolation of the two sides, exact to O(delta^2) ~ 1e-8 relative,
# while each side still has ~1e-11 relative accuracy despite the cancellation.
_SINGULAR_DELTA: Final = 1e-4


def _bgnbd_mean_if_active(
    t: FloatArray, r: float, alpha: float, a: float, b: float, x: FloatArray, age: FloatArray
) -> FloatArray:
    """E[purchases in (T, T + t] | active at T, x] under BG/NBD.

    FHL 2005 eq. 10 without its P(active) factor::

        (a + b + x - 1) / (a - 1) * [1 - ((alpha + T)/(alpha + T + t))^(r + x)
                                        * 2F1(r + x, b + x; a + b + x - 1; z)],
        z = t / (alpha + T + t).

    Euler's transformation 2F1(A, B; C; z) = (1 - z)^(C - A - B) 2F1(C - A, C - B; C; z)
    turns the bracket into ``1 - (1 - z)^(a - 1) 2F1(a + b - 1 - r, a - 1; a + b + x - 1; z)``:
    no parameter grows with x any more, so scipy's hyp2f1 stays accurate (the
    textbook form returns NaN from about x = 100). Checked against mpmath at 60
    digits to 1e-8 relative over r, a in [0.01, 20], b in [0.01, 30], x up to 3000.
    """
    if abs(a - 1.0) < _SINGULAR_DELTA:
        return _bracketed(lambda aa: _bgnbd_mean_euler(t, r, alpha, aa, b, x, age), a, 1.0)
    if abs(a + b - 1.0) < _SINGULAR_DELTA and np.any(x == 0):
        # 2F1's c = a + b + x - 1 vanishes for x = 0: bracket b instead (a is not
        # near 1 here, so b = 1 - a +- delta stays positive and a - 1 nonzero).
        return _bracketed(lambda bb: _bgnbd_mean_euler(t, r, alpha, a, bb, x, age), b, 1.0 - a)
    return _bgnbd_mean_euler(t, r, alpha, a, b, x, age)


def _bgnbd_mean_euler(
    t: FloatArray, r: float, alpha: float, a: float, b: float, x: FloatArray, age: FloatArray
) -> FloatArray:
    t, x, age = np.broadcast_arrays(*(np.asarray(v, dtype="float64") for v in (t, x, age)))
    eps = a - 1.0
    u = t / (alpha + age)
    log1m_z = -np.log1p(u)
    z = u / (1.0 + u)
    c = a + b + x - 1.0
    f = _hyp2f1(a + b - 1.0 - r, eps, c, z)
    power = np.exp(eps * log1m_z)
    # For a in the thousands (a fit on a flat ridge, where a, b -> oo) the power
    # underflows to 0 while 2F1 overflows: 0 * inf, handled below.
    with np.errstate(invalid="ignore"):
        bracket = -np.expm1(eps * log1m_z) - power * (f - 1.0)
        value = np.array(c / eps * bracket, dtype="float64")
    failed = ~np.isfinite(value)
    if failed.any():
        value[failed] = _bgnbd_mean_quadrature(u[failed], r, a, b, x[failed])
    # The exact value is >= 0 (a mean count); rounding can leave -1e-17 for tiny t.
    return np.maximum(value, 0.0)


def _bgnbd_mean_quadrature(u: FloatArray, r: float, a: float, b: float, x: FloatArray) -> FloatArray:
    """E_p[(1 - (1 + p u)^-(r + x)) / p] over p ~ Beta(a, b + x), by Gauss-Jacobi quadrature.

    The defining integral of the closed form (the mean of ``(1 - e^(-lambda p t))/p``
    over the posterior of lambda, then p). Used only where the closed form
    overflows, i.e. for a in the thousands: p's posterior is then narrow, and 32
    nodes placed by it integrate the smooth integrand to ~1e-6 or better (for
    small a the integrand can have a sharp corner near p = 0 and the closed form
    is the accurate one).
    """
    out = np.empty_like(u)
    for bx in np.unique(x):
        here = x == bx
        p, w = _beta_gauss_nodes(a, b + bx)
        k = r + bx
        g = -np.expm1(-k * np.log1p(p[None, :] * u[here][:, None])) / p[None, :]
        out[here] = g @ w
    return out


def _beta_gauss_nodes(a: float, b: float, n: int = 32) -> tuple[FloatArray, FloatArray]:
    """Gauss nodes in (0, 1) and weights (summing to 1) for the Beta(a, b) distribution.

    Golub-Welsch on the Jacobi recurrence with alpha = b - 1, beta = a - 1 on
    [-1, 1]. scipy's roots_jacobi scales its weights by 2^(a + b - 1) B(a, b),
    which overflows for a + b above ~1000; normalised weights never do.
    """
    al, be = b - 1.0, a - 1.0
    k = np.arange(n, dtype="float64")
    s = 2.0 * k + al + be
    diag = np.empty(n)
    diag[0] = (be - al) / (al + be + 2.0)
    diag[1:] = (be * be - al * al) / (s[1:] * (s[1:] + 2.0))
    k1, s1 = k[1:], s[1:]
    off = np.sqrt(4.0 * k1 * (k1 + al) * (k1 + be) * (k1 + al + be) / (s1 * s1 * (s1 + 1.0) * (s1 - 1.0)))
    y, vectors = eigh_tridiagonal(diag, off)
    w = vectors[0] ** 2
    return (1.0 + y) / 2.0, w / w.sum()


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


def _bracketed(f: Callable[[float], FloatArray], value: float, singular: float) -> FloatArray:
    lo, hi = singular - _SINGULAR_DELTA, singular + _SINGULAR_DELTA
    w = (value - lo) / (hi - lo)
    return (1.0 - w) * f(lo) + w * f(hi)


def _purchase_interval(r: float, alpha: float, x: ArrayLike, t_x: ArrayLike) -> FloatArray | float:
    x_arr = np.asarray(x, dtype="float64")
    t_arr = np.asarray(t_x, dtype="float64")
    return _scalar_or_array((alpha + t_arr) / (r + x_arr))


# --- Pareto/NBD ---------------------------------------------------------------------


@dataclass(frozen=True)
class ParetoNBDModel:
    """A fitted Pareto/NBD model (Schmittlein, Morrison & Colombo 1987).

    While active a client buys at Poisson rate ``lambda ~ Gamma(r, alpha)``;
    their active lifetime is exponential with rate ``mu ~ Gamma(s, beta)``.
    Times are in the unit of the fitted data.

    Attributes
    ----------
    r, alpha, s, beta : float
        Parameters.
    log_likelihood : float
        Maximised log-likelihood of the fitted data.
    n : int
        Number of clients fitted.
    """

    r: float
    alpha: float
    s: float
    beta: float
    log_likelihood: float
    n: int

    def p_alive(self, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> FloatArray | float:
        """Probability a client with history (x, t_x, T) is still active at T.

        Examples
        --------
        >>> m = ParetoNBDModel(r=0.553, alpha=10.578, s=0.606, beta=11.669, log_likelihood=-9595.0, n=2357)
        >>> round(m.p_alive(26, 30.86, 31), 4)
        0.9979
        """
        x, t_x, age = _checked(x, t_x, T, allow_empty=True)
        log_odds = _pnbd_log_odds_inactive(self.r, self.alpha, self.s, self.beta, x, t_x, age)
        return _scalar_or_array(expit(-log_odds))

    def expected_purchases(
        self, t: ArrayLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike
    ) -> FloatArray | float:
        """Expected number of purchases in (T, T + t] given the history (x, t_x, T).

        ``P(active) (r + x)(beta + T) / ((alpha + T)(s - 1)) [1 - ((beta + T)/(beta + T + t))^(s - 1)]``,
        evaluated with ``exprel`` so that s = 1 is no special case.
        """
        x, t_x, age = _checked(x, t_x, T, allow_empty=True)
        t = _checked_t(t)
        p = expit(-_pnbd_log_odds_inactive(self.r, self.alpha, self.s, self.beta, x, t_x, age))
        return _scalar_or_array(p * _pnbd_mean_if_active(t, self.r, self.alpha, self.s, self.beta, x, age))

    def expected_purchases_new(self, t: ArrayLike) -> FloatArray | float:
        """Expected purchases in (0, t] of a new client (repeat purchases, E[X(t)])."""
        t = _checked_t(t)
        zero = np.zeros_like(t)
        return _scalar_or_array(_pnbd_mean_if_active(t, self.r, self.alpha, self.s, self.beta, zero, zero))

    def purchase_interval(self, x: ArrayLike, t_x: ArrayLike) -> FloatArray | float:
        """Expected time between purchases while active: ``(alpha + t_x) / (r + x)``.

        As :meth:`BetaGeoModel.purchase_interval` (the purchase process is the same).
        """
        return _purchase_interval(self.r, self.alpha, x, t_x)

    @property
    def params(self) -> dict[str, float]:
        """The parameters as a dict."""
        return {"r": self.r, "alpha": self.alpha, "s": self.s, "beta": self.beta}


def fit_pareto_nbd(frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> ParetoNBDModel:
    """Fit the Pareto/NBD model by maximum likelihood.

    The likelihood needs the Gauss hypergeometric function 2F1, split on
    alpha >= beta vs alpha < beta as usual, and rewritten with Euler's
    transformation so that its first parameter is 1 (see :func:`_pnbd_g`):
    the series then has bounded terms and scipy's hyp2f1 stays accurate for
    large frequencies. 2F1 is evaluated once per distinct (x, t) pair, which
    helps on day-resolution data where many clients share a history. Gradients
    are numerical (2F1 has no closed-form derivative in its parameters), so this
    fit is several times slower than :func:`fit_bgnbd`.

    Parameters and errors are as for :func:`fit_bgnbd`.

    Examples
    --------
    >>> data = simulate_bgnbd(np.full(1000, 52.0), r=0.25, alpha=4.0, a=0.8, b=2.5, seed=1)
    >>> m = fit_pareto_nbd(data["frequency"], data["recency"], data["T"])
    >>> 0 < m.r < 1 and m.p_alive(0, 0.0, 52.0) < 1
    True
    """
    x, t_x, age = _checked(frequency, recency, T)
    x, t_x, age = np.ravel(x), np.ravel(t_x), np.ravel(age)
    _require_repeats(x, "Pareto/NBD")
    scale = _fit_scale(age)
    data = _histories(x, t_x / scale, age / scale)
    nll = _pnbd_objective(data)
    theta = _minimize(nll, _start(data), jac=False, model="Pareto/NBD")
    r, alpha, s, beta = np.exp(theta)
    ll = -nll(theta) * data.n - data.sum_x * math.log(scale)
    return ParetoNBDModel(
        r=float(r),
        alpha=float(alpha * scale),
        s=float(s),
        beta=float(beta * scale),
        log_likelihood=float(ll),
        n=int(data.n),
    )


# A finite stand-in for "log-likelihood is not a number" at trial parameters far
# from the optimum: L-BFGS-B backs off from it instead of stopping on a NaN.
_NLL_PENALTY: Final = 1e10


def _pnbd_objective(data: _Histories) -> Callable[[FloatArray], float]:
    """Mean negative log-likelihood of Pareto/NBD in log-parameters.

    Per client::

        ll = log G(r + x) - log G(r) + r log(alpha) + s log(beta) + log E(T)
             + softplus(log(s / (r + s + x)) + log D)
        E(t) = (alpha + t)^-(r + x) (beta + t)^-s
        D = (E(t_x) / E(T)) g(t_x) - g(T)

    which is Fader & Hardie's (2005) expression with
    ``A0 = E(t_x) g(t_x) - E(T) g(T)`` factored (see :func:`_pnbd_g`).
    """
    n, ux, counts = data.n, data.ux, data.counts
    x, t_x, age, w = data.x, data.t_x, data.age, data.w
    # 2F1 depends on a history only through (x, t): evaluate it per distinct pair.
    (key_x, key_t), _, inverse = _distinct_rows(np.concatenate([x, x]), np.concatenate([t_x, age]))
    at_tx, at_age = inverse[: x.size], inverse[x.size :]

    def objective(theta: FloatArray) -> float:
        r, alpha, s, beta = np.exp(theta)
        log_g = np.log(_pnbd_g(r, alpha, s, beta, key_x, key_t))
        log_ratio = (r + x) * (np.log(alpha + age) - np.log(alpha + t_x)) + s * (
            np.log(beta + age) - np.log(beta + t_x)
        )
        log_d = _log_diff(log_ratio + log_g[at_tx], log_g[at_age])
        log_at = np.log(alpha + age)
        ll = (
            _dot(counts, gammaln(r + ux))
            - n * gammaln(r)
            + n * (r * math.log(alpha) + s * math.log(beta))
            - _dot(w * (r + x), log_at)
            - s * _dot(w, np.log(beta + age))
            + _dot(w, _softplus_and_sigmoid(math.log(s) - np.log(r + s + x) + log_d)[0])
        )
        return -ll / n if math.isfinite(ll) else _NLL_PENALTY

    return objective


def _pnbd_g(r: float, alpha: float, s: float, beta: float, x: FloatArray, t: FloatArray) -> FloatArray:
    """g(t) = (r+s+x) (alpha+t)^(r+x) (beta+t)^s I(t), I(t) = ∫_t^∞ (alpha+y)^-(r+x) (beta+y)^-(s+1) dy.

    The usual 2F1 forms, ``(max(alpha, beta) + t)^-(r+s+x) 2F1(r+s+x, s+1 | r+x; r+s+x+1; z)``,
    after Euler's transformation (C - A = 1)::

        alpha >= beta: g = 2F1(1, r + x; r + s + x + 1; (alpha - beta) / (alpha + t))
        alpha <  beta: g = (alpha + t)/(beta + t) 2F1(1, s + 1; r + s + x + 1; (beta - alpha) / (beta + t))

    so g lies in [1, (r+s+x)/s] (alpha >= beta) or (0, 1] (alpha < beta) and
    nothing overflows. scipy's hyp2f1 returns NaN for the first form when
    r + x is in the hundreds and z is within ~1e-3 of 1 (a heavy buyer, alpha
    >> beta); there :func:`_pnbd_g_quadrature` takes over. Both were checked
    against mpmath (50 digits): hyp2f1 to 1e-9 wherever finite, the quadrature
    to 2e-15 where hyp2f1 fails.
    """
    x, t = np.broadcast_arrays(np.asarray(x, dtype="float64"), np.asarray(t, dtype="float64"))
    c = r + s + x + 1.0
    if alpha < beta:
        return (alpha + t) / (beta + t) * _hyp2f1(1.0, s + 1.0, c, (beta - alpha) / (beta + t))
    g = np.array(_hyp2f1(1.0, r + x, c, (alpha - beta) / (alpha + t)), dtype="float64")
    failed = ~np.isfinite(g)
    if failed.any():
        g[failed] = _pnbd_g_quadrature(r, alpha, s, beta, x[failed], t[failed])
    return g


# Composite Gauss-Legendre rule for _pnbd_g_quadrature: 32 panels of 12 nodes.
_GL_NODES, _GL_WEIGHTS = roots_legendre(12)
_GL_PANELS: Final = 32


def _pnbd_g_quadrature(
    r: float, alpha: float, s: float, beta: float, x: FloatArray, t: FloatArray
) -> FloatArray:
    """g(t) for alpha >= beta by quadrature, where hyp2f1 fails.

    With eps = (beta + t)/(alpha + t) = 1 - z and the substitution
    q = eps e^v in the Euler integral of 2F1(s + 1, C - 1; C; z)::

        g = (C - 1)/(1 - eps) ∫_0^{-log eps} e^(-s v) (1 - eps (e^v - 1)/(1 - eps))^(C - 2) dv

    The integrand is smooth, starts at 1, and is cut off double-exponentially
    once (C - 2) eps (e^v - 1) is large, so the range is trimmed where that
    reaches 50 (the integrand is then below e^-50) and split into panels of
    width ~1. Only used for C = r + s + x + 1 > 2 (large x), where hyp2f1 fails.
    """
    c = r + s + x + 1.0
    eps = (beta + t) / (alpha + t)
    v_end = -np.log(eps)
    v_cut = np.log1p(50.0 * (1.0 - eps) / (np.maximum(c - 2.0, 1e-300) * eps))
    v_max = np.minimum(v_end, v_cut)
    width = v_max / _GL_PANELS
    offsets = np.arange(_GL_PANELS)[:, None] + (_GL_NODES[None, :] + 1.0) / 2.0  # (panels, nodes)
    v = offsets[None, :, :] * width[:, None, None]
    log_base = np.log1p(-eps[:, None, None] * np.expm1(v) / (1.0 - eps[:, None, None]))
    f = np.exp(-s * v + (c[:, None, None] - 2.0) * log_base)
    integral = np.sum(f * _GL_WEIGHTS[None, None, :], axis=(1, 2)) * width / 2.0
    return (c - 1.0) / (1.0 - eps) * integral


def _log_diff(log_a: FloatArray, log_b: FloatArray) -> FloatArray:
    """log(exp(log_a) - exp(log_b)), -inf where the difference is not positive, NaN where an input is.

    The difference is exactly 0 when t_x = T (a purchase on the last day).
    """
    diff = log_b - log_a
    positive = diff < 0
    safe = np.where(positive, diff, -1.0)
    out = np.where(positive, log_a + np.log(-np.expm1(safe)), -np.inf)
    return np.where(np.isnan(diff), np.nan, out)


def _pnbd_log_odds_inactive(
    r: float, alpha: float, s: float, beta: float, x: FloatArray, t_x: FloatArray, age: FloatArray
) -> FloatArray:
    """log of P(inactive) / P(active) at T: ``log(s / (r + s + x)) + log D`` (see _pnbd_objective)."""
    log_ratio = (r + x) * (np.log(alpha + age) - np.log(alpha + t_x)) + s * (
        np.log(beta + age) - np.log(beta + t_x)
    )
    g_tx = _pnbd_g(r, alpha, s, beta, x, t_x)
    g_age = _pnbd_g(r, alpha, s, beta, x, age)
    log_d = _log_diff(log_ratio + np.log(g_tx), np.log(g_age))
    return math.log(s) - np.log(r + s + x) + log_d


def _pnbd_mean_if_active(
    t: FloatArray, r: float, alpha: float, s: float, beta: float, x: FloatArray, age: FloatArray
) -> FloatArray:
    """E[purchases in (T, T + t] | active at T, x]: ``(r+x)/(alpha+T) (beta+T) [1 - q^(s-1)]/(s-1)``.

    With L = log(1 + t/(beta + T)) = -log q, ``[1 - q^(s-1)]/(s-1) = L exprel(-(s-1) L)``,
    which is L at s = 1 instead of 0/0.
    """
    big_l = np.log1p(t / (beta + age))
    return (r + x) / (alpha + age) * (beta + age) * big_l * exprel(-(s - 1.0) * big_l)


# --- Gamma-Gamma --------------------------------------------------------------------


@dataclass(frozen=True)
class GammaGammaModel:
    """A fitted Gamma-Gamma model of spend per purchase (Fader & Hardie 2013).

    A client's purchases are worth ``z ~ Gamma(p, nu)`` each, with
    ``nu ~ Gamma(q, gamma)`` across clients, independent of the purchase
    process. ``gamma`` is in money units.

    Attributes
    ----------
    p, q, gamma : float
        Parameters.
    log_likelihood : float
        Maximised log-likelihood of the repeat buyers' mean spends.
    n : int
        Number of repeat buyers fitted.
    """

    p: float
    q: float
    gamma: float
    log_likelihood: float
    n: int

    @property
    def mean_spend(self) -> float:
        """Population mean spend per purchase, ``p gamma / (q - 1)`` (infinite for q <= 1)."""
        return self.p * self.gamma / (self.q - 1.0) if self.q > 1.0 else math.inf

    def expected_spend(self, x: ArrayLike, mean_spend: ArrayLike) -> FloatArray | float:
        """Expected spend per purchase of a client with x purchases of mean ``mean_spend``.

        ``(gamma p + p x m) / (p x + q - 1)``: a weighted average of the
        population mean and the client's own mean, weighted toward the client's
        the more purchases they made. For x = 0 (``mean_spend`` ignored, may be
        NaN) it is the population mean; NaN where the mean does not exist
        (``p x + q <= 1``).

        Examples
        --------
        >>> m = GammaGammaModel(p=6.25, q=3.74, gamma=15.44, log_likelihood=float("nan"), n=946)
        >>> round(m.expected_spend(2, 22.35), 2)
        24.66
        """
        x = np.asarray(x, dtype="float64")
        m = np.where(x > 0, np.asarray(mean_spend, dtype="float64"), 0.0)
        denom = self.p * x + self.q - 1.0
        safe = np.where(denom > 0, denom, 1.0)
        return _scalar_or_array(np.where(denom > 0, (self.gamma * self.p + self.p * x * m) / safe, np.nan))

    @property
    def params(self) -> dict[str, float]:
        """The parameters as a dict."""
        return {"p": self.p, "q": self.q, "gamma": self.gamma}


def fit_gamma_gamma(frequency: ArrayLike, monetary_value: ArrayLike) -> GammaGammaModel:
    """Fit the Gamma-Gamma spend model on the repeat buyers.

    Only clients with frequency >= 1 enter (the mean spend of their repeat
    purchases is what the model describes); their ``monetary_value`` must be
    positive. Money is rescaled to the mean spend for the optimiser, so
    ``gamma`` scales with the currency unit and p, q do not.

    Per repeat buyer with x purchases of mean m (Fader & Hardie 2013, eq. 2)::

        ll = log G(p x + q) - log G(p x) - log G(q) + q log(gamma)
             + (p x - 1) log(m) + p x log(x) - (p x + q) log(gamma + m x)

    Parameters
    ----------
    frequency : array-like
        Repeat purchases per client.
    monetary_value : array-like
        Mean amount of the repeat purchases (ignored, may be NaN, for x = 0).

    Returns
    -------
    GammaGammaModel

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> x = rng.integers(1, 6, 3000)
    >>> nu = rng.gamma(4.0, 1 / 20.0, 3000)
    >>> m = rng.gamma(6.0 * x, 1 / nu) / x
    >>> fit = fit_gamma_gamma(x, m)
    >>> round(fit.mean_spend / float(np.mean(m)), 1)
    1.0
    """
    x = np.ravel(np.asarray(frequency, dtype="float64"))
    m = np.ravel(np.asarray(monetary_value, dtype="float64"))
    if x.shape != m.shape:
        raise InputError(
            "frequency and monetary_value have different lengths",
            values=[x.size, m.size],
            expected="one value per client in each",
        )
    problems = []
    bad_x = ~np.isfinite(x) | (x < 0) | (x != np.floor(x))
    if bad_x.any():
        rows = np.flatnonzero(bad_x)
        problems.append(
            Problem(
                "invalid value",
                column=FREQUENCY,
                rows=[int(i) + 1 for i in rows],
                values=[float(x[i]) for i in rows[:5]],
                expected="a whole number >= 0",
            )
        )
    bad_m = (x > 0) & ~(np.isfinite(m) & (m > 0))
    if bad_m.any():
        rows = np.flatnonzero(bad_m)
        problems.append(
            Problem(
                "repeat buyer without a positive mean spend",
                column=MONETARY_VALUE,
                rows=[int(i) + 1 for i in rows],
                values=[float(m[i]) for i in rows[:5]],
                expected="a positive amount for every client with frequency >= 1",
            )
        )
    if problems:
        raise InputError.from_problems(problems)
    repeat = x > 0
    if repeat.sum() < 2:
        raise InputError(
            "the Gamma-Gamma model needs at least two repeat buyers",
            column=FREQUENCY,
            hint="use a longer history",
        )
    x, m = x[repeat], m[repeat]
    scale = float(np.mean(m))
    nll = _gamma_gamma_objective(x, m / scale)
    start = np.array([0.0, math.log(2.0), 0.0])
    theta = _minimize(nll, start, jac=True, model="Gamma-Gamma")
    p, q, gamma = np.exp(theta)
    ll = -nll(theta)[0] * x.size - x.size * math.log(scale)
    return GammaGammaModel(
        p=float(p), q=float(q), gamma=float(gamma * scale), log_likelihood=float(ll), n=int(x.size)
    )


def _gamma_gamma_objective(x: FloatArray, m: FloatArray) -> Callable[[FloatArray], tuple[float, FloatArray]]:
    """Mean negative log-likelihood of Gamma-Gamma and its gradient in log-parameters.

    The gamma functions depend on x alone and are evaluated once per distinct
    frequency; the terms linear in p are summed once, so an evaluation costs
    one log and one reciprocal per client.
    """
    n = float(x.size)
    ux, counts = np.unique(x, return_counts=True)
    counts = counts.astype("float64")
    mx = m * x
    sum_x_log_mx = _dot(x, np.log(mx))  # sum of x log(m) + x log(x)
    sum_log_m = float(np.sum(np.log(m)))

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        p, q, gamma = np.exp(theta)
        pux = p * ux
        log_gmx = np.log(gamma + mx)
        inv_gmx = 1.0 / (gamma + mx)
        x_log_gmx = _dot(x, log_gmx)
        sum_log_gmx = float(np.sum(log_gmx))
        ll = (
            _dot(counts, gammaln(pux + q) - gammaln(pux))
            + n * (q * math.log(gamma) - gammaln(q))
            + p * sum_x_log_mx
            - sum_log_m
            - p * x_log_gmx
            - q * sum_log_gmx
        )
        psi_pxq = digamma(pux + q)
        d_p = _dot(counts * ux, psi_pxq - digamma(pux)) + sum_x_log_mx - x_log_gmx
        d_q = _dot(counts, psi_pxq) - n * digamma(q) + n * math.log(gamma) - sum_log_gmx
        d_gamma = n * q / gamma - p * _dot(x, inv_gmx) - q * float(np.sum(inv_gmx))
        grad = np.array([d_p * p, d_q * q, d_gamma * gamma])
        return -ll / n, -grad / n

    return objective


# --- simulation ---------------------------------------------------------------------


def simulate_bgnbd(
    T: ArrayLike,
    *,
    r: float,
    alpha: float,
    a: float,
    b: float,
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Draw client summaries from the BG/NBD generative process.

    Each client gets ``lambda ~ Gamma(r, alpha)`` and ``p ~ Beta(a, b)``; the
    number of repeat purchases before dropping out is geometric (``p`` after
    each repeat purchase), the purchase count in (0, T] is Poisson(lambda T),
    and x is the smaller of the two. Given N purchases in (0, T], the x-th
    falls at T times a Beta(x, N - x + 1) draw (the x-th of N uniform order
    statistics), so the whole draw is vectorised.

    Parameters
    ----------
    T : array-like
        Observation length per client (one client per value).
    r, alpha, a, b : float
        BG/NBD parameters, ``alpha`` in the unit of T.
    seed : int or numpy.random.Generator, optional
        Seed or generator; the global random state is never used.

    Returns
    -------
    pandas.DataFrame
        Columns ``frequency``, ``recency``, ``T``.

    Examples
    --------
    >>> sim = simulate_bgnbd(np.full(3, 39.0), r=0.243, alpha=4.414, a=0.793, b=2.426, seed=7)
    >>> list(sim.columns)
    ['frequency', 'recency', 'T']
    """
    rng = np.random.default_rng(seed)
    age = np.ravel(np.asarray(T, dtype="float64"))
    n = age.size
    lam = rng.gamma(r, 1.0 / alpha, n)
    # Beta draws with small a can underflow to 0; a geometric with p = 0 is undefined.
    p = np.clip(rng.beta(a, b, n), np.finfo("float64").tiny, 1.0)
    lifetime_purchases = rng.geometric(p)
    in_window = rng.poisson(lam * age)
    x = np.minimum(lifetime_purchases, in_window)
    has = x > 0
    t_x = np.zeros(n)
    t_x[has] = age[has] * rng.beta(x[has], in_window[has] - x[has] + 1)
    return pd.DataFrame({FREQUENCY: x.astype("int64"), RECENCY: t_x, AGE: age})


# --- scores -------------------------------------------------------------------------


def clv_scores(
    summary: pd.DataFrame,
    *,
    bgnbd: BetaGeoModel | ParetoNBDModel,
    gamma_gamma: GammaGammaModel | None = None,
    horizon_days: float = 365.0,
    unit_days: float = 1.0,
    as_of: date | datetime | None = None,
) -> pd.DataFrame:
    """Add per-client model predictions to a summary (a copy; the input is untouched).

    Parameters
    ----------
    summary : pandas.DataFrame
        One row per client with ``frequency``, ``recency`` and ``T`` (as from
        :func:`rfm_summary`), ``monetary_value`` when ``gamma_gamma`` is given,
        and ``last_purchase`` unless ``as_of`` is given.
    bgnbd : BetaGeoModel or ParetoNBDModel
        The fitted purchase model, in the summary's time unit.
    gamma_gamma : GammaGammaModel, optional
        The fitted spend model; without it no value columns are added.
    horizon_days : float
        Length of the period ``expected_purchases`` counts, in days.
    unit_days : float
        Days per time unit of the summary and the model (7 for weeks).
    as_of : datetime.date, optional
        The day the summary's T runs to; used to date the last purchase when the
        summary has no ``last_purchase`` column.

    Returns
    -------
    pandas.DataFrame
        ``summary`` with columns added:

        - ``p_alive``: probability the client is still active;
        - ``expected_purchases``: expected purchases in the next ``horizon_days``;
        - ``expected_spend`` (with ``gamma_gamma``): expected spend per purchase;
        - ``expected_value_next_year`` (with ``gamma_gamma``): expected purchases
          in the next 365 days times ``expected_spend`` (undiscounted);
        - ``next_purchase_expected``: the day the next purchase was due had the
          client stayed active, ``last_purchase + (alpha + t_x) / (r + x)`` time
          units: the reciprocal of the client's posterior mean purchase rate given
          the x repeat purchases in (0, t_x] (``lambda ~ Gamma(r + x, alpha + t_x)``),
          see :meth:`BetaGeoModel.purchase_interval`;
        - ``overdue_ratio``: time since the last purchase divided by that
          expected interval, ``(T - t_x) (r + x) / (alpha + t_x)``; above 1 the
          client is overdue relative to their own rhythm. For a client with a
          single purchase the rhythm is the population's, alpha / r.

    Examples
    --------
    >>> m = BetaGeoModel(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=-9582.4, n=2357)
    >>> summary = pd.DataFrame({"frequency": [2, 0], "recency": [30.43, 0.0], "T": [38.86, 38.86]})
    >>> scores = clv_scores(summary, bgnbd=m, unit_days=7.0, horizon_days=273.0, as_of=date(1997, 9, 30))
    >>> scores[["p_alive", "expected_purchases", "overdue_ratio"]].round(3)
       p_alive  expected_purchases  overdue_ratio
    0    0.727               1.226          0.543
    1    1.000               0.195          2.139
    >>> scores["next_purchase_expected"].dt.date.tolist()
    [datetime.date(1997, 11, 19), datetime.date(1997, 5, 8)]
    """
    if not isinstance(bgnbd, BetaGeoModel | ParetoNBDModel):
        raise ConfigError(
            f"bgnbd is a {type(bgnbd).__name__}, not a fitted purchase model",
            expected="a BetaGeoModel (fit_bgnbd) or ParetoNBDModel (fit_pareto_nbd)",
        )
    if gamma_gamma is not None and not isinstance(gamma_gamma, GammaGammaModel):
        raise ConfigError(
            f"gamma_gamma is a {type(gamma_gamma).__name__}, not a GammaGammaModel",
            expected="the result of fit_gamma_gamma, or None",
        )
    for name, value in (("horizon_days", horizon_days), ("unit_days", unit_days)):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not (math.isfinite(value) and value > 0)
        ):
            raise ConfigError(f"{name}={value!r} is not valid", expected="a positive number of days")
    needed = [FREQUENCY, RECENCY, AGE] + ([MONETARY_VALUE] if gamma_gamma is not None else [])
    if as_of is None:
        needed.append(LAST_PURCHASE)
    missing = [c for c in needed if c not in summary.columns]
    if missing:
        raise InputError(
            f"the summary has no column {', '.join(f'`{c}`' for c in missing)}",
            column=missing[0],
            expected=f"columns {', '.join(f'`{c}`' for c in needed)}",
            hint="build it with rfm_summary(...)"
            + ("; or pass as_of= to date the last purchases" if LAST_PURCHASE in missing else ""),
        )
    x, t_x, age = _checked(summary[FREQUENCY], summary[RECENCY], summary[AGE], allow_empty=True)

    out = summary.copy()
    out[P_ALIVE] = bgnbd.p_alive(x, t_x, age)
    out[EXPECTED_PURCHASES] = bgnbd.expected_purchases(horizon_days / unit_days, x, t_x, age)
    if gamma_gamma is not None:
        spend = gamma_gamma.expected_spend(x, summary[MONETARY_VALUE].to_numpy(dtype="float64"))
        year = bgnbd.expected_purchases(DAYS_PER_YEAR / unit_days, x, t_x, age)
        out[EXPECTED_SPEND] = spend
        out[EXPECTED_VALUE_NEXT_YEAR] = year * spend
    interval = np.asarray(bgnbd.purchase_interval(x, t_x), dtype="float64")
    if as_of is None:
        last = pd.to_datetime(summary[LAST_PURCHASE]).to_numpy(dtype="datetime64[D]")
    else:
        days_since = np.rint((age - t_x) * unit_days).astype("int64")
        last = np.datetime64(_as_day(as_of, "as_of").date(), "D") - days_since.astype("timedelta64[D]")
    gap_days = interval * unit_days
    # A rhythm of centuries (a one-off buyer under a tiny r) has no meaningful date.
    datable = gap_days < _MAX_GAP_DAYS
    gap = np.rint(np.where(datable, gap_days, 0.0)).astype("int64").astype("timedelta64[D]")
    due = np.where(datable, last + gap, np.datetime64("NaT"))
    out[NEXT_PURCHASE_EXPECTED] = pd.to_datetime(due.astype("datetime64[us]"))
    out[OVERDUE_RATIO] = (age - t_x) / interval
    return out


# --- a campaign's purchase rhythm: what the overview report shows ---------------------

RHYTHM_DAYS: Final = "rhythm_days"  # the client's expected gap between purchases, in days
MODEL_YEARLY_VALUE: Final = "model_yearly_value"  # a year of the client's business at their own rhythm
DAYS_SINCE_PURCHASE: Final = "days_since_purchase"
CALIBRATION_COLUMNS: Final = ("frequency", "clients", "actual", "predicted")


@dataclass(frozen=True, eq=False)
class PurchaseRhythm:
    """BG/NBD (and Gamma-Gamma) fitted to a campaign's purchases, with per-client scores.

    Attributes
    ----------
    bgnbd : BetaGeoModel
    gamma_gamma : GammaGammaModel or None
        None when fewer than 10 clients bought more than once.
    scores : pandas.DataFrame
        One row per client with a purchase: the :func:`rfm_summary` columns,
        the :func:`clv_scores` columns, ``rhythm_days`` and ``days_since_purchase``.
    """

    bgnbd: BetaGeoModel
    gamma_gamma: GammaGammaModel | None
    scores: pd.DataFrame


def purchase_rhythm(
    transactions: pd.DataFrame, *, as_of: date | datetime, horizon_days: float = 365.0
) -> PurchaseRhythm:
    """Fit the models to a campaign's purchase history (in days) and score every buyer.

    Parameters
    ----------
    transactions : pandas.DataFrame
        ``client_id``, ``date``, ``amount`` (refunds negative). Not modified.
    as_of : datetime.date
    horizon_days : float
        Horizon of ``expected_purchases``.

    Returns
    -------
    PurchaseRhythm

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> days = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700, 400), unit="D")
    >>> tx = pd.DataFrame({"client_id": rng.integers(0, 60, 400).astype(str), "date": days, "amount": 50.0})
    >>> rhythm = purchase_rhythm(tx, as_of=date(2025, 1, 1))
    >>> bool(rhythm.scores["p_alive"].between(0, 1).all()), len(rhythm.scores)
    (True, 60)
    """
    return _rhythm(rfm_summary(transactions, as_of=as_of), as_of=as_of, horizon_days=horizon_days)


def base_purchase_rhythm(transactions: Any, *, as_of: date, horizon_days: float = 365.0) -> PurchaseRhythm:
    """:func:`purchase_rhythm` of a loaded purchase history on any engine.

    What the pipeline's ``[value] model = "bgnbd"`` runs on. The per-client
    summary (:func:`rfm_summary`'s columns) is computed by the history's own
    engine (pandas, Polars, DuckDB, Spark, PyArrow) and collected into pandas:
    one row per client who bought, however long the history. The models are
    then fitted, and every client scored, in pandas and SciPy.

    Amounts are summed in whole cents (each rounded half up), as the client
    base and :func:`rfm_summary` sum them: every engine then hands the fit the
    same numbers to the last bit, so it gives the same values and ranks as
    :func:`purchase_rhythm` on pandas.

    Parameters
    ----------
    transactions : pandas, Polars or PyArrow frame, DuckDB relation or PySpark DataFrame
        A validated history as :mod:`reconnect_lib.load` gives it: ``client_id``,
        ``date`` (a date on every row) and ``amount`` (refunds negative). Not modified.
    as_of : datetime.date
    horizon_days : float
        Horizon of ``expected_purchases``.

    Returns
    -------
    PurchaseRhythm
        Its ``scores`` is a pandas frame, one row per buyer, sorted by client id.

    """
    return _rhythm(base_summary(transactions, as_of=as_of), as_of=as_of, horizon_days=horizon_days)


_DAY = "__day"
_CENTS = "__cents"
_FIRST_CENTS = "__first_cents"
_N_DAYS = "__n_days"


def base_summary(transactions: Any, *, as_of: date) -> pd.DataFrame:
    """:func:`rfm_summary`'s columns (in days), computed by the history's engine, as pandas.

    As :func:`rfm_summary` counts them: a purchase is a transaction with a
    positive amount up to `as_of`, and a client's purchases on one day are one
    purchase day. Money is summed in whole cents (see :func:`base_purchase_rhythm`).

    Returns
    -------
    pandas.DataFrame
        One row per client who bought, sorted by client id, with the columns
        and dtypes of :func:`rfm_summary` (``recency`` and ``T`` in days).

    Examples
    --------
    >>> tx = pd.DataFrame({"client_id": ["a", "a", "b"], "amount": [10.0, 5.5, 3.0],
    ...                    "date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-15"])})
    >>> base_summary(tx, as_of=date(2024, 3, 1))[["client_id", "frequency", "recency", "T", "monetary_value"]]
      client_id  frequency  recency     T  monetary_value
    0         a          1     31.0  60.0             5.5
    1         b          0      0.0  46.0             NaN
    """
    import narwhals as nw

    from . import _frames as fr
    from .engines import to_pandas

    frame = fr.as_frame(transactions, "transactions")
    fr.require_columns(
        frame, [CLIENT_ID, DATE, AMOUNT], "transactions", "pass the transactions read by reconnect_lib.load"
    )
    dtype = fr.date_dtype(frame)
    day = fr.to_date(DATE, dtype)
    bought = frame.select(
        nw.col(CLIENT_ID),
        day.alias(_DAY),
        fr.cents(nw.col(AMOUNT).cast(nw.Float64)).alias(_CENTS),
        nw.col(AMOUNT).cast(nw.Float64).alias(AMOUNT),
    ).filter((nw.col(AMOUNT) > 0) & (nw.col(_DAY) <= fr.date_lit(as_of, dtype)))
    # Plain aggregations, cast afterwards (pandas runs nothing else as one group-by;
    # DuckDB sums Int64 into Int128).
    per_day = bought.group_by(CLIENT_ID, _DAY).agg(nw.col(_CENTS).sum())
    first_day = nw.col(_DAY).min().over(CLIENT_ID)
    per_day = per_day.with_columns(
        nw.col(_CENTS).cast(nw.Int64),
        nw.when(nw.col(_DAY) == first_day).then(nw.col(_CENTS).cast(nw.Int64)).alias(_FIRST_CENTS),
    )
    per_client = per_day.group_by(CLIENT_ID).agg(
        nw.col(_DAY).min().alias(FIRST_PURCHASE),
        nw.col(_DAY).max().alias(LAST_PURCHASE),
        nw.col(_DAY).count().alias(_N_DAYS),
        nw.col(_CENTS).sum(),
        nw.col(_FIRST_CENTS).sum(),
    )
    per_client = per_client.with_columns(nw.col(_N_DAYS, _CENTS, _FIRST_CENTS).cast(nw.Int64))
    got = to_pandas(per_client.to_native())
    if got.empty:
        raise InputError(
            f"no purchases up to {as_of}",
            column=AMOUNT,
            hint="check as_of and that purchase amounts are positive",
        )
    got = got.sort_values(CLIENT_ID, ignore_index=True)
    first = got[FIRST_PURCHASE].astype("datetime64[us]")
    last = got[LAST_PURCHASE].astype("datetime64[us]")
    frequency = (got[_N_DAYS].astype("int64") - 1).to_numpy()
    repeat_cents = (got[_CENTS].astype("int64") - got[_FIRST_CENTS].astype("int64")).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):  # 0/0 for clients without a repeat: masked
        monetary = np.where(frequency > 0, repeat_cents / 100 / frequency, np.nan)
    unit = pd.Timedelta(days=1)
    return pd.DataFrame(
        {
            CLIENT_ID: got[CLIENT_ID].to_numpy(),
            FREQUENCY: frequency,
            RECENCY: ((last - first) / unit).to_numpy(dtype="float64"),
            AGE: ((_as_day(as_of, "as_of") - first) / unit).to_numpy(dtype="float64"),
            MONETARY_VALUE: monetary.astype("float64"),
            FIRST_PURCHASE: first.to_numpy(),
            LAST_PURCHASE: last.to_numpy(),
        }
    ).astype({CLIENT_ID: got[CLIENT_ID].dtype})


def _rhythm(summary: pd.DataFrame, *, as_of: date | datetime, horizon_days: float) -> PurchaseRhythm:
    """Fit BG/NBD (and Gamma-Gamma, given 10 repeat buyers) to `summary` and score every client in it."""
    bg = fit_bgnbd(summary[FREQUENCY], summary[RECENCY], summary[AGE])
    repeat = summary[FREQUENCY] > 0
    gg = (
        fit_gamma_gamma(summary.loc[repeat, FREQUENCY], summary.loc[repeat, MONETARY_VALUE])
        if repeat.sum() >= 10
        else None
    )
    scores = clv_scores(summary, bgnbd=bg, gamma_gamma=gg, horizon_days=horizon_days, as_of=as_of)
    interval = np.asarray(bg.purchase_interval(summary[FREQUENCY], summary[RECENCY]), dtype="float64")
    scores[RHYTHM_DAYS] = interval
    scores[DAYS_SINCE_PURCHASE] = (summary[AGE] - summary[RECENCY]).to_numpy()
    return PurchaseRhythm(bgnbd=bg, gamma_gamma=gg, scores=scores)


def overdue_clients(rhythm: PurchaseRhythm, scored: pd.DataFrame, *, min_ratio: float = 1.0) -> pd.DataFrame:
    """Clients silent for longer than their own rhythm, most valuable first.

    Parameters
    ----------
    rhythm : PurchaseRhythm
    scored : pandas.DataFrame
        The scored client base (``client_id``, ``value_score`` and the client's
        fields) to join names, bucket and value from.
    min_ratio : float
        Overdue means ``overdue_ratio`` above this (1: past the client's usual gap).

    Returns
    -------
    pandas.DataFrame
        The scored columns plus ``rhythm_days``, ``days_since_purchase``,
        ``overdue_ratio`` and ``p_alive``, for clients with at least one repeat
        purchase (one-off buyers have no rhythm of their own), sorted by
        ``value_score`` descending then ``client_id``.
    """
    own = rhythm.scores[rhythm.scores[FREQUENCY] > 0]
    own = own.loc[
        own[OVERDUE_RATIO] > min_ratio, [CLIENT_ID, RHYTHM_DAYS, DAYS_SINCE_PURCHASE, OVERDUE_RATIO, P_ALIVE]
    ]
    joined = scored.merge(own, on=CLIENT_ID, how="inner", suffixes=("", "_rhythm"))
    joined = joined.drop(columns=[c for c in joined.columns if c.endswith("_rhythm")])
    return joined.sort_values(["value_score", CLIENT_ID], ascending=[False, True], ignore_index=True)


def calibration_table(
    transactions: pd.DataFrame,
    *,
    calibration_end: date | datetime,
    as_of: date | datetime,
    max_frequency: int = 7,
) -> pd.DataFrame:
    """Predicted vs actual purchases in a holdout period, by purchases in the calibration period.

    The model is fitted on purchases up to ``calibration_end`` and predicts each
    client's purchases from then to ``as_of``; clients are grouped by their
    repeat purchases in the calibration period (``max_frequency`` and more in
    one group), as in Fader, Hardie & Lee (2005), figure 2.

    Returns
    -------
    pandas.DataFrame
        ``frequency``, ``clients``, ``actual`` and ``predicted`` (mean purchases
        per client in the holdout period).
    """
    summary = rfm_summary(transactions, as_of=as_of, calibration_end=calibration_end)
    bg = fit_bgnbd(summary[FREQUENCY], summary[RECENCY], summary[AGE])
    predicted = bg.expected_purchases(
        summary[DURATION_HOLDOUT].to_numpy(), summary[FREQUENCY], summary[RECENCY], summary[AGE]
    )
    frame = pd.DataFrame(
        {
            "frequency": np.minimum(summary[FREQUENCY].to_numpy(), max_frequency),
            "actual": summary[FREQUENCY_HOLDOUT].to_numpy(dtype="float64"),
            "predicted": np.asarray(predicted, dtype="float64"),
        }
    )
    table = frame.groupby("frequency", as_index=False).agg(
        clients=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean")
    )
    return table[list(CALIBRATION_COLUMNS)]


def with_model_value(base: Any, rhythm: PurchaseRhythm, *, spark: Any = None, connection: Any = None) -> Any:
    """The client base with ``model_yearly_value``: a year of each client's business, by the models.

    For a client with a purchase: the Gamma-Gamma expected spend per purchase
    times the purchases a year at the client's own rhythm (365 / ``rhythm_days``),
    i.e. what the client was worth a year while active, whether or not they still
    are (the chance of winning them back is a separate factor). Where the models
    give no usable value (no purchase, no spend model, or a non-positive spend
    for a one-off buyer when the fitted q <= 1), it falls back to
    ``yearly_revenue``. A copy; `base` is not modified.

    Parameters
    ----------
    base : pandas frame, or any engine's frame (Polars, DuckDB relation, Spark, PyArrow)
        A client base with ``client_id`` and ``yearly_revenue``.
    rhythm : PurchaseRhythm
        Its per-client values (pandas, one row per buyer) are handed to `base`'s
        engine and joined on ``client_id``.
    spark, connection
        The Spark session or DuckDB connection `base` lives on (default: the
        active session, DuckDB's default connection).

    Returns
    -------
    The type of `base`, ``model_yearly_value`` (float64) added as its last column.
    On pandas the rows keep their order and index; another engine's rows come
    in no particular order.
    """
    modelled = _model_yearly_values(rhythm)
    if isinstance(base, pd.DataFrame):
        out = base.copy()
        by_client = out[CLIENT_ID].map(modelled).astype("float64")
        out[MODEL_YEARLY_VALUE] = by_client.fillna(out["yearly_revenue"].astype("float64"))
        return out
    import narwhals as nw

    from . import _frames as fr
    from .engines import engine_of, from_pandas

    frame = fr.as_frame(base, "base")
    values = modelled.dropna().rename(_MODELLED).rename_axis(CLIENT_ID).reset_index()
    values[CLIENT_ID] = values[CLIENT_ID].astype("string")
    engine = engine_of(base)
    if engine == "pandas":  # a PyArrow table (pandas-like frames are handled above)
        import pyarrow as pa

        # Natively: PyArrow's string and large_string are one narwhals dtype but do not join.
        table = pa.Table.from_pandas(values, preserve_index=False)
        right = nw.from_native(
            table.cast(pa.schema([base.schema.field(CLIENT_ID), table.schema.field(_MODELLED)]))
        )
    else:
        native = from_pandas(
            values,
            engine=engine,
            spark=spark,
            connection=connection,
            lazy=not isinstance(frame, nw.DataFrame),
        )
        right = nw.from_native(native).with_columns(nw.col(CLIENT_ID).cast(frame.collect_schema()[CLIENT_ID]))
    joined = frame.join(right, on=CLIENT_ID, how="left")
    value = nw.coalesce(nw.col(_MODELLED), nw.col("yearly_revenue").cast(nw.Float64))
    return joined.with_columns(value.cast(nw.Float64).alias(MODEL_YEARLY_VALUE)).drop(_MODELLED).to_native()


_MODELLED = "__modelled"


def _model_yearly_values(rhythm: PurchaseRhythm) -> pd.Series:
    """Per client id: the models' yearly value, NaN where they give nothing usable."""
    scores = rhythm.scores.set_index(CLIENT_ID)
    if EXPECTED_SPEND in scores.columns:
        spend = scores[EXPECTED_SPEND].astype("float64")
    else:
        spend = pd.Series(np.nan, index=scores.index)
    per_year = 365.0 / scores[RHYTHM_DAYS].astype("float64")
    return (spend * per_year).where(np.isfinite(spend) & (spend > 0) & np.isfinite(per_year))


def p_alive_table(rhythm: PurchaseRhythm, scored: pd.DataFrame) -> pd.DataFrame:
    """Probability still active, per dormancy bucket: what the model says of each silence.

    Parameters
    ----------
    rhythm : PurchaseRhythm
    scored : pandas.DataFrame
        The scored client base (``client_id``, ``dormancy_bucket``, ``bucket_order``).

    Returns
    -------
    pandas.DataFrame
        One row per bucket holding a buyer, in bucket order: ``dormancy_bucket``,
        ``clients`` (buyers in the bucket), ``mean_p_alive``, ``likely_active``
        (clients with P(active) of at least 0.5) and ``overdue`` (repeat buyers
        past their own usual gap).
    """
    scores = rhythm.scores[[CLIENT_ID, P_ALIVE, OVERDUE_RATIO, FREQUENCY]]
    joined = scored[[CLIENT_ID, "dormancy_bucket", "bucket_order"]].merge(scores, on=CLIENT_ID, how="inner")
    joined = joined.assign(
        likely_active=joined[P_ALIVE] >= 0.5,
        overdue=(joined[FREQUENCY] > 0) & (joined[OVERDUE_RATIO] > 1),
    )
    table = joined.groupby(["bucket_order", "dormancy_bucket"], as_index=False).agg(
        clients=(CLIENT_ID, "size"),
        mean_p_alive=(P_ALIVE, "mean"),
        likely_active=("likely_active", "sum"),
        overdue=("overdue", "sum"),
    )
    return table.sort_values("bucket_order", ignore_index=True).drop(columns="bucket_order")

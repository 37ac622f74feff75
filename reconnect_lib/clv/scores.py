"""The per-client columns of fitted models: p_alive, expected purchases and value, next purchase due."""

from __future__ import annotations

import math
from datetime import date, datetime

import numpy as np
import pandas as pd

from ..errors import ConfigError, InputError
from ..schema import LAST_PURCHASE
from ._fitting import _checked
from .bgnbd import BetaGeoModel
from .columns import (
    AGE,
    EXPECTED_PURCHASES,
    EXPECTED_SPEND,
    EXPECTED_VALUE_NEXT_YEAR,
    FREQUENCY,
    MONETARY_VALUE,
    NEXT_PURCHASE_EXPECTED,
    OVERDUE_RATIO,
    P_ALIVE,
    RECENCY,
)
from .gamma_gamma import GammaGammaModel
from .pareto_nbd import ParetoNBDModel
from .summary import _MAX_GAP_DAYS, DAYS_PER_YEAR, _as_day

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

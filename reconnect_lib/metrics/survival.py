"""Time to win-back: a Kaplan-Meier curve, so clients contacted recently are followed, not counted as lost."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import _frames as fr
from .. import schema as s
from .status import CONFIDENCE, _check_confidence

# --- time to win-back ---------------------------------------------------------------


def time_to_win_back(
    outcomes: pd.DataFrame, *, days: Sequence[int] = (30, 60, 90), confidence: float = CONFIDENCE
) -> pd.DataFrame:
    """Kaplan–Meier share of contacted clients won back within each number of days, with intervals.

    Each client is followed from the first contact until won back (an event)
    or until `as_of` (censored): a client contacted a week ago and not won back
    counts for one week of follow-up, not as lost. The curve is statsmodels'
    ``SurvfuncRight``; the pointwise interval is the log(-log) transform of
    Greenwood's standard error (the default of lifelines and of statsmodels'
    own quantile intervals), so it stays within [0, 1].

    Parameters
    ----------
    outcomes : pandas.DataFrame
        The output of :func:`contact_outcomes` (``days_followed``, ``is_won_back``).
    days : sequence of int
        Horizons, in days after the first contact.
    confidence : float

    Returns
    -------
    pandas.DataFrame
        ``days`` (int64), ``share_won_back``, ``share_low``, ``share_high``
        (float64; NaN when nobody has been followed that long yet),
        ``at_risk`` (int64: clients followed at least that long and not won
        back before).

    Examples
    --------
    >>> import pandas as pd
    >>> outcomes = pd.DataFrame({"days_followed": [10, 20, 30, 40, 50],
    ...                          "is_won_back": [True, False, True, False, False]})
    >>> time_to_win_back(outcomes, days=[15, 35]).round(3)
       days  share_won_back  share_low  share_high  at_risk
    0    15           0.200      0.031       0.796        4
    1    35           0.467      0.137       0.932        2
    """
    from scipy.stats import norm
    from statsmodels.duration.survfunc import SurvfuncRight

    conf = _check_confidence(confidence)
    fr.require_columns(
        fr.as_frame(outcomes, "outcomes"),
        [s.DAYS_FOLLOWED, s.WON_BACK_FLAG],
        "outcomes",
        "pass the output of contact_outcomes",
    )
    horizons = [fr.check_whole("days", d, minimum=0) for d in days]
    time = outcomes[s.DAYS_FOLLOWED].to_numpy(dtype="float64")
    won = outcomes[s.WON_BACK_FLAG].to_numpy(dtype=bool)
    rows = []
    fit = SurvfuncRight(time, won.astype("float64")) if won.any() else None
    z = float(norm.ppf(0.5 + conf / 2))
    for horizon in horizons:
        at_risk = int((time >= horizon).sum())
        if at_risk == 0 and not (won & (time <= horizon)).any():
            rows.append((horizon, math.nan, math.nan, math.nan, at_risk))
            continue
        surv, se = 1.0, 0.0
        if fit is not None:
            upto = np.flatnonzero(fit.surv_times <= horizon)
            if upto.size:
                surv, se = float(fit.surv_prob[upto[-1]]), float(fit.surv_prob_se[upto[-1]])
        if surv >= 1.0:
            low_s, high_s = 1.0, 1.0
        elif surv <= 0.0:
            low_s, high_s = 0.0, 0.0
        else:
            # log(-log S) is near normal; its standard error from Greenwood's by the delta method.
            sigma = se / (surv * abs(math.log(surv)))
            centre = math.log(-math.log(surv))
            low_s = math.exp(-math.exp(centre + z * sigma))
            high_s = math.exp(-math.exp(centre - z * sigma))
        rows.append((horizon, 1 - surv, 1 - high_s, 1 - low_s, at_risk))
    table = pd.DataFrame(rows, columns=[s.DAYS, s.SHARE_WON_BACK, s.SHARE_LOW, s.SHARE_HIGH, s.AT_RISK])
    return table.astype(
        {
            s.DAYS: "int64",
            s.SHARE_WON_BACK: "float64",
            s.SHARE_LOW: "float64",
            s.SHARE_HIGH: "float64",
            s.AT_RISK: "int64",
        }
    )

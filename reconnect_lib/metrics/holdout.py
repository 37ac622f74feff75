"""The lift over a hold-out group: what the campaign caused, not just its rate."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from .. import _frames as fr
from .. import schema as s
from ..errors import InputError
from .conversion import _plan_clients
from .rates import _pct, wilson_interval
from .status import ATTRIBUTION_DAYS, CONFIDENCE, _check_confidence, _check_days, _dates, _purchases

# --- lift over a hold-out ------------------------------------------------------------


def lift(
    contacted_won: int,
    contacted_n: int,
    holdout_won: int,
    holdout_n: int,
    *,
    confidence: float = CONFIDENCE,
) -> pd.DataFrame:
    """The campaign's lift: contacted rate minus hold-out rate, with Newcombe's interval.

    The interval of the difference of two independent proportions is
    statsmodels' ``confint_proportions_2indep(method="newcomb")`` (Newcombe's
    hybrid score interval, built from the two Wilson intervals).

    Returns
    -------
    pandas.DataFrame
        One row: ``contacted``, ``won_back``, ``win_back_rate``, ``rate_low``,
        ``rate_high`` (the contacted group), ``holdout_clients``,
        ``holdout_won_back``, ``holdout_rate``, ``lift``, ``lift_low``,
        ``lift_high`` (NaN when either group is empty).

    Examples
    --------
    >>> row = lift(1600, 3000, 120, 300).iloc[0]
    >>> [round(100 * float(row[c]), 1) for c in ("lift", "lift_low", "lift_high")]
    [13.3, 7.4, 19.0]
    """
    from statsmodels.stats.proportion import confint_proportions_2indep

    conf = _check_confidence(confidence)
    for name, k, n in (("contacted", contacted_won, contacted_n), ("holdout", holdout_won, holdout_n)):
        if isinstance(k, bool) or isinstance(n, bool) or not 0 <= int(k) <= int(n):
            raise InputError(
                f"{name}: {k!r} won back of {n!r} is not a count",
                expected="whole numbers with 0 <= won back <= clients",
            )
    rate_c = contacted_won / contacted_n if contacted_n else math.nan
    rate_h = holdout_won / holdout_n if holdout_n else math.nan
    low_c, high_c = wilson_interval(contacted_won, contacted_n, confidence=conf)
    if contacted_n and holdout_n:
        low, high = confint_proportions_2indep(
            contacted_won,
            contacted_n,
            holdout_won,
            holdout_n,
            method="newcomb",
            compare="diff",
            alpha=1 - conf,
        )
        diff = rate_c - rate_h
        # Keep rounding from putting a bound past the difference or outside [-1, 1].
        low, high = max(-1.0, min(float(low), diff)), min(1.0, max(float(high), diff))
    else:
        diff = low = high = math.nan
    return pd.DataFrame(
        {
            s.CONTACTED: [int(contacted_n)],
            s.WON_BACK: [int(contacted_won)],
            s.RATE: [rate_c],
            s.RATE_LOW: [low_c],
            s.RATE_HIGH: [high_c],
            s.HOLDOUT_CLIENTS: [int(holdout_n)],
            s.HOLDOUT_WON_BACK: [int(holdout_won)],
            s.HOLDOUT_RATE: [rate_h],
            s.LIFT: [diff],
            s.LIFT_LOW: [low],
            s.LIFT_HIGH: [high],
        }
    ).astype({s.RATE: "float64", s.HOLDOUT_RATE: "float64", s.LIFT: "float64"})


def _points(x: float) -> str:
    return f"{100 * x:+.1f}"


def lift_statement(table: pd.DataFrame, *, confidence: float = CONFIDENCE) -> str:
    """The lift of :func:`lift` (or :func:`campaign_lift`) in words.

    Examples
    --------
    >>> import textwrap
    >>> print(textwrap.fill(lift_statement(lift(1600, 3000, 120, 300)), 90))
    Contacted 53.3 % (1,600 of 3,000) vs hold-out 40.0 % (120 of 300): a lift of +13.3 points
    (95 % interval +7.4 to +19.0). The campaign's effect is established: the whole interval is
    above zero.
    """
    row = table.iloc[0]
    n_c, k_c = int(row[s.CONTACTED]), int(row[s.WON_BACK])
    n_h, k_h = int(row[s.HOLDOUT_CLIENTS]), int(row[s.HOLDOUT_WON_BACK])
    if not (n_c and n_h):
        return "No lift yet: it needs both contacted and hold-out clients whose window has passed."
    conf = _pct(_check_confidence(confidence), 0)
    text = (
        f"Contacted {_pct(row[s.RATE])} ({k_c:,} of {n_c:,}) vs hold-out "
        f"{_pct(row[s.HOLDOUT_RATE])} ({k_h:,} of {n_h:,}): "
        f"a lift of {_points(row[s.LIFT])} points ({conf} interval {_points(row[s.LIFT_LOW])} to "
        f"{_points(row[s.LIFT_HIGH])}). "
    )
    if row[s.LIFT_LOW] > 0:
        return text + "The campaign's effect is established: the whole interval is above zero."
    if row[s.LIFT_HIGH] < 0:
        return text + "The contacted clients did worse than the hold-out: the whole interval is below zero."
    return text + "The effect is not established: the interval includes zero."


def _purchase_wins(refs: pd.DataFrame, purchases: pd.DataFrame, attribution_days: int) -> pd.Series:
    """Per reference row: a positive purchase on its day or within the window after it."""
    if refs.empty:
        return pd.Series(dtype=bool)
    merged = refs[[s.CLIENT_ID, s.DATE]].merge(
        purchases[[s.CLIENT_ID, s.DATE]].rename(columns={s.DATE: "_bought"}), on=s.CLIENT_ID, how="left"
    )
    gap = merged["_bought"] - merged[s.DATE]
    merged["_hit"] = (gap >= pd.Timedelta(0)) & (gap <= pd.Timedelta(days=attribution_days))
    hit = merged.groupby(s.CLIENT_ID, sort=False)["_hit"].any()
    return refs[s.CLIENT_ID].map(hit).fillna(False).astype(bool)


@dataclass(frozen=True)
class _LiftGroups:
    contacted: pd.DataFrame  # client_id, date (first contact), complete window
    holdout: pd.DataFrame  # client_id, date (reference day), complete window
    contacted_recent: int
    holdout_recent: int
    holdout_undated: int
    holdout_contacted: int


def _lift_groups(
    outcomes: pd.DataFrame, holdout: pd.DataFrame, as_of: date, window: int, holdout_from: date | None
) -> _LiftGroups:
    cutoff = pd.Timestamp(as_of) - pd.Timedelta(days=window)
    contacted = pd.DataFrame(
        {
            s.CLIENT_ID: outcomes[s.CLIENT_ID].astype("string"),
            s.DATE: _dates(outcomes[s.FIRST_CONTACT], "outcomes"),
        }
    )
    if holdout_from is None and len(contacted):
        holdout_from = contacted[s.DATE].min()
    if holdout_from is not None:
        holdout = holdout.assign(**{s.DATE: holdout[s.DATE].fillna(pd.Timestamp(holdout_from))})
    undated = int(holdout[s.DATE].isna().sum())
    held = holdout[holdout[s.DATE].notna()]
    return _LiftGroups(
        contacted=contacted[contacted[s.DATE] <= cutoff],
        holdout=held[held[s.DATE] <= cutoff],
        contacted_recent=int((contacted[s.DATE] > cutoff).sum()),
        holdout_recent=int((held[s.DATE] > cutoff).sum()),
        holdout_undated=undated,
        holdout_contacted=int(holdout[s.CLIENT_ID].isin(set(contacted[s.CLIENT_ID])).sum()),
    )


def campaign_lift(
    outcomes: pd.DataFrame,
    holdout: pd.DataFrame,
    transactions: pd.DataFrame,
    *,
    as_of: date,
    attribution_days: int = ATTRIBUTION_DAYS,
    confidence: float = CONFIDENCE,
    holdout_from: date | None = None,
) -> pd.DataFrame:
    """The lift of a campaign over its hold-out group, both measured by the same purchase rule.

    Nobody logs a hold-out client's renewal, so both groups are measured from
    the transactions alone: won back when a purchase falls on the reference
    day or within `attribution_days` after it (the first contact; for the
    hold-out, the day it would have been contacted). Only clients whose
    window has fully passed by `as_of` are counted, so neither group is
    judged early. A hold-out client contacted anyway stays in the hold-out
    (intention to treat).

    Parameters
    ----------
    outcomes : pandas.DataFrame
        The output of :func:`contact_outcomes`.
    holdout : pandas.DataFrame
        The hold-out clients: ``client_id`` and, when known, the day each
        would have been contacted in one of ``contact_on``, ``planned_on``,
        ``week_start`` or ``date``. With a ``holdout`` column (a whole plan)
        only its true rows.
    transactions : pandas.DataFrame
        ``client_id``, ``date``, ``amount``.
    holdout_from : date, optional
        The reference day of hold-out clients without one; by default the
        campaign's first contact (the hold-out is set aside when contacting
        starts).

    Returns
    -------
    pandas.DataFrame
        As :func:`lift`.

    Examples
    --------
    >>> from datetime import date
    >>> import pandas as pd
    >>> from reconnect_lib.metrics import contact_outcomes
    >>> events = pd.DataFrame({"client_id": ["a", "b"], "date": pd.to_datetime(["2026-03-02"] * 2),
    ...                        "kind": ["contacted"] * 2})
    >>> held = pd.DataFrame({"client_id": ["h1", "h2"], "planned_on": pd.to_datetime(["2026-03-02"] * 2)})
    >>> bought = pd.DataFrame({"client_id": ["a", "b", "h1"], "amount": [100.0] * 3,
    ...                        "date": pd.to_datetime(["2026-03-20", "2026-04-02", "2026-05-01"])})
    >>> as_of = date(2026, 8, 1)
    >>> row = campaign_lift(contact_outcomes(events, as_of=as_of), held, bought, as_of=as_of).iloc[0]
    >>> int(row["won_back"]), int(row["holdout_won_back"]), float(row["lift"])
    (2, 1, 0.5)
    """
    day = fr.check_as_of(as_of)
    window = _check_days(attribution_days)
    held = _plan_clients(holdout, what="holdout")[1]
    groups = _lift_groups(outcomes, held, day, window, holdout_from)
    purchases = _purchases(transactions, day)
    won_c = _purchase_wins(groups.contacted, purchases, window)
    won_h = _purchase_wins(groups.holdout, purchases, window)
    return lift(int(won_c.sum()), len(won_c), int(won_h.sum()), len(won_h), confidence=confidence)


def lift_rates(lift: pd.DataFrame, *, confidence: float = CONFIDENCE) -> pd.DataFrame:
    """The two rates a lift compares, each with its Wilson interval: the contacted and the hold-out group.

    Parameters
    ----------
    lift : pandas.DataFrame
        The output of :func:`lift` or :func:`campaign_lift` (its first row).
    confidence : float
        Of the intervals (that of the lift table, 95 % by default).

    Returns
    -------
    pandas.DataFrame
        Two rows, ``"contacted"`` then ``"hold-out"``: ``group`` (str),
        ``clients``, ``won_back`` (int64), ``win_back_rate``, ``rate_low``,
        ``rate_high`` (float64, NaN for a group of nobody).

    Examples
    --------
    >>> lift_rates(lift(1600, 3000, 120, 300)).round(3)
           group  clients  won_back  win_back_rate  rate_low  rate_high
    0  contacted     3000      1600          0.533     0.515      0.551
    1   hold-out      300       120          0.400     0.346      0.456
    """
    conf = _check_confidence(confidence)
    fr.require_columns(
        fr.as_frame(lift, "lift"),
        [s.CONTACTED, s.WON_BACK, s.HOLDOUT_CLIENTS, s.HOLDOUT_WON_BACK],
        "lift",
        "pass the output of campaign_lift or lift",
    )
    row = lift.iloc[0]
    counts = [
        (int(row[s.CONTACTED]), int(row[s.WON_BACK])),
        (int(row[s.HOLDOUT_CLIENTS]), int(row[s.HOLDOUT_WON_BACK])),
    ]
    bounds = [wilson_interval(k, n, confidence=conf) for n, k in counts]
    return pd.DataFrame(
        {
            s.GROUP: pd.Series(["contacted", "hold-out"], dtype="str"),
            s.CLIENTS: np.asarray([n for n, _ in counts], dtype=np.int64),
            s.WON_BACK: np.asarray([k for _, k in counts], dtype=np.int64),
            s.RATE: np.asarray([k / n if n else math.nan for n, k in counts], dtype="float64"),
            s.RATE_LOW: np.asarray([b[0] for b in bounds], dtype="float64"),
            s.RATE_HIGH: np.asarray([b[1] for b in bounds], dtype="float64"),
        }
    )

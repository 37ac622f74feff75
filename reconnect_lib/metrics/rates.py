"""Win-back rates with their Wilson intervals, in tables and in words; the reasons for a loss; and the
contacted and won-back counts that value scoring reads.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Literal, get_args

import numpy as np
import pandas as pd

from .. import _frames as fr
from .. import schema as s
from ..errors import InputError
from .status import (
    ATTRIBUTION_DAYS,
    CONFIDENCE,
    _check_confidence,
    _check_days,
    _current_events,
    contact_outcomes,
)

GroupBy = Literal["dormancy_bucket", "channel", "week", "account_owner", "campaign"]
GROUP_BY_CHOICES: tuple[str, ...] = get_args(GroupBy)


# --- rates ---------------------------------------------------------------------------


def wilson_interval(won: int, contacted: int, *, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The Wilson score interval of a rate ``won / contacted``.

    Returns ``(nan, nan)`` when nobody was contacted. The formula is statsmodels'
    ``proportion_confint(method="wilson")`` written out (the suite checks the two agree):
    importing statsmodels takes 0.5-1 s, which every ``reconnect buckets`` of a campaign
    with outcomes would pay for a handful of arithmetic.

    Examples
    --------
    >>> [round(x, 4) for x in wilson_interval(1600, 3000)]
    [0.5154, 0.5511]
    """
    from statistics import NormalDist

    conf = _check_confidence(confidence)
    if contacted <= 0:
        return (math.nan, math.nan)
    crit = NormalDist().inv_cdf(1 - (1 - conf) / 2)
    rate = won / contacted
    crit2 = crit * crit
    denom = 1 + crit2 / contacted
    center = (rate + crit2 / (2 * contacted)) / denom
    dist = crit * math.sqrt(rate * (1.0 - rate) / contacted + crit2 / (4.0 * contacted**2)) / denom
    low, high = max(0.0, center - dist), min(1.0, center + dist)
    # At 0 or all won the bound is the rate itself; keep rounding from leaving it outside.
    return (max(0.0, min(float(low), rate)), min(1.0, max(float(high), rate)))


def _pct(x: float, digits: int = 1) -> str:
    return f"{100 * x:.{digits}f} %"


def rate_statement(
    won: int, contacted: int, *, threshold: float = 0.5, confidence: float = CONFIDENCE
) -> str:
    """The win-back rate in words, saying whether "over `threshold`" is established.

    Established means the whole Wilson interval lies above the threshold; a
    point estimate just over it is not enough.

    Examples
    --------
    >>> import textwrap
    >>> print(textwrap.fill(rate_statement(1600, 3000), 90))
    1,600 of 3,000 contacted clients won back: 53.3 % (95 % interval 51.5 % to 55.1 %). Over
    50 % is established: the whole interval is above 50 %.
    >>> print(textwrap.fill(rate_statement(1501, 3000), 90))
    1,501 of 3,000 contacted clients won back: 50.0 % (95 % interval 48.2 % to 51.8 %). Over
    50 % is not established: the interval reaches below 50 %, so the true rate may be under
    it.
    """
    if contacted <= 0:
        return "No contacted clients yet, so no win-back rate."
    low, high = wilson_interval(won, contacted, confidence=confidence)
    conf = _pct(_check_confidence(confidence), 0)
    text = (
        f"{won:,} of {contacted:,} contacted clients won back: {_pct(won / contacted)} "
        f"({conf} interval {_pct(low)} to {_pct(high)}). "
    )
    mark = f"{100 * threshold:g} %"
    if low > threshold:
        return text + f"Over {mark} is established: the whole interval is above {mark}."
    if high < threshold:
        return text + f"The rate is under {mark}: the whole interval is below it."
    return (
        text + f"Over {mark} is not established: the interval reaches below {mark}, "
        "so the true rate may be under it."
    )


def _group_order(table: pd.DataFrame, by: str, outcomes: pd.DataFrame) -> pd.DataFrame:
    if by == s.DORMANCY_BUCKET and s.BUCKET_ORDER in outcomes.columns:
        order = outcomes.groupby(by, dropna=False)[s.BUCKET_ORDER].min()
        return table.assign(_o=table[by].map(order)).sort_values(["_o", by]).drop(columns="_o")
    if by == s.CHANNEL:
        rank = {c: i for i, c in enumerate(s.CHANNELS)}
        return table.assign(_o=table[by].map(rank)).sort_values(["_o", by]).drop(columns="_o")
    return table.sort_values(by)


def win_back_rates(
    outcomes: pd.DataFrame, *, by: GroupBy | None = None, confidence: float = CONFIDENCE
) -> pd.DataFrame:
    """Win-back rate with its Wilson interval, revenue recovered and per contacted client.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        The output of :func:`contact_outcomes`.
    by : {None, "dormancy_bucket", "channel", "week", "account_owner", "campaign"}
        One row overall, or one per group (dormancy buckets in bucket order,
        channels in :data:`~reconnect_lib.schema.CHANNELS` order, weeks in
        time order). A client with no value for the group is counted under
        ``"unknown"``.
    confidence : float
        Of the interval.

    Returns
    -------
    pandas.DataFrame
        [`by`,] ``contacted``, ``won_back`` (int64), ``win_back_rate``,
        ``rate_low``, ``rate_high``, ``revenue_recovered``,
        ``revenue_per_contacted`` (float64).

    Examples
    --------
    >>> import pandas as pd
    >>> outcomes = pd.DataFrame({"channel": ["phone"] * 3000, "is_won_back": [True] * 1600 + [False] * 1400,
    ...                          "revenue_recovered": [100.0] * 1600 + [0.0] * 1400})
    >>> win_back_rates(outcomes).round(4).iloc[0].tolist()
    [3000.0, 1600.0, 0.5333, 0.5154, 0.5511, 160000.0, 53.3333]
    """
    conf = _check_confidence(confidence)
    if by is not None:
        fr.check_choice("by", by, GROUP_BY_CHOICES)
    need = [s.WON_BACK_FLAG, s.REVENUE_RECOVERED] + ([by] if by else [])
    fr.require_columns(
        fr.as_frame(outcomes, "outcomes"),
        need,
        "outcomes",
        "pass the output of contact_outcomes (with `clients=` for dormancy_bucket and account_owner)",
    )
    frame = outcomes.assign(_won=outcomes[s.WON_BACK_FLAG].astype(bool))
    if by:
        frame[by] = frame[by].astype("string").fillna("unknown")
        grouped = frame.groupby(by, sort=False)
        table = grouped.agg(
            **{
                s.CONTACTED: ("_won", "size"),
                s.WON_BACK: ("_won", "sum"),
                s.REVENUE_RECOVERED: (s.REVENUE_RECOVERED, "sum"),
            }
        ).reset_index()
        table = _group_order(table, by, frame).reset_index(drop=True)
    else:
        table = pd.DataFrame(
            {
                s.CONTACTED: [len(frame)],
                s.WON_BACK: [int(frame["_won"].sum())],
                s.REVENUE_RECOVERED: [float(frame[s.REVENUE_RECOVERED].sum())],
            }
        )
    n = table[s.CONTACTED].astype("int64")
    k = table[s.WON_BACK].astype("int64")
    bounds = [wilson_interval(int(a), int(b), confidence=conf) for a, b in zip(k, n, strict=True)]
    table[s.CONTACTED] = n
    table[s.WON_BACK] = k
    table[s.RATE] = (k / n.where(n > 0)).astype("float64")
    table[s.RATE_LOW] = [b[0] for b in bounds]
    table[s.RATE_HIGH] = [b[1] for b in bounds]
    table[s.REVENUE_RECOVERED] = table[s.REVENUE_RECOVERED].astype("float64")
    table[s.REVENUE_PER_CONTACTED] = (table[s.REVENUE_RECOVERED] / n.where(n > 0)).astype("float64")
    columns = [
        *([by] if by else []),
        s.CONTACTED,
        s.WON_BACK,
        s.RATE,
        s.RATE_LOW,
        s.RATE_HIGH,
        s.REVENUE_RECOVERED,
        s.REVENUE_PER_CONTACTED,
    ]
    return table[columns]


def reasons_table(events: pd.DataFrame, *, as_of: date) -> pd.DataFrame:
    """Clients per reason given, every reason of :data:`~reconnect_lib.schema.REASONS` listed.

    A client giving the same reason twice counts once; ``share`` is of the
    clients who gave any reason (a client giving two reasons counts in both).

    Examples
    --------
    >>> from datetime import date
    >>> import pandas as pd
    >>> events = pd.DataFrame({"client_id": ["a", "b", "c"], "date": pd.to_datetime(["2026-03-02"] * 3),
    ...                        "kind": ["moved_on"] * 3, "reason": ["money", "money", "competitor"]})
    >>> reasons_table(events, as_of=date(2026, 3, 31)).head(3)
                reason  clients     share
    0  fixable_problem        0  0.000000
    1       competitor        1  0.333333
    2            money        2  0.666667
    """
    ev = _current_events(events, fr.check_as_of(as_of))
    given = ev.loc[ev[s.REASON].notna(), [s.CLIENT_ID, s.REASON]].drop_duplicates()
    counts = given.groupby(s.REASON)[s.CLIENT_ID].size()
    unknown = sorted(set(counts.index) - set(s.REASONS))
    if unknown:
        raise InputError(
            "unknown reasons in `events`",
            column=s.REASON,
            values=unknown,
            expected=f"one of {', '.join(s.REASONS)}",
        )
    clients = counts.reindex(list(s.REASONS), fill_value=0).astype("int64")
    total = given[s.CLIENT_ID].nunique()
    return pd.DataFrame(
        {
            s.REASON: pd.array(list(s.REASONS), dtype="string"),
            s.CLIENTS: clients.to_numpy(),
            s.SHARE: (clients / total if total else clients * np.nan).astype("float64").to_numpy(),
        }
    )


# --- feeding value scoring ---------------------------------------------------------


def observed_counts(
    events: pd.DataFrame,
    clients: pd.DataFrame,
    *,
    as_of: date,
    transactions: pd.DataFrame | None = None,
    attribution_days: int = ATTRIBUTION_DAYS,
) -> pd.DataFrame:
    """Contacted and won-back clients per dormancy bucket, for :func:`reconnect_lib.value.win_back_chance`.

    Only clients whose outcome is known count: won back, lost (moved on,
    change of circumstances, declined, asked not to be contacted), or
    contacted at least `attribution_days` ago. A client contacted last week
    with no answer yet is left out rather than counted as a failure, which
    would drag the chance down while a campaign runs.

    Parameters
    ----------
    events : pandas.DataFrame
        The outcome log.
    clients : pandas.DataFrame
        ``client_id`` and ``dormancy_bucket`` (the bucket each client was in
        when contacted, e.g. :func:`reconnect_lib.history.clients_at_contact`).
    as_of, transactions, attribution_days
        As in :func:`contact_outcomes`.

    Returns
    -------
    pandas.DataFrame
        ``dormancy_bucket``, ``contacted``, ``won_back`` (int64), one row per
        bucket with a decided client, in bucket order when ``clients`` has
        ``bucket_order``.

    Raises
    ------
    InputError
        A contacted client is not in `clients`.

    Examples
    --------
    >>> from datetime import date
    >>> import pandas as pd
    >>> events = pd.DataFrame({"client_id": ["a", "a", "b", "b", "c"],
    ...     "date": pd.to_datetime(["2026-03-02", "2026-03-10", "2026-03-02", "2026-03-04", "2026-05-25"]),
    ...     "kind": ["contacted", "renewed", "contacted", "moved_on", "contacted"]})
    >>> clients = pd.DataFrame({"client_id": ["a", "b", "c"], "dormancy_bucket": ["6–12 months"] * 3})
    >>> observed_counts(events, clients, as_of=date(2026, 6, 1))
      dormancy_bucket  contacted  won_back
    0     6–12 months          2         1
    """
    day = fr.check_as_of(as_of)
    window = _check_days(attribution_days)
    fr.require_columns(
        fr.as_frame(clients, "clients"),
        [s.CLIENT_ID, s.DORMANCY_BUCKET],
        "clients",
        "pass clients_at_contact(...) or a bucketed client base",
    )
    outcomes = contact_outcomes(
        events, as_of=day, transactions=transactions, clients=clients, attribution_days=window
    )
    missing = outcomes[s.DORMANCY_BUCKET].isna()
    if missing.any():
        ids = outcomes.loc[missing, s.CLIENT_ID].astype(str).tolist()
        raise InputError(
            f"{len(ids)} contacted clients have no dormancy bucket in `clients`",
            column=s.CLIENT_ID,
            values=ids,
            expected="every client of the outcome log in `clients`",
            hint="pass the whole client list's buckets (clients_at_contact covers every contacted client)",
        )
    ev = _current_events(events, day)
    closed = set(ev.loc[ev[s.KIND].isin((*s.LOST_KINDS, "do_not_contact")), s.CLIENT_ID])
    decided = (
        outcomes[s.WON_BACK_FLAG] | outcomes[s.CLIENT_ID].isin(closed) | (outcomes[s.DAYS_FOLLOWED] >= window)
    )
    table = win_back_rates(outcomes[decided], by="dormancy_bucket")
    return table[[s.DORMANCY_BUCKET, s.CONTACTED, s.WON_BACK]].astype({s.DORMANCY_BUCKET: object})

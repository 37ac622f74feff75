"""Win-back metrics: what the contacts brought back, with honest uncertainty.

Pure functions over the outcome log's events (:meth:`OutcomeStore.events
<reconnect_lib.outcomes.OutcomeStore.events>`), plus, when given, the client
list (dormancy bucket, account owner) and the transactions. Every function
takes an explicit ``as_of``; none reads the clock or changes its inputs.

The rules, once:

- **Contacted** means reached: any event of
  :data:`~reconnect_lib.schema.CONTACT_KINDS` (a ``no_answer`` is an attempt,
  not a contact). A client's *first contact* is the first such event; its
  channel and campaign are the client's channel and campaign in the tables.
- **Won back** means a logged ``renewed`` event, *or* a purchase (a positive
  amount in the transactions) on the day of a contact or within
  ``attribution_days`` (90 by default) after one, even if nobody logged it.
  The same purchase rule measures a hold-out group, which nobody contacts
  (:func:`campaign_lift`).
- **Revenue recovered** by a won-back client: the amounts recorded on its
  ``renewed`` events or, when none was recorded, the purchases that won it
  back (so a renewal logged *and* invoiced is not counted twice).
- **Rates** come with a 95 % Wilson interval (statsmodels'
  ``proportion_confint``); :func:`rate_statement` says in words whether
  "over 50 %" is established, i.e. whether the whole interval is above it.
- **Time to win-back** is survival data (Kaplan–Meier, statsmodels'
  ``SurvfuncRight``): a client contacted last week and not yet won back is
  followed for a week, not counted as lost.
- **Lift** is the contacted group's rate minus the hold-out group's, with
  Newcombe's interval for the difference (statsmodels'
  ``confint_proportions_2indep``): what the campaign caused, not just its rate.

Example
-------
>>> from datetime import date
>>> import pandas as pd
>>> events = pd.DataFrame({
...     "client_id": ["a", "a", "b", "b", "c"],
...     "date": pd.to_datetime(["2026-03-02", "2026-03-09", "2026-03-02", "2026-03-05", "2026-03-03"]),
...     "channel": ["phone"] * 5,
...     "kind": ["contacted", "renewed", "contacted", "moved_on", "contacted"],
...     "amount": [None, 900.0, None, None, None],
... })
>>> outcomes = contact_outcomes(events, as_of=date(2026, 6, 1))
>>> win_back_rates(outcomes)[["contacted", "won_back", "win_back_rate", "revenue_recovered"]].round(3)
   contacted  won_back  win_back_rate  revenue_recovered
0          3         1          0.333              900.0
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from . import _frames as fr
from . import schema as s
from .client_base import client_base
from .config import CampaignConfig
from .dormancy import dormancy_buckets
from .errors import InputError
from .load import Inputs, load_inputs
from .options import MeasureFrom
from .outcomes import ImportResult, OutcomeStore, empty_events, store_exists, sync_configured_history
from .plan import ContactPlan
from .weeks import iso_week, week_monday

__all__ = [
    "OUTCOME_COLUMNS",
    "OutcomeData",
    "OutcomeSummary",
    "campaign_lift",
    "catch_up_progress",
    "client_status",
    "clients_at_contact",
    "contact_outcomes",
    "funnel",
    "lift",
    "lift_rates",
    "lift_statement",
    "load_outcomes",
    "observed_counts",
    "observed_from_config",
    "outcome_report",
    "outcome_summary",
    "rate_statement",
    "reasons_table",
    "time_to_win_back",
    "wilson_interval",
    "win_back_rates",
]

ATTRIBUTION_DAYS = 90
CONFIDENCE = 0.95

GroupBy = Literal["dormancy_bucket", "channel", "week", "account_owner", "campaign"]
GROUP_BY_CHOICES: tuple[str, ...] = get_args(GroupBy)

#: Columns of :func:`contact_outcomes` (then the client columns it was given).
OUTCOME_COLUMNS: tuple[str, ...] = (
    s.CLIENT_ID,
    s.CAMPAIGN,
    s.CHANNEL,
    s.FIRST_CONTACT,
    s.WEEK,
    s.WON_BACK_FLAG,
    s.WON_BACK_ON,
    s.WON_BY,
    s.REVENUE_RECOVERED,
    s.DAYS_FOLLOWED,
)
#: Client columns :func:`contact_outcomes` carries over from `clients` when present.
CLIENT_COLUMNS: tuple[str, ...] = (s.DORMANCY_BUCKET, s.BUCKET_ORDER, s.ACCOUNT_OWNER)

#: Columns of :func:`client_status`.
STATUS_COLUMNS: tuple[str, ...] = s.CLIENT_STATUS_COLUMNS

_HINT_EVENTS = "pass OutcomeStore.events(), or a frame with client_id, date, kind (and channel)"
_HINT_TRANSACTIONS = "pass the transactions table of reconnect_lib.load (client_id, date, amount)"
_NS = "datetime64[ns]"


# --- inputs --------------------------------------------------------------------------


def _check_days(attribution_days: object) -> int:
    return fr.check_whole("attribution_days", attribution_days, minimum=0)


def _check_confidence(confidence: object) -> float:
    if isinstance(confidence, bool) or not isinstance(confidence, int | float) or not 0 < confidence < 1:
        raise InputError(
            f"confidence={confidence!r} is not valid", expected="a number between 0 and 1, e.g. 0.95"
        )
    return float(confidence)


def _dates(col: pd.Series, what: str, *, allow_missing: bool = False) -> pd.Series:
    """`col` as midnight datetime64[ns]; an InputError naming the rows that are not dates."""
    parsed = pd.to_datetime(col, format="ISO8601", errors="coerce")
    bad = parsed.isna() if not allow_missing else parsed.isna() & col.notna()
    if bad.any():
        rows = [i + 1 for i in range(len(col)) if bad.iloc[i]]
        raise InputError(
            f"`{what}` has values that are not dates",
            column=str(col.name),
            rows=rows,
            values=[v for v in col[bad].tolist() if v is not None],
            expected="dates (datetime64, datetime.date or YYYY-MM-DD)",
        )
    return parsed.astype(_NS).dt.normalize()


def _amounts(col: pd.Series, what: str) -> pd.Series:
    """`col` as float64 (missing stays NaN); an InputError naming the rows that are not numbers."""
    parsed = pd.to_numeric(col, errors="coerce").astype("float64")
    bad = parsed.isna() & col.notna()
    if bad.any():
        raise InputError(
            f"`{what}` has amounts that are not numbers",
            column=str(col.name),
            rows=[i + 1 for i in range(len(col)) if bad.iloc[i]],
            values=col[bad].tolist(),
            expected="numbers",
        )
    return parsed


def _current_events(events: Any, as_of: date) -> pd.DataFrame:
    """The events that stand on `as_of`: validated, corrections applied, oldest first. A copy."""
    if not isinstance(events, pd.DataFrame):
        raise InputError(f"`events` is a {type(events).__name__}, not a pandas DataFrame", hint=_HINT_EVENTS)
    fr.require_columns(fr.as_frame(events, "events"), [s.CLIENT_ID, s.DATE, s.KIND], "events", _HINT_EVENTS)
    ev = events.reset_index(drop=True).copy()
    for col in (s.EVENT_ID, s.CAMPAIGN, s.CHANNEL, s.REASON, s.SUPERSEDES):
        if col not in ev.columns:
            ev[col] = pd.NA
    if s.AMOUNT not in ev.columns:
        ev[s.AMOUNT] = np.nan
    ev[s.DATE] = _dates(ev[s.DATE], "events")
    ev[s.AMOUNT] = _amounts(ev[s.AMOUNT], "events")
    for col in (s.CLIENT_ID, s.KIND, s.CHANNEL, s.CAMPAIGN, s.REASON, s.EVENT_ID, s.SUPERSEDES):
        ev[col] = ev[col].astype("string")
    # A frame of the whole table (include_superseded=True) reads the same as the current view.
    superseded = set(ev[s.SUPERSEDES].dropna())
    keep = (ev[s.KIND] != s.RETRACTED).fillna(True) & ~ev[s.EVENT_ID].isin(superseded).fillna(False)
    ev = ev[keep & (ev[s.DATE] <= pd.Timestamp(as_of))]
    unknown = ~ev[s.KIND].isin(s.EVENT_KINDS)
    if unknown.any():
        raise InputError(
            "unknown event kinds in `events`",
            column=s.KIND,
            values=sorted(set(ev.loc[unknown, s.KIND].astype(str))),
            expected=f"one of {', '.join(s.EVENT_KINDS)}",
            hint=_HINT_EVENTS,
        )
    return ev.sort_values(s.DATE, kind="stable").reset_index(drop=True)


def _purchases(transactions: Any, as_of: date) -> pd.DataFrame:
    """Positive-amount transactions up to `as_of`: client_id, date, amount."""
    if transactions is None:
        return pd.DataFrame(
            {
                s.CLIENT_ID: pd.Series(dtype="string"),
                s.DATE: pd.Series(dtype=_NS),
                s.AMOUNT: pd.Series(dtype="float64"),
            }
        )
    if not isinstance(transactions, pd.DataFrame):
        raise InputError(
            f"`transactions` is a {type(transactions).__name__}, not a pandas DataFrame",
            hint=_HINT_TRANSACTIONS,
        )
    fr.require_columns(
        fr.as_frame(transactions, "transactions"),
        [s.CLIENT_ID, s.DATE, s.AMOUNT],
        "transactions",
        _HINT_TRANSACTIONS,
    )
    raw = transactions.reset_index(drop=True)
    tx = pd.DataFrame(
        {
            s.CLIENT_ID: raw[s.CLIENT_ID].astype("string"),
            s.DATE: _dates(raw[s.DATE], "transactions"),
            s.AMOUNT: _amounts(raw[s.AMOUNT], "transactions"),
        }
    )
    return tx[(tx[s.AMOUNT] > 0) & (tx[s.DATE] <= pd.Timestamp(as_of))].reset_index(drop=True)


def _iso_week(days: pd.Series) -> pd.Series:
    iso = days.dt.isocalendar()
    text = iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)
    return text.where(days.notna()).astype("string")


def _attributed(purchases: pd.DataFrame, refs: pd.DataFrame, attribution_days: int) -> pd.DataFrame:
    """Purchases on or within `attribution_days` after the latest reference day before them.

    `refs` holds client_id and date (a contact, or a hold-out client's reference
    day); the result is the purchases attributed to one, with their date and amount.
    """
    if purchases.empty or refs.empty:
        return purchases.iloc[0:0]
    left = purchases.sort_values(s.DATE, kind="stable")
    right = (
        refs[[s.CLIENT_ID, s.DATE]]
        .rename(columns={s.DATE: "_ref"})
        .drop_duplicates()
        .sort_values("_ref", kind="stable")
    )
    merged = pd.merge_asof(left, right, left_on=s.DATE, right_on="_ref", by=s.CLIENT_ID, direction="backward")
    within = merged["_ref"].notna() & (merged[s.DATE] - merged["_ref"] <= pd.Timedelta(days=attribution_days))
    return merged.loc[within, [s.CLIENT_ID, s.DATE, s.AMOUNT]]


def _first_contacts(ev: pd.DataFrame) -> pd.DataFrame:
    """One row per reached client: client_id, campaign, channel and date of the first contact."""
    contacts = ev[ev[s.KIND].isin(s.CONTACT_KINDS)]
    first = contacts.drop_duplicates(s.CLIENT_ID, keep="first")
    return pd.DataFrame(
        {
            s.CLIENT_ID: first[s.CLIENT_ID],
            s.CAMPAIGN: first[s.CAMPAIGN],
            s.CHANNEL: first[s.CHANNEL],
            s.FIRST_CONTACT: first[s.DATE],
        }
    ).reset_index(drop=True)


#: Column of :func:`_wins`: the day of a client's latest win (for the status; not an output column).
_LAST_WON_ON = "_last_won_on"


def _wins(ev: pd.DataFrame, purchases: pd.DataFrame, attribution_days: int) -> pd.DataFrame:
    """Per client ever won back: won_back_on (the first win), won_by, revenue_recovered, and
    _last_won_on (the latest win) (index client_id)."""
    contacts = ev.loc[ev[s.KIND].isin(s.CONTACT_KINDS), [s.CLIENT_ID, s.DATE]]
    renewed = ev[ev[s.KIND] == "renewed"]
    grouped = renewed.groupby(s.CLIENT_ID, sort=False)
    logged = pd.DataFrame(
        {
            "_logged_on": grouped[s.DATE].min(),
            "_logged_last": grouped[s.DATE].max(),
            "_logged_amount": grouped[s.AMOUNT].sum(min_count=1),
        }
    )
    bought = _attributed(purchases, contacts, attribution_days)
    seen = bought.groupby(s.CLIENT_ID, sort=False).agg(
        _bought_on=(s.DATE, "min"), _bought_last=(s.DATE, "max"), _bought=(s.AMOUNT, "sum")
    )
    wins = logged.join(seen, how="outer")
    won_on = wins[["_logged_on", "_bought_on"]].min(axis=1)
    by_log = wins["_logged_on"].notna()
    revenue = wins["_logged_amount"].where(wins["_logged_amount"].notna(), wins["_bought"]).fillna(0.0)
    return pd.DataFrame(
        {
            s.WON_BACK_ON: won_on.astype(_NS),
            s.WON_BY: pd.Series(np.where(by_log, "logged", "purchase"), index=wins.index, dtype="string"),
            s.REVENUE_RECOVERED: revenue.astype("float64"),
            _LAST_WON_ON: wins[["_logged_last", "_bought_last"]].max(axis=1).astype(_NS),
        }
    )


def _client_columns(clients: Any) -> pd.DataFrame | None:
    if clients is None:
        return None
    if not isinstance(clients, pd.DataFrame):
        raise InputError(f"`clients` is a {type(clients).__name__}, not a pandas DataFrame")
    fr.require_columns(
        fr.as_frame(clients, "clients"),
        [s.CLIENT_ID],
        "clients",
        "pass the client list, a scored base, or clients_at_contact(...)",
    )
    keep = [c for c in CLIENT_COLUMNS if c in clients.columns]
    out = clients[[s.CLIENT_ID, *keep]].drop_duplicates(s.CLIENT_ID).copy()
    out[s.CLIENT_ID] = out[s.CLIENT_ID].astype("string")
    return out


# --- per client ----------------------------------------------------------------------


def contact_outcomes(
    events: pd.DataFrame,
    *,
    as_of: date,
    transactions: pd.DataFrame | None = None,
    clients: pd.DataFrame | None = None,
    attribution_days: int = ATTRIBUTION_DAYS,
) -> pd.DataFrame:
    """One row per contacted client: when first reached, whether and when won back, what it brought.

    Parameters
    ----------
    events : pandas.DataFrame
        The outcome log (:meth:`OutcomeStore.events`); superseded events are
        left out even if the frame holds them. Not modified.
    as_of : date
        Events and purchases after it are ignored.
    transactions : pandas.DataFrame, optional
        ``client_id``, ``date``, ``amount``: purchases within the attribution
        window after a contact count as won back.
    clients : pandas.DataFrame, optional
        ``client_id`` with any of ``dormancy_bucket``, ``bucket_order``,
        ``account_owner`` (e.g. :func:`clients_at_contact`): carried over.
    attribution_days : int
        Days after a contact in which a purchase counts as won back.

    Returns
    -------
    pandas.DataFrame
        :data:`OUTCOME_COLUMNS`: ``client_id``, ``campaign``, ``channel`` (of the
        first contact), ``first_contact`` (datetime64), ``week`` (its ISO week,
        e.g. ``"2026-W10"``), ``is_won_back`` (bool), ``won_back_on``
        (datetime64, NaT if not), ``won_by`` (``"logged"``, ``"purchase"`` or
        NA), ``revenue_recovered`` (float64), ``days_followed`` (int64: first
        contact to the win-back, else to `as_of`; never negative); then the
        client columns found in `clients`. Ordered by first contact, then
        ``client_id``.

    Examples
    --------
    >>> from datetime import date
    >>> import pandas as pd
    >>> events = pd.DataFrame({"client_id": ["a", "b"], "date": pd.to_datetime(["2026-03-02"] * 2),
    ...                        "channel": ["phone", "email"], "kind": ["contacted", "contacted"]})
    >>> bought = pd.DataFrame({"client_id": ["b"], "date": pd.to_datetime(["2026-04-01"]), "amount": [250.0]})
    >>> out = contact_outcomes(events, as_of=date(2026, 6, 1), transactions=bought)
    >>> out[["client_id", "is_won_back", "won_by", "revenue_recovered", "days_followed"]]
      client_id  is_won_back    won_by  revenue_recovered  days_followed
    0         a        False      <NA>                0.0             91
    1         b         True  purchase              250.0             30
    """
    day = fr.check_as_of(as_of)
    window = _check_days(attribution_days)
    ev = _current_events(events, day)
    first = _first_contacts(ev)
    wins = _wins(ev, _purchases(transactions, day), window).reindex(first[s.CLIENT_ID])
    won = wins[s.WON_BACK_ON].notna().to_numpy()
    end = np.where(won, wins[s.WON_BACK_ON].to_numpy(), np.datetime64(pd.Timestamp(day), "ns"))
    followed = (pd.Series(end, dtype=_NS) - first[s.FIRST_CONTACT]).dt.days.clip(lower=0)
    out = first.assign(
        **{
            s.WEEK: _iso_week(first[s.FIRST_CONTACT]),
            s.WON_BACK_FLAG: won,
            s.WON_BACK_ON: wins[s.WON_BACK_ON].to_numpy(),
            s.WON_BY: wins[s.WON_BY].to_numpy(),
            s.REVENUE_RECOVERED: wins[s.REVENUE_RECOVERED].fillna(0.0).to_numpy(),
            s.DAYS_FOLLOWED: followed.astype("int64").to_numpy(),
        }
    )
    out[s.WON_BY] = out[s.WON_BY].astype("string")
    out[s.WON_BACK_ON] = out[s.WON_BACK_ON].astype(_NS)
    out = out[list(OUTCOME_COLUMNS)]
    extra = _client_columns(clients)
    if extra is not None:
        out = out.merge(extra, on=s.CLIENT_ID, how="left")
    return out.sort_values([s.FIRST_CONTACT, s.CLIENT_ID], kind="stable").reset_index(drop=True)


def client_status(
    events: pd.DataFrame,
    *,
    as_of: date,
    transactions: pd.DataFrame | None = None,
    attribution_days: int = ATTRIBUTION_DAYS,
) -> pd.DataFrame:
    """Each logged client's current status, derived from the events (what the contact plan reads).

    Status precedence, first that applies (:data:`~reconnect_lib.schema.STATUSES`):

    1. ``do_not_contact``: the client asked not to be contacted. It overrides
       everything: no later plan may schedule them.
    2. ``won_back``: a logged renewal, or a purchase within the attribution
       window after a contact, with no loss (moved on, change of
       circumstances, declined) recorded after the latest such win. A client
       won back in March who moves on in September is ``lost``; one who
       declined in March and renews in June is ``won_back``.
    3. ``problem_open``: a problem raised and not fixed since; someone must act.
    4. ``lost``: moved on, a change of circumstances, or declined, and no
       purchase since. A client who buys again after saying no, even unprompted
       (outside any attribution window, so not won back by the campaign), is
       not lost: they come back into the plan like any active client.
    5. ``replied``: answered in any other way.
    6. ``contacted``: reached, or only tried (``no_answer``) so far; then
       ``last_logged_contact`` is NaT.

    Parameters
    ----------
    events : pandas.DataFrame
        The outcome log; only events dated on or before `as_of` count.
    as_of : date
    transactions : pandas.DataFrame, optional
        For purchases that win a client back without a logged renewal.
    attribution_days : int
        The attribution window, in days after a contact.

    Returns
    -------
    pandas.DataFrame
        One row per client with any event, ordered by ``client_id``:
        ``client_id`` (string), ``status`` (string), ``last_logged_contact``
        (datetime64: the latest contact event, NaT if never reached),
        ``is_won_back`` (won back at least once, even if lost since),
        ``open_problem``, ``do_not_contact`` (bool).

    Examples
    --------
    >>> from datetime import date
    >>> import pandas as pd
    >>> events = pd.DataFrame({
    ...     "client_id": ["a", "a", "b", "b", "c"],
    ...     "date": pd.to_datetime(["2026-03-02", "2026-03-04", "2026-03-02", "2026-03-03", "2026-03-02"]),
    ...     "kind": ["contacted", "problem_raised", "contacted", "do_not_contact", "no_answer"],
    ... })
    >>> client_status(events, as_of=date(2026, 3, 31))[["client_id", "status", "open_problem"]]
      client_id          status  open_problem
    0         a    problem_open          True
    1         b  do_not_contact         False
    2         c       contacted         False
    """
    day = fr.check_as_of(as_of)
    window = _check_days(attribution_days)
    ev = _current_events(events, day)
    clients = pd.Index(sorted(ev[s.CLIENT_ID].unique()), dtype="string", name=s.CLIENT_ID)
    contacts = ev[ev[s.KIND].isin(s.CONTACT_KINDS)]
    last_contact = contacts.groupby(s.CLIENT_ID)[s.DATE].max().reindex(clients).astype(_NS)
    purchases = _purchases(transactions, day)
    wins = _wins(ev, purchases, window)
    won = clients.isin(wins.index)
    # Events in order: a loss after the latest win ends the win (the flag keeps it: won back once).
    last_win = wins[_LAST_WON_ON].reindex(clients)
    last_loss = ev[ev[s.KIND].isin(s.LOST_KINDS)].groupby(s.CLIENT_ID)[s.DATE].max().reindex(clients)
    won_now = won & ~(last_loss > last_win).to_numpy(dtype=bool)
    last_purchase = purchases.groupby(s.CLIENT_ID)[s.DATE].max().reindex(clients)
    bought_since_loss = (last_purchase > last_loss).to_numpy(dtype=bool)
    problems = ev[ev[s.KIND].isin(("problem_raised", "problem_fixed"))]
    latest_problem = problems.drop_duplicates(s.CLIENT_ID, keep="last").set_index(s.CLIENT_ID)[s.KIND]
    open_problem = latest_problem.reindex(clients).eq("problem_raised").fillna(False).to_numpy(dtype=bool)

    def having(kinds: Sequence[str]) -> np.ndarray:
        hit = ev[s.KIND].isin(kinds).groupby(ev[s.CLIENT_ID]).any()
        return hit.reindex(clients, fill_value=False).to_numpy(dtype=bool)

    dnc, lost, replied = having(("do_not_contact",)), having(s.LOST_KINDS), having(s.RESPONSE_KINDS)
    lost = lost & ~bought_since_loss
    status = np.select(
        [dnc, won_now, open_problem, lost, replied],
        ["do_not_contact", "won_back", "problem_open", "lost", "replied"],
        default="contacted",
    )
    return pd.DataFrame(
        {
            s.CLIENT_ID: clients.to_numpy(),
            s.STATUS: pd.array(status, dtype="string"),
            s.LAST_LOGGED_CONTACT: last_contact.to_numpy(),
            s.WON_BACK_FLAG: won,
            s.OPEN_PROBLEM: open_problem,
            s.DO_NOT_CONTACT: dnc,
        }
    ).astype({s.CLIENT_ID: "string", s.LAST_LOGGED_CONTACT: _NS})


# --- rates ---------------------------------------------------------------------------


def wilson_interval(won: int, contacted: int, *, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The Wilson score interval of a rate ``won / contacted`` (statsmodels' ``proportion_confint``).

    Returns ``(nan, nan)`` when nobody was contacted.

    Examples
    --------
    >>> [round(x, 4) for x in wilson_interval(1600, 3000)]
    [0.5154, 0.5511]
    """
    from statsmodels.stats.proportion import proportion_confint

    conf = _check_confidence(confidence)
    if contacted <= 0:
        return (math.nan, math.nan)
    low, high = proportion_confint(won, contacted, alpha=1 - conf, method="wilson")
    rate = won / contacted
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
    0   fixable_problem        0  0.000000
    1        competitor        1  0.333333
    2             money        2  0.666667
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


def _plan_clients(plan: Any, *, what: str = "plan") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(planned, hold-out) clients of a plan: client_id and reference day (earliest; NaT if none).

    A row is hold-out when its ``holdout`` column is true; a `what` = "holdout"
    frame without that column is a list of hold-out clients.
    """
    if not isinstance(plan, pd.DataFrame):
        raise InputError(f"`{what}` is a {type(plan).__name__}, not a pandas DataFrame")
    fr.require_columns(
        fr.as_frame(plan, what), [s.CLIENT_ID], what, "pass the contact plan (client_id, holdout, ...)"
    )
    plan = plan.reset_index(drop=True)
    day_col = next((c for c in (s.CONTACT_ON, s.PLANNED_ON, s.WEEK_START, s.DATE) if c in plan.columns), None)
    frame = pd.DataFrame(
        {
            s.CLIENT_ID: plan[s.CLIENT_ID].astype("string"),
            s.DATE: _dates(plan[day_col], what, allow_missing=True)
            if day_col
            else pd.Series(pd.NaT, index=plan.index, dtype=_NS),
        }
    )
    if s.HOLDOUT in plan.columns:
        held = plan[s.HOLDOUT].map(_truthy).astype(bool)  # an empty column maps to float
    else:
        held = pd.Series(what == "holdout", index=plan.index)
    frame = frame.sort_values(s.DATE, kind="stable")
    planned = frame[~held.reindex(frame.index).to_numpy()].drop_duplicates(s.CLIENT_ID)
    holdout = frame[held.reindex(frame.index).to_numpy()].drop_duplicates(s.CLIENT_ID)
    return planned.reset_index(drop=True), holdout.reset_index(drop=True)


def _truthy(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().casefold() in {"true", "t", "yes", "y", "1", "x"}
    if value is None or value is pd.NA:
        return False
    try:
        return bool(value) and not (isinstance(value, float) and math.isnan(value))
    except (TypeError, ValueError):
        return False


def funnel(
    events: pd.DataFrame,
    *,
    as_of: date,
    transactions: pd.DataFrame | None = None,
    plan: pd.DataFrame | None = None,
    attribution_days: int = ATTRIBUTION_DAYS,
) -> pd.DataFrame:
    """Clients at each stage: planned → contacted → replied → won back.

    *Replied* means answered in any way (any of
    :data:`~reconnect_lib.schema.RESPONSE_KINDS`) or won back, so each stage
    holds the next. With a `plan` (``client_id``, optionally ``holdout``) the
    first stage is its clients outside the hold-out and every later stage
    counts only them; without one the funnel starts at contacted.

    Returns
    -------
    pandas.DataFrame
        ``stage``, ``clients`` (int64), ``share_of_previous`` (float64, NaN for
        the first stage).

    Examples
    --------
    >>> from datetime import date
    >>> import pandas as pd
    >>> events = pd.DataFrame({
    ...     "client_id": ["a", "a", "b", "c"],
    ...     "date": pd.to_datetime(["2026-03-02", "2026-03-03", "2026-03-02", "2026-03-02"]),
    ...     "kind": ["contacted", "renewed", "contacted", "no_answer"],
    ... })
    >>> funnel(events, as_of=date(2026, 3, 31), plan=pd.DataFrame({"client_id": ["a", "b", "c", "d"]}))
           stage  clients  share_of_previous
    0    planned        4                NaN
    1  contacted        2                0.5
    2    replied        1                0.5
    3   won back        1                1.0
    """
    day = fr.check_as_of(as_of)
    outcomes = contact_outcomes(
        events, as_of=day, transactions=transactions, attribution_days=attribution_days
    )
    ev = _current_events(events, day)
    responded = set(ev.loc[ev[s.KIND].isin(s.RESPONSE_KINDS), s.CLIENT_ID])
    contacted = set(outcomes[s.CLIENT_ID])
    won = set(outcomes.loc[outcomes[s.WON_BACK_FLAG], s.CLIENT_ID])
    stages: list[tuple[str, set[str]]] = []
    if plan is not None:
        planned = set(_plan_clients(plan)[0][s.CLIENT_ID])
        stages.append(("planned", planned))
        contacted &= planned
        won &= planned
    replied = (responded & contacted) | won
    stages += [("contacted", contacted), ("replied", replied), ("won back", won)]
    counts = pd.Series([len(c) for _, c in stages], dtype="int64")
    previous = counts.shift(1)
    return pd.DataFrame(
        {
            s.STAGE: pd.array([name for name, _ in stages], dtype="string"),
            s.CLIENTS: counts,
            s.SHARE_OF_PREVIOUS: (counts / previous.where(previous > 0)).astype("float64"),
        }
    )


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
        when contacted, e.g. :func:`clients_at_contact`).
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


# --- from a campaign file ------------------------------------------------------------


def clients_at_contact(
    inputs: Inputs,
    events: pd.DataFrame,
    *,
    as_of: date,
    edges_months: Sequence[int],
    due_after_months: int = 6,
    measure_from: MeasureFrom = "latest",
) -> pd.DataFrame:
    """Each contacted client's dormancy bucket when its campaign began, and its account owner.

    A campaign begins on the date of its first contact in the log; the bucket
    is measured on the day before, from the activity before the campaign: the
    bucket the plan ranked the client in. (Measuring it on each client's own
    contact day would drift every client contacted late in a long campaign
    into an older bucket, and a renewal on the day of the call would make the
    client look active.)

    Returns
    -------
    pandas.DataFrame
        ``client_id``, ``account_owner``, ``dormancy_bucket``, ``bucket_order``
        and ``due`` (due for contact when the campaign began) for every client
        reached on or before `as_of`.

    Examples
    --------
    >>> from reconnect_lib.config import load_config
    >>> from reconnect_lib.load import load_inputs
    >>> cfg = load_config("data/sample/financial-planner/campaign.toml")  # doctest: +SKIP
    >>> inputs = load_inputs(cfg, as_of=date(2026, 11, 23))  # doctest: +SKIP
    >>> clients_at_contact(inputs, events, as_of=date(2026, 11, 23), edges_months=[6, 12])  # doctest: +SKIP
    """
    first = _first_contacts(_current_events(events, fr.check_as_of(as_of)))
    first[s.CAMPAIGN] = first[s.CAMPAIGN].fillna("")
    clients = inputs.clients.assign(**{s.CLIENT_ID: inputs.clients[s.CLIENT_ID].astype("string")})
    parts = []
    for _, group in first.groupby(s.CAMPAIGN, sort=False):
        start = group[s.FIRST_CONTACT].min().date() - timedelta(days=1)
        chosen = clients[clients[s.CLIENT_ID].isin(set(group[s.CLIENT_ID]))]
        base = client_base(
            chosen, inputs.transactions, inputs.contacts, as_of=start, measure_from=measure_from
        )
        bucketed = dormancy_buckets(base, edges_months=edges_months, due_after_months=due_after_months)
        parts.append(bucketed[[s.CLIENT_ID, s.ACCOUNT_OWNER, s.DORMANCY_BUCKET, s.BUCKET_ORDER, s.DUE]])
    if not parts:
        return pd.DataFrame(
            {
                s.CLIENT_ID: pd.Series(dtype="string"),
                s.ACCOUNT_OWNER: pd.Series(dtype="string"),
                s.DORMANCY_BUCKET: pd.Series(dtype=object),
                s.BUCKET_ORDER: pd.Series(dtype="int64"),
                s.DUE: pd.Series(dtype="bool"),
            }
        )
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True, eq=False)
class OutcomeData:
    """What :func:`load_outcomes` read for a campaign."""

    events: pd.DataFrame
    clients: pd.DataFrame  # clients_at_contact
    transactions: pd.DataFrame | None
    imported: ImportResult | None  # the sync of [data] outcomes, if any


def load_outcomes(
    config: CampaignConfig, *, as_of: date, inputs: Inputs | None = None, sync: bool = True
) -> OutcomeData:
    """A campaign's events (after syncing its history file), buckets at contact, and transactions.

    With `sync` (the default), ``[data] outcomes`` is imported into
    ``[outcomes] database`` first (:func:`~reconnect_lib.outcomes.sync_configured_history`;
    idempotent), so a fresh clone's sample needs no prior command; this creates
    the SQLite file when needed. Without a history file, or without `sync`, a
    store that does not exist yet is read as empty and not created.
    """
    day = fr.check_as_of(as_of)
    inputs = inputs if inputs is not None else load_inputs(config, as_of=day)
    ids = set(inputs.clients[s.CLIENT_ID].astype(str))
    imported = None
    if (sync and config.data.outcomes is not None) or store_exists(config.outcomes.database):
        with OutcomeStore.from_config(config) as store:
            if sync:
                imported = sync_configured_history(config, as_of=day, store=store, client_ids=ids)
            events = store.events(day)
    else:
        events = empty_events()
    d = config.dormancy
    clients = clients_at_contact(
        inputs,
        events,
        as_of=day,
        edges_months=d.edges_months,
        due_after_months=d.due_after_months,
        measure_from=d.measure_from,
    )
    return OutcomeData(events=events, clients=clients, transactions=inputs.transactions, imported=imported)


def observed_from_config(
    config: CampaignConfig, *, as_of: date, inputs: Inputs | None = None, sync: bool = True
) -> pd.DataFrame:
    """:func:`observed_counts` of a campaign, ready for ``scored_base(..., observed=...)``.

    `sync` as in :func:`load_outcomes`: a campaign with neither a history file
    nor a store gets no rows (the prior alone), and no database is created.
    """
    data = load_outcomes(config, as_of=as_of, inputs=inputs, sync=sync)
    return observed_counts(data.events, data.clients, as_of=as_of, transactions=data.transactions)


# --- the summary ---------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class OutcomeSummary:
    """Every outcome number of a campaign on one date (see :func:`outcome_summary`)."""

    as_of: date
    attribution_days: int
    overall: pd.DataFrame
    by: dict[str, pd.DataFrame]
    reasons: pd.DataFrame
    funnel: pd.DataFrame
    time_to_win_back: pd.DataFrame
    statement: str
    lift: pd.DataFrame | None = None
    lift_statement: str | None = None
    notes: tuple[str, ...] = field(default=())

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name, for CSV or JSON output."""
        out = {"overall": self.overall}
        out.update({f"by_{name}": table for name, table in self.by.items()})
        out.update(
            {"reasons": self.reasons, "funnel": self.funnel, "time_to_win_back": self.time_to_win_back}
        )
        if self.lift is not None:
            out["lift"] = self.lift
        return out


def outcome_summary(
    events: pd.DataFrame,
    *,
    as_of: date,
    clients: pd.DataFrame | None = None,
    transactions: pd.DataFrame | None = None,
    plan: pd.DataFrame | None = None,
    holdout: pd.DataFrame | None = None,
    attribution_days: int = ATTRIBUTION_DAYS,
    threshold: float = 0.5,
    confidence: float = CONFIDENCE,
    days: Iterable[int] = (30, 60, 90),
) -> OutcomeSummary:
    """Every outcome number at once: rates (overall and by group), reasons, funnel, time to win-back, lift.

    Parameters
    ----------
    events, as_of, clients, transactions, attribution_days
        As in :func:`contact_outcomes`.
    plan : pandas.DataFrame, optional
        The contact plan (``client_id``, optionally ``holdout`` and a day
        column): gives the funnel its first stage; its hold-out rows, if any,
        join `holdout`.
    holdout : pandas.DataFrame, optional
        The hold-out clients (as in :func:`campaign_lift`): with the
        transactions, gives the lift.
    threshold : float
        The rate :func:`rate_statement` tests ("over 50 %").

    Returns
    -------
    OutcomeSummary

    Examples
    --------
    >>> from datetime import date
    >>> import pandas as pd
    >>> events = pd.DataFrame({"client_id": ["a", "a", "b"], "date": pd.to_datetime(["2026-03-02"] * 3),
    ...                        "channel": ["phone"] * 3, "kind": ["contacted", "renewed", "contacted"]})
    >>> summary = outcome_summary(events, as_of=date(2026, 6, 1))
    >>> summary.statement.split(":")[0], sorted(summary.tables())[:3]
    ('1 of 2 contacted clients won back', ['by_channel', 'by_week', 'funnel'])
    """
    day = fr.check_as_of(as_of)
    window = _check_days(attribution_days)
    outcomes = contact_outcomes(
        events, as_of=day, transactions=transactions, clients=clients, attribution_days=window
    )
    overall = win_back_rates(outcomes, confidence=confidence)
    groups = [g for g in ("dormancy_bucket", "channel", "week", "account_owner") if g in outcomes.columns]
    by = {g: win_back_rates(outcomes, by=g, confidence=confidence) for g in groups}  # type: ignore[arg-type]
    won, n = int(overall.loc[0, s.WON_BACK]), int(overall.loc[0, s.CONTACTED])
    notes = []
    if transactions is None:
        notes.append("No transactions: only logged renewals count as won back.")
    else:
        by_purchase = int((outcomes[s.WON_BY] == "purchase").sum())
        notes.append(
            f"Won back: {won - by_purchase:,} logged, {by_purchase:,} seen only as a purchase "
            f"within {window} days of a contact."
        )
    if clients is None:
        notes.append("No client list: no rates by dormancy bucket or account owner.")
    if plan is None:
        notes.append("No plan given: the funnel starts at contacted.")
    lift_table = lift_text = None
    parts = [
        _plan_clients(frame, what=what)[1]
        for frame, what in ((plan, "plan"), (holdout, "holdout"))
        if frame is not None
    ]
    held = pd.concat(parts, ignore_index=True).drop_duplicates(s.CLIENT_ID) if parts else None
    if held is not None:
        if held.empty:
            notes.append("The hold-out group is empty: no lift (set [plan] holdout_share to measure one).")
        elif transactions is None:
            notes.append("A hold-out needs the transactions to be measured: no lift.")
        else:
            groups_ = _lift_groups(outcomes, held, day, window, None)
            lift_table = campaign_lift(
                outcomes, held, transactions, as_of=day, attribution_days=window, confidence=confidence
            )
            lift_text = lift_statement(lift_table, confidence=confidence)
            notes.append(
                f"Lift measured on purchases within {window} days of the first contact (for the hold-out, "
                "of its planned day, else of the campaign's first contact), for clients whose window has "
                f"passed: {groups_.contacted_recent:,} contacted and {groups_.holdout_recent:,} hold-out "
                "clients are too recent to judge."
            )
            if groups_.holdout_contacted:
                notes.append(
                    f"{groups_.holdout_contacted:,} hold-out clients were contacted anyway; "
                    "they stay in the hold-out."
                )
            if groups_.holdout_undated:
                notes.append(
                    f"{groups_.holdout_undated:,} hold-out clients have no day to count from: left out."
                )
    else:
        notes.append(
            "No hold-out group: the rate shows what contacted clients did, not what the campaign caused."
        )
    return OutcomeSummary(
        as_of=day,
        attribution_days=window,
        overall=overall,
        by=by,
        reasons=reasons_table(events, as_of=day),
        funnel=funnel(events, as_of=day, transactions=transactions, plan=plan, attribution_days=window),
        time_to_win_back=time_to_win_back(outcomes, days=list(days), confidence=confidence),
        statement=rate_statement(won, n, threshold=threshold, confidence=confidence),
        lift=lift_table,
        lift_statement=lift_text,
        notes=tuple(notes),
    )


def outcome_report(
    config: CampaignConfig,
    *,
    as_of: date,
    plan: pd.DataFrame | None = None,
    holdout: pd.DataFrame | None = None,
    inputs: Inputs | None = None,
    attribution_days: int = ATTRIBUTION_DAYS,
) -> OutcomeSummary:
    """:func:`outcome_summary` of a campaign file: its store (history synced first), clients and transactions.

    Examples
    --------
    >>> from reconnect_lib.config import load_config
    >>> summary = outcome_report(load_config("campaign.toml"), as_of=date(2026, 11, 23))  # doctest: +SKIP
    >>> print(summary.statement)  # doctest: +SKIP
    """
    day = fr.check_as_of(as_of)
    data = load_outcomes(config, as_of=day, inputs=inputs)
    summary = outcome_summary(
        data.events,
        as_of=day,
        clients=data.clients,
        transactions=data.transactions,
        plan=plan,
        holdout=holdout,
        attribution_days=attribution_days,
    )
    if data.imported is not None:
        notes = (f"History synced from {data.imported}.", *summary.notes)
        summary = OutcomeSummary(**{**summary.__dict__, "notes": notes})
    return summary


# --- catch-up burn-down ------------------------------------------------------------------

#: Columns of :func:`catch_up_progress`.
PROGRESS_COLUMNS: tuple[str, ...] = (
    s.WEEK,
    s.WEEK_START,
    s.ACTUAL_LEFT,
    s.PLANNED_LEFT,
    s.FORECAST_LEFT,
    s.FORECAST_END,
    s.CURRENT_WEEK,
)


def _due_first_contacts(first: pd.DataFrame, clients: Any) -> pd.DataFrame:
    """The first contacts of clients `clients` flags ``due``; an InputError for a client it lacks."""
    if not isinstance(clients, pd.DataFrame):
        raise InputError(f"`clients` is a {type(clients).__name__}, not a pandas DataFrame")
    fr.require_columns(
        fr.as_frame(clients, "clients"),
        [s.CLIENT_ID, s.DUE],
        "clients",
        "pass one row per contacted client with `due`: whether they were due for contact when "
        "the campaign began (dormancy_buckets' flag, measured as clients_at_contact measures the bucket)",
    )
    table = clients.drop_duplicates(s.CLIENT_ID)
    due = pd.Series(table[s.DUE].to_numpy(), index=table[s.CLIENT_ID].astype("string").to_numpy())
    flags = first[s.CLIENT_ID].map(due)
    if flags.isna().any():
        ids = first.loc[flags.isna(), s.CLIENT_ID].astype(str).tolist()
        raise InputError(
            f"{len(ids)} contacted clients are not in `clients`",
            column=s.CLIENT_ID,
            values=ids,
            expected="every client of the outcome log in `clients`",
        )
    return first[flags.astype(bool).to_numpy()]


def catch_up_progress(
    plan: ContactPlan, events: pd.DataFrame, *, as_of: date, clients: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The catch-up burn-down: due clients still to contact each week, as logged, planned and forecast.

    Definitions, once:

    - **First contact**: as in :func:`contact_outcomes`, a client's first
      event of :data:`~reconnect_lib.schema.CONTACT_KINDS` on or before
      `as_of` (a ``no_answer`` is not one; later contacts of the same client
      do not count again).
    - **Catch-up contacts**: the first contacts of clients due at contact:
      with `clients`, those whose ``due`` is true there; without, every first
      contact.
    - **Campaign start**: the ISO week of the earliest first contact in the
      log (any client), else the plan's first week (``plan.start_week``).
    - **Total**: the clients the plan still has to catch up
      (``plan.forecast.catch_up_clients``) plus the distinct clients with a
      catch-up contact. (A client contacted long ago and due again is in the
      plan too, and so counts twice: two contacts to make.) Make the plan with
      the outcome log's status (``Campaign.status``), or the clients contacted
      in the campaign are still due to it and count twice.
    - **actual_left** of a week: the total minus the catch-up contacts up to
      the end of that week; for the week of `as_of`, up to `as_of` (so it
      equals ``catch_up_clients``); null after it.
    - **planned_left**: the total minus the plan's weekly capacity
      (``plan.forecast.weekly_capacity``) for each week since the start, never
      below 0: the straight line the campaign would follow at that capacity.
    - **forecast_left**: from the week of `as_of` on, the due clients the
      current plan still has to contact at the end of the week (its
      ``weekly_counts()["catch_up_left"]``; ``catch_up_clients`` in weeks
      before the plan's first week); null before it.

    The first row is the week before the start: everyone still to contact,
    where all three lines begin. The rows run to the latest of the week of
    `as_of`, the forecast end week and the week the planned line reaches 0.

    Parameters
    ----------
    plan : ContactPlan
        The current plan (:func:`reconnect_lib.plan.contact_plan`), made on `as_of`.
    events : pandas.DataFrame
        The outcome log (:meth:`OutcomeStore.events`). Not modified.
    as_of : date
        Events after it are ignored.
    clients : pandas.DataFrame, optional
        ``client_id`` and ``due`` (bool) for every client of the log: whether
        they were due when the campaign began. Not modified.

    Returns
    -------
    pandas.DataFrame
        :data:`PROGRESS_COLUMNS`: ``week`` (str, ``2026-W10``), ``week_start``
        (datetime64, its Monday), ``actual_left``, ``planned_left``,
        ``forecast_left`` (Int64), ``forecast_end`` (bool: the plan's
        ``forecast.end_week``), ``current_week`` (bool: the week of `as_of`).

    Raises
    ------
    InputError
        Malformed events, or a contacted client missing from `clients`.

    Examples
    --------
    >>> from datetime import date
    >>> import pandas as pd
    >>> from reconnect_lib.plan import contact_plan
    >>> scored = pd.DataFrame({"client_id": list("abcde"), "dormancy_bucket": ["1–2 years"] * 5,
    ...                        "bucket_order": 2, "due": True, "value_score": [5.0, 4.0, 3.0, 2.0, 1.0]})
    >>> plan = contact_plan(scored, as_of=date(2026, 3, 18), capacity={"letter": 2, "phone": 2})
    >>> events = pd.DataFrame({"client_id": ["x", "y"], "date": pd.to_datetime(["2026-03-02", "2026-03-10"]),
    ...                        "kind": ["contacted", "contacted"]})
    >>> catch_up_progress(plan, events, as_of=date(2026, 3, 18))[["week", "actual_left", "planned_left",
    ...                                                         "forecast_left"]]
           week  actual_left  planned_left  forecast_left
    0  2026-W09            7             7           <NA>
    1  2026-W10            6             5           <NA>
    2  2026-W11            5             3           <NA>
    3  2026-W12            5             1              3
    4  2026-W13         <NA>             0              1
    5  2026-W14         <NA>             0              0
    """
    day = fr.check_as_of(as_of)
    if not isinstance(plan, ContactPlan):
        raise InputError(
            f"`plan` is a {type(plan).__name__}, not a ContactPlan",
            hint="pass reconnect_lib.plan.contact_plan(...) or plan_from_config(...)",
        )
    first = _first_contacts(_current_events(events, day))
    caught = first if clients is None else _due_first_contacts(first, clients)
    forecast = plan.forecast
    current = day - timedelta(days=day.weekday())
    plan_start = week_monday(plan.start_week)
    if len(first):
        earliest = first[s.FIRST_CONTACT].min().date()
        start = earliest - timedelta(days=earliest.weekday())
    else:
        start = plan_start
    total = forecast.catch_up_clients + int(caught[s.CLIENT_ID].nunique())
    capacity = forecast.weekly_capacity

    def offset(monday: date) -> int:
        return (monday - start).days // 7

    last = max(offset(current), offset(plan_start))
    if forecast.end_week is not None:
        last = max(last, offset(week_monday(forecast.end_week)))
    if capacity > 0 and total > 0:
        last = max(last, -(-total // capacity) - 1)
    k = np.arange(-1, last + 1, dtype=np.int64)
    mondays = [start + timedelta(weeks=int(i)) for i in k]
    weeks = [iso_week(m) for m in mondays]

    contact_weeks = ((caught[s.FIRST_CONTACT] - pd.Timestamp(start)).dt.days // 7).to_numpy(dtype=np.int64)
    done = np.searchsorted(np.sort(contact_weeks), k, side="right")
    actual = pd.array(total - done, dtype="Int64")
    actual[k > offset(current)] = pd.NA
    planned = np.maximum(0, total - capacity * (k + 1))

    counts = plan.weekly_counts()
    left = counts.set_index(s.WEEK)["catch_up_left"]
    ahead = pd.Series(weeks, dtype="str").map(left).astype("Float64")
    ahead[np.asarray([m < plan_start for m in mondays])] = float(forecast.catch_up_clients)
    ahead = ahead.ffill().fillna(float(forecast.catch_up_clients))
    ahead[k < offset(current)] = pd.NA
    return pd.DataFrame(
        {
            s.WEEK: pd.Series(weeks, dtype="str"),
            s.WEEK_START: pd.Series(pd.to_datetime(mondays), dtype=_NS),
            s.ACTUAL_LEFT: actual,
            s.PLANNED_LEFT: pd.array(planned, dtype="Int64"),
            s.FORECAST_LEFT: ahead.astype("Int64").array,
            s.FORECAST_END: np.asarray([w == forecast.end_week for w in weeks], dtype=bool),
            s.CURRENT_WEEK: np.asarray([m == current for m in mondays], dtype=bool),
        }
    )


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

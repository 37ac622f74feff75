"""Each contacted client's outcome and status, from the outcome log: the rules every metric counts by.

The input checks (events, transactions, client columns), the first contacts and the
wins (logged renewals and attributed purchases) live here; the other metrics modules
build on :func:`contact_outcomes`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from .. import _frames as fr
from .. import schema as s
from ..errors import InputError

ATTRIBUTION_DAYS = 90
CONFIDENCE = 0.95

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
        ``account_owner`` (e.g. :func:`reconnect_lib.history.clients_at_contact`): carried over.
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

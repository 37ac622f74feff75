"""Did it pay for itself? The campaign's cost, its return, break-even, and honest intervals.

Pure functions over the outcome log's events, the transactions and the client list;
every one takes an explicit ``as_of``, none reads the clock or changes its inputs.

The rules, once:

- **Cost** is computed from what the outcome log says was done, never from the plan
  (:func:`campaign_costs`): a letter or an e-mail for each client and day with a
  ``contacted`` or ``no_answer`` event on that channel; a call for each ``no_answer``
  on the phone (an unanswered call takes the caller's minutes too) and one for each
  client and day the phone reached them (a call logged ``contacted`` and ``renewed``
  the same day is one call); a gift for each client and day the log shows one
  (channel ``gift``). A ``referral`` costs nothing; visits and ``other`` have no unit
  cost. Fixed costs (a consultant's fee) are one row of channel and bucket
  ``"fixed"`` in the first week of the campaign. Unit costs are a :class:`Costs`.
- **Revenue won back** is :func:`~reconnect_lib.metrics.contact_outcomes`'
  ``revenue_recovered`` (logged renewals, or the purchases within the attribution
  window after a contact), counted in the week of the win.
- **Referral revenue** (:func:`referral_revenue`): a referral event links the
  client who introduced someone (``referred_by``) to the new client, by
  ``referred_client_id`` or, when that is blank, by the name in the note when
  exactly one client of the client list has it (:func:`referral_links`). A linked
  client's purchases on the day of the referral or within ``referral_days`` (365)
  after it count, in the week of each purchase; an unlinked referral (or one
  without transactions) counts the first amount recorded on the event. Only
  referrals by a client reached before (or on) the day of the referral count
  toward the return: the campaign asked for them.
- **Return** is revenue won back plus referral revenue; **return per unit of cost**
  is return / cost (1 = paid for itself). **Break-even** is the first week from
  which the cumulative return stays at or above the cumulative cost.
- **By channel and dormancy bucket**, a client's cost and return go to the channel
  of its first contact (the first action when never reached) and to its bucket at
  contact: the cost of a letter group includes the follow-up calls and gifts those
  clients got. Fixed costs stay in a ``"fixed"`` row.
- **Intervals** are a bootstrap over clients (a seeded numpy Generator, 2,000
  resamples): percentile bounds, widened to hold the point estimate. With a
  hold-out, the **incremental return** is (contacted minus hold-out purchases per
  client, both by the hold-out's purchase rule of
  :func:`~reconnect_lib.metrics.campaign_lift`) times the contacted clients,
  against the whole cost; the two groups are resampled apart.

Example
-------
>>> from datetime import date
>>> import pandas as pd
>>> events = pd.DataFrame({
...     "client_id": ["a", "a", "b", "b", "a"],
...     "date": pd.to_datetime(["2026-03-02", "2026-03-09", "2026-03-02", "2026-03-09", "2026-04-01"]),
...     "channel": ["letter", "phone", "letter", "phone", "phone"],
...     "kind": ["contacted", "renewed", "contacted", "no_answer", "referral"],
...     "amount": [None, 600.0, None, None, 150.0],
... })
>>> costs = Costs(letter_print=1.0, letter_postage=1.0, call_minutes=15, hourly_rate=40.0, fixed=100.0)
>>> summary = return_summary(events, costs, as_of=date(2026, 4, 30), resamples=200)
>>> summary.overall[["cost", "revenue_recovered", "referral_revenue", "return_per_cost"]]
    cost  revenue_recovered  referral_revenue  return_per_cost
0  124.0              600.0             150.0         6.048387
>>> summary.break_even_week
'2026-W11'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from .. import _frames as fr
from .. import schema as s
from ..errors import ConfigError, InputError
from ..money import cents
from ..weeks import iso_week, week_monday
from .conversion import _plan_clients
from .holdout import _lift_groups
from .status import (
    _NS,
    ATTRIBUTION_DAYS,
    CONFIDENCE,
    _attributed,
    _check_confidence,
    _check_days,
    _client_columns,
    _current_events,
    _iso_week,
    _purchases,
    contact_outcomes,
)

__all__ = [
    "FIXED",
    "REFERRAL_DAYS",
    "RESAMPLES",
    "Costs",
    "ReturnSummary",
    "break_even_week",
    "campaign_costs",
    "forecast_break_even",
    "paid_statement",
    "referral_links",
    "referral_revenue",
    "return_summary",
]

#: Channel and bucket of the row that holds the fixed costs.
FIXED = "fixed"
#: Days after a referral in which the referred client's purchases count.
REFERRAL_DAYS = 365
#: Bootstrap resamples.
RESAMPLES = 2000
_UNKNOWN = "unknown"
_CELLS = 2_000_000  # client draws held at once: bounds the memory a large client list takes
_FIRST_ACTIONS = ("letter", "email", "call")  # the plan's actions that are a first contact


# --- unit costs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Costs:
    """What each action costs, in the campaign's currency (``[costs]`` in campaign.toml).

    Attributes
    ----------
    letter_print, letter_postage : float
        Per letter.
    gift : float
        Per gift sent.
    call_minutes, hourly_rate : float
        A call's minutes (answered or not) at the caller's hourly rate...
    call_flat : float or None
        ...or a flat cost per call instead (then minutes and rate stay 0).
    email : float
        Per e-mail.
    fixed : float
        Costs that do not grow with the contacts, e.g. a consultant's fee.

    Raises
    ------
    ConfigError
        A cost that is negative, not finite or not a number (naming the field), or
        a call costed both ways.

    Examples
    --------
    >>> Costs(letter_print=0.6, letter_postage=0.9, call_minutes=12, hourly_rate=45.0).per_call
    9.0
    >>> Costs(gift=-5)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    reconnect_lib.errors.ConfigError: column `gift`: [costs] gift = -5 is not a cost (expected ...)
    """

    letter_print: float = 0.0
    letter_postage: float = 0.0
    gift: float = 0.0
    call_minutes: float = 0.0
    hourly_rate: float = 0.0
    call_flat: float | None = None
    email: float = 0.0
    fixed: float = 0.0

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if value is None and item.name == "call_flat":
                continue
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float | np.integer | np.floating)
                or not math.isfinite(float(value))
                or value < 0
            ):
                raise ConfigError(
                    f"[costs] {item.name} = {value!r} is not a cost",
                    column=item.name,
                    expected="a finite amount of 0 or more, in the campaign's currency",
                )
            object.__setattr__(self, item.name, float(value))
        if self.call_flat is not None and (self.call_minutes or self.hourly_rate):
            raise ConfigError(
                "[costs] gives a call both a flat cost and minutes at an hourly rate",
                column="call_flat",
                expected="call_flat alone, or call_minutes and hourly_rate",
            )

    @property
    def per_letter(self) -> float:
        """Print and postage."""
        return self.letter_print + self.letter_postage

    @property
    def per_call(self) -> float:
        """The flat cost, else the minutes at the hourly rate."""
        return self.call_flat if self.call_flat is not None else self.call_minutes / 60 * self.hourly_rate

    def unit(self, channel: str) -> float:
        """The cost of one action on `channel` (0 for a visit or ``other``)."""
        return {
            "letter": self.per_letter,
            "phone": self.per_call,
            "email": self.email,
            "gift": self.gift,
        }.get(channel, 0.0)


# --- cost ---------------------------------------------------------------------------------


def _check_costs(costs: object) -> Costs:
    if not isinstance(costs, Costs):
        raise ConfigError(
            f"`costs` is a {type(costs).__name__}, not a Costs", hint="pass Costs(letter_print=...)"
        )
    return costs


def _actions(ev: pd.DataFrame) -> pd.DataFrame:
    """The costed actions of current events: client_id, date, channel, actions (one per row)."""
    ev = ev[ev[s.KIND] != "referral"]
    keys = [s.CLIENT_ID, s.DATE, s.CHANNEL]
    sent = ev[ev[s.CHANNEL].isin(("letter", "email")) & ev[s.KIND].isin(("contacted", "no_answer"))]
    phone = ev[ev[s.CHANNEL] == "phone"]
    parts = [
        sent.drop_duplicates(keys),
        phone[phone[s.KIND] == "no_answer"],  # every unanswered attempt is a call
        phone[phone[s.KIND].isin(s.CONTACT_KINDS)].drop_duplicates(keys),  # one conversation a day
        ev[ev[s.CHANNEL] == "gift"].drop_duplicates(keys),
    ]
    out = pd.concat([p[keys] for p in parts], ignore_index=True)
    return out.sort_values([s.DATE, s.CLIENT_ID], kind="stable").reset_index(drop=True)


def _buckets(clients: pd.DataFrame | None) -> pd.Series:
    """dormancy_bucket by client_id (empty when there is no client frame or no bucket column)."""
    out = _client_columns(clients)  # checked as every metric checks its clients
    if out is None or s.DORMANCY_BUCKET not in out.columns:
        return pd.Series(dtype="string")
    return pd.Series(out[s.DORMANCY_BUCKET].astype("string").to_numpy(), index=out[s.CLIENT_ID].to_numpy())


def _bucket_order(clients: pd.DataFrame | None) -> pd.Series | None:
    """bucket_order by dormancy_bucket, when `clients` has both."""
    if clients is None or not {s.DORMANCY_BUCKET, s.BUCKET_ORDER} <= set(clients.columns):
        return None
    return clients.groupby(s.DORMANCY_BUCKET)[s.BUCKET_ORDER].min()


def _bucket_of(ids: pd.Series, buckets: pd.Series) -> pd.Series:
    return ids.astype("string").map(buckets).astype("string").fillna(_UNKNOWN)


def campaign_costs(
    events: pd.DataFrame, costs: Costs, *, as_of: date, clients: pd.DataFrame | None = None
) -> pd.DataFrame:
    """What the campaign spent, by ISO week, channel and dormancy bucket, from what the log says was done.

    Parameters
    ----------
    events : pandas.DataFrame
        The outcome log (:meth:`OutcomeStore.events`); corrections applied. Not modified.
    costs : Costs
    as_of : date
        Events after it are not counted.
    clients : pandas.DataFrame, optional
        ``client_id`` and ``dormancy_bucket`` at contact (the frame the rates use, e.g.
        :func:`reconnect_lib.history.clients_at_contact`); without it every bucket is
        ``"unknown"``.

    Returns
    -------
    pandas.DataFrame
        ``week``, ``channel``, ``dormancy_bucket`` (string), ``actions`` (int64),
        ``cost`` (float64), ordered by week, channel and bucket; the fixed costs, if
        any, are a row of channel and bucket ``"fixed"`` (0 actions) in the first
        week of the log (of `as_of` when nothing was done yet). Its ``cost`` sums to
        everything spent.

    Examples
    --------
    >>> from datetime import date
    >>> import pandas as pd
    >>> events = pd.DataFrame({"client_id": ["a", "a", "a", "b"], "date": pd.to_datetime(
    ...                        ["2026-03-02", "2026-03-09", "2026-03-09", "2026-03-03"]),
    ...                        "channel": ["letter", "phone", "phone", "phone"],
    ...                        "kind": ["contacted", "no_answer", "renewed", "no_answer"]})
    >>> campaign_costs(events, Costs(letter_postage=1.5, call_flat=4.0, fixed=50.0), as_of=date(2026, 3, 31))
           week channel dormancy_bucket  actions  cost
    0  2026-W10   fixed           fixed        0  50.0
    1  2026-W10  letter         unknown        1   1.5
    2  2026-W10   phone         unknown        1   4.0
    3  2026-W11   phone         unknown        2   8.0
    """
    unit = _check_costs(costs)
    day = fr.check_as_of(as_of)
    acts = _actions(_current_events(events, day))
    return _cost_table(acts, unit, _buckets(clients), day)


def _cost_table(acts: pd.DataFrame, costs: Costs, buckets: pd.Series, day: date) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            s.WEEK: _iso_week(acts[s.DATE]),
            s.CHANNEL: acts[s.CHANNEL].astype("string"),
            s.DORMANCY_BUCKET: _bucket_of(acts[s.CLIENT_ID], buckets),
            s.ACTIONS: np.ones(len(acts), dtype=np.int64),
            s.COST: acts[s.CHANNEL].map(costs.unit).astype("float64"),
        }
    )
    keys = [s.WEEK, s.CHANNEL, s.DORMANCY_BUCKET]
    table = table.groupby(keys, as_index=False, sort=False)[[s.ACTIONS, s.COST]].sum()
    if costs.fixed > 0:
        first = table[s.WEEK].min() if len(table) else iso_week(day)
        fixed = pd.DataFrame(
            {s.WEEK: [first], s.CHANNEL: [FIXED], s.DORMANCY_BUCKET: [FIXED], s.ACTIONS: [0]}
        )
        table = pd.concat([fixed.assign(**{s.COST: costs.fixed}), table], ignore_index=True)
    rank = {c: i for i, c in enumerate((FIXED, *s.CHANNELS))}
    table = table.assign(_o=table[s.CHANNEL].map(rank)).sort_values([s.WEEK, "_o", s.DORMANCY_BUCKET])
    return (
        table.drop(columns="_o")
        .reset_index(drop=True)
        .astype(
            {
                s.WEEK: "string",
                s.CHANNEL: "string",
                s.DORMANCY_BUCKET: "string",
                s.ACTIONS: "int64",
                s.COST: "float64",
            }
        )
    )


# --- referrals ----------------------------------------------------------------------------


def _name_key(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    text = re.sub(r"\s+", " ", str(value)).strip().casefold()
    return text or None


def _referral_events(ev: pd.DataFrame, clients: pd.DataFrame | None) -> pd.DataFrame:
    """Each current referral: referred_by, date, amount, client_id (linked or NA), linked_by."""
    refs = ev[ev[s.KIND] == "referral"]
    referred = (
        refs[s.REFERRED_CLIENT_ID].astype("string")
        if s.REFERRED_CLIENT_ID in refs.columns
        else pd.Series(pd.NA, index=refs.index, dtype="string")
    )
    known: set[str] = set()
    by_name: dict[str, str] = {}
    if clients is not None:
        if not isinstance(clients, pd.DataFrame):
            raise InputError(f"`clients` is a {type(clients).__name__}, not a pandas DataFrame")
        fr.require_columns(fr.as_frame(clients, "clients"), [s.CLIENT_ID], "clients", "pass the client list")
        ids = clients[s.CLIENT_ID].astype("string")
        known = set(ids.dropna())
        if s.NAME in clients.columns:
            names = pd.Series([_name_key(v) for v in clients[s.NAME]], index=clients.index)
            counts = names.value_counts()
            by_name = {n: str(i) for n, i in zip(names, ids, strict=True) if n is not None and counts[n] == 1}
    notes = refs[s.NOTE] if s.NOTE in refs.columns else pd.Series(None, index=refs.index, dtype=object)
    linked: list[Any] = []
    how: list[Any] = []
    for rid, note, who in zip(referred, notes, refs[s.CLIENT_ID], strict=True):
        if rid is not pd.NA and rid is not None and (clients is None or rid in known):
            linked.append(str(rid))
            how.append("id")
            continue
        match = by_name.get(_name_key(note) or "")
        if match is not None and match != str(who):
            linked.append(match)
            how.append("name")
        else:
            linked.append(pd.NA)
            how.append(pd.NA)
    return pd.DataFrame(
        {
            s.REFERRED_BY: refs[s.CLIENT_ID].astype("string").to_numpy(),
            s.DATE: refs[s.DATE].to_numpy(),
            s.AMOUNT: refs[s.AMOUNT].to_numpy(dtype=float),
            s.CLIENT_ID: pd.array(linked, dtype="string"),
            s.LINKED_BY: pd.array(how, dtype="string"),
        }
    )


def referral_links(events: pd.DataFrame, clients: pd.DataFrame | None, *, as_of: date) -> pd.DataFrame:
    """One row per referred client found in the client list: who introduced them, and when.

    A referral names its new client by ``referred_client_id``; when that is blank
    (or not in `clients`), by the person's name in the note, when exactly one client
    of `clients` has that name (ignoring case and spacing) and it is not the
    referrer. A client referred twice is linked to the first referral.

    Returns
    -------
    pandas.DataFrame
        ``client_id`` (the new client), ``referred_by``, ``date`` (of the referral,
        datetime64), ``linked_by`` (``"id"`` or ``"name"``), by date then client_id.

    Examples
    --------
    >>> from datetime import date
    >>> import pandas as pd
    >>> events = pd.DataFrame({"client_id": ["a", "b", "c"], "kind": ["referral"] * 3,
    ...                        "date": pd.to_datetime(["2026-03-02", "2026-03-05", "2026-03-06"]),
    ...                        "note": ["Ann Lee", "Bo  chan", "Someone new"],
    ...                        "referred_client_id": ["n1", None, None]})
    >>> clients = pd.DataFrame({"client_id": ["a", "b", "c", "n1", "n2"],
    ...                         "name": ["A", "B", "C", "Ann Lee", "Bo Chan"]})
    >>> referral_links(events, clients, as_of=date(2026, 6, 1))
      client_id referred_by       date linked_by
    0        n1           a 2026-03-02        id
    1        n2           b 2026-03-05      name
    """
    day = fr.check_as_of(as_of)
    refs = _referral_events(_current_events(events, day), clients)
    links = refs[refs[s.CLIENT_ID].notna()].drop_duplicates(s.CLIENT_ID, keep="first")
    return links[[s.CLIENT_ID, s.REFERRED_BY, s.DATE, s.LINKED_BY]].reset_index(drop=True)


def referral_revenue(
    events: pd.DataFrame,
    *,
    as_of: date,
    clients: pd.DataFrame | None = None,
    transactions: pd.DataFrame | None = None,
    referral_days: int = REFERRAL_DAYS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What each referral brought: the table of referrals and the revenue by the day it came in.

    A referral linked to a client (:func:`referral_links`) brings that client's
    purchases on the day of the referral or within `referral_days` after it, when
    `transactions` are given; otherwise the first amount recorded on the event. A
    client referred twice brings their revenue once, to the first referral.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The referrals, oldest first: ``referred_by``, ``date``, ``client_id`` (the
        new client or NA), ``linked_by``, ``referral_revenue`` (float64); and the
        revenue as it came in: ``referred_by``, ``date``, ``referral_revenue``.

    Examples
    --------
    >>> from datetime import date
    >>> import pandas as pd
    >>> events = pd.DataFrame({"client_id": ["a", "b"], "kind": ["referral"] * 2, "amount": [90.0, 40.0],
    ...                        "date": pd.to_datetime(["2026-03-02", "2026-03-05"]),
    ...                        "referred_client_id": ["n1", None]})
    >>> bought = pd.DataFrame({"client_id": ["n1", "n1"], "amount": [100.0, 300.0],
    ...                        "date": pd.to_datetime(["2026-03-10", "2027-06-01"])})
    >>> table, _ = referral_revenue(events, as_of=date(2027, 12, 1), transactions=bought)
    >>> table[["referred_by", "client_id", "referral_revenue"]]
      referred_by client_id  referral_revenue
    0           a        n1             100.0
    1           b      <NA>              40.0
    """
    day = fr.check_as_of(as_of)
    window = fr.check_whole("referral_days", referral_days, minimum=0)
    refs = _referral_events(_current_events(events, day), clients)
    linked_rows = refs[s.CLIENT_ID].notna().to_numpy(bool)
    first = linked_rows & ~refs[s.CLIENT_ID].duplicated(keep="first").to_numpy(bool)
    from_purchases = first & (transactions is not None)
    # Unlinked referrals, or any without transactions: the first amount recorded on the event.
    recorded = refs.loc[~linked_rows | (transactions is None), [s.REFERRED_BY, s.DATE, s.AMOUNT]]
    flows = [recorded.rename(columns={s.AMOUNT: s.REFERRAL_REVENUE}).fillna({s.REFERRAL_REVENUE: 0.0})]
    revenue = pd.Series(0.0, index=refs.index)
    revenue[recorded.index] = recorded[s.AMOUNT].fillna(0.0)
    if from_purchases.any():
        linked = refs[from_purchases]
        bought = _attributed(_purchases(transactions, day), linked[[s.CLIENT_ID, s.DATE]], window)
        by_client = bought.groupby(s.CLIENT_ID)[s.AMOUNT].sum()
        revenue[linked.index] = linked[s.CLIENT_ID].map(by_client).fillna(0.0).to_numpy()
        referrer = dict(zip(linked[s.CLIENT_ID], linked[s.REFERRED_BY], strict=True))
        flows.append(
            pd.DataFrame(
                {
                    s.REFERRED_BY: bought[s.CLIENT_ID].map(referrer).astype("string"),
                    s.DATE: bought[s.DATE],
                    s.REFERRAL_REVENUE: bought[s.AMOUNT],
                }
            )
        )
    table = refs.drop(columns=s.AMOUNT).assign(**{s.REFERRAL_REVENUE: revenue.astype("float64")})
    flow = pd.concat(flows, ignore_index=True).astype(
        {s.REFERRED_BY: "string", s.DATE: _NS, s.REFERRAL_REVENUE: "float64"}
    )
    return table.reset_index(drop=True), flow.sort_values(s.DATE, kind="stable").reset_index(drop=True)


# --- return -------------------------------------------------------------------------------


def _weeks(first: str, last: str) -> list[str]:
    start, end = week_monday(first), week_monday(last)
    return [iso_week(start + timedelta(weeks=i)) for i in range((end - start).days // 7 + 1)]


def break_even_week(weekly: pd.DataFrame) -> str | None:
    """The first week from which the cumulative return stays at or above the cumulative cost.

    None when it is not at or above it in the last week, or nothing was spent.

    Examples
    --------
    >>> import pandas as pd
    >>> weekly = pd.DataFrame({"week": ["2026-W10", "2026-W11", "2026-W12", "2026-W13"],
    ...                        "cumulative_cost": [100.0, 150.0, 200.0, 200.0],
    ...                        "cumulative_return": [0.0, 160.0, 190.0, 450.0]})
    >>> break_even_week(weekly)
    '2026-W13'
    """
    if weekly.empty:
        return None
    cost, ret = weekly[s.CUMULATIVE_COST].to_numpy(float), weekly[s.CUMULATIVE_RETURN].to_numpy(float)
    ok = (ret >= cost) & (cost > 0)
    if not ok[-1]:
        return None
    below = np.flatnonzero(~ok)
    return str(weekly[s.WEEK].iloc[below[-1] + 1 if len(below) else 0])


def _weekly(
    cost_table: pd.DataFrame, won: pd.DataFrame, referral_flow: pd.DataFrame, day: date
) -> pd.DataFrame:
    cost = cost_table.groupby(s.WEEK)[s.COST].sum()
    revenue = won.groupby(_iso_week(won[s.WON_BACK_ON]))[s.REVENUE_RECOVERED].sum()
    referral = referral_flow.groupby(_iso_week(referral_flow[s.DATE]))[s.REFERRAL_REVENUE].sum()
    seen = [str(w) for w in (*cost.index, *revenue.index, *referral.index)]
    if not seen:
        weeks: list[str] = []
    else:
        weeks = _weeks(min(seen), max(*seen, iso_week(day)))
    out = pd.DataFrame({s.WEEK: pd.array(weeks, dtype="string")})
    out[s.COST] = cost.reindex(weeks, fill_value=0.0).to_numpy(float)
    out[s.REVENUE_RECOVERED] = revenue.reindex(weeks, fill_value=0.0).to_numpy(float)
    out[s.REFERRAL_REVENUE] = referral.reindex(weeks, fill_value=0.0).to_numpy(float)
    out[s.RETURN] = out[s.REVENUE_RECOVERED] + out[s.REFERRAL_REVENUE]
    out[s.CUMULATIVE_COST] = out[s.COST].cumsum()
    out[s.CUMULATIVE_RETURN] = out[s.RETURN].cumsum()
    return out


def _per_client(
    acts: pd.DataFrame,
    costs: Costs,
    outcomes: pd.DataFrame,
    referrals: pd.DataFrame,
    buckets: pd.Series,
) -> pd.DataFrame:
    """One row per client the campaign spent on or reached: the bootstrap's unit."""
    spent = acts.assign(_c=acts[s.CHANNEL].map(costs.unit).astype("float64")).groupby(s.CLIENT_ID, sort=False)
    first_action = acts.drop_duplicates(s.CLIENT_ID).set_index(s.CLIENT_ID)[s.CHANNEL]
    reached = outcomes.set_index(s.CLIENT_ID)
    ids = pd.Index(list(dict.fromkeys([*reached.index, *first_action.index])), dtype="string")
    first_contact = reached[s.FIRST_CONTACT].reindex(ids)
    # Referrals count for a referrer reached on or before the day of the referral.
    since = _day_of(referrals[s.REFERRED_BY], reached[s.FIRST_CONTACT])
    counted = referrals[(referrals[s.DATE] >= since).to_numpy(bool)]
    referral = counted.groupby(s.REFERRED_BY)[s.REFERRAL_REVENUE].sum().reindex(ids, fill_value=0.0)
    revenue = reached[s.REVENUE_RECOVERED].reindex(ids, fill_value=0.0)
    channel = reached[s.CHANNEL].reindex(ids).fillna(first_action.reindex(ids))
    out = pd.DataFrame(
        {
            s.CLIENT_ID: ids,
            s.CHANNEL: channel.fillna(_UNKNOWN).astype("string").to_numpy(),
            s.DORMANCY_BUCKET: _bucket_of(pd.Series(ids, dtype="string"), buckets).to_numpy(),
            s.FIRST_CONTACT: first_contact.to_numpy(),
            s.COST: spent["_c"].sum().reindex(ids, fill_value=0.0).to_numpy(float),
            s.REVENUE_RECOVERED: revenue.to_numpy(float),
            s.REFERRAL_REVENUE: referral.to_numpy(float),
        }
    )
    out[s.RETURN] = out[s.REVENUE_RECOVERED] + out[s.REFERRAL_REVENUE]
    return out


def _day_of(ids: pd.Series, days: pd.Series) -> pd.Series:
    """The day of each of `ids` in `days` (indexed by client_id; NaT when not there)."""
    found = days.reindex(pd.Index(ids.astype("string"), dtype="string"))
    return pd.Series(found.to_numpy(dtype=_NS), index=ids.index, dtype=_NS)


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else math.nan


def _by(clients: pd.DataFrame, group: str, fixed: float, order: pd.Series | None = None) -> pd.DataFrame:
    cols = [s.COST, s.REVENUE_RECOVERED, s.REFERRAL_REVENUE, s.RETURN]
    table = clients.groupby(group, sort=True).agg(
        **{s.CLIENTS: (s.CLIENT_ID, "size")}, **{c: (c, "sum") for c in cols}
    )
    table = table.reset_index()
    rank = {c: i for i, c in enumerate(s.CHANNELS)} if group == s.CHANNEL else order
    if rank is not None:  # channels in CHANNELS order, buckets in bucket order (most recent first)
        table = table.assign(_o=table[group].map(rank)).sort_values(["_o", group]).drop(columns="_o")
    if fixed > 0:
        row = {group: FIXED, s.CLIENTS: 0, s.COST: fixed, **{c: 0.0 for c in cols[1:]}}
        table = pd.concat([table, pd.DataFrame([row])], ignore_index=True)
    table[s.RETURN_PER_COST] = [_ratio(r, c) for r, c in zip(table[s.RETURN], table[s.COST], strict=True)]
    return table.astype({group: "string", s.CLIENTS: "int64"}).reset_index(drop=True)


def _interval(draws: np.ndarray, point: float, conf: float) -> tuple[float, float]:
    """Percentile bounds of the finite draws, widened to hold the point estimate."""
    finite = draws[np.isfinite(draws)]
    if not math.isfinite(point) or finite.size == 0:
        return (math.nan, math.nan)
    low, high = np.quantile(finite, [(1 - conf) / 2, 1 - (1 - conf) / 2])
    return (min(float(low), point), max(float(high), point))


def _bootstrap(
    groups: list[np.ndarray], statistic: Any, rng: np.random.Generator, resamples: int
) -> np.ndarray:
    """`statistic` of `resamples` resamples, each group (rows of clients) resampled with replacement."""
    out = np.empty(resamples)
    per_chunk = max(1, _CELLS // max(1, sum(len(g) for g in groups)))
    done = 0
    while done < resamples:
        k = min(per_chunk, resamples - done)
        drawn = [g[rng.integers(0, len(g), size=(k, len(g)))] for g in groups]
        with np.errstate(over="ignore"):  # a return over a cost of almost nothing: inf is its limit
            out[done : done + k] = statistic(*drawn)
        done += k
    return out


def paid_statement(
    point: float, low: float, high: float, *, confidence: float = CONFIDENCE, what: str = ""
) -> str:
    """Whether the campaign paid for itself, in words: established when the whole interval is above 1.

    Examples
    --------
    >>> import textwrap
    >>> print(textwrap.fill(paid_statement(2.4, 1.3, 3.8), 90))
    Return per unit of cost 2.40 (95 % interval 1.30 to 3.80). Paid for itself: established,
    the whole interval is above 1.
    >>> print(textwrap.fill(paid_statement(1.2, 0.7, 1.9, what="Incremental return"), 90))
    Incremental return per unit of cost 1.20 (95 % interval 0.70 to 1.90). Paid for itself:
    not yet established, the interval reaches 1 or below.
    """
    label = f"{what} per unit of cost" if what else "Return per unit of cost"
    if not math.isfinite(point):
        return f"{label}: none yet, nothing was spent or no client was contacted."
    if not (math.isfinite(low) and math.isfinite(high)):
        return (
            f"{label} {point:.2f} (no interval: no client to resample yet). "
            "Paid for itself: not yet established."
        )
    conf = f"{100 * _check_confidence(confidence):.0f} %"
    text = f"{label} {point:.2f} ({conf} interval {low:.2f} to {high:.2f}). "
    if low > 1:
        return text + "Paid for itself: established, the whole interval is above 1."
    if high < 1:
        return text + "Paid for itself: not yet established, the whole interval is below 1 so far."
    return text + "Paid for itself: not yet established, the interval reaches 1 or below."


def forecast_break_even(
    weekly: pd.DataFrame, plan: Any, costs: Costs, *, as_of: date, revenue_per_contact: float
) -> str | None:
    """The week the campaign would break even if the plan is carried out and the observed rates hold.

    The assumption, plainly: every planned action after `as_of` costs its unit cost
    (:meth:`Costs.unit`, no more fixed costs), and every planned first contact
    (a letter, e-mail or call) brings the revenue per contacted client observed so
    far, in the week it is made. Revenue comes later than that in truth (the time
    to win back), so the forecast is the earliest likely week, not a promise.

    Parameters
    ----------
    weekly : pandas.DataFrame
        The cumulative table (``week``, ``cumulative_cost``, ``cumulative_return``).
    plan : ContactPlan or pandas.DataFrame
        A plan, or its ``actions`` (``planned_on`` or ``week``, ``channel``, ``action``).

    Returns
    -------
    str or None
        The ISO week, or None when the plan ends before it (or nothing is planned).

    Examples
    --------
    >>> from datetime import date
    >>> import pandas as pd
    >>> weekly = pd.DataFrame({"week": ["2026-W10"], "cumulative_cost": [300.0], "cumulative_return": [0.0]})
    >>> actions = pd.DataFrame({"planned_on": pd.to_datetime(["2026-03-09"] * 2 + ["2026-03-16"] * 2),
    ...                         "channel": ["letter"] * 4, "action": ["letter"] * 4})
    >>> forecast_break_even(weekly, actions, Costs(letter_postage=2.0), as_of=date(2026, 3, 8),
    ...                     revenue_per_contact=100.0)
    '2026-W12'
    """
    unit = _check_costs(costs)
    day = fr.check_as_of(as_of)
    actions = getattr(plan, "actions", plan)
    if not isinstance(actions, pd.DataFrame) or not math.isfinite(revenue_per_contact):
        return None
    fr.require_columns(
        fr.as_frame(actions, "plan"), [s.CHANNEL], "plan", "pass the ContactPlan or its actions"
    )
    if s.PLANNED_ON in actions.columns:
        on = pd.to_datetime(actions[s.PLANNED_ON]).dt.normalize()
        future = actions[on > pd.Timestamp(day)]
        weeks = _iso_week(on[future.index])
    else:
        weeks = actions[s.WEEK].astype("string")
        future = actions[weeks > iso_week(day)]
        weeks = weeks[future.index]
    first = (
        future[s.ACTION].isin(_FIRST_ACTIONS) if s.ACTION in future.columns else pd.Series(True, future.index)
    )
    step = (
        pd.DataFrame(
            {
                s.WEEK: weeks.to_numpy(),
                s.COST: future[s.CHANNEL].map(unit.unit).fillna(0.0).to_numpy(float),
                s.RETURN: np.where(first.to_numpy(bool), revenue_per_contact, 0.0),
            }
        )
        .groupby(s.WEEK, sort=True)
        .sum()
    )
    cost = float(weekly[s.CUMULATIVE_COST].iloc[-1]) if len(weekly) else 0.0
    ret = float(weekly[s.CUMULATIVE_RETURN].iloc[-1]) if len(weekly) else 0.0
    for week, row in step.iterrows():
        cost += float(row[s.COST])
        ret += float(row[s.RETURN])
        if cost > 0 and ret >= cost:
            return str(week)
    return None


@dataclass(frozen=True, eq=False)
class ReturnSummary:
    """The campaign's cost and return on one date (see :func:`return_summary`).

    ``overall`` is one row: ``contacted``, ``cost``, ``revenue_recovered``,
    ``referral_revenue``, ``return``, ``return_per_cost`` with its interval
    (``return_per_cost_low``/``_high``) and ``revenue_per_contacted`` with its own.
    ``weekly`` holds the cost and return of each ISO week and their running totals;
    ``by_channel`` and ``by_bucket`` the same per group; ``costs`` what was spent by
    week, channel and bucket; ``referrals`` every referral and what it brought.
    ``incremental`` (with a hold-out) is one row: ``contacted``,
    ``contacted_revenue_per_client``, ``holdout_clients``,
    ``holdout_revenue_per_client``, ``incremental_return``, ``cost``,
    ``return_per_cost`` and its interval.
    """

    as_of: date
    costs: pd.DataFrame
    weekly: pd.DataFrame
    overall: pd.DataFrame
    by_channel: pd.DataFrame
    by_bucket: pd.DataFrame
    referrals: pd.DataFrame
    break_even_week: str | None
    forecast_break_even_week: str | None
    statement: str
    incremental: pd.DataFrame | None = None
    incremental_statement: str | None = None
    notes: tuple[str, ...] = field(default=())

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name, for CSV or JSON output."""
        out = {
            "overall": self.overall,
            "weekly": self.weekly,
            "by_channel": self.by_channel,
            "by_bucket": self.by_bucket,
            "costs": self.costs,
            "referrals": self.referrals,
        }
        if self.incremental is not None:
            out["incremental"] = self.incremental
        return out

    def numbers(self) -> dict[str, Any]:
        """Every number as plain JSON values (None for a missing one, dates as ISO text)."""
        return {
            "as_of": self.as_of.isoformat(),
            "overall": _records(self.overall)[0],
            "break_even_week": self.break_even_week,
            "forecast_break_even_week": self.forecast_break_even_week,
            "statement": self.statement,
            "incremental": None if self.incremental is None else _records(self.incremental)[0],
            "incremental_statement": self.incremental_statement,
            "tables": {name: _records(table) for name, table in self.tables().items() if name != "overall"},
            "notes": list(self.notes),
        }


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _rounded(key: str, value: Any) -> Any:
    """Money to the cent, a return per unit of cost to four places; anything else as it is."""
    if not isinstance(value, float):
        return value
    if key.startswith("return_per_cost"):
        return round(value, 4)
    if any(word in key for word in ("cost", "revenue", "return", "amount")):
        return cents(value)
    return value


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _rounded(str(k), _plain(v)) for k, v in row.items()} for row in table.to_dict("records")]


def _holdout_frames(plan: Any, holdout: pd.DataFrame | None) -> pd.DataFrame | None:
    parts = []
    if holdout is not None:
        parts.append(_plan_clients(holdout, what="holdout")[1])
    own = getattr(plan, "holdout", None)
    if isinstance(own, pd.DataFrame):
        parts.append(_plan_clients(own, what="holdout")[1])
    elif isinstance(plan, pd.DataFrame) and s.HOLDOUT in plan.columns:
        parts.append(_plan_clients(plan, what="plan")[1])
    return pd.concat(parts, ignore_index=True).drop_duplicates(s.CLIENT_ID) if parts else None


def return_summary(
    events: pd.DataFrame,
    costs: Costs,
    *,
    as_of: date,
    transactions: pd.DataFrame | None = None,
    clients: pd.DataFrame | None = None,
    client_list: pd.DataFrame | None = None,
    plan: Any = None,
    holdout: pd.DataFrame | None = None,
    attribution_days: int = ATTRIBUTION_DAYS,
    referral_days: int = REFERRAL_DAYS,
    confidence: float = CONFIDENCE,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> ReturnSummary:
    """Did the campaign pay for itself? Cost, return, break-even and intervals on `as_of`.

    Parameters
    ----------
    events, as_of, transactions, attribution_days
        As in :func:`~reconnect_lib.metrics.contact_outcomes`.
    costs : Costs
    clients : pandas.DataFrame, optional
        ``client_id`` and ``dormancy_bucket`` at contact (e.g. ``clients_at_contact``).
    client_list : pandas.DataFrame, optional
        The client list (``client_id``, ``name``) that referrals are linked in; by
        default `clients`.
    plan : ContactPlan or pandas.DataFrame, optional
        For the forecast of the break-even week (:func:`forecast_break_even`), and
        its hold-out clients.
    holdout : pandas.DataFrame, optional
        Hold-out clients, as in :func:`~reconnect_lib.metrics.campaign_lift`.
    referral_days : int
        Days after a referral in which the referred client's purchases count.
    confidence, resamples, seed
        Of the bootstrap intervals (a numpy Generator seeded with `seed`).

    Returns
    -------
    ReturnSummary
    """
    unit = _check_costs(costs)
    day = fr.check_as_of(as_of)
    window = _check_days(attribution_days)
    conf = _check_confidence(confidence)
    draws = fr.check_whole("resamples", resamples, minimum=1)
    ev = _current_events(events, day)
    buckets = _buckets(clients)
    acts = _actions(ev)
    cost_table = _cost_table(acts, unit, buckets, day)
    outcomes = contact_outcomes(events, as_of=day, transactions=transactions, attribution_days=window)
    referrals, flow = referral_revenue(
        events,
        as_of=day,
        clients=client_list if client_list is not None else clients,
        transactions=transactions,
        referral_days=referral_days,
    )
    reached = outcomes.set_index(s.CLIENT_ID)[s.FIRST_CONTACT]
    referrals = referrals.assign(**{s.FIRST_CONTACT: _day_of(referrals[s.REFERRED_BY], reached)})
    counted_flow = flow[(flow[s.DATE] >= _day_of(flow[s.REFERRED_BY], reached)).to_numpy(bool)]
    per_client = _per_client(acts, unit, outcomes, referrals, buckets)
    won = outcomes[outcomes[s.WON_BACK_FLAG]]
    weekly = _weekly(cost_table, won, counted_flow, day)

    total_cost = float(cost_table[s.COST].sum())
    contacted = int(per_client[s.FIRST_CONTACT].notna().sum())
    totals = per_client[[s.REVENUE_RECOVERED, s.REFERRAL_REVENUE, s.RETURN]].sum()
    rng = np.random.default_rng(seed)
    rows = per_client[[s.COST, s.RETURN]].to_numpy(float)
    rows = np.column_stack([rows, per_client[s.FIRST_CONTACT].notna().to_numpy(float)])

    def per_cost(sample: np.ndarray) -> np.ndarray:
        spent = sample[..., 0].sum(axis=-1) + unit.fixed
        return np.where(spent > 0, sample[..., 1].sum(axis=-1) / np.where(spent > 0, spent, 1.0), np.nan)

    def per_contact(sample: np.ndarray) -> np.ndarray:
        n = sample[..., 2].sum(axis=-1)
        return np.where(
            n > 0, (sample[..., 1] * sample[..., 2]).sum(axis=-1) / np.where(n > 0, n, 1.0), np.nan
        )

    point_cost = _ratio(float(totals[s.RETURN]), total_cost)
    point_contact = _ratio(float(totals[s.RETURN]), contacted)
    if len(rows):
        cost_draws = _bootstrap([rows], per_cost, rng, draws)
        contact_draws = _bootstrap([rows], per_contact, rng, draws)
    else:
        cost_draws = contact_draws = np.array([])
    low, high = _interval(cost_draws, point_cost, conf)
    c_low, c_high = _interval(contact_draws, point_contact, conf)
    overall = pd.DataFrame(
        {
            s.CONTACTED: [contacted],
            s.COST: [total_cost],
            s.REVENUE_RECOVERED: [float(totals[s.REVENUE_RECOVERED])],
            s.REFERRAL_REVENUE: [float(totals[s.REFERRAL_REVENUE])],
            s.RETURN: [float(totals[s.RETURN])],
            s.RETURN_PER_COST: [point_cost],
            s.RETURN_LOW: [low],
            s.RETURN_HIGH: [high],
            s.REVENUE_PER_CONTACTED: [point_contact],
            s.REVENUE_PER_CONTACTED_LOW: [c_low],
            s.REVENUE_PER_CONTACTED_HIGH: [c_high],
        }
    ).astype({s.CONTACTED: "int64"})
    notes = [
        "Costs are counted from the outcome log (letters, e-mails, calls answered or not, gifts), "
        "not from the plan; fixed costs are one row in the campaign's first week."
    ]
    uncounted = int(
        (referrals[s.FIRST_CONTACT].isna() | (referrals[s.DATE] < referrals[s.FIRST_CONTACT])).sum()
    )
    if uncounted:
        notes.append(
            f"{uncounted:,} referrals came from clients not yet reached by the campaign: not counted."
        )

    incremental = incremental_text = None
    held = _holdout_frames(plan, holdout)
    if held is not None and transactions is not None and not held.empty:
        incremental, incremental_text = _incremental(
            outcomes, held, transactions, day, window, total_cost, conf, rng, draws
        )
        notes.append(
            "Incremental return: purchases within the attribution window of the first contact (for the "
            "hold-out, of its planned day) per client, contacted minus hold-out, times the contacted "
            "clients, against the whole cost; referrals are not in it (a hold-out is not asked for any)."
        )
    elif held is None:
        notes.append(
            "No hold-out group: the return shows what contacted clients brought, "
            "not what the campaign caused."
        )

    forecast = None
    even = break_even_week(weekly)
    if even is None and plan is not None:
        forecast = forecast_break_even(weekly, plan, unit, as_of=day, revenue_per_contact=point_contact)
        notes.append(
            "Forecast: each planned first contact brings the revenue per contacted client seen so far, "
            "in the week it is made, and each planned action costs its unit cost."
        )
    return ReturnSummary(
        as_of=day,
        costs=cost_table,
        weekly=weekly,
        overall=overall,
        by_channel=_by(per_client, s.CHANNEL, unit.fixed),
        by_bucket=_by(per_client, s.DORMANCY_BUCKET, unit.fixed, _bucket_order(clients)),
        referrals=referrals,
        break_even_week=even,
        forecast_break_even_week=forecast,
        statement=paid_statement(point_cost, low, high, confidence=conf),
        incremental=incremental,
        incremental_statement=incremental_text,
        notes=tuple(notes),
    )


def _incremental(
    outcomes: pd.DataFrame,
    held: pd.DataFrame,
    transactions: pd.DataFrame,
    day: date,
    window: int,
    total_cost: float,
    conf: float,
    rng: np.random.Generator,
    draws: int,
) -> tuple[pd.DataFrame | None, str]:
    groups = _lift_groups(outcomes, held, day, window, None)
    purchases = _purchases(transactions, day)

    def revenue(refs: pd.DataFrame) -> np.ndarray:
        bought = _attributed(purchases, refs, window).groupby(s.CLIENT_ID)[s.AMOUNT].sum()
        return refs[s.CLIENT_ID].map(bought).fillna(0.0).to_numpy(float)

    treated, control = revenue(groups.contacted), revenue(groups.holdout)
    n_contacted = len(outcomes)
    if not (len(treated) and len(control)):
        return (
            None,
            "No incremental return yet: it needs contacted and hold-out clients whose window has passed.",
        )
    gain = (treated.mean() - control.mean()) * n_contacted
    point = _ratio(gain, total_cost)

    def statistic(t: np.ndarray, c: np.ndarray) -> np.ndarray:
        return (t.mean(axis=-1) - c.mean(axis=-1)) * n_contacted / total_cost if total_cost > 0 else np.nan

    sampled = _bootstrap([treated, control], statistic, rng, draws) if total_cost > 0 else np.array([])
    low, high = _interval(sampled, point, conf)
    table = pd.DataFrame(
        {
            s.CONTACTED: [n_contacted],
            s.TREATED_REVENUE: [float(treated.mean())],
            s.HOLDOUT_CLIENTS: [len(control)],
            s.HOLDOUT_REVENUE: [float(control.mean())],
            s.INCREMENTAL_RETURN: [float(gain)],
            s.COST: [total_cost],
            s.RETURN_PER_COST: [point],
            s.RETURN_LOW: [low],
            s.RETURN_HIGH: [high],
        }
    ).astype({s.CONTACTED: "int64", s.HOLDOUT_CLIENTS: "int64"})
    return table, paid_statement(point, low, high, confidence=conf, what="Incremental return")

"""The contact plan: who to contact in which week, on which channel, and what each contact promises.

The field report's method, week by week. The clients due for contact (silent
for more than six months) are put in order, by default the most valuable client
of each dormancy bucket, then the next of each, and so on, and given to the
primary channel within its weekly capacity (10 letters a week by default). Each
letter promises an action a few days later, a follow-up call (and optionally a
small gift), which the plan books in the phone capacity of the week it falls
in. Once the catch-up is done the plan keeps up: every client not yet due gets
their letter in the week before they would cross the six-month mark.

Who is planned
--------------
Every client of the scored base ends up either in :attr:`ContactPlan.actions`
(with exactly one first contact) or in :attr:`ContactPlan.excluded` with a
reason; nobody is dropped silently. The reasons, the first that applies wins:

- ``do_not_contact``: flagged in the client list or in the outcome log;
- ``lost``: the outcome log says they moved on (and no win since); writing
  again is a person's decision, not the plan's;
- ``recently_contacted``: the last contact (contact history or outcome log) was
  fewer than ``recently_contacted_days`` before ``as_of``; they come back in a
  later week's plan once that time has passed;
- ``unreachable``: no address (letter), e-mail or phone for any channel the
  plan uses (a contact column absent from the frame counts as known);
- ``not_due``: not due, and no date to tell when they will be;
- ``holdout``: set aside to measure what happens without contact;
- ``beyond_horizon``: only when ``weeks`` cuts the plan short.

A client is due when the scored base says so (``due``), unless the outcome log
shows a contact less than ``due_after_months`` ago: a letter from the campaign
is the firm being in touch, so that client moves to keep-up, due again six
months after that contact.

A client won back is not left out: once caught up, nobody should slide past
six months again, a client who has just come back included. The renewal (a
logged contact) or the purchase that won them back starts their six months,
and they get a keep-up contact before the mark like everyone else.

Order
-----
``strategy`` (validated once; a :class:`~reconnect_lib.errors.ConfigError`
lists the choices):

- ``round_robin`` (default, the field report): within each dormancy bucket the
  clients are ranked by ``value_score`` (highest first, ``client_id`` breaking
  ties); then rank 1 of every bucket, then rank 2 of every bucket, and so on.
  Within a round the most recently lapsed bucket comes first: those clients
  are the likeliest to come back, and every week they wait they slide towards
  an older bucket.
- ``value``: highest ``expected_value`` first.
- ``dormancy``: longest dormant first (unknown counts as longest), then by value.
- ``custom``: ``sort_key``, a column name or a list of them, ascending; prefix
  a name with ``-`` for descending (``["-value_at_stake", "days_dormant"]``);
  unknown values last.

Every order ends with ``client_id``, so it is total and reproducible.

Stability on rerun
------------------
The order is a pure function of the scored base and the status frame. Ranks
within a bucket are counted over the **whole bucket** of the scored base
(contacted, excluded and not-yet-due clients included), so a client who drops
out of the plan (contacted, lost, asked not to be contacted) never moves
anyone else: rerun next week with the first week marked contacted in the
outcome log and the remaining clients keep their order exactly, provided the
scored base itself did not change. What can change it, and how much:

- a client crossing into another bucket (a bucket edge passes by, or a contact
  recorded in the contact history moves them to the active bucket) takes its
  new place, and renumbers the clients ranked below it in the bucket it left
  (each one round earlier) and in the bucket it joined (each one round later);
  everyone else keeps their relative order;
- a value that changes (yearly revenue is revenue per year of tenure, and
  tenure grows) can swap two clients of close value.

Newly lapsing clients join the queue when they become due.

Channels
--------
A letter needs a postal address (``address_line1``), an e-mail an ``email``
and a call a ``phone``; a client is only ever planned on a channel they can be
reached by.

``channels`` (campaign.toml's ``[plan] channels``) is an order of preference:
each client gets the first channel of the list they can be reached by and that
has capacity, and each channel works through its own clients week by week.

Without it, the first contact goes out on the **primary** channel(s):
``letter`` when it has capacity (the field report; the phone capacity then
serves the follow-up calls), otherwise every one of ``email`` and ``phone``
with capacity (the win-back by phone and e-mail), the queue shared out in
proportion to their capacities (a client who cannot be reached on their
share's channel takes the first one they can be). A client who can be reached
on none of them takes the first other channel with capacity they can be
reached by, in the order letter, e-mail, phone: a list with e-mails and phones
but no postal addresses is contacted by e-mail and phone. ``primary=`` (Python
only) names the primary channels and allows no other.

A letter or e-mail promises a follow-up call ``follow_up_days`` later (a call
due on a weekend moves to the Monday), booked in the phone capacity of the week
the call falls in (what that week's first calls leave of it, when some clients
can only be called); when that week is full it moves to the same weekday of
the first later week with room. The letter states the booked day. When the
phone is itself a primary channel its capacity goes to first calls, and
letters and e-mails promise no call (a call booked weeks away would be a
broken promise). With ``gift=True`` every
letter or e-mail also promises a gift, sent on the day the call is due (within
a ``gift`` capacity when one is given, else unlimited).

Within a week, a channel's first contacts are spread over Monday to Friday in
queue order (position ``p`` of a channel with capacity ``c`` goes on weekday
``5 p // c``), never before ``as_of``.

Keep-up and how far the plan looks
----------------------------------
Every client to contact is planned once: the due clients in the catch-up
first, then the clients not yet due in keep-up mode, in the week before they would
cross the due mark (they all cross within ``due_after_months``, so the plan
ends at most that long after the catch-up). During the catch-up the capacity
goes to the catch-up, and clients crossing in the meantime are contacted right
after it, longest lapsed first (the notes count them); once caught up, each
client is contacted before crossing. A plan is rerun every week, so later
contacts (a client contacted in week 1 due again six months on) are planned
then. ``weeks=`` cuts the plan to that many weeks (the rest is excluded as
``beyond_horizon``).

Hold-out
--------
With ``holdout_share > 0`` and at least ``holdout_min_due`` (1,000) due clients
to contact, a share of them is set aside and not contacted, so that win-back can
later be compared with what happens without contact. Each client's draw is a
number in [0, 1) from a keyed hash of their ``client_id``, the key coming from a
``numpy`` Generator seeded with ``seed``; a client is held out when it is below
``holdout_share``. Same seed, same hold-out, whatever the row order, and, what
a comparison needs most, a held-out client stays held out on every rerun (a
draw that depended on who else is still due would release held-out clients
as the others get contacted). Every bucket gets the same chance, so the
hold-out is stratified by bucket in expectation; the notes give the share drawn.
Fewer due clients than ``holdout_min_due`` switch it off, with the reason in
the notes: a few dozen held-out clients could not show a difference.

The input may be pandas or Polars (converted once); the plan's tables are pandas.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from numbers import Real
from typing import Any, Literal, get_args

import narwhals as nw
import numpy as np
import pandas as pd

from . import _frames as fr
from .config import DEFAULT_CAPACITY, CampaignConfig
from .dormancy import months_to_days
from .errors import ConfigError, InputError, Problem
from .money import counted
from .options import STRATEGIES, FirstChannel, Strategy
from .schema import (
    ACCOUNT_OWNER,
    ACTION,
    ADDRESS_LINE1,
    ADDRESS_LINE2,
    BUCKET_ORDER,
    CHANNEL,
    CITY,
    CLIENT_ID,
    CLIENT_SINCE,
    CLIENT_STATUS_COLUMNS,
    COMPANY,
    CONTACT_ON,
    COUNTRY,
    CROSSES_ON,
    CROSSING,
    CROSSING_LEFT_OUT,
    DAYS_DORMANT,
    DO_NOT_CONTACT,
    DORMANCY_BUCKET,
    DORMANT_SINCE,
    DUE,
    EMAIL,
    EXPECTED_VALUE,
    FIRST_PURCHASE,
    FOLLOW_UP_ON,
    GIFT_ON,
    KEEP_UP_CONTACTS,
    LAST_CONTACT,
    LAST_LOGGED_CONTACT,
    LAST_PURCHASE,
    LATE,
    MODE,
    N_PURCHASES,
    NAME,
    NOTE,
    OPEN_PROBLEM,
    PHONE,
    PLAN_ORDER,
    PLANNED_ON,
    POSTCODE,
    REASON,
    REGION,
    RFM_SEGMENT,
    STATUS,
    STATUSES,
    TOTAL_REVENUE,
    VALUE_AT_STAKE,
    VALUE_SCORE,
    WEEK,
    WEEK_ORDER,
    WEEK_START,
)
from .weeks import iso_week, week_monday

PrimaryChannel = FirstChannel  # declared once, with [plan] channels
PRIMARY_CHANNELS: tuple[str, ...] = get_args(PrimaryChannel)

ExclusionReason = Literal[
    "do_not_contact",
    "lost",
    "recently_contacted",
    "unreachable",
    "not_due",
    "holdout",
    "beyond_horizon",
]
#: Why a client is not planned, in the order the rules apply (the first wins).
EXCLUSION_REASONS: tuple[str, ...] = get_args(ExclusionReason)

Action = Literal["letter", "email", "call", "follow_up_call", "gift"]
#: The actions of a plan, in the order a week's actions are listed.
ACTIONS: tuple[str, ...] = get_args(Action)

Mode = Literal["catch_up", "keep_up"]
_ACTION_RANK = {a: i for i, a in enumerate(ACTIONS)}

#: Channels a capacity may be given for (as in campaign.toml's [plan.capacity]).
CAPACITY_CHANNELS: tuple[str, ...] = ("letter", "phone", "email", "visit", "gift")
#: Below this many due clients a hold-out is too small to show anything: off unless forced.
HOLDOUT_MIN_DUE = 1_000
WORKING_DAYS = 5

#: The action a first contact on each primary channel is.
PRIMARY_ACTION: dict[str, str] = {"letter": "letter", "email": "email", "phone": "call"}
#: The column a client needs filled to be reached on each primary channel.
REACH_COLUMN: dict[str, str] = {"letter": ADDRESS_LINE1, "email": EMAIL, "phone": PHONE}

#: Client columns carried into the plan's actions when the scored base has them.
CLIENT_FIELDS: tuple[str, ...] = (
    NAME,
    COMPANY,
    PHONE,
    EMAIL,
    ADDRESS_LINE1,
    ADDRESS_LINE2,
    CITY,
    REGION,
    POSTCODE,
    COUNTRY,
    ACCOUNT_OWNER,
    CLIENT_SINCE,
    FIRST_PURCHASE,
    LAST_PURCHASE,
    LAST_CONTACT,
    N_PURCHASES,
    TOTAL_REVENUE,
    DORMANCY_BUCKET,
    BUCKET_ORDER,
    DAYS_DORMANT,
    DORMANT_SINCE,
    RFM_SEGMENT,
    VALUE_AT_STAKE,
    EXPECTED_VALUE,
    VALUE_SCORE,
)
#: Columns every status frame (one row per client in the outcome log) must have.
STATUS_COLUMNS: tuple[str, ...] = CLIENT_STATUS_COLUMNS

_NAT = np.datetime64("NaT", "D")
_EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday (Monday = 0)
_HINT_SCORED = "pass the scored client base: reconnect_lib.scored_base(...).scored or value_scores(...)"
_HINT_STATUS = "the status frame has one row per client in the outcome log, with columns " + ", ".join(
    STATUS_COLUMNS
)


# --- ISO weeks -------------------------------------------------------------------------


def first_week(as_of: date, start_week: str | None = None) -> str:
    """The first ISO week of a plan made on `as_of`.

    The week of `as_of`, or the next one when `as_of` is a Saturday or Sunday;
    `start_week` when given, provided it still has a working day on or after
    `as_of`.

    Raises
    ------
    ConfigError
        `start_week` is not an ISO week, or is over by `as_of`.

    Examples
    --------
    >>> first_week(date(2026, 11, 25)), first_week(date(2026, 11, 28))
    ('2026-W48', '2026-W49')
    """
    return iso_week(_start_monday(fr.check_as_of(as_of), start_week))


# --- the plan --------------------------------------------------------------------------


@dataclass(frozen=True)
class Forecast:
    """When the catch-up ends at the current capacity, and what would finish it sooner.

    Attributes
    ----------
    start_week : str
        The plan's first ISO week.
    weekly_capacity : int
        First contacts a week over the primary channels.
    catch_up_clients : int
        Due clients to contact (hold-out and exclusions left out).
    weeks_needed : int
        Weeks the catch-up takes at `weekly_capacity`: ``ceil(catch_up_clients /
        weekly_capacity)`` with one primary channel (with several, the longest
        of the channels' own shares).
    end_week : str or None
        The ISO week of the last catch-up contact; None when nobody is due.
    keep_up_clients : int
        Clients not yet due, planned before they cross the due mark.
    keep_up_per_week : int
        First contacts a week that would keep every client the plan looks after
        (planned, recently contacted or beyond the horizon) within the due mark
        once caught up: those clients over the weeks in ``due_after_months``.
    due_after_days : int
        The due mark, in days.
    """

    start_week: str
    weekly_capacity: int
    catch_up_clients: int
    weeks_needed: int
    end_week: str | None
    keep_up_clients: int
    keep_up_per_week: int
    due_after_days: int

    def weeks_until(self, target: date | str) -> int:
        """Weeks from the start week through the week of `target`, both included."""
        monday = week_monday(target) if isinstance(target, str) else _monday_of(fr.check_as_of(target))
        weeks = (monday - week_monday(self.start_week)).days // 7 + 1
        if weeks < 1:
            raise ConfigError(
                f"target {target} is before the plan starts ({self.start_week})",
                expected=f"a date or ISO week from {self.start_week} on",
            )
        return weeks

    def capacity_needed(self, target: date | str) -> int:
        """First contacts a week that finish the catch-up by the end of `target`'s week.

        Parameters
        ----------
        target : datetime.date or str
            A day, or an ISO week ``YYYY-Www``.

        Returns
        -------
        int
            ``ceil(catch_up_clients / weeks)``, weeks counted from the start week
            through the target's week.

        Examples
        --------
        >>> f = Forecast("2026-W48", 10, 500, 50, "2027-W44", 0, 0, 183)
        >>> f.capacity_needed("2027-W20")  # 26 weeks: 2026 has 53 ISO weeks
        20
        """
        return math.ceil(self.catch_up_clients / self.weeks_until(target))


@dataclass(frozen=True)
class ContactPlan:
    """A week-by-week contact plan (see the module docstring for how it is built).

    Attributes
    ----------
    actions : pandas.DataFrame
        One row per planned action, sorted by week, action and ``week_order``:

        - ``week`` (str, ``2026-W48``), ``week_start`` (datetime64[us], its
          Monday), ``planned_on`` (datetime64[us], the day);
        - ``channel`` (str: letter, email, phone, gift) and ``action`` (str:
          letter, email, call, follow_up_call, gift);
        - ``week_order`` (int64): 1, 2, ... among the week's actions of that
          kind, by day then queue order;
        - ``plan_order`` (int64): the client's place in the contact queue;
        - ``mode`` (str): ``catch_up`` or ``keep_up``;
        - ``client_id``; ``contact_on``, ``follow_up_on``, ``gift_on``
          (datetime64[us]): the client's first contact, promised call and gift
          (NaT when none), on every row of the client;
        - when the scored base has them, ``name``, ``dormancy_bucket``,
          ``bucket_order``, ``value_score``.

        The other client columns are in `clients`; :meth:`week` and
        :meth:`first_contacts` join them in (kept apart so that a plan of a
        million clients does not copy every address three times).
    clients : pandas.DataFrame
        One row per client of the scored base, in its order: ``client_id``,
        the client columns of :data:`CLIENT_FIELDS` it has (and ``due``,
        ``do_not_contact``), then what the plan decided (:data:`PLAN_CLIENT_COLUMNS`):
        ``plan_order`` (Int64, null when not planned), ``reason`` (str, null
        when planned), ``mode``, ``channel`` of the first contact,
        ``contact_on``, ``follow_up_on``, ``gift_on`` (datetime64[us], NaT when
        none), ``crosses_on`` (the day a client not yet due becomes due),
        ``status``, ``last_logged_contact``, ``open_problem`` (bool) and
        ``note`` from the status frame and notes.
    holdout : pandas.DataFrame
        The clients set aside: ``client_id``, ``dormancy_bucket``,
        ``bucket_order`` and the value columns, by bucket then ``client_id``.
    excluded : pandas.DataFrame
        Every client not planned, with ``reason`` (one of
        :data:`EXCLUSION_REASONS`), hold-out included, by reason, bucket and
        ``client_id``.
    forecast : Forecast
    notes : tuple of str
        What a reader should know (hold-out off and why, unused capacity,
        follow-ups falling behind, ...).
    as_of : datetime.date
    start_week : str
    capacity : dict
        Contacts per week and channel, as used.
    primary : tuple of str
        The channels carrying first contacts, in order of preference (the
        primary ones when nobody is planned).
    strategy : str
    follow_up_days : int
    gift : bool
    """

    actions: pd.DataFrame
    clients: pd.DataFrame
    holdout: pd.DataFrame
    excluded: pd.DataFrame
    forecast: Forecast
    notes: tuple[str, ...]
    as_of: date
    start_week: str
    capacity: dict[str, int] = field(default_factory=dict)
    primary: tuple[str, ...] = ("letter",)
    strategy: str = "round_robin"
    follow_up_days: int = 7
    gift: bool = False

    @cached_property
    def _client_rows(self) -> pd.Index:
        return pd.Index(self.clients[CLIENT_ID])

    def with_details(self, actions: pd.DataFrame) -> pd.DataFrame:
        """`actions` (rows of :attr:`actions`) with every column of :attr:`clients` they lack."""
        extra = [c for c in self.clients.columns if c not in actions.columns and c != REASON]
        rows = self._client_rows.get_indexer(actions[CLIENT_ID])
        details = self.clients[extra].iloc[rows].reset_index(drop=True)
        return pd.concat([actions.reset_index(drop=True), details], axis=1)

    def week(self, week: str) -> pd.DataFrame:
        """The actions planned in one ISO week, with every client column (index 0..n-1)."""
        week_monday(week)
        return self.with_details(self.actions.loc[self.actions[WEEK] == week])

    def first_contacts(self) -> pd.DataFrame:
        """One row per planned client: their first contact (letter, e-mail or call), in queue order,
        with every client column."""
        first = self.actions.loc[self.actions[ACTION].isin([PRIMARY_ACTION[c] for c in PRIMARY_CHANNELS])]
        return self.with_details(first.sort_values(PLAN_ORDER, kind="stable"))

    def weekly_counts(self) -> pd.DataFrame:
        """Actions per week: one row per planned week, one int64 column per action of :data:`ACTIONS`.

        Also ``catch_up_left`` (int64): due clients still to contact after the week.
        """
        counts = pd.crosstab(self.actions[WEEK], self.actions[ACTION])
        counts = counts.reindex(columns=list(ACTIONS), fill_value=0).astype("int64")
        counts.columns.name = None
        done = self._catch_up_contacts().groupby(WEEK).size().reindex(counts.index, fill_value=0)
        counts["catch_up_left"] = (self.forecast.catch_up_clients - done.cumsum()).astype("int64")
        return counts.rename_axis(WEEK).reset_index()

    def _catch_up_contacts(self) -> pd.DataFrame:
        a = self.actions
        primary = a[ACTION].isin([PRIMARY_ACTION[c] for c in PRIMARY_CHANNELS])
        return a.loc[primary & (a[MODE] == "catch_up"), [WEEK, WEEK_START]]

    def summary(self, week: str | None = None, *, finish_in_weeks: int = 26) -> dict[str, Any]:
        """The headline numbers of the plan for one week, as plain Python values.

        Parameters
        ----------
        week : str, optional
            An ISO week; default the start week.
        finish_in_weeks : int
            For ``capacity_to_finish``: the weekly capacity that would finish the
            catch-up within this many weeks from the start.

        Returns
        -------
        dict
            ``week``, ``week_start`` (date), ``this_week`` (action -> count, every
            action of :data:`ACTIONS`), ``catch_up_clients``,
            ``catch_up_left`` (due clients not contacted by the end of the
            week), ``keep_up_clients``, ``weekly_capacity``, ``weeks_needed``,
            ``end_week``, ``finish_in_weeks``, ``finish_by_week`` and
            ``capacity_to_finish``, ``keep_up_per_week``, ``excluded`` (reason
            -> count, every reason), ``holdout``, ``notes`` (list).
        """
        week = week or self.start_week
        monday = week_monday(week)
        fr.check_whole("finish_in_weeks", finish_in_weeks, minimum=1)
        this = self.actions.loc[self.actions[WEEK] == week, ACTION].value_counts()
        done = int((self._catch_up_contacts()[WEEK_START] <= pd.Timestamp(monday)).sum())
        reasons = self.excluded[REASON].value_counts()
        start = week_monday(self.start_week)
        finish_by = iso_week(start + timedelta(weeks=finish_in_weeks - 1))
        return {
            "week": week,
            "week_start": monday,
            "this_week": {a: int(this.get(a, 0)) for a in ACTIONS},
            "catch_up_clients": self.forecast.catch_up_clients,
            "catch_up_left": self.forecast.catch_up_clients - done,
            "keep_up_clients": self.forecast.keep_up_clients,
            "weekly_capacity": self.forecast.weekly_capacity,
            "weeks_needed": self.forecast.weeks_needed,
            "end_week": self.forecast.end_week,
            "finish_in_weeks": finish_in_weeks,
            "finish_by_week": finish_by,
            "capacity_to_finish": self.forecast.capacity_needed(finish_by),
            "keep_up_per_week": self.forecast.keep_up_per_week,
            "excluded": {r: int(reasons.get(r, 0)) for r in EXCLUSION_REASONS},
            "holdout": len(self.holdout),
            "notes": list(self.notes),
        }


def contact_plan(
    scored: Any,
    *,
    as_of: date,
    capacity: Mapping[str, int] | None = None,
    strategy: Strategy = "round_robin",
    sort_key: str | Sequence[str] | None = None,
    primary: PrimaryChannel | Sequence[PrimaryChannel] | None = None,
    channels: Sequence[PrimaryChannel] | None = None,
    follow_up_days: int = 7,
    gift: bool = False,
    status: Any = None,
    notes: Mapping[str, str] | None = None,
    recently_contacted_days: int = 90,
    due_after_months: int = 6,
    holdout_share: float = 0.0,
    holdout_min_due: int = HOLDOUT_MIN_DUE,
    seed: int = 0,
    weeks: int | None = None,
    start_week: str | None = None,
) -> ContactPlan:
    """Schedule every client to contact into weeks, within each channel's capacity.

    The rules (who is planned, the order, the channels, follow-ups, keep-up,
    hold-out and what "stable on rerun" means) are in the module docstring.

    Parameters
    ----------
    scored : pandas or Polars DataFrame
        The scored client base, one row per client: needs ``client_id``,
        ``dormancy_bucket``, ``bucket_order``, ``due``, ``value_score``
        (``expected_value`` for ``strategy="value"``); uses when present
        ``do_not_contact``, ``last_contact``, ``dormant_since`` (else
        ``days_dormant``) for keep-up dates, the contact columns to tell who
        can be reached, and the client columns of :data:`CLIENT_FIELDS`.
    as_of : datetime.date
        Today, for the plan: nothing is planned before it.
    capacity : mapping, optional
        Contacts per week by channel (letter, phone, email, visit, gift);
        channels left out keep :data:`reconnect_lib.config.DEFAULT_CAPACITY`
        (10 letters, 20 calls, 50 e-mails).
    strategy : {"round_robin", "value", "dormancy", "custom"}
    sort_key : str or sequence of str, optional
        With ``strategy="custom"`` only: columns to sort by, ``-`` for descending.
    primary : {"letter", "email", "phone"} or a sequence of them, optional
        The channel(s) of the first contact, sharing the queue by capacity, and
        no other; default letter if it has capacity, else e-mail and phone,
        then any other channel with capacity for a client those cannot reach.
    channels : sequence of {"letter", "email", "phone"}, optional
        First-contact channels in order of preference (``[plan] channels``):
        each client gets the first they can be reached by, of those with
        capacity. Not together with `primary`.
    follow_up_days : int
        Days from a letter or e-mail to its follow-up call (>= 0).
    gift : bool
        Each letter or e-mail also promises a small gift.
    status : pandas or Polars DataFrame, optional
        One row per client in the outcome log, columns :data:`STATUS_COLUMNS`
        (``status`` one of :data:`reconnect_lib.schema.STATUSES`); may carry a
        ``note`` column for the call sheet's talking points.
    notes : mapping, optional
        ``client_id`` -> note text for the talking points (overrides ``note``).
    recently_contacted_days : int
        Nobody contacted fewer than this many days before `as_of` is planned (0: no such rule).
    due_after_months : int
        The due mark, as in :func:`reconnect_lib.dormancy.dormancy_buckets`.
    holdout_share : float
        Share of the due clients set aside, in [0, 1).
    holdout_min_due : int
        No hold-out with fewer due clients to contact than this.
    seed : int
        Seeds the hold-out draw.
    weeks : int, optional
        Plan only this many weeks.
    start_week : str, optional
        First ISO week of the plan; default the week of `as_of` (the next one
        if `as_of` is a Saturday or Sunday).

    Returns
    -------
    ContactPlan

    Raises
    ------
    ConfigError
        An option outside its choices or range (the message lists them).
    InputError
        A required column is missing, a ``client_id`` is repeated, or the status
        frame is malformed.

    Examples
    --------
    >>> import pandas as pd
    >>> from datetime import date
    >>> scored = pd.DataFrame({
    ...     "client_id": ["a", "b", "c", "d", "e"],
    ...     "dormancy_bucket": ["1–2 years", "1–2 years", "2–3 years", "2–3 years", "6–12 months"],
    ...     "bucket_order": [2, 2, 3, 3, 1],
    ...     "due": True,
    ...     "value_score": [500.0, 900.0, 300.0, 100.0, 50.0],
    ... })
    >>> plan = contact_plan(scored, as_of=date(2026, 11, 23), capacity={"letter": 2, "phone": 2})
    >>> plan.first_contacts()[["week", "client_id", "planned_on"]]
           week client_id planned_on
    0  2026-W48         e 2026-11-23
    1  2026-W48         b 2026-11-25
    2  2026-W49         c 2026-11-30
    3  2026-W49         a 2026-12-02
    4  2026-W50         d 2026-12-07
    >>> plan.forecast.weeks_needed, plan.forecast.end_week
    (3, '2026-W50')
    """
    # --- options, validated once ---
    as_of = fr.check_as_of(as_of)
    fr.check_choice("strategy", strategy, STRATEGIES)
    custom_keys = _check_sort_key(strategy, sort_key)
    caps = _check_capacity(capacity)
    shared, fallback = _check_channels(primary, channels, caps)
    candidates = shared + fallback
    follow_up_days = fr.check_whole("follow_up_days", follow_up_days, minimum=0)
    if not isinstance(gift, bool):
        raise ConfigError(f"gift={gift!r} is not valid", expected="True or False")
    recent_days = fr.check_whole("recently_contacted_days", recently_contacted_days, minimum=0)
    threshold = months_to_days(fr.check_whole("due_after_months", due_after_months, minimum=1))
    share = _check_share(holdout_share)
    min_due = fr.check_whole("holdout_min_due", holdout_min_due, minimum=0)
    seed = fr.check_whole("seed", seed, minimum=0)
    if weeks is not None:
        weeks = fr.check_whole("weeks", weeks, minimum=1)
    start = _start_monday(as_of, start_week)

    # --- data ---
    frame = _pandas(scored, "scored")
    required = [CLIENT_ID, DORMANCY_BUCKET, BUCKET_ORDER, DUE, VALUE_SCORE]
    required += {"value": [EXPECTED_VALUE], "dormancy": [DAYS_DORMANT]}.get(strategy, [])
    required += [name for name, _ in custom_keys]
    _require(frame, required, "scored", _HINT_SCORED)
    ids = frame[CLIENT_ID]
    _check_unique(ids, "scored")
    n = len(frame)
    log, log_notes = _status_arrays(status, pd.Index(ids), notes)
    out_notes: list[str] = list(log_notes)

    today = np.datetime64(as_of, "D")
    start_day = np.datetime64(start, "D")
    due = _bool_array(frame, DUE, "scored")
    dnc = _bool_array(frame, DO_NOT_CONTACT, "scored") | log.dnc | (log.status == "do_not_contact")
    lost = log.status == "lost"
    last_touch = np.fmax(_day_array(frame, LAST_CONTACT, "scored"), log.logged)
    recent = ~np.isnat(last_touch) & ((today - last_touch).astype("int64") < recent_days)
    logged_in_mark = ~np.isnat(log.logged) & ((today - log.logged).astype("int64") < threshold)
    due = due & ~logged_in_mark
    crosses = np.fmax(_dormant_since(frame, today), log.logged) + np.timedelta64(threshold, "D")
    # Who can be reached on each channel: read once, for the channels, the follow-up calls and the notes.
    reach = {ch: _has_text(frame, REACH_COLUMN[ch]) for ch in PRIMARY_CHANNELS}

    code = np.zeros(n, dtype=np.int8)  # 0 = planned, else 1 + index in EXCLUSION_REASONS

    def exclude(mask: np.ndarray, reason: str) -> None:
        code[(code == 0) & mask] = EXCLUSION_REASONS.index(reason) + 1

    exclude(dnc, "do_not_contact")
    exclude(lost, "lost")
    exclude(recent, "recently_contacted")
    unreachable = ~np.logical_or.reduce([reach[ch] for ch in candidates])
    exclude(unreachable, "unreachable")
    exclude(~due & np.isnat(crosses), "not_due")
    due_pool = int(((code == 0) & due).sum())
    if share > 0 and due_pool >= max(min_due, 1):
        held = (code == 0) & due & (_uniform(ids, seed) < share)
        exclude(held, "holdout")
        out_notes.append(
            f"hold-out: {int(held.sum()):,} of {due_pool:,} due clients "
            f"({held.sum() / due_pool:.1%}, target {share:.0%}) set aside and not contacted (seed {seed})"
        )
    elif due_pool < min_due:
        out_notes.append(
            f"hold-out off: {counted(due_pool, 'due client', 'due clients')} to contact, fewer than "
            f"{min_due:,}; a hold-out this "
            "small could not show a difference"
            + (" (pass holdout_min_due to force one)" if share > 0 else " (and holdout_share is 0)")
        )
    else:
        out_notes.append(
            "no hold-out (holdout_share is 0): win-back cannot be compared with doing nothing; "
            "set [plan] holdout_share = 0.1 to set a tenth of the due clients aside"
        )
    # won back now (a client won back once and lost since is `lost`, and left out)
    n_won = int(((log.status == "won_back") & (code != EXCLUSION_REASONS.index("do_not_contact") + 1)).sum())
    if n_won:
        out_notes.append(
            f"{counted(n_won, 'client won back is', 'clients won back are')} kept up, not left out: "
            f"each is due a keep-up contact {counted(due_after_months, 'month')} after their last "
            "purchase or logged contact"
        )
    if recent.any():
        n_recent = int((code == EXCLUSION_REASONS.index("recently_contacted") + 1).sum())
        if n_recent:
            out_notes.append(
                f"{counted(n_recent, 'client', 'clients')} contacted in the last "
                f"{counted(recent_days, 'day')} {'is' if n_recent == 1 else 'are'} left out this week; "
                "they come back once that time has passed"
            )

    # --- queue: release week, then strategy order ---
    codes = _id_codes(ids)
    key = _order_key(frame, strategy, custom_keys, codes)
    planned = code == 0
    release = np.zeros(n, dtype=np.int64)
    keep = planned & ~due
    target = crosses[keep] - np.timedelta64(7, "D")
    release[keep] = np.maximum(0, (target - start_day).astype("int64") // 7)
    idx = np.flatnonzero(planned)
    # The catch-up first (in strategy order), then keep-up clients by the week they are due a letter.
    queue = idx[np.lexsort((key[idx], release[idx], ~due[idx]))]
    m = len(queue)

    # --- first contacts, channel by channel ---
    chan = _assign_channels(queue, shared, fallback, caps, reach)
    # The channels carrying first contacts (the primary ones when nobody is planned).
    used = [j for j in range(len(candidates)) if bool((chan == j).any())] or list(range(len(shared)))
    primaries = tuple(candidates[j] for j in used)
    chan = np.searchsorted(np.array(used, dtype=np.int64), chan).astype(np.int64)
    week = np.empty(m, dtype=np.int64)
    pos = np.empty(m, dtype=np.int64)
    weeks_needed = 0
    for j, ch in enumerate(primaries):
        sel = np.flatnonzero(chan == j)
        week[sel], pos[sel] = _queue(release[queue[sel]], caps[ch])
        weeks_needed = max(weeks_needed, -(-int(due[queue[sel]].sum()) // caps[ch]))
    channel_caps = np.array([caps[c] for c in primaries], dtype=np.int64)
    day = start_day + (7 * week + (pos * WORKING_DAYS) // channel_caps[chan]).astype("timedelta64[D]")
    day = np.maximum(day, today)
    if weeks is not None:
        beyond = week >= weeks
        code[queue[beyond]] = EXCLUSION_REASONS.index("beyond_horizon") + 1
        keep_rows = ~beyond
        queue, chan, week, day = queue[keep_rows], chan[keep_rows], week[keep_rows], day[keep_rows]
    plan_order = np.arange(1, len(queue) + 1, dtype=np.int64)

    # --- follow-up calls and gifts ---
    primary_names = np.array(primaries, dtype=object)[chan]
    written = np.isin(primary_names, ["letter", "email"])
    promised = np.flatnonzero(written)
    promise_day = _next_working_day(day[promised] + np.timedelta64(follow_up_days, "D"))
    promise_week = (promise_day - start_day).astype("int64") // 7
    call_day = np.full(len(queue), _NAT)
    gift_day = np.full(len(queue), _NAT)
    phone_free = caps["phone"] if "phone" not in shared else 0
    # First calls to clients who can only be called come first; follow-ups take what they leave.
    first_calls = np.bincount(week[primary_names == "phone"], minlength=0).astype(np.int64)
    # A call is promised only to a client with a phone number.
    callable_ = reach["phone"][queue[promised]]
    if callable_.any() and phone_free > 0:
        called = promised[callable_]
        call_day[called], late = _book(
            promise_day[callable_], promise_week[callable_], plan_order[called], phone_free, taken=first_calls
        )
        if late.max() > 0:
            out_notes.append(
                f"phone capacity ({phone_free} a week) does not keep up with the follow-up calls: "
                f"{counted(int((late > 0).sum()), 'call moves', 'calls move')} to a later week, "
                f"the latest by {counted(int(late.max()), 'week')}"
            )
    elif callable_.any() and "phone" in shared:
        out_notes.append("the phone makes first contacts, so letters and e-mails promise no follow-up call")
    elif callable_.any():
        out_notes.append("no phone capacity: letters and e-mails promise no follow-up call")
    if promised.size and not callable_.all():
        no_phone = counted(
            int((~callable_).sum()), "letter or e-mail goes to a client", "letters and e-mails go to clients"
        )
        out_notes.append(f"{no_phone} with no phone number: they promise no follow-up call")
    if gift and promised.size:
        gift_cap = caps.get("gift")
        if gift_cap is None:
            gift_day[promised] = promise_day
        elif gift_cap > 0:
            gift_day[promised], _ = _book(promise_day, promise_week, plan_order[promised], gift_cap)
        else:
            out_notes.append("gift capacity is 0: no gift is planned")
    reachable_by = {c: int(reach[c][queue].sum()) for c in PRIMARY_CHANNELS}
    out_notes += _capacity_notes(
        primaries, caps, bool(promised.size), reachable_by, explicit=channels is not None
    )
    n_unreachable = int((code == EXCLUSION_REASONS.index("unreachable") + 1).sum())
    if n_unreachable:
        needs = [_REACH_NEEDS[c] for c in candidates]
        needs_text = ", ".join(needs[:-1]) + " or " + needs[-1] if len(needs) > 1 else needs[0]
        out_notes.append(
            f"{counted(n_unreachable, 'client has', 'clients have')} no {needs_text} and "
            f"{'is' if n_unreachable == 1 else 'are'} left out as unreachable; fill that column in the "
            "client list, or give another channel capacity under [plan.capacity] and list it in "
            "[plan] channels in campaign.toml"
        )

    # --- tables ---
    keep_up = ~due[queue]
    late_keep_up = int((keep_up & (day >= crosses[queue])).sum())
    if late_keep_up:
        out_notes.append(
            f"{counted(late_keep_up, 'client lapses', 'clients lapse')} during the catch-up and "
            f"{'is' if late_keep_up == 1 else 'are'} contacted after it, "
            "past the due mark"
        )
    chosen = np.array([PRIMARY_CHANNELS.index(c) for c in primaries], dtype=np.int64)[chan]
    clients = _clients_frame(
        frame,
        log,
        code=code,
        queue=queue,
        channel=chosen,
        day=day,
        call_day=call_day,
        gift_day=gift_day,
        keep_up=keep_up,
        crosses=np.where(due, _NAT, crosses),
    )
    actions = _actions_frame(
        frame,
        queue=queue,
        channel=chosen,
        day=day,
        call_day=call_day,
        gift_day=gift_day,
        keep_up=keep_up,
        start_day=start_day,
    )
    excluded = _excluded_frame(clients, code, codes)
    holdout = _holdout_frame(clients, code, codes)
    n_catch = int(((code == 0) | (code == EXCLUSION_REASONS.index("beyond_horizon") + 1))[due].sum())
    looked_after = int(
        np.isin(
            code, [0, *(EXCLUSION_REASONS.index(r) + 1 for r in ("recently_contacted", "beyond_horizon"))]
        ).sum()
    )
    forecast = Forecast(
        start_week=iso_week(start),
        weekly_capacity=int(channel_caps.sum()),
        catch_up_clients=n_catch,
        weeks_needed=weeks_needed,
        end_week=iso_week(start + timedelta(weeks=weeks_needed - 1)) if weeks_needed else None,
        keep_up_clients=int(keep_up.sum()),
        keep_up_per_week=math.ceil(looked_after * 7 / threshold),
        due_after_days=threshold,
    )
    return ContactPlan(
        actions=actions,
        clients=clients,
        holdout=holdout,
        excluded=excluded,
        forecast=forecast,
        notes=tuple(out_notes),
        as_of=as_of,
        start_week=iso_week(start),
        capacity=caps,
        primary=primaries,
        strategy=strategy,
        follow_up_days=follow_up_days,
        gift=gift,
    )


def plan_from_config(
    scored: Any,
    config: CampaignConfig,
    *,
    as_of: date,
    status: Any = None,
    notes: Mapping[str, str] | None = None,
    **options: Any,
) -> ContactPlan:
    """:func:`contact_plan` with the settings of campaign.toml's ``[plan]`` and ``[dormancy]``.

    `options` override them (e.g. ``sort_key=``, ``weeks=``, ``holdout_min_due=``).

    Examples
    --------
    >>> import reconnect_lib as rl
    >>> campaign = rl.scored_base("data/sample/consulting-firm/campaign.toml")
    >>> plan = plan_from_config(campaign.scored, campaign.config, as_of=campaign.as_of)
    >>> plan.forecast.weekly_capacity, plan.forecast.catch_up_clients, plan.forecast.end_week
    (10, 460, '2027-W40')
    """
    p = config.plan
    settings: dict[str, Any] = {
        "capacity": dict(p.capacity),
        "strategy": p.strategy,
        "channels": p.channels,
        "follow_up_days": p.follow_up_days,
        "gift": p.gift,
        "holdout_share": p.holdout_share,
        "seed": p.seed,
        "due_after_months": config.dormancy.due_after_months,
    }
    settings.update(options)
    if settings["strategy"] == "custom" and settings.get("sort_key") is None:
        raise ConfigError(
            "[plan] strategy = 'custom' needs a sort key",
            file=str(config.source) if config.source else None,
            hint="call reconnect_lib.plan.contact_plan(..., strategy='custom', sort_key=[...]) from Python, "
            "or choose round_robin, value or dormancy",
        )
    return contact_plan(scored, as_of=as_of, status=status, notes=notes, **settings)


# --- validation helpers ------------------------------------------------------------------


def _check_capacity(capacity: Mapping[str, int] | None) -> dict[str, int]:
    if capacity is None:
        return dict(DEFAULT_CAPACITY)
    if not isinstance(capacity, Mapping):
        raise ConfigError(
            f"capacity={capacity!r} is not a mapping",
            expected="channel -> contacts per week, e.g. {'letter': 10, 'phone': 20}",
        )
    problems = []
    for channel, value in capacity.items():
        if channel not in CAPACITY_CHANNELS:
            problems.append(
                Problem(
                    f"capacity for unknown channel {channel!r}",
                    expected=f"one of {', '.join(repr(c) for c in CAPACITY_CHANNELS)}",
                )
            )
        elif isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
            problems.append(
                Problem(f"capacity[{channel!r}] = {value!r} is not valid", expected="a whole number >= 0")
            )
    if problems:
        raise ConfigError.from_problems(problems)
    return {**DEFAULT_CAPACITY, **{k: int(v) for k, v in capacity.items()}}


def _check_channels(
    primary: object, channels: object, caps: dict[str, int]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The channels sharing the queue, and the ones after them in order of preference.

    With `channels`, the first of them with capacity, then the others with capacity;
    with `primary`, those and no other; by default the primary channels, then every
    other channel with capacity (letter, e-mail, phone) for the clients they cannot reach.
    """
    if channels is None:
        shared = _check_primary(primary, caps)
        if primary is not None:
            return shared, ()
        return shared, tuple(c for c in PRIMARY_CHANNELS if c not in shared and caps.get(c, 0) > 0)
    if primary is not None:
        raise ConfigError(
            "pass either channels= (an order of preference) or primary=, not both",
            hint="[plan] channels in campaign.toml is the order of preference",
        )
    names = (channels,) if isinstance(channels, str) else channels
    if not isinstance(names, Sequence) or not names or len(set(names)) != len(names):
        raise ConfigError(
            f"channels={channels!r} is not valid",
            expected="one or more distinct channels in order of preference, "
            'e.g. ["letter", "email", "phone"]',
        )
    for name in names:
        fr.check_choice("channels", name, PRIMARY_CHANNELS)
    usable = tuple(str(c) for c in names if caps.get(str(c), 0) > 0)
    if not usable:
        raise ConfigError(
            f"no channel of channels={list(names)!r} has capacity",
            expected="a capacity > 0 for at least one of them",
            hint="raise a capacity under [plan.capacity] or list another channel in [plan] channels",
        )
    return usable[:1], usable[1:]


def _check_primary(primary: object, caps: dict[str, int]) -> tuple[str, ...]:
    if primary is None:
        if caps.get("letter", 0) > 0:
            return ("letter",)
        chosen = tuple(c for c in ("email", "phone") if caps.get(c, 0) > 0)
        if not chosen:
            raise ConfigError(
                "no channel has capacity for a first contact",
                expected="a capacity > 0 for letter, email or phone",
                hint="set e.g. [plan.capacity] letter = 10 in campaign.toml",
            )
        return chosen
    names = (primary,) if isinstance(primary, str) else tuple(primary)  # type: ignore[arg-type]
    for name in names:
        fr.check_choice("primary", name, PRIMARY_CHANNELS)
    if not names or len(set(names)) != len(names):
        raise ConfigError(f"primary={primary!r} is not valid", expected="one or more distinct channels")
    empty = [n for n in names if caps.get(n, 0) == 0]
    if empty:
        raise ConfigError(
            f"primary channel {', '.join(empty)} has no capacity",
            expected="a capacity > 0 for every primary channel",
            hint="raise its capacity or leave it out of primary=",
        )
    return names


def _check_sort_key(strategy: str, sort_key: object) -> list[tuple[str, bool]]:
    if strategy != "custom":
        if sort_key is not None:
            raise ConfigError(
                f"sort_key={sort_key!r} is only used with strategy='custom'",
                hint="pass strategy='custom' together with sort_key=",
            )
        return []
    keys = [sort_key] if isinstance(sort_key, str) else sort_key
    if (
        not isinstance(keys, Sequence)
        or not keys
        or not all(isinstance(k, str) and k.lstrip("-") for k in keys)
    ):
        raise ConfigError(
            f"strategy='custom' needs a sort_key, got {sort_key!r}",
            expected="a column name or a list of them, '-' in front for descending, "
            "e.g. ['-value_at_stake', 'days_dormant']",
        )
    return [(k[1:], False) if k.startswith("-") else (k, True) for k in keys]


def _check_share(share: object) -> float:
    if isinstance(share, bool) or not isinstance(share, Real) or not 0 <= float(share) < 1:
        raise ConfigError(f"holdout_share={share!r} is not valid", expected="a share in [0, 1), e.g. 0.1")
    return float(share)


def _monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _start_monday(as_of: date, start_week: str | None) -> date:
    if start_week is None:
        monday = _monday_of(as_of)
        return monday if as_of.weekday() < WORKING_DAYS else monday + timedelta(weeks=1)
    monday = week_monday(start_week)
    if monday + timedelta(days=WORKING_DAYS - 1) < as_of:
        raise ConfigError(
            f"start_week={start_week!r} has no working day left on or after as_of {as_of}",
            expected=f"{iso_week(as_of)} or later",
        )
    return monday


# --- frame helpers -----------------------------------------------------------------------


def _pandas(native: Any, what: str) -> pd.DataFrame:
    if isinstance(native, pd.DataFrame):
        return native
    frame = fr.as_frame(native, what)
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect()
    return frame.to_pandas()


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str, hint: str) -> None:
    missing = [c for c in dict.fromkeys(columns) if c not in frame.columns]
    if missing:
        raise InputError(
            f"`{what}` has no column {', '.join(f'`{c}`' for c in missing)}",
            column=missing[0],
            expected=f"columns {', '.join(f'`{c}`' for c in dict.fromkeys(columns))}",
            hint=hint,
        )


def _check_unique(ids: pd.Series, what: str) -> None:
    repeated = ids.duplicated(keep=False).to_numpy()
    if ids.isna().any() or repeated.any():
        rows = np.flatnonzero(repeated | ids.isna().to_numpy()) + 1
        raise InputError(
            f"`{what}` must have one row per client, with a client_id",
            column=CLIENT_ID,
            rows=rows.tolist(),
            values=ids.iloc[rows[:5] - 1].tolist(),
            expected="a unique, non-empty client_id on every row",
        )


def _day_array(frame: pd.DataFrame, column: str, what: str) -> np.ndarray:
    """A column as datetime64[D] (NaT for missing); all-NaT when the column is absent."""
    if column not in frame.columns:
        return np.full(len(frame), _NAT)
    values = frame[column]
    if not pd.api.types.is_datetime64_any_dtype(values):
        try:
            values = pd.to_datetime(values.astype(object), format="ISO8601")
        except (TypeError, ValueError) as err:
            raise InputError(
                f"`{what}` column `{column}` does not hold dates",
                column=column,
                expected="dates (datetime64, datetime.date or YYYY-MM-DD)",
            ) from err
    if getattr(values.dtype, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    return values.to_numpy(dtype="datetime64[D]")


def _bool_array(frame: pd.DataFrame, column: str, what: str) -> np.ndarray:
    """A True/False column as a numpy bool array (missing as False); all False when absent."""
    if column not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    values = frame[column]
    if not pd.api.types.is_bool_dtype(values):
        allowed = values.isna() | values.map(lambda v: isinstance(v, bool | np.bool_), na_action="ignore")
        if not allowed.fillna(True).all():
            bad = np.flatnonzero(~allowed.fillna(True).to_numpy())
            raise InputError(
                f"`{what}` column `{column}` is not True/False",
                column=column,
                rows=(bad + 1).tolist(),
                values=values.iloc[bad[:5]].tolist(),
                expected="True or False",
            )
        values = values.astype(object).where(values.notna(), False).astype(bool)
    return values.fillna(False).to_numpy(dtype=bool, copy=True)


def _has_text(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.ones(len(frame), dtype=bool)
    text = frame[column].astype("string").str.strip()
    return (text.notna() & (text != "")).fillna(False).to_numpy(dtype=bool)


def _dormant_since(frame: pd.DataFrame, today: np.datetime64) -> np.ndarray:
    if DORMANT_SINCE in frame.columns:
        return _day_array(frame, DORMANT_SINCE, "scored")
    if DAYS_DORMANT in frame.columns:
        days = pd.to_numeric(frame[DAYS_DORMANT], errors="coerce").to_numpy(dtype="float64")
        out = np.full(len(frame), _NAT)
        known = ~np.isnan(days)
        out[known] = today - days[known].astype("int64").astype("timedelta64[D]")
        return out
    return np.full(len(frame), _NAT)


def _cents(values: pd.Series) -> np.ndarray:
    money = pd.to_numeric(values, errors="coerce").astype("float64").fillna(0.0).to_numpy()
    return np.floor(money * 100 + 0.5).astype(np.int64)


def _uniform(ids: pd.Series, seed: int) -> np.ndarray:
    """A number in [0, 1) per client, from a keyed hash of the client_id (key from `seed`)."""
    key = np.random.default_rng(seed).bytes(8).hex()
    hashed = pd.util.hash_pandas_object(ids.astype("string"), index=False, hash_key=key)
    return (hashed.to_numpy(dtype=np.uint64) >> np.uint64(11)).astype(np.float64) / float(2**53)


@dataclass(frozen=True)
class _Log:
    """The status frame aligned to the scored base's rows."""

    status: np.ndarray  # object: status or None
    logged: np.ndarray  # datetime64[D]
    problem: np.ndarray
    dnc: np.ndarray
    note: np.ndarray  # object: text or None
    has_status: bool


def _status_arrays(status: Any, index: pd.Index, notes: Mapping[str, str] | None) -> tuple[_Log, list[str]]:
    n = len(index)
    out = _Log(
        status=np.full(n, None, dtype=object),
        logged=np.full(n, _NAT),
        problem=np.zeros(n, dtype=bool),
        dnc=np.zeros(n, dtype=bool),
        note=np.full(n, None, dtype=object),
        has_status=status is not None,
    )
    messages: list[str] = []
    if status is not None:
        frame = _pandas(status, "status")
        _require(frame, STATUS_COLUMNS, "status", _HINT_STATUS)
        _check_unique(frame[CLIENT_ID], "status")
        values = frame[STATUS]
        unknown = ~values.isin(STATUSES).to_numpy()
        if unknown.any():
            rows = np.flatnonzero(unknown)
            raise InputError(
                "unknown client status",
                file="status",
                column=STATUS,
                rows=(rows + 1).tolist(),
                values=values.iloc[rows[:5]].tolist(),
                expected=f"one of {', '.join(repr(s) for s in STATUSES)}",
            )
        where = index.get_indexer(frame[CLIENT_ID])
        found = where >= 0
        if (~found).any():
            messages.append(
                f"{int((~found).sum()):,} clients in the outcome log are not in the client base "
                "and are ignored"
            )
        at = where[found]
        out.status[at] = values.to_numpy(dtype=object)[found]
        out.logged[at] = _day_array(frame, LAST_LOGGED_CONTACT, "status")[found]
        out.problem[at] = _bool_array(frame, OPEN_PROBLEM, "status")[found]
        out.dnc[at] = _bool_array(frame, DO_NOT_CONTACT, "status")[found]
        if NOTE in frame.columns:
            text = frame[NOTE].astype(object).where(frame[NOTE].notna(), None).to_numpy(dtype=object)
            out.note[at] = text[found]
    if notes is not None:
        if not isinstance(notes, Mapping):
            raise ConfigError(f"notes={notes!r} is not a mapping", expected="client_id -> note text")
        where = index.get_indexer(list(notes.keys()))
        texts = np.array([None if v is None else str(v) for v in notes.values()], dtype=object)
        out.note[where[where >= 0]] = texts[where >= 0]
    return out, messages


# --- ordering and scheduling -------------------------------------------------------------


def _id_codes(ids: pd.Series) -> np.ndarray:
    """Each client's place in client_id order (ids are unique: checked before)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        order = pc.sort_indices(pa.array(ids)).to_numpy()
    except (pa.ArrowException, TypeError):  # ids of mixed types: let pandas decide their order
        codes, _ = pd.factorize(ids, sort=True)
        return codes.astype(np.int64)
    codes = np.empty(len(ids), dtype=np.int64)
    codes[order] = np.arange(len(ids))
    return codes


def _order_key(
    frame: pd.DataFrame, strategy: str, custom: list[tuple[str, bool]], codes: np.ndarray
) -> np.ndarray:
    """Each client's place (0, 1, ...) in the strategy's order over the whole scored base."""
    n = len(frame)
    if strategy == "round_robin":
        bucket = frame[BUCKET_ORDER].to_numpy(dtype=np.int64)
        by_bucket = np.lexsort((codes, -_cents(frame[VALUE_SCORE]), bucket))
        ordered = bucket[by_bucket]
        first = np.ones(n, dtype=bool)
        first[1:] = ordered[1:] != ordered[:-1]
        rank = np.empty(n, dtype=np.int64)
        rank[by_bucket] = np.arange(n) - np.maximum.accumulate(np.where(first, np.arange(n), 0))
        perm = np.lexsort((codes, bucket, rank))
    elif strategy == "value":
        perm = np.lexsort((codes, -_cents(frame[EXPECTED_VALUE])))
    elif strategy == "dormancy":
        days = pd.to_numeric(frame[DAYS_DORMANT], errors="coerce").astype("float64").to_numpy()
        days = np.where(np.isnan(days), np.inf, days)
        perm = np.lexsort((codes, -_cents(frame[VALUE_SCORE]), -days))
    else:
        keys = pd.DataFrame({f"k{i}": frame[name].to_numpy() for i, (name, _) in enumerate(custom)})
        keys["__id"] = codes
        perm = keys.sort_values(
            [*keys.columns[:-1], "__id"],
            ascending=[asc for _, asc in custom] + [True],
            kind="stable",
            na_position="last",
        ).index.to_numpy()
    key = np.empty(n, dtype=np.int64)
    key[perm] = np.arange(n)
    return key


def _channel_pattern(capacities: Sequence[int]) -> np.ndarray:
    """A week's worth of channel indices, each channel spread evenly in proportion to its capacity."""
    slots = [((k + 0.5) / c, j) for j, c in enumerate(capacities) for k in range(c)]
    return np.array([j for _, j in sorted(slots)], dtype=np.int64)


def _assign_channels(
    queue: np.ndarray,
    shared: tuple[str, ...],
    fallback: tuple[str, ...],
    caps: dict[str, int],
    reach: dict[str, np.ndarray],
) -> np.ndarray:
    """Each queued client's channel, an index into ``shared + fallback``: a shared channel
    (by the capacity pattern, else the first they can be reached on), else the first fallback
    channel they can be reached on. Every queued client can be reached on one of them."""
    n = len(queue)
    if len(shared) == 1:
        chosen = np.zeros(n, dtype=np.int64)
    else:
        pattern = _channel_pattern([caps[c] for c in shared])
        share = pattern[np.arange(n) % len(pattern)]
        can = np.column_stack([reach[c][queue] for c in shared])
        chosen = np.where(can[np.arange(n), share], share, can.argmax(axis=1)).astype(np.int64)
    on_shared = np.logical_or.reduce([reach[c][queue] for c in shared])
    if fallback and not on_shared.all():
        can = np.column_stack([reach[c][queue] for c in fallback])
        chosen = np.where(on_shared, chosen, len(shared) + can.argmax(axis=1))
    return chosen


def _queue(release: np.ndarray, capacity: int) -> tuple[np.ndarray, np.ndarray]:
    """Week and place in week of items taken in order, each no earlier than its release week.

    Item i takes slot ``max(slot[i-1] + 1, release[i] * capacity)``; unrolled,
    ``slot[i] = i + max over j <= i of (release[j] * capacity - j)``: one
    cumulative maximum, no loop.
    """
    i = np.arange(len(release), dtype=np.int64)
    slot = i + np.maximum.accumulate(release * capacity - i) if len(release) else i
    return slot // capacity, slot % capacity


def _queue_around(release: np.ndarray, capacity: int, taken: np.ndarray) -> np.ndarray:
    """The week of items taken in order, each no earlier than its release week, in what
    `taken` leaves of a weekly `capacity` (the closed form of :func:`_queue` over the free slots)."""
    n = len(release)
    if not n:
        return release.copy()
    horizon = max(int(release.max()) + 1, len(taken)) + -(-n // capacity) + 1
    free = np.full(horizon, capacity, dtype=np.int64)
    free[: len(taken)] -= np.minimum(taken, capacity)
    ends = np.cumsum(free)  # slots of weeks 0..w
    starts = ends - free  # the first slot of each week
    i = np.arange(n, dtype=np.int64)
    slot = i + np.maximum.accumulate(starts[release] - i)
    return np.searchsorted(ends, slot, side="right").astype(np.int64)


def _book(
    target_day: np.ndarray,
    target_week: np.ndarray,
    order: np.ndarray,
    capacity: int,
    *,
    taken: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Book actions in a weekly `capacity`, each on its target day or, when that week is full,
    the same weekday of the first later week with room.

    `taken[w]` slots of week ``w`` are already booked (first calls). Returns the
    booked days and how many weeks each moved, aligned with the input.
    """
    rank = np.lexsort((order, target_day, target_week))
    if taken is None or not taken.any():
        week, _ = _queue(target_week[rank], capacity)
    else:
        week = _queue_around(target_week[rank], capacity, taken)
    moved = np.empty(len(rank), dtype=np.int64)
    moved[rank] = week - target_week[rank]
    return target_day + (7 * moved).astype("timedelta64[D]"), moved


def _weekday(days: np.ndarray) -> np.ndarray:
    return (days.astype("int64") + _EPOCH_WEEKDAY) % 7


def _next_working_day(days: np.ndarray) -> np.ndarray:
    weekday = _weekday(days)
    return days + np.where(weekday >= WORKING_DAYS, 7 - weekday, 0).astype("timedelta64[D]")


#: What a client needs to be reached on each first-contact channel, in words.
_REACH_NEEDS: dict[str, str] = {
    "letter": "postal address",
    "email": "e-mail address",
    "phone": "phone number",
}


def _capacity_notes(
    primaries: tuple[str, ...],
    caps: dict[str, int],
    follow_ups: bool,
    reachable_by: Mapping[str, int],
    *,
    explicit: bool = False,
) -> list[str]:
    """A note for each channel with capacity that nobody is contacted by, and what would use it."""
    used = set(primaries) | ({"phone"} if follow_ups else set())
    idle = [c for c in PRIMARY_CHANNELS if caps.get(c, 0) > 0 and c not in used]
    why = "the channels [plan] channels prefers" if explicit else "the first-contact channels"

    def toml_list(names: Sequence[str]) -> str:
        return "[" + ", ".join(f'"{n}"' for n in names) + "]"

    notes = []
    for c in idle:
        head = f"{c} capacity ({caps[c]} a week) is not used: "
        if not reachable_by.get(c, 0):
            notes.append(head + f"no client planned has a {_REACH_NEEDS[c]}")
            continue
        notes.append(
            head + f"every client planned can be reached by {' or '.join(primaries)}, {why}; "
            f"to contact by {c} first, set [plan] channels = {toml_list((c, *primaries))} in campaign.toml"
        )
    return notes


# --- output tables -----------------------------------------------------------------------

#: Channels as the plan's tables name them (a primary channel's index, then the gift).
_CHANNEL_NAMES: tuple[str, ...] = (*PRIMARY_CHANNELS, "gift")
#: Client columns ``actions`` carries; every other client column is in ``clients``.
ACTION_CLIENT_FIELDS: tuple[str, ...] = (NAME, DORMANCY_BUCKET, BUCKET_ORDER, VALUE_SCORE)
#: Columns of ``clients`` the plan adds to those of the scored base.
PLAN_CLIENT_COLUMNS: tuple[str, ...] = (
    PLAN_ORDER,
    REASON,
    MODE,
    CHANNEL,
    CONTACT_ON,
    FOLLOW_UP_ON,
    GIFT_ON,
    CROSSES_ON,
    STATUS,
    LAST_LOGGED_CONTACT,
    OPEN_PROBLEM,
    NOTE,
)


def _us(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[us]")


def _labels(names: Sequence[str], codes: np.ndarray, missing: np.ndarray | None = None) -> pd.Series:
    """A ``str`` column from small-integer codes into `names` (null where `missing`).

    Built as a pyarrow take from the few names: three times faster than a
    column of Python strings for a few million rows.
    """
    import pyarrow as pa

    indices = pa.array(
        np.asarray(codes, dtype=np.int64), mask=None if missing is None else np.asarray(missing)
    )
    taken = pa.array(list(names), pa.large_string()).take(indices)
    return pd.Series(taken, dtype="str")


def _text_column(values: np.ndarray) -> pd.Series:
    return pd.Series(values, dtype=object).astype("str")


def _clients_frame(
    frame: pd.DataFrame,
    log: _Log,
    *,
    code: np.ndarray,
    queue: np.ndarray,
    channel: np.ndarray,
    day: np.ndarray,
    call_day: np.ndarray,
    gift_day: np.ndarray,
    keep_up: np.ndarray,
    crosses: np.ndarray,
) -> pd.DataFrame:
    """One row per client of the scored base, in its order: client fields and what the plan decided."""
    n = len(frame)
    carried = [CLIENT_ID, *(c for c in (*CLIENT_FIELDS, DUE, DO_NOT_CONTACT) if c in frame.columns)]
    # A column selection: no data is copied (copy-on-write keeps it apart from the caller's frame).
    table = frame[carried].reset_index(drop=True)
    for name in (CLIENT_SINCE, FIRST_PURCHASE, LAST_PURCHASE, LAST_CONTACT, DORMANT_SINCE):
        if name in table.columns and str(table[name].dtype) != "datetime64[us]":
            table[name] = _us(_day_array(frame, name, "scored"))

    def per_client(values: np.ndarray, fill: Any) -> np.ndarray:
        out = np.full(n, fill, dtype=np.asarray(values).dtype if fill is not None else object)
        out[queue] = values
        return out

    planned = np.zeros(n, dtype=bool)
    planned[queue] = True
    order = np.zeros(n, dtype=np.int64)
    order[queue] = np.arange(1, len(queue) + 1)
    table[PLAN_ORDER] = pd.Series(order, dtype="Int64").where(planned)
    table[REASON] = _labels(EXCLUSION_REASONS, np.maximum(code.astype(np.int64) - 1, 0), code == 0)
    table[MODE] = _labels(("catch_up", "keep_up"), per_client(keep_up.astype(np.int64), 0), ~planned)
    table[CHANNEL] = _labels(_CHANNEL_NAMES, per_client(channel, 0), ~planned)
    table[CONTACT_ON] = _us(per_client(day, _NAT))
    table[FOLLOW_UP_ON] = _us(per_client(call_day, _NAT))
    table[GIFT_ON] = _us(per_client(gift_day, _NAT))
    table[CROSSES_ON] = _us(crosses)
    table[STATUS] = _text_column(log.status)
    table[LAST_LOGGED_CONTACT] = _us(log.logged)
    table[OPEN_PROBLEM] = log.problem
    table[NOTE] = _text_column(log.note)
    return table


def _actions_frame(
    frame: pd.DataFrame,
    *,
    queue: np.ndarray,
    channel: np.ndarray,
    day: np.ndarray,
    call_day: np.ndarray,
    gift_day: np.ndarray,
    keep_up: np.ndarray,
    start_day: np.datetime64,
) -> pd.DataFrame:
    has_call = ~np.isnat(call_day)
    has_gift = ~np.isnat(gift_day)
    per_client = np.concatenate([np.arange(len(queue)), np.flatnonzero(has_call), np.flatnonzero(has_gift)])
    on = np.concatenate([day, call_day[has_call], gift_day[has_gift]])
    primary_action = np.array([ACTIONS.index(PRIMARY_ACTION[c]) for c in PRIMARY_CHANNELS], dtype=np.int64)
    action = np.concatenate(
        [
            primary_action[channel],
            np.full(int(has_call.sum()), ACTIONS.index("follow_up_call"), dtype=np.int64),
            np.full(int(has_gift.sum()), ACTIONS.index("gift"), dtype=np.int64),
        ]
    )
    channels = np.concatenate(
        [
            channel,
            np.full(int(has_call.sum()), _CHANNEL_NAMES.index("phone"), dtype=np.int64),
            np.full(int(has_gift.sum()), _CHANNEL_NAMES.index("gift"), dtype=np.int64),
        ]
    )
    week_index = (on - start_day).astype("int64") // 7
    rank = np.lexsort((per_client, on, action, week_index))
    per_client, on, action, channels, week_index = (
        a[rank] for a in (per_client, on, action, channels, week_index)
    )
    first = np.ones(len(rank), dtype=bool)
    first[1:] = (week_index[1:] != week_index[:-1]) | (action[1:] != action[:-1])
    positions = np.arange(len(rank))
    week_order = positions - np.maximum.accumulate(np.where(first, positions, 0)) + 1
    weeks, inverse = np.unique(week_index, return_inverse=True)
    start = start_day.astype(date)
    rows = queue[per_client]
    table: dict[str, Any] = {
        WEEK: _labels([iso_week(start + timedelta(weeks=int(w))) for w in weeks], inverse.ravel()),
        WEEK_START: _us(start_day + (7 * week_index).astype("timedelta64[D]")),
        PLANNED_ON: _us(on),
        CHANNEL: _labels(_CHANNEL_NAMES, channels),
        ACTION: _labels(ACTIONS, action),
        WEEK_ORDER: week_order.astype(np.int64),
        PLAN_ORDER: (per_client + 1).astype(np.int64),
        MODE: _labels(("catch_up", "keep_up"), keep_up[per_client].astype(np.int64)),
        CLIENT_ID: frame[CLIENT_ID].iloc[rows].reset_index(drop=True),
        CONTACT_ON: _us(day[per_client]),
        FOLLOW_UP_ON: _us(call_day[per_client]),
        GIFT_ON: _us(gift_day[per_client]),
    }
    for name in ACTION_CLIENT_FIELDS:
        if name in frame.columns:
            table[name] = frame[name].iloc[rows].reset_index(drop=True)
    return pd.DataFrame(table)


def _excluded_frame(clients: pd.DataFrame, code: np.ndarray, codes: np.ndarray) -> pd.DataFrame:
    rows = np.flatnonzero(code > 0)
    rows = rows[np.lexsort((codes[rows], clients[BUCKET_ORDER].to_numpy()[rows], code[rows]))]
    names = [CLIENT_ID, REASON]
    names += [
        c
        for c in (NAME, COMPANY, DORMANCY_BUCKET, BUCKET_ORDER, DUE, DAYS_DORMANT, VALUE_SCORE)
        if c in clients
    ]
    names += [STATUS, LAST_LOGGED_CONTACT]
    return clients[names].iloc[rows].reset_index(drop=True)


def _holdout_frame(clients: pd.DataFrame, code: np.ndarray, codes: np.ndarray) -> pd.DataFrame:
    rows = np.flatnonzero(code == EXCLUSION_REASONS.index("holdout") + 1)
    rows = rows[np.lexsort((codes[rows], clients[BUCKET_ORDER].to_numpy()[rows]))]
    names = [CLIENT_ID, DORMANCY_BUCKET, BUCKET_ORDER]
    names += [c for c in (NAME, DAYS_DORMANT, VALUE_SCORE, VALUE_AT_STAKE, EXPECTED_VALUE) if c in clients]
    return clients[names].iloc[rows].reset_index(drop=True)


# --- keep-up timeline ----------------------------------------------------------------------

#: Exclusion reasons of clients the plan leaves out on purpose: no keep-up contact is due them.
LEFT_OUT_REASONS: tuple[str, ...] = ("do_not_contact", "lost", "unreachable")


def keep_up_timeline(plan: ContactPlan, *, weeks: int = 12) -> pd.DataFrame:
    """Week by week, the clients about to cross the due mark and the keep-up contacts planned for them.

    Keeping up is easier than catching up: once caught up, every client should
    get a contact before going ``due_after_months`` without one. This table
    shows whether the plan does it.

    Parameters
    ----------
    plan : ContactPlan
    weeks : int
        How many weeks to show, from the plan's first week (>= 0).

    Returns
    -------
    pandas.DataFrame
        One row per ISO week from ``plan.start_week``, `weeks` rows:

        - ``week`` (str), ``week_start`` (datetime64[us], its Monday);
        - ``crossing`` (int64): clients of the plan whose ``crosses_on`` (the
          day they become due, :attr:`ContactPlan.clients`) falls in the week,
          whatever the plan decided for them (the same clients as
          :func:`reconnect_lib.dormancy.keep_up_list` when the plan was made
          without an outcome log);
        - ``crossing_left_out`` (int64): of those, the clients the plan leaves
          out on purpose (:data:`LEFT_OUT_REASONS`: do not contact, lost,
          unreachable), so no keep-up contact is planned for them;
        - ``keep_up_contacts`` (int64): first contacts (letter, e-mail or call)
          planned in the week in ``keep_up`` mode;
        - ``late`` (int64): of the clients crossing in the week, those the plan
          contacts only on or after the crossing day, or not within its
          horizon (``beyond_horizon``). Clients left out on purpose
          (``do_not_contact``, ``lost``), ``unreachable`` ones
          and ``recently_contacted`` ones (planned again in a later week's
          plan) are not counted late.

    Examples
    --------
    >>> import pandas as pd
    >>> scored = pd.DataFrame({"client_id": ["a", "b", "c"], "dormancy_bucket": ["active (< 6 months)"] * 3,
    ...                        "bucket_order": 0, "due": False, "value_score": [3.0, 2.0, 1.0],
    ...                        "dormant_since": pd.to_datetime(["2026-06-10", "2026-06-12", "2026-07-20"])})
    >>> plan = contact_plan(scored, as_of=date(2026, 11, 23), capacity={"letter": 10, "phone": 10})
    >>> keep_up_timeline(plan, weeks=4)[["week", "crossing", "keep_up_contacts", "late"]]
           week  crossing  keep_up_contacts  late
    0  2026-W48         0                 0     0
    1  2026-W49         0                 2     0
    2  2026-W50         2                 0     0
    3  2026-W51         0                 0     0
    """
    if not isinstance(plan, ContactPlan):
        raise InputError(
            f"`plan` is a {type(plan).__name__}, not a ContactPlan",
            hint="pass reconnect_lib.plan.contact_plan(...) or plan_from_config(...)",
        )
    weeks = fr.check_whole("weeks", weeks, minimum=0)
    start = week_monday(plan.start_week)
    start_day = np.datetime64(start, "D")
    clients = plan.clients
    crosses = clients[CROSSES_ON].to_numpy(dtype="datetime64[D]")
    known = ~np.isnat(crosses)
    index = np.full(len(clients), -1, dtype=np.int64)
    index[known] = (crosses[known] - start_day).astype(np.int64) // 7
    shown = known & (index >= 0) & (index < weeks)
    contact = clients[CONTACT_ON].to_numpy(dtype="datetime64[D]")
    planned = clients[PLAN_ORDER].notna().to_numpy(dtype=bool)
    too_late = planned & ~np.isnat(contact) & (contact >= crosses)
    late = shown & (too_late | clients[REASON].isin(["beyond_horizon"]).to_numpy(dtype=bool))
    left_out = shown & clients[REASON].isin(LEFT_OUT_REASONS).to_numpy(dtype=bool)

    actions = plan.actions
    first = actions[ACTION].isin([PRIMARY_ACTION[c] for c in PRIMARY_CHANNELS]) & (actions[MODE] == "keep_up")
    labels = [iso_week(start + timedelta(weeks=i)) for i in range(weeks)]
    keep_up = actions.loc[first, WEEK].value_counts().reindex(labels, fill_value=0)
    return pd.DataFrame(
        {
            WEEK: pd.Series(labels, dtype="str"),
            WEEK_START: _us(start_day + 7 * np.arange(weeks).astype("timedelta64[D]")),
            CROSSING: np.bincount(index[shown], minlength=weeks).astype(np.int64),
            CROSSING_LEFT_OUT: np.bincount(index[left_out], minlength=weeks).astype(np.int64),
            KEEP_UP_CONTACTS: keep_up.to_numpy(dtype=np.int64),
            LATE: np.bincount(index[late], minlength=weeks).astype(np.int64),
        }
    )

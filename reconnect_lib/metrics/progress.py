"""The catch-up burn-down: due clients still to contact each week, as logged, planned and forecast."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from .. import _frames as fr
from .. import schema as s
from ..errors import InputError
from ..plan import ContactPlan
from ..weeks import iso_week, week_monday
from .status import _NS, _current_events, _first_contacts

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

"""The funnel: clients at each stage, planned → contacted → replied → won back."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pandas as pd

from .. import _frames as fr
from .. import schema as s
from ..errors import InputError
from .status import _NS, ATTRIBUTION_DAYS, _current_events, _dates, contact_outcomes


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

"""Every outcome number of a campaign on one date, in one object."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from .. import _frames as fr
from .. import schema as s
from .conversion import _plan_clients, funnel
from .holdout import _lift_groups, campaign_lift, lift_statement
from .rates import rate_statement, reasons_table, win_back_rates
from .status import ATTRIBUTION_DAYS, CONFIDENCE, _check_days, contact_outcomes
from .survival import time_to_win_back

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

"""One campaign week: everything the weekly report shows, computed once.

:func:`campaign_week` composes the stages for a week: the scored client base
(with the outcome log's statuses and observed win-back counts), the contact
plan made on the as-of date, the outcome summary (rates with intervals,
reasons, funnel, lift over the plan's hold-out) and the catch-up progress. The
weekly notebook, its JSON sidecar and the tests read the same
:class:`CampaignWeek`, so the report's numbers are the library's by
construction.

Which day a week's report is "as of" is decided by
:func:`reconnect_lib.pipeline.resolve_as_of`: the ``--as-of`` given, else
campaign.toml's ``as_of`` when it falls in that week, else the week's Monday.
A report for a week is therefore the same however often, and on whichever day,
it is rerun.

The scored base is the one every other output shows (buckets, the overview,
the explorer): "due and contactable" is the same number in all of them. The
plan's catch-up is that number less the clients it deliberately leaves for
now (held out, unreachable by any channel with capacity, contacted very
recently); :func:`catch_up_gap` counts them and :attr:`CampaignWeek.gap_text`
says so in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import schema as s
from .config import CampaignConfig
from .money import cents, counted
from .pipeline import Campaign, CampaignSource, campaign_return, scored_base
from .plan import ContactPlan, plan_from_config
from .weeks import iso_week


@dataclass(frozen=True, eq=False)
class CampaignWeek:
    """A campaign as of one day, for the report of one ISO week.

    Attributes
    ----------
    campaign : Campaign
        The scored base, with the outcome log's statuses.
    week : str
        The report's ISO week.
    plan : ContactPlan
        The contact plan made on ``campaign.as_of`` (its first week is the
        week whose contacts the report lists).
    events : pandas.DataFrame
        The outcome log as of ``campaign.as_of``.
    clients_at_contact : pandas.DataFrame
        Each contacted client's bucket and owner when its campaign began.
    outcomes : OutcomeSummary
        Rates, reasons, funnel, time to win-back and lift.
    """

    campaign: Campaign
    week: str
    plan: ContactPlan
    events: pd.DataFrame
    clients_at_contact: pd.DataFrame
    outcomes: Any  # metrics.OutcomeSummary (imported lazily: statsmodels)

    @property
    def as_of(self) -> date:
        return self.campaign.as_of

    @property
    def contacts_week(self) -> str:
        """The ISO week whose contacts the report lists: the plan's first week."""
        return self.plan.start_week

    @property
    def lift_text(self) -> str:
        """The lift statement, or why there is no lift (no hold-out group, no transactions, ...)."""
        if self.outcomes.lift_statement:
            return self.outcomes.lift_statement
        notes = [note for note in self.outcomes.notes if "hold-out" in note or "lift" in note]
        return notes[0] if notes else "No hold-out group: no lift."

    @cached_property
    def returns(self) -> Any:
        """Cost, return and break-even (:func:`~reconnect_lib.pipeline.campaign_return`) with this plan."""
        return campaign_return(self.campaign, self.plan)

    @property
    def gap(self) -> dict[str, int]:
        """Due clients who may be contacted but are not in the catch-up, by why (:func:`catch_up_gap`)."""
        return catch_up_gap(self.campaign.scored, self.plan)

    @property
    def gap_text(self) -> str:
        """Why the catch-up differs from "due and contactable", in words (the same count when it does not)."""
        base = self.campaign.summary()
        catch_up = self.plan.forecast.catch_up_clients
        months = self.campaign.config.dormancy.due_after_months
        silent = counted(months, "month")
        head = f"{counted(base['due_contactable'], 'client')} silent for more than {silent} may be contacted"
        if not self.gap:
            return f"{head}; all {catch_up:,} are in the catch-up."
        parts = [f"{n:,} {GAP_WORDS[key]}" for key, n in self.gap.items()]
        return f"{head}: {', '.join(parts)}, so {catch_up:,} are in the catch-up."

    def this_week(self) -> pd.DataFrame:
        """The actions planned in :attr:`contacts_week`, with every client column."""
        return self.plan.week(self.contacts_week)

    def numbers(self) -> dict[str, Any]:
        """The report's headline numbers as plain JSON-ready values (the sidecar's content)."""
        summary = self.plan.summary(self.contacts_week)
        overall = self.outcomes.overall.iloc[0]
        by_bucket = self.outcomes.by.get(s.DORMANCY_BUCKET)
        base = self.campaign.summary()
        return {
            "campaign": self.campaign.config.campaign.name,
            "week": self.week,
            "as_of": self.as_of.isoformat(),
            "clients": base["clients"],
            "due": base["due"],
            "due_contactable": base["due_contactable"],
            "not_in_catch_up": self.gap,
            "catch_up_text": self.gap_text,
            "contacts_week": self.contacts_week,
            "this_week": summary["this_week"],
            "catch_up_clients": summary["catch_up_clients"],
            "catch_up_left": summary["catch_up_left"],
            "weekly_capacity": summary["weekly_capacity"],
            "weeks_needed": summary["weeks_needed"],
            "end_week": summary["end_week"],
            "capacity_to_finish": summary["capacity_to_finish"],
            "finish_by_week": summary["finish_by_week"],
            "keep_up_clients": summary["keep_up_clients"],
            "keep_up_per_week": summary["keep_up_per_week"],
            "holdout": summary["holdout"],
            "excluded": summary["excluded"],
            "contacted": int(overall[s.CONTACTED]),
            "won_back": int(overall[s.WON_BACK]),
            "win_back_rate": _float(overall[s.RATE]),
            "rate_low": _float(overall[s.RATE_LOW]),
            "rate_high": _float(overall[s.RATE_HIGH]),
            "revenue_recovered": cents(overall[s.REVENUE_RECOVERED]),
            "statement": self.outcomes.statement,
            "lift_statement": self.outcomes.lift_statement,
            "rates_by_bucket": []
            if by_bucket is None
            else [
                {
                    "dormancy_bucket": str(row[s.DORMANCY_BUCKET]),
                    "contacted": int(row[s.CONTACTED]),
                    "won_back": int(row[s.WON_BACK]),
                    "win_back_rate": _float(row[s.RATE]),
                }
                for row in by_bucket.to_dict("records")
            ],
            "return": {key: value for key, value in self.returns.numbers().items() if key != "tables"},
            "reasons": {
                str(row[s.REASON]): int(row[s.CLIENTS]) for row in self.outcomes.reasons.to_dict("records")
            },
        }


def _float(value: object) -> float | None:
    number = float(value)  # type: ignore[arg-type]
    return None if pd.isna(number) else number


def campaign_clients(plan: ContactPlan, events: pd.DataFrame) -> pd.DataFrame:
    """Every client the campaign has reached or plans to reach, for the funnel's first stage.

    The clients with a logged contact (any :data:`~reconnect_lib.schema.CONTACT_KINDS`
    event or ``no_answer``) plus the plan's first contacts; hold-out clients are
    flagged ``holdout`` so the funnel leaves them out.

    Returns
    -------
    pandas.DataFrame
        ``client_id`` (string), ``holdout`` (bool), one row per client.
    """
    logged = events[s.CLIENT_ID].astype("string").drop_duplicates()
    planned = plan.first_contacts()[s.CLIENT_ID].astype("string")
    held = plan.holdout[s.CLIENT_ID].astype("string")
    reached = pd.concat([logged, planned], ignore_index=True).drop_duplicates()
    reached = reached[~reached.isin(set(held))]
    return pd.DataFrame(
        {
            s.CLIENT_ID: pd.concat([reached, held], ignore_index=True).astype("string"),
            s.HOLDOUT: np.repeat([False, True], [len(reached), len(held)]),
        }
    )


def campaign_week(
    config: CampaignConfig | str | Path,
    *,
    week: str | None = None,
    as_of: date | None = None,
) -> CampaignWeek:
    """Everything a weekly report shows for one campaign week.

    Parameters
    ----------
    config : CampaignConfig or path to campaign.toml
    week : str, optional
        The report's ISO week. Default: the week of `as_of`.
    as_of : date, optional
        Default: campaign.toml's ``as_of`` (see :func:`report_as_of` for how a
        week without a date is dated). One of `as_of`, `week` or the config's
        ``as_of`` is needed: the library does not read the clock.

    Returns
    -------
    CampaignWeek

    Examples
    --------
    >>> cw = campaign_week("data/sample/consulting-firm/campaign.toml")
    >>> cw.week, cw.contacts_week, cw.numbers()["this_week"]["letter"]
    ('2026-W48', '2026-W48', 10)
    """
    from .metrics import outcome_summary  # statsmodels: loaded when needed

    source = CampaignSource.open(config, as_of=as_of, week=week)
    campaign = scored_base(source, outcomes=True)
    plan = plan_from_config(campaign.scored, source.config, as_of=source.as_of, status=campaign.status)
    events = campaign.events
    summary = outcome_summary(
        events,
        as_of=source.as_of,
        clients=campaign.at_contact,
        transactions=campaign.inputs.transactions,
        plan=campaign_clients(plan, events),
    )
    return CampaignWeek(
        campaign=campaign,
        week=week or iso_week(source.as_of),
        plan=plan,
        events=events,
        clients_at_contact=campaign.at_contact,
        outcomes=summary,
    )


#: Why a due client who may be contacted is not in the plan's catch-up, in words.
GAP_WORDS: dict[str, str] = {
    "holdout": "held out to measure lift",
    "unreachable": "cannot be reached by any channel with capacity",
    "recently_contacted": "were contacted in the last few days",
    "logged": "were reached by the campaign since they became due",
}


def catch_up_gap(scored: pd.DataFrame, plan: ContactPlan) -> dict[str, int]:
    """Due clients who may be contacted but are not in the plan's catch-up, by why.

    Keys of :data:`GAP_WORDS`, each with its count (zeros left out): ``due
    and contactable`` (:func:`reconnect_lib.dormancy.base_summary`) equals the
    plan's ``catch_up_clients`` plus these.
    """
    wanted = scored[s.DUE].fillna(False).astype(bool) & scored[s.CONTACTABLE].fillna(False).astype(bool)
    ids = scored.loc[wanted.to_numpy(), s.CLIENT_ID]
    planned = plan.clients.set_index(s.CLIENT_ID).reindex(ids)
    reason = planned[s.REASON].astype("string")
    counted = planned[s.DUE].fillna(False).astype(bool) & (reason.isna() | (reason == "beyond_horizon"))
    why = reason.where(reason.notna(), "logged")[~counted.to_numpy()]
    counts = why.value_counts()
    return {key: int(counts[key]) for key in GAP_WORDS if counts.get(key, 0)}

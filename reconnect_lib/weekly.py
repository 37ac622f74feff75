"""One campaign week: everything the weekly report shows, computed once.

:func:`campaign_week` composes the stages for a week: the scored client base
(with the outcome log's statuses and observed win-back counts), the contact
plan made on the as-of date, the outcome summary (rates with intervals,
reasons, funnel, lift over the plan's hold-out) and the catch-up progress. The
weekly notebook, its JSON sidecar and the tests read the same
:class:`CampaignWeek`, so the report's numbers are the library's by
construction.

Which day a week's report is "as of" is decided by :func:`report_as_of`: the
``--as-of`` given, else campaign.toml's ``as_of`` when it falls in that week,
else the week's Monday. A report for a week is therefore the same however
often, and on whichever day, it is rerun.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import schema as s
from .config import CampaignConfig, load_config
from .errors import ConfigError
from .pipeline import Campaign, scored_base
from .plan import ContactPlan, plan_from_config
from .weeks import iso_week, week_monday


def report_as_of(
    week: str | None, *, as_of: date | None, config_as_of: date | None, today: date | None = None
) -> tuple[str, date]:
    """The (ISO week, as-of date) of a weekly report.

    Parameters
    ----------
    week : str or None
        The ISO week asked for (``--week``); None: the week of the as-of date.
    as_of : date or None
        The as-of date asked for (``--as-of``); must fall in `week` when both are given.
    config_as_of : date or None
        campaign.toml's ``[campaign] as_of``.
    today : date, optional
        The clock's date, the last resort when no week and no date is given
        (the CLI passes it; the library never reads the clock).

    Returns
    -------
    (str, date)

    Raises
    ------
    ConfigError
        `as_of` is outside `week`, `week` is not an ISO week, or there is
        nothing to date the report by.

    Examples
    --------
    >>> report_as_of(None, as_of=None, config_as_of=None, today=date(2026, 11, 25))
    ('2026-W48', datetime.date(2026, 11, 25))
    >>> report_as_of("2026-W47", as_of=None, config_as_of=date(2026, 11, 23), today=date(2026, 11, 25))
    ('2026-W47', datetime.date(2026, 11, 16))
    >>> report_as_of("2026-W48", as_of=None, config_as_of=date(2026, 11, 24), today=date(2026, 11, 30))
    ('2026-W48', datetime.date(2026, 11, 24))
    """
    if week is None:
        day = as_of or config_as_of or today
        if day is None:
            raise ConfigError(
                "no week and no as-of date for the weekly report",
                hint="pass --week 2026-W48 or --as-of YYYY-MM-DD, or set [campaign] as_of in campaign.toml",
            )
        return iso_week(day), day
    monday = week_monday(week)
    sunday = monday + timedelta(days=6)
    if as_of is not None:
        if not monday <= as_of <= sunday:
            raise ConfigError(
                f"--as-of {as_of} is not in week {week} ({monday} to {sunday})",
                expected=f"a date from {monday} to {sunday}, or no --as-of (the week's Monday)",
            )
        return week, as_of
    if config_as_of is not None and monday <= config_as_of <= sunday:
        return week, config_as_of
    return week, monday


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

    def this_week(self) -> pd.DataFrame:
        """The actions planned in :attr:`contacts_week`, with every client column."""
        return self.plan.week(self.contacts_week)

    def numbers(self) -> dict[str, Any]:
        """The report's headline numbers as plain JSON-ready values (the sidecar's content)."""
        summary = self.plan.summary(self.contacts_week)
        overall = self.outcomes.overall.iloc[0]
        by_bucket = self.outcomes.by.get(s.DORMANCY_BUCKET)
        due = self.campaign.scored[s.DUE].astype(bool)
        return {
            "campaign": self.campaign.config.campaign.name,
            "week": self.week,
            "as_of": self.as_of.isoformat(),
            "clients": len(self.campaign.scored),
            "due": int(due.sum()),
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
            "revenue_recovered": _float(overall[s.REVENUE_RECOVERED]),
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
    from .metrics import load_outcomes, outcome_summary  # statsmodels, SQLAlchemy: loaded when needed

    cfg = config if isinstance(config, CampaignConfig) else load_config(config)
    week, day = report_as_of(week, as_of=as_of, config_as_of=cfg.campaign.as_of)
    campaign = scored_base(cfg, as_of=day, outcomes=True)
    # scored_base synced the history file into the store; read the log once more, as is.
    logged = load_outcomes(cfg, as_of=day, inputs=campaign.inputs, sync=False)
    plan = plan_from_config(campaign.scored, cfg, as_of=day, status=campaign.status)
    summary = outcome_summary(
        logged.events,
        as_of=day,
        clients=logged.clients,
        transactions=logged.transactions,
        plan=campaign_clients(plan, logged.events),
    )
    return CampaignWeek(
        campaign=campaign,
        week=week,
        plan=plan,
        events=logged.events,
        clients_at_contact=logged.clients,
        outcomes=summary,
    )

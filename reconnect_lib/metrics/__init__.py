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
>>> from reconnect_lib.metrics import contact_outcomes, win_back_rates
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

from .._imports import lazy_names

# Each name is imported from its module on first use: `history` needs only `status`, and the
# returns, survival and hold-out modules need not load for a command that reads none of them.
_LAZY = {
    "funnel": "conversion",
    "campaign_lift": "holdout",
    "lift": "holdout",
    "lift_rates": "holdout",
    "lift_statement": "holdout",
    "PROGRESS_COLUMNS": "progress",
    "catch_up_progress": "progress",
    "GROUP_BY_CHOICES": "rates",
    "GroupBy": "rates",
    "observed_counts": "rates",
    "rate_statement": "rates",
    "reasons_table": "rates",
    "wilson_interval": "rates",
    "win_back_rates": "rates",
    "Costs": "returns",
    "ReturnSummary": "returns",
    "break_even_week": "returns",
    "campaign_costs": "returns",
    "forecast_break_even": "returns",
    "paid_statement": "returns",
    "referral_links": "returns",
    "referral_revenue": "returns",
    "return_summary": "returns",
    "ATTRIBUTION_DAYS": "status",
    "CLIENT_COLUMNS": "status",
    "CONFIDENCE": "status",
    "OUTCOME_COLUMNS": "status",
    "STATUS_COLUMNS": "status",
    "client_status": "status",
    "contact_outcomes": "status",
    "OutcomeSummary": "summary",
    "outcome_summary": "summary",
    "time_to_win_back": "survival",
}


__getattr__, __dir__ = lazy_names(__name__, _LAZY, globals())

__all__ = [
    "ATTRIBUTION_DAYS",
    "CLIENT_COLUMNS",
    "CONFIDENCE",
    "GROUP_BY_CHOICES",
    "OUTCOME_COLUMNS",
    "PROGRESS_COLUMNS",
    "STATUS_COLUMNS",
    "Costs",
    "GroupBy",
    "OutcomeSummary",
    "ReturnSummary",
    "break_even_week",
    "campaign_costs",
    "campaign_lift",
    "catch_up_progress",
    "client_status",
    "contact_outcomes",
    "forecast_break_even",
    "funnel",
    "lift",
    "lift_rates",
    "lift_statement",
    "observed_counts",
    "outcome_summary",
    "paid_statement",
    "rate_statement",
    "reasons_table",
    "referral_links",
    "referral_revenue",
    "return_summary",
    "time_to_win_back",
    "wilson_interval",
    "win_back_rates",
]

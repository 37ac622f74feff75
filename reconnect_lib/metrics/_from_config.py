"""The outcome metrics of a campaign file: reads the inputs and the outcome store (file and database I/O).

Kept apart from the pure metrics, which compute from the frames they are handed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from .. import _frames as fr
from .. import schema as s
from ..client_base import client_base
from ..config import CampaignConfig
from ..dormancy import dormancy_buckets
from ..load import Inputs, load_inputs
from ..options import MeasureFrom
from ..outcomes import ImportResult, OutcomeStore, empty_events, store_exists, sync_configured_history
from .rates import observed_counts
from .status import ATTRIBUTION_DAYS, _current_events, _first_contacts
from .summary import OutcomeSummary, outcome_summary

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

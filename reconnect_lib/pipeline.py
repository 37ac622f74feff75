"""The client-base pipeline composed from a campaign file.

``scored_base`` runs load & validate → client base → dormancy buckets → value
scores with the settings of campaign.toml. The CLI, the notebooks and the
widgets call this one function, so they all see the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from .client_base import client_base
from .config import CampaignConfig, load_config
from .dormancy import bucket_table, dormancy_buckets, keep_up_list
from .errors import ConfigError
from .load import Inputs, load_inputs
from .value import value_scores


@dataclass(frozen=True)
class Campaign:
    """A campaign's inputs and scored client base as of one date.

    Attributes
    ----------
    config : CampaignConfig
    as_of : date
    inputs : Inputs
        The validated input tables and the load report.
    scored : pandas.DataFrame
        One row per client: client base, dormancy bucket and value columns.
    status : pandas.DataFrame or None
        Each logged client's current status from the outcome log
        (:func:`reconnect_lib.metrics.client_status`), when read with ``outcomes=True``.
    observed : pandas.DataFrame or None
        The observed win-back counts per bucket that updated the chance of winning back.
    """

    config: CampaignConfig
    as_of: date
    inputs: Inputs
    scored: pd.DataFrame
    status: pd.DataFrame | None = None
    observed: pd.DataFrame | None = None

    @property
    def buckets(self) -> pd.DataFrame:
        """The bucket table (clients, due, value at stake, share of revenue per bucket)."""
        return bucket_table(self.scored, edges_months=self.config.dormancy.edges_months)

    @property
    def keep_up(self) -> pd.DataFrame:
        """Clients who will cross the due threshold within ``keep_up_weeks``."""
        d = self.config.dormancy
        return keep_up_list(
            self.scored, as_of=self.as_of, weeks=d.keep_up_weeks, due_after_months=d.due_after_months
        )


def resolve_as_of(config: CampaignConfig, as_of: date | None) -> date:
    """The as-of date: the argument, else campaign.toml's ``as_of``; never the clock."""
    if as_of is not None:
        return as_of
    if config.campaign.as_of is not None:
        return config.campaign.as_of
    raise ConfigError(
        "no as-of date",
        file=str(config.source) if config.source else None,
        hint="pass --as-of YYYY-MM-DD, or set [campaign] as_of in campaign.toml",
    )


def scored_base(
    config: CampaignConfig | str | Path,
    *,
    as_of: date | None = None,
    observed: pd.DataFrame | None = None,
    outcomes: bool = False,
) -> Campaign:
    """Load a campaign's data and score every client.

    Parameters
    ----------
    config : CampaignConfig or path to campaign.toml
    as_of : date, optional
        Defaults to campaign.toml's ``as_of``.
    observed : DataFrame, optional
        Observed win-back counts per bucket (``dormancy_bucket``, ``contacted``,
        ``won_back``) that update the prior chance of winning back.
    outcomes : bool
        Read the campaign's outcome log too (importing its ``[data] outcomes``
        history first, idempotently): the observed counts update the chance of
        winning back (unless `observed` is given) and ``Campaign.status`` holds
        each logged client's status for the contact plan.

    Returns
    -------
    Campaign

    Examples
    --------
    >>> c = scored_base("data/sample/consulting-firm/campaign.toml")  # doctest: +SKIP
    >>> c.buckets[["dormancy_bucket", "clients"]]  # doctest: +SKIP
    """
    cfg = config if isinstance(config, CampaignConfig) else load_config(config)
    day = resolve_as_of(cfg, as_of)
    inputs = load_inputs(cfg, as_of=day)
    status = None
    if outcomes:
        # Imported here: the outcome store pulls in SQLAlchemy and statsmodels.
        from .metrics import client_status, load_outcomes, observed_counts

        logged = load_outcomes(cfg, as_of=day, inputs=inputs, sync=True)
        status = client_status(logged.events, as_of=day, transactions=inputs.transactions)
        if observed is None:
            observed = observed_counts(
                logged.events, logged.clients, as_of=day, transactions=logged.transactions
            )
    base = client_base(
        inputs.clients,
        inputs.transactions,
        inputs.contacts,
        as_of=day,
        measure_from=cfg.dormancy.measure_from,
    )
    bucketed = dormancy_buckets(
        base,
        edges_months=cfg.dormancy.edges_months,
        due_after_months=cfg.dormancy.due_after_months,
    )
    stake = "yearly_revenue"
    if cfg.value.model == "bgnbd":
        from . import clv  # scipy: loaded only when the model is asked for

        if inputs.transactions is None:
            raise ConfigError(
                "value model `bgnbd` needs a purchase history",
                file=str(cfg.source) if cfg.source else None,
                hint='add transactions = "..." under [data], or set [value] model = "historical"',
            )
        rhythm = clv.purchase_rhythm(inputs.transactions, as_of=day)
        bucketed = clv.with_model_value(bucketed, rhythm)
        stake = clv.MODEL_YEARLY_VALUE
    scored = value_scores(
        bucketed,
        basis=cfg.value.basis,
        prior=cfg.value.prior,
        prior_strength=cfg.value.prior_strength,
        observed=observed,
        edges_months=cfg.dormancy.edges_months,
        stake=stake,
    )
    return Campaign(config=cfg, as_of=day, inputs=inputs, scored=scored, status=status, observed=observed)

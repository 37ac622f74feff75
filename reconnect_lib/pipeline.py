"""The client-base pipeline composed from a campaign file.

``scored_base`` runs load & validate → client base → dormancy buckets → value
scores with the settings of campaign.toml. The CLI, the notebooks and the
widgets call this one function, so they all see the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from .client_base import client_base
from .config import EARLIEST_AS_OF, LATEST_AS_OF, CampaignConfig, check_files, load_config
from .dormancy import bucket_table, dormancy_buckets, keep_up_list
from .engines import check_engine, materialize, to_pandas
from .errors import ConfigError
from .load import Inputs, load_inputs, scan_inputs
from .options import Engine
from .schema import CLIENT_ID
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
    """The as-of date: the argument, else campaign.toml's ``as_of``; never the clock.

    Raises
    ------
    ConfigError
        No date, or a date reconnect_lib cannot compute for (before 1900 or
        after 2199: dates on the way would overflow).
    """
    if as_of is None:
        as_of = config.campaign.as_of
    if as_of is None:
        raise ConfigError(
            "no as-of date",
            file=str(config.source) if config.source else None,
            hint="pass --as-of YYYY-MM-DD, or set [campaign] as_of in campaign.toml",
        )
    if not isinstance(as_of, date):
        raise ConfigError(
            f"as_of={as_of!r} is not a date",
            expected="a datetime.date, e.g. date(2026, 11, 23)",
            hint="parse a text date first: datetime.date.fromisoformat('2026-11-23')",
        )
    day = as_of.date() if isinstance(as_of, datetime) else as_of  # also a pandas Timestamp
    if not EARLIEST_AS_OF <= day <= LATEST_AS_OF:
        raise ConfigError(
            f"as_of {day} is out of range",
            expected=f"a date from {EARLIEST_AS_OF} to {LATEST_AS_OF}",
            hint="check the year",
        )
    return as_of


def scored_base(
    config: CampaignConfig | str | Path,
    *,
    as_of: date | None = None,
    observed: pd.DataFrame | None = None,
    outcomes: bool = False,
    engine: Engine | None = None,
    spark: Any = None,
    collect: bool = True,
) -> Campaign:
    """Load a campaign's data and score every client.

    Parameters
    ----------
    config : CampaignConfig or path to campaign.toml
    as_of : date, optional
        Defaults to campaign.toml's ``as_of``.
    engine : {"pandas", "polars", "duckdb", "spark"}, optional
        What reads the files and computes the client base, buckets and scores;
        defaults to ``[engine] name`` (pandas). pandas loads with
        :func:`~reconnect_lib.load.load_inputs`; the others with
        :func:`~reconnect_lib.load.scan_inputs` (lazily, checked by aggregate
        queries). Every engine gives the same numbers to the cent and the day,
        and the same ranks.
    spark : SparkSession, optional
        For ``engine="spark"``; defaults to a session on ``[engine] master``.
    collect : bool
        On an engine other than pandas, collect the inputs and the scored base
        into pandas (the default: the Campaign is then exactly the pandas
        engine's, and every notebook, plan and report works on it unchanged).
        ``False`` keeps them as the engine's lazy frames, for a base too big
        for pandas; the scored base is then computed once and kept in the
        engine (:func:`reconnect_lib.engines.materialize`).
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
        pandas frames, unless ``collect=False`` on another engine: then
        ``inputs`` and ``scored`` are that engine's lazy frames (Polars
        LazyFrame, DuckDB relation, Spark DataFrame; rows in no particular
        order), and so are ``buckets`` and ``keep_up``;
        :func:`reconnect_lib.engines.to_pandas` collects any of them into the
        frame the pandas engine gives.

    Notes
    -----
    ``[value] model = "bgnbd"`` runs on every engine: the engine computes each
    client's purchase summary (:func:`reconnect_lib.clv.base_summary`: purchase
    days, first and last, money in whole cents), that table (one row per
    client who bought) is collected into pandas, where BG/NBD and Gamma-Gamma
    are fitted with SciPy and every buyer's yearly value is computed, and those
    values are handed back to the engine and joined to the client base; the
    model never collects the transactions themselves. pandas takes the same
    path, so every engine fits the same numbers and gives the same values and
    ranks, and the same as :func:`reconnect_lib.clv.purchase_rhythm`, which the
    notebooks use.

    Raises
    ------
    ConfigError
        ``[value] model = "bgnbd"`` without a purchase history.
    InputError
        The input files fail validation (see :func:`~reconnect_lib.load.load_inputs`
        and :func:`~reconnect_lib.load.scan_inputs`).

    Examples
    --------
    >>> c = scored_base("data/sample/consulting-firm/campaign.toml")  # doctest: +SKIP
    >>> c.buckets[["dormancy_bucket", "clients"]]  # doctest: +SKIP
    """
    cfg = config if isinstance(config, CampaignConfig) else load_config(config)
    day = resolve_as_of(cfg, as_of)
    check_files(cfg)
    engine = check_engine(engine or cfg.engine.name)
    if engine == "pandas":
        inputs = load_inputs(cfg, as_of=day)
    else:
        inputs = scan_inputs(cfg, as_of=day, engine=engine, spark=spark)
    status = None
    if outcomes:
        # Imported here: the outcome store pulls in SQLAlchemy and statsmodels.
        from .metrics import client_status, load_outcomes, observed_counts

        # The outcome log is a pandas/SQL stage: it gets the inputs in pandas.
        logged_inputs = inputs if engine == "pandas" else _collected(inputs)
        logged = load_outcomes(cfg, as_of=day, inputs=logged_inputs, sync=True)
        status = client_status(logged.events, as_of=day, transactions=logged_inputs.transactions)
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
        # The per-client summary is computed by the engine; only it (one row per
        # buyer) comes to pandas for the fit, and the values go back to the engine.
        rhythm = clv.base_purchase_rhythm(inputs.transactions, as_of=day)
        bucketed = clv.with_model_value(bucketed, rhythm, spark=spark)
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
    if engine != "pandas" and collect:
        inputs = logged_inputs if outcomes else _collected(inputs)
        # Sorted as the client list is on pandas: a lazy engine keeps no row order.
        order = to_pandas(inputs.clients)[[CLIENT_ID]]
        scored = order.merge(to_pandas(scored), on=CLIENT_ID, how="left", validate="one_to_one")
    elif engine != "pandas":
        # One row per client, built from the whole history: compute it once, not
        # again for each table a face builds from it.
        scored = materialize(scored)
    return Campaign(config=cfg, as_of=day, inputs=inputs, scored=scored, status=status, observed=observed)


def _collected(inputs: Inputs) -> Inputs:
    """`inputs` with every table collected into pandas."""
    return Inputs(
        clients=to_pandas(inputs.clients),
        transactions=None if inputs.transactions is None else to_pandas(inputs.transactions),
        contacts=None if inputs.contacts is None else to_pandas(inputs.contacts),
        report=inputs.report,
    )

"""A campaign resolved once, and its scored client base.

:class:`CampaignSource` is a campaign as campaign.toml and the command line
describe it, resolved once: the config, the as-of date (:func:`resolve_as_of`,
the one place that decides it), the engine, the read options and the outcome
store. It is the only part of the pipeline that reads files or the database.

``scored_base`` runs load & validate → the outcome log folded into the history
(:mod:`reconnect_lib.history`) → client base → dormancy buckets → value scores
→ each client's status from the log. The CLI, the notebooks and the widgets
call this one function, so buckets, the overview, the explorer, the plan and
the weekly report all count from the same history, as of the same day, with
the same chances.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from .client_base import client_base
from .config import EARLIEST_AS_OF, LATEST_AS_OF, CampaignConfig, check_files, load_config
from .dormancy import base_summary, bucket_table, dormancy_buckets, keep_up_list
from .engines import check_engine, materialize, to_pandas
from .errors import ConfigError
from .history import clients_at_contact, with_outcome_log, with_status
from .load.tables import Inputs, load_inputs
from .options import Engine
from .schema import CLIENT_ID
from .value import value_scores
from .weeks import report_as_of


def resolve_as_of(
    config: CampaignConfig | None,
    as_of: date | None = None,
    *,
    week: str | None = None,
    today: date | None = None,
) -> date:
    """The day a campaign is computed as of: the one rule every command, report and notebook follows.

    The `as_of` given; else, for a `week`, campaign.toml's ``as_of`` when it
    falls in that week and the week's Monday otherwise (so a week's report is
    the same however often, and on whichever day, it is rerun); else
    campaign.toml's ``as_of``; else `today` (the CLI passes the clock's date:
    the library never reads the clock).

    Raises
    ------
    ConfigError
        No date to go by, `as_of` outside `week`, not a date, or out of
        range (before 1900 or after 2199: dates on the way would overflow).

    Examples
    --------
    >>> resolve_as_of(None, date(2026, 11, 25))
    datetime.date(2026, 11, 25)
    >>> resolve_as_of(None, week="2026-W47", today=date(2026, 12, 6))
    datetime.date(2026, 11, 16)
    """
    if as_of is not None and not isinstance(as_of, date):
        raise ConfigError(
            f"as_of={as_of!r} is not a date",
            expected="a datetime.date, e.g. date(2026, 11, 23)",
            hint="parse a text date first: datetime.date.fromisoformat('2026-11-23')",
        )
    if isinstance(as_of, datetime):  # also a pandas Timestamp
        as_of = as_of.date()
    configured = config.campaign.as_of if config is not None else None
    if as_of is None and week is None and configured is None and today is None:
        raise ConfigError(
            "no as-of date",
            file=str(config.source) if config is not None and config.source else None,
            hint="pass --as-of YYYY-MM-DD, or set [campaign] as_of in campaign.toml",
        )
    _, day = report_as_of(week, as_of=as_of, config_as_of=configured, today=today)
    if not EARLIEST_AS_OF <= day <= LATEST_AS_OF:
        raise ConfigError(
            f"week {week} (as of {day}) is out of range" if week else f"as_of {day} is out of range",
            expected=f"a date from {EARLIEST_AS_OF} to {LATEST_AS_OF}",
            hint="check the year" + ("; pass --week with the week you mean" if week else ""),
        )
    return day


@dataclass(frozen=True)
class CampaignSource:
    """A campaign resolved once: what it reads, as of which day, on which engine.

    Build it with :meth:`open`; every face (CLI, notebooks, widgets) asks it,
    through :func:`scored_base` and :func:`reconnect_lib.weekly.campaign_week`,
    for frames, and passes the frames to the stages. Only this class reads the
    campaign's files and its outcome store.

    Attributes
    ----------
    config : CampaignConfig
    as_of : date
    engine : {"pandas", "polars", "duckdb", "spark"}
    """

    config: CampaignConfig
    as_of: date
    engine: Engine = "pandas"

    @classmethod
    def open(
        cls,
        config: CampaignConfig | str | Path,
        *,
        as_of: date | None = None,
        week: str | None = None,
        engine: Engine | None = None,
        today: date | None = None,
    ) -> CampaignSource:
        """Read campaign.toml (unless given a config), decide the as-of date and the engine.

        Raises
        ------
        ConfigError
            See :func:`resolve_as_of`, :func:`reconnect_lib.config.load_config`
            and :func:`reconnect_lib.config.check_files` (a data file that is not there).
        """
        cfg = config if isinstance(config, CampaignConfig) else load_config(config)
        day = resolve_as_of(cfg, as_of, week=week, today=today)
        check_files(cfg)
        return cls(config=cfg, as_of=day, engine=check_engine(engine or cfg.engine.name))

    def inputs(self, *, spark: Any = None) -> Inputs:
        """The validated input tables: pandas frames, or the engine's lazy frames."""
        if self.engine == "pandas":
            return load_inputs(self.config, as_of=self.as_of)
        from .load.scan import scan_inputs  # the scanning engines' reader and checks

        return scan_inputs(self.config, as_of=self.as_of, engine=self.engine, spark=spark)

    @property
    def has_outcome_log(self) -> bool:
        """Whether the campaign has an outcome log: a ``[data] outcomes`` file or a store already made."""
        from .outcomes import store_exists  # SQLAlchemy: loaded when a log is asked for

        return self.config.data.outcomes is not None or store_exists(self.config.outcomes.database)

    def outcome_log(self, client_ids: set[str] | None = None) -> tuple[pd.DataFrame, Any]:
        """The outcome log as of :attr:`as_of`, after bringing in ``[data] outcomes``.

        The history file is imported into ``[outcomes] database`` first
        (idempotently: rows already there are skipped), which creates the SQLite
        file the first time. A campaign with neither a history file nor a store
        has an empty log, and no database is created.

        Returns
        -------
        (pandas.DataFrame, ImportResult or None)
            The events, and what the import of the history file added.
        """
        from .outcomes import OutcomeStore, empty_events, sync_configured_history

        if not self.has_outcome_log:
            return empty_events(), None
        imported = None
        with OutcomeStore.from_config(self.config) as store:
            if self.config.data.outcomes is not None:
                imported = sync_configured_history(
                    self.config, as_of=self.as_of, store=store, client_ids=client_ids
                )
            return store.events(self.as_of), imported


@dataclass(frozen=True)
class Campaign:
    """A campaign's inputs and scored client base as of one date.

    Attributes
    ----------
    config : CampaignConfig
    as_of : date
    inputs : Inputs
        The validated input tables and the load report, with the outcome log's
        contacts and renewals in the histories.
    scored : pandas.DataFrame
        One row per client: client base, dormancy bucket, value columns, and
        ``status`` / ``contactable`` from the outcome log.
    status : pandas.DataFrame or None
        Each logged client's current status from the outcome log
        (:func:`reconnect_lib.metrics.client_status`); None without a log.
    observed : pandas.DataFrame or None
        The observed win-back counts per bucket that updated the chance of winning back.
    events : pandas.DataFrame or None
        The outcome log as of ``as_of``; None when it was not read.
    at_contact : pandas.DataFrame or None
        Each contacted client's bucket and owner when its campaign began
        (:func:`reconnect_lib.history.clients_at_contact`).
    imported : ImportResult or None
        What bringing in the ``[data] outcomes`` history file added.
    """

    config: CampaignConfig
    as_of: date
    inputs: Inputs
    scored: pd.DataFrame
    status: pd.DataFrame | None = None
    observed: pd.DataFrame | None = None
    events: pd.DataFrame | None = None
    at_contact: pd.DataFrame | None = None
    imported: Any = field(default=None, repr=False)

    @property
    def buckets(self) -> pd.DataFrame:
        """The bucket table: clients, due, due and contactable, revenue and value per bucket."""
        return bucket_table(self.scored, edges_months=self.config.dormancy.edges_months)

    @property
    def keep_up(self) -> pd.DataFrame:
        """Clients who will cross the due threshold within ``keep_up_weeks``."""
        d = self.config.dormancy
        return keep_up_list(
            self.scored, as_of=self.as_of, weeks=d.keep_up_weeks, due_after_months=d.due_after_months
        )

    @property
    def history_text(self) -> str:
        """What the outcome log changed in these numbers, in words ("" when the log was not read)."""
        if self.events is None:
            return ""
        from .history import CLOSED_STATUSES

        closed = 0 if self.status is None else int(self.status["status"].isin(CLOSED_STATUSES).sum())
        if self.events.empty:
            return f"The campaign's outcome log has no events up to {self.as_of:%d %B %Y}."
        return (
            f"These numbers include the campaign's outcome log ({len(self.events):,} events up to "
            f"{self.as_of:%d %B %Y}): a client reached counts as contacted, a renewal as a purchase, and "
            f"the {closed:,} clients lost to the campaign or who asked not to be contacted are not "
            "counted as contactable."
        )

    def summary(self) -> dict[str, Any]:
        """The headline numbers of the base (:func:`reconnect_lib.dormancy.base_summary`)."""
        return base_summary(self.scored, edges_months=self.config.dormancy.edges_months)


def scored_base(
    config: CampaignSource | CampaignConfig | str | Path,
    *,
    as_of: date | None = None,
    observed: pd.DataFrame | None = None,
    outcomes: bool | None = None,
    engine: Engine | None = None,
    spark: Any = None,
    collect: bool = True,
) -> Campaign:
    """Load a campaign's data and score every client.

    Parameters
    ----------
    config : CampaignSource, CampaignConfig or path to campaign.toml
    as_of : date, optional
        Defaults to campaign.toml's ``as_of`` (see :func:`resolve_as_of`);
        not with a CampaignSource, which has its date.
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
        ``won_back``) that update the prior chance of winning back, instead of
        the outcome log's.
    outcomes : bool, optional
        Read the campaign's outcome log (importing its ``[data] outcomes``
        history first, idempotently). Default: when the campaign has one. The
        log is part of each client's history: a logged contact is a contact,
        a renewal with an amount a purchase (:mod:`reconnect_lib.history`);
        its observed win-back counts update the chance of winning back
        (unless `observed` is given); and each logged client's status is
        joined to the scored base (``status``, ``contactable``) and kept in
        ``Campaign.status`` for the contact plan. ``False`` shows the base as
        the export alone describes it, before the campaign.

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
    if isinstance(config, CampaignSource):
        if as_of is not None and as_of != config.as_of:
            raise ConfigError(
                f"as_of={as_of} differs from the campaign's {config.as_of}",
                hint="open the CampaignSource with the date you mean",
            )
        source = (
            config if engine is None else CampaignSource(config.config, config.as_of, check_engine(engine))
        )
    else:
        source = CampaignSource.open(config, as_of=as_of, engine=engine)
    cfg, day, engine = source.config, source.as_of, source.engine
    inputs = source.inputs(spark=spark)
    status = events = at_contact = imported = None
    history = inputs
    if source.has_outcome_log if outcomes is None else outcomes:
        # Imported here: the outcome store pulls in SQLAlchemy and statsmodels.
        from .metrics import client_status, observed_counts

        ids = None if engine != "pandas" else set(inputs.clients[CLIENT_ID].astype(str))
        events, imported = source.outcome_log(client_ids=ids)
        history = with_outcome_log(inputs, events, as_of=day, spark=spark)
        # The log's stages run on pandas: they get the history of the logged clients.
        logged = history if engine == "pandas" else _collected(history, only=events[CLIENT_ID])
        status = client_status(events, as_of=day, transactions=logged.transactions)
        d = cfg.dormancy
        at_contact = clients_at_contact(
            logged,
            events,
            as_of=day,
            edges_months=d.edges_months,
            due_after_months=d.due_after_months,
            measure_from=d.measure_from,
        )
        if observed is None:
            observed = observed_counts(events, at_contact, as_of=day, transactions=logged.transactions)
    base = client_base(
        history.clients,
        history.transactions,
        history.contacts,
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

        if history.transactions is None:
            raise ConfigError(
                "value model `bgnbd` needs a purchase history",
                file=str(cfg.source) if cfg.source else None,
                hint='add transactions = "..." under [data], or set [value] model = "historical"',
            )
        # The per-client summary is computed by the engine; only it (one row per
        # buyer) comes to pandas for the fit, and the values go back to the engine.
        rhythm = clv.base_purchase_rhythm(history.transactions, as_of=day)
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
    scored = with_status(scored, status, spark=spark)
    if engine != "pandas" and collect:
        history = _collected(history)
        # Sorted as the client list is on pandas: a lazy engine keeps no row order.
        order = history.clients[[CLIENT_ID]]
        scored = order.merge(to_pandas(scored), on=CLIENT_ID, how="left", validate="one_to_one")
    elif engine != "pandas":
        # One row per client, built from the whole history: compute it once, not
        # again for each table a face builds from it.
        scored = materialize(scored)
    return Campaign(
        config=cfg,
        as_of=day,
        inputs=history,
        scored=scored,
        status=status,
        observed=observed,
        events=events,
        at_contact=at_contact,
        imported=imported,
    )


def _collected(inputs: Inputs, only: pd.Series | None = None) -> Inputs:
    """`inputs` with every table collected into pandas (only the clients in `only`, if given)."""
    import narwhals.stable.v1 as nw

    ids = None if only is None else pd.Series(only, dtype="string").dropna().unique().tolist()

    def collect(frame: Any) -> pd.DataFrame | None:
        if frame is None:
            return None
        if ids is not None:
            frame = nw.from_native(frame).filter(nw.col(CLIENT_ID).is_in(ids)).to_native()
        return to_pandas(frame)

    return Inputs(
        clients=collect(inputs.clients),
        transactions=collect(inputs.transactions),
        contacts=collect(inputs.contacts),
        report=inputs.report,
    )


def outcome_report(
    config: Campaign | CampaignSource | CampaignConfig | str | Path,
    *,
    as_of: date | None = None,
    plan: pd.DataFrame | None = None,
    holdout: pd.DataFrame | None = None,
    attribution_days: int | None = None,
) -> Any:
    """:func:`~reconnect_lib.metrics.outcome_summary` of a campaign: its log, buckets at contact, history.

    The log (history file synced first) and the purchase history are those of
    :func:`scored_base`, so these rates count the same clients and purchases
    as the weekly report.

    Returns
    -------
    OutcomeSummary
        With a note on what the sync of ``[data] outcomes`` added, if anything.

    Examples
    --------
    >>> summary = outcome_report("campaign.toml", as_of=date(2026, 11, 23))  # doctest: +SKIP
    >>> print(summary.statement)  # doctest: +SKIP
    """
    from .metrics import ATTRIBUTION_DAYS, OutcomeSummary, outcome_summary  # statsmodels: loaded when needed

    if isinstance(config, Campaign) and config.events is not None:
        campaign = config
    else:
        campaign = scored_base(
            config.config if isinstance(config, Campaign) else config, as_of=as_of, outcomes=True
        )
    summary = outcome_summary(
        campaign.events,
        as_of=campaign.as_of,
        clients=campaign.at_contact,
        transactions=campaign.inputs.transactions,
        plan=plan,
        holdout=holdout,
        attribution_days=ATTRIBUTION_DAYS if attribution_days is None else attribution_days,
    )
    if campaign.imported is not None:
        notes = (f"History synced from {campaign.imported}.", *summary.notes)
        summary = OutcomeSummary(**{**summary.__dict__, "notes": notes})
    return summary


#: What the return says when campaign.toml sets no cost: it cannot be set against nothing.
NO_COSTS = (
    "No costs are set in campaign.toml: add a [costs] table (per letter, call, e-mail, gift, and fixed "
    "costs) to see whether the campaign paid for itself."
)


def campaign_return(
    campaign: Campaign, plan: Any = None, *, holdout: pd.DataFrame | None = None, seed: int = 0
) -> Any:
    """Did the campaign pay for itself? Its :class:`~reconnect_lib.metrics.ReturnSummary`, or None.

    Cost from what the outcome log says was done, at ``[costs]`` of campaign.toml;
    return from the revenue won back and the referrals' revenue; the break-even
    week, forecast from `plan` when not reached. None when the log was not read
    (``scored_base(..., outcomes=False)``).
    """
    if campaign.events is None:
        return None
    from dataclasses import replace

    from .metrics import Costs, return_summary  # statsmodels: loaded when needed

    summary = return_summary(
        campaign.events,
        Costs(**campaign.config.costs.model_dump()),
        as_of=campaign.as_of,
        transactions=campaign.inputs.transactions,
        clients=campaign.at_contact,
        client_list=campaign.inputs.clients,
        plan=plan,
        holdout=holdout,
        seed=seed,
    )
    if not campaign.config.costs.any:
        summary = replace(summary, statement=NO_COSTS, notes=(NO_COSTS, *summary.notes))
    return summary

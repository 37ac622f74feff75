"""A campaign's purchase rhythm: the models fitted to its history, and what the overview report shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

import numpy as np
import pandas as pd

from ..errors import InputError
from ..schema import AMOUNT, CLIENT_ID, DATE, FIRST_PURCHASE, LAST_PURCHASE
from .bgnbd import BetaGeoModel, fit_bgnbd
from .columns import AGE, EXPECTED_SPEND, FREQUENCY, MONETARY_VALUE, OVERDUE_RATIO, P_ALIVE, RECENCY
from .gamma_gamma import GammaGammaModel, fit_gamma_gamma
from .scores import clv_scores
from .summary import _as_day, rfm_summary

# --- a campaign's purchase rhythm: what the overview report shows ---------------------

RHYTHM_DAYS: Final = "rhythm_days"  # the client's expected gap between purchases, in days
MODEL_YEARLY_VALUE: Final = "model_yearly_value"  # a year of the client's business at their own rhythm
DAYS_SINCE_PURCHASE: Final = "days_since_purchase"


@dataclass(frozen=True, eq=False)
class PurchaseRhythm:
    """BG/NBD (and Gamma-Gamma) fitted to a campaign's purchases, with per-client scores.

    Attributes
    ----------
    bgnbd : BetaGeoModel
    gamma_gamma : GammaGammaModel or None
        None when fewer than 10 clients bought more than once.
    scores : pandas.DataFrame
        One row per client with a purchase: the :func:`rfm_summary` columns,
        the :func:`clv_scores` columns, ``rhythm_days`` and ``days_since_purchase``.
    """

    bgnbd: BetaGeoModel
    gamma_gamma: GammaGammaModel | None
    scores: pd.DataFrame


def purchase_rhythm(
    transactions: pd.DataFrame, *, as_of: date | datetime, horizon_days: float = 365.0
) -> PurchaseRhythm:
    """Fit the models to a campaign's purchase history (in days) and score every buyer.

    Parameters
    ----------
    transactions : pandas.DataFrame
        ``client_id``, ``date``, ``amount`` (refunds negative). Not modified.
    as_of : datetime.date
    horizon_days : float
        Horizon of ``expected_purchases``.

    Returns
    -------
    PurchaseRhythm

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> days = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700, 400), unit="D")
    >>> tx = pd.DataFrame({"client_id": rng.integers(0, 60, 400).astype(str), "date": days, "amount": 50.0})
    >>> rhythm = purchase_rhythm(tx, as_of=date(2025, 1, 1))
    >>> bool(rhythm.scores["p_alive"].between(0, 1).all()), len(rhythm.scores)
    (True, 60)
    """
    return _rhythm(rfm_summary(transactions, as_of=as_of), as_of=as_of, horizon_days=horizon_days)


def base_purchase_rhythm(transactions: Any, *, as_of: date, horizon_days: float = 365.0) -> PurchaseRhythm:
    """:func:`purchase_rhythm` of a loaded purchase history on any engine.

    What the pipeline's ``[value] model = "bgnbd"`` runs on. The per-client
    summary (:func:`rfm_summary`'s columns) is computed by the history's own
    engine (pandas, Polars, DuckDB, Spark, PyArrow) and collected into pandas:
    one row per client who bought, however long the history. The models are
    then fitted, and every client scored, in pandas and SciPy.

    Amounts are summed in whole cents (each rounded half up), as the client
    base and :func:`rfm_summary` sum them: every engine then hands the fit the
    same numbers to the last bit, so it gives the same values and ranks as
    :func:`purchase_rhythm` on pandas.

    Parameters
    ----------
    transactions : pandas, Polars or PyArrow frame, DuckDB relation or PySpark DataFrame
        A validated history as :mod:`reconnect_lib.load` gives it: ``client_id``,
        ``date`` (a date on every row) and ``amount`` (refunds negative). Not modified.
    as_of : datetime.date
    horizon_days : float
        Horizon of ``expected_purchases``.

    Returns
    -------
    PurchaseRhythm
        Its ``scores`` is a pandas frame, one row per buyer, sorted by client id.

    """
    return _rhythm(base_summary(transactions, as_of=as_of), as_of=as_of, horizon_days=horizon_days)


_DAY = "__day"
_CENTS = "__cents"
_FIRST_CENTS = "__first_cents"
_N_DAYS = "__n_days"


def base_summary(transactions: Any, *, as_of: date) -> pd.DataFrame:
    """:func:`rfm_summary`'s columns (in days), computed by the history's engine, as pandas.

    As :func:`rfm_summary` counts them: a purchase is a transaction with a
    positive amount up to `as_of`, and a client's purchases on one day are one
    purchase day. Money is summed in whole cents (see :func:`base_purchase_rhythm`).

    Returns
    -------
    pandas.DataFrame
        One row per client who bought, sorted by client id, with the columns
        and dtypes of :func:`rfm_summary` (``recency`` and ``T`` in days).

    Examples
    --------
    >>> tx = pd.DataFrame({"client_id": ["a", "a", "b"], "amount": [10.0, 5.5, 3.0],
    ...                    "date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-15"])})
    >>> base_summary(tx, as_of=date(2024, 3, 1))[["client_id", "frequency", "recency", "T", "monetary_value"]]
      client_id  frequency  recency     T  monetary_value
    0         a          1     31.0  60.0             5.5
    1         b          0      0.0  46.0             NaN
    """
    import narwhals as nw

    from .. import _frames as fr
    from ..engines import to_pandas

    frame = fr.as_frame(transactions, "transactions")
    fr.require_columns(
        frame, [CLIENT_ID, DATE, AMOUNT], "transactions", "pass the transactions read by reconnect_lib.load"
    )
    dtype = fr.date_dtype(frame)
    day = fr.to_date(DATE, dtype)
    bought = frame.select(
        nw.col(CLIENT_ID),
        day.alias(_DAY),
        fr.cents(nw.col(AMOUNT).cast(nw.Float64)).alias(_CENTS),
        nw.col(AMOUNT).cast(nw.Float64).alias(AMOUNT),
    ).filter((nw.col(AMOUNT) > 0) & (nw.col(_DAY) <= fr.date_lit(as_of, dtype)))
    # Plain aggregations, cast afterwards (pandas runs nothing else as one group-by;
    # DuckDB sums Int64 into Int128).
    per_day = bought.group_by(CLIENT_ID, _DAY).agg(nw.col(_CENTS).sum())
    first_day = nw.col(_DAY).min().over(CLIENT_ID)
    per_day = per_day.with_columns(
        nw.col(_CENTS).cast(nw.Int64),
        nw.when(nw.col(_DAY) == first_day).then(nw.col(_CENTS).cast(nw.Int64)).alias(_FIRST_CENTS),
    )
    per_client = per_day.group_by(CLIENT_ID).agg(
        nw.col(_DAY).min().alias(FIRST_PURCHASE),
        nw.col(_DAY).max().alias(LAST_PURCHASE),
        nw.col(_DAY).count().alias(_N_DAYS),
        nw.col(_CENTS).sum(),
        nw.col(_FIRST_CENTS).sum(),
    )
    per_client = per_client.with_columns(nw.col(_N_DAYS, _CENTS, _FIRST_CENTS).cast(nw.Int64))
    got = to_pandas(per_client.to_native())
    if got.empty:
        raise InputError(
            f"no purchases up to {as_of}",
            column=AMOUNT,
            hint="check as_of and that purchase amounts are positive",
        )
    got = got.sort_values(CLIENT_ID, ignore_index=True)
    first = got[FIRST_PURCHASE].astype("datetime64[us]")
    last = got[LAST_PURCHASE].astype("datetime64[us]")
    frequency = (got[_N_DAYS].astype("int64") - 1).to_numpy()
    repeat_cents = (got[_CENTS].astype("int64") - got[_FIRST_CENTS].astype("int64")).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):  # 0/0 for clients without a repeat: masked
        monetary = np.where(frequency > 0, repeat_cents / 100 / frequency, np.nan)
    unit = pd.Timedelta(days=1)
    return pd.DataFrame(
        {
            CLIENT_ID: got[CLIENT_ID].to_numpy(),
            FREQUENCY: frequency,
            RECENCY: ((last - first) / unit).to_numpy(dtype="float64"),
            AGE: ((_as_day(as_of, "as_of") - first) / unit).to_numpy(dtype="float64"),
            MONETARY_VALUE: monetary.astype("float64"),
            FIRST_PURCHASE: first.to_numpy(),
            LAST_PURCHASE: last.to_numpy(),
        }
    ).astype({CLIENT_ID: got[CLIENT_ID].dtype})


def _rhythm(summary: pd.DataFrame, *, as_of: date | datetime, horizon_days: float) -> PurchaseRhythm:
    """Fit BG/NBD (and Gamma-Gamma, given 10 repeat buyers) to `summary` and score every client in it."""
    bg = fit_bgnbd(summary[FREQUENCY], summary[RECENCY], summary[AGE])
    repeat = summary[FREQUENCY] > 0
    gg = (
        fit_gamma_gamma(summary.loc[repeat, FREQUENCY], summary.loc[repeat, MONETARY_VALUE])
        if repeat.sum() >= 10
        else None
    )
    scores = clv_scores(summary, bgnbd=bg, gamma_gamma=gg, horizon_days=horizon_days, as_of=as_of)
    interval = np.asarray(bg.purchase_interval(summary[FREQUENCY], summary[RECENCY]), dtype="float64")
    scores[RHYTHM_DAYS] = interval
    scores[DAYS_SINCE_PURCHASE] = (summary[AGE] - summary[RECENCY]).to_numpy()
    return PurchaseRhythm(bgnbd=bg, gamma_gamma=gg, scores=scores)


def overdue_clients(rhythm: PurchaseRhythm, scored: pd.DataFrame, *, min_ratio: float = 1.0) -> pd.DataFrame:
    """Clients silent for longer than their own rhythm, most valuable first.

    Parameters
    ----------
    rhythm : PurchaseRhythm
    scored : pandas.DataFrame
        The scored client base (``client_id``, ``value_score`` and the client's
        fields) to join names, bucket and value from.
    min_ratio : float
        Overdue means ``overdue_ratio`` above this (1: past the client's usual gap).

    Returns
    -------
    pandas.DataFrame
        The scored columns plus ``rhythm_days``, ``days_since_purchase``,
        ``overdue_ratio`` and ``p_alive``, for clients with at least one repeat
        purchase (one-off buyers have no rhythm of their own), sorted by
        ``value_score`` descending then ``client_id``.
    """
    own = rhythm.scores[rhythm.scores[FREQUENCY] > 0]
    own = own.loc[
        own[OVERDUE_RATIO] > min_ratio, [CLIENT_ID, RHYTHM_DAYS, DAYS_SINCE_PURCHASE, OVERDUE_RATIO, P_ALIVE]
    ]
    joined = scored.merge(own, on=CLIENT_ID, how="inner", suffixes=("", "_rhythm"))
    joined = joined.drop(columns=[c for c in joined.columns if c.endswith("_rhythm")])
    return joined.sort_values(["value_score", CLIENT_ID], ascending=[False, True], ignore_index=True)


def with_model_value(base: Any, rhythm: PurchaseRhythm, *, spark: Any = None, connection: Any = None) -> Any:
    """The client base with ``model_yearly_value``: a year of each client's business, by the models.

    For a client with a purchase: the Gamma-Gamma expected spend per purchase
    times the purchases a year at the client's own rhythm (365 / ``rhythm_days``),
    i.e. what the client was worth a year while active, whether or not they still
    are (the chance of winning them back is a separate factor). Where the models
    give no usable value (no purchase, no spend model, or a non-positive spend
    for a one-off buyer when the fitted q <= 1), it falls back to
    ``yearly_revenue``. A copy; `base` is not modified.

    Parameters
    ----------
    base : pandas frame, or any engine's frame (Polars, DuckDB relation, Spark, PyArrow)
        A client base with ``client_id`` and ``yearly_revenue``.
    rhythm : PurchaseRhythm
        Its per-client values (pandas, one row per buyer) are handed to `base`'s
        engine and joined on ``client_id``.
    spark, connection
        The Spark session or DuckDB connection `base` lives on (default: the
        active session, DuckDB's default connection).

    Returns
    -------
    The type of `base`, ``model_yearly_value`` (float64) added as its last column.
    On pandas the rows keep their order and index; another engine's rows come
    in no particular order.
    """
    modelled = _model_yearly_values(rhythm)
    if isinstance(base, pd.DataFrame):
        out = base.copy()
        by_client = out[CLIENT_ID].map(modelled).astype("float64")
        out[MODEL_YEARLY_VALUE] = by_client.fillna(out["yearly_revenue"].astype("float64"))
        return out
    import narwhals as nw

    from .. import _frames as fr
    from ..engines import engine_of, from_pandas

    frame = fr.as_frame(base, "base")
    values = modelled.dropna().rename(_MODELLED).rename_axis(CLIENT_ID).reset_index()
    values[CLIENT_ID] = values[CLIENT_ID].astype("string")
    engine = engine_of(base)
    if engine == "pandas":  # a PyArrow table (pandas-like frames are handled above)
        import pyarrow as pa

        # Natively: PyArrow's string and large_string are one narwhals dtype but do not join.
        table = pa.Table.from_pandas(values, preserve_index=False)
        right = nw.from_native(
            table.cast(pa.schema([base.schema.field(CLIENT_ID), table.schema.field(_MODELLED)]))
        )
    else:
        native = from_pandas(
            values,
            engine=engine,
            spark=spark,
            connection=connection,
            lazy=not isinstance(frame, nw.DataFrame),
        )
        right = nw.from_native(native).with_columns(nw.col(CLIENT_ID).cast(frame.collect_schema()[CLIENT_ID]))
    joined = frame.join(right, on=CLIENT_ID, how="left")
    value = nw.coalesce(nw.col(_MODELLED), nw.col("yearly_revenue").cast(nw.Float64))
    return joined.with_columns(value.cast(nw.Float64).alias(MODEL_YEARLY_VALUE)).drop(_MODELLED).to_native()


_MODELLED = "__modelled"


def _model_yearly_values(rhythm: PurchaseRhythm) -> pd.Series:
    """Per client id: the models' yearly value, NaN where they give nothing usable."""
    scores = rhythm.scores.set_index(CLIENT_ID)
    if EXPECTED_SPEND in scores.columns:
        spend = scores[EXPECTED_SPEND].astype("float64")
    else:
        spend = pd.Series(np.nan, index=scores.index)
    per_year = 365.0 / scores[RHYTHM_DAYS].astype("float64")
    return (spend * per_year).where(np.isfinite(spend) & (spend > 0) & np.isfinite(per_year))


def p_alive_table(rhythm: PurchaseRhythm, scored: pd.DataFrame) -> pd.DataFrame:
    """Probability still active, per dormancy bucket: what the model says of each silence.

    Parameters
    ----------
    rhythm : PurchaseRhythm
    scored : pandas.DataFrame
        The scored client base (``client_id``, ``dormancy_bucket``, ``bucket_order``).

    Returns
    -------
    pandas.DataFrame
        One row per bucket holding a buyer, in bucket order: ``dormancy_bucket``,
        ``clients`` (buyers in the bucket), ``mean_p_alive``, ``likely_active``
        (clients with P(active) of at least 0.5) and ``overdue`` (repeat buyers
        past their own usual gap).
    """
    scores = rhythm.scores[[CLIENT_ID, P_ALIVE, OVERDUE_RATIO, FREQUENCY]]
    joined = scored[[CLIENT_ID, "dormancy_bucket", "bucket_order"]].merge(scores, on=CLIENT_ID, how="inner")
    joined = joined.assign(
        likely_active=joined[P_ALIVE] >= 0.5,
        overdue=(joined[FREQUENCY] > 0) & (joined[OVERDUE_RATIO] > 1),
    )
    table = joined.groupby(["bucket_order", "dormancy_bucket"], as_index=False).agg(
        clients=(CLIENT_ID, "size"),
        mean_p_alive=(P_ALIVE, "mean"),
        likely_active=("likely_active", "sum"),
        overdue=("overdue", "sum"),
    )
    return table.sort_values("bucket_order", ignore_index=True).drop(columns="bucket_order")

"""Client base: one row per client with what is known about their activity.

The first stage after loading. It takes the client list and, when there are
any, the transaction and contact histories, and returns the client list with
first/last activity, revenue, tenure and how long each client has been dormant,
all measured on an explicit ``as_of`` date.

Written once over narwhals: a pandas frame in gives a pandas frame out, a Polars
frame in gives a Polars frame out.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

import narwhals as nw

from . import _frames as fr
from .options import MEASURE_FROM_CHOICES, MeasureFrom
from .schema import (
    AMOUNT,
    CLIENT_DATE_COLUMNS,
    CLIENT_ID,
    CLIENT_SINCE,
    DATE,
    DAYS_DORMANT,
    DAYS_SINCE_CONTACT,
    DAYS_SINCE_PURCHASE,
    DORMANT_SINCE,
    FIRST_ACTIVITY,
    FIRST_PURCHASE,
    LAST_ACTIVITY,
    LAST_CONTACT,
    LAST_PURCHASE,
    N_PURCHASES,
    TENURE_DAYS,
    TOTAL_REVENUE,
    YEARLY_REVENUE,
)

FrameT = TypeVar("FrameT")


DAYS_PER_YEAR = 365.25

#: Columns :func:`client_base` adds, in output order (the three summary columns a
#: client list may already carry keep their place instead).
CLIENT_BASE_COLUMNS: tuple[str, ...] = (
    FIRST_PURCHASE,
    LAST_PURCHASE,
    LAST_CONTACT,
    FIRST_ACTIVITY,
    LAST_ACTIVITY,
    N_PURCHASES,
    TOTAL_REVENUE,
    YEARLY_REVENUE,
    TENURE_DAYS,
    DAYS_SINCE_CONTACT,
    DAYS_SINCE_PURCHASE,
    DORMANT_SINCE,
    DAYS_DORMANT,
)
_SUMMARY_COLUMNS = (LAST_CONTACT, LAST_PURCHASE, TOTAL_REVENUE)

#: Output dtypes on pandas (dates are datetime64[us] at midnight).
PANDAS_DTYPES: dict[str, str] = {
    FIRST_PURCHASE: "datetime64[us]",
    LAST_PURCHASE: "datetime64[us]",
    LAST_CONTACT: "datetime64[us]",
    FIRST_ACTIVITY: "datetime64[us]",
    LAST_ACTIVITY: "datetime64[us]",
    DORMANT_SINCE: "datetime64[us]",
    N_PURCHASES: "Int64",
    TOTAL_REVENUE: "float64",
    YEARLY_REVENUE: "float64",
    TENURE_DAYS: "Int64",
    DAYS_SINCE_CONTACT: "Int64",
    DAYS_SINCE_PURCHASE: "Int64",
    DAYS_DORMANT: "Int64",
}

_ROW = "__reconnect_row"
_H_FIRST_PURCHASE = "__h_first_purchase"
_H_LAST_PURCHASE = "__h_last_purchase"
_H_N_PURCHASES = "__h_n_purchases"
_H_N_DAYS = "__h_n_days"
_H_REVENUE = "__h_revenue_cents"
_H_N_DATED = "__h_n_dated"
_H_N_ROWS = "__h_n_rows"
_PURCHASE_DAY = "__purchase_day"
_CENTS = "__cents"
_H_FIRST_CONTACT = "__h_first_contact"
_H_LAST_CONTACT = "__h_last_contact"

_HINT_LOAD = "pass the tables returned by reconnect_lib.load (they carry the canonical column names)"


def check_measure_from(measure_from: object) -> MeasureFrom:
    """Validate `measure_from`, raising a ConfigError that lists the choices."""
    fr.check_choice("measure_from", measure_from, MEASURE_FROM_CHOICES)
    return measure_from  # type: ignore[return-value]


def _history(native: Any, what: str, columns: tuple[str, ...], dtype: Any, id_dtype: Any, as_of: date) -> Any:
    """A history table with dates normalised, keeping only rows dated on or before `as_of`.

    ``client_id`` takes the client list's dtype, so that an empty table (whose
    id column has no type to speak of) still joins.
    """
    frame = fr.as_frame(native, what)
    fr.require_columns(frame, columns, what, _HINT_LOAD)
    frame = frame.select(*columns).with_columns(fr.to_date(DATE, dtype), nw.col(CLIENT_ID).cast(id_dtype))
    return frame.filter(~nw.col(DATE).is_null() & (nw.col(DATE) <= fr.date_lit(as_of, dtype)))


def _summary_on_codes(frame: Any, transactions: Any, contacts: Any, as_of: date) -> dict[str, Any] | None:
    """pandas: the histories' per-client summary as arrays in the client list's row order, or None.

    What the group_by and joins of :func:`client_base` compute, on integer codes:
    each history id is looked up once among the list's ids (one hash of the
    history's ids, where pandas' group_by and join hash them twice and compare
    strings), then minimum, maximum, sum and distinct days are NumPy reductions
    on those codes, and no join is needed. A categorical history id column
    (categories of the list's id dtype) hands over its codes: only its
    categories are looked up. Used only for pandas tables whose history ids have
    the list's dtype, with NumPy datetime dates and numeric amounts; anything
    else (None) takes the group_by, which also gives the errors for a missing
    column. (NumPy and pyarrow are imported when a pandas table is summed, not
    with the module.)
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    tables = {
        "transactions": (transactions, (CLIENT_ID, DATE, AMOUNT)),
        "contacts": (contacts, (CLIENT_ID, DATE)),
    }
    tables = {k: v for k, v in tables.items() if v[0] is not None}
    if not frame.implementation.is_pandas() or not isinstance(frame, nw.DataFrame):
        return None
    ids = frame.to_native()[CLIENT_ID]
    for table, columns in tables.values():
        if not isinstance(table, pd.DataFrame) or any(c not in table.columns for c in columns):
            return None
        if _id_dtype(table[CLIENT_ID]) != ids.dtype or not _numpy_datetimes(table[DATE]):
            return None
    if isinstance(ids.dtype, pd.CategoricalDtype) or ids.empty:  # (an empty list: nothing to gain)
        return None
    if transactions is not None:
        amount = transactions[AMOUNT]
        if not pd.api.types.is_numeric_dtype(amount) or pd.api.types.is_bool_dtype(amount):
            return None
    try:
        known = _arrow_array(ids)
        # (a missing id is no client's, as the group_by drops it)
        codes = {k: _codes(t[CLIENT_ID], known) for k, (t, _) in tables.items()}
        first = pc.index_in(known, value_set=known).to_numpy(zero_copy_only=False)
    except (pa.ArrowException, TypeError, ValueError):  # ids arrow cannot hash (mixed objects)
        return None
    n = len(ids)
    today = np.datetime64(as_of, "D").astype(np.int64)
    rows: dict[str, tuple[Any, Any]] = {}
    for what, code in codes.items():
        dates = tables[what][0][DATE].to_numpy()
        day = dates.astype("datetime64[D]").astype(np.int64)
        keep = (code >= 0) & ~np.isnat(dates) & (day <= today)
        rows[what] = (code[keep], day[keep], keep)

    out: dict[str, Any] = {}
    if transactions is not None:
        code, day, keep = rows["transactions"]
        amount = transactions[AMOUNT].to_numpy(dtype=np.float64, na_value=np.nan)[keep]
        # fr.cents: whole cents, half up, null as 0
        cents = np.floor(np.where(np.isnan(amount), 0.0, amount) * 100 + 0.5).astype(np.int64)
        revenue = np.zeros(n, dtype=np.int64)
        np.add.at(revenue, code, cents)
        bought = amount > 0
        code, day = code[bought], day[bought]
        n_days = np.zeros(n, dtype=np.int64)
        if len(day):
            low, span = day.min(), day.max() - day.min() + 1
            if span > (2**62) // n:  # (client, day) would not fit one int64 key
                return None
            pairs = np.sort(code * span + (day - low))
            distinct = pairs[np.r_[True, pairs[1:] != pairs[:-1]]]
            n_days = np.bincount(distinct // span, minlength=n)
        out[_H_FIRST_PURCHASE], out[_H_LAST_PURCHASE] = _first_and_last(code, day, n)
        out[_H_N_PURCHASES], out[_H_REVENUE] = n_days, revenue
    if contacts is not None:
        code, day, _ = rows["contacts"]
        out[_H_FIRST_CONTACT], out[_H_LAST_CONTACT] = _first_and_last(code, day, n)
    if not (first == np.arange(n)).all():  # a repeated id: each of its rows takes its first row's
        out = {name: values[first] for name, values in out.items()}
    return out


def _id_dtype(series: Any) -> Any:
    """The dtype of `series`' ids: a categorical's categories' (the values a cast gives)."""
    import pandas as pd

    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.categories.dtype
    return series.dtype


def _codes(series: Any, known: Any) -> Any:
    """The row of `known` (the list's ids) holding each id of `series`, -1 for none.

    A missing id is no client's, as the group_by drops it. A categorical
    `series` looks up only its categories, then takes their rows by its codes:
    no hash of the rows' ids at all.
    """
    import numpy as np
    import pandas as pd
    import pyarrow.compute as pc

    if isinstance(series.dtype, pd.CategoricalDtype):
        found = pc.index_in(_arrow_array(series.cat.categories), value_set=known, skip_nulls=True)
        rows = pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        category = series.cat.codes.to_numpy()
        return np.where(category >= 0, rows[category], -1)
    found = pc.index_in(_arrow_array(series), value_set=known, skip_nulls=True)
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def _numpy_datetimes(series: Any) -> bool:
    """Whether `series` holds NumPy datetime64 values (no time zone, no Arrow)."""
    import numpy as np

    return isinstance(series.dtype, np.dtype) and series.dtype.kind == "M"


def _arrow_array(series: Any) -> Any:
    """`series` as one Arrow array (pandas' missing values as nulls)."""
    import pyarrow as pa

    values = pa.array(series, from_pandas=True)
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _first_and_last(code: Any, day: Any, n: int) -> tuple[Any, Any]:
    """Each of `n` clients' earliest and latest `day` (NaT without any), as datetime64[us]."""
    import numpy as np

    first = np.full(n, np.iinfo(np.int64).max)
    last = np.full(n, np.iinfo(np.int64).min)
    np.minimum.at(first, code, day)
    np.maximum.at(last, code, day)
    seen = np.zeros(n, dtype=bool)
    seen[code] = True

    def dates(days: Any) -> Any:
        values = np.where(seen, days, 0).astype("datetime64[D]").astype("datetime64[us]")
        values[~seen] = np.datetime64("NaT")
        return values

    return dates(first), dates(last)


def client_base(
    clients: FrameT,
    transactions: Any = None,
    contacts: Any = None,
    *,
    as_of: date,
    measure_from: MeasureFrom = "latest",
) -> FrameT:
    """One row per client with first/last activity, revenue, tenure and dormancy.

    Every client of `clients` is kept, in the same order, with every column it
    carried; none is added. Histories only count up to `as_of` (rows dated after
    it are ignored), so a report rerun for a past week gives the same numbers.

    Parameters
    ----------
    clients : pandas or Polars DataFrame
        The client list: ``client_id`` plus any of the client columns of
        :mod:`reconnect_lib.schema`. It may already carry the summary columns
        ``last_contact``, ``last_purchase`` (dates) and ``total_revenue``.
    transactions : DataFrame, optional
        ``client_id``, ``date``, ``amount`` (refunds negative). Same engine as
        `clients`.
    contacts : DataFrame, optional
        ``client_id``, ``date`` (any channel). Same engine as `clients`.
    as_of : datetime.date
        The day everything is measured on. Never the clock.
    measure_from : {"latest", "contact", "purchase"}
        What dormancy counts from: the later of the last contact and the last
        purchase (``"latest"``), or only one of them.

    Returns
    -------
    DataFrame
        Same type as `clients`. Date columns (``client_since`` and those the
        list carried too) are normalised to midnight: ``datetime64[us]`` on
        pandas, ``Date`` on Polars. Columns added (pandas dtype):

        - ``first_purchase``, ``last_purchase`` (datetime64): first and last day
          with a positive amount. If the list carried ``last_purchase`` the
          later of list and history wins.
        - ``last_contact`` (datetime64): the later of the list's and the
          contact history's.
        - ``first_activity``, ``last_activity`` (datetime64): earliest and latest
          known purchase or contact, from history and list alike (refunds are
          not activity).
        - ``n_purchases`` (Int64): distinct days with a positive amount; 0 for a
          client with no transactions; **null for everyone when no transactions
          table is given** (unknown, not zero: the value stage then scores
          frequency as unknown rather than as "never bought").
        - ``total_revenue`` (float64): net sum of amounts, refunds included. When
          a transactions table is given it wins for every client (0.0 for a
          client without transactions), so totals reconcile with that file; the
          list's ``total_revenue`` is used only without one; null if neither.
          Amounts are added as whole cents (each rounded half up), so the total
          is exact and the same on every engine.
        - ``yearly_revenue`` (float64): ``total_revenue`` per year of tenure,
          with tenure floored at one year (a client of three months is not
          credited four times their spend) and one year when tenure is unknown.
        - ``tenure_days`` (Int64): ``as_of`` minus ``client_since``, or minus
          ``first_activity`` when ``client_since`` is missing.
        - ``days_since_contact``, ``days_since_purchase`` (Int64).
        - ``dormant_since`` (datetime64): per `measure_from`, the later of last
          contact and last purchase, or just one of them; ``client_since`` when
          those are all missing; null only when nothing at all is known (the
          dormancy stage puts such clients in the oldest bucket).
        - ``days_dormant`` (Int64): whole days from ``dormant_since`` to `as_of`.

        A date in the client list later than `as_of` cannot be rewound and gives
        a negative day count. Columns the list carried under one of these names
        (other than the three summary columns) are recomputed. On pandas the
        result has a fresh 0..n-1 index (the joins do not keep the list's).

    Raises
    ------
    ConfigError
        `measure_from` is not one of the choices, or `as_of` is not a date.
    InputError
        A table lacks a required column.

    Examples
    --------
    >>> import pandas as pd
    >>> from datetime import date
    >>> clients = pd.DataFrame({"client_id": ["c1", "c2"],
    ...                         "client_since": pd.to_datetime(["2020-01-01", None])})
    >>> tx = pd.DataFrame({"client_id": ["c1", "c1"], "amount": [100.0, -20.0],
    ...                    "date": pd.to_datetime(["2023-06-01", "2023-07-01"])})
    >>> base = client_base(clients, tx, as_of=date(2024, 6, 1))
    >>> base[["client_id", "total_revenue", "days_dormant"]]
      client_id  total_revenue  days_dormant
    0        c1           80.0           366
    1        c2            0.0          <NA>
    """
    measure_from = check_measure_from(measure_from)
    as_of = fr.check_as_of(as_of)
    frame = fr.as_frame(clients, "clients")
    fr.require_columns(frame, [CLIENT_ID], "clients", _HINT_LOAD)
    dtype = fr.date_dtype(frame)
    impl = frame.implementation
    id_dtype = frame.collect_schema()[CLIENT_ID]
    # The histories' ids are cast to this dtype; so is the list's own, because
    # one narwhals dtype can be two native ones that do not join (PyArrow's
    # string and large_string are both ``String``).
    frame = frame.with_columns(nw.col(CLIENT_ID).cast(id_dtype))
    today = fr.date_lit(as_of, dtype)

    carried = frame.collect_schema().names()
    recomputed = [c for c in CLIENT_BASE_COLUMNS if c in carried and c not in _SUMMARY_COLUMNS]
    frame = frame.drop(recomputed) if recomputed else frame
    kept = [c for c in carried if c not in recomputed]
    frame = frame.with_columns(*(fr.to_date(c, dtype) for c in CLIENT_DATE_COLUMNS if c in kept))
    has_tx, has_contacts = transactions is not None, contacts is not None
    coded = _summary_on_codes(frame, transactions, contacts, as_of) if has_tx or has_contacts else None
    eager = False
    if coded is not None:
        # Already in the list's row order: no join. A fresh 0..n-1 index, as the joins give.
        frame = nw.from_native(frame.to_native().reset_index(drop=True).assign(**coded), eager_only=True)
    else:
        frame = fr.with_row_order(frame, _ROW)
        frame, eager = fr.plan_whole(frame)
    if has_tx and coded is None:
        tx = _history(transactions, "transactions", (CLIENT_ID, DATE, AMOUNT), dtype, id_dtype, as_of)
        tx = tx.lazy() if eager else tx
        # One group_by (one hash of the ids) for purchases and revenue. Revenue
        # is summed in whole cents, an exact integer, so that every engine gets
        # the same total whatever order it adds in (float sums differ in the
        # last bit, and ranks on half cents then differ too).
        tx = tx.with_columns(
            nw.when(nw.col(AMOUNT) > 0).then(nw.col(DATE)).alias(_PURCHASE_DAY),
            fr.cents(nw.col(AMOUNT).cast(nw.Float64)).alias(_CENTS),
        )
        summary = tx.group_by(CLIENT_ID).agg(
            nw.col(_PURCHASE_DAY).min().alias(_H_FIRST_PURCHASE),
            nw.col(_PURCHASE_DAY).max().alias(_H_LAST_PURCHASE),
            # n_unique counts null (a day that was no purchase) as one more value
            nw.col(_PURCHASE_DAY).n_unique().alias(_H_N_DAYS),
            nw.col(_PURCHASE_DAY).count().alias(_H_N_DATED),
            nw.len().alias(_H_N_ROWS),
            nw.col(_CENTS).sum().alias(_H_REVENUE),
        )
        has_null_day = (nw.col(_H_N_ROWS) > nw.col(_H_N_DATED)).cast(nw.Int64)
        summary = summary.with_columns((nw.col(_H_N_DAYS) - has_null_day).alias(_H_N_PURCHASES))
        summary = summary.drop(_H_N_DAYS, _H_N_DATED, _H_N_ROWS)
        frame = frame.join(summary, on=CLIENT_ID, how="left")
    if has_contacts and coded is None:
        ct = _history(contacts, "contacts", (CLIENT_ID, DATE), dtype, id_dtype, as_of)
        ct = ct.lazy() if eager else ct
        touched = ct.group_by(CLIENT_ID).agg(
            nw.col(DATE).min().alias(_H_FIRST_CONTACT),
            nw.col(DATE).max().alias(_H_LAST_CONTACT),
        )
        frame = frame.join(touched, on=CLIENT_ID, how="left")

    no_date = nw.lit(None, dtype=dtype)

    def later_of(listed: str, history: str, has_history: bool) -> nw.Expr:
        sources = [s for s, ok in ((listed, listed in kept), (history, has_history)) if ok]
        if not sources:
            return no_date
        return nw.max_horizontal(*sources) if len(sources) > 1 else nw.col(sources[0])

    # The earliest activity known from any source: the histories' first dates and
    # the dates the list carried (read before they are merged with the histories).
    first_sources = [c for c in (LAST_PURCHASE, LAST_CONTACT) if c in kept]
    first_sources += [_H_FIRST_PURCHASE] if has_tx else []
    first_sources += [_H_FIRST_CONTACT] if has_contacts else []
    if not first_sources:
        first_activity = no_date
    else:
        first_activity = (
            nw.min_horizontal(*first_sources) if len(first_sources) > 1 else nw.col(first_sources[0])
        )

    if has_tx:
        # (DuckDB sums Int64 into Int128; pandas has NaN for clients without rows)
        revenue_expr = fr.divide(nw.col(_H_REVENUE).fill_null(0).cast(nw.Int64).cast(nw.Float64), 100)
    elif TOTAL_REVENUE in kept:
        revenue_expr = nw.col(TOTAL_REVENUE).cast(nw.Float64)
    else:
        revenue_expr = nw.lit(None, dtype=nw.Float64)
    # (fill before casting: pandas has NaN for clients without transactions)
    n_purchases_expr = nw.col(_H_N_PURCHASES).fill_null(0).cast(nw.Int64) if has_tx else fr.null_int(frame)

    frame = frame.with_columns(
        (nw.col(_H_FIRST_PURCHASE) if has_tx else no_date).alias(FIRST_PURCHASE),
        later_of(LAST_PURCHASE, _H_LAST_PURCHASE, has_tx).alias(LAST_PURCHASE),
        later_of(LAST_CONTACT, _H_LAST_CONTACT, has_contacts).alias(LAST_CONTACT),
        n_purchases_expr.alias(N_PURCHASES),
        revenue_expr.alias(TOTAL_REVENUE),
        first_activity.alias(FIRST_ACTIVITY),
    )
    frame = frame.with_columns(nw.max_horizontal(LAST_PURCHASE, LAST_CONTACT).alias(LAST_ACTIVITY))
    measured = {
        "latest": nw.col(LAST_ACTIVITY),
        "contact": nw.col(LAST_CONTACT),
        "purchase": nw.col(LAST_PURCHASE),
    }[measure_from]
    # (narwhals' pandas `coalesce` does not broadcast a literal: only coalesce columns)
    has_since = CLIENT_SINCE in kept
    dormant_since = nw.coalesce(measured, nw.col(CLIENT_SINCE)) if has_since else measured
    tenure_from = (
        nw.coalesce(nw.col(CLIENT_SINCE), nw.col(FIRST_ACTIVITY)) if has_since else nw.col(FIRST_ACTIVITY)
    )
    frame = frame.with_columns(
        dormant_since.alias(DORMANT_SINCE),
        fr.days_between(today, tenure_from, on=impl).alias(TENURE_DAYS),
        fr.days_between(today, nw.col(LAST_CONTACT), on=impl).alias(DAYS_SINCE_CONTACT),
        fr.days_between(today, nw.col(LAST_PURCHASE), on=impl).alias(DAYS_SINCE_PURCHASE),
    )
    years = fr.divide(nw.col(TENURE_DAYS).fill_null(0).cast(nw.Float64), DAYS_PER_YEAR).clip(lower_bound=1.0)
    frame = frame.with_columns(
        fr.days_between(today, nw.col(DORMANT_SINCE), on=impl).alias(DAYS_DORMANT),
        (nw.col(TOTAL_REVENUE) / years).alias(YEARLY_REVENUE),
    )
    frame = fr.restore_row_order(frame, _ROW)
    added = [c for c in CLIENT_BASE_COLUMNS if c not in kept]
    frame = frame.select(*kept, *added)
    return fr.to_native(frame.collect() if eager else frame, PANDAS_DTYPES)

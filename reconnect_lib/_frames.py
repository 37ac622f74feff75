"""Small narwhals helpers shared by the client base, dormancy and value stages.

Private: nothing here is part of the public API. The stages are written once
over narwhals, so a pandas frame in gives a pandas frame out and a Polars frame
in gives a Polars frame out; the few places where engines disagree are handled
here, in one spot, each with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import narwhals as nw

from .errors import ConfigError, InputError

SECONDS_PER_DAY = 86_400
# Larger than any day count or cent amount a real client list holds; used to
# push unknown values to one end of an ordering without relying on how each
# engine sorts nulls (they disagree).
SENTINEL = 2**52


def as_frame(native: Any, what: str) -> nw.DataFrame[Any] | nw.LazyFrame[Any]:
    """Wrap a native frame, with a clear error for anything that is not one."""
    try:
        return nw.from_native(native)
    except TypeError as err:
        raise InputError(
            f"`{what}` is a {type(native).__name__}, not a data frame",
            expected="a pandas or Polars DataFrame",
            hint=f"pass the `{what}` table returned by reconnect_lib.load",
        ) from err


def require_columns(
    frame: nw.DataFrame[Any] | nw.LazyFrame[Any], columns: Iterable[str], what: str, hint: str
) -> None:
    """Raise one InputError naming every required column `frame` lacks."""
    present = set(frame.collect_schema().names())
    missing = [c for c in columns if c not in present]
    if missing:
        names = ", ".join(f"`{c}`" for c in missing)
        raise InputError(
            f"`{what}` has no column {names}",
            column=missing[0],
            expected=f"columns {', '.join(f'`{c}`' for c in columns)}",
            hint=hint,
        )


def check_as_of(as_of: object) -> date:
    """Validate the explicit `as_of` date once, at the boundary."""
    if isinstance(as_of, datetime):  # also pandas.Timestamp
        return as_of.date()
    if isinstance(as_of, date):
        return as_of
    raise ConfigError(
        f"as_of={as_of!r} is not a date",
        expected="a datetime.date",
        hint="pass e.g. as_of=datetime.date(2026, 11, 30) or date.fromisoformat('2026-11-30')",
    )


def check_choice(name: str, value: object, allowed: Iterable[str]) -> None:
    """Raise a ConfigError listing the allowed choices when `value` is not one."""
    allowed = tuple(allowed)
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ConfigError(f"{name}={value!r} is not a known choice", expected=f"one of {choices}")


def check_whole(name: str, value: object, *, minimum: int) -> int:
    """A whole number >= minimum (bools are refused: True is not a number of months)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{name}={value!r} is not valid", expected=f"a whole number >= {minimum}")
    return value


def date_dtype(frame: nw.DataFrame[Any] | nw.LazyFrame[Any]) -> Any:
    """The dtype every date column is normalised to.

    pandas has no native calendar-date dtype (narwhals' ``Date`` becomes a
    pyarrow ``date32``), so pandas-like frames keep dates as ``datetime64[us]`` at
    midnight, the dtype notebooks expect. Every other engine gets a real date.
    """
    if frame.implementation.is_pandas_like():
        return nw.Datetime("us")
    return nw.Date


def to_date(column: str, dtype: Any) -> nw.Expr:
    """`column` cast to the normalised date dtype, any time of day dropped."""
    expr = nw.col(column).cast(dtype)
    if dtype == nw.Date:
        return expr
    return expr.dt.truncate("1d")


def date_lit(day: date, dtype: Any) -> nw.Expr:
    """A literal date of the normalised date dtype.

    pandas cannot subtract a ``datetime.date`` from a datetime64 column, so
    pandas-like frames get a midnight ``datetime`` instead.
    """
    if dtype == nw.Date:
        return nw.lit(day, dtype=nw.Date)
    return nw.lit(datetime(day.year, day.month, day.day), dtype=dtype)


def null_int(frame: nw.DataFrame[Any] | nw.LazyFrame[Any]) -> nw.Expr:
    """An all-null integer column (pandas: float NaN until :func:`to_native`; narwhals
    cannot build a null ``Int64`` literal on pandas)."""
    if frame.implementation.is_pandas_like():
        return nw.lit(None, dtype=nw.Float64)
    return nw.lit(None, dtype=nw.Int64)


def days_between(later: nw.Expr, earlier: nw.Expr, *, on: nw.Implementation | None = None) -> nw.Expr:
    """Whole days from `earlier` to `later` (both at midnight); null if either is.

    narwhals has no ``total_days``; both ends are midnights so seconds divide
    exactly. Both sides are cast to datetimes first because DuckDB subtracts two
    dates into a plain integer, not a duration. On pandas the result is a float
    with NaN for null until :func:`to_native` makes it a nullable ``Int64``.

    Spark-like engines (`on`, the frame's implementation) have no
    ``total_seconds`` at all, and their timestamps carry the session's time zone
    (a day across a daylight-saving change is 23 hours): there both dates count
    calendar days with :func:`day_number`, which needs no time zone.
    """
    if on is not None and on.is_spark_like():
        return day_number(later) - day_number(earlier)
    stamp = nw.Datetime("us")
    return (later.cast(stamp) - earlier.cast(stamp)).dt.total_seconds() // SECONDS_PER_DAY


def day_number(day: nw.Expr) -> nw.Expr:
    """Days since 0001-01-01 (day 1) of a date, proleptic Gregorian; null stays null.

    Only ``year`` and ``ordinal_day``, which every engine has, and integer
    arithmetic on positive numbers (floor and truncating division agree).
    """
    before = day.dt.year().cast(nw.Int64) - 1
    leap_days = before // 4 - before // 100 + before // 400
    return (before * 365 + leap_days + day.dt.ordinal_day().cast(nw.Int64)).cast(nw.Int64)


def cents(expr: nw.Expr) -> nw.Expr:
    """Money as whole cents (half up), null as 0.

    Ranks compare integers, never floats: float ties break differently across
    engines, and ``round`` is half-to-even in pandas but half-away in Polars.
    """
    return (expr.fill_null(0.0) * 100 + 0.5).floor().cast(nw.Int64)


def divide(numerator: nw.Expr, divisor: float) -> nw.Expr:
    """`numerator` (a float) divided by the constant `divisor`, correctly rounded on every engine.

    Polars divides a float column by a scalar as a multiplication by the
    scalar's reciprocal, which is one unit in the last place off for some values
    (``259447 / 100`` gives 2594.4700000000003, ``t / 365.25`` is off for one day
    count in ten); pandas and DuckDB divide. Those last bits decide the cent of
    a value on a half cent, and so the ranks. A divisor computed from the column
    itself is a column to Polars too, so it divides. Null stays null.
    """
    return numerator / (numerator * 0.0 + divisor)


def with_row_order(frame: nw.DataFrame[Any] | nw.LazyFrame[Any], name: str) -> Any:
    """Remember an eager frame's row order before joins (Polars joins do not keep it)."""
    if isinstance(frame, nw.DataFrame):
        return frame.with_row_index(name)
    return frame


def restore_row_order(frame: nw.DataFrame[Any] | nw.LazyFrame[Any], name: str) -> Any:
    """Put an eager frame back in the order :func:`with_row_order` recorded (if it
    did: also once the frame was made lazy by :func:`plan_whole`)."""
    if name in frame.collect_schema().names():
        return frame.sort(name).drop(name)
    return frame


def to_native(
    frame: nw.DataFrame[Any] | nw.LazyFrame[Any],
    pandas_dtypes: Mapping[str, str],
    *,
    fresh_index: bool = False,
) -> Any:
    """Back to the caller's frame type, with stable pandas dtypes.

    On pandas an integer column holding a null comes out of narwhals as float64
    (and narwhals cannot cast NaN to int), and one computed from a nullable
    column comes out nullable. So the documented dtype of each output column is
    set here, whatever the data: ``Int64`` (nullable) for counts that may be
    unknown, ``int64``/``bool``/``float64`` for those that never are.
    `fresh_index` gives a new table (filtered, sorted or built from pieces) a
    0..n-1 pandas index rather than labels left over from its source.
    """
    if fresh_index:
        frame = nw.maybe_reset_index(frame)
    native = frame.to_native()
    if frame.implementation.is_pandas_like():
        wanted = {c: t for c, t in pandas_dtypes.items() if c in native.columns and str(native[c].dtype) != t}
        if wanted:
            native = native.astype(wanted)
    return native


def plan_whole(frame: nw.DataFrame[Any] | nw.LazyFrame[Any]) -> tuple[Any, bool]:
    """An eager Polars frame as a lazy one, and whether it was (collect it at the end).

    Polars (2.1) runs a stage's steps planned as one lazy query several times
    faster than one eager ``with_columns`` at a time (ordered windows: four
    times). A stage with joins records the row order first
    (:func:`with_row_order`): a lazy join does not keep it. Any other frame is
    returned as it is.
    """
    if isinstance(frame, nw.DataFrame) and frame.implementation.is_polars():
        return frame.lazy(), True
    return frame, False


#: A column of ones that the rank windows count (see :func:`with_ranks`).
COUNTER = "__reconnect_one"
COUNTER_EXPR = nw.lit(1).alias(COUNTER)
_POSITION = "__reconnect_position"


@dataclass(frozen=True)
class Rank:
    """An ordinal rank for :func:`with_ranks` to add: 1, 2, 3, ... in the order of
    `order_by` (non-null keys, ascending), within `partition_by` if given.

    ``rank`` is avoided on purpose: its tie rules differ across engines; here the
    last key (always `client_id`, or an integer ordering the same, see
    :func:`tie_break`) makes the order total and deterministic. A spec rather
    than an expression, because the fastest way to compute it differs by engine.
    """

    name: str
    order_by: list[str]
    partition_by: str | None = None


def tie_break(frame: nw.DataFrame[Any] | nw.LazyFrame[Any], column: str) -> nw.Expr:
    """An expression that orders rows as `column` (text ids) does, for the last rank key.

    On pandas and Polars an integer (the dense rank of `column`): their sorts
    and windows compare integers several times faster than strings, and one
    rank of the ids pays for itself from the second window. SQL engines (DuckDB,
    Spark) sort strings about as fast as integers and would pay a whole extra
    window for the rank, so they keep `column`.
    """
    if _is_sql(frame):
        return nw.col(column)
    return nw.col(column).rank("dense")


def _is_sql(frame: nw.DataFrame[Any] | nw.LazyFrame[Any]) -> bool:
    """DuckDB, Spark and the other engines narwhals drives through SQL windows."""
    impl = frame.implementation
    return not (impl.is_pandas_like() or impl.is_polars() or impl.is_pyarrow() or impl.is_dask())


def _count_window(rank: Rank, *, constant_partition: bool) -> nw.Expr:
    """The rank as a running count of :data:`COUNTER` over an ordered window.

    Counting a column that is also a key goes wrong on pandas: narwhals (2.29)
    turns the counted column into booleans *before* sorting by it when ``over``
    has a ``partition_by``; hence the separate column of ones.
    """
    counter = nw.col(COUNTER).cum_count()
    partition = rank.partition_by or (COUNTER if constant_partition else None)
    if partition is None:
        return counter.over(order_by=rank.order_by).cast(nw.Int64).alias(rank.name)
    return counter.over(partition, order_by=rank.order_by).cast(nw.Int64).alias(rank.name)


def _in_steps(frame: Any, rank: Rank) -> Any:
    """`rank` (partitioned) as a position in the whole frame, less its group's first position.

    narwhals' PyArrow backend (2.29) refuses ``cum_count().over(partition_by,
    order_by=...)`` ("only elementary aggregations") but evaluates an ordered
    window without a partition and a ``min`` over one. Ordered by the group
    first, each group's rows are consecutive, so the rank within the group is
    ``position - min(position) over the group + 1``: the same numbers.
    """
    order = [rank.partition_by, *rank.order_by]
    frame = frame.with_columns(nw.col(COUNTER).cum_count().over(order_by=order).alias(_POSITION))
    position = nw.col(_POSITION)
    first = position.min().over(rank.partition_by)
    return frame.with_columns((position - first + 1).cast(nw.Int64).alias(rank.name)).drop(_POSITION)


def with_ranks(frame: nw.DataFrame[Any] | nw.LazyFrame[Any], keys: list[str], ranks: Iterable[Rank]) -> Any:
    """`frame` with the ordinal `ranks` (ordered by `keys` only) added, the fastest way per engine.

    - pandas (and any eager frame): computed on a narrow frame of just `keys`,
      then attached by position: narwhals' pandas backend sorts the whole frame
      for each window, text columns included.
    - Polars: an unpartitioned window is partitioned by a constant column
      instead, which Polars (2.1) computes about five times faster than its
      whole-frame ordered window (on an eager frame, see :func:`plan_whole`).
    - PyArrow: partitioned ranks in steps (see :func:`_in_steps`).
    - SQL engines (DuckDB, Spark) plan the windows themselves, all in one
      projection. (Tried and dropped at 1.25M clients on DuckDB: a chain of
      ``row_number`` projections, each of which carries every column through
      its own sort, 1.6x slower; ranks on a narrow relation joined back, which
      computes everything upstream twice in a lazy pipeline.)
    """
    ranks = list(ranks)
    impl = frame.implementation
    stepped = [r for r in ranks if impl.is_pyarrow() and r.partition_by]

    def add(target: Any) -> Any:
        target = target.with_columns(COUNTER_EXPR)
        target = target.with_columns(
            *(_count_window(r, constant_partition=impl.is_polars()) for r in ranks if r not in stepped)
        )
        for rank in stepped:
            target = _in_steps(target, rank)
        return target.drop(COUNTER)

    if not isinstance(frame, nw.DataFrame):
        return add(frame)
    narrow = add(frame.select(*keys))
    return frame.with_columns(*(narrow.get_column(r.name) for r in ranks))

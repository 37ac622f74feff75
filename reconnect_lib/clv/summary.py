"""The per-client purchase summary the models are fitted on: frequency, recency, T and the mean spend."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Final, Literal, get_args

import numpy as np
import pandas as pd

from ..errors import ConfigError, InputError, Problem
from ..schema import AMOUNT, CLIENT_ID, DATE, FIRST_PURCHASE, LAST_PURCHASE
from .columns import AGE, DURATION_HOLDOUT, FREQUENCY, FREQUENCY_HOLDOUT, MONETARY_VALUE, RECENCY

TimeUnit = Literal["D", "W"]
TIME_UNIT_CHOICES: tuple[str, ...] = get_args(TimeUnit)
_DAYS_PER_UNIT: Final = {"D": 1.0, "W": 7.0}
DAYS_PER_YEAR: Final = 365.0
_MAX_GAP_DAYS: Final = 100 * 365.25


# --- summary ------------------------------------------------------------------------


def rfm_summary(
    transactions: pd.DataFrame,
    *,
    as_of: date | datetime,
    client_id: str = CLIENT_ID,
    date: str = DATE,
    amount: str | None = AMOUNT,
    time_unit: TimeUnit | float = "D",
    calibration_end: date | datetime | None = None,
) -> pd.DataFrame:
    """Per-client frequency, recency, age and mean spend, the input of the models.

    Transactions are collapsed to purchase days: all of a client's transactions
    on one day are one purchase, worth their total. A purchase is a transaction
    with a positive amount (as for ``n_purchases`` in the client base); refunds
    and zero amounts are ignored. Transactions after ``as_of`` are ignored.

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per transaction. Not modified.
    as_of : datetime.date
        The day the summary is taken; ``T`` is measured up to it. With
        ``calibration_end`` it is the end of the holdout period.
    client_id, date, amount : str
        Column names. ``amount=None`` counts every row as a purchase and leaves
        ``monetary_value`` NaN.
    time_unit : {"D", "W"} or float
        Unit of ``recency``, ``T`` and ``duration_holdout``: days, weeks, or a
        number of days per unit.
    calibration_end : datetime.date, optional
        Summarise only up to this day (inclusive) and count the purchase days
        after it, up to ``as_of``, as a holdout. Clients whose first purchase
        is after it are left out.

    Returns
    -------
    pandas.DataFrame
        One row per client, sorted by client id, with columns ``client_id``,
        ``frequency`` (repeat purchase days, int), ``recency`` (t_x: first to
        last purchase day), ``T`` (first purchase day to ``as_of`` or
        ``calibration_end``), ``monetary_value`` (mean amount of the repeat
        purchase days, NaN without one; amounts are added as whole cents,
        each rounded half up, so the sums are exact), ``first_purchase``,
        ``last_purchase``; with ``calibration_end`` also ``frequency_holdout``
        and ``duration_holdout``.

    Examples
    --------
    >>> import datetime as dt
    >>> tx = pd.DataFrame({
    ...     "client_id": ["a", "a", "a", "b"],
    ...     "date": pd.to_datetime(["2024-01-01", "2024-01-15", "2024-03-01", "2024-02-01"]),
    ...     "amount": [100.0, 50.0, 70.0, 30.0],
    ... })
    >>> summary = rfm_summary(tx, as_of=dt.date(2024, 3, 31))
    >>> summary[["client_id", "frequency", "recency", "T", "monetary_value"]]
      client_id  frequency  recency     T  monetary_value
    0         a          2     60.0  90.0            60.0
    1         b          0      0.0  59.0             NaN
    """
    unit_days = _days_per_unit(time_unit)
    end_obs = _as_day(as_of, "as_of")
    end_cal = end_obs if calibration_end is None else _as_day(calibration_end, "calibration_end")
    if end_cal > end_obs:
        raise ConfigError(
            f"calibration_end={calibration_end!r} is after as_of={as_of!r}",
            expected="calibration_end on or before as_of",
        )
    if not isinstance(transactions, pd.DataFrame):
        raise InputError(
            f"`transactions` is a {type(transactions).__name__}, not a pandas DataFrame",
            expected="a pandas DataFrame with one row per transaction",
        )
    needed = [client_id, date] + ([amount] if amount is not None else [])
    missing = [c for c in needed if c not in transactions.columns]
    if missing:
        raise InputError(
            f"`transactions` has no column {', '.join(f'`{c}`' for c in missing)}",
            column=missing[0],
            expected=f"columns {', '.join(f'`{c}`' for c in needed)}",
            hint="name the columns with rfm_summary(..., client_id=..., date=..., amount=...)",
        )

    problems: list[Problem] = []
    ids = transactions[client_id]
    _collect(problems, ids.isna().to_numpy(), ids, "no client id", client_id)
    raw_days = transactions[date]
    days = pd.to_datetime(raw_days, errors="coerce")
    if days.dt.tz is not None:  # a purchase day is the local calendar day
        days = days.dt.tz_localize(None)
    _collect(problems, days.isna().to_numpy(), raw_days, "not a date", date, "YYYY-MM-DD")
    if amount is not None:
        raw_amount = transactions[amount]
        amounts = pd.to_numeric(raw_amount, errors="coerce").astype("float64")
        bad = amounts.isna().to_numpy() | ~np.isfinite(amounts.to_numpy(na_value=np.nan))
        _collect(problems, bad, raw_amount, "not a number", amount, "an amount such as 120.50")
    else:
        amounts = pd.Series(1.0, index=transactions.index)
    if problems:
        raise InputError.from_problems(problems)

    frame = pd.DataFrame(
        {
            CLIENT_ID: ids.to_numpy(),
            "day": days.dt.as_unit("us").dt.normalize().to_numpy(),
            "amount": amounts.to_numpy(dtype="float64"),
        }
    )
    frame = frame[(frame["amount"] > 0) & (frame["day"] <= end_obs)]
    # Money in whole cents (each amount rounded half up), as the client base
    # adds it: exact sums, so every engine's summary (base_summary) is this one.
    frame["amount"] = np.floor(frame["amount"].to_numpy() * 100 + 0.5).astype("int64")
    per_day = frame.groupby([CLIENT_ID, "day"], sort=True, observed=True)["amount"].sum().reset_index()
    calibration = per_day[per_day["day"] <= end_cal]
    if calibration.empty:
        raise InputError(
            "no purchases up to " + str(end_cal.date()),
            column=amount or date,
            hint="check as_of / calibration_end and that purchase amounts are positive",
        )

    by_client = calibration.groupby(CLIENT_ID, sort=True, observed=True)
    first = by_client["day"].min()
    last = by_client["day"].max()
    n_days = by_client["day"].size()
    total = by_client["amount"].sum()
    first_amount = calibration.drop_duplicates(CLIENT_ID).set_index(CLIENT_ID)["amount"].reindex(first.index)
    frequency = (n_days - 1).astype("int64")
    with np.errstate(
        invalid="ignore", divide="ignore"
    ):  # 0/0 for clients without a repeat: NaN, masked below
        monetary = (total - first_amount) / 100 / frequency
    monetary = monetary.where(frequency > 0)
    if amount is None:
        monetary = pd.Series(np.nan, index=first.index)

    unit = pd.Timedelta(days=unit_days)
    out = pd.DataFrame(
        {
            CLIENT_ID: first.index.to_numpy(),
            FREQUENCY: frequency.to_numpy(),
            RECENCY: ((last - first) / unit).to_numpy(dtype="float64"),
            AGE: ((end_cal - first) / unit).to_numpy(dtype="float64"),
            MONETARY_VALUE: monetary.to_numpy(dtype="float64"),
            FIRST_PURCHASE: first.to_numpy(),
            LAST_PURCHASE: last.to_numpy(),
        }
    )
    if calibration_end is not None:
        holdout = per_day[per_day["day"] > end_cal].groupby(CLIENT_ID, observed=True).size()
        out[FREQUENCY_HOLDOUT] = holdout.reindex(first.index, fill_value=0).to_numpy(dtype="int64")
        out[DURATION_HOLDOUT] = (end_obs - end_cal) / unit
    return out


def _collect(
    problems: list[Problem],
    bad: np.ndarray,
    raw: pd.Series,
    message: str,
    column: str,
    expected: str | None = None,
) -> None:
    """Record one problem for the rows flagged in `bad` (1-based, as a spreadsheet shows)."""
    if bad.any():
        positions = np.flatnonzero(bad)
        problems.append(
            Problem(
                message,
                column=column,
                rows=[int(p) + 1 for p in positions],
                values=[raw.iloc[p] for p in positions[:5]],
                expected=expected,
            )
        )


def _as_day(value: object, name: str) -> pd.Timestamp:
    if isinstance(value, date):  # datetime and pandas.Timestamp are dates too
        return pd.Timestamp(value).as_unit("us").normalize()
    raise ConfigError(
        f"{name}={value!r} is not a date",
        expected="a datetime.date",
        hint=f"pass e.g. {name}=datetime.date(2026, 11, 30)",
    )


def _days_per_unit(time_unit: object) -> float:
    if isinstance(time_unit, str):
        if time_unit not in TIME_UNIT_CHOICES:
            raise ConfigError(
                f"time_unit={time_unit!r} is not a known unit",
                expected="one of " + ", ".join(repr(u) for u in TIME_UNIT_CHOICES) + " or days per unit",
            )
        return _DAYS_PER_UNIT[time_unit]
    is_number = isinstance(time_unit, int | float) and not isinstance(time_unit, bool)
    if is_number and math.isfinite(time_unit) and time_unit > 0:
        return float(time_unit)
    raise ConfigError(
        f"time_unit={time_unit!r} is not a unit of time",
        expected="one of " + ", ".join(repr(u) for u in TIME_UNIT_CHOICES) + " or a positive number of days",
    )

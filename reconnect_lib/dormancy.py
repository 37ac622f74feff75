"""Dormancy: group clients by how long they have gone without contact or purchase.

The field report's method: divide the list into groups by how long each client
has gone without hearing from the firm, and contact everyone dormant for more
than six months; then keep up, so nobody slides past six months again.

Default buckets (edges in months, configurable): ``active (< 6 months)``,
``6–12 months``, ``1–2 years``, ``2–3 years``, ``3 years and more``. A month is
365.25 / 12 days, so the edges fall on 183, 365, 730 and 1096 days.

Written once over narwhals: pandas in gives pandas out, Polars in gives Polars
out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from itertools import pairwise
from typing import Any, TypeVar

import narwhals as nw

from . import _frames as fr
from .config import DEFAULT_EDGES_MONTHS
from .errors import ConfigError, InputError
from .money import cents
from .schema import (
    BUCKET_ORDER,
    CLIENT_ID,
    CLIENTS,
    CONTACTABLE,
    CROSSES_ON,
    DAYS_DORMANT,
    DO_NOT_CONTACT,
    DORMANCY_BUCKET,
    DORMANT_SINCE,
    DUE,
    DUE_CONTACTABLE,
    EXPECTED_VALUE,
    SHARE_OF_REVENUE,
    TOTAL_REVENUE,
    VALUE_AT_STAKE,
    WEEKS_UNTIL_DUE,
)

FrameT = TypeVar("FrameT")

DAYS_PER_MONTH = 365.25 / 12

_HINT_BASE = "pass the output of reconnect_lib.client_base.client_base"
_HINT_BUCKETED = "pass the output of dormancy_buckets (or value_scores)"
_HINT_EDGES = "use the same edges_months as dormancy_buckets, e.g. [dormancy] edges_months in campaign.toml"


def months_to_days(months: int) -> int:
    """Whole days in `months` months of 365.25 / 12 days.

    Rounded with Python's ``round`` (half to even), so that 24 months are 730
    days.

    Parameters
    ----------
    months : int
        A number of months, >= 0.

    Returns
    -------
    int
        ``round(months * 365.25 / 12)``.

    Examples
    --------
    >>> [months_to_days(m) for m in (6, 12, 24, 36)]
    [183, 365, 730, 1096]
    """
    fr.check_whole("months", months, minimum=0)
    return round(months * 365.25 / 12)


def check_edges(edges_months: Sequence[int]) -> tuple[int, ...]:
    """Validate bucket edges: positive whole months, strictly increasing.

    Raises
    ------
    ConfigError
        Listing what is wrong with the edges given.
    """
    try:
        edges = tuple(edges_months)
    except TypeError as err:
        raise ConfigError(
            f"edges_months={edges_months!r} is not a list of months",
            expected="positive whole months in increasing order, e.g. (6, 12, 24, 36)",
        ) from err
    ok = (
        bool(edges)
        and all(isinstance(e, int) and not isinstance(e, bool) and e > 0 for e in edges)
        and all(a < b for a, b in pairwise(edges))
    )
    if not ok:
        raise ConfigError(
            f"edges_months={edges_months!r} is not valid",
            expected="positive whole months in strictly increasing order, e.g. (6, 12, 24, 36)",
            hint="set [dormancy] edges_months in campaign.toml",
        )
    return edges


def _span(months: int) -> str:
    if months % 12 == 0:
        years = months // 12
        return "1 year" if years == 1 else f"{years} years"
    return "1 month" if months == 1 else f"{months} months"


def bucket_labels(edges_months: Sequence[int] = DEFAULT_EDGES_MONTHS) -> list[str]:
    """The label of each dormancy bucket, most recent first.

    Whole years read as years, anything else in months; ranges use an en dash.

    Parameters
    ----------
    edges_months : sequence of int
        Bucket edges in months, positive and strictly increasing.

    Returns
    -------
    list of str
        ``len(edges_months) + 1`` labels.

    Examples
    --------
    >>> bucket_labels()
    ['active (< 6 months)', '6–12 months', '1–2 years', '2–3 years', '3 years and more']
    >>> bucket_labels((3, 18))
    ['active (< 3 months)', '3–18 months', '18 months and more']
    """
    edges = check_edges(edges_months)
    labels = [f"active (< {_span(edges[0])})"]
    for low, high in pairwise(edges):
        if low % 12 == 0 and high % 12 == 0:
            labels.append(f"{low // 12}–{high // 12} years")
        else:
            labels.append(f"{low}–{high} months")
    labels.append(f"{_span(edges[-1])} and more")
    return labels


def _bucket_order_expr(edges: tuple[int, ...]) -> nw.Expr:
    # narwhals has no `cut`: a chain of when/then over integer day counts is
    # portable to every engine, lazy ones included.
    days = nw.col(DAYS_DORMANT)
    oldest = len(edges)
    chain = nw.when(days.is_null()).then(nw.lit(oldest))
    for i, months in enumerate(edges):
        chain = chain.when(days < months_to_days(months)).then(nw.lit(i))
    return chain.otherwise(nw.lit(oldest)).cast(nw.Int64)


def _label_expr(labels: list[str]) -> nw.Expr:
    return nw.col(BUCKET_ORDER).replace_strict(dict(enumerate(labels)), default=None, return_dtype=nw.String)


def dormancy_buckets(
    base: FrameT,
    *,
    edges_months: Sequence[int] = DEFAULT_EDGES_MONTHS,
    due_after_months: int = 6,
) -> FrameT:
    """Put every client in exactly one dormancy bucket and flag who is due for contact.

    Parameters
    ----------
    base : pandas or Polars DataFrame
        The output of :func:`reconnect_lib.client_base.client_base` (needs
        ``days_dormant``).
    edges_months : sequence of int
        Bucket edges in months, positive and strictly increasing; each edge is
        :func:`months_to_days` days and belongs to the bucket above it (a client
        dormant exactly 183 days is in ``6–12 months``).
    due_after_months : int
        Due for contact once dormant this long (``days_dormant >=
        months_to_days(due_after_months)``).

    Returns
    -------
    DataFrame
        Same type as `base`, same rows in the same order, plus (pandas dtype):

        - ``dormancy_bucket`` (str): the label from :func:`bucket_labels`.
        - ``bucket_order`` (int64): 0 for the most recent bucket, then 1, 2, ...
        - ``due`` (bool): due for contact.

        A client whose ``days_dormant`` is unknown (no contact, purchase or
        client-since date at all) goes to the **oldest bucket** and is due:
        nobody knows when they last heard from the firm, so assume the worst.

    Raises
    ------
    ConfigError
        Edges not positive and strictly increasing, or `due_after_months` < 1.
    InputError
        `base` has no ``days_dormant``.

    Examples
    --------
    >>> import pandas as pd
    >>> base = pd.DataFrame({"client_id": ["a", "b", "c"], "days_dormant": [10, 400, None]})
    >>> dormancy_buckets(base)[["dormancy_bucket", "bucket_order", "due"]]
           dormancy_bucket  bucket_order    due
    0  active (< 6 months)             0  False
    1            1–2 years             2   True
    2     3 years and more             4   True
    """
    edges = check_edges(edges_months)
    threshold = months_to_days(fr.check_whole("due_after_months", due_after_months, minimum=1))
    frame = fr.as_frame(base, "base")
    fr.require_columns(frame, [DAYS_DORMANT], "base", _HINT_BASE)
    days = nw.col(DAYS_DORMANT)
    frame = frame.with_columns(
        _bucket_order_expr(edges).alias(BUCKET_ORDER),
        (days.is_null() | (days.fill_null(0) >= threshold)).alias(DUE),
    )
    frame = frame.with_columns(_label_expr(bucket_labels(edges)).alias(DORMANCY_BUCKET))
    names = [c for c in frame.collect_schema().names() if c not in (DORMANCY_BUCKET, BUCKET_ORDER, DUE)]
    frame = frame.select(*names, DORMANCY_BUCKET, BUCKET_ORDER, DUE)
    return fr.to_native(frame, {BUCKET_ORDER: "int64", DUE: "bool"})


def keep_up_list(
    base: FrameT,
    *,
    as_of: date,
    weeks: int = 4,
    due_after_months: int = 6,
) -> FrameT:
    """The clients not yet due who will become due within the next `weeks` weeks.

    Keeping up is easier than catching up: contacting these clients before they
    cross the threshold means nobody slides past it again.

    Parameters
    ----------
    base : pandas or Polars DataFrame
        The output of :func:`reconnect_lib.client_base.client_base` or of a later
        stage (needs ``client_id`` and ``dormant_since``).
    as_of : datetime.date
        Today, for the plan.
    weeks : int
        How far ahead to look, in weeks (>= 0; 0 gives an empty list).
    due_after_months : int
        The due threshold, as in :func:`dormancy_buckets`.

    Returns
    -------
    DataFrame
        Same type as `base`: the rows whose ``dormant_since + months_to_days(
        due_after_months)`` falls after `as_of` and at most ``7 * weeks`` days
        later, ordered by ``crosses_on`` then ``client_id``, with (pandas dtype):

        - ``crosses_on`` (datetime64[us]): the day the client becomes due.
        - ``weeks_until_due`` (int64): 1 if that is within the next 7 days, 2
          within 8 to 14 days, and so on.

        Clients whose ``dormant_since`` is unknown are already due (see
        :func:`dormancy_buckets`) and never listed. ``do_not_contact`` clients
        are kept: leaving them out is the contact plan's job.

    Examples
    --------
    >>> import pandas as pd
    >>> from datetime import date
    >>> base = pd.DataFrame({"client_id": ["a", "b"],
    ...                      "dormant_since": pd.to_datetime(["2024-01-01", "2023-01-01"])})
    >>> keep_up_list(base, as_of=date(2024, 6, 25))[["client_id", "crosses_on", "weeks_until_due"]]
      client_id crosses_on  weeks_until_due
    0         a 2024-07-02                1
    """
    as_of = fr.check_as_of(as_of)
    weeks = fr.check_whole("weeks", weeks, minimum=0)
    threshold = months_to_days(fr.check_whole("due_after_months", due_after_months, minimum=1))
    frame = fr.as_frame(base, "base")
    fr.require_columns(frame, [CLIENT_ID, DORMANT_SINCE], "base", _HINT_BASE)
    dtype = fr.date_dtype(frame)
    frame = frame.with_columns(
        # DuckDB adds an interval to a date into a timestamp: cast back.
        (fr.to_date(DORMANT_SINCE, dtype) + timedelta(days=threshold)).cast(dtype).alias(CROSSES_ON)
    ).with_columns(
        fr.days_between(nw.col(CROSSES_ON), fr.date_lit(as_of, dtype), on=frame.implementation).alias(
            WEEKS_UNTIL_DUE
        )
    )
    days_until = nw.col(WEEKS_UNTIL_DUE)
    frame = (
        frame.filter(~days_until.is_null() & (days_until > 0) & (days_until <= 7 * weeks))
        .with_columns(((days_until + 6) // 7).cast(nw.Int64).alias(WEEKS_UNTIL_DUE))
        .sort(CROSSES_ON, CLIENT_ID)
    )
    return fr.to_native(frame, {CROSSES_ON: "datetime64[us]", WEEKS_UNTIL_DUE: "int64"}, fresh_index=True)


def bucket_table(scored: FrameT, *, edges_months: Sequence[int] = DEFAULT_EDGES_MONTHS) -> FrameT:
    """One row per dormancy bucket, in order, empty buckets included with zeros.

    Parameters
    ----------
    scored : pandas or Polars DataFrame
        The output of :func:`reconnect_lib.value.value_scores`, or of
        :func:`dormancy_buckets` (then without the value columns).
    edges_months : sequence of int
        The edges `scored` was bucketed with.

    Returns
    -------
    DataFrame
        Same engine as `scored`, one row per bucket of :func:`bucket_labels`
        (pandas dtype):

        - ``dormancy_bucket`` (str), ``bucket_order`` (int64).
        - ``clients`` (int64): clients in the bucket.
        - ``due`` (int64): of which due for contact.
        - ``do_not_contact`` (int64): of which flagged do-not-contact (0 when
          the column is absent).
        - ``due_contactable`` (int64): due and may be contacted: not
          do-not-contact, and not lost to the campaign (``contactable``, when
          the outcome log's status was joined; else not do-not-contact).
        - ``total_revenue`` (float64): sum over the bucket (unknown counts as 0).
        - ``share_of_revenue`` (float64): the bucket's share of all clients'
          total revenue (0 when that total is 0).
        - ``value_at_stake``, ``expected_value`` (float64): sums, only when
          `scored` has those columns.

        No totals row: the frame stays one row per bucket; the CLI renders
        totals.

    Raises
    ------
    ConfigError
        `scored` holds bucket labels the edges do not produce.
    InputError
        `scored` lacks ``dormancy_bucket``, ``due`` or ``total_revenue``.

    Examples
    --------
    >>> import pandas as pd
    >>> base = pd.DataFrame({"client_id": ["a", "b"], "days_dormant": [10, 400],
    ...                      "total_revenue": [100.0, 300.0]})
    >>> bucket_table(dormancy_buckets(base))[["dormancy_bucket", "clients", "share_of_revenue"]]
           dormancy_bucket  clients  share_of_revenue
    0  active (< 6 months)        1              0.25
    1          6–12 months        0              0.00
    2            1–2 years        1              0.75
    3            2–3 years        0              0.00
    4     3 years and more        0              0.00
    """
    labels = bucket_labels(edges_months)
    frame = fr.as_frame(scored, "scored")
    fr.require_columns(frame, [DORMANCY_BUCKET, DUE, TOTAL_REVENUE], "scored", _HINT_BUCKETED)
    check_labels(frame, labels)
    present = set(frame.collect_schema().names())
    sums = [c for c in (TOTAL_REVENUE, VALUE_AT_STAKE, EXPECTED_VALUE) if c in present]

    def count(mask: nw.Expr) -> nw.Expr:
        # DuckDB sums int64 into int128: cast back.
        return mask.fill_null(False).cast(nw.Int64).sum().cast(nw.Int64)

    rows = []
    for order, label in enumerate(labels):
        in_bucket = nw.col(DORMANCY_BUCKET) == label
        flagged = (
            count(in_bucket & nw.col(DO_NOT_CONTACT).cast(nw.Boolean))
            if DO_NOT_CONTACT in present
            else nw.lit(0)
        )
        reach = in_bucket & nw.col(DUE).cast(nw.Boolean) & _contactable(present)
        rows.append(
            frame.select(
                nw.lit(label, dtype=nw.String).alias(DORMANCY_BUCKET),
                nw.lit(order, dtype=nw.Int64).alias(BUCKET_ORDER),
                count(in_bucket).alias(CLIENTS),
                count(in_bucket & nw.col(DUE).cast(nw.Boolean)).alias(DUE),
                flagged.cast(nw.Int64).alias(DO_NOT_CONTACT),
                count(reach).alias(DUE_CONTACTABLE),
                *(
                    nw.when(in_bucket)
                    .then(nw.col(c).fill_null(0.0))
                    .otherwise(0.0)
                    .sum()
                    .cast(nw.Float64)
                    .alias(c)
                    for c in sums
                ),
            )
        )
    table = nw.concat(rows, how="vertical")
    revenue = nw.col(TOTAL_REVENUE)
    everyone = revenue.sum()
    table = table.with_columns(
        nw.when(everyone == 0).then(nw.lit(0.0)).otherwise(revenue / everyone).alias(SHARE_OF_REVENUE)
    )
    # (lazy engines too: a union of the per-bucket rows comes back in any order)
    table = table.sort(BUCKET_ORDER)
    columns = [DORMANCY_BUCKET, BUCKET_ORDER, CLIENTS, DUE, DO_NOT_CONTACT, DUE_CONTACTABLE]
    columns += [TOTAL_REVENUE, SHARE_OF_REVENUE, *(c for c in sums if c != TOTAL_REVENUE)]
    dtypes = dict.fromkeys((BUCKET_ORDER, CLIENTS, DUE, DO_NOT_CONTACT, DUE_CONTACTABLE), "int64")
    dtypes.update(dict.fromkeys((TOTAL_REVENUE, SHARE_OF_REVENUE, *sums), "float64"))
    return fr.to_native(table.select(*columns), dtypes, fresh_index=True)


def _contactable(present: set[str]) -> nw.Expr:
    """Who may be contacted: ``contactable`` once the log's status is joined, else not do-not-contact."""
    if CONTACTABLE in present:
        return nw.col(CONTACTABLE).fill_null(True).cast(nw.Boolean)
    if DO_NOT_CONTACT in present:
        return ~nw.col(DO_NOT_CONTACT).fill_null(False).cast(nw.Boolean)
    return nw.lit(True)


def check_labels(frame: Any, labels: Sequence[str]) -> None:
    """Raise a ConfigError if an eager `frame` holds bucket labels other than `labels`.

    Lazy frames are not collected for this check.
    """
    if not isinstance(frame, nw.DataFrame):
        return
    found = frame.get_column(DORMANCY_BUCKET)
    if found.is_null().any():
        raise InputError(
            "some clients have no dormancy bucket",
            column=DORMANCY_BUCKET,
            hint=_HINT_BUCKETED,
        )
    unknown = sorted(set(found.unique().to_list()) - set(labels))
    if unknown:
        raise ConfigError(
            f"dormancy buckets {', '.join(repr(u) for u in unknown)} are not those of these edges",
            column=DORMANCY_BUCKET,
            expected=f"one of {', '.join(repr(label) for label in labels)}",
            hint=_HINT_EDGES,
        )


def base_summary(scored: Any, *, edges_months: Sequence[int] = DEFAULT_EDGES_MONTHS) -> dict[str, Any]:
    """The headline numbers of a scored client base, as plain Python values.

    The overview report's narrative is written from these, and its tests check
    them against the library, so a report and a test can never disagree.

    Parameters
    ----------
    scored : pandas or Polars DataFrame
        The output of :func:`reconnect_lib.value.value_scores`.
    edges_months : sequence of int
        The edges `scored` was bucketed with.

    Returns
    -------
    dict
        ``clients``; ``due`` (dormant past the due threshold) and ``due_share``;
        ``do_not_contact``; ``due_contactable`` (due and may be contacted:
        not do-not-contact and not lost, see :func:`bucket_table`);
        ``oldest_bucket`` (its label) and ``oldest_bucket_clients``;
        ``total_revenue``; ``value_at_stake_due`` and ``expected_value_due``
        (sums over the contactable due clients: what reconnecting is about).

    Examples
    --------
    >>> import pandas as pd
    >>> from reconnect_lib.value import value_scores
    >>> base = pd.DataFrame({"client_id": ["a", "b"], "days_dormant": [10, 1200],
    ...                      "n_purchases": [3, 1], "total_revenue": [900.0, 100.0],
    ...                      "yearly_revenue": [300.0, 20.0]})
    >>> n = base_summary(value_scores(dormancy_buckets(base)))
    >>> n["clients"], n["due"], n["oldest_bucket_clients"], n["value_at_stake_due"]
    (2, 1, 1, 20.0)
    """
    labels = bucket_labels(edges_months)
    frame = fr.as_frame(scored, "scored")
    fr.require_columns(
        frame, [DORMANCY_BUCKET, DUE, TOTAL_REVENUE, VALUE_AT_STAKE, EXPECTED_VALUE], "scored", _HINT_BUCKETED
    )
    present = set(frame.collect_schema().names())
    dnc = (
        nw.col(DO_NOT_CONTACT).fill_null(False).cast(nw.Boolean)
        if DO_NOT_CONTACT in present
        else nw.lit(False)
    )
    due = nw.col(DUE).fill_null(False).cast(nw.Boolean)
    # Flags become columns first so that every summary below is a plain column sum.
    flags = frame.with_columns(
        due.cast(nw.Int64).alias("__due"),
        dnc.cast(nw.Int64).alias("__dnc"),
        (due & _contactable(present)).alias("__reach"),
        (nw.col(DORMANCY_BUCKET) == labels[-1]).cast(nw.Int64).alias("__oldest"),
    )
    reach = nw.col("__reach")

    def total(column: str) -> nw.Expr:
        return (
            nw.when(reach).then(nw.col(column).fill_null(0.0)).otherwise(0.0).cast(nw.Float64).alias(column)
        )

    row = flags.with_columns(total(VALUE_AT_STAKE), total(EXPECTED_VALUE)).select(
        nw.len().cast(nw.Int64).alias("clients"),
        nw.col("__due").sum().alias("due"),
        nw.col("__dnc").sum().alias("do_not_contact"),
        reach.cast(nw.Int64).sum().alias("due_contactable"),
        nw.col("__oldest").sum().alias("oldest_bucket_clients"),
        nw.col(TOTAL_REVENUE).fill_null(0.0).sum().alias("total_revenue"),
        nw.col(VALUE_AT_STAKE).sum().alias("value_at_stake_due"),
        nw.col(EXPECTED_VALUE).sum().alias("expected_value_due"),
    )
    if isinstance(row, nw.LazyFrame):
        row = row.collect()
    numbers = {k: v[0] for k, v in row.to_dict(as_series=False).items()}
    numbers = {
        k: (int(v) if k not in ("total_revenue", "value_at_stake_due", "expected_value_due") else cents(v))
        for k, v in numbers.items()
    }
    numbers["due_share"] = numbers["due"] / numbers["clients"] if numbers["clients"] else 0.0
    numbers["oldest_bucket"] = labels[-1]
    return numbers

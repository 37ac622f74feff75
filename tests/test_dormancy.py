"""Tests for reconnect_lib.dormancy: buckets, keep-up list and the bucket table."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconnect_lib.dormancy import (
    base_summary,
    bucket_labels,
    bucket_table,
    dormancy_buckets,
    keep_up_list,
    months_to_days,
)
from reconnect_lib.errors import ConfigError, InputError
from reconnect_lib.schema import (
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

DEFAULT_LABELS = ["active (< 6 months)", "6–12 months", "1–2 years", "2–3 years", "3 years and more"]


# --- months and labels ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("months", "days"), [(0, 0), (1, 30), (6, 183), (12, 365), (24, 730), (36, 1096), (48, 1461)]
)
def test_months_to_days(months, days):
    assert months_to_days(months) == days


@pytest.mark.parametrize("months", [-1, 1.5, True, "6"])
def test_months_to_days_rejects_non_months(months):
    with pytest.raises(ConfigError):
        months_to_days(months)


def test_default_labels():
    assert bucket_labels() == DEFAULT_LABELS


@pytest.mark.parametrize(
    ("edges", "labels"),
    [
        ((3, 18), ["active (< 3 months)", "3–18 months", "18 months and more"]),
        ((12,), ["active (< 1 year)", "1 year and more"]),
        ((1, 2), ["active (< 1 month)", "1–2 months", "2 months and more"]),
        ((6, 12, 36), ["active (< 6 months)", "6–12 months", "1–3 years", "3 years and more"]),
        ((12, 18), ["active (< 1 year)", "12–18 months", "18 months and more"]),
    ],
)
def test_custom_labels(edges, labels):
    assert bucket_labels(edges) == labels


@pytest.mark.parametrize("edges", [(), (0, 6), (-6, 6), (12, 6), (6, 6), (6.5,), (True, 6), None, 6])
def test_bad_edges(edges):
    with pytest.raises(ConfigError, match="edges_months"):
        bucket_labels(edges)
    base = pd.DataFrame({CLIENT_ID: ["a"], DAYS_DORMANT: [1]})
    with pytest.raises(ConfigError):
        dormancy_buckets(base, edges_months=edges)


# --- dormancy_buckets ----------------------------------------------------------------

EDGE_DAYS = [0, 182, 183, 364, 365, 729, 730, 1095, 1096, 5000, None, -3]
EDGE_ORDERS = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 4, 0]
EDGE_DUE = [False, False, True, True, True, True, True, True, True, True, True, False]


@pytest.fixture
def edge_base() -> pd.DataFrame:
    n = len(EDGE_DAYS)
    return pd.DataFrame(
        {
            CLIENT_ID: [f"c{i:02d}" for i in range(n)],
            "note": [f"n{i}" for i in range(n)],
            DAYS_DORMANT: pd.array(EDGE_DAYS, dtype="Int64"),
        }
    )


def test_buckets_at_the_edges(to_engine, records, edge_base):
    native = to_engine(edge_base)
    out = dormancy_buckets(native)
    assert type(out) is type(native)
    rows = records(out)
    assert [r[CLIENT_ID] for r in rows] == edge_base[CLIENT_ID].tolist()
    assert [r["note"] for r in rows] == edge_base["note"].tolist()
    assert [r[BUCKET_ORDER] for r in rows] == EDGE_ORDERS
    assert [r[DORMANCY_BUCKET] for r in rows] == [DEFAULT_LABELS[o] for o in EDGE_ORDERS]
    assert [r[DUE] for r in rows] == EDGE_DUE
    assert list(rows[0])[-3:] == [DORMANCY_BUCKET, BUCKET_ORDER, DUE]


def test_unknown_dormancy_is_oldest_bucket_and_due(to_engine, records):
    base = pd.DataFrame({CLIENT_ID: ["a"], DAYS_DORMANT: pd.array([None], dtype="Int64")})
    (row,) = records(dormancy_buckets(to_engine(base)))
    assert (row[DORMANCY_BUCKET], row[BUCKET_ORDER], row[DUE]) == ("3 years and more", 4, True)


def test_due_after_months(to_engine, records, edge_base):
    rows = records(dormancy_buckets(to_engine(edge_base), due_after_months=12))
    expected = [d is None or d >= 365 for d in EDGE_DAYS]
    assert [r[DUE] for r in rows] == expected
    with pytest.raises(ConfigError, match="due_after_months"):
        dormancy_buckets(edge_base, due_after_months=0)


def test_custom_edges(to_engine, records):
    base = pd.DataFrame({CLIENT_ID: list("abcd"), DAYS_DORMANT: [90, 91, 547, 548]})
    rows = records(dormancy_buckets(to_engine(base), edges_months=(3, 18)))
    # 3 months = 91 days, 18 months = round(547.875) = 548 days
    assert [r[DORMANCY_BUCKET] for r in rows] == [
        "active (< 3 months)",
        "3–18 months",
        "3–18 months",
        "18 months and more",
    ]


def test_buckets_pandas_dtypes(edge_base):
    out = dormancy_buckets(edge_base)
    assert str(out[BUCKET_ORDER].dtype) == "int64"
    assert str(out[DUE].dtype) == "bool"
    assert out.index.equals(edge_base.index)


def test_buckets_need_days_dormant():
    with pytest.raises(InputError, match="days_dormant"):
        dormancy_buckets(pd.DataFrame({CLIENT_ID: ["a"]}))


def test_buckets_do_not_mutate(edge_base):
    copy = edge_base.copy(deep=True)
    dormancy_buckets(edge_base)
    pd.testing.assert_frame_equal(edge_base, copy)


# --- keep_up_list --------------------------------------------------------------------

KEEP_UP_AS_OF = dt.date(2024, 6, 25)


@pytest.fixture
def keep_up_base() -> pd.DataFrame:
    return pd.DataFrame(
        {
            CLIENT_ID: ["a", "b", "c", "d", "e", "f", "g", "0h"],
            DORMANT_SINCE: pd.to_datetime(
                pd.Series(
                    [
                        "2024-01-01",  # crosses 2024-07-02: 7 days -> week 1
                        "2023-12-25",  # crosses 2024-06-25 = as_of: already due
                        "2023-12-26",  # crosses 2024-06-26: 1 day -> week 1
                        "2024-01-24",  # crosses 2024-07-25: 30 days, past 4 weeks
                        "2024-01-22",  # crosses 2024-07-23: 28 days -> week 4
                        None,  # unknown: already due
                        "2024-06-20",  # months away
                        "2024-01-01",  # same day as "a": client_id breaks the tie
                    ],
                    dtype="object",
                )
            ),
            DO_NOT_CONTACT: [False, False, False, False, False, False, False, True],
        }
    )


def test_keep_up_list(to_engine, records, keep_up_base):
    native = to_engine(keep_up_base)
    out = keep_up_list(native, as_of=KEEP_UP_AS_OF)
    assert type(out) is type(native)
    rows = records(out)
    got = [(r[CLIENT_ID], r[CROSSES_ON], r[WEEKS_UNTIL_DUE]) for r in rows]
    assert got == [
        ("c", dt.date(2024, 6, 26), 1),
        ("0h", dt.date(2024, 7, 2), 1),
        ("a", dt.date(2024, 7, 2), 1),
        ("e", dt.date(2024, 7, 23), 4),
    ]
    assert rows[1][DO_NOT_CONTACT] is True  # kept: the plan leaves them out


def test_keep_up_list_horizon(to_engine, records, keep_up_base):
    five = records(keep_up_list(to_engine(keep_up_base), as_of=KEEP_UP_AS_OF, weeks=5))
    assert [r[CLIENT_ID] for r in five] == ["c", "0h", "a", "e", "d"]
    assert five[-1][WEEKS_UNTIL_DUE] == 5
    none = keep_up_list(to_engine(keep_up_base), as_of=KEEP_UP_AS_OF, weeks=0)
    assert records(none) == []
    assert CROSSES_ON in none.columns


def test_keep_up_list_pandas_output(keep_up_base):
    out = keep_up_list(keep_up_base, as_of=KEEP_UP_AS_OF)
    assert str(out[CROSSES_ON].dtype) == "datetime64[us]"
    assert str(out[WEEKS_UNTIL_DUE].dtype) == "int64"
    assert out.index.tolist() == [0, 1, 2, 3]


def test_keep_up_list_validates(keep_up_base):
    with pytest.raises(ConfigError, match="weeks"):
        keep_up_list(keep_up_base, as_of=KEEP_UP_AS_OF, weeks=-1)
    with pytest.raises(ConfigError, match="not a date"):
        keep_up_list(keep_up_base, as_of="2024-06-25")
    with pytest.raises(InputError, match="dormant_since"):
        keep_up_list(keep_up_base.drop(columns=[DORMANT_SINCE]), as_of=KEEP_UP_AS_OF)


# --- bucket_table --------------------------------------------------------------------


@pytest.fixture
def scored() -> pd.DataFrame:
    return pd.DataFrame(
        {
            CLIENT_ID: ["a", "b", "c", "d", "e"],
            DAYS_DORMANT: [10, 200, 250, 5000, 800],
            DO_NOT_CONTACT: [False, True, False, True, False],
            TOTAL_REVENUE: [100.0, 200.0, None, 500.0, 200.0],
            VALUE_AT_STAKE: [50.0, 80.0, 0.0, 100.0, 20.0],
            EXPECTED_VALUE: [30.0, 40.0, 0.0, 15.0, 5.0],
        }
    )


def test_bucket_table(to_engine, records, scored):
    native = dormancy_buckets(to_engine(scored))
    table = bucket_table(native)
    assert type(table) is type(native)
    assert records(table) == [
        {
            DORMANCY_BUCKET: DEFAULT_LABELS[0],
            BUCKET_ORDER: 0,
            CLIENTS: 1,
            DUE: 0,
            DO_NOT_CONTACT: 0,
            DUE_CONTACTABLE: 0,
            TOTAL_REVENUE: 100.0,
            SHARE_OF_REVENUE: 0.1,
            VALUE_AT_STAKE: 50.0,
            EXPECTED_VALUE: 30.0,
        },
        {
            DORMANCY_BUCKET: DEFAULT_LABELS[1],
            BUCKET_ORDER: 1,
            CLIENTS: 2,
            DUE: 2,
            DO_NOT_CONTACT: 1,
            DUE_CONTACTABLE: 1,
            TOTAL_REVENUE: 200.0,
            SHARE_OF_REVENUE: 0.2,
            VALUE_AT_STAKE: 80.0,
            EXPECTED_VALUE: 40.0,
        },
        {
            DORMANCY_BUCKET: DEFAULT_LABELS[2],
            BUCKET_ORDER: 2,
            CLIENTS: 0,
            DUE: 0,
            DO_NOT_CONTACT: 0,
            DUE_CONTACTABLE: 0,
            TOTAL_REVENUE: 0.0,
            SHARE_OF_REVENUE: 0.0,
            VALUE_AT_STAKE: 0.0,
            EXPECTED_VALUE: 0.0,
        },
        {
            DORMANCY_BUCKET: DEFAULT_LABELS[3],
            BUCKET_ORDER: 3,
            CLIENTS: 1,
            DUE: 1,
            DO_NOT_CONTACT: 0,
            DUE_CONTACTABLE: 1,
            TOTAL_REVENUE: 200.0,
            SHARE_OF_REVENUE: 0.2,
            VALUE_AT_STAKE: 20.0,
            EXPECTED_VALUE: 5.0,
        },
        {
            DORMANCY_BUCKET: DEFAULT_LABELS[4],
            BUCKET_ORDER: 4,
            CLIENTS: 1,
            DUE: 1,
            DO_NOT_CONTACT: 1,
            DUE_CONTACTABLE: 0,
            TOTAL_REVENUE: 500.0,
            SHARE_OF_REVENUE: 0.5,
            VALUE_AT_STAKE: 100.0,
            EXPECTED_VALUE: 15.0,
        },
    ]


def test_due_contactable_leaves_out_clients_the_log_closed(to_engine, records, scored):
    # `contactable` (joined from the outcome log) rules over the list's flag: a lost client is due
    # but may not be contacted; a client with no status keeps the list's do-not-contact.
    closed = scored.assign(**{CONTACTABLE: [True, False, True, True, False]})
    rows = records(bucket_table(dormancy_buckets(to_engine(closed))))
    assert [row[DUE_CONTACTABLE] for row in rows] == [0, 1, 0, 0, 1]
    assert base_summary(dormancy_buckets(to_engine(closed)))["due_contactable"] == 2
    opened = scored.assign(**{CONTACTABLE: True})
    assert [row[DUE_CONTACTABLE] for row in records(bucket_table(dormancy_buckets(to_engine(opened))))] == [
        0,
        2,
        0,
        1,
        1,
    ]


def test_bucket_table_without_value_columns(to_engine, records, scored):
    bucketed = dormancy_buckets(to_engine(scored[[CLIENT_ID, DAYS_DORMANT, TOTAL_REVENUE]]))
    rows = records(bucket_table(bucketed))
    assert list(rows[0]) == [
        DORMANCY_BUCKET,
        BUCKET_ORDER,
        CLIENTS,
        DUE,
        DO_NOT_CONTACT,
        DUE_CONTACTABLE,
        TOTAL_REVENUE,
        SHARE_OF_REVENUE,
    ]
    assert [r[CLIENTS] for r in rows] == [1, 2, 0, 1, 1]
    assert [r[DO_NOT_CONTACT] for r in rows] == [0, 0, 0, 0, 0]


def test_bucket_table_zero_revenue_and_empty(to_engine, records):
    base = pd.DataFrame({CLIENT_ID: ["a"], DAYS_DORMANT: [400], TOTAL_REVENUE: [0.0]})
    rows = records(bucket_table(dormancy_buckets(to_engine(base))))
    assert [r[SHARE_OF_REVENUE] for r in rows] == [0.0] * 5
    empty = pd.DataFrame(
        {
            CLIENT_ID: pd.Series([], dtype="str"),
            DAYS_DORMANT: pd.Series([], dtype="int64"),
            TOTAL_REVENUE: pd.Series([], dtype="float64"),
        }
    )
    rows = records(bucket_table(dormancy_buckets(to_engine(empty))))
    assert [r[DORMANCY_BUCKET] for r in rows] == DEFAULT_LABELS
    assert [r[CLIENTS] for r in rows] == [0] * 5


def test_bucket_table_pandas_dtypes(scored):
    table = bucket_table(dormancy_buckets(scored))
    dtypes = {c: str(t) for c, t in table.dtypes.items()}
    assert [dtypes[c] for c in (BUCKET_ORDER, CLIENTS, DUE, DO_NOT_CONTACT)] == ["int64"] * 4
    assert [dtypes[c] for c in (TOTAL_REVENUE, SHARE_OF_REVENUE, VALUE_AT_STAKE)] == ["float64"] * 3
    assert table.index.tolist() == [0, 1, 2, 3, 4]


def test_bucket_table_needs_the_same_edges(scored):
    bucketed = dormancy_buckets(scored, edges_months=(3, 18))
    with pytest.raises(ConfigError, match="edges"):
        bucket_table(bucketed)
    assert len(bucket_table(bucketed, edges_months=(3, 18))) == 3
    with pytest.raises(InputError, match="dormancy_bucket"):
        bucket_table(scored)


# --- properties ----------------------------------------------------------------------

# Cross-engine properties run every example twice (pandas and Polars): half the
# profile's examples keep the default run quick; the "ci" profile still runs many.
both_engines = settings(max_examples=max(10, settings.default.max_examples // 2))

edges_strategy = st.lists(st.integers(1, 60), min_size=1, max_size=5, unique=True).map(
    lambda e: tuple(sorted(e))
)


@st.composite
def bases(draw):
    n = draw(st.integers(0, 30))
    days = draw(st.lists(st.none() | st.integers(-30, 4000), min_size=n, max_size=n))
    revenue = draw(st.lists(st.integers(-10_000, 1_000_000), min_size=n, max_size=n))
    return pd.DataFrame(
        {
            CLIENT_ID: pd.Series([f"c{i:03d}" for i in range(n)], dtype="str"),
            DAYS_DORMANT: pd.array(days, dtype="Int64"),
            DO_NOT_CONTACT: pd.Series(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype="bool"),
            TOTAL_REVENUE: pd.Series(revenue, dtype="float64") / 100,
        }
    )


@given(base=bases(), edges=edges_strategy, due_after=st.integers(1, 48))
def test_every_client_in_exactly_one_bucket(convert, records, base, edges, due_after):
    out = dormancy_buckets(convert(base, "polars"), edges_months=edges, due_after_months=due_after)
    labels = bucket_labels(edges)
    bounds = [None, *(months_to_days(m) for m in edges), None]
    rows = records(out)
    assert len(rows) == len(base)
    for row in rows:
        order, days = row[BUCKET_ORDER], row[DAYS_DORMANT]
        assert row[DORMANCY_BUCKET] == labels[order]
        if days is None:
            assert order == len(edges)
        else:
            low, high = bounds[order], bounds[order + 1]
            assert low is None or days >= low
            assert high is None or days < high
        assert row[DUE] == (days is None or days >= months_to_days(due_after))
    table = records(bucket_table(out, edges_months=edges))
    assert [r[DORMANCY_BUCKET] for r in table] == labels
    assert sum(r[CLIENTS] for r in table) == len(base)
    assert sum(r[DUE] for r in table) == sum(r[DUE] for r in rows)


@both_engines
@given(base=bases(), edges=edges_strategy)
def test_buckets_pandas_and_polars_agree(convert, records, base, edges):
    copy = base.copy(deep=True)
    outputs = {}
    for engine in ("pandas", "polars"):
        bucketed = dormancy_buckets(convert(base, engine), edges_months=edges)
        outputs[engine] = (records(bucketed), records(bucket_table(bucketed, edges_months=edges)))
    assert outputs["pandas"] == outputs["polars"]
    pd.testing.assert_frame_equal(base, copy)


@given(
    offsets=st.lists(st.none() | st.integers(-30, 400), max_size=25),
    weeks=st.integers(0, 10),
    due_after=st.integers(1, 12),
)
def test_keep_up_list_is_exactly_the_window(convert, records, offsets, weeks, due_after):
    as_of = dt.date(2024, 6, 25)
    since = [None if o is None else as_of - dt.timedelta(days=o) for o in offsets]
    base = pd.DataFrame(
        {
            CLIENT_ID: pd.Series([f"c{i:03d}" for i in range(len(offsets))], dtype="str"),
            DORMANT_SINCE: pd.to_datetime(pd.Series(since, dtype="object")),
        }
    )
    rows = records(
        keep_up_list(convert(base, "polars"), as_of=as_of, weeks=weeks, due_after_months=due_after)
    )
    threshold = months_to_days(due_after)
    expected = sorted(
        (as_of + dt.timedelta(days=threshold - o), f"c{i:03d}")
        for i, o in enumerate(offsets)
        if o is not None and 0 < threshold - o <= 7 * weeks
    )
    assert [(r[CROSSES_ON], r[CLIENT_ID]) for r in rows] == expected
    for row in rows:
        days_until = (row[CROSSES_ON] - as_of).days
        assert row[WEEKS_UNTIL_DUE] == -(-days_until // 7)
        assert 1 <= row[WEEKS_UNTIL_DUE] <= weeks


def test_lazy_polars_in_lazy_out(scored):
    lazy = pl.from_pandas(scored).lazy()
    out = dormancy_buckets(lazy)
    assert isinstance(out, pl.LazyFrame)
    table = bucket_table(out)
    assert isinstance(table, pl.LazyFrame)
    assert table.collect()[CLIENTS].to_list() == [1, 2, 0, 1, 1]

"""Tests for reconnect_lib.client_base: hand-computed cases on pandas and Polars, and properties."""

from __future__ import annotations

import datetime as dt
import importlib
from unittest import mock

import narwhals as nw
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconnect_lib.client_base import CLIENT_BASE_COLUMNS, client_base
from reconnect_lib.errors import ConfigError, InputError
from reconnect_lib.schema import (
    AMOUNT,
    CHANNEL,
    CLIENT_ID,
    CLIENT_SINCE,
    DATE,
    DAYS_DORMANT,
    DAYS_SINCE_CONTACT,
    DAYS_SINCE_PURCHASE,
    DO_NOT_CONTACT,
    DORMANT_SINCE,
    FIRST_ACTIVITY,
    FIRST_PURCHASE,
    LAST_ACTIVITY,
    LAST_CONTACT,
    LAST_PURCHASE,
    N_PURCHASES,
    NAME,
    TENURE_DAYS,
    TOTAL_REVENUE,
    YEARLY_REVENUE,
)

# (the module: reconnect_lib's `client_base` attribute is the function)
client_base_module = importlib.import_module("reconnect_lib.client_base")

AS_OF = dt.date(2024, 6, 1)
D = dt.date


def ts(*days: str | None) -> pd.Series:
    return pd.to_datetime(pd.Series(days, dtype="object"), format="ISO8601")


@pytest.fixture
def clients() -> pd.DataFrame:
    return pd.DataFrame(
        {
            CLIENT_ID: ["c1", "c2", "c3", "c4"],
            NAME: ["Ann", "Bob", "Cy", "Di"],
            CLIENT_SINCE: ts("2020-01-01", None, "2023-01-01", None),
            DO_NOT_CONTACT: [False, True, False, False],
        }
    )


@pytest.fixture
def transactions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            CLIENT_ID: ["c1", "c1", "c1", "c1", "c3", "c3", "zz"],
            DATE: ts(
                "2023-06-01",
                "2023-06-01",
                "2023-07-01",
                "2022-01-10",
                "2024-07-01",
                "2024-01-15",
                "2023-01-01",
            ),
            AMOUNT: [100.0, 50.0, -20.0, 30.0, 999.0, -10.0, 5.0],
        }
    )


@pytest.fixture
def contacts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            CLIENT_ID: ["c2", "c1", "c1"],
            DATE: ts("2021-03-04 10:30", "2022-01-01", "2023-09-01"),
            CHANNEL: ["phone", "letter", "email"],
        }
    )


# c1: purchases on 2022-01-10 and 2023-06-01 (two on one day count once), a refund on
#     2023-07-01 (not a purchase, but in revenue), contacts 2022-01-01 and 2023-09-01.
# c2: one contact (with a time of day), nothing bought, no client_since.
# c3: only a refund before as_of; a purchase after as_of is ignored.
# c4: nothing known at all. zz: a transaction for a client not on the list (ignored).
EXPECTED = {
    "c1": {
        FIRST_PURCHASE: D(2022, 1, 10),
        LAST_PURCHASE: D(2023, 6, 1),
        LAST_CONTACT: D(2023, 9, 1),
        FIRST_ACTIVITY: D(2022, 1, 1),
        LAST_ACTIVITY: D(2023, 9, 1),
        N_PURCHASES: 2,
        TOTAL_REVENUE: 160.0,
        YEARLY_REVENUE: round(160.0 / (1613 / 365.25), 9),
        TENURE_DAYS: 1613,
        DAYS_SINCE_CONTACT: 274,
        DAYS_SINCE_PURCHASE: 366,
        DORMANT_SINCE: D(2023, 9, 1),
        DAYS_DORMANT: 274,
    },
    "c2": {
        FIRST_PURCHASE: None,
        LAST_PURCHASE: None,
        LAST_CONTACT: D(2021, 3, 4),
        FIRST_ACTIVITY: D(2021, 3, 4),
        LAST_ACTIVITY: D(2021, 3, 4),
        N_PURCHASES: 0,
        TOTAL_REVENUE: 0.0,
        YEARLY_REVENUE: 0.0,
        TENURE_DAYS: 1185,  # from first activity: no client_since
        DAYS_SINCE_CONTACT: 1185,
        DAYS_SINCE_PURCHASE: None,
        DORMANT_SINCE: D(2021, 3, 4),
        DAYS_DORMANT: 1185,
    },
    "c3": {
        FIRST_PURCHASE: None,
        LAST_PURCHASE: None,
        LAST_CONTACT: None,
        FIRST_ACTIVITY: None,
        LAST_ACTIVITY: None,
        N_PURCHASES: 0,
        TOTAL_REVENUE: -10.0,
        YEARLY_REVENUE: round(-10.0 / (517 / 365.25), 9),
        TENURE_DAYS: 517,
        DAYS_SINCE_CONTACT: None,
        DAYS_SINCE_PURCHASE: None,
        DORMANT_SINCE: D(2023, 1, 1),  # falls back to client_since
        DAYS_DORMANT: 517,
    },
    "c4": {
        FIRST_PURCHASE: None,
        LAST_PURCHASE: None,
        LAST_CONTACT: None,
        FIRST_ACTIVITY: None,
        LAST_ACTIVITY: None,
        N_PURCHASES: 0,
        TOTAL_REVENUE: 0.0,
        YEARLY_REVENUE: 0.0,
        TENURE_DAYS: None,
        DAYS_SINCE_CONTACT: None,
        DAYS_SINCE_PURCHASE: None,
        DORMANT_SINCE: None,
        DAYS_DORMANT: None,
    },
}


@pytest.fixture
def by_client(records):
    return lambda frame: {row[CLIENT_ID]: row for row in records(frame)}


def test_hand_computed_base(engine, to_engine, by_client, clients, transactions, contacts):
    native = to_engine(clients)
    out = client_base(native, to_engine(transactions), to_engine(contacts), as_of=AS_OF)
    assert type(out) is type(native)
    rows = by_client(out)
    assert list(rows) == ["c1", "c2", "c3", "c4"]
    for client, expected in EXPECTED.items():
        got = {k: rows[client][k] for k in expected}
        assert got == expected, client
    # the list's own columns are kept as they were
    assert [rows[c][NAME] for c in rows] == ["Ann", "Bob", "Cy", "Di"]
    assert [rows[c][DO_NOT_CONTACT] for c in rows] == [False, True, False, False]
    assert rows["c1"][CLIENT_SINCE] == D(2020, 1, 1)


@pytest.mark.parametrize(
    ("measure_from", "c1", "c2", "c3"),
    [
        ("latest", (D(2023, 9, 1), 274), (D(2021, 3, 4), 1185), (D(2023, 1, 1), 517)),
        ("contact", (D(2023, 9, 1), 274), (D(2021, 3, 4), 1185), (D(2023, 1, 1), 517)),
        ("purchase", (D(2023, 6, 1), 366), (None, None), (D(2023, 1, 1), 517)),
    ],
)
def test_measure_from(to_engine, by_client, clients, transactions, contacts, measure_from, c1, c2, c3):
    out = client_base(
        to_engine(clients),
        to_engine(transactions),
        to_engine(contacts),
        as_of=AS_OF,
        measure_from=measure_from,
    )
    rows = by_client(out)
    got = {c: (rows[c][DORMANT_SINCE], rows[c][DAYS_DORMANT]) for c in ("c1", "c2", "c3")}
    assert got == {"c1": c1, "c2": c2, "c3": c3}


def test_measure_from_only_the_chosen_date(to_engine, records):
    # contacted recently, bought long ago: "contact" ignores the purchase and vice versa
    clients = pd.DataFrame({CLIENT_ID: ["a"], CLIENT_SINCE: ts("2015-01-01")})
    tx = pd.DataFrame({CLIENT_ID: ["a"], DATE: ts("2020-06-01"), AMOUNT: [10.0]})
    ct = pd.DataFrame({CLIENT_ID: ["a"], DATE: ts("2024-05-02")})
    dormant = {}
    for mf in ("latest", "contact", "purchase"):
        rows = records(
            client_base(to_engine(clients), to_engine(tx), to_engine(ct), as_of=AS_OF, measure_from=mf)
        )
        dormant[mf] = rows[0][DAYS_DORMANT]
    assert dormant == {"latest": 30, "contact": 30, "purchase": (AS_OF - D(2020, 6, 1)).days}


def test_list_summary_without_histories(to_engine, records):
    clients = pd.DataFrame(
        {
            CLIENT_ID: ["a", "b"],
            CLIENT_SINCE: ts("2019-06-01", None),
            LAST_CONTACT: ts("2024-01-01", None),
            LAST_PURCHASE: ts("2023-12-01", None),
            TOTAL_REVENUE: [500.0, None],
        }
    )
    out = client_base(to_engine(clients), as_of=AS_OF)
    a, b = records(out)
    # summary columns keep their place in the list; the rest is appended
    assert list(records(out)[0])[:5] == [CLIENT_ID, CLIENT_SINCE, LAST_CONTACT, LAST_PURCHASE, TOTAL_REVENUE]
    assert a[N_PURCHASES] is None  # unknown without a transactions table
    assert a[TOTAL_REVENUE] == 500.0
    assert a[FIRST_PURCHASE] is None
    assert a[FIRST_ACTIVITY] == D(2023, 12, 1)
    assert a[LAST_ACTIVITY] == a[DORMANT_SINCE] == D(2024, 1, 1)
    assert a[DAYS_DORMANT] == (AS_OF - D(2024, 1, 1)).days
    assert a[TENURE_DAYS] == (AS_OF - D(2019, 6, 1)).days
    assert a[YEARLY_REVENUE] == round(500.0 / ((AS_OF - D(2019, 6, 1)).days / 365.25), 9)
    assert b[TOTAL_REVENUE] is None
    assert b[YEARLY_REVENUE] is None
    assert b[DAYS_DORMANT] is None


def test_list_and_history_combined(to_engine, records):
    clients = pd.DataFrame(
        {
            CLIENT_ID: ["a", "b"],
            LAST_CONTACT: ts("2024-01-01", "2022-01-01"),
            LAST_PURCHASE: ts("2023-12-01", "2022-02-01"),
            TOTAL_REVENUE: [500.0, 700.0],
        }
    )
    # a: history older than the list; b: history newer than the list
    tx = pd.DataFrame({CLIENT_ID: ["a", "b"], DATE: ts("2023-01-01", "2024-02-01"), AMOUNT: [40.0, 60.0]})
    ct = pd.DataFrame({CLIENT_ID: ["a", "b"], DATE: ts("2023-02-01", "2024-03-01")})
    a, b = records(client_base(to_engine(clients), to_engine(tx), to_engine(ct), as_of=AS_OF))
    assert (a[LAST_CONTACT], a[LAST_PURCHASE]) == (D(2024, 1, 1), D(2023, 12, 1))
    assert (b[LAST_CONTACT], b[LAST_PURCHASE]) == (D(2024, 3, 1), D(2024, 2, 1))
    # the history wins for revenue when both are given
    assert (a[TOTAL_REVENUE], b[TOTAL_REVENUE]) == (40.0, 60.0)
    assert a[FIRST_ACTIVITY] == D(2023, 1, 1)
    assert b[FIRST_ACTIVITY] == D(2022, 1, 1)  # the list's dates are activity too


def test_client_without_transactions_has_zero_revenue_when_history_given(to_engine, records):
    clients = pd.DataFrame({CLIENT_ID: ["a"], TOTAL_REVENUE: [900.0]})
    tx = pd.DataFrame({CLIENT_ID: ["zz"], DATE: ts("2023-01-01"), AMOUNT: [1.0]})
    (a,) = records(client_base(to_engine(clients), to_engine(tx), as_of=AS_OF))
    assert (a[TOTAL_REVENUE], a[N_PURCHASES]) == (0.0, 0)


def test_tenure_floored_at_one_year(to_engine, records):
    clients = pd.DataFrame({CLIENT_ID: ["new", "old"], CLIENT_SINCE: ts("2024-03-01", "2014-06-01")})
    tx = pd.DataFrame(
        {CLIENT_ID: ["new", "old"], DATE: ts("2024-03-02", "2020-01-01"), AMOUNT: [300.0, 1000.0]}
    )
    new, old = records(client_base(to_engine(clients), to_engine(tx), as_of=AS_OF))
    assert new[YEARLY_REVENUE] == 300.0  # three months: not credited as 1,200 a year
    assert old[YEARLY_REVENUE] == round(1000.0 / ((AS_OF - D(2014, 6, 1)).days / 365.25), 9)


def test_rows_and_columns_kept_in_order(to_engine, records, transactions, contacts):
    clients = pd.DataFrame(
        {
            CLIENT_ID: ["c3", "zz9", "c1", "c2"],
            "custom_note": ["x", "y", None, "w"],
            CLIENT_SINCE: ts(None, "2020-01-01", None, None),
        }
    )
    out = client_base(to_engine(clients), to_engine(transactions), to_engine(contacts), as_of=AS_OF)
    rows = records(out)
    assert [r[CLIENT_ID] for r in rows] == ["c3", "zz9", "c1", "c2"]
    assert [r["custom_note"] for r in rows] == ["x", "y", None, "w"]
    assert list(rows[0]) == [CLIENT_ID, "custom_note", CLIENT_SINCE, *CLIENT_BASE_COLUMNS]


def test_stale_derived_columns_are_recomputed(to_engine, records):
    clients = pd.DataFrame({CLIENT_ID: ["a"], LAST_CONTACT: ts("2024-05-01"), DAYS_DORMANT: [9999]})
    (a,) = records(client_base(to_engine(clients), as_of=AS_OF))
    assert a[DAYS_DORMANT] == 31


def test_pandas_dtypes(clients, transactions, contacts):
    out = client_base(clients, transactions, contacts, as_of=AS_OF)
    dtypes = {c: str(t) for c, t in out.dtypes.items()}
    for c in (
        FIRST_PURCHASE,
        LAST_PURCHASE,
        LAST_CONTACT,
        FIRST_ACTIVITY,
        LAST_ACTIVITY,
        DORMANT_SINCE,
        CLIENT_SINCE,
    ):
        assert dtypes[c] == "datetime64[us]", c
    for c in (N_PURCHASES, TENURE_DAYS, DAYS_SINCE_CONTACT, DAYS_SINCE_PURCHASE, DAYS_DORMANT):
        assert dtypes[c] == "Int64", c
    assert dtypes[TOTAL_REVENUE] == dtypes[YEARLY_REVENUE] == "float64"
    assert dtypes[DO_NOT_CONTACT] == "bool"
    # no transactions table: n_purchases is all-null but keeps its dtype
    assert str(client_base(clients, as_of=AS_OF)[N_PURCHASES].dtype) == "Int64"


def test_polars_dtypes_and_datetime_inputs(by_client, clients, transactions, contacts):
    # Polars inputs may carry pl.Datetime (with times of day) rather than pl.Date
    out = client_base(
        pl.from_pandas(clients), pl.from_pandas(transactions), pl.from_pandas(contacts), as_of=AS_OF
    )
    assert isinstance(out, pl.DataFrame)
    assert out.schema[DORMANT_SINCE] == pl.Date
    assert out.schema[DAYS_DORMANT] == pl.Int64
    assert out.schema[N_PURCHASES] == pl.Int64
    rows = by_client(out)
    assert {c: rows[c][DAYS_DORMANT] for c in rows} == {c: e[DAYS_DORMANT] for c, e in EXPECTED.items()}


def test_polars_lazy_in_lazy_out(by_client, clients, transactions, contacts):
    lazy = pl.from_pandas(clients).lazy()
    out = client_base(lazy, pl.from_pandas(transactions).lazy(), pl.from_pandas(contacts).lazy(), as_of=AS_OF)
    assert isinstance(out, pl.LazyFrame)
    rows = by_client(out.collect())
    assert {c: rows[c][DAYS_DORMANT] for c in rows} == {c: e[DAYS_DORMANT] for c, e in EXPECTED.items()}


def test_as_of_timestamp_is_a_day(clients):
    a = client_base(clients, as_of=AS_OF)
    b = client_base(clients, as_of=pd.Timestamp("2024-06-01 18:00"))
    pd.testing.assert_frame_equal(a, b)


def test_bad_measure_from_lists_choices(clients):
    with pytest.raises(ConfigError) as info:
        client_base(clients, as_of=AS_OF, measure_from="newest")
    message = str(info.value)
    assert "newest" in message
    for choice in ("'latest'", "'contact'", "'purchase'"):
        assert choice in message


def test_as_of_must_be_a_date(clients):
    with pytest.raises(ConfigError, match="not a date"):
        client_base(clients, as_of="2024-06-01")


def test_missing_columns_are_named(clients):
    with pytest.raises(InputError, match="`amount`"):
        client_base(clients, pd.DataFrame({CLIENT_ID: ["a"], DATE: ts("2024-01-01")}), as_of=AS_OF)
    with pytest.raises(InputError, match="`client_id`"):
        client_base(pd.DataFrame({"id": ["a"]}), as_of=AS_OF)
    with pytest.raises(InputError, match="not a data frame"):
        client_base([{"client_id": "a"}], as_of=AS_OF)


def test_inputs_not_mutated(clients, transactions, contacts):
    copies = [f.copy(deep=True) for f in (clients, transactions, contacts)]
    client_base(clients, transactions, contacts, as_of=AS_OF)
    for original, copy in zip((clients, transactions, contacts), copies, strict=True):
        pd.testing.assert_frame_equal(original, copy)


# --- properties ----------------------------------------------------------------------

# Cross-engine properties run every example twice (pandas and Polars): half the
# profile's examples keep the default run quick; the "ci" profile still runs many.
both_engines = settings(max_examples=max(10, settings.default.max_examples // 2))

BASE_DAY = dt.date(2024, 6, 30)
day_offsets = st.integers(min_value=0, max_value=2500)


@st.composite
def inputs(draw):
    """A random client list with optional histories, every date on or before BASE_DAY."""
    n = draw(st.integers(min_value=1, max_value=12))
    ids = [f"c{i:02d}" for i in draw(st.permutations(range(n)))]

    def day(offset: int | None) -> pd.Timestamp | None:
        return None if offset is None else pd.Timestamp(BASE_DAY - dt.timedelta(days=offset))

    clients = pd.DataFrame(
        {
            CLIENT_ID: ids,
            CLIENT_SINCE: pd.to_datetime(
                pd.Series([day(draw(st.none() | day_offsets)) for _ in ids], dtype="object")
            ),
            DO_NOT_CONTACT: draw(st.lists(st.booleans(), min_size=n, max_size=n)),
        }
    )
    if draw(st.booleans()):
        clients[LAST_CONTACT] = pd.to_datetime(
            pd.Series([day(draw(st.none() | day_offsets)) for _ in ids], dtype="object")
        )
        clients[TOTAL_REVENUE] = [draw(st.none() | st.integers(-5_000, 500_000)) for _ in ids]
        clients[TOTAL_REVENUE] = clients[TOTAL_REVENUE].astype("float64") / 100
    transactions = contacts = None
    if draw(st.booleans()):
        m = draw(st.integers(0, 25))
        transactions = pd.DataFrame(
            {
                CLIENT_ID: [draw(st.sampled_from([*ids, "orphan"])) for _ in range(m)],
                DATE: pd.to_datetime(pd.Series([day(draw(day_offsets)) for _ in range(m)], dtype="object")),
                AMOUNT: [draw(st.integers(-20_000, 200_000)) / 100 for _ in range(m)],
            }
        )
    if draw(st.booleans()):
        m = draw(st.integers(0, 15))
        contacts = pd.DataFrame(
            {
                CLIENT_ID: [draw(st.sampled_from(ids)) for _ in range(m)],
                DATE: pd.to_datetime(pd.Series([day(draw(day_offsets)) for _ in range(m)], dtype="object")),
            }
        )
    measure_from = draw(st.sampled_from(["latest", "contact", "purchase"]))
    return clients, transactions, contacts, measure_from


@given(data=inputs())
def test_one_row_per_client(convert, data):
    # on Polars for speed; test_pandas_and_polars_agree ties pandas to it
    clients, transactions, contacts, measure_from = data
    frames = [None if f is None else convert(f, "polars") for f in (clients, transactions, contacts)]
    out = client_base(*frames, as_of=BASE_DAY, measure_from=measure_from).to_pandas()
    assert out[CLIENT_ID].tolist() == clients[CLIENT_ID].tolist()
    assert set(clients.columns) <= set(out.columns)
    # days_dormant is null only when none of the dates it may count from is known
    chosen = {"latest": [LAST_CONTACT, LAST_PURCHASE], "contact": [LAST_CONTACT], "purchase": [LAST_PURCHASE]}
    unknown = out[DAYS_DORMANT].isna()
    assert out.loc[unknown, [CLIENT_SINCE, *chosen[measure_from]]].isna().all(axis=None)
    assert (out[DAYS_DORMANT].dropna() >= 0).all()
    assert (out[N_PURCHASES].isna().all()) == (transactions is None)


@given(data=inputs(), k=st.integers(min_value=1, max_value=400))
def test_as_of_shift_moves_only_day_counts(convert, data, k):
    # on Polars for speed; test_pandas_and_polars_agree ties pandas to it
    clients, transactions, contacts, measure_from = (
        None if f is None or isinstance(f, str) else convert(f, "polars") for f in data
    )
    measure_from = data[3]
    before = client_base(clients, transactions, contacts, as_of=BASE_DAY, measure_from=measure_from)
    after = client_base(
        clients, transactions, contacts, as_of=BASE_DAY + dt.timedelta(days=k), measure_from=measure_from
    )
    shifted = [DAYS_DORMANT, DAYS_SINCE_CONTACT, DAYS_SINCE_PURCHASE, TENURE_DAYS]
    assert after.select(shifted).equals(before.select(pl.col(shifted) + k))
    # yearly_revenue depends on tenure; everything else is untouched
    unchanged = [c for c in before.columns if c not in (*shifted, YEARLY_REVENUE)]
    assert after.select(unchanged).equals(before.select(unchanged))


@both_engines
@given(data=inputs())
def test_pandas_and_polars_agree(convert, records, data):
    clients, transactions, contacts, measure_from = data

    copies = [None if f is None else f.copy(deep=True) for f in (clients, transactions, contacts)]
    outputs = {
        "pandas": client_base(clients, transactions, contacts, as_of=BASE_DAY, measure_from=measure_from),
        "polars": client_base(
            *(None if f is None else convert(f, "polars") for f in (clients, transactions, contacts)),
            as_of=BASE_DAY,
            measure_from=measure_from,
        ),
    }
    for original, copy in zip((clients, transactions, contacts), copies, strict=True):
        if original is not None:  # the pandas inputs are untouched
            pd.testing.assert_frame_equal(original, copy)
    assert isinstance(outputs["pandas"], pd.DataFrame)
    assert isinstance(outputs["polars"], pl.DataFrame)
    assert records(outputs["pandas"]) == records(outputs["polars"])


def test_revenue_is_exact_and_the_same_on_every_engine():
    # As floats these sums come out differently on each engine (pandas
    # 2594.4700000000003, Polars 2594.47, DuckDB 2594.4700000000007); in cents
    # they are exact. Tenures of 369 and 402 days are ones where dividing by
    # 365.25 as Polars does for a scalar (times the reciprocal) is a bit off.
    amounts = [211.92, 341.13, 208.74, 40.75, 370.92, 234.4, 87.68, 268.21, 215.98, 201.29, 154.32, 259.13]
    clients = pl.DataFrame(
        {
            CLIENT_ID: ["c1", "c2", "c3", "c4"],
            CLIENT_SINCE: [AS_OF - dt.timedelta(days=d) for d in (369, 402, 100, 369)],
        }
    )
    tx = pl.DataFrame(
        {
            CLIENT_ID: ["c1"] * len(amounts) + ["c2"] * 10 + ["c3", "c3"],
            DATE: [D(2024, 1, 1)] * (len(amounts) + 12),
            AMOUNT: [*amounts, *[0.1] * 10, 5.0, -0.01],
        }
    )
    inputs = {"pandas": (clients.to_pandas(), tx.to_pandas()), "polars": (clients, tx)}
    try:
        import duckdb
    except ImportError:  # pragma: no cover - duckdb is a dev dependency
        pass
    else:
        con = duckdb.connect()
        inputs["duckdb"] = tuple(con.from_arrow(f.to_arrow()) for f in (clients, tx))
    results = {}
    for engine, frames in inputs.items():
        base = client_base(*frames, as_of=AS_OF)
        base = {"pandas": pl.from_pandas, "polars": lambda f: f, "duckdb": lambda f: f.pl()}[engine](base)
        # exact floats, not rounded
        results[engine] = base.sort(CLIENT_ID).select(CLIENT_ID, TOTAL_REVENUE, YEARLY_REVENUE).rows()
    assert [r[1] for r in results["pandas"]] == [2594.47, 1.0, 4.99, 0.0]
    assert results["pandas"][0][2] == 2594.47 / (369 / 365.25)
    assert results["pandas"][1][2] == 1.0 / (402 / 365.25)
    for engine, rows in results.items():
        assert rows == results["pandas"], engine


# --- pandas: the summary on integer codes equals the group_by ---------------------------

ID_DTYPES = ("object", "string", "str", "int64")


def _plain_group_by(*args, **kwargs):
    """client_base with the pandas summary on codes switched off (the narwhals group_by and joins)."""
    with mock.patch.object(client_base_module, "_summary_on_codes", return_value=None):
        return client_base(*args, **kwargs)


@st.composite
def messy_histories(draw):
    """Arbitrary ids (repeated in the list, missing, unknown), times of day, days before 1970,
    missing dates and amounts, several rows on one day; ids of one of ID_DTYPES, the
    histories' sometimes categorical."""
    id_dtype = draw(st.sampled_from(ID_DTYPES))
    pool = list(range(draw(st.integers(1, 8))))
    ids = draw(st.lists(st.sampled_from(pool) | st.none(), min_size=0, max_size=8))
    if id_dtype == "int64":
        ids = [i for i in ids if i is not None]
    nanos = st.integers(-3_000 * 86_400, 20_000 * 86_400).map(lambda s: pd.Timestamp(s * 10**9))
    stamps = st.none() | nanos | st.sampled_from([pd.Timestamp("1969-12-31 23:59"), pd.Timestamp(BASE_DAY)])

    def column(values: list) -> pd.Series:
        if id_dtype == "int64":
            return pd.Series(values, dtype="int64")
        return pd.Series([None if v is None else f"k{v}" for v in values], dtype=id_dtype)

    def history(with_amount: bool) -> pd.DataFrame | None:
        if not draw(st.booleans()):
            return None
        m = draw(st.integers(0, 30))
        who = [
            draw(st.sampled_from([*pool, 99]) | (st.nothing() if id_dtype == "int64" else st.none()))
            for _ in range(m)
        ]
        table = pd.DataFrame(
            {
                CLIENT_ID: column(who),
                DATE: pd.to_datetime(pd.Series([draw(stamps) for _ in range(m)], dtype="object")),
            }
        )
        table[DATE] = table[DATE].astype(
            draw(st.sampled_from(["datetime64[ns]", "datetime64[us]", "datetime64[s]"]))
        )
        if draw(st.booleans()):  # categorical ids (categories of the list's dtype, one unused)
            present = table[CLIENT_ID].dropna().unique().tolist()
            categories = pd.Index(draw(st.permutations([*present, *column([77]).tolist()])), dtype=id_dtype)
            table[CLIENT_ID] = table[CLIENT_ID].astype(pd.CategoricalDtype(categories))
        if with_amount:
            cents = st.none() | st.integers(-50_000, 500_000).map(lambda c: c / 100) | st.just(0.0)
            table[AMOUNT] = pd.Series([draw(cents) for _ in range(m)], dtype="float64")
            if draw(st.booleans()) and table[AMOUNT].notna().all():
                table[AMOUNT] = (table[AMOUNT] * 100).round().astype("int64")
        return table

    clients = pd.DataFrame({CLIENT_ID: column(ids)})
    return clients, history(True), history(False)


@both_engines  # each example runs both paths: the codes and the group_by
@given(data=messy_histories(), measure_from=st.sampled_from(["latest", "contact", "purchase"]))
def test_summary_on_codes_equals_the_group_by(data, measure_from):
    clients, transactions, contacts = data
    expected = _plain_group_by(clients, transactions, contacts, as_of=BASE_DAY, measure_from=measure_from)
    got = client_base(clients, transactions, contacts, as_of=BASE_DAY, measure_from=measure_from)
    categorical = [t is not None and isinstance(t[CLIENT_ID].dtype, pd.CategoricalDtype) for t in data[1:]]
    if any(categorical) and not clients.empty:
        # the join on a categorical history's ids turns the list's "string" ids into
        # objects (the same values); without a join they keep their dtype
        assert got[CLIENT_ID].dtype == client_base(clients, as_of=BASE_DAY)[CLIENT_ID].dtype
        expected[CLIENT_ID] = expected[CLIENT_ID].astype(got[CLIENT_ID].dtype)
    pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize("categorical", [False, True])
@pytest.mark.parametrize("id_dtype", ID_DTYPES[:3])
def test_summary_on_codes_is_what_pandas_runs(clients, transactions, contacts, id_dtype, categorical):
    # the loaders' tables (string ids, datetime64 dates, float amounts) take it, and
    # categorical history ids whose categories have the list's dtype
    frames = [f.astype({CLIENT_ID: id_dtype}) for f in (clients, transactions, contacts)]
    if categorical:
        categories = pd.Index(["zz", "c3", "c1", "c9"], dtype=id_dtype)
        frames[1] = frames[1].astype({CLIENT_ID: pd.CategoricalDtype(categories)})
    native = nw.from_native(frames[0], eager_only=True)
    summary = client_base_module._summary_on_codes(native, *frames[1:], AS_OF)
    assert summary is not None
    assert summary["__h_n_purchases"].tolist() == [2, 0, 0, 0]
    assert summary["__h_revenue_cents"].tolist() == [16_000, 0, -1_000, 0]


def test_summary_on_codes_leaves_other_tables_to_the_group_by(clients, transactions, contacts):
    native = nw.from_native(clients, eager_only=True)
    for tx in (
        transactions.astype({CLIENT_ID: "string"}),  # not the list's id dtype ("str")
        transactions.astype({CLIENT_ID: pd.CategoricalDtype(pd.Index(["c1", "c3", "zz"], dtype="string"))}),
        transactions.assign(**{DATE: transactions[DATE].dt.tz_localize("UTC")}),  # a time zone
        transactions.astype({AMOUNT: "object"}),
        transactions.drop(columns=AMOUNT),  # (the group_by names the missing column)
    ):
        assert client_base_module._summary_on_codes(native, tx, contacts, AS_OF) is None


def test_categorical_history_ids_count_as_their_values():
    # codes index the categories, not the list; a missing id (code -1) is no client's
    clients = pd.DataFrame({CLIENT_ID: pd.Series(["k0", "k1"], dtype="string")})
    tx = pd.DataFrame(
        {
            CLIENT_ID: pd.Series(["k0", None, "k1", "k9"], dtype="string"),
            DATE: ts("2020-01-01", "2020-01-02", "2020-01-03", "2020-01-04"),
            AMOUNT: [1.0, 2.0, 4.0, 8.0],
        }
    )
    categories = pd.CategoricalDtype(pd.Index(["k9", "k1", "k0"], dtype="string"))
    plain = client_base(clients, tx, as_of=AS_OF)
    coded = client_base(clients, tx.astype({CLIENT_ID: categories}), as_of=AS_OF)
    pd.testing.assert_frame_equal(coded, plain)
    assert coded[TOTAL_REVENUE].tolist() == [1.0, 4.0]

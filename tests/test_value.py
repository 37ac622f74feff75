"""Tests for reconnect_lib.value: RFM scores and segments, the chance of winning back, value and ranks."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from itertools import pairwise
from unittest import mock

import narwhals as nw
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reconnect_lib.value as value_module
from reconnect_lib.client_base import client_base
from reconnect_lib.dormancy import bucket_labels, bucket_table, dormancy_buckets
from reconnect_lib.errors import ConfigError, InputError
from reconnect_lib.schema import (
    ALPHA,
    BETA,
    BUCKET_ORDER,
    BUCKET_RANK,
    CLIENT_ID,
    CONTACTED,
    DAYS_DORMANT,
    DORMANCY_BUCKET,
    EXPECTED_VALUE,
    F_SCORE,
    M_SCORE,
    N_PURCHASES,
    PRIOR_MEAN,
    PRIORITY_RANK,
    R_SCORE,
    RFM_SEGMENT,
    TOTAL_REVENUE,
    VALUE_AT_STAKE,
    VALUE_SCORE,
    WIN_BACK_CHANCE,
    WON_BACK,
    YEARLY_REVENUE,
)
from reconnect_lib.value import (
    DEFAULT_SEGMENTS,
    _fm_expr,
    _segment_expr,
    default_prior_means,
    fm_score,
    segment_grid,
    value_scores,
    win_back_chance,
)

LABELS = bucket_labels()
SEGMENT_NAMES = {
    "Champions",
    "Loyal",
    "Potential Loyalist",
    "New Customers",
    "Promising",
    "Need Attention",
    "About to Sleep",
    "At Risk",
    "Can't Lose Them",
    "Hibernating",
    "Lost",
}


# --- segments ------------------------------------------------------------------------


def test_default_segments_cover_the_grid_once():
    grid = segment_grid()
    assert sorted(grid) == [(r, fm) for r in range(1, 6) for fm in range(1, 6)]
    assert set(grid.values()) == SEGMENT_NAMES == set(DEFAULT_SEGMENTS)
    assert grid[(5, 5)] == "Champions"
    assert grid[(5, 1)] == "New Customers"
    assert grid[(4, 1)] == "Promising"
    assert grid[(3, 3)] == "Need Attention"
    assert grid[(2, 4)] == "At Risk"
    assert grid[(1, 5)] == "Can't Lose Them"
    assert grid[(2, 1)] == "Hibernating"
    assert grid[(1, 1)] == "Lost"


@pytest.mark.parametrize(
    ("f", "m", "fm"), [(5, 5, 5), (4, 5, 5), (4, 4, 4), (1, 2, 2), (1, 1, 1), (2, 5, 4), (None, 3, 3)]
)
def test_fm_score(f, m, fm):
    assert fm_score(f, m) == fm


def test_every_rfm_combination_maps_to_its_one_segment(to_engine, records):
    combos = [(r, f, m) for r in range(1, 6) for f in (None, 1, 2, 3, 4, 5) for m in range(1, 6)]
    frame = pd.DataFrame(
        {
            R_SCORE: [c[0] for c in combos],
            F_SCORE: pd.array([c[1] for c in combos], dtype="Int64"),
            M_SCORE: [c[2] for c in combos],
        }
    )
    out = (
        nw.from_native(to_engine(frame))
        .with_columns(_fm_expr().alias("fm"))
        .with_columns(_segment_expr(None, "fm").alias(RFM_SEGMENT))
    )
    grid = segment_grid()
    for (r, f, m), row in zip(combos, records(out.to_native()), strict=True):
        matches = [
            name
            for name, ((r_lo, r_hi), (fm_lo, fm_hi)) in DEFAULT_SEGMENTS.items()
            if r_lo <= r <= r_hi and fm_lo <= fm_score(f, m) <= fm_hi
        ]
        assert len(matches) == 1
        assert row[RFM_SEGMENT] == matches[0] == grid[(r, fm_score(f, m))]


@given(assignment=st.lists(st.sampled_from(["A", "B", "C", "D"]), min_size=25, max_size=25))
def test_any_partition_of_the_grid_is_a_valid_table(assignment):
    cells = [(r, fm) for r in range(1, 6) for fm in range(1, 6)]
    table: dict[str, list] = {}
    for (r, fm), name in zip(cells, assignment, strict=True):
        table.setdefault(name, []).append(((r, r), (fm, fm)))
    assert segment_grid(table) == dict(zip(cells, assignment, strict=True))
    # drop one cell: a gap, reported by cell
    first = next(iter(table))
    gappy = (
        {**table, first: table[first][1:]}
        if len(table[first]) > 1
        else {k: v for k, v in table.items() if k != first}
    )
    with pytest.raises(ConfigError, match="no segment covers"):
        segment_grid(gappy)
    # cover one cell twice: an overlap, reported by cell
    other = "Z"
    with pytest.raises(ConfigError, match="more than one segment"):
        segment_grid({**table, other: [table[first][0]]})


@pytest.mark.parametrize(
    ("segments", "message"),
    [
        ({"All": ((1, 5), (1, 4))}, r"no segment covers \(r=1, fm=5\)"),
        ({"All": ((1, 5), (1, 5)), "Also": ((3, 3), (3, 3))}, r"\(r=3, fm=3\): All and Also"),
        ({"All": ((0, 5), (1, 5))}, "within 1-5"),
        ({"All": ((5, 1), (1, 5))}, "low <= high"),
        ({"All": "everyone"}, "not a rectangle"),
        ({}, "not a segment rule table"),
        ([("All", ((1, 5), (1, 5)))], "not a segment rule table"),
    ],
)
def test_bad_segment_tables(segments, message):
    with pytest.raises(ConfigError, match=message):
        segment_grid(segments)


# --- chance of winning back ----------------------------------------------------------


def test_default_priors():
    table = win_back_chance()
    assert isinstance(table, pd.DataFrame)
    assert table[DORMANCY_BUCKET].tolist() == LABELS
    assert table[BUCKET_ORDER].tolist() == [0, 1, 2, 3, 4]
    assert table[PRIOR_MEAN].tolist() == [0.60, 0.50, 0.35, 0.25, 0.15]
    assert table[ALPHA].tolist() == pytest.approx([12.0, 10.0, 7.0, 5.0, 3.0])
    assert table[BETA].tolist() == pytest.approx([8.0, 10.0, 13.0, 15.0, 17.0])
    assert table[CONTACTED].tolist() == table[WON_BACK].tolist() == [0] * 5
    assert table[WIN_BACK_CHANCE].tolist() == pytest.approx([0.60, 0.50, 0.35, 0.25, 0.15])
    assert {c: str(t) for c, t in table.dtypes.items() if c != DORMANCY_BUCKET} == {
        BUCKET_ORDER: "int64",
        PRIOR_MEAN: "float64",
        ALPHA: "float64",
        BETA: "float64",
        CONTACTED: "int64",
        WON_BACK: "int64",
        WIN_BACK_CHANCE: "float64",
    }


def test_priors_for_other_edges_are_interpolated():
    # lower edges 0, 3 and 18 months: 0.60, halfway 0.60-0.50, and 0.35 + (6/12) * (0.25 - 0.35)
    assert default_prior_means((3, 18)) == {
        "active (< 3 months)": 0.6,
        "3–18 months": 0.55,
        "18 months and more": 0.3,
    }
    assert default_prior_means((60,)) == {"active (< 5 years)": 0.6, "5 years and more": 0.15}


def test_posterior_with_observed_outcomes(engine, to_engine):
    observed = pd.DataFrame(
        {
            DORMANCY_BUCKET: ["6–12 months", "6–12 months", "3 years and more"],
            CONTACTED: [50, 30, 10],
            WON_BACK: [40, 20, 0],
        }
    )
    table = win_back_chance(observed=to_engine(observed), prior_strength=10)
    # 6–12 months: alpha 5, beta 5, 60 of 80 won back -> 65 / 90
    assert table[CONTACTED].tolist() == [0, 80, 0, 0, 10]
    assert table[WON_BACK].tolist() == [0, 60, 0, 0, 0]
    assert table[WIN_BACK_CHANCE].tolist() == pytest.approx([0.6, 65 / 90, 0.35, 0.25, 1.5 / 20])


def test_custom_prior_keeps_defaults_for_the_rest():
    table = win_back_chance(prior={"1–2 years": 0.4}, prior_strength=5)
    assert table[PRIOR_MEAN].tolist() == [0.6, 0.5, 0.4, 0.25, 0.15]
    assert table[ALPHA].tolist() == pytest.approx([3.0, 2.5, 2.0, 1.25, 0.75])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prior": {"forever": 0.5}}, "unknown bucket 'forever'"),
        ({"prior": {"1–2 years": 0.0}}, "strictly between 0 and 1"),
        ({"prior": {"1–2 years": 1.0}}, "strictly between 0 and 1"),
        ({"prior": {"1–2 years": True}}, "strictly between 0 and 1"),
        ({"prior": {"1–2 years": "half"}}, "strictly between 0 and 1"),
        ({"prior": [0.5]}, "not a mapping"),
        ({"prior_strength": 0}, "prior_strength"),
        ({"prior_strength": -3.0}, "prior_strength"),
        ({"prior_strength": float("nan")}, "prior_strength"),
        ({"prior_strength": True}, "prior_strength"),
        ({"edges_months": (6, 3)}, "edges_months"),
    ],
)
def test_bad_prior_settings(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        win_back_chance(**kwargs)


@pytest.mark.parametrize(
    ("observed", "message"),
    [
        ({DORMANCY_BUCKET: ["1–2 years"], CONTACTED: [5], WON_BACK: [6]}, "6 won back out of 5 contacted"),
        ({DORMANCY_BUCKET: ["1–2 years"], CONTACTED: [-1], WON_BACK: [0]}, "not whole numbers >= 0"),
        ({DORMANCY_BUCKET: ["1–2 years"], CONTACTED: [2.5], WON_BACK: [1.0]}, "not whole numbers >= 0"),
        ({DORMANCY_BUCKET: ["1–2 years"], CONTACTED: [None], WON_BACK: [1.0]}, "not whole numbers >= 0"),
        ({DORMANCY_BUCKET: ["forever"], CONTACTED: [5], WON_BACK: [1]}, "unknown dormancy bucket 'forever'"),
        ({DORMANCY_BUCKET: ["1–2 years"], CONTACTED: [5]}, "`won_back`"),
    ],
)
def test_bad_observed_counts(observed, message):
    with pytest.raises(InputError, match=message):
        win_back_chance(observed=pd.DataFrame(observed))


def test_bad_observed_rows_reported_together():
    observed = pd.DataFrame(
        {DORMANCY_BUCKET: ["1–2 years", "x", "2–3 years"], CONTACTED: [1, 1, 1], WON_BACK: [2, 0, 3]}
    )
    with pytest.raises(InputError) as info:
        win_back_chance(observed=observed)
    assert len(info.value.problems) == 3
    assert "row 1" in str(info.value)
    assert "row 3" in str(info.value)


def test_observed_float_counts_that_are_whole_are_fine():
    observed = pd.DataFrame({DORMANCY_BUCKET: ["1–2 years"], CONTACTED: [10.0], WON_BACK: [5.0]})
    assert win_back_chance(observed=observed)[WON_BACK].tolist() == [0, 0, 5, 0, 0]


@given(
    prior=st.floats(0.01, 0.99),
    strength=st.floats(0.5, 200),
    contacted=st.integers(1, 500),
    rate=st.floats(0, 1),
)
def test_chance_moves_toward_the_observed_rate(prior, strength, contacted, rate):
    won = round(contacted * rate)
    observed_rate = won / contacted
    distances = []
    for scale in (0, 1, 10, 100):
        seen = pd.DataFrame(
            {DORMANCY_BUCKET: ["1–2 years"], CONTACTED: [contacted * scale], WON_BACK: [won * scale]}
        )
        table = win_back_chance(prior={"1–2 years": prior}, prior_strength=strength, observed=seen)
        chance = table[WIN_BACK_CHANCE].tolist()
        assert all(0 < c < 1 for c in chance)
        p = chance[2]
        # the posterior mean lies between the prior and the observed rate ...
        assert min(prior, observed_rate) - 1e-12 <= p <= max(prior, observed_rate) + 1e-12
        distances.append(abs(p - observed_rate))
    # ... and moves toward the observed rate as the counts grow
    assert all(a >= b - 1e-12 for a, b in pairwise(distances))
    assert distances[-1] <= strength / (strength + 100 * contacted) + 1e-12


# --- value_scores --------------------------------------------------------------------


@pytest.fixture
def bucketed() -> pd.DataFrame:
    base = pd.DataFrame(
        {
            CLIENT_ID: ["a", "b", "c", "d", "e"],
            DAYS_DORMANT: pd.array([10, 400, 400, None, 800], dtype="Int64"),
            N_PURCHASES: pd.array([4, 2, 2, 0, 10], dtype="Int64"),
            TOTAL_REVENUE: [1000.0, 300.0, 300.0, -50.0, 5000.0],
            YEARLY_REVENUE: [500.0, 100.0, 100.0, -25.0, 1250.0],
        }
    )
    return dormancy_buckets(base)


# By hand (n = 5, so each quintile holds one client; b and c tie on everything and
# client_id decides):
#   r: days 10 < 400 (b) < 400 (c) < 800 < unknown   -> a 5, b 4, c 3, e 2, d 1
#   f: purchases 10 > 4 > 2 (b) > 2 (c) > 0           -> e 5, a 4, b 3, c 2, d 1
#   m: revenue 5000 > 1000 > 300 (b) > 300 (c) > -50  -> e 5, a 4, b 3, c 2, d 1
#   fm = (f + m + 1) // 2                             -> a 4, b 3, c 2, d 1, e 5
#   value at stake: yearly revenue, d's net refund clamped to 0
#   chance by bucket: a active 0.60, b c 1–2 years 0.35, e 2–3 years 0.25, d unknown -> 3 years+ 0.15
HAND = {
    "a": (5, 4, 4, "Champions", 500.0, 0.60, 300.0, 1, 2),
    "b": (4, 3, 3, "Potential Loyalist", 100.0, 0.35, 35.0, 1, 3),
    "c": (3, 2, 2, "About to Sleep", 100.0, 0.35, 35.0, 2, 4),
    "d": (1, 1, 1, "Lost", 0.0, 0.15, 0.0, 1, 5),
    "e": (2, 5, 5, "Can't Lose Them", 1250.0, 0.25, 312.5, 1, 1),
}
HAND_COLUMNS = (
    R_SCORE,
    F_SCORE,
    M_SCORE,
    RFM_SEGMENT,
    VALUE_AT_STAKE,
    WIN_BACK_CHANCE,
    EXPECTED_VALUE,
    BUCKET_RANK,
    PRIORITY_RANK,
)


def test_value_scores_by_hand(to_engine, records, bucketed):
    native = to_engine(bucketed)
    out = value_scores(native)
    assert type(out) is type(native)
    rows = records(out)
    assert [r[CLIENT_ID] for r in rows] == ["a", "b", "c", "d", "e"]
    for row in rows:
        assert tuple(row[c] for c in HAND_COLUMNS) == HAND[row[CLIENT_ID]], row[CLIENT_ID]
        assert row[VALUE_SCORE] == row[EXPECTED_VALUE]
    assert list(rows[0])[-len(HAND_COLUMNS) - 1 :] == [*HAND_COLUMNS[:7], VALUE_SCORE, *HAND_COLUMNS[7:]]


@pytest.mark.parametrize(
    ("basis", "order"), [("expected", ["x", "y"]), ("yearly", ["y", "x"]), ("total", ["x", "y"])]
)
def test_basis_decides_the_order(to_engine, records, basis, order):
    base = pd.DataFrame(
        {
            CLIENT_ID: ["x", "y"],
            DAYS_DORMANT: [30, 1200],  # chances 0.60 and 0.15
            N_PURCHASES: [1, 1],
            TOTAL_REVENUE: [1000.0, 600.0],
            YEARLY_REVENUE: [100.0, 300.0],  # expected 60 and 45
        }
    )
    rows = records(value_scores(dormancy_buckets(to_engine(base)), basis=basis))
    ranked = sorted(rows, key=lambda r: r[PRIORITY_RANK])
    assert [r[CLIENT_ID] for r in ranked] == order
    column = {"expected": EXPECTED_VALUE, "yearly": YEARLY_REVENUE, "total": TOTAL_REVENUE}[basis]
    assert [r[VALUE_SCORE] for r in rows] == [r[column] for r in rows]


def test_bad_basis_lists_choices(bucketed):
    with pytest.raises(ConfigError) as info:
        value_scores(bucketed, basis="lifetime")
    for choice in ("'expected'", "'yearly'", "'total'"):
        assert choice in str(info.value)


def test_unknown_frequency_leaves_f_score_out(to_engine, records, bucketed):
    unknown = bucketed.assign(**{N_PURCHASES: pd.array([None] * 5, dtype="Int64")})
    rows = records(value_scores(to_engine(unknown)))
    assert [r[F_SCORE] for r in rows] == [None] * 5
    # fm = m alone: a (r5, m4) Champions, b (r4, m3) Potential Loyalist, c (r3, m2) About to Sleep,
    # d (r1, m1) Lost, e (r2, m5) Can't Lose Them
    assert [r[RFM_SEGMENT] for r in rows] == [HAND[c][3] for c in "abcde"]
    partly = bucketed.assign(**{N_PURCHASES: pd.array([4, None, 2, None, 10], dtype="Int64")})
    rows = records(value_scores(to_engine(partly)))
    # three known: 10 -> 5, 4 -> ceil(5 * 2 / 3) = 4, 2 -> ceil(5 / 3) = 2
    assert [r[F_SCORE] for r in rows] == [4, None, 2, None, 5]


def test_value_scores_pandas_dtypes(bucketed):
    out = value_scores(bucketed)
    dtypes = {c: str(t) for c, t in out.dtypes.items()}
    assert dtypes[R_SCORE] == dtypes[M_SCORE] == dtypes[BUCKET_RANK] == dtypes[PRIORITY_RANK] == "int64"
    assert dtypes[F_SCORE] == "Int64"
    for c in (VALUE_AT_STAKE, WIN_BACK_CHANCE, EXPECTED_VALUE, VALUE_SCORE):
        assert dtypes[c] == "float64"


def test_value_scores_polars_dtypes(bucketed):
    out = value_scores(pl.from_pandas(bucketed))
    assert isinstance(out, pl.DataFrame)
    assert [out.schema[c] for c in (R_SCORE, F_SCORE, M_SCORE, BUCKET_RANK, PRIORITY_RANK)] == [pl.Int64] * 5
    assert out.schema[RFM_SEGMENT] == pl.String


def test_observed_outcomes_change_the_chance(records, bucketed):
    seen = pd.DataFrame({DORMANCY_BUCKET: ["1–2 years"], CONTACTED: [80], WON_BACK: [72]})
    rows = {r[CLIENT_ID]: r for r in records(value_scores(bucketed, observed=seen))}
    assert rows["b"][WIN_BACK_CHANCE] == pytest.approx((7 + 72) / 100)
    assert rows["b"][EXPECTED_VALUE] == pytest.approx(79.0)


def test_custom_segments(records, bucketed):
    two = {"Warm": ((3, 5), (1, 5)), "Cold": ((1, 2), (1, 5))}
    rows = records(value_scores(bucketed, segments=two))
    assert [r[RFM_SEGMENT] for r in rows] == ["Warm", "Warm", "Warm", "Cold", "Cold"]
    with pytest.raises(ConfigError, match="no segment covers"):
        value_scores(bucketed, segments={"Warm": ((3, 5), (1, 5))})


def test_value_scores_needs_matching_edges_and_columns(bucketed):
    with pytest.raises(ConfigError, match="edges"):
        value_scores(bucketed, edges_months=(3, 18))
    with pytest.raises(InputError, match="yearly_revenue"):
        value_scores(bucketed.drop(columns=[YEARLY_REVENUE]))


def test_ties_in_a_bucket_break_on_client_id_whatever_the_row_order(to_engine, records):
    # regression: narwhals 2.29 on pandas mis-sorts a partitioned window that counts a key column
    base = pd.DataFrame(
        {
            CLIENT_ID: ["c3", "c1", "c2", "c0"],
            DAYS_DORMANT: [400, 400, 400, 400],
            N_PURCHASES: [1, 1, 1, 1],
            TOTAL_REVENUE: [10.0, 10.0, 10.0, 10.0],
            YEARLY_REVENUE: [10.0, 10.0, 10.0, 10.0],
        }
    )
    rows = records(value_scores(dormancy_buckets(to_engine(base))))
    assert [r[BUCKET_RANK] for r in rows] == [4, 2, 3, 1]
    assert [r[PRIORITY_RANK] for r in rows] == [4, 2, 3, 1]
    # equal values straddle quintile edges deterministically: best score to the first id
    assert [r[R_SCORE] for r in rows] == [2, 4, 3, 5]


def test_value_edges_just_under_a_power_of_ten():
    # log10(9999999.999999998) rounds to 7.0: every edge was above the values, none
    # was kept, and value_by_dormancy failed with an IndexError.
    assert value_module._nice_value_edges(pd.Series([9999999.999999998]).to_numpy()) == [5e6]
    assert value_module._nice_value_edges(pd.Series([300.0, 1200.0]).to_numpy()) == [200, 500, 1000]


def test_duckdb_scores_rank_on_the_keys_and_count_without_windows():
    # value_scores on DuckDB was 2.9 s of 4.8 s at 1.25M clients: five rank windows
    # and two count windows, each carrying the whole client base (text included).
    # Now the input is computed once, ranked on a relation of its keys and joined
    # back; the counts are one aggregate, so the plan has the five ranks' windows only.
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    clients = pl.DataFrame(
        {
            CLIENT_ID: ["c1", "c2", "c3"],
            "client_since": [dt.date(2020, 1, 1), None, dt.date(2023, 1, 1)],
            "private_note": ["n1", "n2", "n3"],
        }
    )
    tx = pl.DataFrame(
        {CLIENT_ID: ["c1", "c3"], "date": [dt.date(2023, 6, 1), dt.date(2024, 1, 1)], "amount": [100.0, 50.0]}
    )
    relations = [con.from_arrow(f.to_arrow()) for f in (clients, tx)]
    scored = value_scores(dormancy_buckets(client_base(*relations, None, as_of=dt.date(2024, 6, 1))))
    plan = scored.explain()
    assert plan.count(" OVER ") == 5
    on_polars = value_scores(dormancy_buckets(client_base(clients, tx, None, as_of=dt.date(2024, 6, 1))))
    columns = [CLIENT_ID, BUCKET_RANK, PRIORITY_RANK, R_SCORE, F_SCORE, M_SCORE]
    assert sorted(scored.select(*columns).fetchall()) == sorted(on_polars.select(columns).rows())


def test_stages_run_on_duckdb(records):
    # a guard for the DuckDB issue to come: the stages are lazy-friendly already
    duckdb = pytest.importorskip("duckdb")
    clients = pl.DataFrame(
        {
            CLIENT_ID: ["c1", "c2", "c3"],
            "client_since": [dt.date(2020, 1, 1), None, dt.date(2023, 1, 1)],
            "do_not_contact": [False, True, False],
        }
    )
    tx = pl.DataFrame(
        {
            CLIENT_ID: ["c1", "c1", "c3"],
            "date": [dt.date(2023, 6, 1), dt.date(2023, 7, 1), dt.date(2024, 1, 1)],
            "amount": [100.0, -20.0, 50.0],
        }
    )
    contacts = pl.DataFrame({CLIENT_ID: ["c2"], "date": [dt.date(2021, 3, 4)]})
    con = duckdb.connect()
    relations = [con.from_arrow(f.to_arrow()) for f in (clients, tx, contacts)]
    results = {}
    for engine, frames in (("duckdb", relations), ("polars", (clients, tx, contacts))):
        scored = value_scores(dormancy_buckets(client_base(*frames, as_of=dt.date(2024, 6, 1))))
        table = bucket_table(scored)
        if engine == "duckdb":
            scored, table = (nw.from_native(f).collect().to_native() for f in (scored, table))
        results[engine] = (
            sorted(records(scored), key=lambda r: r[CLIENT_ID]),
            sorted(records(table), key=lambda r: r[BUCKET_ORDER]),
        )
    assert results["duckdb"] == results["polars"]


def test_lazy_polars(bucketed):
    out = value_scores(pl.from_pandas(bucketed).lazy())
    assert isinstance(out, pl.LazyFrame)
    ranks = dict(
        zip(*out.select(CLIENT_ID, PRIORITY_RANK).collect().to_dict(as_series=False).values(), strict=True)
    )
    assert ranks == {c: HAND[c][-1] for c in HAND}


# --- properties ----------------------------------------------------------------------

# Cross-engine properties run every example twice (pandas and Polars): half the
# profile's examples keep the default run quick; the "ci" profile still runs many.
both_engines = settings(max_examples=max(10, settings.default.max_examples // 2))


@st.composite
def bucketed_frames(draw, max_size=30):
    n = draw(st.integers(1, max_size))
    money = st.integers(-50_000, 2_000_000)
    # few distinct values, so ties are common
    return pd.DataFrame(
        {
            CLIENT_ID: pd.Series(draw(st.permutations([f"c{i:03d}" for i in range(n)])), dtype="str"),
            DAYS_DORMANT: pd.array(
                draw(
                    st.lists(
                        st.none() | st.sampled_from([0, 100, 200, 400, 800, 2000]), min_size=n, max_size=n
                    )
                ),
                dtype="Int64",
            ),
            N_PURCHASES: pd.array(draw(st.lists(st.integers(0, 6), min_size=n, max_size=n)), dtype="Int64"),
            TOTAL_REVENUE: pd.Series(draw(st.lists(money, min_size=n, max_size=n)), dtype="float64") / 100,
            YEARLY_REVENUE: pd.Series(draw(st.lists(money, min_size=n, max_size=n)), dtype="float64") / 100,
        }
    )


@given(base=bucketed_frames(), basis=st.sampled_from(["expected", "yearly", "total"]))
def test_value_invariants(convert, records, base, basis):
    bucketed = dormancy_buckets(convert(base, "polars"))
    out = value_scores(bucketed, basis=basis)
    rows = records(out)
    n = len(rows)
    assert [r[CLIENT_ID] for r in rows] == base[CLIENT_ID].tolist()
    # ranks are permutations, overall and within each bucket
    assert sorted(r[PRIORITY_RANK] for r in rows) == list(range(1, n + 1))
    sizes = Counter(r[DORMANCY_BUCKET] for r in rows)
    for bucket, size in sizes.items():
        assert sorted(r[BUCKET_RANK] for r in rows if r[DORMANCY_BUCKET] == bucket) == list(
            range(1, size + 1)
        )
    # ranks follow value_score in whole cents, then client_id
    ordered = sorted(rows, key=lambda r: (-math.floor(r[VALUE_SCORE] * 100 + 0.5), r[CLIENT_ID]))
    assert [r[PRIORITY_RANK] for r in ordered] == list(range(1, n + 1))
    for row in rows:
        assert 0 <= row[EXPECTED_VALUE] <= row[VALUE_AT_STAKE]
        assert 0 < row[WIN_BACK_CHANCE] < 1
        assert row[RFM_SEGMENT] in SEGMENT_NAMES
        assert all(1 <= row[c] <= 5 for c in (R_SCORE, F_SCORE, M_SCORE))
    # quintiles: each score holds n/5 clients, give or take one
    for column in (R_SCORE, F_SCORE, M_SCORE):
        counts = Counter(r[column] for r in rows)
        assert all(abs(counts.get(s, 0) - n / 5) < 1 for s in range(1, 6))
    # fewer days dormant never scores lower on recency
    known = [r for r in rows if r[DAYS_DORMANT] is not None]
    for x in known:
        for y in rows:
            if y[DAYS_DORMANT] is None or x[DAYS_DORMANT] < y[DAYS_DORMANT]:
                assert x[R_SCORE] >= y[R_SCORE]


@both_engines
@given(base=bucketed_frames(max_size=12), basis=st.sampled_from(["expected", "yearly", "total"]))
def test_value_pandas_and_polars_agree(convert, records, base, basis):
    bucketed = dormancy_buckets(base)
    copy = bucketed.copy(deep=True)
    outputs = {
        "pandas": value_scores(bucketed, basis=basis),
        "polars": value_scores(dormancy_buckets(convert(base, "polars")), basis=basis),
    }
    pd.testing.assert_frame_equal(bucketed, copy)  # the pandas input is untouched
    assert isinstance(outputs["pandas"], pd.DataFrame)
    assert isinstance(outputs["polars"], pl.DataFrame)
    assert records(outputs["pandas"]) == records(outputs["polars"])


# --- ranks on half cents agree across engines ----------------------------------------

# Twelve amounts adding up to 2,594.47: as floats, pandas' sum gives
# 2594.4700000000003, Polars' 2594.47 and DuckDB's 2594.4700000000007. With a
# chance of 0.5 (6–12 months) the expected value 1,297.235 lies on a half cent, so
# that last bit decided the cent, and with it whether client "b" ranks above "a"
# (one purchase of exactly 2,594.47) or ties with it and ranks after it.
HALF_CENT_AMOUNTS = [
    211.92,
    341.13,
    208.74,
    40.75,
    370.92,
    234.4,
    87.68,
    268.21,
    215.98,
    201.29,
    154.32,
    259.13,
]


def _half_cent_inputs() -> tuple[pl.DataFrame, pl.DataFrame]:
    # tenure under a year (yearly revenue = total), dormant about eight months
    clients = pl.DataFrame({CLIENT_ID: ["a", "b", "c"], "client_since": [dt.date(2023, 9, 1)] * 3})
    amounts = [2594.47, *HALF_CENT_AMOUNTS, 100.0, -0.01]
    tx = pl.DataFrame(
        {
            CLIENT_ID: ["a"] + ["b"] * len(HALF_CENT_AMOUNTS) + ["c", "c"],
            "date": [dt.date(2023, 10, 1)] * len(amounts),
            "amount": amounts,
        }
    )
    return clients, tx


def test_half_cent_ranks_agree_across_engines():
    clients, tx = _half_cent_inputs()
    inputs = {"pandas": (clients.to_pandas(), tx.to_pandas()), "polars": (clients, tx)}
    try:
        import duckdb
    except ImportError:  # pragma: no cover - duckdb is a dev dependency
        pass
    else:
        con = duckdb.connect()
        inputs["duckdb"] = tuple(con.from_arrow(f.to_arrow()) for f in (clients, tx))
    columns = [
        CLIENT_ID,
        TOTAL_REVENUE,
        YEARLY_REVENUE,
        EXPECTED_VALUE,
        VALUE_SCORE,
        BUCKET_RANK,
        PRIORITY_RANK,
    ]
    results = {}
    for engine, frames in inputs.items():
        scored = nw.from_native(
            value_scores(dormancy_buckets(client_base(*frames, as_of=dt.date(2024, 6, 1))))
        )
        if isinstance(scored, nw.LazyFrame):
            scored = scored.collect()
        # exact floats, not rounded: the last bit is what differed
        results[engine] = scored.sort(CLIENT_ID).select(columns).rows()
    assert results["pandas"][:2] == [
        ("a", 2594.47, 2594.47, 1297.235, 1297.235, 1, 1),
        ("b", 2594.47, 2594.47, 1297.235, 1297.235, 2, 2),
    ]
    assert results["pandas"][2][:2] == ("c", 99.99)
    for engine, rows in results.items():
        assert rows == results["pandas"], engine


# --- report aggregations: value against dormancy, concentration ------------------------------


def _base(days: list[int | None], values: list[float | None], column: str = VALUE_AT_STAKE) -> pd.DataFrame:
    return pd.DataFrame(
        {
            CLIENT_ID: [f"c{i:05d}" for i in range(len(days))],
            "name": [f"Client {i}" for i in range(len(days))],
            DAYS_DORMANT: pd.array(days, dtype="Int64"),
            column: pd.array(values, dtype="Float64"),
        }
    )


def test_value_by_dormancy_gives_one_row_per_client_up_to_max_points():
    base = _base([10, 400, None], [150.0, -20.0, None])
    before = base.copy()
    out = value_module.value_by_dormancy(base, max_points=3)
    pd.testing.assert_frame_equal(base, before)
    assert out[CLIENT_ID].tolist() == ["c00000", "c00001", "c00002"]
    assert out["name"].tolist() == ["Client 0", "Client 1", "Client 2"]
    assert out[DAYS_DORMANT].tolist()[:2] == [10, 400]
    assert pd.isna(out[DAYS_DORMANT].iloc[2])
    assert out["value"].tolist() == [150.0, 0.0, 0.0]  # a net refund and an unknown count as 0
    assert set(out["measure"]) == {VALUE_AT_STAKE}


def test_value_by_dormancy_bins_a_larger_base_on_the_edges_given():
    base = _base([0, 90, 91, 500, 5000, None], [0.0, 99.0, 100.0, 999.0, 1000.0, 50.0])
    out = value_module.value_by_dormancy(base, max_points=5, day_bins=[0, 91, 365], value_bins=[100, 1000])
    assert out["days_bin"].unique().tolist() == ["0–90", "91–364", "365+", "unknown"]
    assert out["value_bin"].unique().tolist() == ["under 100", "100–1k", "1k+"]
    assert len(out) == 4 * 3
    cells = out.set_index(["days_bin", "value_bin"])
    assert cells.loc[("0–90", "under 100"), "clients"] == 2
    assert cells.loc[("0–90", "under 100"), "value"] == 99.0
    assert cells.loc[("91–364", "100–1k"), "clients"] == 1
    assert cells.loc[("365+", "100–1k"), "clients"] == 1
    assert cells.loc[("365+", "1k+"), "clients"] == 1
    assert cells.loc[("unknown", "under 100"), "clients"] == 1
    assert out["clients"].sum() == 6
    assert out["value"].sum() == pytest.approx(99 + 100 + 999 + 1000 + 50)
    row = cells.loc[("91–364", "1k+")]
    assert (row["days_low"], row["days_high"], row["value_low"]) == (91, 365, 1000.0)
    assert math.isnan(row["value_high"])
    assert pd.isna(cells.loc[("365+", "1k+"), "days_high"])


def test_value_by_dormancy_default_value_bins_are_1_2_5_steps_covering_the_values():
    base = _base([10] * 4, [31.9, 250.0, 4000.0, 97000.0])
    out = value_module.value_by_dormancy(base, max_points=0, column=VALUE_AT_STAKE)
    labels = out["value_bin"].unique().tolist()
    assert labels == ["under 20", "20–50", "50–100", "100–200", "200–500", "500–1k", "1k–2k", "2k–5k",
                      "5k–10k", "10k–20k", "20k–50k", "50k+"]  # fmt: skip
    assert out.groupby("value_bin", sort=False)["clients"].sum().loc["50k+"] == 1
    assert out.loc[out["value_bin"] == "under 20", "clients"].sum() == 0


def test_value_by_dormancy_reads_polars_and_refuses_bad_options():
    base = _base([10, 400], [1.0, 2.0])
    out = value_module.value_by_dormancy(pl.from_pandas(base), max_points=0, day_bins=[0, 100])
    assert out["clients"].sum() == 2
    with pytest.raises(ConfigError, match="day_bins"):
        value_module.value_by_dormancy(base, day_bins=[10, 5])
    with pytest.raises(ConfigError, match="value_bins"):
        value_module.value_by_dormancy(base, value_bins=[0, 5])
    with pytest.raises(ConfigError, match="max_points"):
        value_module.value_by_dormancy(base, max_points=-1)
    with pytest.raises(InputError, match="total_revenue"):
        value_module.value_by_dormancy(base, column=TOTAL_REVENUE)


@given(
    rows=st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(min_value=0, max_value=6000)),
            st.one_of(st.none(), st.floats(min_value=-1e4, max_value=1e7, allow_nan=False)),
        ),
        max_size=60,
    ),
    max_points=st.integers(min_value=0, max_value=30),
)
def test_value_by_dormancy_counts_every_client_once(rows, max_points):
    base = _base([d for d, _ in rows], [v for _, v in rows])
    out = value_module.value_by_dormancy(base, max_points=max_points)
    total = sum(max(v, 0.0) for _, v in rows if v is not None)
    if len(rows) <= max_points:
        assert len(out) == len(rows)
    else:
        assert out["clients"].sum() == len(rows)
        assert (out["clients"] >= 0).all()
        assert out["value"].sum() == pytest.approx(total, rel=1e-9, abs=1e-6)
        # the whole grid, empty cells included
        n_value_bins = out["value_bin"].nunique()
        assert len(out) == out["days_bin"].nunique() * n_value_bins


def test_value_concentration_reads_the_top_shares_off_the_curve():
    scored = pd.DataFrame({TOTAL_REVENUE: [500.0, 300.0, 100.0, 50.0, 50.0, -30.0, None]})
    before = scored.copy()
    table = value_module.value_concentration(scored)
    pd.testing.assert_frame_equal(scored, before)
    assert len(table) == 101
    assert table["client_share"].iloc[[0, 50, 100]].tolist() == [0.0, 0.5, 1.0]
    at = table.set_index(table["client_share"].round(2))["cumulative_share"]
    # 7 clients: the top 10 % are 0.7 of the best client (500 of 1000 in all)
    assert at[0.1] == pytest.approx(0.7 * 500 / 1000)
    assert at[1.0] == 1.0
    assert set(table["measure"]) == {TOTAL_REVENUE}


def test_value_concentration_of_nobody_or_of_nothing():
    assert value_module.value_concentration(pd.DataFrame({TOTAL_REVENUE: pd.Series(dtype=float)})).empty
    zero = value_module.value_concentration(pd.DataFrame({TOTAL_REVENUE: [0.0, 0.0]}))
    assert len(zero) == 101
    assert zero["cumulative_share"].isna().all()


@given(values=st.lists(st.floats(min_value=-1e3, max_value=1e9, allow_nan=False), min_size=1, max_size=300))
def test_value_concentration_properties(values):
    table = value_module.value_concentration(pd.DataFrame({TOTAL_REVENUE: values}))
    assert len(table) == 101
    kept = sorted((max(v, 0.0) for v in values), reverse=True)
    total = sum(kept)
    share = table["cumulative_share"]
    if total <= 0:
        assert share.isna().all()
        return
    assert share.iloc[0] == 0.0
    assert share.iloc[-1] == 1.0
    assert (share.diff().iloc[1:] >= 0).all()
    # the top 20 %: the whole clients among them, then the fraction of the next one
    n = len(kept)
    whole, fraction = divmod(20 * n, 100)
    following = kept[whole] if whole < n else 0.0
    direct = (math.fsum(kept[:whole]) + fraction / 100 * following) / total
    assert share.iloc[20] == pytest.approx(direct, rel=1e-9, abs=1e-12)


# --- pandas: ranks sorted with NumPy equal narwhals' windows --------------------------


@st.composite
def rank_inputs(draw):
    """Bucketed frames with repeated ids of several dtypes, ties, unknowns and amounts wide
    enough that a rank key and the ids' order no longer fit one int64 key."""
    n = draw(st.integers(0, 25))
    id_dtype = draw(st.sampled_from(["str", "object", "int64"]))
    ids = draw(st.lists(st.integers(0, 12), min_size=n, max_size=n))
    huge = st.sampled_from([10.0**16, -(10.0**16), 2.0**52])
    money = st.integers(-50_000, 2_000_000).map(lambda c: c / 100) | huge
    return pd.DataFrame(
        {
            CLIENT_ID: pd.Series(ids if id_dtype == "int64" else [f"c{i}" for i in ids], dtype=id_dtype),
            DAYS_DORMANT: pd.array(
                draw(st.lists(st.none() | st.sampled_from([0, 100, 400, 2000]), min_size=n, max_size=n)),
                dtype="Int64",
            ),
            N_PURCHASES: pd.array(
                draw(st.lists(st.none() | st.integers(0, 4), min_size=n, max_size=n)), dtype="Int64"
            ),
            TOTAL_REVENUE: pd.Series(
                draw(st.lists(st.none() | money, min_size=n, max_size=n)), dtype="float64"
            ),
            YEARLY_REVENUE: pd.Series(draw(st.lists(money, min_size=n, max_size=n)), dtype="float64"),
        },
        index=draw(st.permutations(range(n))),
    )


# Each example runs both paths (NumPy and the windows): half the profile's examples.
@settings(max_examples=max(10, settings.default.max_examples // 2))
@given(base=rank_inputs(), basis=st.sampled_from(["expected", "yearly", "total"]))
def test_numpy_ranks_equal_the_windows(base, basis):
    bucketed = dormancy_buckets(base)
    with mock.patch.object(value_module, "_ranked_in_numpy", return_value=None):
        expected = value_scores(bucketed, basis=basis)
    pd.testing.assert_frame_equal(value_scores(bucketed, basis=basis), expected)


def test_numpy_ranks_are_what_pandas_runs(bucketed):
    # ... and a missing id is left to the windows (each engine orders nulls its own way)
    results = []

    def spy(*args):
        results.append(ranked_in_numpy(*args))
        return results[-1]

    ranked_in_numpy = value_module._ranked_in_numpy
    missing = bucketed.astype({CLIENT_ID: "object"})
    missing.loc[0, CLIENT_ID] = None
    with mock.patch.object(value_module, "_ranked_in_numpy", spy):
        value_scores(bucketed)
        value_scores(missing)
    assert [r is None for r in results] == [False, True]

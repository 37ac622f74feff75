"""The buy-till-you-die models reproduce the published CDNOW numbers and keep their invariants.

Published numbers (tests/data/cdnow/SOURCE.md): Fader, Hardie & Lee (2005) and
Fader & Hardie's notes on BG/NBD, Pareto/NBD and Gamma-Gamma, all fitted on the
2,357-customer CDNOW sample with a 39-week calibration period. Reference values
marked "mpmath" were computed once from the textbook formulas at 50-60 digits.
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import importlib
import inspect
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconnect_lib import clv
from reconnect_lib.clv import (
    BetaGeoModel,
    GammaGammaModel,
    ParetoNBDModel,
    _fitting,
    clv_scores,
    fit_bgnbd,
    fit_gamma_gamma,
    fit_pareto_nbd,
    rfm_summary,
    simulate_bgnbd,
)
from reconnect_lib.clv import bgnbd as bgnbd_module
from reconnect_lib.clv import gamma_gamma as gamma_gamma_module
from reconnect_lib.clv import pareto_nbd as pareto_nbd_module
from reconnect_lib.errors import ConfigError, InputError

CDNOW = Path(__file__).parent / "data" / "cdnow"
CALIBRATION_END = dt.date(1997, 9, 30)

# --- the CDNOW sample ----------------------------------------------------------------


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return pd.read_csv(CDNOW / "cdnow_customers_summary.csv")


@pytest.fixture(scope="module")
def cdnow_spend() -> pd.DataFrame:
    return pd.read_csv(CDNOW / "cdnow_customers_summary_with_transactions.csv")


@pytest.fixture(scope="module")
def cdnow_transactions() -> pd.DataFrame:
    tx = pd.read_csv(
        CDNOW / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "client_id", "date", "cds", "amount"],
        dtype={"date": str},
    )
    tx["date"] = pd.to_datetime(tx["date"], format="%Y%m%d")
    return tx


@pytest.fixture(scope="module")
def bgnbd(cdnow) -> BetaGeoModel:
    return fit_bgnbd(cdnow["frequency"], cdnow["recency"], cdnow["T"])


@pytest.fixture(scope="module")
def pareto(cdnow) -> ParetoNBDModel:
    return fit_pareto_nbd(cdnow["frequency"], cdnow["recency"], cdnow["T"])


def test_vendored_cdnow_files_are_unchanged():
    expected = {
        "CDNOW_sample.txt": "6fae10155c0b0ba363c2c386e30f77990d22328220efd862a5edd1443420d94a",
        "cdnow_customers_summary.csv": "09d92ca80daaabe8be0f997d4c539f9c9606106baa5b199081fe01cbce5fa9f6",
        "cdnow_customers_summary_with_transactions.csv": (
            "7ddd11b55be3227edfc1d58675154e96971b0de3ad37ddd9280d1dba154b8b2f"
        ),
    }
    for name, digest in expected.items():
        assert hashlib.sha256((CDNOW / name).read_bytes()).hexdigest() == digest, name


def test_bgnbd_recovers_the_published_cdnow_estimates(bgnbd):
    assert bgnbd.n == 2357
    assert bgnbd.r == pytest.approx(0.243, rel=0.01)
    assert bgnbd.alpha == pytest.approx(4.414, rel=0.01)
    assert bgnbd.a == pytest.approx(0.793, rel=0.01)
    assert bgnbd.b == pytest.approx(2.426, rel=0.01)
    assert bgnbd.log_likelihood == pytest.approx(-9582.4, abs=0.1)


def test_bgnbd_spreadsheet_customer(bgnbd):
    # Customer 1 of the sample: two repeat purchases, the last at week 30.43 of 38.86.
    assert bgnbd.expected_purchases(39, 2, 30.43, 38.86) == pytest.approx(1.226, abs=5e-4)


def test_pareto_nbd_recovers_the_published_cdnow_estimates(pareto):
    assert pareto.r == pytest.approx(0.553, rel=0.01)
    assert pareto.alpha == pytest.approx(10.578, rel=0.01)
    assert pareto.s == pytest.approx(0.606, rel=0.01)
    assert pareto.beta == pytest.approx(11.669, rel=0.01)
    assert pareto.log_likelihood == pytest.approx(-9595.0, abs=0.1)
    assert pareto.p_alive(26, 30.86, 31) == pytest.approx(0.9979, abs=5e-5)


def test_gamma_gamma_recovers_the_published_cdnow_estimates(cdnow_spend):
    model = fit_gamma_gamma(cdnow_spend["x"], cdnow_spend["zbar"])
    assert model.n == 946  # the repeat buyers
    assert model.p == pytest.approx(6.25, rel=0.01)
    assert model.q == pytest.approx(3.74, rel=0.01)
    assert model.gamma == pytest.approx(15.44, rel=0.01)


def test_rfm_summary_reproduces_the_published_cdnow_summary(cdnow_transactions, cdnow_spend):
    summary = rfm_summary(cdnow_transactions, as_of=CALIBRATION_END, time_unit="W")
    published = cdnow_spend.set_index("ID").loc[summary["client_id"]]
    # The 8 customers missing here made a single order worth $0: no purchase has
    # a non-positive amount (as in the client base).
    assert len(summary) == 2357 - 8
    missing = sorted(set(cdnow_spend["ID"]) - set(summary["client_id"]))
    free = cdnow_transactions.groupby("client_id")["amount"].max()
    assert (free.loc[missing] == 0).all()

    assert (summary["frequency"].to_numpy() == published["x"].to_numpy()).all()
    # Published times are rounded to 2 decimals of a week; spends to the cent.
    np.testing.assert_allclose(summary["recency"], published["t_x"], atol=0.005)
    np.testing.assert_allclose(summary["T"], published["T"], atol=0.005)
    repeat = summary["frequency"].to_numpy() > 0
    np.testing.assert_allclose(
        summary["monetary_value"].to_numpy()[repeat], published["zbar"].to_numpy()[repeat], atol=0.0051
    )
    assert summary["monetary_value"].isna().to_numpy()[~repeat].all()


# --- rfm_summary ---------------------------------------------------------------------


def _transactions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "client_id": ["a", "a", "a", "a", "b", "c", "c"],
            "date": pd.to_datetime(
                [
                    "2024-01-01",
                    "2024-01-01",
                    "2024-01-15",
                    "2024-03-01",
                    "2024-02-01",
                    "2024-02-10",
                    "2024-05-01",
                ]
            ),
            "amount": [60.0, 40.0, 50.0, 70.0, 30.0, 20.0, 15.0],
        }
    )


def test_rfm_summary_collapses_days_and_measures_in_the_unit():
    tx = _transactions()
    before = tx.copy()
    days = rfm_summary(tx, as_of=dt.date(2024, 3, 31))
    pd.testing.assert_frame_equal(tx, before)  # not mutated
    a = days.set_index("client_id").loc["a"]
    assert a["frequency"] == 2  # two lines on 1 January are one purchase
    assert (a["recency"], a["T"], a["monetary_value"]) == (60.0, 90.0, 60.0)
    assert a["first_purchase"] == pd.Timestamp("2024-01-01")
    assert a["last_purchase"] == pd.Timestamp("2024-03-01")
    assert list(days["client_id"]) == ["a", "b", "c"]  # c's May purchase is after as_of
    weeks = rfm_summary(tx, as_of=dt.date(2024, 3, 31), time_unit="W")
    np.testing.assert_allclose(weeks["T"] * 7, days["T"])
    np.testing.assert_allclose(rfm_summary(tx, as_of=dt.date(2024, 3, 31), time_unit=7.0)["T"], weeks["T"])


def test_rfm_summary_ignores_refunds_and_splits_a_holdout():
    tx = pd.concat(
        [
            _transactions(),
            pd.DataFrame({"client_id": ["b"], "date": [pd.Timestamp("2024-02-20")], "amount": [-30.0]}),
        ]
    )
    summary = rfm_summary(tx, as_of=dt.date(2024, 6, 30), calibration_end=dt.date(2024, 3, 31))
    row = summary.set_index("client_id")
    assert row.loc["b", "frequency"] == 0  # the refund is not a purchase
    assert row.loc["c", "frequency_holdout"] == 1
    assert row.loc["a", "frequency_holdout"] == 0
    assert (summary["duration_holdout"] == 91.0).all()


def test_rfm_summary_reports_every_bad_value_at_once():
    tx = _transactions().astype({"date": object, "amount": object})
    tx.loc[1, "date"] = "31/02/2024"
    tx.loc[4, "amount"] = "twelve"
    with pytest.raises(InputError) as err:
        rfm_summary(tx, as_of=dt.date(2024, 3, 31))
    text = str(err.value)
    assert "column `date`, row 2" in text
    assert "column `amount`, row 5" in text


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"time_unit": "M"}, ConfigError),
        ({"time_unit": -1.0}, ConfigError),
        ({"calibration_end": dt.date(2025, 1, 1)}, ConfigError),
        ({"amount": "revenue"}, InputError),
    ],
)
def test_rfm_summary_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error):
        rfm_summary(_transactions(), as_of=dt.date(2024, 3, 31), **kwargs)


def test_rfm_summary_rejects_a_string_as_of():
    with pytest.raises(ConfigError, match="not a date"):
        rfm_summary(_transactions(), as_of="2024-03-31")


# --- fitting -------------------------------------------------------------------------


def test_fits_report_invalid_summaries():
    with pytest.raises(InputError) as err:
        fit_bgnbd([1, 2, -1], [5.0, 12.0, 0.0], [10.0, 10.0, 10.0])
    assert "column `recency`, row 2" in str(err.value)  # 12 > T
    assert "column `frequency`, row 3" in str(err.value)
    with pytest.raises(InputError, match="no client made a repeat purchase"):
        fit_pareto_nbd([0, 0], [0.0, 0.0], [10.0, 20.0])
    with pytest.raises(InputError, match="without a positive mean spend"):
        fit_gamma_gamma([1, 2, 3], [10.0, 0.0, 5.0])


def test_single_purchase_clients_are_fine():
    # Many x = 0 clients (and some with a stray t_x > 0, which the likelihood ignores).
    data = simulate_bgnbd(np.full(3000, 40.0), r=0.1, alpha=20.0, a=0.8, b=2.5, seed=2)
    assert (data["frequency"] == 0).mean() > 0.7
    model = fit_bgnbd(data["frequency"], data["recency"], data["T"])
    assert math.isfinite(model.log_likelihood)
    assert model.p_alive(0, 0.0, 40.0) == 1.0  # BG/NBD: no drop-out before a repeat purchase


@pytest.mark.parametrize("name", ["bgnbd", "gamma_gamma"])
def test_analytic_gradients_match_finite_differences(name):
    rng = np.random.default_rng(4)
    if name == "bgnbd":
        data = simulate_bgnbd(rng.uniform(20, 40, 500), r=0.3, alpha=5.0, a=0.7, b=2.0, seed=rng)
        scale = data["T"].max()
        objective = bgnbd_module._bgnbd_objective(
            _fitting._histories(data["frequency"].to_numpy(float), data["recency"] / scale, data["T"] / scale)
        )
        theta = np.log([0.4, 0.2, 0.9, 1.5])
    else:
        x = rng.integers(1, 8, 400).astype(float)
        m = rng.gamma(6 * x, 1 / rng.gamma(4, 1 / 20, 400)) / x
        objective = gamma_gamma_module._gamma_gamma_objective(x, m / m.mean())
        theta = np.log([3.0, 2.0, 0.5])
    _, grad = objective(theta)
    step = 1e-6
    numeric = [
        (objective(theta + step * e)[0] - objective(theta - step * e)[0]) / (2 * step)
        for e in np.eye(theta.size)
    ]
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)


def test_simulation_is_seeded_and_fits_recover_its_parameters():
    state = np.random.get_state()  # noqa: NPY002 - checking the legacy global state is left alone
    ages = np.random.default_rng(0).uniform(52, 104, 20_000)
    first = simulate_bgnbd(ages, r=0.5, alpha=10.0, a=0.6, b=3.0, seed=42)
    pd.testing.assert_frame_equal(first, simulate_bgnbd(ages, r=0.5, alpha=10.0, a=0.6, b=3.0, seed=42))
    assert np.array_equal(state[1], np.random.get_state()[1])  # noqa: NPY002
    model = fit_bgnbd(first["frequency"], first["recency"], first["T"])
    assert model.r == pytest.approx(0.5, rel=0.1)
    assert model.alpha == pytest.approx(10.0, rel=0.1)
    assert model.a == pytest.approx(0.6, rel=0.2)
    assert model.b == pytest.approx(3.0, rel=0.25)


def test_every_model_is_unit_free():
    data = simulate_bgnbd(
        np.random.default_rng(1).uniform(26, 39, 2000), r=0.3, alpha=4.0, a=0.8, b=2.4, seed=5
    )
    x, t_w, age_w = data["frequency"], data["recency"], data["T"]
    pw, pd_ = fit_pareto_nbd(x, t_w, age_w), fit_pareto_nbd(x, t_w * 7, age_w * 7)
    assert (pd_.r, pd_.s) == pytest.approx((pw.r, pw.s), rel=1e-4)
    assert (pd_.alpha, pd_.beta) == pytest.approx((7 * pw.alpha, 7 * pw.beta), rel=1e-4)
    assert pd_.log_likelihood == pytest.approx(pw.log_likelihood - x.sum() * math.log(7), rel=1e-8)
    np.testing.assert_allclose(pd_.p_alive(x, t_w * 7, age_w * 7), pw.p_alive(x, t_w, age_w), rtol=1e-4)
    rng = np.random.default_rng(6)
    repeat = np.maximum(x.to_numpy(), 1)
    spend = np.where(x > 0, rng.gamma(6.0 * repeat, 1 / rng.gamma(4.0, 1 / 15.0, x.size)) / repeat, np.nan)
    dollars, cents = fit_gamma_gamma(x, spend), fit_gamma_gamma(x, spend * 100)
    assert (cents.p, cents.q) == pytest.approx((dollars.p, dollars.q), rel=1e-5)
    assert cents.gamma == pytest.approx(100 * dollars.gamma, rel=1e-5)


# --- numerics against high-precision references --------------------------------------


def test_bgnbd_expectation_for_heavy_buyers_matches_mpmath():
    # The textbook 2F1 form returns NaN here; the Euler-transformed one does not.
    model = BetaGeoModel(r=0.0852, alpha=0.0726, a=1.2876, b=6.5719, log_likelihood=0.0, n=1)
    value = model.expected_purchases(8.488863550179952, 500, 0.2828619241208259, 0.2828619241208259)
    mean_if_active = bgnbd_module._bgnbd_mean_if_active(
        np.array(8.488863550179952), 0.08515238771537283, 0.07258931007170726, 1.2876373162325692,
        6.571914671583331, np.array(500.0), np.array(0.2828619241208259),
    )  # fmt: skip
    assert float(mean_if_active) == pytest.approx(1060.4523014456022, rel=1e-8)  # mpmath
    assert math.isfinite(value)


@pytest.mark.parametrize(("a", "b"), [(1.0, 2.0), (1.0 + 3e-5, 2.0), (0.5, 0.5), (0.3, 0.7 + 1e-6)])
def test_bgnbd_expectation_is_smooth_at_its_removable_singularities(a, b):
    # At a = 1 and a + b + x = 1 the closed form is 0/0; the value there must
    # sit midway between close neighbours on either side (a smooth function).
    step = 1e-3
    da, db = (step, 0.0) if abs(a - 1.0) < 0.1 else (0.0, step)

    def model(sign: int) -> BetaGeoModel:
        return BetaGeoModel(r=0.5, alpha=5.0, a=a + sign * da, b=b + sign * db, log_likelihood=0.0, n=1)

    for args in ((30.0, 0, 0.0, 20.0), (30.0, 3, 10.0, 20.0)):
        mid = (model(1).expected_purchases(*args) + model(-1).expected_purchases(*args)) / 2
        assert model(0).expected_purchases(*args) == pytest.approx(mid, rel=1e-5)
    mid_new = (model(1).expected_purchases_new(30.0) + model(-1).expected_purchases_new(30.0)) / 2
    assert model(0).expected_purchases_new(30.0) == pytest.approx(mid_new, rel=1e-5)


def test_pareto_nbd_where_hyp2f1_fails_matches_mpmath():
    # A client with 3000 purchases and alpha >> beta: scipy's hyp2f1 returns NaN
    # for this 2F1, and the quadrature fallback takes over.
    r, alpha, s, beta = 0.049283259207169285, 83.3568934589022, 0.043445134994341494, 0.04555858853517818
    x, t_x, age = 3000.0, 0.06792448195534509, 0.17003809080472726
    model = ParetoNBDModel(r=r, alpha=alpha, s=s, beta=beta, log_likelihood=0.0, n=1)
    assert model.p_alive(x, t_x, age) == pytest.approx(0.7417968710259324, rel=1e-8)  # mpmath
    objective = pareto_nbd_module._pnbd_objective(
        _fitting._histories(np.array([x]), np.array([t_x]), np.array([age]))
    )
    assert -objective(np.log([r, alpha, s, beta])) == pytest.approx(7738.153090271721, rel=1e-10)  # mpmath


def test_pareto_quadrature_agrees_with_hyp2f1_where_both_work():
    x = np.array([5.0, 40.0, 200.0, 1000.0])
    t = np.array([0.0, 1.0, 3.0, 10.0])
    direct = pareto_nbd_module._pnbd_g(0.5, 20.0, 0.7, 1.0, x, t)
    assert np.isfinite(direct).all()
    np.testing.assert_allclose(
        pareto_nbd_module._pnbd_g_quadrature(0.5, 20.0, 0.7, 1.0, x, t), direct, rtol=1e-12
    )


# --- properties ----------------------------------------------------------------------

positive = st.floats(min_value=-4.0, max_value=4.0).map(math.exp)  # 0.018 .. 55, log-uniform
frequencies = st.integers(min_value=0, max_value=400)
ages = st.floats(min_value=0.0, max_value=500.0)
fractions = st.floats(min_value=0.0, max_value=1.0)


@st.composite
def models(draw):
    r, alpha, a_or_s, b_or_beta = (draw(positive) for _ in range(4))
    if draw(st.booleans()):
        return BetaGeoModel(r=r, alpha=alpha, a=a_or_s, b=b_or_beta, log_likelihood=0.0, n=1)
    return ParetoNBDModel(r=r, alpha=alpha, s=a_or_s, beta=b_or_beta, log_likelihood=0.0, n=1)


@given(models(), frequencies, ages, fractions, fractions)
def test_p_alive_is_a_probability_that_falls_with_dormancy(model, x, age, u1, u2):
    early, late = sorted((u1 * age, u2 * age))
    p_early = model.p_alive(x, early, age)  # longer silence since the last purchase
    p_late = model.p_alive(x, late, age)
    assert 0.0 <= p_early <= 1.0
    assert 0.0 <= p_late <= 1.0
    assert p_early <= p_late + 1e-9


@given(models(), frequencies, ages, fractions, st.floats(min_value=0.0, max_value=5000.0))
def test_expected_purchases_are_finite_and_non_negative(model, x, age, u, t):
    value = model.expected_purchases(t, x, u * age, age)
    assert math.isfinite(value)
    assert value >= 0.0
    new = model.expected_purchases_new(np.array([t, 2 * t + 1]))
    assert np.isfinite(new).all()
    assert 0.0 <= new[0] <= new[1] * (1 + 1e-12)  # non-decreasing in t (to rounding once saturated)


@given(
    st.integers(min_value=0, max_value=2**32 - 1),
    st.floats(min_value=-3.0, max_value=3.0).map(math.exp),
    st.floats(min_value=-3.0, max_value=3.0).map(math.exp),
)
def test_fit_in_days_equals_fit_in_weeks(seed, r, a):
    rng = np.random.default_rng(seed)
    weeks = simulate_bgnbd(rng.uniform(20.0, 60.0, 300), r=r, alpha=4.0, a=a, b=2.5, seed=rng)
    if (weeks["frequency"] == 0).all():
        return
    x, t_w, age_w = weeks["frequency"], weeks["recency"], weeks["T"]
    in_weeks = fit_bgnbd(x, t_w, age_w)
    in_days = fit_bgnbd(x, t_w * 7, age_w * 7)
    # Where the data pin the parameters down: the same r, a, b and alpha x 7.
    # A small sample can instead leave a flat ridge (a, b -> oo with a / b fixed
    # when drop-out looks the same for everyone, or a, b -> 0 when it looks
    # all-or-nothing); every point on it is a maximum to ~1e-4 in log-likelihood
    # and the two fits stop at different points, so there only the maximum and
    # the predictions must agree.
    scaled = (in_weeks.r, in_weeks.a, in_weeks.b, in_weeks.alpha / age_w.max())
    identified = all(1e-2 < value < 1e2 for value in scaled)
    if identified:
        assert (in_days.r, in_days.a, in_days.b) == pytest.approx(
            (in_weeks.r, in_weeks.a, in_weeks.b), rel=1e-4
        )
        assert in_days.alpha == pytest.approx(7 * in_weeks.alpha, rel=1e-4)
    ll_tol, rtol = (1e-6, 1e-4) if identified else (1e-3, 1e-2)
    expected_ll = in_weeks.log_likelihood - x.sum() * math.log(7)
    assert in_days.log_likelihood == pytest.approx(expected_ll, abs=ll_tol)
    p_days, p_weeks = in_days.p_alive(x, t_w * 7, age_w * 7), in_weeks.p_alive(x, t_w, age_w)
    np.testing.assert_allclose(p_days, p_weeks, rtol=rtol, atol=1e-9)
    np.testing.assert_allclose(
        in_days.expected_purchases(70.0, x, t_w * 7, age_w * 7),
        in_weeks.expected_purchases(10.0, x, t_w, age_w),
        rtol=rtol,
        atol=1e-9,
    )


# --- clv_scores ----------------------------------------------------------------------


def test_clv_scores_on_cdnow(bgnbd, cdnow_spend):
    summary = cdnow_spend.rename(columns={"x": "frequency", "t_x": "recency", "zbar": "monetary_value"})
    summary["monetary_value"] = summary["monetary_value"].where(summary["frequency"] > 0)
    before = summary.copy()
    spend = fit_gamma_gamma(summary["frequency"], summary["monetary_value"])
    scores = clv_scores(summary, bgnbd=bgnbd, gamma_gamma=spend, unit_days=7.0, as_of=CALIBRATION_END)
    pd.testing.assert_frame_equal(summary, before)  # not mutated
    added = [clv.P_ALIVE, clv.EXPECTED_PURCHASES, clv.EXPECTED_SPEND, clv.EXPECTED_VALUE_NEXT_YEAR,
             clv.NEXT_PURCHASE_EXPECTED, clv.OVERDUE_RATIO]  # fmt: skip
    assert list(scores.columns) == [*summary.columns, *added]

    first = scores.iloc[0]  # x = 2, t_x = 30.43, T = 38.86 weeks, zbar = 22.35
    assert first[clv.P_ALIVE] == pytest.approx(bgnbd.p_alive(2, 30.43, 38.86))
    assert first[clv.EXPECTED_PURCHASES] == pytest.approx(bgnbd.expected_purchases(365 / 7, 2, 30.43, 38.86))
    assert first[clv.EXPECTED_SPEND] == pytest.approx(spend.expected_spend(2, 22.35))
    assert first[clv.EXPECTED_VALUE_NEXT_YEAR] == pytest.approx(
        first[clv.EXPECTED_PURCHASES] * first[clv.EXPECTED_SPEND]
    )
    # Rhythm (alpha + t_x)/(r + x) weeks after the last purchase on 2 August 1997.
    interval = (bgnbd.alpha + 30.43) / (bgnbd.r + 2)
    assert first[clv.NEXT_PURCHASE_EXPECTED] == pd.Timestamp("1997-08-02") + pd.Timedelta(
        days=round(interval * 7)
    )
    assert first[clv.OVERDUE_RATIO] == pytest.approx((38.86 - 30.43) / interval)
    single = scores[scores["frequency"] == 0]
    assert (single[clv.P_ALIVE] == 1.0).all()
    np.testing.assert_allclose(single[clv.EXPECTED_SPEND], spend.mean_spend)  # the population mean


def test_clv_scores_dates_from_last_purchase_or_as_of(cdnow_transactions, bgnbd):
    summary = rfm_summary(cdnow_transactions, as_of=CALIBRATION_END, time_unit="W")
    from_column = clv_scores(summary, bgnbd=bgnbd, unit_days=7.0)
    from_as_of = clv_scores(
        summary.drop(columns=["last_purchase"]), bgnbd=bgnbd, unit_days=7.0, as_of=CALIBRATION_END
    )
    pd.testing.assert_series_equal(
        from_column[clv.NEXT_PURCHASE_EXPECTED], from_as_of[clv.NEXT_PURCHASE_EXPECTED]
    )
    assert clv.EXPECTED_VALUE_NEXT_YEAR not in from_column.columns  # no spend model given
    overdue = from_column[clv.OVERDUE_RATIO] > 1
    after = from_column[clv.NEXT_PURCHASE_EXPECTED] < pd.Timestamp(CALIBRATION_END)
    assert (overdue == after).mean() > 0.99  # overdue <=> the due date has passed (up to rounding to days)


def test_clv_scores_accepts_a_pareto_model_and_checks_its_arguments(pareto, cdnow):
    scores = clv_scores(cdnow, bgnbd=pareto, unit_days=7.0, as_of=CALIBRATION_END)
    assert scores[clv.P_ALIVE].between(0, 1).all()
    with pytest.raises(InputError, match="last_purchase"):
        clv_scores(cdnow, bgnbd=pareto, unit_days=7.0)
    with pytest.raises(ConfigError):
        clv_scores(cdnow, bgnbd="bgnbd", as_of=CALIBRATION_END)
    with pytest.raises(ConfigError):
        clv_scores(cdnow, bgnbd=pareto, unit_days=0, as_of=CALIBRATION_END)
    with pytest.raises(InputError, match="monetary_value"):
        clv_scores(
            cdnow, bgnbd=pareto, gamma_gamma=GammaGammaModel(6.0, 4.0, 15.0, 0.0, 1), as_of=CALIBRATION_END
        )


# --- the purchase rhythm the overview report shows ------------------------------------

SAMPLE_CONFIG = Path(__file__).parents[1] / "data" / "sample" / "consulting-firm" / "campaign.toml"


@pytest.fixture(scope="module")
def consulting():
    import reconnect_lib as rl

    return rl.scored_base(SAMPLE_CONFIG)


def test_purchase_rhythm_scores_every_buyer(consulting):
    from reconnect_lib.clv import purchase_rhythm

    tx = consulting.inputs.transactions
    before = tx.copy()
    rhythm = purchase_rhythm(tx, as_of=consulting.as_of)
    pd.testing.assert_frame_equal(tx, before)
    buyers = tx.loc[tx["amount"] > 0, "client_id"].nunique()
    assert len(rhythm.scores) == buyers
    assert rhythm.scores["p_alive"].between(0, 1).all()
    gap = rhythm.scores["rhythm_days"]
    since = rhythm.scores["days_since_purchase"]
    assert np.allclose(rhythm.scores["overdue_ratio"], since / gap)


def test_overdue_clients_are_past_their_own_gap_most_valuable_first(consulting):
    from reconnect_lib.clv import overdue_clients, purchase_rhythm

    rhythm = purchase_rhythm(consulting.inputs.transactions, as_of=consulting.as_of)
    overdue = overdue_clients(rhythm, consulting.scored)
    assert len(overdue) > 0
    assert (overdue["overdue_ratio"] > 1).all()
    assert (overdue["days_since_purchase"] > overdue["rhythm_days"]).all()
    assert list(overdue["value_score"]) == sorted(overdue["value_score"], reverse=True)
    repeaters = set(rhythm.scores.loc[rhythm.scores["frequency"] > 0, "client_id"])
    assert set(overdue["client_id"]) <= repeaters
    late = rhythm.scores[(rhythm.scores["frequency"] > 0) & (rhythm.scores["overdue_ratio"] > 1)]
    assert set(overdue["client_id"]) == set(late["client_id"])


def test_calibration_table_counts_every_buyer_of_the_calibration_period(consulting):
    from reconnect_lib.clv import calibration_table, rfm_summary

    end = dt.date(2025, 11, 23)
    tx = consulting.inputs.transactions
    table = calibration_table(tx, calibration_end=end, as_of=consulting.as_of, max_frequency=5)
    summary = rfm_summary(tx, as_of=consulting.as_of, calibration_end=end)
    assert table["clients"].sum() == len(summary)
    assert list(table["frequency"]) == sorted(table["frequency"])
    assert table["frequency"].max() <= 5
    assert (table["predicted"] >= 0).all()
    ones = summary[summary["frequency"] == 1]
    row = table.set_index("frequency").loc[1]
    assert row["actual"] == pytest.approx(ones["frequency_holdout"].mean())


def test_p_alive_table_summarises_every_buyer_by_bucket(consulting):
    from reconnect_lib.clv import overdue_clients, p_alive_table, purchase_rhythm

    rhythm = purchase_rhythm(consulting.inputs.transactions, as_of=consulting.as_of)
    table = p_alive_table(rhythm, consulting.scored)
    assert table["clients"].sum() == len(rhythm.scores)
    assert table["mean_p_alive"].between(0, 1).all()
    assert table["overdue"].sum() == len(overdue_clients(rhythm, consulting.scored))
    order = consulting.buckets.set_index("dormancy_bucket")["bucket_order"]
    assert list(order[table["dormancy_bucket"]]) == sorted(order[table["dormancy_bucket"]])
    # the model sees long silences as less likely to be active
    assert table["mean_p_alive"].iloc[0] > table["mean_p_alive"].iloc[-1]


# --- the package: one module per model, as lifelines keeps one fitter a file ---------

#: Every name ``reconnect_lib.clv`` offered as a single module, and the module that now holds it.
FACE = {
    "columns": [
        "AGE", "DURATION_HOLDOUT", "EXPECTED_PURCHASES", "EXPECTED_SPEND", "EXPECTED_VALUE_NEXT_YEAR",
        "FREQUENCY", "FREQUENCY_HOLDOUT", "MONETARY_VALUE", "NEXT_PURCHASE_EXPECTED", "OVERDUE_RATIO",
        "P_ALIVE", "RECENCY",
    ],
    "summary": ["DAYS_PER_YEAR", "TIME_UNIT_CHOICES", "TimeUnit", "rfm_summary"],
    "bgnbd": ["BetaGeoModel", "fit_bgnbd"],
    "pareto_nbd": ["ParetoNBDModel", "fit_pareto_nbd"],
    "gamma_gamma": ["GammaGammaModel", "fit_gamma_gamma"],
    "simulation": ["simulate_bgnbd"],
    "scores": ["clv_scores"],
    "rhythm": [
        "DAYS_SINCE_PURCHASE", "MODEL_YEARLY_VALUE", "PurchaseRhythm", "RHYTHM_DAYS", "base_purchase_rhythm",
        "base_summary", "overdue_clients", "p_alive_table", "purchase_rhythm", "with_model_value",
    ],
    "calibration": ["CALIBRATION_COLUMNS", "calibration_table"],
}  # fmt: skip


def test_clv_offers_the_same_names_as_before_the_split():
    assert sorted(clv.__all__) == sorted(name for names in FACE.values() for name in names)


@pytest.mark.parametrize("part", sorted(FACE))
def test_each_name_is_defined_in_its_module_and_offered_by_the_package(part):
    module = importlib.import_module(f"reconnect_lib.clv.{part}")
    for name in FACE[part]:
        value = getattr(module, name)
        assert getattr(clv, name) is value
        if inspect.isfunction(value) or inspect.isclass(value):
            assert value.__module__ == module.__name__


def _imported_modules(path: Path) -> set[str]:
    """The modules of reconnect_lib outside clv/ that a file in it imports (first dotted part)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 2:
            found |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
    return found


@pytest.mark.parametrize("part", sorted(set(FACE) - {"rhythm"} | {"_fitting"}))
def test_the_models_need_nothing_of_the_package_but_its_errors_and_column_names(part):
    # Only the campaign's rhythm reads a loaded history (through the engines).
    assert _imported_modules(Path(clv.__file__).parent / f"{part}.py") <= {"errors", "schema"}

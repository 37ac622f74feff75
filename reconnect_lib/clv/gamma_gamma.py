"""The Gamma-Gamma spend model (Fader & Hardie, "The Gamma-Gamma model of monetary value", 2013)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import digamma, gammaln

from ..errors import InputError, Problem
from ._fitting import FloatArray, _dot, _minimize, _scalar_or_array
from .columns import FREQUENCY, MONETARY_VALUE

# --- Gamma-Gamma --------------------------------------------------------------------


@dataclass(frozen=True)
class GammaGammaModel:
    """A fitted Gamma-Gamma model of spend per purchase (Fader & Hardie 2013).

    A client's purchases are worth ``z ~ Gamma(p, nu)`` each, with
    ``nu ~ Gamma(q, gamma)`` across clients, independent of the purchase
    process. ``gamma`` is in money units.

    Attributes
    ----------
    p, q, gamma : float
        Parameters.
    log_likelihood : float
        Maximised log-likelihood of the repeat buyers' mean spends.
    n : int
        Number of repeat buyers fitted.
    """

    p: float
    q: float
    gamma: float
    log_likelihood: float
    n: int

    @property
    def mean_spend(self) -> float:
        """Population mean spend per purchase, ``p gamma / (q - 1)`` (infinite for q <= 1)."""
        return self.p * self.gamma / (self.q - 1.0) if self.q > 1.0 else math.inf

    def expected_spend(self, x: ArrayLike, mean_spend: ArrayLike) -> FloatArray | float:
        """Expected spend per purchase of a client with x purchases of mean ``mean_spend``.

        ``(gamma p + p x m) / (p x + q - 1)``: a weighted average of the
        population mean and the client's own mean, weighted toward the client's
        the more purchases they made. For x = 0 (``mean_spend`` ignored, may be
        NaN) it is the population mean; NaN where the mean does not exist
        (``p x + q <= 1``).

        Examples
        --------
        >>> m = GammaGammaModel(p=6.25, q=3.74, gamma=15.44, log_likelihood=float("nan"), n=946)
        >>> round(m.expected_spend(2, 22.35), 2)
        24.66
        """
        x = np.asarray(x, dtype="float64")
        m = np.where(x > 0, np.asarray(mean_spend, dtype="float64"), 0.0)
        denom = self.p * x + self.q - 1.0
        safe = np.where(denom > 0, denom, 1.0)
        return _scalar_or_array(np.where(denom > 0, (self.gamma * self.p + self.p * x * m) / safe, np.nan))

    @property
    def params(self) -> dict[str, float]:
        """The parameters as a dict."""
        return {"p": self.p, "q": self.q, "gamma": self.gamma}


def fit_gamma_gamma(frequency: ArrayLike, monetary_value: ArrayLike) -> GammaGammaModel:
    """Fit the Gamma-Gamma spend model on the repeat buyers.

    Only clients with frequency >= 1 enter (the mean spend of their repeat
    purchases is what the model describes); their ``monetary_value`` must be
    positive. Money is rescaled to the mean spend for the optimiser, so
    ``gamma`` scales with the currency unit and p, q do not.

    Per repeat buyer with x purchases of mean m (Fader & Hardie 2013, eq. 2)::

        ll = log G(p x + q) - log G(p x) - log G(q) + q log(gamma)
             + (p x - 1) log(m) + p x log(x) - (p x + q) log(gamma + m x)

    Parameters
    ----------
    frequency : array-like
        Repeat purchases per client.
    monetary_value : array-like
        Mean amount of the repeat purchases (ignored, may be NaN, for x = 0).

    Returns
    -------
    GammaGammaModel

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> x = rng.integers(1, 6, 3000)
    >>> nu = rng.gamma(4.0, 1 / 20.0, 3000)
    >>> m = rng.gamma(6.0 * x, 1 / nu) / x
    >>> fit = fit_gamma_gamma(x, m)
    >>> round(fit.mean_spend / float(np.mean(m)), 1)
    1.0
    """
    x = np.ravel(np.asarray(frequency, dtype="float64"))
    m = np.ravel(np.asarray(monetary_value, dtype="float64"))
    if x.shape != m.shape:
        raise InputError(
            "frequency and monetary_value have different lengths",
            values=[x.size, m.size],
            expected="one value per client in each",
        )
    problems = []
    bad_x = ~np.isfinite(x) | (x < 0) | (x != np.floor(x))
    if bad_x.any():
        rows = np.flatnonzero(bad_x)
        problems.append(
            Problem(
                "invalid value",
                column=FREQUENCY,
                rows=[int(i) + 1 for i in rows],
                values=[float(x[i]) for i in rows[:5]],
                expected="a whole number >= 0",
            )
        )
    bad_m = (x > 0) & ~(np.isfinite(m) & (m > 0))
    if bad_m.any():
        rows = np.flatnonzero(bad_m)
        problems.append(
            Problem(
                "repeat buyer without a positive mean spend",
                column=MONETARY_VALUE,
                rows=[int(i) + 1 for i in rows],
                values=[float(m[i]) for i in rows[:5]],
                expected="a positive amount for every client with frequency >= 1",
            )
        )
    if problems:
        raise InputError.from_problems(problems)
    repeat = x > 0
    if repeat.sum() < 2:
        raise InputError(
            "the Gamma-Gamma model needs at least two repeat buyers",
            column=FREQUENCY,
            hint="use a longer history",
        )
    x, m = x[repeat], m[repeat]
    scale = float(np.mean(m))
    nll = _gamma_gamma_objective(x, m / scale)
    start = np.array([0.0, math.log(2.0), 0.0])
    theta = _minimize(nll, start, jac=True, model="Gamma-Gamma")
    p, q, gamma = np.exp(theta)
    ll = -nll(theta)[0] * x.size - x.size * math.log(scale)
    return GammaGammaModel(
        p=float(p), q=float(q), gamma=float(gamma * scale), log_likelihood=float(ll), n=int(x.size)
    )


def _gamma_gamma_objective(x: FloatArray, m: FloatArray) -> Callable[[FloatArray], tuple[float, FloatArray]]:
    """Mean negative log-likelihood of Gamma-Gamma and its gradient in log-parameters.

    The gamma functions depend on x alone and are evaluated once per distinct
    frequency; the terms linear in p are summed once, so an evaluation costs
    one log and one reciprocal per client.
    """
    n = float(x.size)
    ux, counts = np.unique(x, return_counts=True)
    counts = counts.astype("float64")
    mx = m * x
    sum_x_log_mx = _dot(x, np.log(mx))  # sum of x log(m) + x log(x)
    sum_log_m = float(np.sum(np.log(m)))

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        p, q, gamma = np.exp(theta)
        pux = p * ux
        log_gmx = np.log(gamma + mx)
        inv_gmx = 1.0 / (gamma + mx)
        x_log_gmx = _dot(x, log_gmx)
        sum_log_gmx = float(np.sum(log_gmx))
        ll = (
            _dot(counts, gammaln(pux + q) - gammaln(pux))
            + n * (q * math.log(gamma) - gammaln(q))
            + p * sum_x_log_mx
            - sum_log_m
            - p * x_log_gmx
            - q * sum_log_gmx
        )
        psi_pxq = digamma(pux + q)
        d_p = _dot(counts * ux, psi_pxq - digamma(pux)) + sum_x_log_mx - x_log_gmx
        d_q = _dot(counts, psi_pxq) - n * digamma(q) + n * math.log(gamma) - sum_log_gmx
        d_gamma = n * q / gamma - p * _dot(x, inv_gmx) - q * float(np.sum(inv_gmx))
        grad = np.array([d_p * p, d_q * q, d_gamma * gamma])
        return -ll / n, -grad / n

    return objective

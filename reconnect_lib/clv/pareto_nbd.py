"""The Pareto/NBD model (Schmittlein, Morrison & Colombo 1987; likelihood as in Fader & Hardie's
note "A note on deriving the Pareto/NBD model and related expressions", 2005).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit, exprel, gammaln, roots_legendre

from ._fitting import (
    FloatArray,
    _checked,
    _checked_t,
    _distinct_rows,
    _dot,
    _fit_scale,
    _Histories,
    _histories,
    _hyp2f1,
    _minimize,
    _purchase_interval,
    _require_repeats,
    _scalar_or_array,
    _softplus_and_sigmoid,
    _start,
)

# --- Pareto/NBD ---------------------------------------------------------------------


@dataclass(frozen=True)
class ParetoNBDModel:
    """A fitted Pareto/NBD model (Schmittlein, Morrison & Colombo 1987).

    While active a client buys at Poisson rate ``lambda ~ Gamma(r, alpha)``;
    their active lifetime is exponential with rate ``mu ~ Gamma(s, beta)``.
    Times are in the unit of the fitted data.

    Attributes
    ----------
    r, alpha, s, beta : float
        Parameters.
    log_likelihood : float
        Maximised log-likelihood of the fitted data.
    n : int
        Number of clients fitted.
    """

    r: float
    alpha: float
    s: float
    beta: float
    log_likelihood: float
    n: int

    def p_alive(self, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> FloatArray | float:
        """Probability a client with history (x, t_x, T) is still active at T.

        Examples
        --------
        >>> m = ParetoNBDModel(r=0.553, alpha=10.578, s=0.606, beta=11.669, log_likelihood=-9595.0, n=2357)
        >>> round(m.p_alive(26, 30.86, 31), 4)
        0.9979
        """
        x, t_x, age = _checked(x, t_x, T, allow_empty=True)
        log_odds = _pnbd_log_odds_inactive(self.r, self.alpha, self.s, self.beta, x, t_x, age)
        return _scalar_or_array(expit(-log_odds))

    def expected_purchases(
        self, t: ArrayLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike
    ) -> FloatArray | float:
        """Expected number of purchases in (T, T + t] given the history (x, t_x, T).

        ``P(active) (r + x)(beta + T) / ((alpha + T)(s - 1)) [1 - ((beta + T)/(beta + T + t))^(s - 1)]``,
        evaluated with ``exprel`` so that s = 1 is no special case.
        """
        x, t_x, age = _checked(x, t_x, T, allow_empty=True)
        t = _checked_t(t)
        p = expit(-_pnbd_log_odds_inactive(self.r, self.alpha, self.s, self.beta, x, t_x, age))
        return _scalar_or_array(p * _pnbd_mean_if_active(t, self.r, self.alpha, self.s, self.beta, x, age))

    def expected_purchases_new(self, t: ArrayLike) -> FloatArray | float:
        """Expected purchases in (0, t] of a new client (repeat purchases, E[X(t)])."""
        t = _checked_t(t)
        zero = np.zeros_like(t)
        return _scalar_or_array(_pnbd_mean_if_active(t, self.r, self.alpha, self.s, self.beta, zero, zero))

    def purchase_interval(self, x: ArrayLike, t_x: ArrayLike) -> FloatArray | float:
        """Expected time between purchases while active: ``(alpha + t_x) / (r + x)``.

        As :meth:`BetaGeoModel.purchase_interval` (the purchase process is the same).
        """
        return _purchase_interval(self.r, self.alpha, x, t_x)

    @property
    def params(self) -> dict[str, float]:
        """The parameters as a dict."""
        return {"r": self.r, "alpha": self.alpha, "s": self.s, "beta": self.beta}


def fit_pareto_nbd(frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> ParetoNBDModel:
    """Fit the Pareto/NBD model by maximum likelihood.

    The likelihood needs the Gauss hypergeometric function 2F1, split on
    alpha >= beta vs alpha < beta as usual, and rewritten with Euler's
    transformation so that its first parameter is 1 (see :func:`_pnbd_g`):
    the series then has bounded terms and scipy's hyp2f1 stays accurate for
    large frequencies. 2F1 is evaluated once per distinct (x, t) pair, which
    helps on day-resolution data where many clients share a history. Gradients
    are numerical (2F1 has no closed-form derivative in its parameters), so this
    fit is several times slower than :func:`fit_bgnbd`.

    Parameters and errors are as for :func:`fit_bgnbd`.

    Examples
    --------
    >>> from reconnect_lib.clv import simulate_bgnbd
    >>> data = simulate_bgnbd(np.full(1000, 52.0), r=0.25, alpha=4.0, a=0.8, b=2.5, seed=1)
    >>> m = fit_pareto_nbd(data["frequency"], data["recency"], data["T"])
    >>> 0 < m.r < 1 and m.p_alive(0, 0.0, 52.0) < 1
    True
    """
    x, t_x, age = _checked(frequency, recency, T)
    x, t_x, age = np.ravel(x), np.ravel(t_x), np.ravel(age)
    _require_repeats(x, "Pareto/NBD")
    scale = _fit_scale(age)
    data = _histories(x, t_x / scale, age / scale)
    nll = _pnbd_objective(data)
    theta = _minimize(nll, _start(data), jac=False, model="Pareto/NBD")
    r, alpha, s, beta = np.exp(theta)
    ll = -nll(theta) * data.n - data.sum_x * math.log(scale)
    return ParetoNBDModel(
        r=float(r),
        alpha=float(alpha * scale),
        s=float(s),
        beta=float(beta * scale),
        log_likelihood=float(ll),
        n=int(data.n),
    )


# A finite stand-in for "log-likelihood is not a number" at trial parameters far
# from the optimum: L-BFGS-B backs off from it instead of stopping on a NaN.
_NLL_PENALTY: Final = 1e10


def _pnbd_objective(data: _Histories) -> Callable[[FloatArray], float]:
    """Mean negative log-likelihood of Pareto/NBD in log-parameters.

    Per client::

        ll = log G(r + x) - log G(r) + r log(alpha) + s log(beta) + log E(T)
             + softplus(log(s / (r + s + x)) + log D)
        E(t) = (alpha + t)^-(r + x) (beta + t)^-s
        D = (E(t_x) / E(T)) g(t_x) - g(T)

    which is Fader & Hardie's (2005) expression with
    ``A0 = E(t_x) g(t_x) - E(T) g(T)`` factored (see :func:`_pnbd_g`).
    """
    n, ux, counts = data.n, data.ux, data.counts
    x, t_x, age, w = data.x, data.t_x, data.age, data.w
    # 2F1 depends on a history only through (x, t): evaluate it per distinct pair.
    (key_x, key_t), _, inverse = _distinct_rows(np.concatenate([x, x]), np.concatenate([t_x, age]))
    at_tx, at_age = inverse[: x.size], inverse[x.size :]

    def objective(theta: FloatArray) -> float:
        r, alpha, s, beta = np.exp(theta)
        log_g = np.log(_pnbd_g(r, alpha, s, beta, key_x, key_t))
        log_ratio = (r + x) * (np.log(alpha + age) - np.log(alpha + t_x)) + s * (
            np.log(beta + age) - np.log(beta + t_x)
        )
        log_d = _log_diff(log_ratio + log_g[at_tx], log_g[at_age])
        log_at = np.log(alpha + age)
        ll = (
            _dot(counts, gammaln(r + ux))
            - n * gammaln(r)
            + n * (r * math.log(alpha) + s * math.log(beta))
            - _dot(w * (r + x), log_at)
            - s * _dot(w, np.log(beta + age))
            + _dot(w, _softplus_and_sigmoid(math.log(s) - np.log(r + s + x) + log_d)[0])
        )
        return -ll / n if math.isfinite(ll) else _NLL_PENALTY

    return objective


def _pnbd_g(r: float, alpha: float, s: float, beta: float, x: FloatArray, t: FloatArray) -> FloatArray:
    """g(t) = (r+s+x) (alpha+t)^(r+x) (beta+t)^s I(t), I(t) = ∫_t^∞ (alpha+y)^-(r+x) (beta+y)^-(s+1) dy.

    The usual 2F1 forms, ``(max(alpha, beta) + t)^-(r+s+x) 2F1(r+s+x, s+1 | r+x; r+s+x+1; z)``,
    after Euler's transformation (C - A = 1)::

        alpha >= beta: g = 2F1(1, r + x; r + s + x + 1; (alpha - beta) / (alpha + t))
        alpha <  beta: g = (alpha + t)/(beta + t) 2F1(1, s + 1; r + s + x + 1; (beta - alpha) / (beta + t))

    so g lies in [1, (r+s+x)/s] (alpha >= beta) or (0, 1] (alpha < beta) and
    nothing overflows. scipy's hyp2f1 returns NaN for the first form when
    r + x is in the hundreds and z is within ~1e-3 of 1 (a heavy buyer, alpha
    >> beta); there :func:`_pnbd_g_quadrature` takes over. Both were checked
    against mpmath (50 digits): hyp2f1 to 1e-9 wherever finite, the quadrature
    to 2e-15 where hyp2f1 fails.
    """
    x, t = np.broadcast_arrays(np.asarray(x, dtype="float64"), np.asarray(t, dtype="float64"))
    c = r + s + x + 1.0
    if alpha < beta:
        return (alpha + t) / (beta + t) * _hyp2f1(1.0, s + 1.0, c, (beta - alpha) / (beta + t))
    g = np.array(_hyp2f1(1.0, r + x, c, (alpha - beta) / (alpha + t)), dtype="float64")
    failed = ~np.isfinite(g)
    if failed.any():
        g[failed] = _pnbd_g_quadrature(r, alpha, s, beta, x[failed], t[failed])
    return g


# Composite Gauss-Legendre rule for _pnbd_g_quadrature: 32 panels of 12 nodes.
_GL_NODES, _GL_WEIGHTS = roots_legendre(12)
_GL_PANELS: Final = 32


def _pnbd_g_quadrature(
    r: float, alpha: float, s: float, beta: float, x: FloatArray, t: FloatArray
) -> FloatArray:
    """g(t) for alpha >= beta by quadrature, where hyp2f1 fails.

    With eps = (beta + t)/(alpha + t) = 1 - z and the substitution
    q = eps e^v in the Euler integral of 2F1(s + 1, C - 1; C; z)::

        g = (C - 1)/(1 - eps) ∫_0^{-log eps} e^(-s v) (1 - eps (e^v - 1)/(1 - eps))^(C - 2) dv

    The integrand is smooth, starts at 1, and is cut off double-exponentially
    once (C - 2) eps (e^v - 1) is large, so the range is trimmed where that
    reaches 50 (the integrand is then below e^-50) and split into panels of
    width ~1. Only used for C = r + s + x + 1 > 2 (large x), where hyp2f1 fails.
    """
    c = r + s + x + 1.0
    eps = (beta + t) / (alpha + t)
    v_end = -np.log(eps)
    v_cut = np.log1p(50.0 * (1.0 - eps) / (np.maximum(c - 2.0, 1e-300) * eps))
    v_max = np.minimum(v_end, v_cut)
    width = v_max / _GL_PANELS
    offsets = np.arange(_GL_PANELS)[:, None] + (_GL_NODES[None, :] + 1.0) / 2.0  # (panels, nodes)
    v = offsets[None, :, :] * width[:, None, None]
    log_base = np.log1p(-eps[:, None, None] * np.expm1(v) / (1.0 - eps[:, None, None]))
    f = np.exp(-s * v + (c[:, None, None] - 2.0) * log_base)
    integral = np.sum(f * _GL_WEIGHTS[None, None, :], axis=(1, 2)) * width / 2.0
    return (c - 1.0) / (1.0 - eps) * integral


def _log_diff(log_a: FloatArray, log_b: FloatArray) -> FloatArray:
    """log(exp(log_a) - exp(log_b)), -inf where the difference is not positive, NaN where an input is.

    The difference is exactly 0 when t_x = T (a purchase on the last day).
    """
    diff = log_b - log_a
    positive = diff < 0
    safe = np.where(positive, diff, -1.0)
    out = np.where(positive, log_a + np.log(-np.expm1(safe)), -np.inf)
    return np.where(np.isnan(diff), np.nan, out)


def _pnbd_log_odds_inactive(
    r: float, alpha: float, s: float, beta: float, x: FloatArray, t_x: FloatArray, age: FloatArray
) -> FloatArray:
    """log of P(inactive) / P(active) at T: ``log(s / (r + s + x)) + log D`` (see _pnbd_objective)."""
    log_ratio = (r + x) * (np.log(alpha + age) - np.log(alpha + t_x)) + s * (
        np.log(beta + age) - np.log(beta + t_x)
    )
    g_tx = _pnbd_g(r, alpha, s, beta, x, t_x)
    g_age = _pnbd_g(r, alpha, s, beta, x, age)
    log_d = _log_diff(log_ratio + np.log(g_tx), np.log(g_age))
    return math.log(s) - np.log(r + s + x) + log_d


def _pnbd_mean_if_active(
    t: FloatArray, r: float, alpha: float, s: float, beta: float, x: FloatArray, age: FloatArray
) -> FloatArray:
    """E[purchases in (T, T + t] | active at T, x]: ``(r+x)/(alpha+T) (beta+T) [1 - q^(s-1)]/(s-1)``.

    With L = log(1 + t/(beta + T)) = -log q, ``[1 - q^(s-1)]/(s-1) = L exprel(-(s-1) L)``,
    which is L at s = 1 instead of 0/0.
    """
    big_l = np.log1p(t / (beta + age))
    return (r + x) / (alpha + age) * (beta + age) * big_l * exprel(-(s - 1.0) * big_l)

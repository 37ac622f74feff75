"""The BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy way")."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import ArrayLike
from scipy.linalg import eigh_tridiagonal
from scipy.special import betaln, digamma, expit, gammaln

from ._fitting import (
    FloatArray,
    _checked,
    _checked_t,
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

# --- BG/NBD -------------------------------------------------------------------------


@dataclass(frozen=True)
class BetaGeoModel:
    """A fitted BG/NBD model (Fader, Hardie & Lee 2005).

    While active a client buys at Poisson rate ``lambda ~ Gamma(r, alpha)``;
    after each repeat purchase they drop out with probability
    ``p ~ Beta(a, b)``. Times are in the unit of the data the model was fitted
    on (``alpha`` is in that unit).

    Attributes
    ----------
    r, alpha, a, b : float
        Parameters.
    log_likelihood : float
        Maximised log-likelihood of the fitted data.
    n : int
        Number of clients fitted.
    """

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    n: int

    def p_alive(self, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> FloatArray | float:
        """Probability a client with history (x, t_x, T) is still active at T.

        ``1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x))``
        (FHL 2005, eq. 13): 1 for a client without a repeat purchase.

        Examples
        --------
        >>> m = BetaGeoModel(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=-9582.4, n=2357)
        >>> round(m.p_alive(2, 30.43, 38.86), 3)
        0.727
        """
        x, t_x, age = _checked(x, t_x, T, allow_empty=True)
        return _scalar_or_array(
            expit(-_bgnbd_log_odds_inactive(self.r, self.alpha, self.a, self.b, x, t_x, age))
        )

    def expected_purchases(
        self, t: ArrayLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike
    ) -> FloatArray | float:
        """Expected number of purchases in (T, T + t] given the history (x, t_x, T).

        FHL 2005 eq. 10, computed through Euler's transformation of its 2F1 (see
        :func:`_bgnbd_mean_if_active`), which stays accurate for large x.

        Examples
        --------
        >>> m = BetaGeoModel(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=-9582.4, n=2357)
        >>> round(m.expected_purchases(39, 2, 30.43, 38.86), 3)
        1.226
        """
        x, t_x, age = _checked(x, t_x, T, allow_empty=True)
        t = _checked_t(t)
        p = expit(-_bgnbd_log_odds_inactive(self.r, self.alpha, self.a, self.b, x, t_x, age))
        mean = _bgnbd_mean_if_active(t, self.r, self.alpha, self.a, self.b, x, age)
        return _scalar_or_array(p * mean)

    def expected_purchases_new(self, t: ArrayLike) -> FloatArray | float:
        """Expected purchases in (0, t] of a new client (repeat purchases, E[X(t)]).

        Examples
        --------
        >>> m = BetaGeoModel(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=-9582.4, n=2357)
        >>> round(m.expected_purchases_new(39), 3)
        1.197
        """
        t = _checked_t(t)
        zero = np.zeros_like(t)
        return _scalar_or_array(_bgnbd_mean_if_active(t, self.r, self.alpha, self.a, self.b, zero, zero))

    def purchase_interval(self, x: ArrayLike, t_x: ArrayLike) -> FloatArray | float:
        """Expected time between purchases while active: ``(alpha + t_x) / (r + x)``.

        The reciprocal of the posterior mean purchase rate given the x repeat
        purchases seen while the client was certainly active, in (0, t_x]:
        ``lambda | x, t_x ~ Gamma(r + x, alpha + t_x)``. The silence since t_x is
        left out on purpose: it is what the rhythm is compared with (see
        :func:`clv_scores`), and counting it would stretch the rhythm with every
        silent day. (E[1/lambda] would be infinite for r + x <= 1, so the
        reciprocal of the mean rate is used.)
        """
        return _purchase_interval(self.r, self.alpha, x, t_x)

    @property
    def params(self) -> dict[str, float]:
        """The parameters as a dict."""
        return {"r": self.r, "alpha": self.alpha, "a": self.a, "b": self.b}


def fit_bgnbd(frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> BetaGeoModel:
    """Fit the BG/NBD model by maximum likelihood.

    The log-likelihood (FHL 2005, eq. 6) is written with ``gammaln``/``betaln``
    and an analytic gradient, maximised over log-parameters with a bounded
    L-BFGS-B on time rescaled to the longest T. Special functions of the
    frequency are evaluated once per distinct frequency, so a fit costs a few
    vectorised passes over the clients per iteration.

    Parameters
    ----------
    frequency : array-like
        Repeat purchases x (whole numbers >= 0; 0 for single-purchase clients).
    recency : array-like
        t_x, time from first to last purchase (0 when x = 0).
    T : array-like
        Time from first purchase to the end of observation, same unit.

    Returns
    -------
    BetaGeoModel

    Raises
    ------
    InputError
        For invalid values (all reported at once), or when no client made a
        repeat purchase (the model is then not identified).

    Examples
    --------
    >>> from reconnect_lib.clv import simulate_bgnbd
    >>> data = simulate_bgnbd(np.full(20_000, 52.0), r=0.25, alpha=4.0, a=0.8, b=2.5, seed=1)
    >>> m = fit_bgnbd(data["frequency"], data["recency"], data["T"])
    >>> round(m.r, 2), round(m.alpha, 1), round(m.a, 2), round(m.b, 1)
    (0.25, 4.0, 0.8, 2.4)
    """
    x, t_x, age = _checked(frequency, recency, T)
    _require_repeats(x, "BG/NBD")
    scale = _fit_scale(age)
    data = _histories(x, t_x / scale, age / scale)
    nll = _bgnbd_objective(data)
    theta = _minimize(nll, _start(data), jac=True, model="BG/NBD")
    r, alpha, a, b = np.exp(theta)
    ll = -nll(theta)[0] * data.n - data.sum_x * math.log(scale)
    return BetaGeoModel(
        r=float(r),
        alpha=float(alpha * scale),
        a=float(a),
        b=float(b),
        log_likelihood=float(ll),
        n=int(data.n),
    )


def _bgnbd_objective(data: _Histories) -> Callable[[FloatArray], tuple[float, FloatArray]]:
    """Mean negative log-likelihood of BG/NBD and its gradient in log-parameters.

    Per client (FHL 2005, eq. 6, rearranged with
    B(a + 1, b + x - 1) = B(a, b + x) a / (b + x - 1))::

        ll = log G(r + x) - log G(r) + r log(alpha) + log B(a, b + x) - log B(a, b)
             - (r + x) log(alpha + T) + [x > 0] softplus(z)
        z  = log a - log(b + x - 1) + (r + x) (log(alpha + T) - log(alpha + t_x))

    so a single-purchase client (x = 0) never touches B(a + 1, b - 1). The
    gradient follows by differentiating each term (digamma for the gamma and
    beta functions, sigmoid(z) for softplus).
    """
    n, ux, counts = data.n, data.ux, data.counts
    age, w, wx = data.age, data.w, data.w * data.x
    rep = data.repeat
    xr, txr, wr = data.x[rep], data.t_x[rep], data.w[rep]

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        r, alpha, a, b = np.exp(theta)
        log_at = np.log(alpha + age)
        inv_at = 1.0 / (alpha + age)
        log_ax = np.log(alpha + txr)
        gap = log_at[rep] - log_ax
        z = math.log(a) - np.log(b + xr - 1.0) + (r + xr) * gap
        softplus, sigmoid = _softplus_and_sigmoid(z)
        wsig = wr * sigmoid
        sum_log_at = _dot(w, log_at)
        ll = (
            _dot(counts, gammaln(r + ux))
            - n * gammaln(r)
            + n * r * math.log(alpha)
            + _dot(counts, betaln(a, b + ux))
            - n * betaln(a, b)
            - r * sum_log_at
            - _dot(wx, log_at)
            + _dot(wr, softplus)
        )
        psi_abx = digamma(a + b + ux)
        d_r = (
            _dot(counts, digamma(r + ux))
            - n * digamma(r)
            + n * math.log(alpha)
            - sum_log_at
            + _dot(wsig, gap)
        )
        d_alpha = (
            n * r / alpha
            - r * _dot(w, inv_at)
            - _dot(wx, inv_at)
            + _dot(wsig * (r + xr), inv_at[rep] - 1.0 / (alpha + txr))
        )
        d_a = n * digamma(a + b) - _dot(counts, psi_abx) + np.sum(wsig) / a
        d_b = (
            _dot(counts, digamma(b + ux) - psi_abx)
            - n * (digamma(b) - digamma(a + b))
            - _dot(wsig, 1.0 / (b + xr - 1.0))
        )
        grad = np.array([d_r * r, d_alpha * alpha, d_a * a, d_b * b])
        return -ll / n, -grad / n

    return objective


def _bgnbd_log_odds_inactive(
    r: float, alpha: float, a: float, b: float, x: FloatArray, t_x: FloatArray, age: FloatArray
) -> FloatArray:
    """log of P(inactive) / P(active) at T; -inf (certainly active) for x = 0."""
    x_rep = np.maximum(x, 1.0)  # keeps log(b + x - 1) defined where x = 0 is masked out
    z = math.log(a) - np.log(b + x_rep - 1) + (r + x) * (np.log(alpha + age) - np.log(alpha + t_x))
    return np.where(x > 0, z, -np.inf)


# Half-width of the bracket used around the removable singularities of the
# conditional expectation (at a = 1 and a + b + x = 1): the value there is the
# linear interpolation of the two sides, exact to O(delta^2) ~ 1e-8 relative,
# while each side still has ~1e-11 relative accuracy despite the cancellation.
_SINGULAR_DELTA: Final = 1e-4


def _bgnbd_mean_if_active(
    t: FloatArray, r: float, alpha: float, a: float, b: float, x: FloatArray, age: FloatArray
) -> FloatArray:
    """E[purchases in (T, T + t] | active at T, x] under BG/NBD.

    FHL 2005 eq. 10 without its P(active) factor::

        (a + b + x - 1) / (a - 1) * [1 - ((alpha + T)/(alpha + T + t))^(r + x)
                                        * 2F1(r + x, b + x; a + b + x - 1; z)],
        z = t / (alpha + T + t).

    Euler's transformation 2F1(A, B; C; z) = (1 - z)^(C - A - B) 2F1(C - A, C - B; C; z)
    turns the bracket into ``1 - (1 - z)^(a - 1) 2F1(a + b - 1 - r, a - 1; a + b + x - 1; z)``:
    no parameter grows with x any more, so scipy's hyp2f1 stays accurate (the
    textbook form returns NaN from about x = 100). Checked against mpmath at 60
    digits to 1e-8 relative over r, a in [0.01, 20], b in [0.01, 30], x up to 3000.
    """
    if abs(a - 1.0) < _SINGULAR_DELTA:
        return _bracketed(lambda aa: _bgnbd_mean_euler(t, r, alpha, aa, b, x, age), a, 1.0)
    if abs(a + b - 1.0) < _SINGULAR_DELTA and np.any(x == 0):
        # 2F1's c = a + b + x - 1 vanishes for x = 0: bracket b instead (a is not
        # near 1 here, so b = 1 - a +- delta stays positive and a - 1 nonzero).
        return _bracketed(lambda bb: _bgnbd_mean_euler(t, r, alpha, a, bb, x, age), b, 1.0 - a)
    return _bgnbd_mean_euler(t, r, alpha, a, b, x, age)


def _bgnbd_mean_euler(
    t: FloatArray, r: float, alpha: float, a: float, b: float, x: FloatArray, age: FloatArray
) -> FloatArray:
    t, x, age = np.broadcast_arrays(*(np.asarray(v, dtype="float64") for v in (t, x, age)))
    eps = a - 1.0
    u = t / (alpha + age)
    log1m_z = -np.log1p(u)
    z = u / (1.0 + u)
    c = a + b + x - 1.0
    f = _hyp2f1(a + b - 1.0 - r, eps, c, z)
    power = np.exp(eps * log1m_z)
    # For a in the thousands (a fit on a flat ridge, where a, b -> oo) the power
    # underflows to 0 while 2F1 overflows: 0 * inf, handled below.
    with np.errstate(invalid="ignore"):
        bracket = -np.expm1(eps * log1m_z) - power * (f - 1.0)
        value = np.array(c / eps * bracket, dtype="float64")
    failed = ~np.isfinite(value)
    if failed.any():
        value[failed] = _bgnbd_mean_quadrature(u[failed], r, a, b, x[failed])
    # The exact value is >= 0 (a mean count); rounding can leave -1e-17 for tiny t.
    return np.maximum(value, 0.0)


def _bgnbd_mean_quadrature(u: FloatArray, r: float, a: float, b: float, x: FloatArray) -> FloatArray:
    """E_p[(1 - (1 + p u)^-(r + x)) / p] over p ~ Beta(a, b + x), by Gauss-Jacobi quadrature.

    The defining integral of the closed form (the mean of ``(1 - e^(-lambda p t))/p``
    over the posterior of lambda, then p). Used only where the closed form
    overflows, i.e. for a in the thousands: p's posterior is then narrow, and 32
    nodes placed by it integrate the smooth integrand to ~1e-6 or better (for
    small a the integrand can have a sharp corner near p = 0 and the closed form
    is the accurate one).
    """
    out = np.empty_like(u)
    for bx in np.unique(x):
        here = x == bx
        p, w = _beta_gauss_nodes(a, b + bx)
        k = r + bx
        g = -np.expm1(-k * np.log1p(p[None, :] * u[here][:, None])) / p[None, :]
        out[here] = g @ w
    return out


def _beta_gauss_nodes(a: float, b: float, n: int = 32) -> tuple[FloatArray, FloatArray]:
    """Gauss nodes in (0, 1) and weights (summing to 1) for the Beta(a, b) distribution.

    Golub-Welsch on the Jacobi recurrence with alpha = b - 1, beta = a - 1 on
    [-1, 1]. scipy's roots_jacobi scales its weights by 2^(a + b - 1) B(a, b),
    which overflows for a + b above ~1000; normalised weights never do.
    """
    al, be = b - 1.0, a - 1.0
    k = np.arange(n, dtype="float64")
    s = 2.0 * k + al + be
    diag = np.empty(n)
    diag[0] = (be - al) / (al + be + 2.0)
    diag[1:] = (be * be - al * al) / (s[1:] * (s[1:] + 2.0))
    k1, s1 = k[1:], s[1:]
    off = np.sqrt(4.0 * k1 * (k1 + al) * (k1 + be) * (k1 + al + be) / (s1 * s1 * (s1 + 1.0) * (s1 - 1.0)))
    y, vectors = eigh_tridiagonal(diag, off)
    w = vectors[0] ** 2
    return (1.0 + y) / 2.0, w / w.sum()


def _bracketed(f: Callable[[float], FloatArray], value: float, singular: float) -> FloatArray:
    lo, hi = singular - _SINGULAR_DELTA, singular + _SINGULAR_DELTA
    w = (value - lo) / (hi - lo)
    return (1.0 - w) * f(lo) + w * f(hi)

"""Client summaries drawn from the BG/NBD generative process."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .columns import AGE, FREQUENCY, RECENCY

# --- simulation ---------------------------------------------------------------------


def simulate_bgnbd(
    T: ArrayLike,
    *,
    r: float,
    alpha: float,
    a: float,
    b: float,
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Draw client summaries from the BG/NBD generative process.

    Each client gets ``lambda ~ Gamma(r, alpha)`` and ``p ~ Beta(a, b)``; the
    number of repeat purchases before dropping out is geometric (``p`` after
    each repeat purchase), the purchase count in (0, T] is Poisson(lambda T),
    and x is the smaller of the two. Given N purchases in (0, T], the x-th
    falls at T times a Beta(x, N - x + 1) draw (the x-th of N uniform order
    statistics), so the whole draw is vectorised.

    Parameters
    ----------
    T : array-like
        Observation length per client (one client per value).
    r, alpha, a, b : float
        BG/NBD parameters, ``alpha`` in the unit of T.
    seed : int or numpy.random.Generator, optional
        Seed or generator; the global random state is never used.

    Returns
    -------
    pandas.DataFrame
        Columns ``frequency``, ``recency``, ``T``.

    Examples
    --------
    >>> sim = simulate_bgnbd(np.full(3, 39.0), r=0.243, alpha=4.414, a=0.793, b=2.426, seed=7)
    >>> list(sim.columns)
    ['frequency', 'recency', 'T']
    """
    rng = np.random.default_rng(seed)
    age = np.ravel(np.asarray(T, dtype="float64"))
    n = age.size
    lam = rng.gamma(r, 1.0 / alpha, n)
    # Beta draws with small a can underflow to 0; a geometric with p = 0 is undefined.
    p = np.clip(rng.beta(a, b, n), np.finfo("float64").tiny, 1.0)
    lifetime_purchases = rng.geometric(p)
    in_window = rng.poisson(lam * age)
    x = np.minimum(lifetime_purchases, in_window)
    has = x > 0
    t_x = np.zeros(n)
    t_x[has] = age[has] * rng.beta(x[has], in_window[has] - x[has] + 1)
    return pd.DataFrame({FREQUENCY: x.astype("int64"), RECENCY: t_x, AGE: age})

"""Value: what each client is worth, the chance of winning them back, and the order to call them in.

Three ideas, each documented where it is computed:

- **RFM** (:func:`value_scores`): recency, frequency and monetary scores 1–5 by
  quintile, and the named segment analysts know, from a rule table on recency
  and the combined frequency/monetary score (:data:`DEFAULT_SEGMENTS`).
- **Chance of winning back** (:func:`win_back_chance`): per dormancy bucket, a
  Beta prior (about 50 % for a recent lapse, lower the longer the silence)
  updated by the campaign's own outcomes as they come in.
- **Value and priority** (:func:`value_scores`): the value at stake (a year of
  the client's business), the expected value (value at stake × chance), and
  ranks within each bucket and overall.

Written once over narwhals: pandas in gives pandas out, Polars in gives Polars
out. :func:`win_back_chance` is a small per-bucket table and always pandas.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import pairwise
from numbers import Real
from typing import Any, TypeVar

import narwhals as nw
import numpy as np
import pandas as pd

from . import _frames as fr
from .config import DEFAULT_EDGES_MONTHS
from .dormancy import bucket_labels, check_edges, check_labels
from .errors import ConfigError, InputError, Problem
from .options import BASIS_CHOICES, ValueBasis
from .schema import (
    ALPHA,
    BETA,
    BUCKET_ORDER,
    BUCKET_RANK,
    CLIENT_ID,
    CLIENT_SHARE,
    CLIENTS,
    CONTACTED,
    CUMULATIVE_SHARE,
    DAYS_BIN,
    DAYS_DORMANT,
    DAYS_HIGH,
    DAYS_LOW,
    DORMANCY_BUCKET,
    DUE,
    EXPECTED_VALUE,
    F_SCORE,
    M_SCORE,
    MEASURE,
    N_PURCHASES,
    NAME,
    PRIOR_MEAN,
    PRIORITY_RANK,
    R_SCORE,
    RFM_SEGMENT,
    TOTAL_REVENUE,
    VALUE,
    VALUE_AT_STAKE,
    VALUE_BIN,
    VALUE_HIGH,
    VALUE_LOW,
    VALUE_SCORE,
    WIN_BACK_CHANCE,
    WON_BACK,
    YEARLY_REVENUE,
)

FrameT = TypeVar("FrameT")


#: A rectangle of the RFM grid: ((r_low, r_high), (fm_low, fm_high)), bounds included.
Rect = tuple[tuple[int, int], tuple[int, int]]

#: The default segment rule table, on the recency score ``r`` and the combined
#: frequency/monetary score ``fm`` (see :func:`value_scores`). Every one of the
#: 25 (r, fm) cells falls in exactly one segment::
#:
#:     r \ fm        1                2               3               4            5
#:     5      New Customers   Potential Loyalist  Potential L.     Champions     Champions
#:     4      Promising       Potential Loyalist  Potential L.     Loyal         Loyal
#:     3      About to Sleep  About to Sleep      Need Attention   Loyal         Loyal
#:     2      Hibernating     Hibernating         At Risk          At Risk       Can't Lose Them
#:     1      Lost            Lost                At Risk          At Risk       Can't Lose Them
#:
#: Pass your own mapping (segment name -> one rectangle or a list of
#: rectangles) as ``segments=`` to use other rules; it must cover the grid
#: exactly once too.
DEFAULT_SEGMENTS: dict[str, Rect | Sequence[Rect]] = {
    "Champions": ((5, 5), (4, 5)),
    "Loyal": ((3, 4), (4, 5)),
    "Potential Loyalist": ((4, 5), (2, 3)),
    "New Customers": ((5, 5), (1, 1)),
    "Promising": ((4, 4), (1, 1)),
    "Need Attention": ((3, 3), (3, 3)),
    "About to Sleep": ((3, 3), (1, 2)),
    "At Risk": ((1, 2), (3, 4)),
    "Can't Lose Them": ((1, 2), (5, 5)),
    "Hibernating": ((2, 2), (1, 2)),
    "Lost": ((1, 1), (1, 2)),
}

#: Default prior chance of winning a client back, by how long they have been
#: dormant (the lower edge of their bucket, in months). About 50 % for a recent
#: lapse (the phone/email field report: over half of 3,000 forgotten clients
#: signed up again), falling the longer the silence. Active clients are not
#: lapsed; their 60 % only orders them if they are ever planned.
PRIOR_ANCHORS: tuple[tuple[int, float], ...] = ((0, 0.60), (6, 0.50), (12, 0.35), (24, 0.25), (36, 0.15))

SCORES = (1, 2, 3, 4, 5)

_HINT_SEGMENTS = "start from reconnect_lib.value.DEFAULT_SEGMENTS and change the ranges"
_HINT_BUCKETED = "pass the output of reconnect_lib.dormancy.dormancy_buckets"

_R_KEY = "__r_key"
_F_KEY = "__f_key"
_M_KEY = "__m_key"
_V_KEY = "__v_key"
_ID_KEY = "__id_key"
_B_KEY = "__bucket_key"
_FM = "__fm"
_R_RANK = "__r_rank"
_F_RANK = "__f_rank"
_M_RANK = "__m_rank"
_N = "__n"
_N_F = "__n_f"


# --- segments ------------------------------------------------------------------------


def _is_rect(value: object) -> bool:
    return (
        isinstance(value, Sequence)
        and len(value) == 2
        and all(
            isinstance(pair, Sequence)
            and len(pair) == 2
            and all(isinstance(b, int) and not isinstance(b, bool) for b in pair)
            for pair in value
        )
    )


def _segment_rules(segments: Mapping[str, Rect | Sequence[Rect]] | None) -> list[tuple[str, Rect]]:
    """The rule table as (name, rectangle) pairs, validated to cover the grid exactly once."""
    table = DEFAULT_SEGMENTS if segments is None else segments
    if not isinstance(table, Mapping) or not table:
        raise ConfigError(
            f"segments={segments!r} is not a segment rule table",
            expected="a mapping of segment name -> ((r_low, r_high), (fm_low, fm_high)) or a list of those",
        )
    rules: list[tuple[str, Rect]] = []
    problems: list[Problem] = []
    for name, value in table.items():
        rects = [value] if _is_rect(value) else value
        if not isinstance(rects, Sequence) or not rects or not all(_is_rect(r) for r in rects):
            problems.append(
                Problem(
                    f"segment {name!r} = {value!r} is not a rectangle of the grid",
                    expected="((r_low, r_high), (fm_low, fm_high)) or a list of those, whole scores 1-5",
                )
            )
            continue
        for (r_lo, r_hi), (fm_lo, fm_hi) in rects:
            if not (1 <= r_lo <= r_hi <= 5 and 1 <= fm_lo <= fm_hi <= 5):
                problems.append(
                    Problem(
                        f"segment {name!r} has ranges r {r_lo}-{r_hi}, fm {fm_lo}-{fm_hi}",
                        expected="low <= high, both within 1-5",
                    )
                )
            rules.append((str(name), ((r_lo, r_hi), (fm_lo, fm_hi))))
    if not problems:
        owners: dict[tuple[int, int], list[str]] = {(r, fm): [] for r in SCORES for fm in SCORES}
        for name, ((r_lo, r_hi), (fm_lo, fm_hi)) in rules:
            for r in range(r_lo, r_hi + 1):
                for fm in range(fm_lo, fm_hi + 1):
                    owners[(r, fm)].append(name)
        missing = [cell for cell, names in owners.items() if not names]
        overlaps = {cell: names for cell, names in owners.items() if len(names) > 1}
        if missing:
            cells = ", ".join(f"(r={r}, fm={fm})" for r, fm in missing)
            problems.append(
                Problem(
                    f"no segment covers {cells}",
                    expected="every (r, fm) cell in one segment",
                    hint=_HINT_SEGMENTS,
                )
            )
        if overlaps:
            cells = ", ".join(f"(r={r}, fm={fm}): {' and '.join(n)}" for (r, fm), n in overlaps.items())
            problems.append(
                Problem(
                    f"cells in more than one segment: {cells}",
                    expected="one segment per cell",
                    hint=_HINT_SEGMENTS,
                )
            )
    if problems:
        raise ConfigError.from_problems(problems)
    return rules


def segment_grid(segments: Mapping[str, Rect | Sequence[Rect]] | None = None) -> dict[tuple[int, int], str]:
    """The segment of every (r, fm) cell of the RFM grid, after validating the rule table.

    Parameters
    ----------
    segments : mapping, optional
        Segment name -> ``((r_low, r_high), (fm_low, fm_high))`` or a list of
        such rectangles; :data:`DEFAULT_SEGMENTS` when omitted.

    Returns
    -------
    dict
        ``{(r, fm): segment}`` for the 25 cells.

    Raises
    ------
    ConfigError
        A rectangle is malformed, or a cell is covered by no segment or by more
        than one (every cell is listed).

    Examples
    --------
    >>> segment_grid()[(5, 5)], segment_grid()[(1, 5)], segment_grid()[(1, 1)]
    ('Champions', "Can't Lose Them", 'Lost')
    """
    grid = {}
    for name, ((r_lo, r_hi), (fm_lo, fm_hi)) in _segment_rules(segments):
        for r in range(r_lo, r_hi + 1):
            for fm in range(fm_lo, fm_hi + 1):
                grid[(r, fm)] = name
    return dict(sorted(grid.items()))


def fm_score(f: int | None, m: int) -> int:
    """The combined frequency/monetary score: the mean of f and m rounded half up, or m when f is unknown.

    Examples
    --------
    >>> fm_score(4, 5), fm_score(1, 2), fm_score(None, 3)
    (5, 2, 3)
    """
    return m if f is None else (f + m + 1) // 2


def _fm_expr() -> nw.Expr:
    # (f + m + 1) // 2 with m standing in for an unknown f, as (2m + 1) // 2 == m.
    # Arithmetic rather than when/then: on pandas 2.2 a `where` mixing the int
    # and float branches warns about downcasting.
    f, m = nw.col(F_SCORE), nw.col(M_SCORE)
    return ((nw.coalesce(f, m) + m + 1) // 2).cast(nw.Int64)


def _segment_expr(segments: Mapping[str, Rect | Sequence[Rect]] | None, fm: str) -> nw.Expr:
    # One lookup on the cell number 10 * r + fm: ten times faster on pandas than a
    # when/then chain of rectangles, and `default=None` keeps it portable to DuckDB.
    cells = {10 * r + c: name for (r, c), name in segment_grid(segments).items()}
    return (nw.col(R_SCORE) * 10 + nw.col(fm)).replace_strict(cells, default=None, return_dtype=nw.String)


# --- chance of winning back ----------------------------------------------------------


def default_prior_means(edges_months: Sequence[int] = DEFAULT_EDGES_MONTHS) -> dict[str, float]:
    """The default prior win-back chance of each bucket.

    Read off :data:`PRIOR_ANCHORS` at the bucket's lower edge in months, by
    linear interpolation (flat past 36 months), so the default edges give
    exactly the documented values and other edges get values in keeping with
    them.

    Parameters
    ----------
    edges_months : sequence of int
        Bucket edges in months.

    Returns
    -------
    dict
        Bucket label -> prior mean, in bucket order.

    Examples
    --------
    >>> list(default_prior_means().values())
    [0.6, 0.5, 0.35, 0.25, 0.15]
    >>> default_prior_means((3, 18))["3–18 months"]
    0.55
    """
    edges = check_edges(edges_months)
    xs, ys = zip(*PRIOR_ANCHORS, strict=True)
    lower_edges = (0, *edges)
    return {
        label: round(float(np.interp(low, xs, ys)), 6)
        for label, low in zip(bucket_labels(edges), lower_edges, strict=True)
    }


def _check_prior(prior: Mapping[str, float] | None, labels: list[str]) -> dict[str, float]:
    if prior is None:
        return {}
    if not isinstance(prior, Mapping):
        raise ConfigError(
            f"prior={prior!r} is not a mapping", expected="bucket label -> chance between 0 and 1"
        )
    problems = []
    for label, p in prior.items():
        if label not in labels:
            problems.append(
                Problem(
                    f"prior for unknown bucket {label!r}",
                    expected=f"one of {', '.join(repr(lab) for lab in labels)}",
                    hint="bucket labels follow edges_months; see reconnect_lib.dormancy.bucket_labels",
                )
            )
        elif isinstance(p, bool) or not isinstance(p, Real) or not 0 < p < 1:
            problems.append(
                Problem(f"prior for {label!r} is {p!r}", expected="a chance strictly between 0 and 1")
            )
    if problems:
        raise ConfigError.from_problems(problems)
    return {label: float(p) for label, p in prior.items()}


def _whole(value: object) -> int | None:
    """`value` as a non-negative whole number, or None."""
    if isinstance(value, bool) or not isinstance(value, Real):
        return None
    number = float(value)
    if math.isnan(number) or not number.is_integer() or number < 0:
        return None
    return int(number)


def _observed_counts(observed: Any, labels: list[str]) -> dict[str, tuple[int, int]]:
    """Contacted and won-back counts per bucket, summed over the rows of `observed`."""
    counts = {label: (0, 0) for label in labels}
    if observed is None:
        return counts
    frame = fr.as_frame(observed, "observed")
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect()
    hint = "observed is one row per bucket (or more) with dormancy_bucket, contacted, won_back"
    fr.require_columns(frame, [DORMANCY_BUCKET, CONTACTED, WON_BACK], "observed", hint)
    problems = []
    for row, (label, contacted, won) in enumerate(
        frame.select(DORMANCY_BUCKET, CONTACTED, WON_BACK).iter_rows(), 1
    ):
        n, k = _whole(contacted), _whole(won)
        if label not in counts:
            problems.append(
                Problem(
                    f"unknown dormancy bucket {label!r}",
                    column=DORMANCY_BUCKET,
                    rows=[row],
                    expected=f"one of {', '.join(repr(lab) for lab in labels)}",
                )
            )
        elif n is None or k is None:
            problems.append(
                Problem(
                    f"counts {contacted!r} contacted, {won!r} won back are not whole numbers >= 0",
                    column=CONTACTED if n is None else WON_BACK,
                    rows=[row],
                )
            )
        elif k > n:
            problems.append(
                Problem(
                    f"{k} won back out of {n} contacted",
                    column=WON_BACK,
                    rows=[row],
                    expected="won_back <= contacted",
                )
            )
        else:
            done, won_so_far = counts[label]
            counts[label] = (done + n, won_so_far + k)
    if problems:
        raise InputError.from_problems(problems, file="observed")
    return counts


def win_back_chance(
    *,
    edges_months: Sequence[int] = DEFAULT_EDGES_MONTHS,
    prior: Mapping[str, float] | None = None,
    prior_strength: float = 20.0,
    observed: Any = None,
) -> pd.DataFrame:
    """The chance of winning back a client of each dormancy bucket.

    A Beta prior per bucket, with mean `prior` and ``alpha + beta =
    prior_strength`` (worth that many observed clients), is updated by the
    campaign's observed outcomes: the chance is the posterior mean ``(alpha +
    won_back) / (alpha + beta + contacted)``. With no outcomes it is the prior;
    as outcomes accumulate it moves to the observed rate.

    Default priors (:func:`default_prior_means`): active (< 6 months) 0.60 (not
    lapsed; used only for ordering if ever planned), 6–12 months 0.50 (the
    field report's "over 50 %"), 1–2 years 0.35, 2–3 years 0.25, 3 years and
    more 0.15. For other edges each bucket's default is interpolated on its
    lower edge in months.

    Parameters
    ----------
    edges_months : sequence of int
        Bucket edges in months.
    prior : mapping, optional
        Bucket label -> prior mean, strictly between 0 and 1. Buckets left out
        keep their default.
    prior_strength : float
        ``alpha + beta``, > 0: how many outcomes the prior is worth.
    observed : DataFrame, optional
        Columns ``dormancy_bucket``, ``contacted``, ``won_back`` (whole numbers,
        ``won_back <= contacted``); several rows for one bucket are added up.

    Returns
    -------
    pandas.DataFrame
        One row per bucket in order: ``dormancy_bucket`` (str),
        ``bucket_order`` (int64), ``prior_mean``, ``alpha``, ``beta`` (float64),
        ``contacted``, ``won_back`` (int64, 0 when nothing is observed),
        ``win_back_chance`` (float64, strictly between 0 and 1).

    Raises
    ------
    ConfigError
        Bad edges, a prior for an unknown bucket or outside (0, 1), or a
        non-positive `prior_strength`.
    InputError
        `observed` lacks a column, names an unknown bucket, or has counts that
        are negative, fractional or with more won back than contacted.

    Examples
    --------
    >>> import pandas as pd
    >>> seen = pd.DataFrame({"dormancy_bucket": ["6–12 months"], "contacted": [80], "won_back": [60]})
    >>> win_back_chance(observed=seen)[["dormancy_bucket", "win_back_chance"]]
           dormancy_bucket  win_back_chance
    0  active (< 6 months)             0.60
    1          6–12 months             0.70
    2            1–2 years             0.35
    3            2–3 years             0.25
    4     3 years and more             0.15
    """
    edges = check_edges(edges_months)
    labels = bucket_labels(edges)
    means = {**default_prior_means(edges), **_check_prior(prior, labels)}
    if (
        isinstance(prior_strength, bool)
        or not isinstance(prior_strength, Real)
        or not math.isfinite(prior_strength)
        or prior_strength <= 0
    ):
        raise ConfigError(f"prior_strength={prior_strength!r} is not valid", expected="a number > 0, e.g. 20")
    counts = _observed_counts(observed, labels)
    strength = float(prior_strength)
    alpha = [means[label] * strength for label in labels]
    beta = [(1 - means[label]) * strength for label in labels]
    contacted = [counts[label][0] for label in labels]
    won = [counts[label][1] for label in labels]
    chance = [(a + k) / (strength + n) for a, k, n in zip(alpha, won, contacted, strict=True)]
    return pd.DataFrame(
        {
            DORMANCY_BUCKET: labels,
            BUCKET_ORDER: np.arange(len(labels), dtype="int64"),
            PRIOR_MEAN: np.array([means[label] for label in labels], dtype="float64"),
            ALPHA: np.array(alpha, dtype="float64"),
            BETA: np.array(beta, dtype="float64"),
            CONTACTED: np.array(contacted, dtype="int64"),
            WON_BACK: np.array(won, dtype="int64"),
            WIN_BACK_CHANCE: np.array(chance, dtype="float64"),
        }
    )


# --- scores and ranks ----------------------------------------------------------------


def _quintile(rank: str, n: str) -> nw.Expr:
    """Score 1-5 from `rank`, an ordinal rank where 1 is the best of `n` clients.

    Ranked from the worst, the score is ``ceil(5 * rank / n)``. `rank` and `n`
    are plain columns, never window expressions: engines that inline SQL (DuckDB)
    would otherwise compute the same window once per use in the formula.
    """
    rank_, n_ = nw.col(rank), nw.col(n)
    return (5 * (n_ + 1 - rank_) + n_ - 1) // n_


def value_scores(
    bucketed: FrameT,
    *,
    basis: ValueBasis = "expected",
    prior: Mapping[str, float] | None = None,
    prior_strength: float = 20.0,
    observed: Any = None,
    segments: Mapping[str, Rect | Sequence[Rect]] | None = None,
    edges_months: Sequence[int] = DEFAULT_EDGES_MONTHS,
    stake: str = YEARLY_REVENUE,
) -> FrameT:
    """RFM scores and segment, value at stake, chance and expected value, and priority ranks.

    Parameters
    ----------
    bucketed : pandas or Polars DataFrame
        The output of :func:`reconnect_lib.dormancy.dormancy_buckets` (needs
        ``client_id``, ``days_dormant``, ``n_purchases``, ``total_revenue``,
        ``yearly_revenue``, ``dormancy_bucket``).
    basis : {"expected", "yearly", "total"}
        What ``value_score`` (and so the ranks) is: the expected value, the
        yearly revenue or the total revenue.
    prior, prior_strength, observed
        The chance of winning back, as in :func:`win_back_chance`.
    segments : mapping, optional
        The RFM segment rule table; :data:`DEFAULT_SEGMENTS` when omitted.
    edges_months : sequence of int
        The edges `bucketed` was bucketed with.
    stake : str
        The column whose value (negatives and unknowns as 0) is the value at
        stake: ``yearly_revenue`` by default; the BG/NBD value model passes
        :data:`reconnect_lib.clv.MODEL_YEARLY_VALUE`.

    Returns
    -------
    DataFrame
        Same type as `bucketed`, same rows in the same order, plus (pandas
        dtype):

        - ``r_score`` (int64), ``f_score`` (Int64), ``m_score`` (int64): 1-5 by
          quintile of ``days_dormant`` (fewest days -> 5; unknown counts as the
          longest), ``n_purchases`` and ``total_revenue`` (unknown counts as 0),
          from an ordinal rank with ``client_id`` as tie-break (so equal values
          may straddle a quintile edge, deterministically): ``ceil(5 * rank /
          n)`` with rank 1 the worst. ``f_score`` is null when ``n_purchases``
          is unknown (no transaction history) and those clients are left out of
          its ``n``.
        - ``rfm_segment`` (str): from the rule table on ``r`` and ``fm``, the
          mean of ``f`` and ``m`` rounded half up (``m`` alone when ``f`` is
          unknown); see :func:`fm_score` and :data:`DEFAULT_SEGMENTS`.
        - ``value_at_stake`` (float64): ``yearly_revenue``, what a year of the
          client's business was worth; a net refund (negative) counts as 0, and
          so does unknown revenue.
        - ``win_back_chance`` (float64): the bucket's chance
          (:func:`win_back_chance`).
        - ``expected_value`` (float64): ``value_at_stake * win_back_chance``,
          never more than ``value_at_stake``.
        - ``value_score`` (float64): per `basis`, ``expected_value``,
          ``yearly_revenue`` or ``total_revenue`` (unknown as 0).
        - ``bucket_rank`` (int64): 1 = highest ``value_score`` within the
          bucket; ``priority_rank`` (int64): 1 = highest overall. Both rank on
          whole cents, highest first, ``client_id`` ascending breaking ties, so
          they are permutations: 1..n overall, 1..k in a bucket of k.

    Raises
    ------
    ConfigError
        `basis` is not one of the choices, a bad prior or segment table, or
        bucket labels that are not those of `edges_months`.
    InputError
        A required column is missing, or `observed` is malformed.

    Examples
    --------
    >>> import pandas as pd
    >>> from reconnect_lib.dormancy import dormancy_buckets
    >>> base = pd.DataFrame({"client_id": ["a", "b", "c"], "days_dormant": [30, 300, 900],
    ...                      "n_purchases": [5, 2, 1], "total_revenue": [900.0, 1000.0, 300.0],
    ...                      "yearly_revenue": [300.0, 500.0, 100.0]})
    >>> scored = value_scores(dormancy_buckets(base))
    >>> scored[["client_id", "rfm_segment", "expected_value", "priority_rank"]]
      client_id  rfm_segment  expected_value  priority_rank
    0         a    Champions           180.0              2
    1         b        Loyal           250.0              1
    2         c  Hibernating            25.0              3
    """
    fr.check_choice("basis", basis, BASIS_CHOICES)
    edges = check_edges(edges_months)
    segment_grid(segments)  # validate before any work
    chances = win_back_chance(
        edges_months=edges, prior=prior, prior_strength=prior_strength, observed=observed
    )
    frame = fr.as_frame(bucketed, "bucketed")
    required = [CLIENT_ID, DAYS_DORMANT, N_PURCHASES, TOTAL_REVENUE, YEARLY_REVENUE, DORMANCY_BUCKET, stake]
    required = list(dict.fromkeys(required))
    fr.require_columns(frame, required, "bucketed", _HINT_BUCKETED)
    check_labels(frame, bucket_labels(edges))
    carried = [c for c in frame.collect_schema().names() if c not in _ADDED]
    frame, eager = fr.plan_whole(frame)

    chance_by_bucket = dict(zip(chances[DORMANCY_BUCKET], map(float, chances[WIN_BACK_CHANCE]), strict=True))
    frame = frame.with_columns(
        nw.col(DAYS_DORMANT).fill_null(fr.SENTINEL).cast(nw.Int64).alias(_R_KEY),
        nw.when(nw.col(N_PURCHASES).is_null())
        .then(nw.lit(fr.SENTINEL))
        .otherwise(-nw.col(N_PURCHASES))
        .cast(nw.Int64)
        .alias(_F_KEY),
        (-fr.cents(nw.col(TOTAL_REVENUE))).alias(_M_KEY),
        nw.col(stake).fill_null(0.0).clip(lower_bound=0.0).cast(nw.Float64).alias(VALUE_AT_STAKE),
        nw.col(DORMANCY_BUCKET)
        .replace_strict(chance_by_bucket, default=None, return_dtype=nw.Float64)
        .alias(WIN_BACK_CHANCE),
    )
    frame = frame.with_columns((nw.col(VALUE_AT_STAKE) * nw.col(WIN_BACK_CHANCE)).alias(EXPECTED_VALUE))
    basis_column = {"expected": EXPECTED_VALUE, "yearly": YEARLY_REVENUE, "total": TOTAL_REVENUE}[basis]
    frame = frame.with_columns(nw.col(basis_column).fill_null(0.0).cast(nw.Float64).alias(VALUE_SCORE))
    frame = frame.with_columns((-fr.cents(nw.col(VALUE_SCORE))).alias(_V_KEY))
    bucket_index = {label: i for i, label in enumerate(bucket_labels(edges))}
    # Every rank is an ordinal rank with the id as tie-break (best = 1); unknown
    # days, purchases and revenue carry the sentinel, so they rank last.
    ranks = (
        fr.Rank(_R_RANK, [_R_KEY, _ID_KEY]),
        fr.Rank(_F_RANK, [_F_KEY, _ID_KEY]),
        fr.Rank(_M_RANK, [_M_KEY, _ID_KEY]),
        fr.Rank(BUCKET_RANK, [_V_KEY, _ID_KEY], partition_by=_B_KEY),
        fr.Rank(PRIORITY_RANK, [_V_KEY, _ID_KEY]),
    )
    f_known = nw.col(_F_KEY) != fr.SENTINEL
    ranked = _ranked_in_numpy(frame, ranks, bucket_index) if not eager else None
    if ranked is not None:
        frame = ranked
    else:
        # The tie-break and the partition as keys that order and group the same as
        # `client_id` and the bucket label (see `fr.tie_break`).
        frame = frame.with_columns(
            fr.tie_break(frame, CLIENT_ID).alias(_ID_KEY),
            nw.col(DORMANCY_BUCKET)
            .replace_strict(bucket_index, default=None, return_dtype=nw.Int64)
            .alias(_B_KEY),
        )
        keys = [_ID_KEY, _B_KEY, _R_KEY, _F_KEY, _M_KEY, _V_KEY]
        # F is scored among the clients whose purchases are known only; at least 1
        # so that an empty frame divides by something.
        counts = (
            nw.max_horizontal(nw.col(_ID_KEY).count().cast(nw.Int64), nw.lit(1)).alias(_N),
            nw.max_horizontal(f_known.cast(nw.Int64).sum().cast(nw.Int64), nw.lit(1)).alias(_N_F),
        )
        if frame.implementation.is_duckdb():
            frame = _ranked_on_keys(frame, keys, ranks, counts)
        else:
            frame = fr.with_ranks(frame, keys, ranks)
            frame = frame.with_columns(*counts)
    frame = frame.with_columns(
        _quintile(_R_RANK, _N).cast(nw.Int64).alias(R_SCORE),
        # no `otherwise`: a null Int64 literal cannot be built on pandas.
        nw.when(f_known).then(_quintile(_F_RANK, _N_F)).alias(F_SCORE),
        _quintile(_M_RANK, _N).cast(nw.Int64).alias(M_SCORE),
    )
    frame = frame.with_columns(_fm_expr().alias(_FM))
    frame = frame.with_columns(_segment_expr(segments, _FM).alias(RFM_SEGMENT))
    frame = frame.select(*carried, *_ADDED)
    return fr.to_native(frame.collect() if eager else frame, PANDAS_DTYPES)


def _ranked_on_keys(frame: Any, keys: list[str], ranks: Sequence[fr.Rank], counts: Sequence[nw.Expr]) -> Any:
    """A DuckDB `frame` with `ranks` and `counts` added: windows over the keys only, joined back.

    DuckDB carries every column of a row through each window's sort, so the
    five rank windows over the whole client base (its text columns included)
    were most of ``value_scores`` (2.9 s of 4.8 s at 1.25M clients). The frame
    is computed once (a relation is a view: a narrow select joined back would
    compute the client base twice), ranked on a relation of just `keys` and
    joined back on the tie-break key (``client_id``, unique); the counts are
    one plain aggregate, not windows.
    """
    whole = nw.from_native(frame.to_native().materialize())
    ranked = fr.with_ranks(whole.select(*keys), keys, ranks)
    totals = whole.select(*counts).collect()
    joined = whole.join(ranked.select(_ID_KEY, *(r.name for r in ranks)), on=_ID_KEY, how="left")
    return joined.with_columns(
        *(nw.lit(int(totals.item(0, name)), nw.Int64).alias(name) for name in totals.columns)
    )


def _ranked_in_numpy(frame: Any, ranks: Sequence[fr.Rank], bucket_index: Mapping[str, int]) -> Any:
    """A pandas `frame` with `ranks` and the counts added, sorted with NumPy; None for any other frame.

    The same numbers as :func:`reconnect_lib._frames.with_ranks` with the keys
    :func:`value_scores` gives it (``client_id``'s order as the last key, the
    bucket's index as the partition, counts of the known ids and purchases), for
    a fraction of the time: the ids are sorted once (by Arrow), each rank is one
    argsort of an integer key combined with the ids' order, and the bucket rank
    a stable sort of the priority order by bucket. Each of narwhals' pandas
    windows sorts a frame and scatters the result back. None (the windows) when
    an id is missing or Arrow cannot order the ids (mixed Python objects).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (isinstance(frame, nw.DataFrame) and frame.implementation.is_pandas()):
        return None
    native = frame.to_native()
    ids = native[CLIENT_ID]
    if ids.isna().any():
        return None
    try:
        by_id = pc.sort_indices(pa.array(ids, from_pandas=True)).to_numpy()
        labels = pa.array(native[DORMANCY_BUCKET], from_pandas=True)
        bucket = pc.index_in(labels, value_set=pa.array(list(bucket_index))).to_numpy(zero_copy_only=False)
    except (pa.ArrowException, TypeError, ValueError):
        return None
    n = len(native)
    id_order = np.empty(n, dtype=np.int64)
    id_order[by_id] = np.arange(n)
    keys = {_B_KEY: np.asarray(bucket, dtype=np.int64)}
    keys |= {k: native[k].to_numpy(dtype=np.int64) for r in ranks for k in r.order_by if k != _ID_KEY}
    orders: dict[str, Any] = {}

    def ordered(key: str) -> Any:
        """Row positions in the order of `key`, then `client_id`."""
        if key not in orders:
            values = keys[key]
            low = int(values.min(initial=0))  # (initial: an empty frame)
            if int(values.max(initial=0)) - low < (2**62) // max(n, 1):  # one int64 key: (key, id order)
                orders[key] = np.argsort((values - low) * n + id_order)
            else:
                orders[key] = by_id[np.argsort(values[by_id], kind="stable")]
        return orders[key]

    added = {}
    for rank in ranks:
        (key,) = [k for k in rank.order_by if k != _ID_KEY]
        order = ordered(key)
        position = np.arange(1, n + 1)
        if rank.partition_by is not None:
            group = keys[rank.partition_by][order]
            within = np.argsort(group, kind="stable")
            order, group = order[within], group[within]
            position -= np.searchsorted(group, group)
        added[rank.name] = np.empty(n, dtype=np.int64)
        added[rank.name][order] = position
    added[_N] = np.full(n, max(n, 1), dtype=np.int64)
    n_f = int((keys[_F_KEY] != fr.SENTINEL).sum())
    added[_N_F] = np.full(n, max(n_f, 1), dtype=np.int64)
    return nw.from_native(native.assign(**added), eager_only=True)


_ADDED: tuple[str, ...] = (
    R_SCORE,
    F_SCORE,
    M_SCORE,
    RFM_SEGMENT,
    VALUE_AT_STAKE,
    WIN_BACK_CHANCE,
    EXPECTED_VALUE,
    VALUE_SCORE,
    BUCKET_RANK,
    PRIORITY_RANK,
)

#: Output dtypes of :func:`value_scores` on pandas.
PANDAS_DTYPES: dict[str, str] = {
    R_SCORE: "int64",
    F_SCORE: "Int64",
    M_SCORE: "int64",
    VALUE_AT_STAKE: "float64",
    WIN_BACK_CHANCE: "float64",
    EXPECTED_VALUE: "float64",
    VALUE_SCORE: "float64",
    BUCKET_RANK: "int64",
    PRIORITY_RANK: "int64",
}


def segment_table(scored: Any) -> Any:
    """Clients, revenue and value per RFM segment, largest revenue first.

    Parameters
    ----------
    scored : pandas or Polars DataFrame
        The output of :func:`value_scores`.

    Returns
    -------
    DataFrame
        Same engine as `scored`, one row per segment present: ``rfm_segment``,
        ``clients`` (int64), ``due`` (int64), ``total_revenue``,
        ``value_at_stake``, ``expected_value`` (float64); sorted by
        ``total_revenue`` descending, then segment name.

    Examples
    --------
    >>> import pandas as pd
    >>> from reconnect_lib.dormancy import dormancy_buckets
    >>> base = pd.DataFrame({"client_id": ["a", "b", "c"], "days_dormant": [10, 400, 1500],
    ...                      "n_purchases": [9, 2, 1], "total_revenue": [900.0, 200.0, 50.0],
    ...                      "yearly_revenue": [300.0, 50.0, 5.0]})
    >>> segment_table(value_scores(dormancy_buckets(base)))["clients"].sum()
    np.int64(3)
    """
    frame = fr.as_frame(scored, "scored")
    fr.require_columns(
        frame,
        [RFM_SEGMENT, DUE, TOTAL_REVENUE, VALUE_AT_STAKE, EXPECTED_VALUE],
        "scored",
        "pass the output of value_scores",
    )
    sums = (TOTAL_REVENUE, VALUE_AT_STAKE, EXPECTED_VALUE)
    # Plain column sums after one with_columns: narwhals runs these natively on pandas.
    table = (
        frame.with_columns(
            nw.col(DUE).fill_null(False).cast(nw.Int64),
            *(nw.col(c).fill_null(0.0).cast(nw.Float64) for c in sums),
        )
        .group_by(RFM_SEGMENT)
        .agg(nw.len().alias(CLIENTS), nw.col(DUE).sum(), *(nw.col(c).sum() for c in sums))
        .with_columns(nw.col(CLIENTS).cast(nw.Int64), nw.col(DUE).cast(nw.Int64))
    )
    if isinstance(table, nw.DataFrame):
        table = table.sort([TOTAL_REVENUE, RFM_SEGMENT], descending=[True, False])
    dtypes = {
        CLIENTS: "int64",
        DUE: "int64",
        TOTAL_REVENUE: "float64",
        VALUE_AT_STAKE: "float64",
        EXPECTED_VALUE: "float64",
    }
    return fr.to_native(table, dtypes, fresh_index=True)


# --- report aggregations: value against dormancy, and how concentrated revenue is -----

#: Default days-dormant bin edges of :func:`value_by_dormancy`: 0, 3, 6, 9, 12, 18,
#: 24, 30, 36, 48, 60, 84 and 120 months in days (the last bin is open-ended).
DORMANCY_DAY_BINS: tuple[int, ...] = (0, 91, 183, 274, 365, 548, 730, 913, 1096, 1461, 1826, 2557, 3653)

_HINT_SCORED = "pass the scored client base: reconnect_lib.scored_base(...).scored or value_scores(...)"


def _eager_pandas(native: Any, columns: Sequence[str], what: str) -> pd.DataFrame:
    """The `columns` of a pandas or Polars frame as a pandas frame (a selection: never modified)."""
    frame = fr.as_frame(native, what)
    fr.require_columns(frame, columns, what, _HINT_SCORED)
    if not isinstance(frame, nw.DataFrame):
        frame = frame.collect()
    return frame.select(*dict.fromkeys(columns)).to_pandas()


def _nonnegative(values: pd.Series) -> np.ndarray:
    """Money as float64, negatives (net refunds) and unknowns as 0."""
    return np.clip(pd.to_numeric(values, errors="coerce").astype("float64").fillna(0.0).to_numpy(), 0.0, None)


def _money_label(x: float) -> str:
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= size:
            return f"{x / size:g}{suffix}"
    return f"{x:g}"


def _nice_value_edges(values: np.ndarray) -> list[float]:
    """1-2-5 edges from the largest one at or below the smallest positive value to the largest
    one at or below the largest value (so the top bin, open-ended, holds the maximum)."""
    positive = values[values > 0]
    if positive.size == 0:
        return [1.0]
    low, high = float(positive.min()), float(positive.max())
    start = math.floor(math.log10(low))
    if 10.0**start > low:  # log10 rounded up (just under a power of ten): no edge would fit
        start -= 1
    edges: list[float] = []
    for power in range(start, math.floor(math.log10(high)) + 1):
        for mantissa in (1, 2, 5):
            edge = mantissa * 10.0**power
            if edge <= high and (not edges or edge > edges[-1]):
                edges.append(edge)
    below = [e for e in edges if e <= low]
    return edges[len(below) - 1 :] if below else edges


def _check_day_bins(day_bins: Sequence[int]) -> np.ndarray:
    try:
        edges = list(day_bins)
    except TypeError as err:
        raise ConfigError(
            f"day_bins={day_bins!r} is not a list of days", expected="e.g. (0, 183, 365)"
        ) from err
    ok = (
        bool(edges)
        and all(isinstance(e, int | np.integer) and not isinstance(e, bool) for e in edges)
        and edges[0] == 0
        and all(a < b for a, b in pairwise(edges))
    )
    if not ok:
        raise ConfigError(
            f"day_bins={day_bins!r} is not valid",
            expected="whole days in strictly increasing order starting at 0, e.g. (0, 183, 365, 730)",
        )
    return np.asarray(edges, dtype=np.int64)


def _check_value_bins(value_bins: Sequence[float]) -> list[float]:
    try:
        edges = [float(e) for e in value_bins]
    except (TypeError, ValueError) as err:
        raise ConfigError(
            f"value_bins={value_bins!r} is not a list of amounts", expected="e.g. (100, 1000, 10000)"
        ) from err
    if not edges or edges[0] <= 0 or any(a >= b for a, b in pairwise(edges)):
        raise ConfigError(
            f"value_bins={value_bins!r} is not valid",
            expected="positive amounts in strictly increasing order, e.g. (100, 1000, 10000)",
        )
    return edges


def value_by_dormancy(
    scored: Any,
    *,
    column: str = VALUE_AT_STAKE,
    max_points: int = 2000,
    day_bins: Sequence[int] = DORMANCY_DAY_BINS,
    value_bins: Sequence[float] | None = None,
) -> pd.DataFrame:
    """What each client is worth against how long they have been dormant: one row per client, or bins.

    A base of at most `max_points` clients gives one row per client (a scatter
    of named points); a larger one gives one row per cell of a grid of
    days-dormant bins by value bins (a heatmap), so that a million clients
    still make a small chart. Either way every client is counted once.

    Parameters
    ----------
    scored : pandas or Polars DataFrame
        The scored client base (:func:`value_scores`): ``client_id``,
        ``days_dormant`` and `column`; ``name``, ``dormancy_bucket`` and
        ``bucket_order`` are carried into the per-client rows when present.
        Not modified.
    column : str
        The value measured: ``value_at_stake`` (a year of the client's
        business), ``yearly_revenue``, ``total_revenue``, ``expected_value``...
        Negatives (net refunds) and unknowns count as 0, as for the value at
        stake.
    max_points : int
        The most clients drawn one by one (>= 0).
    day_bins : sequence of int
        Days-dormant bin edges, from 0, strictly increasing; each bin holds
        ``low <= days_dormant < high``, the last one is open-ended. Default
        :data:`DORMANCY_DAY_BINS`.
    value_bins : sequence of float, optional
        Positive value edges, strictly increasing. Default: 1-2-5 amounts
        (1, 2, 5, 10, 20, ...) from the smallest positive value to the largest,
        about three bins per tenfold (a log scale).

    Returns
    -------
    pandas.DataFrame
        Per client (``len(scored) <= max_points``), in the input order:
        ``client_id``, [``name``, ``dormancy_bucket``, ``bucket_order``,]
        ``days_dormant`` (Int64, null when unknown), ``measure`` (str: `column`),
        ``value`` (float64).

        Binned (more clients), every cell of the grid (empty ones with 0), days
        bins first: ``days_bin`` (str, e.g. ``"183–273"``, ``"3653+"``, and
        ``"unknown"`` for clients with no known date, a last bin present only
        when there are such clients), ``days_low``, ``days_high`` (Int64; high
        excluded, null when open), ``value_bin`` (str, e.g. ``"1k–2k"``; the
        first, ``"under ..."``, holds 0 and values below the first edge),
        ``value_low``, ``value_high`` (float64; NaN when open), ``measure``,
        ``clients`` (int64), ``value`` (float64, the sum over the cell's
        clients). ``clients`` sums to the number of clients and ``value`` to
        the total value.

    Raises
    ------
    ConfigError
        `max_points`, `day_bins` or `value_bins` is not valid.
    InputError
        A required column is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> scored = pd.DataFrame({"client_id": ["a", "b", "c"], "days_dormant": [30, 400, 1200],
    ...                        "value_at_stake": [150.0, 2500.0, 0.0]})
    >>> value_by_dormancy(scored)[["client_id", "days_dormant", "value"]]
      client_id  days_dormant   value
    0         a            30   150.0
    1         b           400  2500.0
    2         c          1200     0.0
    >>> bins = value_by_dormancy(scored, max_points=0, day_bins=[0, 365], value_bins=[100, 1000])
    >>> bins[["days_bin", "value_bin", "clients", "value"]]
      days_bin  value_bin  clients   value
    0    0–364  under 100        0     0.0
    1    0–364     100–1k        1   150.0
    2    0–364        1k+        0     0.0
    3     365+  under 100        1     0.0
    4     365+     100–1k        0     0.0
    5     365+        1k+        1  2500.0
    """
    max_points = fr.check_whole("max_points", max_points, minimum=0)
    day_edges = _check_day_bins(day_bins)
    value_edges = None if value_bins is None else _check_value_bins(value_bins)
    optional = [c for c in (NAME, DORMANCY_BUCKET, BUCKET_ORDER) if c in _column_names(scored)]
    frame = _eager_pandas(scored, [CLIENT_ID, *optional, DAYS_DORMANT, column], "scored")
    days = pd.to_numeric(frame[DAYS_DORMANT], errors="coerce").astype("Int64")
    values = _nonnegative(frame[column])
    if len(frame) <= max_points:
        out = frame[[CLIENT_ID, *optional]].reset_index(drop=True).copy()
        out[DAYS_DORMANT] = days.reset_index(drop=True)
        out[MEASURE] = pd.Series([column] * len(out), dtype="str")
        out[VALUE] = values
        return out

    known = days.notna().to_numpy()
    day_index = np.full(len(frame), len(day_edges), dtype=np.int64)  # the "unknown" bin
    day_index[known] = np.searchsorted(day_edges, days[known].to_numpy(dtype=np.int64), side="right") - 1
    day_index = np.maximum(day_index, 0)  # a negative count of days goes to the first bin
    n_days = len(day_edges) + int((~known).any())
    edges = value_edges if value_edges is not None else _nice_value_edges(values)
    value_index = np.searchsorted(np.asarray(edges), values, side="right")  # 0 = under the first edge
    n_values = len(edges) + 1
    cell = day_index * n_values + value_index
    counts = np.bincount(cell, minlength=n_days * n_values).astype(np.int64)
    sums = np.bincount(cell, weights=values, minlength=n_days * n_values)

    day_low = [int(d) for d in day_edges] + [None]
    day_high = [int(d) for d in day_edges[1:]] + [None, None]
    day_label = [f"{lo}–{hi - 1}" for lo, hi in pairwise(day_edges)]
    day_label += [f"{day_edges[-1]}+", "unknown"]
    value_low = [0.0, *edges]
    value_high = [*edges, math.nan]
    value_label = [f"under {_money_label(edges[0])}"]
    value_label += [f"{_money_label(a)}–{_money_label(b)}" for a, b in pairwise(edges)]
    value_label.append(f"{_money_label(edges[-1])}+")
    d = np.repeat(np.arange(n_days), n_values)
    v = np.tile(np.arange(n_values), n_days)
    return pd.DataFrame(
        {
            DAYS_BIN: pd.Series([day_label[i] for i in d], dtype="str"),
            DAYS_LOW: pd.array([day_low[i] for i in d], dtype="Int64"),
            DAYS_HIGH: pd.array([day_high[i] for i in d], dtype="Int64"),
            VALUE_BIN: pd.Series([value_label[i] for i in v], dtype="str"),
            VALUE_LOW: np.asarray(value_low, dtype="float64")[v],
            VALUE_HIGH: np.asarray(value_high, dtype="float64")[v],
            MEASURE: pd.Series([column] * len(d), dtype="str"),
            CLIENTS: counts,
            VALUE: sums,
        }
    )


def _column_names(native: Any) -> list[str]:
    return list(fr.as_frame(native, "scored").collect_schema().names())


def value_concentration(scored: Any, *, column: str = TOTAL_REVENUE) -> pd.DataFrame:
    """How concentrated revenue is: the share of the total held by the top 0 %, 1 %, ..., 100 % of clients.

    Clients are ranked by `column`, largest first; the curve is the Lorenz
    curve read from the top, linear between clients, so a fraction of a client
    counts that fraction of their value (the top 20 % of 532 clients are the
    top 106 and 0.4 of the 107th). It has 101 points whatever the number of
    clients.

    Parameters
    ----------
    scored : pandas or Polars DataFrame
        One row per client with `column` (the scored client base). Not modified.
    column : str
        ``total_revenue`` (default), ``yearly_revenue``, ``value_at_stake``...
        Negatives (net refunds) and unknowns count as 0.

    Returns
    -------
    pandas.DataFrame
        101 rows (none when there are no clients): ``client_share`` (float64,
        0, 0.01, ..., 1), ``clients`` (float64, that share of the number of
        clients), ``cumulative_share`` (float64: the share of the total they
        hold; non-decreasing, 0 at the start and exactly 1 at the end; NaN when
        the total is 0), ``measure`` (str: `column`), ``value`` (float64: the
        amount they hold).

    Examples
    --------
    >>> import pandas as pd
    >>> scored = pd.DataFrame({"total_revenue": [500.0, 300.0, 100.0, 50.0, 50.0]})
    >>> table = value_concentration(scored)
    >>> table.loc[table["client_share"].isin([0.2, 0.5, 1.0]), ["client_share", "cumulative_share"]]
         client_share  cumulative_share
    20            0.2              0.50
    50            0.5              0.85
    100           1.0              1.00
    """
    frame = _eager_pandas(scored, [column], "scored")
    values = np.sort(_nonnegative(frame[column]))[::-1]
    n = len(values)
    if n == 0:
        return pd.DataFrame(
            {
                CLIENT_SHARE: pd.Series(dtype="float64"),
                CLIENTS: pd.Series(dtype="float64"),
                CUMULATIVE_SHARE: pd.Series(dtype="float64"),
                MEASURE: pd.Series(dtype="str"),
                VALUE: pd.Series(dtype="float64"),
            }
        )
    cumulative = np.concatenate([[0.0], np.cumsum(values)])
    percent = np.arange(101, dtype=np.int64)
    # The top p % are p * n / 100 clients: whole ones, then a fraction of the next (exact integers).
    whole = percent * n // 100
    fraction = (percent * n % 100) / 100
    following = np.concatenate([values, [0.0]])[whole]
    held = cumulative[whole] + fraction * following
    total = cumulative[-1]
    share = held / total if total > 0 else np.full(101, np.nan)
    return pd.DataFrame(
        {
            CLIENT_SHARE: percent / 100,
            CLIENTS: percent * n / 100,
            CUMULATIVE_SHARE: share,
            MEASURE: pd.Series([column] * 101, dtype="str"),
            VALUE: held,
        }
    )

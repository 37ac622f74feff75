"""Probabilistic customer-base models: who is still a client, and what they will buy.

"Buy till you die" models read each client's purchase history as a Poisson
purchase process that runs until an unobserved drop-out, with both the purchase
rate and the drop-out propensity varying across clients. Fitted by maximum
likelihood on a per-client summary (:func:`rfm_summary`), they give, per client:

- the probability the client is still active (``p_alive``);
- the expected number of purchases in a coming period;
- with the Gamma-Gamma spend model, the expected value of the next year;
- the date the next purchase was due had the client stayed active, and an
  "overdue" ratio: time dormant relative to the client's own purchase rhythm.

Models:

- BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"):
  :func:`fit_bgnbd` returns a :class:`BetaGeoModel`;
- Pareto/NBD (Schmittlein, Morrison & Colombo 1987; likelihood as in Fader &
  Hardie's note "A note on deriving the Pareto/NBD model and related
  expressions", 2005): :func:`fit_pareto_nbd` returns a :class:`ParetoNBDModel`;
- Gamma-Gamma spend (Fader & Hardie, "The Gamma-Gamma model of monetary
  value", 2013): :func:`fit_gamma_gamma` returns a :class:`GammaGammaModel`.

:func:`clv_scores` adds the per-client columns to a summary frame.

Time is in whatever unit the summary uses (days by default, weeks for the
published CDNOW numbers). Every fit rescales time (and money) internally to the
longest observation, so the optimiser sees the same problem in any unit: a fit
in days gives the same ``r``, ``a``, ``b`` (``s``) as in weeks, with ``alpha``
(``beta``) seven times larger.
"""

from __future__ import annotations

from .bgnbd import BetaGeoModel, fit_bgnbd
from .calibration import CALIBRATION_COLUMNS, calibration_table
from .columns import (
    AGE,
    DURATION_HOLDOUT,
    EXPECTED_PURCHASES,
    EXPECTED_SPEND,
    EXPECTED_VALUE_NEXT_YEAR,
    FREQUENCY,
    FREQUENCY_HOLDOUT,
    MONETARY_VALUE,
    NEXT_PURCHASE_EXPECTED,
    OVERDUE_RATIO,
    P_ALIVE,
    RECENCY,
)
from .gamma_gamma import GammaGammaModel, fit_gamma_gamma
from .pareto_nbd import ParetoNBDModel, fit_pareto_nbd
from .rhythm import (
    DAYS_SINCE_PURCHASE,
    MODEL_YEARLY_VALUE,
    RHYTHM_DAYS,
    PurchaseRhythm,
    base_purchase_rhythm,
    base_summary,
    overdue_clients,
    p_alive_table,
    purchase_rhythm,
    with_model_value,
)
from .scores import clv_scores
from .simulation import simulate_bgnbd
from .summary import DAYS_PER_YEAR, TIME_UNIT_CHOICES, TimeUnit, rfm_summary

__all__ = [
    "AGE",
    "CALIBRATION_COLUMNS",
    "DAYS_PER_YEAR",
    "DAYS_SINCE_PURCHASE",
    "DURATION_HOLDOUT",
    "EXPECTED_PURCHASES",
    "EXPECTED_SPEND",
    "EXPECTED_VALUE_NEXT_YEAR",
    "FREQUENCY",
    "FREQUENCY_HOLDOUT",
    "MODEL_YEARLY_VALUE",
    "MONETARY_VALUE",
    "NEXT_PURCHASE_EXPECTED",
    "OVERDUE_RATIO",
    "P_ALIVE",
    "RECENCY",
    "RHYTHM_DAYS",
    "TIME_UNIT_CHOICES",
    "BetaGeoModel",
    "GammaGammaModel",
    "ParetoNBDModel",
    "PurchaseRhythm",
    "TimeUnit",
    "base_purchase_rhythm",
    "base_summary",
    "calibration_table",
    "clv_scores",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_pareto_nbd",
    "overdue_clients",
    "p_alive_table",
    "purchase_rhythm",
    "rfm_summary",
    "simulate_bgnbd",
    "with_model_value",
]

"""Predicted against actual purchases in a holdout period: how well the model calibrates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

import numpy as np
import pandas as pd

from .bgnbd import fit_bgnbd
from .columns import AGE, DURATION_HOLDOUT, FREQUENCY, FREQUENCY_HOLDOUT, RECENCY
from .summary import rfm_summary

CALIBRATION_COLUMNS: Final = ("frequency", "clients", "actual", "predicted")


def calibration_table(
    transactions: pd.DataFrame,
    *,
    calibration_end: date | datetime,
    as_of: date | datetime,
    max_frequency: int = 7,
) -> pd.DataFrame:
    """Predicted vs actual purchases in a holdout period, by purchases in the calibration period.

    The model is fitted on purchases up to ``calibration_end`` and predicts each
    client's purchases from then to ``as_of``; clients are grouped by their
    repeat purchases in the calibration period (``max_frequency`` and more in
    one group), as in Fader, Hardie & Lee (2005), figure 2.

    Returns
    -------
    pandas.DataFrame
        ``frequency``, ``clients``, ``actual`` and ``predicted`` (mean purchases
        per client in the holdout period).
    """
    summary = rfm_summary(transactions, as_of=as_of, calibration_end=calibration_end)
    bg = fit_bgnbd(summary[FREQUENCY], summary[RECENCY], summary[AGE])
    predicted = bg.expected_purchases(
        summary[DURATION_HOLDOUT].to_numpy(), summary[FREQUENCY], summary[RECENCY], summary[AGE]
    )
    frame = pd.DataFrame(
        {
            "frequency": np.minimum(summary[FREQUENCY].to_numpy(), max_frequency),
            "actual": summary[FREQUENCY_HOLDOUT].to_numpy(dtype="float64"),
            "predicted": np.asarray(predicted, dtype="float64"),
        }
    )
    table = frame.groupby("frequency", as_index=False).agg(
        clients=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean")
    )
    return table[list(CALIBRATION_COLUMNS)]

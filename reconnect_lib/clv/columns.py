"""The column names of the purchase summary and of the per-client scores."""

from __future__ import annotations

from typing import Final

# --- column vocabulary (to move into schema.py) ------------------------------------
#: Repeat purchase days in the observation window (purchase days after the first).
FREQUENCY: Final = "frequency"
#: t_x: time from the first to the last purchase day (0 for a single purchase day).
RECENCY: Final = "recency"
#: T: time from the first purchase day to ``as_of`` (``calibration_end``). The name
#: follows the literature; read it as ``summary["T"]``, since ``summary.T`` is pandas'
#: transpose.
AGE: Final = "T"
#: Mean amount of the repeat purchase days (NaN without a repeat purchase).
MONETARY_VALUE: Final = "monetary_value"
#: Purchase days after ``calibration_end`` up to ``as_of`` (with ``calibration_end``).
FREQUENCY_HOLDOUT: Final = "frequency_holdout"
#: Length of the holdout period ``calibration_end`` .. ``as_of``.
DURATION_HOLDOUT: Final = "duration_holdout"

P_ALIVE: Final = "p_alive"
EXPECTED_PURCHASES: Final = "expected_purchases"
EXPECTED_SPEND: Final = "expected_spend"
EXPECTED_VALUE_NEXT_YEAR: Final = "expected_value_next_year"
NEXT_PURCHASE_EXPECTED: Final = "next_purchase_expected"
OVERDUE_RATIO: Final = "overdue_ratio"

"""ISO weeks written ``YYYY-Www``: the week of a date, and the Monday of a week.

The plan, the exports, the metrics and the reports all name weeks this way; this
module is the one place that reads and writes them (common layer: it imports
only :mod:`reconnect_lib.errors`).
"""

from __future__ import annotations

import re
from datetime import date

from .errors import ConfigError

_ISO_WEEK = re.compile(r"(\d{4})-W(\d{2})", re.ASCII)


def iso_week(day: date) -> str:
    """The ISO week of `day` as ``YYYY-Www``.

    Examples
    --------
    >>> iso_week(date(2026, 11, 23)), iso_week(date(2027, 1, 1))
    ('2026-W48', '2026-W53')
    """
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_monday(week: str) -> date:
    """The Monday of an ISO week written ``YYYY-Www``.

    Raises
    ------
    ConfigError
        `week` is not an ISO week (not written ``YYYY-Www``, or a week its year
        does not have, such as 2025-W53).

    Examples
    --------
    >>> week_monday("2026-W48")
    datetime.date(2026, 11, 23)
    """
    found = _ISO_WEEK.fullmatch(week) if isinstance(week, str) else None
    try:
        if found is None:
            raise ValueError("not YYYY-Www")
        return date.fromisocalendar(int(found.group(1)), int(found.group(2)), 1)
    except ValueError as err:
        raise ConfigError(
            f"week={week!r} is not an ISO week",
            expected="YYYY-Www, e.g. 2026-W48",
            hint="pass --week 2026-W48 (the ISO week of a date: reconnect_lib.weeks.iso_week(date))",
        ) from err

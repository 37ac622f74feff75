"""ISO weeks written ``YYYY-Www``: the week of a date, and the Monday of a week.

The plan, the exports, the metrics and the reports all name weeks this way; this
module is the one place that reads and writes them (common layer: it imports
only :mod:`reconnect_lib.errors`).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

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


def report_as_of(
    week: str | None, *, as_of: date | None, config_as_of: date | None, today: date | None = None
) -> tuple[str, date]:
    """The (ISO week, as-of date) of a weekly report.

    Parameters
    ----------
    week : str or None
        The ISO week asked for (``--week``); None: the week of the as-of date.
    as_of : date or None
        The as-of date asked for (``--as-of``); must fall in `week` when both are given.
    config_as_of : date or None
        campaign.toml's ``[campaign] as_of``.
    today : date, optional
        The clock's date, the last resort when no week and no date is given
        (the CLI passes it; the library never reads the clock).

    Returns
    -------
    (str, date)

    Raises
    ------
    ConfigError
        `as_of` is outside `week`, `week` is not an ISO week, or there is
        nothing to date the report by.

    Examples
    --------
    >>> report_as_of(None, as_of=None, config_as_of=None, today=date(2026, 11, 25))
    ('2026-W48', datetime.date(2026, 11, 25))
    >>> report_as_of("2026-W47", as_of=None, config_as_of=date(2026, 11, 23), today=date(2026, 11, 25))
    ('2026-W47', datetime.date(2026, 11, 16))
    >>> report_as_of("2026-W48", as_of=None, config_as_of=date(2026, 11, 24), today=date(2026, 11, 30))
    ('2026-W48', datetime.date(2026, 11, 24))
    """
    if week is None:
        day = as_of or config_as_of or today
        if day is None:
            raise ConfigError(
                "no week and no as-of date for the weekly report",
                hint="pass --week 2026-W48 or --as-of YYYY-MM-DD, or set [campaign] as_of in campaign.toml",
            )
        return iso_week(day), day
    monday = week_monday(week)
    sunday = monday + timedelta(days=6)
    if as_of is not None:
        if not monday <= as_of <= sunday:
            raise ConfigError(
                f"--as-of {as_of} is not in week {week} ({monday} to {sunday})",
                expected=f"a date from {monday} to {sunday}, or no --as-of (the week's Monday)",
            )
        return week, as_of
    if config_as_of is not None and monday <= config_as_of <= sunday:
        return week, config_as_of
    return week, monday

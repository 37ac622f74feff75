"""Money as a client reads it, and as a file stores it.

An amount is shown in the campaign's currency (``[campaign] currency``, an
ISO 4217 code such as ``"GBP"``) with the symbol and separators of its locale
(``[campaign] locale``, e.g. ``"de_DE"``; English when not given), as Babel
knows them. Without a currency an amount is a plain number with thousands
separators. In a CSV or JSON file an amount is written to the cent
(:func:`cents`), never as ``2578658.3199999998``.

This module is part of the common layer: it imports nothing above
errors/options/schema, so config, the CLI, the exports and the notebooks all
format money the same way.

Examples
--------
>>> format_money(2578658.3199999998, "GBP")
'£2,578,658.32'
>>> format_money(1234.5, "EUR", locale="de_DE")
'1.234,50\\xa0€'
>>> format_money(1234.5, "GBP", whole=True)
'£1,234'
>>> format_money(1234.5, None)
'1,234.50'
>>> cents(4768988.149999999)
4768988.15
"""

from __future__ import annotations

import copy
import math
import numbers
import sys
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache
from typing import Any

from . import schema as s

#: The locale an amount is written in when a currency is given and no locale.
DEFAULT_LOCALE = "en"

#: The columns of the package's frames that hold money (written to the cent in CSV and JSON).
MONEY_COLUMNS: tuple[str, ...] = (
    s.AMOUNT,
    s.TOTAL_REVENUE,
    s.YEARLY_REVENUE,
    s.VALUE_AT_STAKE,
    s.EXPECTED_VALUE,
    s.REVENUE_RECOVERED,
    s.REVENUE_PER_CONTACTED,
)


def _missing(amount: Any) -> bool:
    if amount is None:
        return True
    if isinstance(amount, numbers.Real):
        return math.isnan(amount)
    pandas = sys.modules.get("pandas")  # pd.NA, pd.NaT: missing too (no import of pandas for it)
    return pandas is not None and pandas.api.types.is_scalar(amount) and bool(pandas.isna(amount))


def cents(amount: Any) -> Any:
    """An amount rounded to the cent, as JSON and CSV should hold it.

    A number becomes a Python ``float`` with at most two decimals (its
    ``repr`` is what a file shows), a missing one (None, NaN) ``None``; a
    pandas Series or DataFrame is rounded as a whole (a missing value stays NaN).

    >>> cents(2578658.3199999998), cents(7), cents(float("nan"))
    (2578658.32, 7.0, None)
    >>> import pandas as pd
    >>> cents(pd.Series([0.125, 1.005])).tolist()
    [0.12, 1.0]
    """
    if hasattr(amount, "round") and not isinstance(amount, numbers.Real):
        return amount.round(2)
    if _missing(amount):
        return None
    return round(float(amount), 2) + 0.0  # + 0.0: -0.001 is 0.00, not -0.00


def round_money(frame: Any) -> Any:
    """A copy of ``frame`` with each of its :data:`MONEY_COLUMNS` to the cent (other columns as they are).

    >>> import pandas as pd
    >>> round_money(pd.DataFrame({"total_revenue": [0.1 + 0.2], "clients": [3]})).to_dict("list")
    {'total_revenue': [0.3], 'clients': [3]}
    """
    money = [c for c in MONEY_COLUMNS if c in frame.columns]
    if not money:
        return frame
    return frame.assign(**{c: frame[c].round(2) for c in money})


@cache
def _locale(name: str | None) -> Any:
    from babel import Locale

    return Locale.parse(name or DEFAULT_LOCALE)


@cache
def _whole_pattern(locale: str | None) -> Any:
    """The locale's currency pattern with no decimals (``¤#,##0``)."""
    from babel.numbers import parse_pattern

    pattern = copy.copy(parse_pattern(_locale(locale).currency_formats["standard"]))
    pattern.frac_prec = (0, 0)
    return pattern


def format_money(amount: Any, currency: str | None, *, locale: str | None = None, whole: bool = False) -> str:
    """An amount as a reader expects it: ``£1,234.50``, ``1.234,50 €``, ``¥1,235``.

    Parameters
    ----------
    amount : number
        The amount; None or NaN gives "".
    currency : str or None
        An ISO 4217 code (``"GBP"``). None: a plain number with thousands
        separators (``1,234.50``).
    locale : str, optional
        The locale whose symbol placement and separators are used, e.g.
        ``"en_GB"`` or ``"de_DE"`` (default: English).
    whole : bool
        Round to whole units (for tables of totals) instead of the currency's
        minor unit.

    The amount is first rounded to the cent (:func:`cents`), so what a table
    shows and what a CSV holds agree.
    """
    if _missing(amount):
        return ""
    from babel.numbers import format_currency, format_decimal, get_currency_precision

    digits = 0 if whole else 2 if currency is None else get_currency_precision(currency)
    # Rounded here, once: what a table shows is the amount a file holds, and -0.4 is 0, not -0.
    value = Decimal(repr(cents(amount))).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_EVEN)
    value = value or Decimal(0).scaleb(-digits)
    if currency is None:
        return format_decimal(value, format="#,##0" if whole else "#,##0.00", locale=_locale(locale))
    if whole:
        pattern = _whole_pattern(locale)
        return pattern.apply(value, _locale(locale), currency=currency, currency_digits=False)
    return format_currency(value, currency, locale=_locale(locale))


def money_symbol(currency: str | None, *, locale: str | None = None) -> str:
    """The symbol of a currency as its locale writes it (``"£"`` for GBP; "" with no currency).

    >>> money_symbol("GBP"), money_symbol("EUR"), money_symbol(None)
    ('£', '€', '')
    """
    if currency is None:
        return ""
    from babel.numbers import get_currency_symbol

    return get_currency_symbol(currency, locale=_locale(locale))


def counted(n: int, one: str, many: str | None = None) -> str:
    """A whole count with its noun: ``1 week``, ``2 weeks``, ``1,234 clients``, ``1 client has``.

    ``many`` defaults to ``one`` plus "s".

    >>> counted(1, "week"), counted(2, "week"), counted(1234, "client has", "clients have")
    ('1 week', '2 weeks', '1,234 clients have')
    """
    return f"{n:,} {one if n == 1 else (many if many is not None else one + 's')}"


def known_currency(code: str) -> bool:
    """Whether ``code`` is an ISO 4217 currency code Babel knows (upper case, e.g. ``"GBP"``)."""
    from babel.numbers import is_currency

    return len(code) == 3 and code.isascii() and code.isupper() and is_currency(code)


def known_locale(name: str) -> bool:
    """Whether Babel knows the locale ``name`` (``"en_GB"``, ``"de_DE"``, ``"fr"``)."""
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(name)
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True

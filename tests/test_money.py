"""Money in the campaign's currency, and to the cent in files."""

from __future__ import annotations

import json
from decimal import Decimal

import pandas as pd
import pytest
from babel.numbers import get_currency_precision, parse_decimal
from hypothesis import given
from hypothesis import strategies as st

from reconnect_lib.money import MONEY_COLUMNS, cents, format_money, money_symbol, round_money


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "whole", "shown"),
    [
        (1234.5, "GBP", None, False, "£1,234.50"),
        (1234.5, "GBP", "en_GB", True, "£1,234"),
        (-1234.5, "GBP", "en_GB", False, "-£1,234.50"),
        (2578658.3199999998, "GBP", None, False, "£2,578,658.32"),
        (1234.5, "EUR", "de_DE", False, "1.234,50\xa0€"),
        (1234567.891, "EUR", "de_DE", True, "1.234.568\xa0€"),
        (1234.4, "JPY", None, False, "¥1,234"),
        (1234.6, "JPY", "ja_JP", False, "￥1,235"),
        (1234.5, None, None, True, "1,234"),  # no currency: a plain number, as the tables showed it
        (4768988.149999999, None, None, False, "4,768,988.15"),
        (1234.5, None, "de_DE", False, "1.234,50"),
        (None, "GBP", None, False, ""),
        (float("nan"), None, None, True, ""),
    ],
)
def test_known_amounts_are_shown_as_a_reader_expects(amount, currency, locale, whole, shown):
    assert format_money(amount, currency, locale=locale, whole=whole) == shown


def test_the_symbol_of_a_currency():
    assert [money_symbol(c) for c in ("GBP", "EUR", "USD", "JPY", None)] == ["£", "€", "$", "¥", ""]
    assert money_symbol("EUR", locale="de_DE") == "€"


def test_money_in_a_file_is_to_the_cent():
    # The weekly sidecar JSON held 2578658.3199999998 and 4768988.149999999.
    assert json.dumps([cents(2578658.3199999998), cents(4768988.149999999)]) == "[2578658.32, 4768988.15]"
    assert [cents(None), cents(float("nan")), cents(pd.NA)] == [None, None, None]
    assert type(cents(pd.Series([1.0]).sum())) is float  # numpy's float64 becomes JSON's own


def test_round_money_rounds_only_the_money_columns_and_leaves_its_input():
    frame = pd.DataFrame(
        {"total_revenue": [2578658.3199999998], "share_of_revenue": [0.123456], "clients": [3]}
    )
    before = frame.copy()
    out = round_money(frame)
    assert out.to_csv(index=False) == "total_revenue,share_of_revenue,clients\n2578658.32,0.123456,3\n"
    pd.testing.assert_frame_equal(frame, before)
    assert "total_revenue" in MONEY_COLUMNS
    assert "clients" not in MONEY_COLUMNS


_AMOUNTS = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False)
_STYLES = st.sampled_from(
    [
        ("GBP", None),
        ("GBP", "en_GB"),
        ("EUR", "de_DE"),
        ("EUR", "fr_FR"),
        ("USD", "en_US"),
        ("CHF", "de_CH"),
        ("JPY", "ja_JP"),
        ("JPY", None),
        (None, None),
        (None, "de_DE"),
    ]
)


def _parse_back(text: str, currency: str | None, locale: str | None) -> Decimal:
    symbol = money_symbol(currency, locale=locale)
    number = text.replace(symbol, "") if symbol else text
    return parse_decimal(number.strip().replace("\xa0", "").replace("\u202f", ""), locale=locale or "en")


@given(amount=_AMOUNTS, style=_STYLES)
def test_any_amount_formats_and_parses_back_to_the_same_cents(amount, style):
    currency, locale = style
    shown = format_money(amount, currency, locale=locale)
    digits = 2 if currency is None else get_currency_precision(currency)
    expected = Decimal(repr(cents(amount))).quantize(Decimal(1).scaleb(-digits))
    assert _parse_back(shown, currency, locale) == expected
    # And whole units for the tables of totals.
    whole = format_money(amount, currency, locale=locale, whole=True)
    assert _parse_back(whole, currency, locale) == Decimal(repr(cents(amount))).quantize(Decimal(1))


@given(amount=_AMOUNTS)
def test_cents_round_trips_through_json_with_at_most_two_decimals(amount):
    written = json.dumps(cents(amount))
    assert json.loads(written) == cents(amount)
    assert len(written.partition(".")[2].rstrip("0")) <= 2 or "e" in written


def test_a_fraction_of_a_cent_below_zero_is_zero_not_minus_zero():
    assert format_money(-0.001, "GBP") == "£0.00"
    assert format_money(-0.4, "GBP", whole=True) == "£0"
    assert format_money(-0.4, "JPY") == "¥0"
    assert format_money(-0.4, None, whole=True) == "0"
    assert json.dumps(cents(-0.001)) == "0.0"


@given(n=st.integers(min_value=0, max_value=10**9))
def test_a_count_is_whole_and_its_noun_agrees(n):
    from reconnect_lib.money import counted

    text = counted(n, "week")
    assert text == (f"{n:,} week" if n == 1 else f"{n:,} weeks")
    assert counted(n, "client has", "clients have").endswith("has" if n == 1 else "have")


def test_the_overview_sidecar_numbers_hold_money_to_the_cent():
    from reconnect_lib.dormancy import base_summary, dormancy_buckets
    from reconnect_lib.value import value_scores

    base = pd.DataFrame(
        {
            "client_id": ["a", "b", "c"],
            "days_dormant": [10, 1200, 900],
            "n_purchases": [3, 1, 2],
            "total_revenue": [0.1, 0.2, 2578658.0199999998],
            "yearly_revenue": [0.1, 0.2, 4768988.149999999],
        }
    )
    numbers = base_summary(value_scores(dormancy_buckets(base)))
    money = {k: numbers[k] for k in ("total_revenue", "value_at_stake_due", "expected_value_due")}
    assert json.dumps(money["total_revenue"]) == "2578658.32"
    assert all(len(json.dumps(v).partition(".")[2]) <= 2 for v in money.values()), money
    assert all(isinstance(numbers[k], int) for k in ("clients", "due", "due_contactable"))

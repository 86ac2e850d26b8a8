"""Amounts, quantities, rates and dates as a quote's language writes them, through Babel
(CLDR): French "1 234,56 €" (a narrow no-break space between thousands, a no-break space
before the sign) and "7 décembre 2026", English "€1,234.56" and "December 7, 2026".

Amounts print with the quote's decimals (``currencies.decimals_of``, what the totals are
rounded to), not CLDR's for the currency, which differ for a few (the Iraqi dinar): a
printed amount is always the amount computed. Unit prices keep the places they were typed
with, up to 4 (0.0125 a label)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import NumberPattern

from portico.quotes.totals import Discount, DiscountKind

HUNDRED = Decimal(100)
UNIT_PRICE_PLACES = 4
QUANTITY_PLACES = 3


def _with_places(pattern: NumberPattern, least: int, most: int) -> NumberPattern:
    changed = copy.copy(pattern)
    changed.frac_prec = (least, most)
    return changed


@dataclass
class Formats:
    """How one quote writes its numbers: its language, its currency and its decimals.
    Made once per render (Babel's locale data is looked up here, not at every amount)."""

    locale_name: str
    currency: str
    decimals: int
    locale: Locale = field(init=False)
    _money: NumberPattern = field(init=False)
    _unit_price: NumberPattern = field(init=False)
    _number: NumberPattern = field(init=False)
    _percent: NumberPattern = field(init=False)
    _printed: dict[tuple[int, Decimal], str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.locale = Locale.parse(self.locale_name)
        money = self.locale.currency_formats["standard"]
        self._money = _with_places(money, self.decimals, self.decimals)
        self._unit_price = _with_places(money, self.decimals, max(self.decimals, UNIT_PRICE_PLACES))
        self._number = _with_places(self.locale.decimal_formats[None], 0, QUANTITY_PLACES)
        self._percent = _with_places(self.locale.percent_formats[None], 0, 4)

    def money(self, amount: Decimal) -> str:
        return self._apply(self._money, amount, currency=self.currency)

    def unit_price(self, amount: Decimal) -> str:
        return self._apply(self._unit_price, amount, currency=self.currency)

    def quantity(self, quantity: Decimal) -> str:
        return self._apply(self._number, quantity)

    def percent(self, rate: Decimal) -> str:
        """``rate`` in percent (20, 5.5) as "20 %" / "5,5 %" in French, "5.5%" in English."""
        return self._apply(self._percent, rate / HUNDRED)

    def _apply(self, pattern: NumberPattern, value: Decimal, currency: str | None = None) -> str:
        # A quote repeats its figures (a unit price, a rate on every line), and Babel's
        # formatting is the slow part of a number: each is formatted once per render.
        # What it prints depends only on the value, not on how many places it was kept at;
        # a negative zero (a credit of less than half a cent, rounded) prints as zero.
        value = value if value else abs(value)
        key = (id(pattern), value)
        printed = self._printed.get(key)
        if printed is None:
            printed = self._printed[key] = pattern.apply(
                value, self.locale, currency=currency, currency_digits=False
            )
        return printed

    def discount(self, discount: Discount) -> str:
        """A discount as taken off: "-10 %", "-50,00 €" (the locale's minus, a hyphen:
        the Noto faces have no U+2212)."""
        if discount.kind is DiscountKind.PERCENT:
            return self.percent(-discount.value)
        return self.money(-discount.value)

    def date(self, day: date) -> str:
        return format_date(day, format="long", locale=self.locale)

    def time(self, moment: time) -> str:
        return format_time(moment, format="short", locale=self.locale)

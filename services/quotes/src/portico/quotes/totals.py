"""A quote's totals (and later an invoice's): each line's net amount, each section's
subtotal, the total without tax, the tax by rate and the total with tax. No I/O: the
editor, the client's online page (where ticking an optional line moves the totals), the
PDF and the invoice all read the same numbers from here.

Money is ``Decimal``, never ``float``: a float cannot hold 0.10 and its errors surface as
a cent off on a document the client and the tax office both read.

Rounding follows French invoices:

1. each line's net amount (quantity x unit price, less its discount) is rounded to the cent
   (``ROUND_HALF_UP``: half a cent goes away from zero, so a credit line mirrors its line);
2. the lines' nets are summed by VAT rate: each rate's base;
3. a discount on the whole quote is rounded to the cent, then spread over the rates'
   bases in proportion to them, each share rounded; the cents this rounding leaves go to
   the largest base (on a tie, the highest rate), so the bases still sum exactly to the
   discounted total without tax;
4. each rate's VAT is its base x rate, rounded to the cent;
5. total with tax = total without tax + the sum of the rounded taxes (never the rounded
   product of the total, which could differ from what the tax lines show).

Credit lines are allowed: a deposit already invoiced or equipment taken back is a line
with a negative quantity *or* a negative unit price (not both: two minus signs that cancel
are a typing error). Such a line takes no discount (lower the credit itself instead), and
the quote's total may not be negative: money owed to the client is a credit note, not a
quote. Section subtotals are before the quote's discount, as they are printed.

Amounts are in the quote's currency with ``decimals`` places: 2 for the euro, 0 for the
yen. Unit prices may carry more places (0.0125 a label); the line's net is rounded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

# The rates of French VAT, offered first in the editor; any rate >= 0 is accepted (the
# overseas departments' 8.5 %, Corsica's 13 %, a client abroad's 0 %).
PRESET_VAT_RATES = (Decimal("20"), Decimal("10"), Decimal("5.5"), Decimal("2.1"))

HUNDRED = Decimal(100)
MAX_DECIMALS = 3  # the dinar of Kuwait or Tunisia; no currency in use has more


class InvalidQuote(ValueError):
    """Input a quote cannot be totalled with; ``field`` is the dotted path at fault
    (``lines.2.discount``), as the API names it in its validation problems."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class DiscountKind(StrEnum):
    PERCENT = "percent"
    AMOUNT = "amount"


@dataclass(frozen=True)
class Discount:
    """A discount on a line or on the whole quote: a percent of it (0 to 100) or an amount
    in the quote's currency (at most what it applies to)."""

    kind: DiscountKind
    value: Decimal

    @classmethod
    def percent(cls, value: Decimal | int | str) -> Discount:
        return cls(DiscountKind.PERCENT, Decimal(value))

    @classmethod
    def amount(cls, value: Decimal | int | str) -> Discount:
        return cls(DiscountKind.AMOUNT, Decimal(value))


@dataclass(frozen=True)
class Section:
    """A heading grouping lines, printed with their subtotal."""

    key: str
    title: str


@dataclass(frozen=True)
class Line:
    """A line from the catalogue or typed freely. An optional line counts only when the
    client ticked it (``chosen``); ``chosen`` is ignored on other lines."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    discount: Discount | None = None
    unit: str | None = None
    optional: bool = False
    chosen: bool = False
    section: str | None = None

    @property
    def counted(self) -> bool:
        return not self.optional or self.chosen


@dataclass(frozen=True)
class LineAmount:
    """A line's net amount; an optional line not chosen still has one (the online page
    shows what ticking it would add) but is not ``counted``."""

    net: Decimal
    counted: bool


@dataclass(frozen=True)
class SectionSubtotal:
    section: str
    subtotal: Decimal


@dataclass(frozen=True)
class RateTax:
    """One line of the tax table: the rate, its base after the quote's discount, its tax."""

    rate: Decimal
    base: Decimal
    tax: Decimal


@dataclass(frozen=True)
class Totals:
    """Everything a quote prints below and beside its lines. ``lines`` follow the input's
    order; ``sections`` the sections'; ``taxes`` go from the highest rate down."""

    lines: tuple[LineAmount, ...]
    sections: tuple[SectionSubtotal, ...]
    lines_total: Decimal
    discount: Decimal
    total_without_tax: Decimal
    taxes: tuple[RateTax, ...]
    total_tax: Decimal
    total_with_tax: Decimal


def compute_totals(
    lines: Sequence[Line],
    *,
    sections: Sequence[Section] = (),
    discount: Discount | None = None,
    decimals: int = 2,
) -> Totals:
    """The quote's totals, rounded as the module says; raises ``InvalidQuote`` naming the
    field at fault."""
    if not isinstance(decimals, int) or not 0 <= decimals <= MAX_DECIMALS:
        raise InvalidQuote("decimals", f"must be a whole number from 0 to {MAX_DECIMALS}")
    unit = Decimal(1).scaleb(-decimals)
    # Sums start from a zero with the currency's places, so an empty section prints 0.00.
    zero = Decimal(0).quantize(unit)

    section_keys = [section.key for section in sections]
    if len(set(section_keys)) != len(section_keys):
        raise InvalidQuote("sections", "two sections have the same key")

    amounts = tuple(
        LineAmount(_line_net(line, f"lines.{index}", set(section_keys), unit), line.counted)
        for index, line in enumerate(lines)
    )
    counted = [
        (line, amount.net) for line, amount in zip(lines, amounts, strict=True) if amount.counted
    ]

    subtotals = dict.fromkeys(section_keys, zero)
    bases: dict[Decimal, Decimal] = {}
    for line, net in counted:
        if line.section is not None:
            subtotals[line.section] += net
        rate = Decimal(line.vat_rate)  # checked by _line_net
        bases[rate] = bases.get(rate, zero) + net
    lines_total = sum((net for _, net in counted), zero)
    if lines_total < 0:
        raise InvalidQuote(
            "lines", "the quote's total cannot be negative: money owed back is a credit note"
        )

    discount_amount = _quote_discount(discount, lines_total, decimals) + zero
    total_without_tax = lines_total - discount_amount
    discounted = _spread(bases, total_without_tax, unit)
    taxes = tuple(
        RateTax(rate, base, _round(base * rate / HUNDRED, unit))
        for rate, base in sorted(discounted.items(), reverse=True)
    )
    total_tax = sum((tax.tax for tax in taxes), zero)
    return Totals(
        lines=amounts,
        sections=tuple(SectionSubtotal(key, subtotals[key]) for key in section_keys),
        lines_total=lines_total,
        discount=discount_amount,
        total_without_tax=total_without_tax,
        taxes=taxes,
        total_tax=total_tax,
        total_with_tax=total_without_tax + total_tax,
    )


def _round(amount: Decimal, unit: Decimal) -> Decimal:
    return amount.quantize(unit, rounding=ROUND_HALF_UP)


def _money(value: object, field: str) -> Decimal:
    """A number as Decimal: ints are exact, floats are refused (0.1 is not 0.1), and so are
    NaN and infinities."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise InvalidQuote(field, "must be a Decimal or an int, never a float")
    number = Decimal(value)
    if not number.is_finite():
        raise InvalidQuote(field, "must be a finite number")
    return number


def _line_net(line: Line, path: str, section_keys: set[str], unit: Decimal) -> Decimal:
    quantity = _money(line.quantity, f"{path}.quantity")
    price = _money(line.unit_price, f"{path}.unit_price")
    rate = _money(line.vat_rate, f"{path}.vat_rate")
    if rate < 0:
        raise InvalidQuote(f"{path}.vat_rate", "a VAT rate cannot be negative")
    if quantity < 0 and price < 0:
        raise InvalidQuote(
            f"{path}.unit_price",
            "a credit line has a negative quantity or a negative unit price, not both",
        )
    if line.section is not None and line.section not in section_keys:
        raise InvalidQuote(f"{path}.section", f"no section has the key {line.section!r}")
    gross = quantity * price
    if line.discount is None:
        return _round(gross, unit)
    field = f"{path}.discount"
    value = _money(line.discount.value, field)
    if gross < 0 and value != 0:
        raise InvalidQuote(field, "a credit line takes no discount: lower the credit instead")
    if value < 0:
        raise InvalidQuote(field, "a discount cannot be negative")
    if line.discount.kind is DiscountKind.PERCENT:
        if value > HUNDRED:
            raise InvalidQuote(field, "a percent discount cannot exceed 100")
        return _round(gross * (HUNDRED - value) / HUNDRED, unit)
    if value > gross:
        raise InvalidQuote(field, f"the discount exceeds the line's amount ({gross})")
    return _round(gross - value, unit)


def _quote_discount(discount: Discount | None, lines_total: Decimal, decimals: int) -> Decimal:
    """The discount on the whole quote as an amount, rounded to the cent."""
    unit = Decimal(1).scaleb(-decimals)
    if discount is None:
        return Decimal(0)
    value = _money(discount.value, "discount")
    if value < 0:
        raise InvalidQuote("discount", "a discount cannot be negative")
    if discount.kind is DiscountKind.PERCENT:
        if value > HUNDRED:
            raise InvalidQuote("discount", "a percent discount cannot exceed 100")
        return _round(lines_total * value / HUNDRED, unit)
    if value != _round(value, unit):
        # Rounding it silently would give the client a discount other than the one typed.
        raise InvalidQuote("discount", f"an amount has at most {decimals} decimals")
    if value > lines_total:
        raise InvalidQuote("discount", f"the discount exceeds the quote's total ({lines_total})")
    return value


def _spread(bases: dict[Decimal, Decimal], total: Decimal, unit: Decimal) -> dict[Decimal, Decimal]:
    """The rates' bases scaled to ``total`` in proportion, each rounded; the cents left by
    the rounding go to the largest base (on a tie, the highest rate) so they sum to it."""
    before = sum(bases.values(), Decimal(0))
    if before == total or before == 0:
        return dict(bases)
    shares = {rate: _round(base * total / before, unit) for rate, base in bases.items()}
    largest = max(bases, key=lambda rate: (bases[rate], rate))
    shares[largest] += total - sum(shares.values(), Decimal(0))
    return shares

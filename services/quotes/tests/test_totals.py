"""A quote's totals to the cent, rounded the way French invoices are: per line, then the
quote's discount spread over the rates, then the VAT per rate; and the input refused."""

from __future__ import annotations

from dataclasses import fields, replace
from decimal import Decimal

import pytest

from portico.quotes.totals import (
    Discount,
    InvalidQuote,
    Line,
    LineAmount,
    RateTax,
    Section,
    SectionSubtotal,
    Totals,
    compute_totals,
)

D = Decimal


def line(
    quantity: str,
    price: str,
    rate: str = "20",
    discount: Discount | None = None,
    *,
    optional: bool = False,
    chosen: bool = False,
    section: str | None = None,
) -> Line:
    return Line(
        "Line",
        D(quantity),
        D(price),
        D(rate),
        discount,
        optional=optional,
        chosen=chosen,
        section=section,
    )


def printed(totals: Totals) -> list[str]:
    """Every amount as it prints: equal Decimals may differ there (0 and 0.00)."""
    amounts: list[Decimal] = [amount.net for amount in totals.lines]
    amounts += [section.subtotal for section in totals.sections]
    amounts += [value for tax in totals.taxes for value in (tax.base, tax.tax)]
    amounts += [
        getattr(totals, field.name)
        for field in fields(totals)
        if isinstance(getattr(totals, field.name), Decimal)
    ]
    return [str(amount) for amount in amounts]


def test_a_kitchen_quote_totals_to_the_cent() -> None:
    lines = [
        # 12.5 x 45.90 = 573.75; less 10 % = 516.375 → 516.38 (half up)
        Line("Tiling", D("12.5"), D("45.90"), D("10"), Discount.percent(10), section="kitchen"),
        # 1 x 1249.99 - 50.00 = 1199.99
        Line("Worktop", D(1), D("1249.99"), D(20), Discount.amount("50.00"), section="kitchen"),
        # optional, ticked: 2 x 189.45 = 378.90
        Line(
            "Glass splashback",
            D(2),
            D("189.45"),
            D(20),
            optional=True,
            chosen=True,
            section="kitchen",
        ),
        # optional, not ticked: 99.00, shown but not counted
        Line("Extended warranty", D(1), D("99.00"), D(20), optional=True),
        # 3 x 12.35 = 37.05
        Line("Recipe book", D(3), D("12.35"), D("5.5")),
    ]
    totals = compute_totals(
        lines, sections=[Section("kitchen", "Kitchen")], discount=Discount.percent(5)
    )

    assert totals.lines == (
        LineAmount(D("516.38"), True),
        LineAmount(D("1199.99"), True),
        LineAmount(D("378.90"), True),
        LineAmount(D("99.00"), False),
        LineAmount(D("37.05"), True),
    )
    # 516.38 + 1199.99 + 378.90
    assert totals.sections == (SectionSubtotal("kitchen", D("2095.27")),)
    # 2095.27 + 37.05
    assert totals.lines_total == D("2132.32")
    # 5 % of 2132.32 = 106.616 → 106.62
    assert totals.discount == D("106.62")
    # 2132.32 - 106.62
    assert totals.total_without_tax == D("2025.70")
    # Bases before the discount: 20 %: 1199.99 + 378.90 = 1578.89; 10 %: 516.38; 5.5 %: 37.05.
    # Each x 2025.70 / 2132.32: 1499.9425… → 1499.94; 490.5600… → 490.56; 35.1974… → 35.20,
    # which sum to 2025.70: no cent left over.
    # Taxes: 1499.94 x 20 % = 299.988 → 299.99; 490.56 x 10 % = 49.056 → 49.06;
    # 35.20 x 5.5 % = 1.936 → 1.94.
    assert totals.taxes == (
        RateTax(D("20"), D("1499.94"), D("299.99")),
        RateTax(D("10"), D("490.56"), D("49.06")),
        RateTax(D("5.5"), D("35.20"), D("1.94")),
    )
    # 299.99 + 49.06 + 1.94
    assert totals.total_tax == D("350.99")
    # 2025.70 + 350.99
    assert totals.total_with_tax == D("2376.69")
    assert printed(totals) == [
        *("516.38", "1199.99", "378.90", "99.00", "37.05", "2095.27"),
        *("1499.94", "299.99", "490.56", "49.06", "35.20", "1.94"),
        *("2132.32", "106.62", "2025.70", "350.99", "2376.69"),
    ]


def test_ticking_an_optional_line_moves_the_totals() -> None:
    base = line("1", "100.00")
    option = line("1", "40.00", "10", optional=True)
    without = compute_totals([base, option])
    ticked = compute_totals([base, replace(option, chosen=True)])
    # 100.00 at 20 % = 20.00 tax
    assert (without.total_without_tax, without.total_with_tax) == (D("100.00"), D("120.00"))
    assert without.taxes == (RateTax(D("20"), D("100.00"), D("20.00")),)
    # + 40.00 at 10 % = 4.00 tax
    assert (ticked.total_without_tax, ticked.total_with_tax) == (D("140.00"), D("164.00"))
    assert [tax.rate for tax in ticked.taxes] == [D("20"), D("10")]


@pytest.mark.parametrize(
    ("quantity", "price", "net"),
    [
        ("1", "0.005", "0.01"),  # half a cent goes up
        ("1", "0.004", "0.00"),
        ("3", "0.335", "1.01"),  # 1.005
        ("-3", "0.335", "-1.01"),  # a credit mirrors its line: half away from zero
        ("1000", "0.0125", "12.50"),  # a unit price finer than the cent
        ("1.5", "33.33", "50.00"),  # 49.995
    ],
)
def test_each_line_is_rounded_to_the_cent_half_up(quantity: str, price: str, net: str) -> None:
    first = compute_totals([line(quantity, price), line("1", "10.00")]).lines[0]
    assert first.net == D(net)


def test_many_small_lines_total_their_rounded_amounts_not_the_exact_sum() -> None:
    # Three lines of 0.333: each 0.33, so 0.99, where the exact sum 0.999 would be 1.00.
    totals = compute_totals([line("1", "0.333")] * 3)
    assert totals.total_without_tax == D("0.99")
    # 0.99 x 20 % = 0.198 → 0.20
    assert totals.taxes == (RateTax(D("20"), D("0.99"), D("0.20")),)
    assert totals.total_with_tax == D("1.19")


def test_a_line_discount_in_percent_rounds_once_on_the_discounted_amount() -> None:
    # 7 x 1.15 = 8.05, less 15 % = 6.8425 → 6.84.
    # 3 x 0.35 = 1.05, less 50 % = 0.525 → 0.53; rounding the discount first would have
    # given 1.05 - 0.53 = 0.52.
    totals = compute_totals(
        [
            line("7", "1.15", discount=Discount.percent(15)),
            line("3", "0.35", discount=Discount.percent(50)),
        ]
    )
    assert [amount.net for amount in totals.lines] == [D("6.84"), D("0.53")]


def test_the_cents_left_by_spreading_the_discount_go_to_the_largest_base() -> None:
    lines = [line("1", "50.00", "20"), line("1", "25.00", "10"), line("1", "25.00", "5.5")]
    totals = compute_totals(lines, discount=Discount.amount("0.02"))
    # 100.00 - 0.02 = 99.98. Shares: 50 x 99.98/100 = 49.99; 25 x 0.9998 = 24.995 → 25.00
    # twice; 99.99 is a cent too many, taken from the largest base (20 %): 49.98.
    # Taxes: 49.98 x 20 % = 9.996 → 10.00; 25.00 x 10 % = 2.50; 25.00 x 5.5 % = 1.375 → 1.38
    assert totals.total_without_tax == D("99.98")
    assert totals.taxes == (
        RateTax(D("20"), D("49.98"), D("10.00")),
        RateTax(D("10"), D("25.00"), D("2.50")),
        RateTax(D("5.5"), D("25.00"), D("1.38")),
    )
    assert sum(tax.base for tax in totals.taxes) == totals.total_without_tax
    assert totals.total_with_tax == D("113.86")  # 99.98 + 13.88


def test_on_equal_bases_the_left_cent_goes_to_the_highest_rate() -> None:
    lines = [line("1", "10.00", "5.5"), line("1", "10.00", "20"), line("1", "10.00", "10")]
    totals = compute_totals(lines, discount=Discount.amount("0.01"))
    # 29.99: each share 10 x 29.99/30 = 9.9966… → 10.00, 30.00 is a cent too many.
    assert [(tax.rate, tax.base) for tax in totals.taxes] == [
        (D("20"), D("9.99")),
        (D("10"), D("10.00")),
        (D("5.5"), D("10.00")),
    ]


def test_a_zero_rate_has_its_base_and_no_tax() -> None:
    totals = compute_totals([line("2", "60.00", "0"), line("1", "10.00", "2.1")])
    # 10.00 x 2.1 % = 0.21
    assert totals.taxes == (
        RateTax(D("2.1"), D("10.00"), D("0.21")),
        RateTax(D("0"), D("120.00"), D("0.00")),
    )
    assert totals.total_with_tax == D("130.21")


def test_any_rate_is_accepted_beside_the_presets() -> None:
    # Overseas departments: 8.5 %. 123.45 x 8.5 % = 10.49325 → 10.49
    totals = compute_totals([line("1", "123.45", "8.5")])
    assert totals.taxes == (RateTax(D("8.5"), D("123.45"), D("10.49")),)


def test_a_credit_line_lowers_its_rate_base() -> None:
    # A deposit already invoiced, deducted: 1000.00 - 300.00 at 20 %
    totals = compute_totals([line("1", "1000.00"), line("1", "-300.00")])
    assert [amount.net for amount in totals.lines] == [D("1000.00"), D("-300.00")]
    assert totals.taxes == (RateTax(D("20"), D("700.00"), D("140.00")),)
    assert totals.total_with_tax == D("840.00")


def test_a_full_discount_makes_a_line_free() -> None:
    totals = compute_totals(
        [
            line("2", "15.00", discount=Discount.percent(100)),
            line("1", "15.00", discount=Discount.amount("15")),
        ]
    )
    assert [amount.net for amount in totals.lines] == [D("0.00"), D("0.00")]
    assert totals.total_with_tax == D("0.00")


def test_a_quote_discount_of_100_percent_leaves_nothing_to_pay() -> None:
    totals = compute_totals(
        [line("1", "10.00", "20"), line("1", "5.00", "10")], discount=Discount.percent(100)
    )
    assert totals.discount == D("15.00")
    assert [(tax.base, tax.tax) for tax in totals.taxes] == [(D("0.00"), D("0.00"))] * 2
    assert totals.total_with_tax == D("0.00")


def test_sections_subtotal_their_counted_lines_before_the_quote_discount() -> None:
    sections = [Section("a", "Works"), Section("b", "Options"), Section("c", "Empty")]
    lines = [
        line("1", "100.00", section="a"),
        line("2", "10.00", section="b", optional=True, chosen=True),
        line("1", "999.00", section="b", optional=True),
        line("1", "1.00"),
    ]
    totals = compute_totals(lines, sections=sections, discount=Discount.amount("11.00"))
    assert totals.sections == (
        SectionSubtotal("a", D("100.00")),
        SectionSubtotal("b", D("20.00")),
        SectionSubtotal("c", D("0.00")),
    )
    assert totals.total_without_tax == D("110.00")  # 121.00 - 11.00
    assert printed(totals)[4:] == [
        *("100.00", "20.00", "0.00"),  # the sections
        *("110.00", "22.00"),  # the 20 % base and tax
        *("121.00", "11.00", "110.00", "22.00", "132.00"),
    ]


def test_a_currency_without_decimals_rounds_to_the_unit() -> None:
    # Yen: 3 x 1980 = 5940, less 5 % = 5643; 10 % VAT = 564.3 → 564
    totals = compute_totals([line("3", "1980", "10", Discount.percent(5))], decimals=0)
    assert totals.lines == (LineAmount(D("5643"), True),)
    assert totals.taxes == (RateTax(D("10"), D("5643"), D("564")),)
    assert printed(totals) == ["5643", "5643", "564", "5643", "0", "5643", "564", "6207"]
    # 1 x 0.5 is half a yen: it rounds up to 1
    assert compute_totals([line("1", "0.5")], decimals=0).lines[0].net == D("1")


def test_a_quote_without_lines_totals_zero() -> None:
    totals = compute_totals([], discount=Discount.percent(10))
    assert totals.taxes == ()
    assert printed(totals) == ["0.00"] * 5


@pytest.mark.parametrize(
    ("lines", "options", "field", "message"),
    [
        ([line("1", "10", "-5.5")], {}, "lines.0.vat_rate", "a VAT rate cannot be negative"),
        (
            [line("1", "10"), line("1", "10", discount=Discount.percent("100.01"))],
            {},
            "lines.1.discount",
            "a percent discount cannot exceed 100",
        ),
        (
            [line("1", "10", discount=Discount.percent(-5))],
            {},
            "lines.0.discount",
            "a discount cannot be negative",
        ),
        (
            [line("2", "10.00", discount=Discount.amount("20.01"))],
            {},
            "lines.0.discount",
            "the discount exceeds the line's amount (20.00)",
        ),
        (
            [line("1", "100"), line("-1", "10", discount=Discount.percent(10))],
            {},
            "lines.1.discount",
            "a credit line takes no discount: lower the credit instead",
        ),
        (
            [line("-1", "-10")],
            {},
            "lines.0.unit_price",
            "a credit line has a negative quantity or a negative unit price, not both",
        ),
        (
            [line("1", "10", section="nowhere")],
            {},
            "lines.0.section",
            "no section has the key 'nowhere'",
        ),
        (
            [line("1", "10"), line("-1", "10.01")],
            {},
            "lines",
            "the quote's total cannot be negative: money owed back is a credit note",
        ),
        (
            [line("1", "10")],
            {"discount": Discount.percent(101)},
            "discount",
            "a percent discount cannot exceed 100",
        ),
        (
            [line("1", "10.00"), line("1", "50.00", optional=True)],
            {"discount": Discount.amount("10.01")},
            "discount",
            "the discount exceeds the quote's total (10.00)",
        ),
        (
            [line("1", "10")],
            {"discount": Discount.amount("0.005")},
            "discount",
            "an amount has at most 2 decimals",
        ),
        (
            [line("1", "10")],
            {"discount": Discount.amount(-1)},
            "discount",
            "a discount cannot be negative",
        ),
        (
            [line("1", "10")],
            {"sections": [Section("a", "A"), Section("a", "B")]},
            "sections",
            "two sections have the same key",
        ),
        ([line("1", "10")], {"decimals": 5}, "decimals", "must be a whole number from 0 to 3"),
        (
            [Line("Float", 1.5, D(10), D(20))],  # type: ignore[arg-type]
            {},
            "lines.0.quantity",
            "must be a Decimal or an int, never a float",
        ),
        (
            [Line("NaN", D(1), D("NaN"), D(20))],
            {},
            "lines.0.unit_price",
            "must be a finite number",
        ),
    ],
)
def test_nonsense_is_refused_naming_the_field(
    lines: list[Line], options: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(InvalidQuote) as refused:
        compute_totals(lines, **options)  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.message) == (field, message)
    assert str(refused.value) == f"{field}: {message}"
    assert isinstance(refused.value, ValueError)


def test_integers_are_exact_and_accepted() -> None:
    totals = compute_totals([Line("Day", 3, 450, 20)])  # type: ignore[arg-type]
    assert totals.total_with_tax == D("1620.00")

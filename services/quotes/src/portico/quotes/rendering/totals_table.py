"""The totals under the lines, on the right: the lines' total and the quote's discount when
it has one, the total without tax, the VAT of each rate on its base, the total VAT when
there are several rates, and the total with tax, the figure the client signs for (or, on
an invoice, pays)."""

from __future__ import annotations

from typing import Any

from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Table
from reportlab.platypus.flowables import Flowable

from portico.quotes.rendering.formats import Formats
from portico.quotes.rendering.printable import Printable
from portico.quotes.rendering.style import BODY, INK, MUTED, RULE
from portico.quotes.rendering.text import ScriptText
from portico.quotes.rendering.words import Words
from portico.quotes.totals import Discount

_WIDTH = 100 * mm
_AMOUNT = 32 * mm


def totals_table(
    document: Printable, words: Words, formats: Formats, accent: Color
) -> list[Flowable]:
    totals = document.totals
    rows: list[tuple[str, str, Color, bool]] = []
    if totals.discount:
        rows += [
            (words.lines_total, formats.money(totals.lines_total), INK, False),
            (words.quote_discount, formats.discount(Discount.amount(totals.discount)), INK, False),
        ]
    rows.append((words.total_without_tax, formats.money(totals.total_without_tax), INK, True))
    for tax in totals.taxes:
        label = words.tax_on.format(rate=formats.percent(tax.rate), base=formats.money(tax.base))
        rows.append((label, formats.money(tax.tax), MUTED, False))
    if len(totals.taxes) > 1:
        rows.append((words.total_tax, formats.money(totals.total_tax), INK, False))
    rows.append((words.total_with_tax, formats.money(totals.total_with_tax), accent, True))
    last = len(rows) - 1
    style: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LINEBELOW", (0, 0), (-1, last - 1), 0.4, RULE),
        ("LINEABOVE", (0, last), (-1, last), 1.2, accent),
        ("TOPPADDING", (0, last), (-1, last), 5),
    ]
    table = Table(
        [
            [
                ScriptText(label, size=BODY, colour=colour, bold=bold, align="right"),
                ScriptText(
                    amount,
                    size=BODY + (1 if index == last else 0),
                    colour=colour,
                    bold=bold,
                    align="right",
                ),
            ]
            for index, (label, amount, colour, bold) in enumerate(rows)
        ],
        colWidths=[_WIDTH - _AMOUNT, _AMOUNT],
        style=style,
        hAlign="RIGHT",
    )
    # The totals are read together: never split between two pages.
    return [KeepTogether([table])]

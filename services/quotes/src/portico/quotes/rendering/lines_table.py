"""The table of a quote's (or an invoice's) lines: the lines without a section first, then
each section under its title with its subtotal; an optional line says so, and whether the
client chose it (a line not chosen shows its amount muted: it is not in the totals). The
header row is repeated on every page the table flows onto.

A row never splits inside, so a long description is cut into rows of at most
``ROW_LINES`` lines, the amounts on the first: a 5,000-character description flows over
pages like the rest."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.platypus import LongTable
from reportlab.platypus.flowables import Flowable

from portico.quotes.rendering.formats import Formats
from portico.quotes.rendering.printable import Printable
from portico.quotes.rendering.style import CELL, INK, MUTED, RULE, SHADE, SMALL, WIDTH
from portico.quotes.rendering.text import Align, ScriptText, printable, wrap_lines
from portico.quotes.rendering.words import Words
from portico.quotes.totals import Line, LineAmount, Section

PAD = 4
# About 40 % of a page: a row is always far shorter than the room a page has.
ROW_LINES = 30
_QUANTITY = 22 * mm
_UNIT_PRICE = 25 * mm
_VAT = 14 * mm
_DISCOUNT = 18 * mm
_AMOUNT = 27 * mm


@dataclass(frozen=True)
class Group:
    """Lines printed together: under a section's title with its subtotal, or (``section``
    None) the lines that have no section."""

    section: Section | None
    subtotal: Decimal | None
    lines: tuple[tuple[Line, LineAmount], ...]


def groups(document: Printable) -> list[Group]:
    """The lines without a section, then each section that has lines, in order."""
    amounts = list(zip(document.lines, document.totals.lines, strict=True))
    found = [
        Group(None, None, tuple((line, amount) for line, amount in amounts if line.section is None))
    ]
    subtotals = {subtotal.section: subtotal.subtotal for subtotal in document.totals.sections}
    for section in document.sections:
        members = tuple((line, amount) for line, amount in amounts if line.section == section.key)
        found.append(Group(section, subtotals.get(section.key), members))
    return [group for group in found if group.lines]


def lines_table(
    document: Printable, words: Words, formats: Formats, accent: Color
) -> list[Flowable]:
    with_discount = any(line.discount is not None for line in document.lines)
    numbers = [_QUANTITY, _UNIT_PRICE, _VAT, *([_DISCOUNT] if with_discount else []), _AMOUNT]
    widths = [WIDTH - sum(numbers), *numbers]
    columns = len(widths)
    header_words = [
        words.description,
        words.quantity,
        words.unit_price,
        words.vat,
        *([words.discount] if with_discount else []),
        words.amount,
    ]
    rows: list[list[Any]] = [
        [
            _cell(word, SMALL, INK, bold=True, align="start" if index == 0 else "right")
            for index, word in enumerate(header_words)
        ]
    ]
    style: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 1, accent),
    ]
    description_width = widths[0] - 2 * PAD
    for group in groups(document):
        if group.section is not None:
            at = len(rows)
            rows.append([_cell(group.section.title, CELL + 1, accent, bold=True)])
            rows[-1] += [""] * (columns - 1)
            style += [
                ("SPAN", (0, at), (-1, at)),
                ("TOPPADDING", (0, at), (-1, at), 8),
                # A section's title never ends a page alone.
                ("NOSPLIT", (0, at), (-1, at + 1)),
            ]
        for line, amount in group.lines:
            first = len(rows)
            rows += _line_rows(line, amount, words, formats, with_discount, description_width)
            style.append(("LINEBELOW", (0, len(rows) - 1), (-1, len(rows) - 1), 0.4, RULE))
            if len(rows) - first > 1:
                # The rows of one long description read as one text: no gap between them.
                style += [
                    ("TOPPADDING", (0, first + 1), (-1, len(rows) - 1), 0),
                    ("BOTTOMPADDING", (0, first), (-1, len(rows) - 2), 0),
                ]
        if group.section is not None:
            at = len(rows)
            label = words.subtotal.format(section=group.section.title)
            rows.append(
                [
                    _cell(label, CELL, INK, bold=True, align="right"),
                    *[""] * (columns - 2),
                    _cell(
                        formats.money(group.subtotal or Decimal(0)),
                        CELL,
                        INK,
                        bold=True,
                        align="right",
                    ),
                ]
            )
            style += [("SPAN", (0, at), (-2, at)), ("NOSPLIT", (0, at - 1), (-1, at))]
    return [LongTable(rows, colWidths=widths, repeatRows=1, style=style)]


def _line_rows(
    line: Line,
    amount: LineAmount,
    words: Words,
    formats: Formats,
    with_discount: bool,
    description_width: float,
) -> list[list[Any]]:
    counted = INK if amount.counted else MUTED
    quantity = f"{formats.quantity(line.quantity)} {line.unit or ''}".strip()
    figures = [
        _cell(quantity, CELL, INK, align="right"),
        _cell(formats.unit_price(line.unit_price), CELL, INK, align="right"),
        _cell(formats.percent(line.vat_rate), CELL, INK, align="right"),
        *(
            [
                _cell(
                    formats.discount(line.discount) if line.discount else "",
                    CELL,
                    INK,
                    align="right",
                )
            ]
            if with_discount
            else []
        ),
        _cell(formats.money(amount.net), CELL, counted, align="right"),
    ]
    parts = list(_description_parts(line.description, description_width))
    rows: list[list[Any]] = [
        [part, *(figures if index == 0 else [""] * len(figures))]
        for index, part in enumerate(parts)
    ]
    if line.optional:
        marker = words.optional_chosen if line.chosen else words.optional_not_chosen
        rows[-1][0] = [rows[-1][0], _cell(marker, SMALL, MUTED)]
    return rows


def _description_parts(description: str, width: float) -> Iterator[ScriptText]:
    """The description as cells of at most ``ROW_LINES`` lines, wrapped once."""
    lines, rtl = wrap_lines(printable(description), width, CELL)
    for start in range(0, len(lines), ROW_LINES):
        part = lines[start : start + ROW_LINES]
        yield ScriptText(
            "\n".join(part), size=CELL, colour=INK, lines=part, rtl=rtl, wrapped_for=width
        )


def _cell(
    text: str, size: float, colour: Color, bold: bool = False, align: Align = "start"
) -> Flowable | str:
    if not text:
        return ""
    return ScriptText(text, size=size, colour=colour, bold=bold, align=align)

"""The top of a quote's first page: the organisation's name in its colour and its company
details on the left; on the right the word "Quote", its number (or "Draft"), issue date
and validity, and below them the client and the contact it is addressed to."""

from __future__ import annotations

from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table
from reportlab.platypus.flowables import Flowable

from portico.quotes.rendering.formats import Formats
from portico.quotes.rendering.printable import PrintableQuote
from portico.quotes.rendering.style import (
    BODY,
    INK,
    MUTED,
    SHADE,
    SMALL,
    TITLE,
    WIDTH,
)
from portico.quotes.rendering.text import ScriptText
from portico.quotes.rendering.words import Words

_RIGHT = 78 * mm
_LABEL = 28 * mm
_PAD = 6
# The letterhead is one block that cannot break across pages: details longer than this
# (an address is a few lines) are cut rather than push it past a page.
_MAX_DETAIL_LINES = 30


def letterhead(
    quote: PrintableQuote, words: Words, formats: Formats, accent: Color
) -> list[Flowable]:
    sender: list[Flowable] = [
        ScriptText(quote.sender.name, size=TITLE, colour=accent, bold=True),
    ]
    if quote.sender.company_details.strip():
        sender += [
            Spacer(1, 4),
            ScriptText(
                quote.sender.company_details.strip(),
                size=SMALL,
                colour=MUTED,
                max_lines=_MAX_DETAIL_LINES,
            ),
        ]
    right: list[Flowable] = [
        ScriptText(words.quote, size=TITLE, colour=accent, bold=True, align="right"),
        Spacer(1, 4),
        _facts(quote, words, formats),
        Spacer(1, 10),
        _recipient(quote, words),
    ]
    table = Table(
        [[sender, right]],
        colWidths=[WIDTH - _RIGHT, _RIGHT],
        style=[
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (0, 0), 12),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ],
    )
    return [table]


def _facts(quote: PrintableQuote, words: Words, formats: Formats) -> Table:
    """Number, issue date and validity, as label and value."""
    rows = [
        (words.number, quote.number or words.draft),
        (words.issue_date, formats.date(quote.issue_date)),
        (words.valid_until, formats.date(quote.valid_until)),
    ]
    return Table(
        [
            [
                ScriptText(label, size=BODY, colour=MUTED, align="right"),
                ScriptText(value, size=BODY, colour=INK, bold=True, align="right"),
            ]
            for label, value in rows
        ],
        colWidths=[_LABEL, _RIGHT - _LABEL],
        style=[
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (0, -1), 6),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ],
    )


def _recipient(quote: PrintableQuote, words: Words) -> Table:
    """The client's block, in a shaded box."""
    recipient = quote.recipient
    cell: list[Flowable] = [
        ScriptText(words.client, size=SMALL, colour=MUTED),
        ScriptText(recipient.client_name, size=BODY + 2, colour=INK, bold=True),
    ]
    if recipient.contact_name:
        cell.append(ScriptText(recipient.contact_name, size=BODY, colour=INK))
    if recipient.contact_email:
        cell.append(ScriptText(recipient.contact_email, size=BODY, colour=MUTED))
    return Table(
        [[cell]],
        colWidths=[_RIGHT],
        style=[
            ("BACKGROUND", (0, 0), (-1, -1), SHADE),
            ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
            ("TOPPADDING", (0, 0), (-1, -1), _PAD),
            ("BOTTOMPADDING", (0, 0), (-1, -1), _PAD),
        ],
    )

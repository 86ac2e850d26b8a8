"""The top of a quote's or an invoice's first page: the organisation's logo when it has one,
its name in its colour and its company details on the left; on the right the word "Quote"
or "Invoice", its number (or "Draft"), its dates (a quote's validity, an invoice's due date
and the quote it bills), and below them the client and the contact it is addressed to."""

from __future__ import annotations

from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table
from reportlab.platypus.flowables import Flowable

from portico.quotes.rendering.formats import Formats
from portico.quotes.rendering.logo import logo_flowable
from portico.quotes.rendering.printable import Printable, PrintableInvoice, Recipient
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
    document: Printable, words: Words, formats: Formats, accent: Color
) -> list[Flowable]:
    sender: list[Flowable] = []
    logo = logo_flowable(document.sender.logo) if document.sender.logo else None
    if logo is not None:
        sender += [logo, Spacer(1, 6)]
    sender.append(ScriptText(document.sender.name, size=TITLE, colour=accent, bold=True))
    if document.sender.company_details.strip():
        sender += [
            Spacer(1, 4),
            ScriptText(
                document.sender.company_details.strip(),
                size=SMALL,
                colour=MUTED,
                max_lines=_MAX_DETAIL_LINES,
            ),
        ]
    kind, facts = _facts_of(document, words, formats)
    right: list[Flowable] = [
        ScriptText(kind, size=TITLE, colour=accent, bold=True, align="right"),
        Spacer(1, 4),
        _facts(facts),
        Spacer(1, 10),
        _recipient(document.recipient, words),
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


def _facts_of(
    document: Printable, words: Words, formats: Formats
) -> tuple[str, list[tuple[str, str]]]:
    """The document's kind ("Quote", "Invoice") and its facts as label and value."""
    if isinstance(document, PrintableInvoice):
        rows = [
            (words.number, document.number),
            (words.invoice_issue_date, formats.date(document.issue_date)),
            (words.due_on, formats.date(document.due_on)),
        ]
        if document.quote_number:
            rows.append((words.quote_reference, document.quote_number))
        return words.invoice, rows
    return words.quote, [
        (words.number, document.number or words.draft),
        (words.issue_date, formats.date(document.issue_date)),
        (words.valid_until, formats.date(document.valid_until)),
    ]


def _facts(rows: list[tuple[str, str]]) -> Table:
    """Number and dates, as label and value."""
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


def _recipient(recipient: Recipient, words: Words) -> Table:
    """The client's block, in a shaded box."""
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

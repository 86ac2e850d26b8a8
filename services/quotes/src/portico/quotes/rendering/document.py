"""A quote's PDF and an invoice's: ``render_quote_pdf`` lays a ``PrintableQuote`` out on A4
pages with reportlab's platypus, ``render_invoice_pdf`` a ``PrintableInvoice`` in the same
layout. Pure: no clock, no I/O, nothing read but the fonts.

From top to bottom: the letterhead (the organisation's logo, name and details, the
document's number and dates, the client), the title and, for a quote, its introduction,
the lines, the totals; a quote then has its notes and terms, and once accepted, who
accepted it and their signature. "Page n of N" at the foot of every page. Every word is in
the document's language, every amount and date formatted as it writes them, and text in
any script prints in its Noto face (``text.ScriptText``)."""

from __future__ import annotations

import io

from reportlab import rl_config
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Spacer
from reportlab.platypus.flowables import Flowable

from portico.quotes.rendering.acceptance_block import acceptance_block
from portico.quotes.rendering.formats import Formats
from portico.quotes.rendering.letterhead import letterhead
from portico.quotes.rendering.lines_table import lines_table
from portico.quotes.rendering.pages import numbered_canvas
from portico.quotes.rendering.printable import Printable, PrintableInvoice, PrintableQuote
from portico.quotes.rendering.style import (
    BODY,
    BOTTOM,
    HEADING,
    INK,
    MARGIN,
    PAGE_HEIGHT,
    TOP,
    WIDTH,
    brand,
)
from portico.quotes.rendering.text import ScriptText
from portico.quotes.rendering.totals_table import totals_table
from portico.quotes.rendering.words import WORDS, Words


def render_quote_pdf(quote: PrintableQuote) -> bytes:
    """The quote as an A4 PDF in its language."""
    words, formats, accent = _setting(quote)
    story = [
        *letterhead(quote, words, formats, accent),
        Spacer(1, 16),
        ScriptText(quote.title, size=HEADING + 2, colour=INK, bold=True),
    ]
    if quote.introduction.strip():
        story += [Spacer(1, 6), ScriptText(quote.introduction.strip(), size=BODY, colour=INK)]
    story += _figures(quote, words, formats, accent)
    for heading, text in ((words.notes, quote.notes), (words.terms, quote.terms)):
        story += _section(heading, text, accent)
    if quote.acceptance is not None:
        story += acceptance_block(quote.acceptance, words, formats, accent)
    return _built(quote, story, f"{words.quote} {quote.number or words.draft}", words)


def render_invoice_pdf(invoice: PrintableInvoice) -> bytes:
    """The invoice as an A4 PDF in its language, laid out as its quote."""
    words, formats, accent = _setting(invoice)
    story = [
        *letterhead(invoice, words, formats, accent),
        Spacer(1, 16),
        ScriptText(invoice.title, size=HEADING + 2, colour=INK, bold=True),
        *_figures(invoice, words, formats, accent),
    ]
    return _built(invoice, story, f"{words.invoice} {invoice.number}", words)


def _setting(document: Printable) -> tuple[Words, Formats, Color]:
    """The document's words, number formats and accent colour."""
    formats = Formats(document.locale, document.currency, document.decimals)
    return WORDS[document.locale], formats, brand(document.sender.brand_colour)


def _figures(document: Printable, words: Words, formats: Formats, accent: Color) -> list[Flowable]:
    return [
        Spacer(1, 12),
        *lines_table(document, words, formats, accent),
        Spacer(1, 10),
        *totals_table(document, words, formats, accent),
    ]


def _built(document: Printable, story: list[Flowable], named: str, words: Words) -> bytes:
    """``story`` on A4 pages; ``named`` ("Quote DEV-2026-0042") in its title and its
    footer."""
    buffer = io.BytesIO()
    frame = Frame(
        MARGIN,
        BOTTOM,
        WIDTH,
        PAGE_HEIGHT - TOP - BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    pdf = BaseDocTemplate(
        buffer,
        pagesize=A4,
        pageTemplates=[PageTemplate("page", [frame])],
        title=f"{named} — {document.title}",
        author=document.sender.name,
        creator="Portico",
        lang=document.locale,
        # No creation date or random document id: a document prints to the same bytes.
        invariant=1,
    )
    reference = f"{document.sender.name} · {named}"
    # Streams stored binary rather than as ASCII85 text, a quarter larger (as the
    # certificate of libs/pdf does). reportlab has only this process-wide switch: a render
    # in another thread meanwhile may write some streams either way, both valid PDF.
    ascii85, rl_config.useA85 = rl_config.useA85, 0
    try:
        pdf.build(story, canvasmaker=numbered_canvas(reference, words.page))
    finally:
        rl_config.useA85 = ascii85
    return buffer.getvalue()


def _section(heading: str, text: str, accent: Color) -> list[Flowable]:
    if not text.strip():
        return []
    title = ScriptText(heading, size=HEADING, colour=accent, bold=True)
    title.keepWithNext = True
    return [Spacer(1, 14), title, Spacer(1, 4), ScriptText(text.strip(), size=BODY, colour=INK)]

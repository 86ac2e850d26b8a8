"""A quote's PDF: ``render_quote_pdf`` lays a ``PrintableQuote`` out on A4 pages with
reportlab's platypus. Pure: no clock, no I/O, nothing read but the fonts.

From top to bottom: the letterhead (the organisation, the quote's number and dates, the
client), the title and introduction, the lines, the totals, the notes and the terms, and
once accepted, who accepted it and their signature;
"Page n of N" at the foot of every page. Every word is in the quote's language, every
amount and date formatted as it writes them, and text in any script prints in its Noto
face (``text.ScriptText``)."""

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
from portico.quotes.rendering.printable import PrintableQuote
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
from portico.quotes.rendering.words import WORDS


def render_quote_pdf(quote: PrintableQuote) -> bytes:
    """The quote as an A4 PDF in its language."""
    words = WORDS[quote.locale]
    formats = Formats(quote.locale, quote.currency, quote.decimals)
    accent = brand(quote.sender.brand_colour)
    story: list[Flowable] = [
        *letterhead(quote, words, formats, accent),
        Spacer(1, 16),
        ScriptText(quote.title, size=HEADING + 2, colour=INK, bold=True),
    ]
    if quote.introduction.strip():
        story += [Spacer(1, 6), ScriptText(quote.introduction.strip(), size=BODY, colour=INK)]
    story += [
        Spacer(1, 12),
        *lines_table(quote, words, formats, accent),
        Spacer(1, 10),
        *totals_table(quote, words, formats, accent),
    ]
    for heading, text in ((words.notes, quote.notes), (words.terms, quote.terms)):
        story += _section(heading, text, accent)
    if quote.acceptance is not None:
        story += acceptance_block(quote.acceptance, words, formats, accent)

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
    title = f"{words.quote} {quote.number or words.draft} — {quote.title}"
    document = BaseDocTemplate(
        buffer,
        pagesize=A4,
        pageTemplates=[PageTemplate("quote", [frame])],
        title=title,
        author=quote.sender.name,
        creator="Portico",
        lang=quote.locale,
        # No creation date or random document id: a quote prints to the same bytes.
        invariant=1,
    )
    reference = f"{quote.sender.name} · {words.quote} {quote.number or words.draft}"
    # Streams stored binary rather than as ASCII85 text, a quarter larger (as the
    # certificate of libs/pdf does). reportlab has only this process-wide switch: a render
    # in another thread meanwhile may write some streams either way, both valid PDF.
    ascii85, rl_config.useA85 = rl_config.useA85, 0
    try:
        document.build(story, canvasmaker=numbered_canvas(reference, words.page))
    finally:
        rl_config.useA85 = ascii85
    return buffer.getvalue()


def _section(heading: str, text: str, accent: Color) -> list[Flowable]:
    if not text.strip():
        return []
    title = ScriptText(heading, size=HEADING, colour=accent, bold=True)
    title.keepWithNext = True
    return [Spacer(1, 14), title, Spacer(1, 4), ScriptText(text.strip(), size=BODY, colour=INK)]

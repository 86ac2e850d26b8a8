"""A quote's PDF, from plain values to bytes (no database, no I/O): ``render_quote_pdf``
of a ``PrintableQuote``."""

from portico.quotes.rendering.document import render_quote_pdf
from portico.quotes.rendering.printable import (
    Acceptance,
    PrintableQuote,
    PrintLocale,
    Recipient,
    Sender,
)

__all__ = ["Acceptance", "PrintLocale", "PrintableQuote", "Recipient", "Sender", "render_quote_pdf"]

"""A quote's PDF and an invoice's, from plain values to bytes (no database, no I/O):
``render_quote_pdf`` of a ``PrintableQuote``, ``render_invoice_pdf`` of a
``PrintableInvoice``."""

from portico.quotes.rendering.document import render_invoice_pdf, render_quote_pdf
from portico.quotes.rendering.printable import (
    Acceptance,
    PrintableInvoice,
    PrintableQuote,
    PrintLocale,
    Recipient,
    Sender,
)

__all__ = [
    "Acceptance",
    "PrintLocale",
    "PrintableInvoice",
    "PrintableQuote",
    "Recipient",
    "Sender",
    "render_invoice_pdf",
    "render_quote_pdf",
]

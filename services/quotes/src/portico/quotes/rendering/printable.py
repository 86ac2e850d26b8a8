"""What a quote's or an invoice's PDF prints, as plain values: no row, no session, nothing
to load. The endpoints and the send build them from the database
(``portico.quotes.quotes.printing``, ``portico.quotes.invoices.printing``); tests and the
benchmark build them by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from portico.quotes.totals import Line, Section, Totals

PrintLocale = Literal["fr", "en"]


@dataclass(frozen=True)
class Sender:
    """The organisation the quote comes from, as the portal announced it, and the details
    French quotes must carry (address, registration and VAT numbers), from the settings."""

    name: str
    company_details: str = ""
    # "#2f5bea"; None (or a value that is not a colour) prints in Portico's own accent.
    brand_colour: str | None = None
    # The organisation's logo, a PNG as ``logo.print_ready`` makes it; None prints none.
    logo: bytes | None = None


@dataclass(frozen=True)
class Recipient:
    """The client the quote is for, and the contact it is addressed to."""

    client_name: str
    contact_name: str = ""
    contact_email: str = ""


@dataclass(frozen=True)
class Acceptance:
    """The client's acceptance, as the signed quote prints it: who, when (``signed_at``
    aware, shown in the signer's ``time_zone``), from where, and the signature drawn (a
    PNG) or typed, if any."""

    name: str
    signed_at: datetime
    email: str = ""
    time_zone: str | None = None
    ip: str | None = None
    signature_png: bytes | None = None
    signature_text: str | None = None


@dataclass(frozen=True)
class PrintableQuote:
    """A quote as printed. ``lines`` and ``sections`` are in the editor's order and
    ``totals`` is ``totals.compute_totals`` of them (its ``lines`` follow ``lines``, its
    ``sections`` follow ``sections``); ``decimals`` is the currency's, the places amounts
    print with. ``number`` is None for a draft never sent."""

    number: str | None
    title: str
    issue_date: date
    valid_until: date
    sender: Sender
    recipient: Recipient
    currency: str
    decimals: int
    locale: PrintLocale
    lines: tuple[Line, ...]
    totals: Totals
    sections: tuple[Section, ...] = ()
    introduction: str = ""
    notes: str = ""
    terms: str = ""
    # Printed after the terms once the client accepted: the signed quote.
    acceptance: Acceptance | None = None


@dataclass(frozen=True)
class PrintableInvoice:
    """An invoice as printed: what it bills as it was kept when issued (``lines`` and
    ``sections`` in the quote's order, ``totals`` the figures kept, each line counted),
    laid out as a quote is; ``quote_number`` is the quote it bills, printed as its
    reference."""

    number: str
    title: str
    issue_date: date
    due_on: date
    sender: Sender
    recipient: Recipient
    currency: str
    decimals: int
    locale: PrintLocale
    lines: tuple[Line, ...]
    totals: Totals
    sections: tuple[Section, ...] = ()
    quote_number: str | None = None


# What the layout's shared parts (letterhead, lines, totals) print from.
Printable = PrintableQuote | PrintableInvoice

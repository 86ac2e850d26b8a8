"""What a quote's PDF prints, as plain values: no row, no session, nothing to load. The
endpoint and the send build it from the database (``portico.quotes.quotes.printing``);
tests and the benchmark build it by hand."""

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

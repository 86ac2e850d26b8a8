"""A kept quote as printed: what its PDF says, read from the quote, the replicas (its
client and contact, the organisation's name, colour and logo) and the settings (the
company's details), then rendered by ``portico.quotes.rendering`` off the event loop. An
invoice's PDF (``invoices.printing``) takes its sender and recipient from here too.

The logo is kept ready to print in the organisation's replica (``replicas.copy_logo``);
each process reads it from there once per copy and keeps it (``PrintedLogos``), so a
render reads no image and decodes nothing before the layout."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from portico.kit.transaction import Transaction
from portico.quotes.currencies import decimals_of
from portico.quotes.models import ClientReplica, OrganisationReplica, Quote
from portico.quotes.quote_settings import quote_settings
from portico.quotes.quotes.content import line_of, totals_of
from portico.quotes.rendering import (
    Acceptance,
    PrintableQuote,
    Recipient,
    Sender,
    render_quote_pdf,
)
from portico.quotes.replicas import ORGANISATION_ROW, contact_name, contact_of, organisation
from portico.quotes.totals import Section


@dataclass(frozen=True)
class _Held:
    version: tuple[str, datetime]
    logo: bytes | None


class PrintedLogos:
    """The organisation's logo as this process last read it, by its key and when it was
    copied (the portal stores a new logo of the same format under the same key, so the
    key alone would keep printing the old one): read from the database once per copy,
    not at every render."""

    def __init__(self) -> None:
        self._held: _Held | None = None

    async def logo(self, tx: Transaction, held: OrganisationReplica | None) -> bytes | None:
        """The logo to print for the organisation as ``held``; None when it has none or
        none was copied (a missing or unreadable file prints without)."""
        if held is None or held.logo_key is None or held.logo_copied_at is None:
            return None
        version = (held.logo_key, held.logo_copied_at)
        kept = self._held
        if kept is not None and kept.version == version:
            return kept.logo
        logo = await tx.scalar(
            select(OrganisationReplica.logo).where(OrganisationReplica.id == ORGANISATION_ROW)
        )
        # Two renders missing it at once both read it; either keeps the same bytes.
        self._held = _Held(version, logo)
        return logo


LOGOS = PrintedLogos()


async def sender_of(tx: Transaction) -> Sender:
    """The organisation as its documents print it: name, colour and logo as the portal
    last announced them, and the settings' company details."""
    held = await organisation(tx)
    settings = await quote_settings(tx)
    return Sender(
        # Before the portal's first word about the organisation, the details alone.
        name=held.name if held is not None else "",
        company_details=settings.company_details,
        brand_colour=held.brand_colour if held is not None else None,
        logo=await LOGOS.logo(tx, held),
    )


async def recipient_of(
    tx: Transaction, client_id: uuid.UUID, contact_id: uuid.UUID | None
) -> Recipient:
    """The client and the contact a document is addressed to, as the replica holds them
    (a deleted client keeps its name, not its contacts)."""
    client = await tx.get(ClientReplica, client_id)
    contact = contact_of(client, contact_id) if client is not None else None
    return Recipient(
        client_name=client.name if client is not None else "",
        contact_name=contact_name(contact) if contact is not None else "",
        contact_email=str(contact.get("email") or "") if contact is not None else "",
    )


async def printable_quote(
    tx: Transaction,
    quote: Quote,
    *,
    contact_id: uuid.UUID | None = None,
    acceptance: Acceptance | None = None,
) -> PrintableQuote:
    """``quote`` (its sections and lines loaded) as its PDF prints it, addressed to
    ``contact_id`` (the one it is sent to) or to its own contact; with ``acceptance``, the
    signed quote."""
    return PrintableQuote(
        number=quote.number,
        title=quote.title,
        issue_date=quote.issue_date,
        valid_until=quote.valid_until,
        sender=await sender_of(tx),
        recipient=await recipient_of(tx, quote.client_id, contact_id or quote.contact_id),
        currency=quote.currency,
        decimals=decimals_of(quote.currency),
        locale="fr" if quote.locale == "fr" else "en",
        lines=tuple(line_of(row) for row in quote.lines),
        sections=tuple(Section(row.key, row.title) for row in quote.sections),
        totals=totals_of(quote),
        introduction=quote.introduction,
        notes=quote.notes,
        terms=quote.terms,
        acceptance=acceptance,
    )


async def quote_pdf(tx: Transaction, quote: Quote, *, contact_id: uuid.UUID | None = None) -> bytes:
    """The quote's PDF. Rendering is CPU work (a few tens of milliseconds for a page or
    two): it runs in a thread, as the services' other PDF work does, so the event loop
    keeps serving meanwhile."""
    printable = await printable_quote(tx, quote, contact_id=contact_id)
    return await asyncio.to_thread(render_quote_pdf, printable)


def pdf_file_name(quote: Quote) -> str:
    """The name the PDF is saved and attached under: its number, "draft" before it has one."""
    return f"{quote.number or 'draft'}.pdf"

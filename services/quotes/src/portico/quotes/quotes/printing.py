"""A kept quote as printed: what its PDF says, read from the quote, the replicas (its
client and contact, the organisation's name and colour) and the settings (the company's
details), then rendered by ``portico.quotes.rendering`` off the event loop."""

from __future__ import annotations

import asyncio
import uuid

from portico.kit.transaction import Transaction
from portico.quotes.currencies import decimals_of
from portico.quotes.models import ClientReplica, Quote
from portico.quotes.quote_settings import quote_settings
from portico.quotes.quotes.content import line_of, totals_of
from portico.quotes.rendering import (
    Acceptance,
    PrintableQuote,
    Recipient,
    Sender,
    render_quote_pdf,
)
from portico.quotes.replicas import contact_name, contact_of, organisation
from portico.quotes.totals import Section


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
    client = await tx.get(ClientReplica, quote.client_id)
    contact = contact_of(client, contact_id or quote.contact_id) if client is not None else None
    sender = await organisation(tx)
    settings = await quote_settings(tx)
    return PrintableQuote(
        number=quote.number,
        title=quote.title,
        issue_date=quote.issue_date,
        valid_until=quote.valid_until,
        sender=Sender(
            # Before the portal's first word about the organisation, the details alone.
            name=sender.name if sender is not None else "",
            company_details=settings.company_details,
            brand_colour=sender.brand_colour if sender is not None else None,
        ),
        recipient=Recipient(
            client_name=client.name if client is not None else "",
            contact_name=contact_name(contact) if contact is not None else "",
            contact_email=str(contact.get("email") or "") if contact is not None else "",
        ),
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

"""The signed quote: the quote as accepted (the options taken, the totals they made), ending
with who accepted it, when, from where and their signature, then the certificate of
completion (``online.certificate``: the signer and the quote's history as a hash-chained
audit trail), the whole sealed (``portico.quotes.seal``) by ``libs/pdf``'s
``complete_document``, as the signing service completes its documents, and kept in the
service's blob store as the proof staff and the signer download.

It is made in the accepting request, under the quote's lock, before QuoteSigned names it:
the event never names a file that is not there, and a refused or failed acceptance stores
nothing a row names.
"""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import Callable

from sqlalchemy import select

from portico.kit.db import utcnow
from portico.kit.settings import PorticoSettings
from portico.kit.store import BlobStore
from portico.kit.transaction import Transaction
from portico.pdf import CertificateData, SealKey, complete_document
from portico.quotes.models import ClientReplica, Quote, QuoteEvent, StaffReplica
from portico.quotes.online.certificate import certificate_data, trail_of
from portico.quotes.quotes.printing import printable_quote
from portico.quotes.quotes.sending import staff_page
from portico.quotes.rendering import Acceptance, PrintableQuote, render_quote_pdf
from portico.quotes.rendering.formats import Formats
from portico.quotes.replicas import contact_name
from portico.quotes.seal import current_seal, seal_reason


def signed_pdf_key(quote: Quote) -> str:
    # Random, so that a quote voided, sent again and accepted anew never overwrites the
    # proof of its first acceptance.
    return f"quotes/{quote.id}/signed-{secrets.token_hex(8)}.pdf"


def _complete(
    printable: PrintableQuote,
    certificate_for: Callable[[str, str], CertificateData],
    key: SealKey,
) -> bytes:
    assert printable.number is not None  # an accepted quote was sent, so numbered
    completed = complete_document(
        render_quote_pdf(printable),
        [],
        certificate_for,
        key,
        reason=seal_reason(printable.number),
        locales=(printable.locale,),
    )
    return completed.pdf


async def _names(tx: Transaction, quote: Quote, steps: list[QuoteEvent]) -> dict[uuid.UUID, str]:
    """Who took each step: the client's contacts and the staff, as the replicas name them."""
    names: dict[uuid.UUID, str] = {}
    client = await tx.get(ClientReplica, quote.client_id)
    for contact in client.contacts if client is not None else []:
        names[uuid.UUID(str(contact["id"]))] = contact_name(contact)
    staff_ids = {step.staff_id for step in steps if step.staff_id is not None}
    if staff_ids:
        rows = await tx.execute(select(StaffReplica).where(StaffReplica.user_id.in_(staff_ids)))
        names.update({staff.user_id: staff.name for staff in rows.scalars()})
    return names


async def store_signed_quote(
    tx: Transaction,
    store: BlobStore,
    quote: Quote,
    acceptance: Acceptance,
    contact_id: uuid.UUID,
    *,
    user_agent: str | None,
    links: PorticoSettings,
) -> str:
    """Render, complete, seal and store the signed ``quote``; answers its key. The
    acceptance's step is in the history already (flushed), so the trail ends with it."""
    printable = await printable_quote(tx, quote, contact_id=contact_id, acceptance=acceptance)
    assert printable.number is not None
    key = await current_seal(tx, printable.sender.name)
    steps = list(
        (
            await tx.execute(
                select(QuoteEvent)
                .where(QuoteEvent.quote_id == quote.id)
                .order_by(QuoteEvent.at, QuoteEvent.id)
            )
        ).scalars()
    )
    trail = trail_of(steps, await _names(tx, quote, steps))
    formats = Formats(printable.locale, printable.currency, printable.decimals)
    chosen = [line.description for line in printable.lines if line.optional and line.chosen]
    number, generated_at = printable.number, utcnow()

    def certificate_for(original_sha256: str, signed_sha256: str) -> CertificateData:
        return certificate_data(
            number=number,
            title=printable.title,
            quote_id=quote.id,
            organisation_name=printable.sender.name,
            client_name=printable.recipient.client_name,
            # The quote's staff page, where the organisation compares a copy with the proof
            # it keeps; the seal itself is checked by any PDF reader.
            verification_url=staff_page(links, quote.id),
            acceptance=acceptance,
            user_agent=user_agent,
            options_chosen=chosen,
            total_with_tax=formats.money(printable.totals.total_with_tax),
            locale=printable.locale,
            trail=trail,
            generated_at=generated_at,
            original_sha256=original_sha256,
            signed_sha256=signed_sha256,
        )

    # CPU work (a render, the certificate, the seal): off the loop.
    pdf = await asyncio.to_thread(_complete, printable, certificate_for, key)
    at = signed_pdf_key(quote)
    await store.put(at, pdf, content_type="application/pdf")
    return at

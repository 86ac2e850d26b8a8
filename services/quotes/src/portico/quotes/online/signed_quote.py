"""The signed quote: the quote as accepted (the options taken, the totals they made), ending
with who accepted it, when, from where and their signature, sealed (``portico.quotes.seal``)
and kept in the service's blob store as the proof staff and the signer download.

It is made in the accepting request, under the quote's lock, before QuoteSigned names it:
the event never names a file that is not there, and a refused or failed acceptance stores
nothing a row names.
"""

from __future__ import annotations

import asyncio
import secrets
import uuid

from portico.kit.store import BlobStore
from portico.kit.transaction import Transaction
from portico.pdf import SealKey
from portico.quotes.models import Quote
from portico.quotes.quotes.printing import printable_quote
from portico.quotes.rendering import Acceptance, PrintableQuote, render_quote_pdf
from portico.quotes.seal import current_seal, sealed


def signed_pdf_key(quote: Quote) -> str:
    # Random, so that a quote voided, sent again and accepted anew never overwrites the
    # proof of its first acceptance.
    return f"quotes/{quote.id}/signed-{secrets.token_hex(8)}.pdf"


def _render_and_seal(printable: PrintableQuote, key: SealKey) -> bytes:
    assert printable.number is not None  # an accepted quote was sent, so numbered
    return sealed(render_quote_pdf(printable), key, number=printable.number)


async def store_signed_quote(
    tx: Transaction,
    store: BlobStore,
    quote: Quote,
    acceptance: Acceptance,
    contact_id: uuid.UUID,
) -> str:
    """Render, seal and store the signed ``quote``; answers its key."""
    printable = await printable_quote(tx, quote, contact_id=contact_id, acceptance=acceptance)
    key = await current_seal(tx, printable.sender.name)
    pdf = await asyncio.to_thread(_render_and_seal, printable, key)
    at = signed_pdf_key(quote)
    await store.put(at, pdf, content_type="application/pdf")
    return at

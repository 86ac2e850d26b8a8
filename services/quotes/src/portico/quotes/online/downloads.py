"""The PDF the holder of a quote's link downloads: the signed quote, sealed, once accepted;
before that, the quote as it stands (with the options they chose). Each download is in the
history; the staff member in charge hears of the first through each contact's link
(QuoteDownloaded), not of every copy taken again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import exists, select

from portico.contracts.events.quotes import QuoteDownloaded
from portico.kit.db import utcnow
from portico.kit.settings import PorticoSettings
from portico.kit.store import BlobStore
from portico.kit.transaction import Transaction
from portico.quotes import history
from portico.quotes.history import HistoryKind, RequestInfo
from portico.quotes.models import Quote, QuoteEvent
from portico.quotes.online.links import Opened
from portico.quotes.online.service import about
from portico.quotes.quotes.printing import pdf_file_name, quote_pdf
from portico.quotes.quotes.service import client_name


@dataclass(frozen=True)
class Download:
    pdf: bytes
    file_name: str


def signed_file_name(quote: Quote) -> str:
    return pdf_file_name(quote).removesuffix(".pdf") + "-signed.pdf"


async def quote_file(
    tx: Transaction, store: BlobStore, quote: Quote, *, contact_id: uuid.UUID | None = None
) -> Download:
    """The quote's PDF as it stands: the sealed proof once accepted, else rendered now
    (addressed to ``contact_id`` or its own contact)."""
    if quote.proof_key is not None:
        return Download(await store.read(quote.proof_key), signed_file_name(quote))
    return Download(await quote_pdf(tx, quote, contact_id=contact_id), pdf_file_name(quote))


async def download(
    tx: Transaction,
    store: BlobStore,
    opened: Opened,
    origin: RequestInfo,
    links: PorticoSettings,
) -> Download:
    """The quote's PDF for the holder of its link, the download recorded."""
    return await contact_download(tx, store, opened.quote, opened.link.contact_id, origin, links)


async def contact_download(
    tx: Transaction,
    store: BlobStore,
    quote: Quote,
    contact_id: uuid.UUID | None,
    origin: RequestInfo,
    links: PorticoSettings,
) -> Download:
    """The quote's PDF for one of its client's contacts (through a link or the client
    portal's billing section), addressed to them; the download is a step of the history, and
    the first by each contact is announced."""
    file = await quote_file(tx, store, quote, contact_id=contact_id)
    first = not await tx.scalar(
        select(
            exists().where(
                QuoteEvent.quote_id == quote.id,
                QuoteEvent.kind == HistoryKind.DOWNLOADED,
                QuoteEvent.contact_id == contact_id,
            )
        )
    )
    history.record(tx, quote, HistoryKind.DOWNLOADED, contact_id=contact_id, request_info=origin)
    if first:
        tx.emit(
            QuoteDownloaded(
                **about(quote, links),
                client_name=await client_name(tx, quote.client_id) or None,
                downloaded_at=utcnow(),
                ip=origin.ip,
                user_agent=origin.user_agent,
            )
        )
    await tx.flush()
    return file

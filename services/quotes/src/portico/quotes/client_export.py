"""The quotes service's part of a client's data export (docs/exports.md).

What it holds about a client: its quotes (drafts included) with their sections, lines,
history (views, downloads, answers, with IP address and user agent), links (their dates,
never their tokens' hashes) and attachments; its invoices and orders; and the replica of
the client as the portal described it. Files: each quote's own folder (the PDFs sent,
the signed quote, the drawn signature, the attachments). An invoice's PDF is printed on
demand from its row, never stored: its row is in ``data.json``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from portico.contracts.events.exports import ClientExportRequested
from portico.kit.client_exports import ClientExport, ExportContents
from portico.quotes.models import (
    ClientReplica,
    Invoice,
    Quote,
    QuoteAttachment,
    QuoteEvent,
    QuoteLine,
    QuoteLink,
    QuoteSection,
)


async def collect(session: AsyncSession, request: ClientExportRequested) -> ExportContents:
    quotes = list(
        await session.scalars(
            select(Quote).where(Quote.client_id == request.client_id).order_by(Quote.created_at)
        )
    )
    ids = [quote.id for quote in quotes]
    contents = ExportContents()
    contents.add_rows(
        "client_replicas",
        await session.scalars(
            select(ClientReplica).where(ClientReplica.client_id == request.client_id)
        ),
    )
    contents.add_rows("quotes", quotes)
    by_quote: list[tuple[str, Any, tuple[Any, ...]]] = [
        ("quote_sections", QuoteSection, (QuoteSection.quote_id, QuoteSection.position)),
        ("quote_lines", QuoteLine, (QuoteLine.quote_id, QuoteLine.position)),
        ("quote_events", QuoteEvent, (QuoteEvent.at, QuoteEvent.id)),
        ("quote_links", QuoteLink, (QuoteLink.created_at, QuoteLink.id)),
        ("quote_attachments", QuoteAttachment, (QuoteAttachment.created_at, QuoteAttachment.id)),
    ]
    for table, model, order in by_quote:
        rows = await session.scalars(select(model).where(model.quote_id.in_(ids)).order_by(*order))
        contents.add_rows(table, rows)
    invoices = select(Invoice).where(
        or_(Invoice.client_id == request.client_id, Invoice.quote_id.in_(ids))
    )
    contents.add_rows("invoices", await session.scalars(invoices.order_by(Invoice.created_at)))
    for quote_id in ids:
        contents.add_folder(f"quotes/{quote_id}", f"quotes/{quote_id}/")
    return contents


CLIENT_EXPORT = ClientExport("quotes", collect)
JOBS = CLIENT_EXPORT.jobs

"""What a client's billing section reads: only ever rows of the client asking, each query
filtered by its ``client_id``, so another client's quote or invoice is a 404 (not a 403
that would say it exists)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select

from portico.kit.problems import NotFound
from portico.kit.transaction import Transaction
from portico.quotes.billing.schemas import BilledInvoice, BilledQuote, BillingOut
from portico.quotes.currencies import decimals_of
from portico.quotes.invoices.statuses import InvoiceStatus
from portico.quotes.models import Invoice, Quote
from portico.quotes.quotes.service import quote_of
from portico.quotes.statuses import QuoteStatus

# The most of each list a client is answered: the newest, a portal page's worth.
LISTED = 200
# A quote the client was never shown (a draft) or that was withdrawn (void) is not theirs
# to read; a reopened one is a draft again until it is sent anew.
NOT_ADDRESSED = (QuoteStatus.DRAFT.value, QuoteStatus.VOID.value)
PDF_PATH = "/v1/billing/quotes/{quote_id}/pdf"
INVOICE_PDF_PATH = "/v1/billing/invoices/{invoice_id}/pdf"


def _rounded(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-decimals_of(currency)))


async def billing_of(tx: Transaction, client_id: uuid.UUID) -> BillingOut:
    quotes = await tx.scalars(
        select(Quote)
        .where(
            Quote.client_id == client_id,
            Quote.number.is_not(None),
            Quote.status.not_in(NOT_ADDRESSED),
        )
        .order_by(Quote.issue_date.desc(), Quote.number.desc())
        .limit(LISTED)
    )
    invoices = await tx.execute(
        select(Invoice, Quote.number)
        .outerjoin(Quote, Quote.id == Invoice.quote_id)
        .where(Invoice.client_id == client_id)
        .order_by(Invoice.issue_date.desc(), Invoice.number.desc())
        .limit(LISTED)
    )
    return BillingOut(
        quotes=[
            BilledQuote(
                id=quote.id,
                number=quote.number or "",
                title=quote.title,
                status=QuoteStatus(quote.status),
                total_with_tax=_rounded(quote.total_with_tax, quote.currency),
                currency=quote.currency,
                issue_date=quote.issue_date,
                valid_until=quote.valid_until,
                pdf_path=PDF_PATH.format(quote_id=quote.id),
            )
            for quote in quotes
        ],
        invoices=[
            BilledInvoice(
                id=invoice.id,
                number=invoice.number,
                status=InvoiceStatus(invoice.status),
                title=invoice.title,
                total_with_tax=_rounded(invoice.total_with_tax, invoice.currency),
                currency=invoice.currency,
                issue_date=invoice.issue_date,
                due_on=invoice.due_on,
                quote_number=quote_number,
                pdf_path=INVOICE_PDF_PATH.format(invoice_id=invoice.id),
            )
            for invoice, quote_number in invoices
        ],
    )


async def client_invoice(
    tx: Transaction, client_id: uuid.UUID, invoice_id: uuid.UUID
) -> tuple[Invoice, str | None]:
    """The client's invoice and the number of the quote it bills."""
    found = (
        await tx.execute(
            select(Invoice, Quote.number)
            .outerjoin(Quote, Quote.id == Invoice.quote_id)
            .where(Invoice.id == invoice_id, Invoice.client_id == client_id)
        )
    ).first()
    if found is None:
        raise NotFound("No such invoice.")
    return found[0], found[1]


async def client_quote(tx: Transaction, client_id: uuid.UUID, quote_id: uuid.UUID) -> Quote:
    """A quote sent to the client (a draft or a voided one is not found)."""
    found = await tx.scalar(
        select(Quote.id).where(
            Quote.id == quote_id,
            Quote.client_id == client_id,
            Quote.number.is_not(None),
            Quote.status.not_in(NOT_ADDRESSED),
        )
    )
    if found is None:
        raise NotFound("No such quote.")
    return await quote_of(tx, found)

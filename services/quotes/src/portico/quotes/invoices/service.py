"""Invoices and orders from accepted quotes, and an invoice's life after: each use case
works in the caller's transaction, on a quote the caller locked.

An invoice's number is drawn from the settings' invoice pattern in the issuing
transaction (``numbers``), after every check: a refused or failed invoice issues no
number, and two invoices issued at once take consecutive ones.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, select

from portico.contracts.events.common import Person
from portico.contracts.events.quotes import InvoiceIssued
from portico.kit.db import utcnow
from portico.kit.pagination import PageParams, fetch_page
from portico.kit.problems import Conflict, NotFound, ValidationProblem
from portico.kit.settings import PorticoSettings
from portico.kit.transaction import Transaction
from portico.quotes import history
from portico.quotes.history import HistoryKind
from portico.quotes.invoices import statuses
from portico.quotes.invoices.schemas import BilledContent, BilledLine, InvoiceIn
from portico.quotes.invoices.statuses import InvoiceAction, InvoiceStatus, RefusedInvoiceChange
from portico.quotes.models import ClientReplica, Invoice, Quote
from portico.quotes.numbers import INVOICE_NUMBERS, next_number
from portico.quotes.quote_settings import quote_settings
from portico.quotes.quotes.views import quote_out
from portico.quotes.replicas import contact_name, contact_of
from portico.quotes.statuses import QuoteAction, QuoteStatus, RefusedTransition, transition

# Payment is due this long after the issue date unless the request says otherwise.
PAYMENT_DAYS = 30
# The invoice in the client portal's billing section (the gateway's page, login required).
BILLING_PAGE = "/portal/billing/"


@dataclass(frozen=True)
class InvoiceFilters:
    status: InvoiceStatus | None = None
    client_id: uuid.UUID | None = None


def invoice_link(links: PorticoSettings, invoice_id: uuid.UUID) -> str:
    return links.link(f"{BILLING_PAGE}{invoice_id}")


def billed_content(quote: Quote) -> BilledContent:
    """What invoicing ``quote`` bills (its sections and lines loaded): the lines counted in
    its totals (an optional line only when chosen), the sections that have one, and its
    totals, shaped as the quote's own answer shapes them, so they match it to the cent."""
    whole = quote_out(quote, client_name="")
    billed = [line for line in whole.lines if line.counted]
    used = {line.section for line in billed}
    return BilledContent(
        sections=[section for section in whole.sections if section.key in used],
        lines=[
            BilledLine(
                section=line.section,
                description=line.description,
                quantity=line.quantity,
                unit=line.unit,
                unit_price=line.unit_price,
                vat_rate=line.vat_rate,
                discount=line.discount,
                net=line.net,
            )
            for line in billed
        ],
        totals=whole.totals,
    )


def _moved(quote: Quote, action: QuoteAction) -> QuoteStatus:
    try:
        return transition(QuoteStatus(quote.status), action)
    except RefusedTransition as refused:
        raise Conflict(str(refused)) from None


async def _billing_contact(tx: Transaction, quote: Quote) -> Person | None:
    """The quote's contact, while the client's replica still has them."""
    client = await tx.get(ClientReplica, quote.client_id)
    contact = contact_of(client, quote.contact_id) if client is not None else None
    if contact is None or quote.contact_id is None:
        return None
    return Person(
        id=quote.contact_id,
        name=contact_name(contact),
        email=contact.get("email") or None,
        phone=contact.get("phone"),
        locale="fr" if contact.get("locale") == "fr" else "en",
    )


async def issue_invoice(
    tx: Transaction,
    quote: Quote,
    body: InvoiceIn,
    *,
    issued_by: uuid.UUID | None,
    links: PorticoSettings,
    today: date,
) -> Invoice:
    """Invoice the accepted ``quote`` (locked by the caller): the invoice, numbered; the
    quote invoiced, with its step in the history; and InvoiceIssued."""
    status = _moved(quote, QuoteAction.INVOICE)
    due_on = body.due_on or today + timedelta(days=PAYMENT_DAYS)
    if due_on < today:
        raise ValidationProblem.for_field(
            "due_on",
            f"Payment cannot be due before the invoice's issue date, {today.isoformat()}.",
            code="before_issue",
        )
    content = billed_content(quote)
    settings = await quote_settings(tx)
    number = await next_number(
        tx, INVOICE_NUMBERS, settings.invoice_number_pattern, today, unique_in=Invoice.number
    )
    invoice = Invoice(
        id=uuid.uuid4(),
        number=number,
        quote_id=quote.id,
        client_id=quote.client_id,
        contact_id=quote.contact_id,
        title=quote.title,
        currency=quote.currency,
        locale=quote.locale,
        issue_date=today,
        due_on=due_on,
        total_without_tax=content.totals.total_without_tax,
        total_with_tax=content.totals.total_with_tax,
        lines=content.model_dump(mode="json"),
        status=InvoiceStatus.ISSUED,
        created_by=issued_by,
    )
    tx.add(invoice)
    quote.status = status
    quote.updated_at = utcnow()
    history.record(
        tx,
        quote,
        HistoryKind.INVOICED,
        staff_id=issued_by,
        detail={"number": number, "invoice_id": str(invoice.id)},
    )
    tx.emit(
        InvoiceIssued(
            invoice_id=invoice.id,
            number=number,
            quote_id=quote.id,
            client_id=quote.client_id,
            contact=await _billing_contact(tx, quote),
            total_including_tax=content.totals.total_with_tax,
            currency=quote.currency,
            due_on=due_on,
            invoice_url=invoice_link(links, invoice.id),
        )
    )
    await tx.flush()
    return invoice


async def order_quote(tx: Transaction, quote: Quote, *, ordered_by: uuid.UUID | None) -> Quote:
    """The accepted ``quote`` (locked by the caller) confirmed as an order, without an
    invoice: ordered, with its step in the history."""
    quote.status = _moved(quote, QuoteAction.ORDER)
    quote.updated_at = utcnow()
    history.record(tx, quote, HistoryKind.ORDERED, staff_id=ordered_by)
    await tx.flush()
    return quote


async def invoice_of(tx: Transaction, invoice_id: uuid.UUID, *, lock: bool = False) -> Invoice:
    """The invoice; ``lock`` holds it until the transaction ends."""
    found = (
        await tx.locked(Invoice, invoice_id)
        if lock
        else await tx.scalar(
            select(Invoice)
            .where(Invoice.id == invoice_id)
            .execution_options(populate_existing=True)
        )
    )
    if found is None:
        raise NotFound("No such invoice.")
    return found


async def quote_number_of(tx: Transaction, invoice: Invoice) -> str | None:
    """The number of the quote ``invoice`` bills, which its PDF prints as its reference."""
    if invoice.quote_id is None:
        return None
    number: str | None = await tx.scalar(select(Quote.number).where(Quote.id == invoice.quote_id))
    return number


def _listing(filters: InvoiceFilters) -> Select[Invoice]:
    query = select(Invoice)
    if filters.status is not None:
        query = query.where(Invoice.status == filters.status)
    if filters.client_id is not None:
        query = query.where(Invoice.client_id == filters.client_id)
    return query


async def listed(
    tx: Transaction, filters: InvoiceFilters, page: PageParams
) -> tuple[list[Invoice], int]:
    """One page of the invoices that match, the last issued first."""
    return await fetch_page(
        tx, _listing(filters), page, Invoice.created_at.desc(), Invoice.number.desc()
    )


async def change_status(tx: Transaction, invoice: Invoice, action: InvoiceAction) -> Invoice:
    """Paid or void: the status ``invoices.statuses`` gives, or a conflict saying why not."""
    try:
        invoice.status = statuses.transition(InvoiceStatus(invoice.status), action)
    except RefusedInvoiceChange as refused:
        raise Conflict(str(refused)) from None
    await tx.flush()
    return invoice

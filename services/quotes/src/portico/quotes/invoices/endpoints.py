"""Invoices and orders: staff (and internal systems with ``quotes:read`` /
``quotes:write`` API keys) invoice an accepted quote or confirm it as an order, list and
read invoices (and download one as a PDF), and mark one paid or void. Clients never reach
these; their invoices come through the portal's billing section (``billing``)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status

from portico.kit.auth import Principal
from portico.kit.auth.principals import require_scope
from portico.kit.db import utcnow
from portico.kit.deps import Tx, get_runtime
from portico.kit.downloads import attachment
from portico.kit.pagination import Page, Paging
from portico.kit.problems import problem_responses
from portico.quotes.invoices import service
from portico.quotes.invoices.printing import invoice_file_name, invoice_pdf
from portico.quotes.invoices.schemas import InvoiceIn, InvoiceOut, InvoiceSummary
from portico.quotes.invoices.statuses import InvoiceAction, InvoiceStatus
from portico.quotes.invoices.views import invoice_out, invoice_summary
from portico.quotes.quotes import service as quotes
from portico.quotes.quotes.schemas import QuoteOut
from portico.quotes.quotes.views import quote_out

router = APIRouter(prefix="/v1", tags=["invoices"])

Reader = Annotated[Principal, Depends(require_scope("quotes:read"))]
Writer = Annotated[Principal, Depends(require_scope("quotes:write"))]
INVOICE_PDF: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"application/pdf": {}},
        "description": "The invoice as an A4 PDF in its quote's language, named after its number",
    }
}


def _staff_id(principal: Principal) -> uuid.UUID | None:
    """The staff member acting; an API key's id is not one."""
    return principal.user_id if principal.is_staff else None


async def _answer(tx: Tx, invoice_id: uuid.UUID) -> InvoiceOut:
    invoice = await service.invoice_of(tx, invoice_id)
    return invoice_out(invoice, await quotes.client_name(tx, invoice.client_id))


@router.post(
    "/quotes/{quote_id}/invoice",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Invoice an accepted quote: the lines the client took, numbered without gaps",
)
async def invoice_quote(
    quote_id: uuid.UUID, body: InvoiceIn, request: Request, tx: Tx, principal: Writer
) -> InvoiceOut:
    # Locked first: of two requests the second reads the quote invoiced, and is refused.
    quote = await quotes.quote_of(tx, quote_id, lock=True)
    invoice = await service.issue_invoice(
        tx,
        quote,
        body,
        issued_by=_staff_id(principal),
        links=get_runtime(request).settings,
        today=utcnow().date(),
    )
    return await _answer(tx, invoice.id)


@router.post(
    "/quotes/{quote_id}/order",
    responses=problem_responses(401, 403, 404, 409),
    summary="Confirm an accepted quote as an order, without an invoice",
)
async def order_quote(quote_id: uuid.UUID, tx: Tx, principal: Writer) -> QuoteOut:
    quote = await quotes.quote_of(tx, quote_id, lock=True)
    await service.order_quote(tx, quote, ordered_by=_staff_id(principal))
    return quote_out(quote, await quotes.client_name(tx, quote.client_id))


@router.get(
    "/invoices", responses=problem_responses(401, 403, 422), summary="Invoices, last issued first"
)
async def list_invoices(
    tx: Tx,
    _: Reader,
    paging: Paging,
    status_: Annotated[InvoiceStatus | None, Query(alias="status")] = None,
    client_id: uuid.UUID | None = None,
) -> Page[InvoiceSummary]:
    rows, total = await service.listed(tx, service.InvoiceFilters(status_, client_id), paging)
    names = await quotes.client_names(tx, (row.client_id for row in rows))
    items = [invoice_summary(row, names.get(row.client_id, "")) for row in rows]
    return Page.of(items, total, paging)


@router.get(
    "/invoices/{invoice_id}",
    responses=problem_responses(401, 403, 404),
    summary="An invoice with the lines it bills and its totals",
)
async def get_invoice(invoice_id: uuid.UUID, tx: Tx, _: Reader) -> InvoiceOut:
    return await _answer(tx, invoice_id)


@router.get(
    "/invoices/{invoice_id}/pdf",
    responses={**INVOICE_PDF, **problem_responses(401, 403, 404)},
    response_class=Response,
    summary="The invoice as a PDF: what it bills as issued, in its quote's language",
)
async def get_invoice_pdf(invoice_id: uuid.UUID, tx: Tx, _: Reader) -> Response:
    invoice = await service.invoice_of(tx, invoice_id)
    pdf = await invoice_pdf(tx, invoice, await service.quote_number_of(tx, invoice))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": attachment(invoice_file_name(invoice))},
    )


@router.post(
    "/invoices/{invoice_id}/paid",
    responses=problem_responses(401, 403, 404, 409),
    summary="Mark an issued invoice paid",
)
async def mark_paid(invoice_id: uuid.UUID, tx: Tx, _: Writer) -> InvoiceOut:
    invoice = await service.invoice_of(tx, invoice_id, lock=True)
    await service.change_status(tx, invoice, InvoiceAction.PAY)
    return await _answer(tx, invoice_id)


@router.post(
    "/invoices/{invoice_id}/void",
    responses=problem_responses(401, 403, 404, 409),
    summary="Void an issued invoice: its number stays in the sequence",
)
async def void_invoice(invoice_id: uuid.UUID, tx: Tx, _: Writer) -> InvoiceOut:
    invoice = await service.invoice_of(tx, invoice_id, lock=True)
    await service.change_status(tx, invoice, InvoiceAction.VOID)
    return await _answer(tx, invoice_id)

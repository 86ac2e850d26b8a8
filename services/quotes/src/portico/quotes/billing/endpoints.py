"""``/v1/billing``: the client portal's billing section, for a client's contact signed in
(``CurrentClient``: staff and API keys are refused with a 403). A contact reads only their
own client's sent quotes and invoices; another client's is a 404."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from portico.kit.auth.principals import CurrentClient, Principal
from portico.kit.deps import Store, Tx, client_address, get_runtime
from portico.kit.downloads import attachment
from portico.kit.problems import problem_responses
from portico.quotes.billing import service
from portico.quotes.billing.schemas import BillingOut, ClientInvoiceOut
from portico.quotes.history import RequestInfo
from portico.quotes.invoices.endpoints import INVOICE_PDF
from portico.quotes.invoices.printing import invoice_file_name, invoice_pdf
from portico.quotes.invoices.views import invoice_out
from portico.quotes.online.downloads import contact_download
from portico.quotes.quotes.pdf_endpoints import PDF
from portico.quotes.quotes.service import client_name

router = APIRouter(prefix="/v1/billing", tags=["billing"])


def _client_id(principal: Principal) -> uuid.UUID:
    assert principal.client_id is not None  # CurrentClient guarantees it
    return principal.client_id


@router.get(
    "",
    responses=problem_responses(401, 403),
    summary="My client's sent quotes and invoices",
)
async def my_billing(tx: Tx, principal: CurrentClient) -> BillingOut:
    """The quotes sent to the contact's client (numbered, neither a draft nor void) and its
    invoices, each list newest first and capped at its 200 newest."""
    return await service.billing_of(tx, _client_id(principal))


@router.get(
    "/invoices/{invoice_id}",
    responses=problem_responses(401, 403, 404),
    summary="One of my client's invoices, with the lines it bills and its totals",
)
async def my_invoice(invoice_id: uuid.UUID, tx: Tx, principal: CurrentClient) -> ClientInvoiceOut:
    invoice, quote_number = await service.client_invoice(tx, _client_id(principal), invoice_id)
    whole = invoice_out(invoice, await client_name(tx, invoice.client_id))
    return ClientInvoiceOut.model_validate({**whole.model_dump(), "quote_number": quote_number})


@router.get(
    "/invoices/{invoice_id}/pdf",
    responses={**INVOICE_PDF, **problem_responses(401, 403, 404)},
    response_class=Response,
    summary="One of my client's invoices as a PDF",
)
async def my_invoice_pdf(invoice_id: uuid.UUID, tx: Tx, principal: CurrentClient) -> Response:
    invoice, quote_number = await service.client_invoice(tx, _client_id(principal), invoice_id)
    return Response(
        await invoice_pdf(tx, invoice, quote_number),
        media_type="application/pdf",
        headers={"Content-Disposition": attachment(invoice_file_name(invoice))},
    )


@router.get(
    "/quotes/{quote_id}/pdf",
    responses={**PDF, **problem_responses(401, 403, 404)},
    response_class=Response,
    summary="One of my client's sent quotes as a PDF; the sealed signed quote once accepted",
)
async def my_quote_pdf(
    quote_id: uuid.UUID, request: Request, tx: Tx, store: Store, principal: CurrentClient
) -> Response:
    quote = await service.client_quote(tx, _client_id(principal), quote_id)
    # Recorded and announced as a download through the quote's link is.
    origin = RequestInfo.of(client_address(request), request.headers.get("user-agent"))
    links = get_runtime(request).settings
    file = await contact_download(tx, store, quote, principal.contact_id, origin, links)
    return Response(
        file.pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": attachment(file.file_name)},
    )

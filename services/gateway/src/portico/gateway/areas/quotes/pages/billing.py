"""The client portal's "Billing": the quotes sent to the contact's client (each downloaded
as a PDF, the signed one once accepted) and its invoices, each read on a page of its own
(``/portal/billing/{invoice_id}``, the page InvoiceIssued's email links to) and downloaded
as a PDF. The menu entry exists only when a quote or an invoice is addressed to the
client."""

from __future__ import annotations

import uuid

from fastapi import Request
from fastapi.responses import Response

from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.portal.api import Portal
from portico.gateway.areas.portal.pages.home import client_switch
from portico.gateway.areas.quotes.api import Billing, Quotes, QuotesApi
from portico.gateway.areas.quotes.presenting import (
    INVOICE_BADGES,
    invoice_status_name,
    line_blocks,
    template_helpers,
)
from portico.gateway.web.context import ClientUser, PageNotFound, service_api
from portico.gateway.web.routing import page_router
from portico.gateway.web.templating import render

router = page_router()

SECTION = "billing"
URL = "/portal/billing"


async def billing_of(request: Request) -> Billing:
    """The client's quotes and invoices, asked once per request: the menu and the page
    both read them."""
    cached: Billing | None = getattr(request.state, "billing", None)
    if cached is None:
        cached = await service_api(QuotesApi)(request).my_billing()
        request.state.billing = cached
    return cached


async def shown(request: Request) -> bool:
    """The menu entry: a quote or an invoice is addressed to the client."""
    return (await billing_of(request)).addressed


def _id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise PageNotFound from None


@router.get(URL)
async def billing_page(request: Request, _client: ClientUser, portal: Portal) -> Response:
    billing = await billing_of(request)
    return await render(
        request,
        "quotes/billing/billing.html",
        section=SECTION,
        billing=billing,
        invoice_status_name=invoice_status_name,
        invoice_badges=INVOICE_BADGES,
        **template_helpers(),
        **client_switch(await portal.client_account()),
    )


def _pdf(content: bytes, disposition: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"},
    )


@router.get(URL + "/quotes/{quote_id}/pdf")
async def quote_pdf(_client: ClientUser, quotes: Quotes, quote_id: str) -> Response:
    """A quote sent to the client, from the service: the sealed signed quote once accepted."""
    try:
        return _pdf(*await quotes.my_quote_pdf(_id(quote_id)))
    except ApiProblem as problem:
        if problem.status == 404:
            raise PageNotFound from None
        raise


@router.get(URL + "/{invoice_id}/pdf")
async def invoice_pdf(_client: ClientUser, quotes: Quotes, invoice_id: str) -> Response:
    """One of the client's invoices as a PDF, from the service."""
    try:
        return _pdf(*await quotes.my_invoice_pdf(_id(invoice_id)))
    except ApiProblem as problem:
        if problem.status == 404:
            raise PageNotFound from None
        raise


@router.get(URL + "/{invoice_id}")
async def invoice_page(
    request: Request, _client: ClientUser, quotes: Quotes, portal: Portal, invoice_id: str
) -> Response:
    try:
        invoice = await quotes.my_invoice(_id(invoice_id))
    except ApiProblem as problem:
        if problem.status == 404:
            raise PageNotFound from None
        raise
    return await render(
        request,
        "quotes/billing/invoice.html",
        section=SECTION,
        invoice=invoice,
        blocks=line_blocks(invoice),
        invoice_status_name=invoice_status_name,
        invoice_badges=INVOICE_BADGES,
        **template_helpers(),
        **client_switch(await portal.client_account()),
    )

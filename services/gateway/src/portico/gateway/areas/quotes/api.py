"""The quotes service's API: the product catalogue, quotes from draft to sent (their
content, totals and the actions their status allows), the quotes' settings, and what a
quote's link opens for its client (``/v1/online/{token}``, no account: the token is the
credential).

Amounts come as strings and are read as ``Decimal``: money is never a float."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Annotated, Any, Literal

import httpx
from fastapi import Depends
from pydantic import BaseModel, ConfigDict

from portico.gateway.apis.base import ApiProblem, ServiceClient
from portico.gateway.web.context import service_api
from portico.kit.pagination import Page

# Every status, in the order a quote lives them (the list's filter offers them so).
STATUSES = (
    "draft",
    "sent",
    "viewed",
    "accepted",
    "declined",
    "expired",
    "invoiced",
    "ordered",
    "void",
)
# A quote already out, awaiting its client's answer: it is reminded (a new link, the same
# number and status).
SENT_AGAIN = frozenset({"sent", "viewed"})
# Accepted, then perhaps invoiced or ordered: its PDF is the signed quote, sealed.
ACCEPTED = frozenset({"accepted", "invoiced", "ordered"})
# Once so, a quote's attachments stay as they were: what was accepted stays as accepted.
ATTACHMENTS_SETTLED = ACCEPTED | {"void"}
# The service's limits on a quote's attachments, said before it is asked.
MAX_ATTACHMENT_BYTES = 10 * 1_048_576
MAX_ATTACHMENTS = 20


class Discount(BaseModel):
    # percent or amount (in the quote's currency).
    kind: str
    value: Decimal


class QuoteSection(BaseModel):
    key: str
    title: str
    # Its counted lines' nets, before the quote's discount.
    subtotal: Decimal


class QuoteLine(BaseModel):
    section: str | None
    product_id: uuid.UUID | None
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    vat_rate: Decimal
    discount: Discount | None
    # Offered for the client to take; counted only once chosen.
    optional: bool
    chosen: bool
    net: Decimal
    counted: bool


class RateTax(BaseModel):
    rate: Decimal
    base: Decimal
    tax: Decimal


class Totals(BaseModel):
    lines_total: Decimal
    discount: Decimal
    total_without_tax: Decimal
    # From the highest rate down.
    taxes: list[RateTax]
    total_tax: Decimal
    total_with_tax: Decimal


class Quote(BaseModel):
    id: uuid.UUID
    # Given at the first send.
    number: str | None
    status: str
    allowed_actions: list[str]
    client_id: uuid.UUID
    client_name: str
    contact_id: uuid.UUID | None
    assignee_id: uuid.UUID | None
    title: str
    currency: str
    locale: str
    issue_date: date
    valid_until: date
    introduction: str
    notes: str
    terms: str
    discount: Discount | None
    sections: list[QuoteSection]
    lines: list[QuoteLine]
    totals: Totals
    updated_at: datetime
    sent_at: datetime | None
    esignature_requested: bool | None = None

    @property
    def sendable(self) -> bool:
        return "send" in self.allowed_actions or self.status in SENT_AGAIN

    @property
    def deletable(self) -> bool:
        """Only a draft never sent is deleted; a numbered one is voided, keeping its number."""
        return self.status == "draft" and self.number is None

    @property
    def attachments_changeable(self) -> bool:
        return self.status not in ATTACHMENTS_SETTLED


class Attachment(BaseModel):
    """A file staff attached to a quote for its client to read."""

    id: uuid.UUID
    file_name: str
    # Read by the service from the file's content.
    content_type: str
    # In bytes.
    size: int


class QuoteSummary(BaseModel):
    """A row of the quotes list."""

    id: uuid.UUID
    number: str | None
    status: str
    client_id: uuid.UUID
    client_name: str
    title: str
    total_with_tax: Decimal
    currency: str
    valid_until: date
    issue_date: date
    # Visits of its online page.
    view_count: int
    updated_at: datetime


class Product(BaseModel):
    id: uuid.UUID
    name: str
    description: str
    unit: str
    # Without tax, at most 2 decimals.
    unit_price: Decimal
    vat_rate: Decimal
    archived: bool


class QuoteSettings(BaseModel):
    # The settings this gateway does not show (added to the service later) are kept, so
    # that saving the page never resets them: PUT replaces the whole row.
    model_config = ConfigDict(extra="allow")

    number_pattern: str
    invoice_number_pattern: str
    validity_days: int
    default_introduction: str
    default_terms: str
    company_details: str = ""
    esignature: bool = False
    # A quote awaiting its answer is reminded this many days before its last valid day.
    reminder_days_before: list[int] = []
    updated_at: datetime | None = None

    def body_with(self, changes: dict[str, Any]) -> dict[str, Any]:
        """The whole row to PUT: what the service holds, with ``changes``."""
        return self.model_dump(mode="json", exclude={"updated_at"}) | changes


class QuoteStep(BaseModel):
    """A step of a quote's history: what happened, when, and who took it (a contact
    through their link, with the address and browser it came from, or a staff member)."""

    id: uuid.UUID
    # sent, reminded, viewed, downloaded, feedback, accepted, declined, expired, voided,
    # reopened, invoiced, ordered, task_created.
    kind: str
    at: datetime
    contact_id: uuid.UUID | None = None
    staff_id: uuid.UUID | None = None
    ip: str | None = None
    user_agent: str | None = None
    # What the step carried: a message, a reason, the signer's name, an invoice's number.
    detail: dict[str, Any] = {}


class Invoice(BaseModel):
    """An invoice, as much of it as the quote's page names."""

    id: uuid.UUID
    number: str
    status: str
    quote_id: uuid.UUID | None


class BilledQuote(BaseModel):
    """A quote sent to the client, as their billing section lists it."""

    id: uuid.UUID
    number: str
    title: str
    status: str
    total_with_tax: Decimal
    currency: str
    issue_date: date
    valid_until: date


class BilledInvoice(BaseModel):
    """An invoice of the client, as their billing section lists it."""

    id: uuid.UUID
    number: str
    # issued, paid or void.
    status: str
    title: str
    total_with_tax: Decimal
    currency: str
    issue_date: date
    due_on: date
    quote_number: str | None = None


class Billing(BaseModel):
    """The client portal's billing section: each list newest first."""

    quotes: list[BilledQuote]
    invoices: list[BilledInvoice]

    @property
    def addressed(self) -> bool:
        return bool(self.quotes or self.invoices)


class InvoiceLine(QuoteLine):
    """A line an invoice bills, kept as issued: an optional line only when it was chosen,
    so every line is counted."""

    product_id: uuid.UUID | None = None
    optional: bool = False
    chosen: bool = False
    counted: bool = True


class ClientInvoice(BaseModel):
    """An invoice as its client reads it: the lines, sections and totals it bills."""

    id: uuid.UUID
    number: str
    status: str
    quote_number: str | None = None
    client_name: str
    title: str
    currency: str
    issue_date: date
    due_on: date
    sections: list[QuoteSection]
    lines: list[InvoiceLine]
    totals: Totals


class OnlineOrganisation(BaseModel):
    name: str
    # #rrggbb, or None.
    brand_colour: str | None = None
    logo_url: str | None = None


class OnlineLine(QuoteLine):
    """A line as the link's holder reads it: with its id (what choosing an option names),
    without its catalogue product."""

    id: uuid.UUID
    product_id: uuid.UUID | None = None


class Decision(BaseModel):
    status: Literal["accepted", "declined"]
    decided_at: datetime
    # Who accepted, as they wrote their name; how they signed (drawn, typed or none).
    signer_name: str | None = None
    method: str | None = None
    # Why it was declined, when said.
    reason: str | None = None


class OnlineQuote(BaseModel):
    """The quote a link opens, as its client reads it."""

    organisation: OnlineOrganisation | None
    company_details: str = ""
    number: str | None
    title: str
    status: str
    client_name: str
    # The contact the link was sent to.
    contact_name: str | None = None
    currency: str
    locale: str | None = None
    issue_date: date
    # The last day it can be accepted.
    valid_until: date
    introduction: str
    notes: str
    terms: str
    discount: Discount | None
    sections: list[QuoteSection]
    lines: list[OnlineLine]
    totals: Totals
    esignature_required: bool
    # Awaiting an answer within its validity: options, comments, decline and accept.
    can_accept: bool
    decision: Decision | None = None
    # The files staff attached, oldest first.
    attachments: list[Attachment] = []


class Acceptance(BaseModel):
    """What accepting sends: the name, the terms accepted, the signature drawn (a PNG data
    URL from the pad) or typed, or none; the browser's time zone."""

    name: str
    accept_terms: bool
    signature: dict[str, str] | None = None
    time_zone: str | None = None


class QuotesApi(ServiceClient):
    service = "quotes"

    # Quotes.

    async def quotes(
        self,
        *,
        status: str | None = None,
        client_id: uuid.UUID | None = None,
        q: str | None = None,
        limit: int = 25,
        offset: int = 0,
    ) -> Page[QuoteSummary]:
        params = {
            "status": status,
            "client_id": client_id,
            "q": q,
            "limit": limit,
            "offset": offset,
        }
        return Page[QuoteSummary].model_validate(await self.get("/v1/quotes", params=params))

    async def quote(self, quote_id: uuid.UUID) -> Quote:
        return Quote.model_validate(await self.get(f"/v1/quotes/{quote_id}"))

    async def create_quote(self, body: dict[str, Any]) -> Quote:
        return Quote.model_validate(await self.post("/v1/quotes", json=body))

    async def replace_quote(self, quote_id: uuid.UUID, body: dict[str, Any]) -> Quote:
        return Quote.model_validate(await self.put(f"/v1/quotes/{quote_id}", json=body))

    async def delete_quote(self, quote_id: uuid.UUID) -> None:
        await self.delete(f"/v1/quotes/{quote_id}")

    async def send_quote(
        self,
        quote_id: uuid.UUID,
        *,
        contact_id: str | None,
        message: str | None,
        attach_pdf: bool = False,
        request_esignature: bool | None = None,
        reminder: bool = False,
    ) -> Quote:
        """Sends the quote's link to a contact; ``reminder`` reminds them of a quote
        awaiting their answer instead (the reminder's email, the same status)."""
        body: dict[str, Any] = {
            "contact_id": contact_id,
            "message": message,
            "attach_pdf": attach_pdf,
        }
        if request_esignature is not None and not reminder:
            body["request_esignature"] = request_esignature
        action = "remind" if reminder else "send"
        return Quote.model_validate(await self.post(f"/v1/quotes/{quote_id}/{action}", json=body))

    async def quote_pdf(self, quote_id: uuid.UUID) -> tuple[bytes, str]:
        """The quote's PDF (the sealed signed quote once accepted) and its
        Content-Disposition."""
        response = await self.call("GET", f"/v1/quotes/{quote_id}/pdf")
        disposition = response.headers.get("content-disposition") or (
            'attachment; filename="quote.pdf"'
        )
        return response.content, disposition

    async def history(
        self, quote_id: uuid.UUID, *, limit: int = 50, offset: int = 0
    ) -> Page[QuoteStep]:
        """The quote's steps, the newest first."""
        params = {"limit": limit, "offset": offset}
        return Page[QuoteStep].model_validate(
            await self.get(f"/v1/quotes/{quote_id}/history", params=params)
        )

    async def invoice_quote(self, quote_id: uuid.UUID) -> Invoice:
        """Invoices an accepted quote: the lines the client took, due in the service's
        default days."""
        return Invoice.model_validate(await self.post(f"/v1/quotes/{quote_id}/invoice", json={}))

    async def invoice_pdf(self, invoice_id: uuid.UUID) -> tuple[bytes, str]:
        """The invoice's PDF and its Content-Disposition."""
        response = await self.call("GET", f"/v1/invoices/{invoice_id}/pdf")
        disposition = response.headers.get("content-disposition") or (
            'attachment; filename="invoice.pdf"'
        )
        return response.content, disposition

    async def create_task(
        self,
        quote_id: uuid.UUID,
        *,
        title: str,
        description: str | None,
        due_on: str | None,
        assignee_id: str | None,
    ) -> uuid.UUID:
        """Asks for a task about the quote in its client's workspace (the portal makes it;
        the quote's staff member in charge without ``assignee_id``); answers its id."""
        body = {
            "title": title,
            "description": description,
            "due_on": due_on,
            "assignee_id": assignee_id,
        }
        answer = await self.post(f"/v1/quotes/{quote_id}/tasks", json=body)
        return uuid.UUID(str(answer["task_id"]))

    async def quote_action(self, quote_id: uuid.UUID, action: str) -> Quote:
        """``duplicate`` (answers the new draft), ``void``, ``reopen`` or ``order`` (an
        accepted quote confirmed as an order, without an invoice)."""
        return Quote.model_validate(await self.post(f"/v1/quotes/{quote_id}/{action}"))

    # A quote's attachments.

    async def attachments(self, quote_id: uuid.UUID) -> list[Attachment]:
        found = await self.get(f"/v1/quotes/{quote_id}/attachments")
        return [Attachment.model_validate(item) for item in found]

    async def attach(
        self, quote_id: uuid.UUID, name: str, content: IO[bytes], content_type: str | None
    ) -> Attachment:
        """Sends the file object as it is read (the multipart body is streamed)."""
        files = {"file": (name, content, content_type or "application/octet-stream")}
        return Attachment.model_validate(
            await self.post(f"/v1/quotes/{quote_id}/attachments", files=files)
        )

    async def open_attachment(
        self, quote_id: uuid.UUID, attachment_id: uuid.UUID
    ) -> httpx.Response:
        """The download, its body not yet read: stream it, then ``aclose()`` the response."""
        return await self._open(f"/v1/quotes/{quote_id}/attachments/{attachment_id}")

    async def delete_attachment(self, quote_id: uuid.UUID, attachment_id: uuid.UUID) -> None:
        await self.delete(f"/v1/quotes/{quote_id}/attachments/{attachment_id}")

    async def _open(self, path: str, *, anonymous: bool = False) -> httpx.Response:
        request = self._http.build_request(
            "GET", path, headers=await self.headers(anonymous=anonymous)
        )
        response = await self._http.send(request, stream=True)
        if response.status_code >= 400:
            await response.aread()
            await response.aclose()
            raise ApiProblem.from_response(response)
        return response

    # The product catalogue.

    async def products(self, *, archived: bool = False) -> list[Product]:
        found = await self.get("/v1/products", params={"archived": archived})
        return [Product.model_validate(item) for item in found]

    async def product(self, product_id: uuid.UUID) -> Product:
        return Product.model_validate(await self.get(f"/v1/products/{product_id}"))

    async def create_product(self, body: dict[str, Any]) -> Product:
        return Product.model_validate(await self.post("/v1/products", json=body))

    async def update_product(self, product_id: uuid.UUID, body: dict[str, Any]) -> Product:
        return Product.model_validate(await self.patch(f"/v1/products/{product_id}", json=body))

    # The settings (staff read them; administrators change them).

    async def settings(self) -> QuoteSettings:
        return QuoteSettings.model_validate(await self.get("/v1/quote-settings"))

    async def set_settings(self, body: dict[str, Any]) -> QuoteSettings:
        return QuoteSettings.model_validate(await self.put("/v1/quote-settings", json=body))

    # The client portal's billing section: the contact's own client's, with their session.

    async def my_billing(self) -> Billing:
        return Billing.model_validate(await self.get("/v1/billing"))

    async def my_invoice(self, invoice_id: uuid.UUID) -> ClientInvoice:
        return ClientInvoice.model_validate(await self.get(f"/v1/billing/invoices/{invoice_id}"))

    async def my_quote_pdf(self, quote_id: uuid.UUID) -> tuple[bytes, str]:
        """A quote sent to the client as a PDF (the signed one once accepted) and its
        Content-Disposition."""
        response = await self.call("GET", f"/v1/billing/quotes/{quote_id}/pdf")
        disposition = response.headers.get("content-disposition") or (
            'attachment; filename="quote.pdf"'
        )
        return response.content, disposition

    async def my_invoice_pdf(self, invoice_id: uuid.UUID) -> tuple[bytes, str]:
        """One of the client's invoices as a PDF and its Content-Disposition."""
        response = await self.call("GET", f"/v1/billing/invoices/{invoice_id}/pdf")
        disposition = response.headers.get("content-disposition") or (
            'attachment; filename="invoice.pdf"'
        )
        return response.content, disposition

    # A quote's link: the token is the credential, no session is needed. The browser's
    # address and user agent go with every call (``service_api``), for the quote's history.

    async def online_quote(self, token: str) -> OnlineQuote:
        """The quote the link opens; each call is a visit the service records."""
        return OnlineQuote.model_validate(await self.get(f"/v1/online/{token}", anonymous=True))

    async def choose_options(self, token: str, chosen: list[str]) -> OnlineQuote:
        body = {"chosen": chosen}
        return OnlineQuote.model_validate(
            await self.put(f"/v1/online/{token}/choices", json=body, anonymous=True)
        )

    async def post_feedback(self, token: str, message: str) -> None:
        body = {"message": message}
        await self.post(f"/v1/online/{token}/feedback", json=body, anonymous=True)

    async def decline_online(self, token: str, reason: str | None) -> OnlineQuote:
        body = {"reason": reason}
        return OnlineQuote.model_validate(
            await self.post(f"/v1/online/{token}/decline", json=body, anonymous=True)
        )

    async def accept_online(self, token: str, acceptance: Acceptance) -> OnlineQuote:
        return OnlineQuote.model_validate(
            await self.post(
                f"/v1/online/{token}/accept", json=acceptance.model_dump(), anonymous=True
            )
        )

    async def open_online_attachment(self, token: str, attachment_id: uuid.UUID) -> httpx.Response:
        """A file attached to the link's quote, its body not yet read (as ``open_attachment``)."""
        return await self._open(f"/v1/online/{token}/attachments/{attachment_id}", anonymous=True)

    async def online_pdf(self, token: str) -> tuple[bytes, str]:
        """The quote's PDF (the signed one once accepted) and its Content-Disposition."""
        response = await self.call("GET", f"/v1/online/{token}/pdf", anonymous=True)
        disposition = response.headers.get("content-disposition") or (
            'attachment; filename="quote.pdf"'
        )
        return response.content, disposition


Quotes = Annotated[QuotesApi, Depends(service_api(QuotesApi))]

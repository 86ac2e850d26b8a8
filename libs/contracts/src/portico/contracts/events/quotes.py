"""Events emitted by the quotes service: quotes, their online answers, invoices."""

from __future__ import annotations

from datetime import date
from typing import Any, Self
from uuid import UUID

from pydantic import Field, model_validator

from portico.contracts.envelope import Event
from portico.contracts.events.common import (
    Amount,
    BlobKey,
    Currency,
    Link,
    Person,
    SecretLink,
    Timestamp,
    examples,
    require_reachable,
)

__all__ = [
    "InvoiceIssued",
    "QuoteDeclined",
    "QuoteDownloaded",
    "QuoteFeedbackPosted",
    "QuoteReminded",
    "QuoteSent",
    "QuoteSigned",
    "QuoteTaskRequested",
    "QuoteViewed",
]

_STAFF_ID = "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"
_CONTACT: dict[str, Any] = {
    "id": "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
    "name": "Camille Durand",
    "email": "camille@atelier-lumiere.example",
    "phone": "+33 6 12 34 56 78",
    "locale": "fr",
}
_QUOTE: dict[str, Any] = {
    "quote_id": "4d5e6f7a-8b9c-4d0e-8f1a-2b3c4d5e6f7a",
    "number": "D-2026-0042",
    "client_id": "3f2b7c1e-8a4d-4e59-9c1a-2b6d7e8f9a01",
    "assignee_id": _STAFF_ID,
}
_QUOTE_ADMIN_URL = "http://127.0.0.1:8000/quotes/4d5e6f7a-8b9c-4d0e-8f1a-2b3c4d5e6f7a"
_SENT: dict[str, Any] = {
    **_QUOTE,
    "title": "Rénovation de l'atelier",
    "contact": _CONTACT,
    "total_excluding_tax": "10416.67",
    "total_including_tax": "12500.00",
    "currency": "EUR",
    "quote_url": "http://127.0.0.1:8000/q/…",
    "valid_until": "2026-12-31",
    "attach_pdf": True,
    "pdf_key": "quotes/4d5e6f7a/D-2026-0042.pdf",
    "sent_by": _STAFF_ID,
    "message": "Bonjour Camille, voici notre proposition.",
}


class _Quote(Event):
    """What every quote event names."""

    subject_field = "quote_id"

    quote_id: UUID
    number: str = Field(description="The quote's number, e.g. D-2026-0042")
    client_id: UUID
    assignee_id: UUID | None = Field(
        default=None, description="The staff user in charge of the quote"
    )
    quote_admin_url: Link | None = Field(default=None, description="The staff page of the quote")


class _QuoteMessage(_Quote):
    """A quote sent to a contact by email, with the link to view and sign it online."""

    title: str
    contact: Person = Field(description="The recipient; an email address is required")
    total_excluding_tax: Amount
    total_including_tax: Amount
    currency: Currency
    quote_url: SecretLink
    valid_until: date | None = Field(default=None, description="The last day it can be signed")
    attach_pdf: bool = Field(default=False, description="Attach the PDF to the email")
    pdf_key: BlobKey | None = Field(default=None, description="The quote's PDF in the blob store")
    sent_by: UUID | None = Field(default=None, description="The staff user who sent it")
    message: str | None = Field(
        default=None, max_length=5000, description="The personal note of the email"
    )

    @model_validator(mode="after")
    def _deliverable(self) -> Self:
        require_reachable(self.contact, "email", "quote's recipient")
        if self.attach_pdf and self.pdf_key is None:
            raise ValueError("attach_pdf needs the pdf_key of the PDF to attach")
        return self


class QuoteSent(_QuoteMessage):
    """Emitted when staff send a quote to a client's contact.

    Consumed by the notifier, which emails the link (and the PDF when asked).
    """

    event_type = "portico.quotes.quote_sent.v1"
    model_config = examples(_SENT)


class QuoteReminded(_QuoteMessage):
    """Emitted when a reminder about a quote awaiting an answer is due.

    Consumed by the notifier, which emails the contact the link again.
    """

    event_type = "portico.quotes.quote_reminded.v1"
    model_config = examples({**_SENT, "reminder_number": 1, "message": None})

    reminder_number: int = Field(ge=1, description="1 for the first reminder, then 2, ...")


class QuoteViewed(_Quote):
    """Emitted when the client opens the quote's link.

    Consumed by the notifier, which tells the assignee.
    """

    event_type = "portico.quotes.quote_viewed.v1"
    model_config = examples(
        {
            **_QUOTE,
            "client_name": "Atelier Lumière",
            "viewed_at": "2026-11-25T10:00:00Z",
            "ip": "203.0.113.7",
            "user_agent": "Mozilla/5.0 (X11; Linux x86_64)",
            "quote_admin_url": _QUOTE_ADMIN_URL,
        }
    )

    client_name: str | None = None
    viewed_at: Timestamp
    ip: str | None = Field(default=None, description="The viewer's IP address")
    user_agent: str | None = Field(default=None, description="The viewer's browser")


class QuoteDownloaded(_Quote):
    """Emitted when the client downloads the quote's PDF.

    Consumed by the notifier, which tells the assignee.
    """

    event_type = "portico.quotes.quote_downloaded.v1"
    model_config = examples(
        {
            **_QUOTE,
            "client_name": "Atelier Lumière",
            "downloaded_at": "2026-11-25T10:05:00Z",
            "ip": "203.0.113.7",
            "user_agent": "Mozilla/5.0 (X11; Linux x86_64)",
            "quote_admin_url": _QUOTE_ADMIN_URL,
        }
    )

    client_name: str | None = None
    downloaded_at: Timestamp
    ip: str | None = Field(default=None, description="The downloader's IP address")
    user_agent: str | None = Field(default=None, description="The downloader's browser")


class QuoteSigned(_Quote):
    """Emitted when the client signs the quote online: it is accepted.

    Consumed by the notifier, which sends the signer their copy and tells the assignee.
    """

    event_type = "portico.quotes.quote_signed.v1"
    model_config = examples(
        {
            **_QUOTE,
            "signer": _CONTACT,
            "signed_at": "2026-11-25T11:00:00Z",
            "total_including_tax": "12500.00",
            "currency": "EUR",
            "signed_pdf_key": "quotes/4d5e6f7a/signed.pdf",
            "copy_url": "http://127.0.0.1:8000/q/…/signed.pdf",
            "quote_admin_url": _QUOTE_ADMIN_URL,
        }
    )

    signer: Person = Field(description="Who signed, with the language to thank them in")
    signed_at: Timestamp
    total_including_tax: Amount
    currency: Currency
    signed_pdf_key: BlobKey = Field(description="The signed PDF in the blob store")
    copy_url: SecretLink = Field(description="Where the signer downloads the signed PDF")


class QuoteDeclined(_Quote):
    """Emitted when the client declines the quote.

    Consumed by the notifier, which tells the assignee.
    """

    event_type = "portico.quotes.quote_declined.v1"
    model_config = examples(
        {
            **_QUOTE,
            "declined_at": "2026-11-25T11:00:00Z",
            "reason": "Budget dépassé",
            "signer": _CONTACT,
            "quote_admin_url": _QUOTE_ADMIN_URL,
        }
    )

    signer: Person | None = Field(default=None, description="Who declined, when known")
    declined_at: Timestamp
    reason: str | None = Field(default=None, max_length=2000, description="The client's words")


class QuoteFeedbackPosted(_Quote):
    """Emitted when the client leaves a comment or a question on the quote.

    Consumed by the notifier, which tells the assignee.
    """

    event_type = "portico.quotes.quote_feedback_posted.v1"
    model_config = examples(
        {
            **_QUOTE,
            "author_name": "Camille Durand",
            "excerpt": "Peut-on décaler le chantier ?",
            "posted_at": "2026-11-25T11:00:00Z",
            "quote_admin_url": _QUOTE_ADMIN_URL,
        }
    )

    author_name: str
    excerpt: str = Field(max_length=500, description="The start of the message, as plain text")
    posted_at: Timestamp


class InvoiceIssued(Event):
    """Emitted when an invoice is issued (from an accepted quote, or directly).

    Consumed by the notifier, which sends the billing contact the link to the invoice.
    """

    event_type = "portico.quotes.invoice_issued.v1"
    subject_field = "invoice_id"
    model_config = examples(
        {
            "invoice_id": "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b",
            "number": "F-2026-0107",
            "quote_id": "4d5e6f7a-8b9c-4d0e-8f1a-2b3c4d5e6f7a",
            "client_id": "3f2b7c1e-8a4d-4e59-9c1a-2b6d7e8f9a01",
            "contact": _CONTACT,
            "total_including_tax": "12500.00",
            "currency": "EUR",
            "due_on": "2027-01-10",
            "invoice_url": "http://127.0.0.1:8000/portal/billing/5e6f7a8b",
        }
    )

    invoice_id: UUID
    number: str = Field(description="The invoice's number, e.g. F-2026-0107")
    quote_id: UUID | None = Field(default=None, description="The quote it bills, if any")
    client_id: UUID
    contact: Person | None = Field(default=None, description="The billing contact to tell")
    total_including_tax: Amount
    currency: Currency
    due_on: date | None = Field(default=None, description="The day payment is due")
    invoice_url: Link = Field(description="The invoice in the client portal (login required)")


class QuoteTaskRequested(Event):
    """Emitted when staff ask, from a quote's page, for a task in the client's workspace
    (following up the quote, say). The quotes service keeps no task: it names one.

    Consumed by the portal, which creates the task with ``task_id`` in the client's
    workspace (so a copy delivered again creates nothing twice), its description ending
    with the quote's link, and tells the assignee as for any task (TaskAssigned).
    """

    event_type = "portico.quotes.quote_task_requested.v1"
    subject_field = "quote_id"
    model_config = examples(
        {
            "task_id": "6f7a8b9c-0d1e-4f2a-8b3c-4d5e6f7a8b9c",
            "quote_id": _QUOTE["quote_id"],
            "number": _QUOTE["number"],
            "client_id": _QUOTE["client_id"],
            "title": "Relancer le devis D-2026-0042",
            "description": "Appeler Camille avant la fin du mois.",
            "due_on": "2026-12-05",
            "assignee_id": _STAFF_ID,
            "requested_by": _STAFF_ID,
            "quote_admin_url": _QUOTE_ADMIN_URL,
        },
        {
            "task_id": "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
            "quote_id": _QUOTE["quote_id"],
            "number": None,
            "client_id": _QUOTE["client_id"],
            "title": "Prendre les mesures de l'atelier",
            "quote_admin_url": _QUOTE_ADMIN_URL,
        },
    )

    task_id: UUID = Field(
        description="Chosen by the quotes service: the id of the task the portal creates"
    )
    quote_id: UUID
    number: str | None = Field(
        default=None, description="The quote's number; none for a draft never sent"
    )
    client_id: UUID = Field(description="The client in whose workspace the task goes")
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    due_on: date | None = Field(default=None, description="The day it is due")
    assignee_id: UUID | None = Field(
        default=None, description="The staff user the task is for; none leaves it unassigned"
    )
    requested_by: UUID | None = Field(
        default=None, description="The staff user who asked for it; none for an API key"
    )
    quote_admin_url: Link = Field(description="The staff page of the quote")

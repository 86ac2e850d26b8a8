"""Events emitted by the quotes service."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import Field

from portico.contracts.envelope import Event
from portico.contracts.events.common import (
    Amount,
    BlobKey,
    Currency,
    Link,
    Person,
    SecretLink,
    examples,
)

__all__ = [
    "InvoiceIssued",
    "QuoteDeclined",
    "QuoteDownloaded",
    "QuoteFeedbackPosted",
    "QuoteReminded",
    "QuoteSent",
    "QuoteSigned",
    "QuoteViewed",
]

_CONTACT = {
    "id": "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
    "name": "Camille Durand",
    "email": "camille@atelier-lumiere.example",
    "locale": "fr",
}
_QUOTE = {
    "quote_id": "4d5e6f7a-8b9c-4d0e-8f1a-2b3c4d5e6f7a",
    "number": "D-2026-0042",
    "client_id": "3f2b7c1e-8a4d-4e59-9c1a-2b6d7e8f9a01",
    "assignee_id": "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
}
_SENT = {
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
}


class QuoteSent(Event):
    """A quote was sent to a client contact by link (the PDF attached when asked)."""

    event_type = "portico.quotes.quote_sent.v1"
    subject_field = "quote_id"
    model_config = examples(_SENT)

    quote_id: UUID
    number: str
    title: str
    client_id: UUID
    assignee_id: UUID | None = None
    contact: Person
    total_excluding_tax: Amount
    total_including_tax: Amount
    currency: Currency
    quote_url: SecretLink
    valid_until: date | None = None
    attach_pdf: bool = False
    pdf_key: BlobKey | None = None
    message: str | None = Field(default=None, max_length=5000)


class QuoteReminded(QuoteSent):
    """A reminder about a quote awaiting an answer was sent."""

    event_type = "portico.quotes.quote_reminded.v1"
    model_config = examples({**_SENT, "reminder_number": 1})

    reminder_number: int = Field(ge=1)


class QuoteViewed(Event):
    """The client opened the quote's link."""

    event_type = "portico.quotes.quote_viewed.v1"
    subject_field = "quote_id"
    model_config = examples(
        {
            **_QUOTE,
            "viewed_at": "2026-11-25T10:00:00Z",
            "ip": "203.0.113.7",
            "user_agent": "Mozilla/5.0",
        }
    )

    quote_id: UUID
    number: str
    client_id: UUID
    client_name: str | None = None
    assignee_id: UUID | None = None
    viewed_at: datetime
    ip: str | None = None
    user_agent: str | None = None
    quote_admin_url: Link | None = Field(default=None, description="The staff page of the quote")


class QuoteDownloaded(Event):
    """The client downloaded the quote's PDF."""

    event_type = "portico.quotes.quote_downloaded.v1"
    subject_field = "quote_id"
    model_config = examples({**_QUOTE, "downloaded_at": "2026-11-25T10:05:00Z"})

    quote_id: UUID
    number: str
    client_id: UUID
    client_name: str | None = None
    assignee_id: UUID | None = None
    downloaded_at: datetime
    ip: str | None = None
    user_agent: str | None = None
    quote_admin_url: Link | None = None


class QuoteSigned(Event):
    """The client signed the quote online: it is accepted."""

    event_type = "portico.quotes.quote_signed.v1"
    subject_field = "quote_id"
    model_config = examples(
        {
            **_QUOTE,
            "signer": _CONTACT,
            "signed_at": "2026-11-25T11:00:00Z",
            "total_including_tax": "12500.00",
            "currency": "EUR",
            "signed_pdf_key": "quotes/4d5e6f7a/signed.pdf",
            "copy_url": "http://127.0.0.1:8000/q/…/signed.pdf",
        }
    )

    quote_id: UUID
    number: str
    client_id: UUID
    assignee_id: UUID | None = None
    signer: Person
    signed_at: datetime
    total_including_tax: Amount
    currency: Currency
    signed_pdf_key: BlobKey
    copy_url: SecretLink


class QuoteDeclined(Event):
    """The client declined the quote."""

    event_type = "portico.quotes.quote_declined.v1"
    subject_field = "quote_id"
    model_config = examples(
        {
            **_QUOTE,
            "declined_at": "2026-11-25T11:00:00Z",
            "reason": "Budget dépassé",
            "signer": _CONTACT,
        }
    )

    quote_id: UUID
    number: str
    client_id: UUID
    assignee_id: UUID | None = None
    signer: Person | None = None
    declined_at: datetime
    reason: str | None = Field(default=None, max_length=2000)


class QuoteFeedbackPosted(Event):
    """The client left a comment or a question on the quote."""

    event_type = "portico.quotes.quote_feedback_posted.v1"
    subject_field = "quote_id"
    model_config = examples(
        {
            **_QUOTE,
            "author_name": "Camille Durand",
            "excerpt": "Peut-on décaler le chantier ?",
            "posted_at": "2026-11-25T11:00:00Z",
        }
    )

    quote_id: UUID
    number: str
    client_id: UUID
    assignee_id: UUID | None = None
    author_name: str
    excerpt: str = Field(max_length=500)
    posted_at: datetime
    quote_admin_url: Link | None = None


class InvoiceIssued(Event):
    """An invoice was issued (from an accepted quote or directly)."""

    event_type = "portico.quotes.invoice_issued.v1"
    subject_field = "invoice_id"
    model_config = examples(
        {
            "invoice_id": "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b",
            "number": "F-2026-0107",
            "quote_id": "4d5e6f7a-8b9c-4d0e-8f1a-2b3c4d5e6f7a",
            "client_id": "3f2b7c1e-8a4d-4e59-9c1a-2b6d7e8f9a01",
            "total_including_tax": "12500.00",
            "currency": "EUR",
            "due_on": "2027-01-10",
            "invoice_url": "http://127.0.0.1:8000/portal/billing/5e6f7a8b",
        }
    )

    invoice_id: UUID
    number: str
    quote_id: UUID | None = None
    client_id: UUID
    total_including_tax: Amount
    currency: Currency
    due_on: date | None = None
    invoice_url: Link

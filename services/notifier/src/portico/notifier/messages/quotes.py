"""Messages about the quotes service's events: quotes sent and reminded to a client's contact,
what the client does with them (told to the assignee), and invoices issued."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from portico.contracts import Event
from portico.contracts.events.quotes import (
    InvoiceIssued,
    QuoteDeclined,
    QuoteDownloaded,
    QuoteFeedbackPosted,
    QuoteReminded,
    QuoteSent,
    QuoteSigned,
    QuoteViewed,
)
from portico.notifier.channels.base import Attachment
from portico.notifier.messages.kinds import Channels, MessageKind
from portico.notifier.messages.planning import Outgoing, Planner, person, staff_email, to_staff

QUOTE_URL = "http://127.0.0.1:8000/q/4d5e6f7a-8b9c-4d0e-8f1a-2b3c4d5e6f7a?token=sample"
QUOTE_ADMIN_URL = "http://127.0.0.1:8000/quotes/4d5e6f7a-8b9c-4d0e-8f1a-2b3c4d5e6f7a"
_QUOTE_SAMPLE: dict[str, Any] = {
    "number": "D-2026-0042",
    "title": "Rénovation de l\u2019atelier",
    "total_including_tax": "12500.00",
    "currency": "EUR",
    "valid_until": "2026-12-31",
    "message": "Comme convenu, voici notre proposition pour la rénovation de l\u2019atelier.",
    "pdf_attached": True,
    "quote_url": QUOTE_URL,
}
_EMAIL_AND_APP = Channels(email=True, sms=False, in_app=True)
# The service whose blob store holds the PDFs its events name.
QUOTES_STORE = "quotes"

QUOTE_SENT = MessageKind(
    key="quote_sent",
    description="A quote is sent to a client's contact",
    links=("quote_url",),
    sample=_QUOTE_SAMPLE,
)

QUOTE_REMINDED = MessageKind(
    key="quote_reminded",
    description="A reminder about a quote awaiting the client's answer",
    links=("quote_url",),
    sample={**_QUOTE_SAMPLE, "message": None, "reminder_number": 1},
)

QUOTE_VIEWED = MessageKind(
    key="quote_viewed",
    description="The client opened a quote",
    links=(),
    sample={
        "number": "D-2026-0042",
        "client_name": "Atelier Lumière",
        "viewed_at": "2026-11-25T10:00:00+00:00",
        "quote_admin_url": QUOTE_ADMIN_URL,
    },
    staff_defaults=_EMAIL_AND_APP,
)

QUOTE_DOWNLOADED = MessageKind(
    key="quote_downloaded",
    description="The client downloaded a quote's PDF",
    links=(),
    sample={
        "number": "D-2026-0042",
        "client_name": "Atelier Lumière",
        "downloaded_at": "2026-11-25T10:05:00+00:00",
        "quote_admin_url": QUOTE_ADMIN_URL,
    },
    staff_defaults=_EMAIL_AND_APP,
)

QUOTE_SIGNED = MessageKind(
    key="quote_signed",
    description="The client signed a quote",
    links=(),
    sample={
        "number": "D-2026-0042",
        "signer_name": "Camille Durand",
        "signed_at": "2026-11-25T11:00:00+00:00",
        "total_including_tax": "12500.00",
        "currency": "EUR",
        "quote_admin_url": QUOTE_ADMIN_URL,
    },
    # Signed work is what staff wait for: worth a text message unless they say otherwise.
    staff_defaults=Channels(email=True, sms=True, in_app=True),
)

QUOTE_SIGNED_COPY = MessageKind(
    key="quote_signed_copy",
    description="The signer of a quote receives the link to their signed copy",
    links=("copy_url",),
    sample={
        "number": "D-2026-0042",
        "signed_at": "2026-11-25T11:00:00+00:00",
        "total_including_tax": "12500.00",
        "currency": "EUR",
        "copy_url": "http://127.0.0.1:8000/q/4d5e6f7a/signed.pdf?token=sample",
    },
)

QUOTE_DECLINED = MessageKind(
    key="quote_declined",
    description="The client declined a quote",
    links=(),
    sample={
        "number": "D-2026-0042",
        "signer_name": "Camille Durand",
        "declined_at": "2026-11-25T11:00:00+00:00",
        "reason": "Budget dépassé",
        "quote_admin_url": QUOTE_ADMIN_URL,
    },
    staff_defaults=_EMAIL_AND_APP,
)

QUOTE_FEEDBACK_POSTED = MessageKind(
    key="quote_feedback_posted",
    description="The client left a comment or a question on a quote",
    links=(),
    sample={
        "number": "D-2026-0042",
        "author_name": "Camille Durand",
        "excerpt": "Peut-on décaler le chantier ?",
        "posted_at": "2026-11-25T11:00:00+00:00",
        "quote_admin_url": QUOTE_ADMIN_URL,
    },
    staff_defaults=_EMAIL_AND_APP,
)

INVOICE_ISSUED = MessageKind(
    key="invoice_issued",
    description="An invoice is issued to a client's billing contact",
    links=("invoice_url",),
    sample={
        "number": "F-2026-0107",
        "total_including_tax": "12500.00",
        "currency": "EUR",
        "due_on": "2027-01-10",
        "invoice_url": "http://127.0.0.1:8000/portal/billing/5e6f7a8b",
    },
)

KINDS: tuple[MessageKind, ...] = (
    QUOTE_SENT,
    QUOTE_REMINDED,
    QUOTE_VIEWED,
    QUOTE_DOWNLOADED,
    QUOTE_SIGNED,
    QUOTE_SIGNED_COPY,
    QUOTE_DECLINED,
    QUOTE_FEEDBACK_POSTED,
    INVOICE_ISSUED,
)


def _quote_context(event: QuoteSent | QuoteReminded) -> dict[str, Any]:
    return {
        "number": event.number,
        "title": event.title,
        "total_including_tax": format(event.total_including_tax, "f"),
        "currency": event.currency,
        "valid_until": event.valid_until.isoformat() if event.valid_until else None,
        "message": event.message,
        "pdf_attached": event.attach_pdf,
        "quote_url": event.quote_url,
    }


def _pdf(event: QuoteSent | QuoteReminded) -> tuple[Attachment, ...]:
    if not event.attach_pdf or event.pdf_key is None:
        return ()
    return (
        Attachment(
            filename=f"{event.number}.pdf",
            content_type="application/pdf",
            blob_key=event.pdf_key,
            store=QUOTES_STORE,
        ),
    )


async def _quote_email(
    kind: MessageKind, event: QuoteSent | QuoteReminded, session: AsyncSession
) -> list[Outgoing]:
    context = _quote_context(event)
    if isinstance(event, QuoteReminded):
        context["reminder_number"] = event.reminder_number
    return [
        Outgoing(
            kind.key,
            person(event.contact),
            "email",
            context,
            reply_to=await staff_email(session, event.sent_by),
            attachments=_pdf(event),
        )
    ]


async def quote_sent(event: QuoteSent, session: AsyncSession) -> list[Outgoing]:
    return await _quote_email(QUOTE_SENT, event, session)


async def quote_reminded(event: QuoteReminded, session: AsyncSession) -> list[Outgoing]:
    return await _quote_email(QUOTE_REMINDED, event, session)


async def quote_viewed(event: QuoteViewed, session: AsyncSession) -> list[Outgoing]:
    context = {
        "number": event.number,
        "client_name": event.client_name,
        "viewed_at": event.viewed_at.isoformat(),
        "quote_admin_url": event.quote_admin_url,
    }
    return await to_staff(session, QUOTE_VIEWED, event.assignee_id, context, event.quote_admin_url)


async def quote_downloaded(event: QuoteDownloaded, session: AsyncSession) -> list[Outgoing]:
    context = {
        "number": event.number,
        "client_name": event.client_name,
        "downloaded_at": event.downloaded_at.isoformat(),
        "quote_admin_url": event.quote_admin_url,
    }
    return await to_staff(
        session, QUOTE_DOWNLOADED, event.assignee_id, context, event.quote_admin_url
    )


async def quote_signed(event: QuoteSigned, session: AsyncSession) -> list[Outgoing]:
    # Two contexts: the copy link is the signer's capability and must never reach staff.
    amount = {
        "number": event.number,
        "signed_at": event.signed_at.isoformat(),
        "total_including_tax": format(event.total_including_tax, "f"),
        "currency": event.currency,
    }
    staff_context = {
        **amount,
        "signer_name": event.signer.name,
        "quote_admin_url": event.quote_admin_url,
    }
    planned = await to_staff(
        session, QUOTE_SIGNED, event.assignee_id, staff_context, event.quote_admin_url
    )
    if event.signer.email:
        # The signer's questions about what comes next are for the staff member in charge.
        reply_to = await staff_email(session, event.assignee_id)
        copy_context = {**amount, "copy_url": event.copy_url}
        planned.append(
            Outgoing(
                QUOTE_SIGNED_COPY.key,
                person(event.signer),
                "email",
                copy_context,
                reply_to=reply_to,
            )
        )
    return planned


async def quote_declined(event: QuoteDeclined, session: AsyncSession) -> list[Outgoing]:
    context = {
        "number": event.number,
        "signer_name": event.signer.name if event.signer else None,
        "declined_at": event.declined_at.isoformat(),
        "reason": event.reason,
        "quote_admin_url": event.quote_admin_url,
    }
    return await to_staff(
        session, QUOTE_DECLINED, event.assignee_id, context, event.quote_admin_url
    )


async def quote_feedback_posted(
    event: QuoteFeedbackPosted, session: AsyncSession
) -> list[Outgoing]:
    context = {
        "number": event.number,
        "author_name": event.author_name,
        "excerpt": event.excerpt,
        "posted_at": event.posted_at.isoformat(),
        "quote_admin_url": event.quote_admin_url,
    }
    return await to_staff(
        session, QUOTE_FEEDBACK_POSTED, event.assignee_id, context, event.quote_admin_url
    )


async def invoice_issued(event: InvoiceIssued, session: AsyncSession) -> list[Outgoing]:
    if event.contact is None or not event.contact.email:
        return []
    context = {
        "number": event.number,
        "total_including_tax": format(event.total_including_tax, "f"),
        "currency": event.currency,
        "due_on": event.due_on.isoformat() if event.due_on else None,
        "invoice_url": event.invoice_url,
    }
    return [Outgoing(INVOICE_ISSUED.key, person(event.contact), "email", context)]


PLANNERS: dict[type[Event], Planner] = {
    QuoteSent: quote_sent,
    QuoteReminded: quote_reminded,
    QuoteViewed: quote_viewed,
    QuoteDownloaded: quote_downloaded,
    QuoteSigned: quote_signed,
    QuoteDeclined: quote_declined,
    QuoteFeedbackPosted: quote_feedback_posted,
    InvoiceIssued: invoice_issued,
}

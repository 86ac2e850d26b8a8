"""Sending a quote to a client's contact: its number at the first send, a link of its own
to each message, its PDF when asked (stored in the service's blob store, where the
notifier reads it to attach it), and QuoteSent for the notifier to email it. A reminder
(``remind_quote``) goes the same way with its own email, QuoteReminded.

Everything is checked before the number is drawn, and the number is drawn in the sending
transaction (``numbers``): a refused or failed send issues no number.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from portico.contracts.events.common import Person
from portico.contracts.events.quotes import QuoteReminded, QuoteSent
from portico.kit.auth.capabilities import new_capability
from portico.kit.db import utcnow
from portico.kit.problems import Conflict, ValidationProblem
from portico.kit.settings import PorticoSettings
from portico.kit.store import BlobStore
from portico.kit.transaction import Transaction
from portico.quotes import history
from portico.quotes.history import HistoryKind
from portico.quotes.models import ClientReplica, Quote, QuoteEvent, QuoteLink
from portico.quotes.numbers import QUOTE_NUMBERS, next_number
from portico.quotes.quote_settings import quote_settings
from portico.quotes.quotes.content import totals_of
from portico.quotes.quotes.printing import quote_pdf
from portico.quotes.quotes.schemas import SendIn
from portico.quotes.replicas import contact_name, contact_of, live_client
from portico.quotes.statuses import QuoteAction, QuoteStatus, RefusedTransition, transition

# The online page of a quote (the gateway's, no account needed) and its staff page.
QUOTE_PATH = "/q/"
STAFF_PAGE = "/quotes/"
# A link keeps working this long after the quote's last valid day: the client can still
# read an offer that lapsed, and ask for a new one, but links do not live for ever.
LINK_DAYS_AFTER_VALIDITY = 90
# Sending again a quote already out sends a new link; its status does not change.
OUT = (QuoteStatus.SENT, QuoteStatus.VIEWED)


def sent_pdf_key(quote_id: uuid.UUID, link_id: uuid.UUID) -> str:
    """Where the PDF sent with one link is kept, in the quotes service's store: one file
    per send, so an email always carries the quote as it was when it went out."""
    return f"quotes/{quote_id}/sent-{link_id}.pdf"


def quote_link(links: PorticoSettings, token: str) -> str:
    return links.link(QUOTE_PATH + token)


def staff_page(links: PorticoSettings, quote_id: uuid.UUID) -> str:
    return links.link(f"{STAFF_PAGE}{quote_id}")


def link_expiry(valid_until: date) -> datetime:
    last_day = datetime.combine(valid_until, time.min, UTC) + timedelta(days=1)
    return max(last_day, utcnow()) + timedelta(days=LINK_DAYS_AFTER_VALIDITY)


def _next_status(quote: Quote) -> QuoteStatus:
    status = QuoteStatus(quote.status)
    if status in OUT:
        return status
    try:
        return transition(status, QuoteAction.SEND)
    except RefusedTransition as refused:
        raise Conflict(str(refused)) from None


def _recipient(
    client: ClientReplica, contact_id: uuid.UUID | None, *, named: bool
) -> dict[str, Any]:
    """The contact the quote goes to; ``named`` when the request chose them."""
    contact = contact_of(client, contact_id)
    if contact is None:
        if named:
            message = "Not a contact of this client."
        elif contact_id is not None:
            message = "The quote's contact is no longer one of the client's: name another."
        else:
            message = "The quote has no contact to send it to: name one of the client's."
        raise ValidationProblem.for_field("contact_id", message, code="unknown_contact")
    if not contact.get("email"):
        raise ValidationProblem.for_field(
            "contact_id", "This contact has no email address to send the quote to.", code="no_email"
        )
    return contact


async def _addressed(
    tx: Transaction, quote: Quote, body: SendIn, today: date, doing: str
) -> tuple[uuid.UUID, dict[str, Any]]:
    """The contact a message about ``quote`` goes to, once the quote can go out."""
    client = await live_client(tx, quote.client_id)
    if client is None:
        raise Conflict("The client of this quote has been deleted.")
    contact_id = body.contact_id or quote.contact_id
    contact = _recipient(client, contact_id, named=body.contact_id is not None)
    if not quote.lines:
        raise Conflict("This quote has no lines: add what it offers before sending it.")
    if quote.valid_until < today:
        raise Conflict(
            f"This quote was valid until {quote.valid_until.isoformat()}: "
            f"give it a new validity date before {doing} it."
        )
    assert contact_id is not None  # _recipient found the contact
    return contact_id, contact


async def _message(
    tx: Transaction,
    quote: Quote,
    contact_id: uuid.UUID,
    contact: dict[str, Any],
    body: SendIn,
    *,
    sent_by: uuid.UUID | None,
    links: PorticoSettings,
    store: BlobStore,
) -> dict[str, Any]:
    """A new link to the quote (and its PDF when asked) for one email: what QuoteSent and
    QuoteReminded both carry."""
    assert quote.number is not None  # numbered at its first send
    token, token_hash = new_capability()
    link_id = uuid.uuid4()
    tx.add(
        QuoteLink(
            id=link_id,
            quote_id=quote.id,
            contact_id=contact_id,
            sent_by=sent_by,
            token_hash=token_hash,
            expires_at=link_expiry(quote.valid_until),
        )
    )
    pdf_key = None
    if body.attach_pdf:
        # Rendered once numbered, addressed to the contact it goes to. Stored before the
        # commit, so the event never names a file that is not there yet; a send that
        # then fails leaves this one file behind, which nothing names.
        pdf_key = sent_pdf_key(quote.id, link_id)
        pdf = await quote_pdf(tx, quote, contact_id=contact_id)
        await store.put(pdf_key, pdf, content_type="application/pdf")
    totals = totals_of(quote)
    return {
        "quote_id": quote.id,
        "number": quote.number,
        "client_id": quote.client_id,
        "assignee_id": quote.assignee_id,
        "quote_admin_url": staff_page(links, quote.id),
        "title": quote.title,
        "contact": Person(
            id=contact_id,
            name=contact_name(contact),
            email=contact["email"],
            phone=contact.get("phone"),
            locale="fr" if contact.get("locale") == "fr" else "en",
        ),
        "total_excluding_tax": totals.total_without_tax,
        "total_including_tax": totals.total_with_tax,
        "currency": quote.currency,
        "quote_url": quote_link(links, token),
        "valid_until": quote.valid_until,
        "attach_pdf": pdf_key is not None,
        "pdf_key": pdf_key,
        "sent_by": sent_by,
        "message": body.message or None,
    }


async def send_quote(
    tx: Transaction,
    quote: Quote,
    body: SendIn,
    *,
    sent_by: uuid.UUID | None,
    links: PorticoSettings,
    store: BlobStore,
    today: date,
) -> Quote:
    """Send ``quote`` (locked by the caller) to ``body.contact_id`` or its own contact;
    with ``body.attach_pdf``, its PDF is rendered and kept in ``store`` for the email."""
    status = _next_status(quote)
    contact_id, contact = await _addressed(tx, quote, body, today, "sending")
    settings = await quote_settings(tx)
    if quote.number is None:
        quote.number = await next_number(
            tx, QUOTE_NUMBERS, settings.number_pattern, quote.issue_date, unique_in=Quote.number
        )
    quote.esignature_requested = (
        settings.esignature if body.request_esignature is None else body.request_esignature
    )
    now = utcnow()
    if status is not QuoteStatus(quote.status):
        quote.status = status
        quote.sent_at = now
    if quote.contact_id is None:
        quote.contact_id = contact_id
    quote.updated_at = now
    fields = await _message(
        tx, quote, contact_id, contact, body, sent_by=sent_by, links=links, store=store
    )
    history.record(
        tx,
        quote,
        HistoryKind.SENT,
        contact_id=contact_id,
        staff_id=sent_by,
        detail={
            "number": quote.number,
            "with_pdf": fields["attach_pdf"],
            "message": body.message,
            "esignature": quote.esignature_requested,
        },
    )
    tx.emit(QuoteSent(**fields))
    await tx.flush()
    return quote


async def remind_quote(
    tx: Transaction,
    quote: Quote,
    body: SendIn,
    *,
    sent_by: uuid.UUID | None,
    links: PorticoSettings,
    store: BlobStore,
    today: date,
    days_before: int | None = None,
) -> int:
    """Remind the contact of ``quote`` (locked by the caller), still awaiting their answer,
    with a new link and the reminder's own email (QuoteReminded); answers which reminder
    this is (1 for the first). ``days_before``: the schedule's reminder, that many days
    before the quote's last valid day (``scheduled_reminders``)."""
    if QuoteStatus(quote.status) not in OUT:
        raise Conflict(
            f"Only a quote awaiting the client's answer can be reminded; this one is "
            f"{quote.status}."
        )
    contact_id, contact = await _addressed(tx, quote, body, today, "reminding of")
    reminded = await tx.scalar(
        select(func.count())
        .select_from(QuoteEvent)
        .where(QuoteEvent.quote_id == quote.id, QuoteEvent.kind == HistoryKind.REMINDED)
    )
    number = (reminded or 0) + 1
    quote.updated_at = utcnow()
    fields = await _message(
        tx, quote, contact_id, contact, body, sent_by=sent_by, links=links, store=store
    )
    history.record(
        tx,
        quote,
        HistoryKind.REMINDED,
        contact_id=contact_id,
        staff_id=sent_by,
        detail={
            "reminder": number,
            "with_pdf": fields["attach_pdf"],
            "message": body.message,
            "days_before": days_before,
        },
    )
    tx.emit(QuoteReminded(**fields, reminder_number=number))
    await tx.flush()
    return number

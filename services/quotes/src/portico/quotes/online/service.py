"""What the holder of a quote's link does, but accepting (``acceptance``): read it (each
visit recorded), choose its optional lines, leave a comment, decline it.

Each runs in the request's transaction with the quote locked (``links.open_link(...,
lock=True)``), its status read after the lock. A quote past its last valid day is expired
first (``expiry.expire_if_due``), so the page and every answer agree with the date even
before the hourly job came by.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from portico.contracts.events.common import Person
from portico.contracts.events.quotes import QuoteDeclined, QuoteFeedbackPosted, QuoteViewed
from portico.kit.db import utcnow
from portico.kit.problems import Conflict, ValidationProblem
from portico.kit.settings import PorticoSettings
from portico.kit.transaction import Transaction
from portico.quotes import history
from portico.quotes.history import HistoryKind, RequestInfo
from portico.quotes.models import ClientReplica, Quote, QuoteEvent
from portico.quotes.online.links import Opened
from portico.quotes.online.views import Reader
from portico.quotes.quote_settings import quote_settings
from portico.quotes.quotes.content import MAX_AMOUNT, totals_of
from portico.quotes.quotes.expiry import AWAITING, expire_if_due, is_past
from portico.quotes.quotes.sending import staff_page
from portico.quotes.quotes.service import client_name
from portico.quotes.replicas import contact_name, contact_of, organisation
from portico.quotes.statuses import QuoteAction, QuoteStatus, RefusedTransition, transition
from portico.quotes.totals import InvalidQuote

# A comment sent again with the same words this soon after is the same comment (a request
# retried, a double click): it is not recorded, nor announced, twice.
REPEAT_WINDOW = timedelta(minutes=10)
EXCERPT = 500  # what QuoteFeedbackPosted carries


@dataclass(frozen=True)
class LinkContact:
    """The contact a link was sent to, as the client replica knows them now (a contact who
    left the client since keeps their id and nothing else)."""

    id: uuid.UUID
    details: dict[str, Any] | None

    @property
    def name(self) -> str | None:
        return contact_name(self.details) if self.details else None

    @property
    def email(self) -> str | None:
        return self.details.get("email") if self.details else None

    def person(self, quote: Quote, name: str | None = None) -> Person | None:
        """The contact as events name them; none when nothing names them."""
        shown = name or self.name
        if not shown:
            return None
        locale = (self.details or {}).get("locale") or quote.locale
        return Person(
            id=self.id,
            name=shown,
            email=self.email,
            phone=(self.details or {}).get("phone"),
            locale="fr" if locale == "fr" else "en",
        )


async def link_contact(tx: Transaction, opened: Opened) -> LinkContact:
    client = await tx.get(ClientReplica, opened.quote.client_id)
    details = contact_of(client, opened.link.contact_id) if client is not None else None
    return LinkContact(opened.link.contact_id, details)


async def reader_of(tx: Transaction, opened: Opened) -> Reader:
    return Reader(
        client_name=await client_name(tx, opened.quote.client_id),
        contact_name=(await link_contact(tx, opened)).name,
        organisation=await organisation(tx),
        settings=await quote_settings(tx),
    )


def about(quote: Quote, links: PorticoSettings) -> dict[str, Any]:
    """What every quote event names."""
    assert quote.number is not None  # every quote a link opens was sent, so numbered
    return {
        "quote_id": quote.id,
        "number": quote.number,
        "client_id": quote.client_id,
        "assignee_id": quote.assignee_id,
        "quote_admin_url": staff_page(links, quote.id),
    }


def require_answerable(quote: Quote, today: date, refusal: str) -> None:
    """The quote awaits the client's answer within its validity, or a 409 saying why not,
    in the words ``statuses`` gives for an acceptance refused."""
    status = QuoteStatus(quote.status)
    if status in AWAITING and is_past(quote, today):
        status = QuoteStatus.EXPIRED  # the hourly job has not come by yet
    if status in AWAITING:
        return
    reason = RefusedTransition(status, QuoteAction.ACCEPT).reason
    raise Conflict(f"{refusal}: {reason}.")


def moved(quote: Quote, action: QuoteAction) -> QuoteStatus:
    """The status ``action`` leads to, or a 409 with the reason ``statuses`` gives."""
    try:
        return transition(QuoteStatus(quote.status), action)
    except RefusedTransition as refused:
        raise Conflict(str(refused)) from None


async def view(
    tx: Transaction, opened: Opened, origin: RequestInfo, links: PorticoSettings
) -> None:
    """Record a visit: each one in the history and the count, the first through each link
    announced to the staff member in charge (not every reload: the history has them all)."""
    quote, link = opened.quote, opened.link
    now = utcnow()
    expire_if_due(tx, quote, now.date())
    status = QuoteStatus(quote.status)
    # Sent → viewed; a visit in a later status changes no status.
    if status in AWAITING and (viewed := transition(status, QuoteAction.VIEW)) is not status:
        quote.status = viewed
        quote.updated_at = now
    quote.view_count = (quote.view_count or 0) + 1
    history.record(tx, quote, HistoryKind.VIEWED, contact_id=link.contact_id, request_info=origin)
    if link.used_at is None:
        link.mark_used(now)
        tx.emit(
            QuoteViewed(
                **about(quote, links),
                client_name=await client_name(tx, quote.client_id) or None,
                viewed_at=now,
                ip=origin.ip,
                user_agent=origin.user_agent,
            )
        )
    await tx.flush()


async def choose(tx: Transaction, opened: Opened, chosen: list[uuid.UUID]) -> None:
    """Take the optional lines ``chosen`` and leave out the others; the totals kept on the
    quote follow, as a staff save writes them."""
    quote = opened.quote
    require_answerable(quote, utcnow().date(), "The options of this quote can no longer change")
    lines = {line.id: line for line in quote.lines}
    for index, line_id in enumerate(chosen):
        line = lines.get(line_id)
        if line is None:
            raise ValidationProblem.for_field(
                f"chosen.{index}", "No such line in this quote.", code="unknown_line"
            )
        if not line.optional:
            raise ValidationProblem.for_field(
                f"chosen.{index}",
                "This line is not optional: it is always included.",
                code="not_optional",
            )
    wanted = set(chosen)
    optional = [line for line in quote.lines if line.optional]
    if all(line.chosen == (line.id in wanted) for line in optional):
        return  # the same choice again (a retried request) changes nothing
    for line in optional:
        line.chosen = line.id in wanted
    try:
        totals = totals_of(quote)
    except InvalidQuote as refused:
        # A discount in an amount above what is left, once an option is left out.
        raise ValidationProblem.for_field("chosen", refused.message, code="invalid_quote") from None
    if abs(totals.total_with_tax) >= MAX_AMOUNT:
        raise ValidationProblem.for_field(
            "chosen", f"A quote's total stays under {MAX_AMOUNT:,}.", code="too_large"
        )
    quote.total_without_tax = totals.total_without_tax
    quote.total_with_tax = totals.total_with_tax
    quote.updated_at = utcnow()
    await tx.flush()


async def post_feedback(
    tx: Transaction,
    opened: Opened,
    message: str,
    origin: RequestInfo,
    links: PorticoSettings,
) -> QuoteEvent:
    """A comment or a question for the staff member in charge, kept in the history."""
    quote, link = opened.quote, opened.link
    now = utcnow()
    require_answerable(quote, now.date(), "This quote no longer takes comments")
    repeated = await _same_feedback(tx, opened, message, since=now - REPEAT_WINDOW)
    if repeated is not None:
        return repeated
    event = history.record(
        tx,
        quote,
        HistoryKind.FEEDBACK,
        contact_id=link.contact_id,
        request_info=origin,
        detail={"message": message},
    )
    contact = await link_contact(tx, opened)
    tx.emit(
        QuoteFeedbackPosted(
            **about(quote, links),
            author_name=contact.name or await client_name(tx, quote.client_id) or "The client",
            excerpt=message if len(message) <= EXCERPT else message[: EXCERPT - 1] + "…",
            posted_at=event.at,
        )
    )
    await tx.flush()
    return event


async def _same_feedback(
    tx: Transaction, opened: Opened, message: str, *, since: datetime
) -> QuoteEvent | None:
    recent = await tx.scalars(
        select(QuoteEvent)
        .where(
            QuoteEvent.quote_id == opened.quote.id,
            QuoteEvent.kind == HistoryKind.FEEDBACK,
            QuoteEvent.contact_id == opened.link.contact_id,
            QuoteEvent.at >= since,
        )
        .order_by(QuoteEvent.at.desc())
    )
    return next((event for event in recent if event.detail.get("message") == message), None)


async def decline(
    tx: Transaction,
    opened: Opened,
    reason: str | None,
    origin: RequestInfo,
    links: PorticoSettings,
) -> None:
    quote, link = opened.quote, opened.link
    now = utcnow()
    expire_if_due(tx, quote, now.date())
    quote.status = moved(quote, QuoteAction.DECLINE)
    quote.decided_at = now
    quote.decline_reason = reason or ""
    quote.updated_at = now
    history.record(
        tx,
        quote,
        HistoryKind.DECLINED,
        contact_id=link.contact_id,
        request_info=origin,
        detail={"reason": reason} if reason else {},
    )
    contact = await link_contact(tx, opened)
    tx.emit(
        QuoteDeclined(
            **about(quote, links),
            signer=contact.person(quote),
            declined_at=now,
            reason=reason or None,
        )
    )
    await tx.flush()

"""A quote's history: each step with its date and time, who took it (the client's contact
through their link, or a staff member) and, for a client's step, the IP address and browser
it came from. Staff read it on the quote's page (``GET /v1/quotes/{id}/history``); the
accepted step is part of the evidence of the client's signature.

Steps are added in the transaction that takes them, so a step rolled back leaves no trace.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from portico.kit.db import utcnow
from portico.kit.pagination import PageParams, fetch_page
from portico.kit.transaction import Transaction
from portico.quotes.models import Quote, QuoteEvent

# The columns' widths: an IPv6 address in full, and a browser's self-description cut where
# it stops saying anything useful.
MAX_IP = 45
MAX_USER_AGENT = 400


class HistoryKind(StrEnum):
    SENT = "sent"
    REMINDED = "reminded"
    VIEWED = "viewed"
    DOWNLOADED = "downloaded"
    FEEDBACK = "feedback"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    VOIDED = "voided"
    REOPENED = "reopened"
    INVOICED = "invoiced"
    ORDERED = "ordered"
    # Staff asked for a task in the client's workspace (``quotes.tasks``).
    TASK_CREATED = "task_created"


@dataclass(frozen=True)
class RequestInfo:
    """Where a client's request came from, as the history keeps it."""

    ip: str | None = None
    user_agent: str | None = None

    @classmethod
    def of(cls, ip: str | None, user_agent: str | None) -> RequestInfo:
        """As the history's columns keep them: a long header shortened, an empty one none."""
        return cls(ip=_cut(ip, MAX_IP), user_agent=_cut(user_agent, MAX_USER_AGENT))


def _cut(text: str | None, limit: int) -> str | None:
    # What a proxy forwards is not checked by anyone before us: cut, so that a long header
    # is kept shortened rather than failing the client's request on PostgreSQL.
    return text[:limit] if text else None


def record(
    tx: Transaction,
    quote: Quote,
    kind: HistoryKind,
    *,
    contact_id: uuid.UUID | None = None,
    staff_id: uuid.UUID | None = None,
    request_info: RequestInfo | None = None,
    detail: Mapping[str, Any] | None = None,
) -> QuoteEvent:
    """Add one step to ``quote``'s history, in the caller's transaction. ``detail`` is kept as
    JSON: plain values only (a message, a reason, the ids of the optional lines chosen)."""
    given = request_info or RequestInfo()
    origin = RequestInfo.of(given.ip, given.user_agent)
    event = QuoteEvent(
        quote_id=quote.id,
        kind=HistoryKind(kind).value,
        # Taken now rather than at the flush: steps of one request keep their order.
        at=utcnow(),
        contact_id=contact_id,
        staff_id=staff_id,
        ip=origin.ip,
        user_agent=origin.user_agent,
        detail=dict(detail or {}),
    )
    tx.add(event)
    return event


async def history_of(
    tx: Transaction, quote_id: uuid.UUID, page: PageParams
) -> tuple[list[QuoteEvent], int]:
    """One page of the quote's steps, the newest first."""
    return await fetch_page(
        tx,
        select(QuoteEvent).where(QuoteEvent.quote_id == quote_id),
        page,
        QuoteEvent.at.desc(),
        QuoteEvent.id,
    )

"""The delivery log and, in the embedded mode, the development inbox: both for admins.

The inbox holds other people's password-reset and invitation links, and whoever opens one
can act as that person; a staff member who is not an admin has no reason to read them.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from portico.kit.auth import CurrentAdmin
from portico.kit.deps import Tx, get_runtime
from portico.kit.pagination import Page, Paging, fetch_page
from portico.kit.problems import NotFound, problem_responses
from portico.notifier.channels.mailbox import LocalMailbox
from portico.notifier.channels.senders import mailbox_folder
from portico.notifier.models import Delivery, DeliveryAttempt

router = APIRouter(tags=["deliveries"])


class AttemptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    outcome: Literal["sent", "transient", "permanent"]
    provider_id: str | None
    error: str | None


class DeliveryOut(BaseModel):
    """A delivery as the log shows it; the message's content (its links) is never shown."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    kind: str
    channel: Literal["email", "sms"]
    recipient_id: uuid.UUID | None
    recipient: str
    subject: str | None
    status: Literal["pending", "sent", "failed"]
    attempts: int
    next_attempt_at: datetime | None
    provider_id: str | None
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None


class DeliveryDetail(DeliveryOut):
    attempt_log: list[AttemptOut]


class MailboxEntryOut(BaseModel):
    id: str
    channel: Literal["email", "sms"]
    to: str
    subject: str | None
    at: datetime
    # An SMS has no subject: the list shows its text.
    sms: str | None = None


class MailboxMessage(MailboxEntryOut):
    sender: str | None = None
    reply_to: str | None = None
    text: str
    html: str | None


@router.get(
    "/v1/deliveries",
    responses=problem_responses(401, 403, 422),
    summary="The delivery log, newest first, filterable",
)
async def list_deliveries(
    tx: Tx,
    _: CurrentAdmin,
    page: Paging,
    status: Annotated[Literal["pending", "sent", "failed"] | None, Query()] = None,
    channel: Annotated[Literal["email", "sms"] | None, Query()] = None,
    kind: Annotated[str | None, Query(max_length=60)] = None,
    event_id: Annotated[uuid.UUID | None, Query()] = None,
    recipient: Annotated[str | None, Query(max_length=320, description="Address contains")] = None,
) -> Page[DeliveryOut]:
    query = select(Delivery)
    for column, value in (
        (Delivery.status, status),
        (Delivery.channel, channel),
        (Delivery.kind, kind),
        (Delivery.event_id, event_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if recipient:
        query = query.where(Delivery.recipient.contains(recipient.lower(), autoescape=True))
    rows, total = await fetch_page(tx, query, page, Delivery.created_at.desc(), Delivery.id)
    return Page[DeliveryOut].of([DeliveryOut.model_validate(row) for row in rows], total, page)


@router.get(
    "/v1/deliveries/{delivery_id}",
    responses=problem_responses(401, 403, 404),
    summary="One delivery with every attempt",
)
async def get_delivery(delivery_id: uuid.UUID, tx: Tx, _: CurrentAdmin) -> DeliveryDetail:
    delivery = await tx.get(Delivery, delivery_id)
    if delivery is None:
        raise NotFound(f"No delivery with id {delivery_id}.")
    attempts = await tx.scalars(
        select(DeliveryAttempt)
        .where(DeliveryAttempt.delivery_id == delivery_id)
        .order_by(DeliveryAttempt.at)
    )
    return DeliveryDetail(
        **DeliveryOut.model_validate(delivery).model_dump(),
        attempt_log=[AttemptOut.model_validate(attempt) for attempt in attempts],
    )


def _mailbox(request: Request) -> LocalMailbox:
    runtime = get_runtime(request)
    if not runtime.settings.embedded:
        raise NotFound("The development inbox exists in the embedded mode only.")
    return LocalMailbox(mailbox_folder(runtime.settings))


@router.get(
    "/v1/mailbox",
    responses=problem_responses(401, 403, 404),
    summary="Development inbox (admins): every email and SMS kept instead of sent (embedded mode)",
)
async def list_mailbox(request: Request, _: CurrentAdmin) -> list[MailboxEntryOut]:
    return [
        MailboxEntryOut(
            id=e.id,
            channel=e.channel,
            to=e.to,
            subject=e.subject,
            at=e.at,
            sms=e.text if e.channel == "sms" else None,
        )
        for e in _mailbox(request).entries()
    ]


@router.get(
    "/v1/mailbox/{entry_id}",
    responses=problem_responses(401, 403, 404),
    summary="One message of the development inbox",
)
async def read_mailbox_entry(entry_id: str, request: Request, _: CurrentAdmin) -> MailboxMessage:
    entry = _mailbox(request).entry(entry_id)
    if entry is None:
        raise NotFound(f"No message {entry_id} in the development inbox.")
    return MailboxMessage(
        id=entry.id,
        channel=entry.channel,
        to=entry.to,
        subject=entry.subject,
        at=entry.at,
        sms=entry.text if entry.channel == "sms" else None,
        sender=entry.sender,
        reply_to=entry.reply_to,
        text=entry.text,
        html=entry.html,
    )

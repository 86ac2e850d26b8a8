"""What planners share: who a message goes to, what is sent, and how staff are reached.

Planners only decide; ``deliveries.record`` renders and records what they planned. Staff
are reached per their preferences; a client's contact by email (or by the channel the
sender chose, for signing requests).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portico.contracts.events.common import Person
from portico.notifier.channels.base import Attachment
from portico.notifier.messages.kinds import MessageKind
from portico.notifier.models import Preference, StaffMember

Channel = Literal["email", "sms", "in_app"]


@dataclass(frozen=True)
class Recipient:
    id: uuid.UUID | None
    name: str
    email: str | None
    phone: str | None
    locale: str
    is_staff: bool = False


@dataclass(frozen=True)
class Outgoing:
    """One message to send: its kind, recipient, channel and template variables."""

    kind: str
    recipient: Recipient
    channel: Channel
    context: dict[str, Any]
    # Where an in-app notification leads.
    link: str | None = None
    reply_to: str | None = None
    attachments: tuple[Attachment, ...] = ()


Planner = Callable[[Any, AsyncSession], Awaitable[list[Outgoing]]]


def person(who: Person) -> Recipient:
    return Recipient(id=who.id, name=who.name, email=who.email, phone=who.phone, locale=who.locale)


async def staff_channels(
    session: AsyncSession, kind: MessageKind, user_id: uuid.UUID
) -> tuple[Recipient, list[Channel]] | None:
    """The staff member and the channels their preferences choose for ``kind``."""
    member = await session.get(StaffMember, user_id)
    if member is None or not member.active:
        return None
    chosen = await session.get(Preference, (user_id, kind.key)) or kind.staff_defaults
    channels: list[Channel] = []
    if chosen is not None:
        if chosen.email:
            channels.append("email")
        if chosen.sms and member.phone:
            channels.append("sms")
        if chosen.in_app:
            channels.append("in_app")
    recipient = Recipient(
        id=member.user_id,
        name=member.name,
        email=member.email,
        phone=member.phone,
        locale=member.locale,
        is_staff=True,
    )
    return recipient, channels


async def to_staff(
    session: AsyncSession,
    kind: MessageKind,
    user_id: uuid.UUID | None,
    context: dict[str, Any],
    link: str | None,
) -> list[Outgoing]:
    """One message per channel the staff member chose for ``kind`` (none for nobody)."""
    if user_id is None:
        return []
    reached = await staff_channels(session, kind, user_id)
    if reached is None:
        return []
    recipient, channels = reached
    return [Outgoing(kind.key, recipient, channel, context, link) for channel in channels]


async def staff_email(session: AsyncSession, user_id: uuid.UUID | None) -> str | None:
    """The Reply-To of a message a staff member is behind."""
    if user_id is None:
        return None
    return await session.scalar(select(StaffMember.email).where(StaffMember.user_id == user_id))

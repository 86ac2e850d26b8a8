"""Who hears of an event, about what, on which channel: one planner per event type.

Planners only decide; ``deliveries.record`` renders and records what they planned. Staff
are reached per their preferences; a client's contact by email (or by the channel the
sender chose, for signing requests).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portico.contracts import Event
from portico.contracts.events.common import Person
from portico.contracts.events.portal import (
    ClientInvited,
    MessagePosted,
    PasswordResetRequested,
    TaskAssigned,
    WorkspaceShared,
)
from portico.notifier.messages.kinds import KINDS
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
    link: str | None = None
    reply_to: str | None = None
    attachments: tuple[tuple[str, str, str], ...] = field(default=())


Planner = Callable[[Any, AsyncSession], Awaitable[list[Outgoing]]]


def person(who: Person) -> Recipient:
    return Recipient(id=who.id, name=who.name, email=who.email, phone=who.phone, locale=who.locale)


async def staff_channels(
    session: AsyncSession, kind: str, user_id: uuid.UUID
) -> tuple[Recipient, list[Channel]] | None:
    """The staff member and the channels their preferences choose for ``kind``."""
    member = await session.get(StaffMember, user_id)
    if member is None or not member.active:
        return None
    preference = await session.get(Preference, (user_id, kind))
    defaults = KINDS[kind].staff_defaults
    chosen = preference or defaults
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


async def staff_email(session: AsyncSession, user_id: uuid.UUID | None) -> str | None:
    """The Reply-To of a message a staff member is behind."""
    if user_id is None:
        return None
    return await session.scalar(select(StaffMember.email).where(StaffMember.user_id == user_id))


async def client_invited(event: ClientInvited, session: AsyncSession) -> list[Outgoing]:
    context = {
        "client_name": event.client_name,
        "accept_url": str(event.accept_url),
        "expires_at": event.expires_at.isoformat(),
    }
    return [
        Outgoing(
            "client_invited",
            person(event.contact),
            "email",
            context,
            reply_to=await staff_email(session, event.invited_by),
        )
    ]


async def password_reset(event: PasswordResetRequested, session: AsyncSession) -> list[Outgoing]:
    recipient = Recipient(
        id=event.user_id, name=event.name, email=event.email, phone=None, locale=event.locale
    )
    context = {"reset_url": str(event.reset_url), "expires_at": event.expires_at.isoformat()}
    return [Outgoing("password_reset", recipient, "email", context)]


async def workspace_shared(event: WorkspaceShared, session: AsyncSession) -> list[Outgoing]:
    context = {
        "workspace_name": event.workspace_name,
        "project_name": event.project_name,
        "workspace_url": str(event.workspace_url),
    }
    reply_to = await staff_email(session, event.shared_by)
    return [
        Outgoing("workspace_shared", person(contact), "email", context, reply_to=reply_to)
        for contact in event.contacts
        if contact.email
    ]


async def message_posted(event: MessagePosted, session: AsyncSession) -> list[Outgoing]:
    context = {
        "workspace_name": event.workspace_name,
        "author_name": event.author_name,
        "excerpt": event.excerpt,
        "workspace_url": str(event.workspace_url),
    }
    planned: list[Outgoing] = []
    for who in event.recipients:
        if who.kind == "staff":
            reached = await staff_channels(session, "message_posted", who.id)
            if reached is not None:
                recipient, channels = reached
                planned += [
                    Outgoing(
                        "message_posted", recipient, channel, context, str(event.workspace_url)
                    )
                    for channel in channels
                ]
        elif who.email:
            planned.append(Outgoing("message_posted", person(who), "email", context))
    return planned


async def task_assigned(event: TaskAssigned, session: AsyncSession) -> list[Outgoing]:
    context = {
        "title": event.title,
        "due_on": event.due_on.isoformat() if event.due_on else None,
        "workspace_url": str(event.workspace_url),
    }
    if event.assignee_kind == "staff":
        reached = await staff_channels(session, "task_assigned", event.assignee.id)
        if reached is None:
            return []
        recipient, channels = reached
        return [
            Outgoing("task_assigned", recipient, channel, context, str(event.workspace_url))
            for channel in channels
        ]
    if not event.assignee.email:
        return []
    reply_to = await staff_email(session, event.assigned_by)
    return [Outgoing("task_assigned", person(event.assignee), "email", context, reply_to=reply_to)]


PLANNERS: dict[type[Event], Planner] = {
    ClientInvited: client_invited,
    PasswordResetRequested: password_reset,
    WorkspaceShared: workspace_shared,
    MessagePosted: message_posted,
    TaskAssigned: task_assigned,
}

"""Messages about the portal's events: invitations, password resets, workspace activity."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from portico.contracts import Event
from portico.contracts.events.portal import (
    ClientInvited,
    FileUploaded,
    MessagePosted,
    MessageRecipient,
    PasswordResetRequested,
    TaskAssigned,
    TaskCompleted,
    WorkspaceShared,
)
from portico.notifier.messages.kinds import Channels, MessageKind
from portico.notifier.messages.planning import (
    Outgoing,
    Planner,
    Recipient,
    person,
    staff_email,
    to_staff,
)

WORKSPACE_URL = "http://127.0.0.1:8000/portal/workspaces/7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b"

CLIENT_INVITED = MessageKind(
    key="client_invited",
    description="A contact is invited to the client portal",
    links=("accept_url",),
    sample={
        "client_name": "Atelier Lumière",
        "accept_url": "http://127.0.0.1:8000/invitations/accept?token=sample",
        "expires_at": "2026-12-09T09:00:00+00:00",
    },
)

PASSWORD_RESET = MessageKind(
    key="password_reset",
    description="Someone asked to reset their password",
    links=("reset_url",),
    sample={
        "reset_url": "http://127.0.0.1:8000/password/reset?token=sample",
        "expires_at": "2026-11-25T11:00:00+00:00",
    },
)

WORKSPACE_SHARED = MessageKind(
    key="workspace_shared",
    description="A workspace is shared with a contact",
    links=("workspace_url",),
    sample={
        "workspace_name": "Rénovation atelier",
        "project_name": "Atelier 2027",
        "workspace_url": WORKSPACE_URL,
    },
)

MESSAGE_POSTED = MessageKind(
    key="message_posted",
    description="A new message in a workspace thread",
    links=("workspace_url",),
    sample={
        "workspace_name": "Rénovation atelier",
        "author_name": "Camille Durand",
        "excerpt": "Voici les plans mis à jour.",
        "workspace_url": WORKSPACE_URL,
    },
    staff_defaults=Channels(email=True, sms=False, in_app=True),
)

TASK_ASSIGNED = MessageKind(
    key="task_assigned",
    description="A workspace task is assigned to someone",
    links=("workspace_url",),
    sample={
        "title": "Envoyer le Kbis",
        "due_on": "2026-12-05",
        "workspace_url": WORKSPACE_URL,
    },
    staff_defaults=Channels(email=True, sms=False, in_app=True),
)

FILE_UPLOADED = MessageKind(
    key="file_uploaded",
    description="A client adds a file to a workspace",
    links=("workspace_url",),
    sample={
        "workspace_name": "Rénovation atelier",
        "uploaded_by_name": "Camille Durand",
        "file_name": "plans-v3.pdf",
        "workspace_url": WORKSPACE_URL,
    },
    staff_defaults=Channels(email=True, sms=False, in_app=True),
)

TASK_COMPLETED = MessageKind(
    key="task_completed",
    description="A client completes a workspace task",
    links=("workspace_url",),
    sample={
        "workspace_name": "Rénovation atelier",
        "title": "Envoyer le Kbis",
        "completed_by_name": "Camille Durand",
        "workspace_url": WORKSPACE_URL,
    },
    staff_defaults=Channels(email=True, sms=False, in_app=True),
)

KINDS = (
    CLIENT_INVITED,
    PASSWORD_RESET,
    WORKSPACE_SHARED,
    MESSAGE_POSTED,
    TASK_ASSIGNED,
    FILE_UPLOADED,
    TASK_COMPLETED,
)


async def client_invited(event: ClientInvited, session: AsyncSession) -> list[Outgoing]:
    context = {
        "client_name": event.client_name,
        "accept_url": str(event.accept_url),
        "expires_at": event.expires_at.isoformat(),
    }
    reply_to = await staff_email(session, event.invited_by)
    return [
        Outgoing(CLIENT_INVITED.key, person(event.contact), "email", context, reply_to=reply_to)
    ]


async def password_reset(event: PasswordResetRequested, session: AsyncSession) -> list[Outgoing]:
    recipient = Recipient(
        id=event.user_id, name=event.name, email=event.email, phone=None, locale=event.locale
    )
    context = {"reset_url": str(event.reset_url), "expires_at": event.expires_at.isoformat()}
    return [Outgoing(PASSWORD_RESET.key, recipient, "email", context)]


async def workspace_shared(event: WorkspaceShared, session: AsyncSession) -> list[Outgoing]:
    context = {
        "workspace_name": event.workspace_name,
        "project_name": event.project_name,
        "workspace_url": str(event.workspace_url),
    }
    reply_to = await staff_email(session, event.shared_by)
    return [
        Outgoing(WORKSPACE_SHARED.key, person(contact), "email", context, reply_to=reply_to)
        for contact in event.contacts
        if contact.email
    ]


async def _to_recipients(
    session: AsyncSession,
    kind: MessageKind,
    recipients: list[MessageRecipient],
    context: dict[str, Any],
) -> list[Outgoing]:
    """Staff as their preferences say, their in-app notification linking to the
    workspace; a contact (with portal access: the portal lists no other) by email."""
    planned: list[Outgoing] = []
    for who in recipients:
        if who.kind == "staff":
            planned += await to_staff(session, kind, who.id, context, context["workspace_url"])
        elif who.email:
            planned.append(Outgoing(kind.key, person(who), "email", context))
    return planned


async def message_posted(event: MessagePosted, session: AsyncSession) -> list[Outgoing]:
    context = {
        "workspace_name": event.workspace_name,
        "author_name": event.author_name,
        "excerpt": event.excerpt,
        "workspace_url": str(event.workspace_url),
    }
    return await _to_recipients(session, MESSAGE_POSTED, event.recipients, context)


async def file_uploaded(event: FileUploaded, session: AsyncSession) -> list[Outgoing]:
    context = {
        "workspace_name": event.workspace_name,
        "uploaded_by_name": event.uploaded_by_name,
        "file_name": event.file_name,
        "workspace_url": str(event.workspace_url),
    }
    return await _to_recipients(session, FILE_UPLOADED, event.recipients, context)


async def task_completed(event: TaskCompleted, session: AsyncSession) -> list[Outgoing]:
    context = {
        "workspace_name": event.workspace_name,
        "title": event.title,
        "completed_by_name": event.completed_by_name,
        "workspace_url": str(event.workspace_url),
    }
    return await _to_recipients(session, TASK_COMPLETED, event.recipients, context)


async def task_assigned(event: TaskAssigned, session: AsyncSession) -> list[Outgoing]:
    context = {
        "title": event.title,
        "due_on": event.due_on.isoformat() if event.due_on else None,
        "workspace_url": str(event.workspace_url),
    }
    if event.assignee_kind == "staff":
        return await to_staff(
            session, TASK_ASSIGNED, event.assignee.id, context, str(event.workspace_url)
        )
    if not event.assignee.email:
        return []
    reply_to = await staff_email(session, event.assigned_by)
    return [
        Outgoing(TASK_ASSIGNED.key, person(event.assignee), "email", context, reply_to=reply_to)
    ]


PLANNERS: dict[type[Event], Planner] = {
    ClientInvited: client_invited,
    PasswordResetRequested: password_reset,
    WorkspaceShared: workspace_shared,
    MessagePosted: message_posted,
    TaskAssigned: task_assigned,
    FileUploaded: file_uploaded,
    TaskCompleted: task_completed,
}

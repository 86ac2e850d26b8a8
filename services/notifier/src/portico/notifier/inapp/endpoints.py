"""In-app notifications of the logged-in staff user: the bell's list and unread count.

Each is answered with a short title, a one-line excerpt and its link, in the language the
reader has now (their locale in the staff replica, else the organisation's).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from portico.kit.auth import CurrentStaff
from portico.kit.db import utcnow
from portico.kit.deps import Tx
from portico.kit.pagination import Page, Paging, fetch_page
from portico.kit.problems import NotFound, problem_responses
from portico.notifier.deliveries.record import organisation_context
from portico.notifier.inapp.texts import InAppText, excerpt_of, in_app_text
from portico.notifier.messages.rendering import LOCALES
from portico.notifier.models import Notification, StaffMember

router = APIRouter(prefix="/v1/notifications", tags=["in-app notifications"])


class NotificationOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0b6e2c1a-5d4f-4e3a-9b8c-7d6e5f4a3b2c",
                    "kind": "message_posted",
                    "title": "Nouveau message de Camille Durand dans « Rénovation atelier »",
                    "excerpt": "Voici les plans mis à jour, avec la cuisine déplacée côté…",
                    "link": "http://127.0.0.1:8000/workspaces/7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b",
                    "created_at": "2026-11-25T10:00:00Z",
                    "read_at": None,
                }
            ]
        }
    )

    id: uuid.UUID
    kind: str
    title: str = Field(description="Short, in the reader's language")
    excerpt: str = Field(description="One line of plain text, cut on a word with an ellipsis")
    link: str | None = Field(description="Where the notification leads, if anywhere")
    created_at: datetime
    read_at: datetime | None


class UnreadCount(BaseModel):
    unread: int


@router.get("", responses=problem_responses(401, 403), summary="My notifications, newest first")
async def list_notifications(
    tx: Tx,
    principal: CurrentStaff,
    page: Paging,
    unread: Annotated[bool, Query(description="Only those not read yet")] = False,
) -> Page[NotificationOut]:
    query = select(Notification).where(Notification.user_id == uuid.UUID(principal.subject))
    if unread:
        query = query.where(Notification.read_at.is_(None))
    rows, total = await fetch_page(tx, query, page, Notification.created_at.desc(), Notification.id)
    organisation = await organisation_context(tx)
    locale = await _reader_locale(tx, principal.subject, organisation["default_locale"])
    items = [_shown(row, _text(row, locale=locale, organisation=organisation)) for row in rows]
    return Page[NotificationOut].of(items, total, page)


async def _reader_locale(session: AsyncSession, user_id: str, default: str) -> str:
    locale = await session.scalar(
        select(StaffMember.locale).where(StaffMember.user_id == uuid.UUID(user_id))
    )
    for chosen in (locale, default):
        if chosen is not None and chosen in LOCALES:
            return chosen
    return LOCALES[0]


def _text(row: Notification, *, locale: str, organisation: dict[str, Any]) -> InAppText:
    if row.params is None:  # recorded before notifications kept their parameters
        return InAppText(title=row.title, excerpt=excerpt_of(row.body))
    return in_app_text(row.kind, row.params, locale=locale, organisation=organisation)


def _shown(row: Notification, text: InAppText) -> NotificationOut:
    return NotificationOut(
        id=row.id,
        kind=row.kind,
        title=text.title,
        excerpt=text.excerpt,
        link=row.link,
        created_at=row.created_at,
        read_at=row.read_at,
    )


@router.get("/unread-count", responses=problem_responses(401, 403), summary="The bell's number")
async def unread_count(tx: Tx, principal: CurrentStaff) -> UnreadCount:
    count = await tx.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == uuid.UUID(principal.subject), Notification.read_at.is_(None))
    )
    return UnreadCount(unread=count or 0)


@router.post(
    "/{notification_id}/read",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404),
    summary="Mark one notification read",
)
async def mark_read(notification_id: uuid.UUID, tx: Tx, principal: CurrentStaff) -> Response:
    notification = await tx.get(Notification, notification_id)
    if notification is None or notification.user_id != uuid.UUID(principal.subject):
        raise NotFound(f"No notification with id {notification_id}.")
    if notification.read_at is None:
        notification.read_at = utcnow()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/read-all",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403),
    summary="Mark all my notifications read",
)
async def mark_all_read(tx: Tx, principal: CurrentStaff) -> Response:
    await tx.execute(
        update(Notification)
        .where(Notification.user_id == uuid.UUID(principal.subject), Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)

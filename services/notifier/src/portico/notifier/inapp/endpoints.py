"""In-app notifications of the logged-in staff user: the bell's list and unread count."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select, update

from portico.kit.auth import CurrentStaff
from portico.kit.db import utcnow
from portico.kit.deps import DbSession
from portico.kit.pagination import Page, Paging, fetch_page
from portico.kit.problems import NotFound, problem_responses
from portico.notifier.models import Notification

router = APIRouter(prefix="/v1/notifications", tags=["in-app notifications"])


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    title: str
    body: str
    link: str | None
    created_at: datetime
    read_at: datetime | None


class UnreadCount(BaseModel):
    unread: int


@router.get("", responses=problem_responses(401, 403), summary="My notifications, newest first")
async def list_notifications(
    session: DbSession,
    principal: CurrentStaff,
    page: Paging,
    unread: Annotated[bool, Query(description="Only those not read yet")] = False,
) -> Page[NotificationOut]:
    query = select(Notification).where(Notification.user_id == uuid.UUID(principal.subject))
    if unread:
        query = query.where(Notification.read_at.is_(None))
    rows, total = await fetch_page(
        session, query, page, Notification.created_at.desc(), Notification.id
    )
    return Page[NotificationOut].of([NotificationOut.model_validate(r) for r in rows], total, page)


@router.get("/unread-count", responses=problem_responses(401, 403), summary="The bell's number")
async def unread_count(session: DbSession, principal: CurrentStaff) -> UnreadCount:
    count = await session.scalar(
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
async def mark_read(
    notification_id: uuid.UUID, session: DbSession, principal: CurrentStaff
) -> Response:
    notification = await session.get(Notification, notification_id)
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
async def mark_all_read(session: DbSession, principal: CurrentStaff) -> Response:
    await session.execute(
        update(Notification)
        .where(Notification.user_id == uuid.UUID(principal.subject), Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)

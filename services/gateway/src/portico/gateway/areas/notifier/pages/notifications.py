"""The bell and the staff member's notifications."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response

from portico.gateway.areas.notifier.api import Notifier
from portico.gateway.web.context import Staff
from portico.gateway.web.i18n import _
from portico.gateway.web.routing import local_path, page_router, see_other
from portico.gateway.web.templating import environment, render

router = page_router()
PAGE_SIZE = 20


@router.get("/notifications/bell")
async def bell(_staff: Staff, notifier: Notifier) -> Response:
    """The bell's count, swapped into the layout's bell every half-minute."""
    unread = await notifier.unread_count()
    html = environment.get_template("notifier/staff/_bell_count.html").render(unread=unread)
    return HTMLResponse(html, headers={"cache-control": "no-store"})


@router.get("/notifications")
async def notifications_page(
    request: Request, _staff: Staff, notifier: Notifier, offset: Annotated[int, Query(ge=0)] = 0
) -> Response:
    page = await notifier.notifications(limit=PAGE_SIZE, offset=offset)
    return await render(
        request, "notifier/staff/notifications.html", page=page, section="notifications"
    )


@router.post("/notifications/{notification_id}/open")
async def open_notification(
    notification_id: uuid.UUID,
    _staff: Staff,
    notifier: Notifier,
    link: Annotated[str, Query()] = "",
) -> Response:
    await notifier.mark_read(str(notification_id))
    return see_other(_same_site(link))


@router.post("/notifications/read-all")
async def read_all(session: Staff, notifier: Notifier) -> Response:
    await notifier.mark_all_read()
    session.notify(_("All notifications are marked read."))
    return see_other("/notifications")


def _same_site(link: str) -> str:
    # Links are absolute (they are emailed too); follow only their path, on this site.
    if "://" in link:
        link = "/" + link.split("://", 1)[1].partition("/")[2]
    return local_path(link, "/notifications")

"""The first page after logging in (staff dashboard, client portal home) and the brand CSS."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from portico.gateway.apis.backends import Apis
from portico.gateway.web.context import ClientUser, Services, Session
from portico.gateway.web.routing import page_router, see_other
from portico.gateway.web.templating import branding, render

router = page_router()

COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
DEFAULT_BRAND = "#4f46e5"


@router.get("/")
async def home(request: Request, session: Session, apis: Services) -> Response:
    if session.is_client:
        return see_other("/portal")
    if not session.is_staff:
        return see_other("/login")
    return await _dashboard(request, apis)


async def _dashboard(request: Request, apis: Apis) -> Response:
    invitations = await apis.portal.invitations(status="pending", limit=5)
    notifications = await apis.notifier.notifications(limit=5)
    # The portal's "recent" order: the latest change of the record or contact's activity.
    clients = await apis.portal.clients(sort="recent", limit=6)
    return await render(
        request,
        "staff/dashboard.html",
        invitations=invitations,
        notifications=notifications,
        clients=clients,
        activity={client["id"]: latest_moment(client) for client in clients["items"]},
        first_start=clients["total"] == 0,
    )


def latest_moment(client: Mapping[str, Any]) -> tuple[str, bool]:
    """What moved the client up the recent activity: when, and whether it was one of its
    contacts (a message, a file, a task done) rather than a change of its record."""
    changed, active = str(client["updated_at"]), client.get("last_activity_at")
    if active and datetime.fromisoformat(str(active)) > datetime.fromisoformat(changed):
        return str(active), True
    return changed, False


@router.get("/portal")
async def portal_home(request: Request, client: ClientUser, apis: Services) -> Response:
    workspaces = await apis.portal.workspaces()
    if len(workspaces["items"]) == 1:
        return see_other(f"/portal/workspaces/{workspaces['items'][0]['id']}")
    return await render(request, "portal/home.html", workspaces=workspaces["items"])


@router.get("/brand.css")
async def brand_css(request: Request) -> Response:
    """The organisation's colour as CSS variables: pages carry no inline style (CSP)."""
    colour = (await branding(request)).get("brand_colour") or DEFAULT_BRAND
    if not COLOUR.fullmatch(colour):
        colour = DEFAULT_BRAND
    css = f":root {{ --brand: {colour}; }}\n"
    return Response(css, media_type="text/css", headers={"cache-control": "public, max-age=300"})

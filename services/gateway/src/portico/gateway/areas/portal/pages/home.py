"""The first page after logging in: the staff dashboard, the client portal's home."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, TypedDict

from fastapi import Form, Request
from fastapi.responses import Response

from portico.gateway.apis.base import ApiProblem
from portico.gateway.apis.identity import ClientAccount, ClientChoice
from portico.gateway.areas.notifier.api import Notifier, NotifierApi
from portico.gateway.areas.portal.api import Portal, PortalApi
from portico.gateway.areas.portal.models import Client
from portico.gateway.pages.auth import open_session
from portico.gateway.web.context import ClientUser, Session
from portico.gateway.web.i18n import _
from portico.gateway.web.routing import page_router, see_other
from portico.gateway.web.templating import render

router = page_router()


@router.get("/")
async def home(request: Request, session: Session, portal: Portal, notifier: Notifier) -> Response:
    if session.is_client:
        return see_other("/portal")
    if not session.is_staff:
        return see_other("/login")
    return await _dashboard(request, portal, notifier)


async def _dashboard(request: Request, portal: PortalApi, notifier: NotifierApi) -> Response:
    invitations = await portal.invitations(status="pending", limit=5)
    # The dashboard shows the latest notifications too: the notifier's.
    notifications = await notifier.notifications(limit=5)
    # The portal's "recent" order: the latest change of the record or contact's activity.
    clients = await portal.clients(sort="recent", limit=6)
    return await render(
        request,
        "portal/staff/dashboard.html",
        invitations=invitations,
        notifications=notifications,
        clients=clients,
        activity={client.id: latest_moment(client) for client in clients.items},
        first_start=clients.total == 0,
    )


def latest_moment(client: Client) -> tuple[datetime, bool]:
    """What moved the client up the recent activity: when, and whether it was one of its
    contacts (a message, a file, a task done) rather than a change of its record."""
    changed, active = client.updated_at, client.last_activity_at
    if active is not None and active > changed:
        return active, True
    return changed, False


@router.get("/portal")
async def portal_home(request: Request, client: ClientUser, portal: Portal) -> Response:
    workspaces = await portal.workspaces()
    if len(workspaces.items) == 1:
        return see_other(f"/portal/workspaces/{workspaces.items[0].id}")
    return await render(
        request,
        "portal/client_portal/home.html",
        workspaces=workspaces.items,
        **client_switch(await portal.client_account()),
    )


class ClientSwitch(TypedDict):
    my_clients: list[ClientChoice]
    current_client: str


def client_switch(account: ClientAccount) -> ClientSwitch:
    """What the client layout's switcher needs: the person's clients and the current one
    (it shows only when there is more than one)."""
    return ClientSwitch(my_clients=account.clients, current_client=account.client_id)


@router.post("/portal/switch")
async def switch_client(
    session: ClientUser, portal: Portal, client_id: Annotated[str, Form()] = ""
) -> Response:
    """Opens the portal at another client of the same person: new tokens, that client's
    workspaces only."""
    try:
        tokens = await portal.switch_client(client_id)
    except ApiProblem as problem:
        # Revoked since the page was shown (404), or a forged value (422).
        if problem.status not in {404, 422}:
            raise
        session.notify(_("You no longer have access to this client's portal."), "error")
        return see_other("/portal")
    await open_session(session, portal, tokens)
    return see_other("/portal")

"""A workspace in the client portal: the sections staff see, as the client may use them.

Notes and links are read-only; files are downloaded (and uploaded when the workspace
allows it); the client ticks the tasks asked of them; the thread is read and written.
Whatever is not the client's is the 404 page: the portal answers 404 (or 403) for it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated

from fastapi import File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from portico.gateway.apis.identity import ClientAccount
from portico.gateway.areas.portal.api import Portal, PortalApi
from portico.gateway.areas.portal.pages.home import client_switch
from portico.gateway.areas.portal.pages.workspaces import (
    PageRenderer,
    WorkspaceView,
    download,
    forms_with,
    load_sections,
    member_names,
    post_message,
    thread,
    tick,
    upload,
    upload_limit_of,
)
from portico.gateway.web.context import ClientUser, LoginRequired, Session
from portico.gateway.web.forms import FormState
from portico.gateway.web.i18n import _
from portico.gateway.web.routing import page_router, see_other
from portico.gateway.web.templating import branding, render

router = page_router()


async def client_view(
    request: Request, portal: PortalApi, workspace_id: uuid.UUID
) -> WorkspaceView:
    view, _account = await client_view_and_account(request, portal, workspace_id)
    return view


async def client_view_and_account(
    request: Request, portal: PortalApi, workspace_id: uuid.UUID
) -> tuple[WorkspaceView, ClientAccount]:
    """The workspace as the contact sees it, and the contact's account (the page's client
    switcher lists its clients)."""
    # The workspace first, alone: it refreshes the session's token if needed, once.
    workspace = await portal.workspace(str(workspace_id))
    account = await portal.client_account()
    organisation = await branding(request)
    view = WorkspaceView(
        id=str(workspace_id),
        base=f"/portal/workspaces/{workspace_id}",
        staff=False,
        me=account.contact_id,
        workspace=workspace,
        names=member_names(workspace),
        team=organisation.name or _("The team"),
        upload_limit=upload_limit_of(request),
    )
    return view, account


async def client_page(
    request: Request,
    portal: PortalApi,
    workspace_id: uuid.UUID,
    status_code: int = 200,
    forms: Mapping[str, FormState] | None = None,
) -> Response:
    view, account = await client_view_and_account(request, portal, workspace_id)
    menu = await portal.workspaces()
    sections = await load_sections(portal, view.id)
    return await render(
        request,
        "portal/workspaces/client.html",
        status_code,
        # The forms post elsewhere: a failed one shows the page's own address.
        page_url=view.base,
        view=view,
        menu_workspaces=menu.items,
        current_workspace=view.id,
        forms=forms_with(forms),
        **client_switch(account),
        **sections,
    )


def _renderer(request: Request, portal: PortalApi, workspace_id: uuid.UUID) -> PageRenderer:
    async def page(status_code: int, forms: Mapping[str, FormState]) -> Response:
        return await client_page(request, portal, workspace_id, status_code, forms)

    return page


@router.get("/portal/workspaces/{workspace_id:uuid}")
async def workspace_page(
    request: Request, workspace_id: uuid.UUID, session: Session, portal: Portal
) -> Response:
    if session.is_staff:
        # Notifications and emails link here, for staff and clients alike.
        return see_other(f"/workspaces/{workspace_id}")
    if not session.is_client:
        raise LoginRequired
    return await client_page(request, portal, workspace_id)


@router.get("/portal/workspaces/{workspace_id:uuid}/messages")
async def messages_thread(
    request: Request,
    workspace_id: uuid.UUID,
    _client: ClientUser,
    portal: Portal,
    after: Annotated[str, Query()] = "",
) -> Response:
    async def view_of() -> WorkspaceView:
        account = await portal.client_account()
        return WorkspaceView(
            id=str(workspace_id),
            base=f"/portal/workspaces/{workspace_id}",
            staff=False,
            me=account.contact_id,
        )

    return await thread(request, portal, str(workspace_id), view_of, after)


@router.post("/portal/workspaces/{workspace_id:uuid}/messages")
async def send_message(
    request: Request,
    workspace_id: uuid.UUID,
    session: ClientUser,
    portal: Portal,
    body: Annotated[str, Form()] = "",
) -> Response:
    view = await client_view(request, portal, workspace_id)
    page = _renderer(request, portal, workspace_id)
    return await post_message(request, session, portal, view, body, page)


@router.post("/portal/workspaces/{workspace_id:uuid}/tasks/{task_id:uuid}/done")
async def tick_task(
    request: Request,
    workspace_id: uuid.UUID,
    task_id: uuid.UUID,
    session: ClientUser,
    portal: Portal,
    done: Annotated[bool, Form()] = True,
) -> Response:
    view = await client_view(request, portal, workspace_id)
    return await tick(request, session, portal, view, str(task_id), done)


@router.get("/portal/workspaces/{workspace_id:uuid}/files/{file_id:uuid}/download")
async def download_file(
    workspace_id: uuid.UUID, file_id: uuid.UUID, _client: ClientUser, portal: Portal
) -> Response:
    return await download(portal, str(workspace_id), str(file_id))


@router.post("/portal/workspaces/{workspace_id:uuid}/files")
async def upload_file(
    request: Request,
    workspace_id: uuid.UUID,
    session: ClientUser,
    portal: Portal,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    view = await client_view(request, portal, workspace_id)
    page = _renderer(request, portal, workspace_id)
    return await upload(request, session, portal, view, file, page)

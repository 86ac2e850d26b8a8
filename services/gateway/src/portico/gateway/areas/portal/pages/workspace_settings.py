"""A workspace's settings, for staff: its name and project, who it is shared with, whether
clients may upload, archiving and deleting."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response

from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.portal.api import Portal, PortalApi
from portico.gateway.web.context import Staff
from portico.gateway.web.forms import FormState, form_from_problem
from portico.gateway.web.i18n import _
from portico.gateway.web.routing import page_router, see_other
from portico.gateway.web.templating import render

router = page_router()


async def _settings_page(
    request: Request, portal: PortalApi, workspace_id: uuid.UUID, form: FormState | None = None
) -> Response:
    workspace = await portal.workspace(str(workspace_id))
    client = await portal.client(workspace.client_id)
    if form is None:
        form = FormState(
            values={
                "workspace_name": workspace.name,
                "project_name": workspace.project_name or "",
                "clients_can_upload": workspace.clients_can_upload,
                "contact_ids": [member.contact_id for member in workspace.members],
            }
        )
    return await render(
        request,
        "portal/workspaces/settings.html",
        422 if form.invalid else 200,
        section="clients",
        workspace=workspace,
        client=client,
        form=form,
    )


@router.get("/workspaces/{workspace_id:uuid}/settings")
async def settings_page(
    request: Request, workspace_id: uuid.UUID, _staff: Staff, portal: Portal
) -> Response:
    return await _settings_page(request, portal, workspace_id)


@router.post("/workspaces/{workspace_id:uuid}/settings")
async def save_settings(
    request: Request,
    workspace_id: uuid.UUID,
    session: Staff,
    portal: Portal,
    workspace_name: Annotated[str, Form()] = "",
    project_name: Annotated[str, Form()] = "",
    clients_can_upload: Annotated[bool, Form()] = False,
    contact_ids: Annotated[list[str] | None, Form()] = None,
) -> Response:
    values = {
        "workspace_name": workspace_name,
        "project_name": project_name,
        "clients_can_upload": clients_can_upload,
        "contact_ids": contact_ids or [],
    }
    try:
        await portal.update_workspace(
            str(workspace_id),
            name=workspace_name.strip(),
            project_name=project_name.strip() or None,
            clients_can_upload=clients_can_upload,
        )
        await portal.share_workspace(str(workspace_id), contact_ids or [])
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        form = form_from_problem(problem, values, {"name": "workspace_name"})
        return await _settings_page(request, portal, workspace_id, form)
    session.notify(_("The workspace is saved."))
    return see_other(f"/workspaces/{workspace_id}")


@router.post("/workspaces/{workspace_id:uuid}/archive")
async def archive(
    workspace_id: uuid.UUID,
    session: Staff,
    portal: Portal,
    archived: Annotated[bool, Form()] = True,
) -> Response:
    await portal.update_workspace(str(workspace_id), archived=archived)
    if archived:
        session.notify(_("The workspace is archived: its contacts no longer see it."))
    else:
        session.notify(_("The workspace is restored: its contacts see it again."))
    return see_other(f"/workspaces/{workspace_id}")


@router.post("/workspaces/{workspace_id:uuid}/delete")
async def delete(workspace_id: uuid.UUID, session: Staff, portal: Portal) -> Response:
    workspace = await portal.workspace(str(workspace_id))
    await portal.delete_workspace(str(workspace_id))
    session.notify(_("The workspace “%(name)s” is deleted.") % {"name": workspace.name})
    return see_other(f"/clients/{workspace.client_id}")

"""The portal's API: organisation, staff, clients, invitations, workspaces (and identity,
which the portal hosts)."""

from __future__ import annotations

from datetime import datetime
from typing import IO, Annotated, Any, TypeVar

import httpx
from fastapi import Depends
from pydantic import BaseModel

from portico.gateway.apis.base import ApiProblem
from portico.gateway.apis.identity import IdentityApi
from portico.gateway.areas.portal.models import (
    ApiKey,
    AttributeDefinition,
    Change,
    Client,
    Contact,
    CreatedApiKey,
    Invitation,
    Link,
    Message,
    Note,
    Organisation,
    StaffUser,
    Task,
    Workspace,
    WorkspaceContents,
    WorkspaceFile,
)
from portico.gateway.web.context import service_api
from portico.kit.pagination import Page

Model = TypeVar("Model", bound=BaseModel)


class ClientExport(BaseModel):
    """A client's data export as its pages show it: pending until every service has
    answered, then ready (its archive downloadable) or failed (``failure`` says why)."""

    id: str
    client_id: str
    status: str
    missing: list[str] = []
    created_at: datetime
    ready_at: datetime | None = None
    failed_at: datetime | None = None
    failure: str | None = None
    archive_size: int | None = None


# "The latest messages" is "the last ones before a time no message will ever reach".
LATER_THAN_ANY_MESSAGE = "9999-12-31T00:00:00Z"


class PortalApi(IdentityApi):
    """The portal's pages call identity through it too: the same service answers."""

    async def invitations(
        self, *, status: str | None = None, limit: int = 20, offset: int = 0
    ) -> Page[Invitation]:
        params = {"status": status, "limit": limit, "offset": offset}
        return Page[Invitation].model_validate(await self.get("/v1/invitations", params=params))

    async def workspaces(self, *, limit: int = 100, offset: int = 0) -> Page[Workspace]:
        params = {"limit": limit, "offset": offset}
        return Page[Workspace].model_validate(await self.get("/v1/workspaces", params=params))

    async def clients(
        self,
        *,
        q: str | None = None,
        tag: str | None = None,
        assigned_staff_id: str | None = None,
        portal_status: str | None = None,
        documents_complete: bool | None = None,
        document_type_id: str | None = None,
        document_state: str | None = None,
        sort: str | None = None,
        limit: int = 25,
        offset: int = 0,
    ) -> Page[Client]:
        params = {
            "q": q,
            "tag": tag,
            "assigned_staff_id": assigned_staff_id,
            "portal_status": portal_status,
            "documents_complete": documents_complete,
            "document_type_id": document_type_id,
            "document_state": document_state,
            "sort": sort,
            "limit": limit,
            "offset": offset,
        }
        return Page[Client].model_validate(await self.get("/v1/clients", params=params))

    # Settings: the organisation (admins), staff users (admins), API keys (admins).
    async def organisation(self) -> Organisation:
        """Its settings too: the layouts' ``Branding`` is only its name, colour and logo."""
        return Organisation.model_validate(await self.get("/v1/organisation", anonymous=True))

    async def update_organisation(self, **values: Any) -> Organisation:
        return Organisation.model_validate(await self.put("/v1/organisation", json=values))

    async def upload_logo(self, filename: str, content: bytes, content_type: str) -> Organisation:
        files = {"file": (filename, content, content_type)}
        return Organisation.model_validate(await self.put("/v1/organisation/logo", files=files))

    async def change_my_password(self, current_password: str, new_password: str) -> None:
        body = {"current_password": current_password, "new_password": new_password}
        await self.call("POST", "/v1/me/password", json=body)

    async def staff_users(self, *, include_inactive: bool = False) -> list[StaffUser]:
        params = {"include_inactive": include_inactive}
        return _list_of(StaffUser, await self.get("/v1/staff", params=params))

    async def create_staff_user(self, **values: Any) -> StaffUser:
        return StaffUser.model_validate(await self.post("/v1/staff", json=values))

    async def update_staff_user(self, user_id: str, **changes: Any) -> StaffUser:
        return StaffUser.model_validate(await self.patch(f"/v1/staff/{user_id}", json=changes))

    async def api_keys(self) -> list[ApiKey]:
        return _list_of(ApiKey, await self.get("/v1/api-keys"))

    async def create_api_key(self, name: str, scopes: list[str]) -> CreatedApiKey:
        body = {"name": name, "scopes": scopes}
        return CreatedApiKey.model_validate(await self.post("/v1/api-keys", json=body))

    async def revoke_api_key(self, key_id: str) -> None:
        await self.delete(f"/v1/api-keys/{key_id}")

    # Clients (staff pages): one client, its contacts, invitations, history, workspaces.
    async def client(self, client_id: str) -> Client:
        return Client.model_validate(await self.get(f"/v1/clients/{client_id}"))

    async def create_client(self, **values: Any) -> Client:
        return Client.model_validate(await self.post("/v1/clients", json=values))

    async def update_client(self, client_id: str, **changes: Any) -> Client:
        return Client.model_validate(await self.patch(f"/v1/clients/{client_id}", json=changes))

    async def client_history(self, client_id: str) -> list[Change]:
        return _list_of(Change, await self.get(f"/v1/clients/{client_id}/history"))

    async def add_contact(self, client_id: str, *, invite: bool = False, **values: Any) -> Contact:
        path = f"/v1/clients/{client_id}/contacts"
        params = {"invite": "true" if invite else None}
        return Contact.model_validate(await self.post(path, json=values, params=params))

    async def invite_contact(self, client_id: str, contact_id: str) -> Invitation:
        path = f"/v1/clients/{client_id}/contacts/{contact_id}/invitation"
        return Invitation.model_validate(await self.post(path))

    async def revoke_invitation(self, client_id: str, contact_id: str) -> None:
        await self.delete(f"/v1/clients/{client_id}/contacts/{contact_id}/invitation")

    async def attribute_definitions(self) -> list[AttributeDefinition]:
        return _list_of(AttributeDefinition, await self.get("/v1/attributes"))

    # A client's personal data (admins): exports (GDPR access) and erasure (docs/exports.md).
    async def client_exports(self, client_id: str, *, limit: int = 20) -> Page[ClientExport]:
        """Newest first."""
        answer = await self.get(f"/v1/clients/{client_id}/exports", params={"limit": limit})
        return Page[ClientExport].model_validate(answer)

    async def request_client_export(self, client_id: str) -> ClientExport:
        return ClientExport.model_validate(await self.post(f"/v1/clients/{client_id}/exports"))

    async def client_export(self, client_id: str, export_id: str) -> ClientExport:
        path = f"/v1/clients/{client_id}/exports/{export_id}"
        return ClientExport.model_validate(await self.get(path))

    async def open_client_export_archive(self, client_id: str, export_id: str) -> httpx.Response:
        """The zip, its body not yet read: stream it, then ``aclose()`` the response."""
        return await self._open(f"/v1/clients/{client_id}/exports/{export_id}/archive")

    async def erase_client(self, client_id: str) -> None:
        """Every service removes everything about the client (docs/erasure.md)."""
        await self.delete(f"/v1/clients/{client_id}", params={"erase": "true"})

    async def client_workspaces(self, client_id: str, *, limit: int = 200) -> Page[Workspace]:
        """Archived ones too: staff restore them from their page."""
        params = {"limit": limit, "include_archived": "true"}
        answer = await self.get(f"/v1/clients/{client_id}/workspaces", params=params)
        return Page[Workspace].model_validate(answer)

    async def create_client_workspace(self, client_id: str, **values: Any) -> Workspace:
        answer = await self.post(f"/v1/clients/{client_id}/workspaces", json=values)
        return Workspace.model_validate(answer)

    # A workspace's page (staff and client): the workspace and what it holds.
    async def workspace(self, workspace_id: str) -> Workspace:
        return Workspace.model_validate(await self.get(f"/v1/workspaces/{workspace_id}"))

    async def workspace_contents(self, workspace_id: str, *, messages: int) -> WorkspaceContents:
        """Every section's items in one call, with the thread's last ``messages``."""
        path = f"/v1/workspaces/{workspace_id}/contents"
        return WorkspaceContents.model_validate(await self.get(path, params={"messages": messages}))

    async def workspace_note(self, workspace_id: str, note_id: str) -> Note:
        return Note.model_validate(await self.get(f"/v1/workspaces/{workspace_id}/notes/{note_id}"))

    async def add_workspace_note(self, workspace_id: str, title: str, body_html: str) -> Note:
        body = {"title": title, "body_html": body_html}
        return Note.model_validate(
            await self.post(f"/v1/workspaces/{workspace_id}/notes", json=body)
        )

    async def update_workspace_note(self, workspace_id: str, note_id: str, **changes: Any) -> Note:
        path = f"/v1/workspaces/{workspace_id}/notes/{note_id}"
        return Note.model_validate(await self.patch(path, json=changes))

    async def delete_workspace_note(self, workspace_id: str, note_id: str) -> None:
        await self.delete(f"/v1/workspaces/{workspace_id}/notes/{note_id}")

    async def add_workspace_link(self, workspace_id: str, title: str, url: str) -> Link:
        body = {"title": title, "url": url}
        return Link.model_validate(
            await self.post(f"/v1/workspaces/{workspace_id}/links", json=body)
        )

    async def delete_workspace_link(self, workspace_id: str, link_id: str) -> None:
        await self.delete(f"/v1/workspaces/{workspace_id}/links/{link_id}")

    async def workspace_files(self, workspace_id: str) -> list[WorkspaceFile]:
        return _list_of(WorkspaceFile, await self.get(f"/v1/workspaces/{workspace_id}/files"))

    async def upload_workspace_file(
        self, workspace_id: str, name: str, content: IO[bytes], content_type: str | None
    ) -> WorkspaceFile:
        """Sends the file object as it is read (the multipart body is streamed)."""
        files = {"file": (name, content, content_type or "application/octet-stream")}
        return WorkspaceFile.model_validate(
            await self.post(f"/v1/workspaces/{workspace_id}/files", files=files)
        )

    async def open_workspace_file(self, workspace_id: str, file_id: str) -> httpx.Response:
        """The download, its body not yet read: stream it, then ``aclose()`` the response."""
        return await self._open(f"/v1/workspaces/{workspace_id}/files/{file_id}/download")

    async def _open(self, path: str) -> httpx.Response:
        request = self._http.build_request("GET", path, headers=await self.headers())
        response = await self._http.send(request, stream=True)
        if response.status_code >= 400:
            await response.aread()
            await response.aclose()
            raise ApiProblem.from_response(response)
        return response

    async def delete_workspace_file(self, workspace_id: str, file_id: str) -> None:
        await self.delete(f"/v1/workspaces/{workspace_id}/files/{file_id}")

    async def add_workspace_task(self, workspace_id: str, **values: Any) -> Task:
        return Task.model_validate(
            await self.post(f"/v1/workspaces/{workspace_id}/tasks", json=values)
        )

    async def update_workspace_task(self, workspace_id: str, task_id: str, **changes: Any) -> Task:
        path = f"/v1/workspaces/{workspace_id}/tasks/{task_id}"
        return Task.model_validate(await self.patch(path, json=changes))

    async def delete_workspace_task(self, workspace_id: str, task_id: str) -> None:
        await self.delete(f"/v1/workspaces/{workspace_id}/tasks/{task_id}")

    async def workspace_messages(
        self, workspace_id: str, *, after: str | None = None, limit: int = 500
    ) -> list[Message]:
        """Oldest first: the first ``limit`` posted after ``after`` (an ISO time), if given."""
        params = {"after": after, "limit": limit}
        path = f"/v1/workspaces/{workspace_id}/messages"
        return _list_of(Message, await self.get(path, params=params))

    async def latest_workspace_messages(self, workspace_id: str, *, limit: int) -> list[Message]:
        """The last ``limit`` messages of the thread, oldest first."""
        params = {"before": LATER_THAN_ANY_MESSAGE, "limit": limit}
        path = f"/v1/workspaces/{workspace_id}/messages"
        return _list_of(Message, await self.get(path, params=params))

    async def post_workspace_message(self, workspace_id: str, body: str) -> Message:
        path = f"/v1/workspaces/{workspace_id}/messages"
        return Message.model_validate(await self.post(path, json={"body": body}))

    async def update_workspace(self, workspace_id: str, **changes: Any) -> Workspace:
        path = f"/v1/workspaces/{workspace_id}"
        return Workspace.model_validate(await self.patch(path, json=changes))

    async def share_workspace(self, workspace_id: str, contact_ids: list[str]) -> Workspace:
        body = {"contact_ids": contact_ids}
        path = f"/v1/workspaces/{workspace_id}/members"
        return Workspace.model_validate(await self.put(path, json=body))

    async def delete_workspace(self, workspace_id: str) -> None:
        await self.delete(f"/v1/workspaces/{workspace_id}")


def _list_of(model: type[Model], answer: list[Any]) -> list[Model]:
    return [model.model_validate(item) for item in answer]


# What a page handler declares to call the portal as the person behind the request.
Portal = Annotated[PortalApi, Depends(service_api(PortalApi))]

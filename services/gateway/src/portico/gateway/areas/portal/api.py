"""The portal's API: organisation, staff, clients, invitations, workspaces (and identity,
which the portal hosts)."""

from __future__ import annotations

from typing import IO, Annotated, Any

import httpx
from fastapi import Depends

from portico.gateway.apis.base import ApiProblem
from portico.gateway.apis.identity import IdentityApi
from portico.gateway.web.context import service_api

# "The latest messages" is "the last ones before a time no message will ever reach".
LATER_THAN_ANY_MESSAGE = "9999-12-31T00:00:00Z"


class PortalApi(IdentityApi):
    """The portal's pages call identity through it too: the same service answers."""

    async def invitations(
        self, *, status: str | None = None, limit: int = 20, offset: int = 0
    ) -> dict[str, Any]:
        params = {"status": status, "limit": limit, "offset": offset}
        return await self.get("/v1/invitations", params=params)

    async def workspaces(self, *, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        return await self.get("/v1/workspaces", params={"limit": limit, "offset": offset})

    async def clients(
        self,
        *,
        q: str | None = None,
        tag: str | None = None,
        assigned_staff_id: str | None = None,
        portal_status: str | None = None,
        sort: str | None = None,
        limit: int = 25,
        offset: int = 0,
    ) -> dict[str, Any]:
        params = {
            "q": q,
            "tag": tag,
            "assigned_staff_id": assigned_staff_id,
            "portal_status": portal_status,
            "sort": sort,
            "limit": limit,
            "offset": offset,
        }
        return await self.get("/v1/clients", params=params)

    # Settings: the organisation (admins), staff users (admins), API keys (admins).
    async def update_organisation(self, **values: Any) -> dict[str, Any]:
        return await self.put("/v1/organisation", json=values)

    async def upload_logo(self, filename: str, content: bytes, content_type: str) -> dict[str, Any]:
        files = {"file": (filename, content, content_type)}
        return await self.put("/v1/organisation/logo", files=files)

    async def change_my_password(self, current_password: str, new_password: str) -> None:
        body = {"current_password": current_password, "new_password": new_password}
        await self.call("POST", "/v1/me/password", json=body)

    async def staff_users(self, *, include_inactive: bool = False) -> list[dict[str, Any]]:
        params = {"include_inactive": include_inactive}
        return await self.get("/v1/staff", params=params)

    async def create_staff_user(self, **values: Any) -> dict[str, Any]:
        return await self.post("/v1/staff", json=values)

    async def update_staff_user(self, user_id: str, **changes: Any) -> dict[str, Any]:
        return await self.patch(f"/v1/staff/{user_id}", json=changes)

    async def api_keys(self) -> list[dict[str, Any]]:
        return await self.get("/v1/api-keys")

    async def create_api_key(self, name: str, scopes: list[str]) -> dict[str, Any]:
        return await self.post("/v1/api-keys", json={"name": name, "scopes": scopes})

    async def revoke_api_key(self, key_id: str) -> None:
        await self.delete(f"/v1/api-keys/{key_id}")

    # Clients (staff pages): one client, its contacts, invitations, history, workspaces.
    async def client(self, client_id: str) -> dict[str, Any]:
        return await self.get(f"/v1/clients/{client_id}")

    async def create_client(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self.post("/v1/clients", json=body)

    async def update_client(self, client_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        return await self.patch(f"/v1/clients/{client_id}", json=changes)

    async def client_history(self, client_id: str) -> list[dict[str, Any]]:
        return await self.get(f"/v1/clients/{client_id}/history")

    async def add_contact(
        self, client_id: str, contact: dict[str, Any], *, invite: bool = False
    ) -> dict[str, Any]:
        path = f"/v1/clients/{client_id}/contacts"
        return await self.post(path, json=contact, params={"invite": "true" if invite else None})

    async def invite_contact(self, client_id: str, contact_id: str) -> dict[str, Any]:
        return await self.post(f"/v1/clients/{client_id}/contacts/{contact_id}/invitation")

    async def revoke_invitation(self, client_id: str, contact_id: str) -> None:
        await self.delete(f"/v1/clients/{client_id}/contacts/{contact_id}/invitation")

    async def attribute_definitions(self) -> list[dict[str, Any]]:
        return await self.get("/v1/attributes")

    async def client_workspaces(self, client_id: str, *, limit: int = 200) -> dict[str, Any]:
        """Archived ones too: staff restore them from their page."""
        params = {"limit": limit, "include_archived": "true"}
        return await self.get(f"/v1/clients/{client_id}/workspaces", params=params)

    async def create_client_workspace(self, client_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self.post(f"/v1/clients/{client_id}/workspaces", json=body)

    # A workspace's page (staff and client): the workspace and what it holds.
    async def workspace(self, workspace_id: str) -> dict[str, Any]:
        return await self.get(f"/v1/workspaces/{workspace_id}")

    async def workspace_notes(self, workspace_id: str) -> list[dict[str, Any]]:
        return await self.get(f"/v1/workspaces/{workspace_id}/notes")

    async def workspace_note(self, workspace_id: str, note_id: str) -> dict[str, Any]:
        return await self.get(f"/v1/workspaces/{workspace_id}/notes/{note_id}")

    async def add_workspace_note(
        self, workspace_id: str, title: str, body_html: str
    ) -> dict[str, Any]:
        body = {"title": title, "body_html": body_html}
        return await self.post(f"/v1/workspaces/{workspace_id}/notes", json=body)

    async def update_workspace_note(
        self, workspace_id: str, note_id: str, **changes: Any
    ) -> dict[str, Any]:
        return await self.patch(f"/v1/workspaces/{workspace_id}/notes/{note_id}", json=changes)

    async def delete_workspace_note(self, workspace_id: str, note_id: str) -> None:
        await self.delete(f"/v1/workspaces/{workspace_id}/notes/{note_id}")

    async def workspace_links(self, workspace_id: str) -> list[dict[str, Any]]:
        return await self.get(f"/v1/workspaces/{workspace_id}/links")

    async def add_workspace_link(self, workspace_id: str, title: str, url: str) -> dict[str, Any]:
        body = {"title": title, "url": url}
        return await self.post(f"/v1/workspaces/{workspace_id}/links", json=body)

    async def delete_workspace_link(self, workspace_id: str, link_id: str) -> None:
        await self.delete(f"/v1/workspaces/{workspace_id}/links/{link_id}")

    async def workspace_files(self, workspace_id: str) -> list[dict[str, Any]]:
        return await self.get(f"/v1/workspaces/{workspace_id}/files")

    async def upload_workspace_file(
        self, workspace_id: str, name: str, content: IO[bytes], content_type: str | None
    ) -> dict[str, Any]:
        """Sends the file object as it is read (the multipart body is streamed)."""
        files = {"file": (name, content, content_type or "application/octet-stream")}
        return await self.post(f"/v1/workspaces/{workspace_id}/files", files=files)

    async def open_workspace_file(self, workspace_id: str, file_id: str) -> httpx.Response:
        """The download, its body not yet read: stream it, then ``aclose()`` the response."""
        path = f"/v1/workspaces/{workspace_id}/files/{file_id}/download"
        request = self._http.build_request("GET", path, headers=await self.headers())
        response = await self._http.send(request, stream=True)
        if response.status_code >= 400:
            await response.aread()
            await response.aclose()
            raise ApiProblem.from_response(response)
        return response

    async def delete_workspace_file(self, workspace_id: str, file_id: str) -> None:
        await self.delete(f"/v1/workspaces/{workspace_id}/files/{file_id}")

    async def workspace_tasks(self, workspace_id: str) -> list[dict[str, Any]]:
        return await self.get(f"/v1/workspaces/{workspace_id}/tasks")

    async def add_workspace_task(self, workspace_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self.post(f"/v1/workspaces/{workspace_id}/tasks", json=body)

    async def update_workspace_task(
        self, workspace_id: str, task_id: str, **changes: Any
    ) -> dict[str, Any]:
        return await self.patch(f"/v1/workspaces/{workspace_id}/tasks/{task_id}", json=changes)

    async def delete_workspace_task(self, workspace_id: str, task_id: str) -> None:
        await self.delete(f"/v1/workspaces/{workspace_id}/tasks/{task_id}")

    async def workspace_messages(
        self, workspace_id: str, *, after: str | None = None, limit: int = 500
    ) -> list[dict[str, Any]]:
        """Oldest first: the first ``limit`` posted after ``after`` (an ISO time), if given."""
        params = {"after": after, "limit": limit}
        return await self.get(f"/v1/workspaces/{workspace_id}/messages", params=params)

    async def latest_workspace_messages(
        self, workspace_id: str, *, limit: int
    ) -> list[dict[str, Any]]:
        """The last ``limit`` messages of the thread, oldest first."""
        params = {"before": LATER_THAN_ANY_MESSAGE, "limit": limit}
        return await self.get(f"/v1/workspaces/{workspace_id}/messages", params=params)

    async def post_workspace_message(self, workspace_id: str, body: str) -> dict[str, Any]:
        return await self.post(f"/v1/workspaces/{workspace_id}/messages", json={"body": body})

    async def update_workspace(self, workspace_id: str, **changes: Any) -> dict[str, Any]:
        return await self.patch(f"/v1/workspaces/{workspace_id}", json=changes)

    async def share_workspace(self, workspace_id: str, contact_ids: list[str]) -> dict[str, Any]:
        body = {"contact_ids": contact_ids}
        return await self.put(f"/v1/workspaces/{workspace_id}/members", json=body)

    async def delete_workspace(self, workspace_id: str) -> None:
        await self.delete(f"/v1/workspaces/{workspace_id}")


# What a page handler declares to call the portal as the person behind the request.
Portal = Annotated[PortalApi, Depends(service_api(PortalApi))]

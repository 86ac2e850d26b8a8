"""The portal's API: identity, organisation, staff, clients, invitations, workspaces."""

from __future__ import annotations

from typing import Any

from portico.gateway.apis.base import ServiceClient


class PortalApi(ServiceClient):
    # Identity: answered without the user's token.
    async def log_in(self, email: str, password: str) -> dict[str, Any]:
        body = {"email": email, "password": password}
        return await self.post("/v1/auth/login", json=body, anonymous=True)

    async def refresh(self, refresh_token: str) -> dict[str, Any]:
        body = {"refresh_token": refresh_token}
        return await self.post("/v1/auth/refresh", json=body, anonymous=True)

    async def log_out(self) -> None:
        await self.call("POST", "/v1/auth/logout")

    async def request_password_reset(self, email: str) -> None:
        await self.call("POST", "/v1/auth/password-reset", json={"email": email}, anonymous=True)

    async def reset_password(self, token: str, password: str) -> None:
        body = {"token": token, "password": password}
        await self.call("POST", "/v1/auth/password-reset/confirm", json=body, anonymous=True)

    async def invitation(self, token: str) -> dict[str, Any]:
        return await self.get("/v1/invitations/accept", params={"token": token}, anonymous=True)

    async def accept_invitation(self, token: str, password: str) -> dict[str, Any]:
        body = {"token": token, "password": password}
        return await self.post("/v1/invitations/accept", json=body, anonymous=True)

    # The organisation's branding is public: the login page shows it too.
    async def organisation(self) -> dict[str, Any]:
        return await self.get("/v1/organisation", anonymous=True)

    async def me(self) -> dict[str, Any]:
        return await self.get("/v1/me")

    async def update_me(self, **changes: Any) -> dict[str, Any]:
        return await self.patch("/v1/me", json=changes)

    async def client_account(self) -> dict[str, Any]:
        return await self.get("/v1/client-account")

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
        limit: int = 25,
        offset: int = 0,
    ) -> dict[str, Any]:
        params = {
            "q": q,
            "tag": tag,
            "assigned_staff_id": assigned_staff_id,
            "portal_status": portal_status,
            "limit": limit,
            "offset": offset,
        }
        return await self.get("/v1/clients", params=params)

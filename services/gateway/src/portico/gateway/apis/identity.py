"""Identity, which the core itself needs: logging in, tokens, passwords, invitations, the
organisation's branding and the person logged in. The portal's API answers these calls."""

from __future__ import annotations

from typing import Any

from portico.gateway.apis.base import ServiceClient


class IdentityApi(ServiceClient):
    service = "portal"

    # Answered without the user's token.
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
        """The contact logged in, with every client their person reaches (``clients``)."""
        return await self.get("/v1/client-account")

    async def switch_client(self, client_id: str) -> dict[str, Any]:
        """New tokens at another client of the same person (the current session ends)."""
        return await self.post("/v1/auth/switch", json={"client_id": client_id})

"""Identity, which the core itself needs: logging in, tokens, passwords, invitations, the
organisation's branding and the person logged in. The portal's API answers these calls.

Its answers are read into the models below: only what the pages use (and ids), so that
fields the portal adds later are ignored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from portico.gateway.apis.base import ServiceClient


class Tokens(BaseModel):
    """A session's tokens: a refresh answers a new refresh token too."""

    access_token: str
    refresh_token: str | None = None
    # Seconds until the access token expires.
    expires_in: int


class Branding(BaseModel):
    """The organisation as every layout shows it: its name, colour and logo."""

    name: str
    brand_colour: str | None = None
    logo_url: str | None = None


class StaffUser(BaseModel):
    """A staff user: the one logged in (``me``), or one of the team."""

    id: str
    email: str
    first_name: str
    last_name: str
    phone: str | None = None
    locale: str
    role: str
    active: bool
    last_login_at: datetime | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class InvitationPreview(BaseModel):
    """What the accept page shows before the contact chooses a password."""

    # The address already logs in (a contact of another client): its password is asked.
    has_login: bool
    client_name: str
    first_name: str
    email: str
    locale: str


class ClientChoice(BaseModel):
    client_id: str
    client_name: str


class ClientAccount(BaseModel):
    """The contact logged in, with every client their person reaches (``clients``)."""

    client_id: str
    contact_id: str
    first_name: str
    locale: str
    clients: list[ClientChoice]


class IdentityApi(ServiceClient):
    service = "portal"

    # Answered without the user's token.
    async def log_in(self, email: str, password: str) -> Tokens:
        body = {"email": email, "password": password}
        return Tokens.model_validate(await self.post("/v1/auth/login", json=body, anonymous=True))

    async def refresh(self, refresh_token: str) -> Tokens:
        body = {"refresh_token": refresh_token}
        return Tokens.model_validate(await self.post("/v1/auth/refresh", json=body, anonymous=True))

    async def log_out(self) -> None:
        await self.call("POST", "/v1/auth/logout")

    async def request_password_reset(self, email: str) -> None:
        await self.call("POST", "/v1/auth/password-reset", json={"email": email}, anonymous=True)

    async def reset_password(self, token: str, password: str) -> None:
        body = {"token": token, "password": password}
        await self.call("POST", "/v1/auth/password-reset/confirm", json=body, anonymous=True)

    async def invitation(self, token: str) -> InvitationPreview:
        params = {"token": token}
        answer = await self.get("/v1/invitations/accept", params=params, anonymous=True)
        return InvitationPreview.model_validate(answer)

    async def accept_invitation(self, token: str, password: str) -> Tokens:
        body = {"token": token, "password": password}
        answer = await self.post("/v1/invitations/accept", json=body, anonymous=True)
        return Tokens.model_validate(answer)

    # The organisation's branding is public: the login page shows it too.
    async def organisation(self) -> Branding:
        return Branding.model_validate(await self.get("/v1/organisation", anonymous=True))

    async def me(self) -> StaffUser:
        return StaffUser.model_validate(await self.get("/v1/me"))

    async def update_me(self, **changes: Any) -> StaffUser:
        return StaffUser.model_validate(await self.patch("/v1/me", json=changes))

    async def client_account(self) -> ClientAccount:
        """The contact logged in, with every client their person reaches (``clients``)."""
        return ClientAccount.model_validate(await self.get("/v1/client-account"))

    async def switch_client(self, client_id: str) -> Tokens:
        """New tokens at another client of the same person (the current session ends)."""
        answer = await self.post("/v1/auth/switch", json={"client_id": client_id})
        return Tokens.model_validate(answer)

"""Who is calling: the principal behind an access token, as FastAPI dependencies."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Literal

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from portico.kit.problems import Forbidden, Unauthorized

Role = Literal["admin", "staff", "client", "api_key"]
ROLES: tuple[Role, ...] = ("admin", "staff", "client", "api_key")


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    client_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    token_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_staff(self) -> bool:
        return self.role in ("admin", "staff")

    @property
    def is_client(self) -> bool:
        return self.role == "client"

    def has_scope(self, scope: str) -> bool:
        return self.is_admin or scope in self.scopes


_bearer = HTTPBearer(auto_error=False, description="An access token from the portal")


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise Unauthorized("An access token is required (Authorization: Bearer ...).")
    principal: Principal = request.app.state.token_verifier.verify(credentials.credentials)
    is_revoked: Callable[[str], Awaitable[bool]] | None = getattr(
        request.app.state, "is_token_revoked", None
    )
    if is_revoked is not None and principal.token_id and await is_revoked(principal.token_id):
        raise Unauthorized("This session has ended; log in again.")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def current_staff(principal: CurrentPrincipal) -> Principal:
    if not principal.is_staff:
        raise Forbidden("Only staff members can do this.")
    return principal


async def current_admin(principal: CurrentPrincipal) -> Principal:
    if not principal.is_admin:
        raise Forbidden("Only administrators can do this.")
    return principal


async def current_client(principal: CurrentPrincipal) -> Principal:
    if not principal.is_client or principal.client_id is None:
        raise Forbidden("Only client accounts can do this.")
    return principal


CurrentStaff = Annotated[Principal, Depends(current_staff)]
CurrentAdmin = Annotated[Principal, Depends(current_admin)]
CurrentClient = Annotated[Principal, Depends(current_client)]


def require_scope(scope: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency letting through admins, staff, and API keys holding ``scope``."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if principal.role == "api_key" and not principal.has_scope(scope):
            raise Forbidden(f"This API key lacks the scope {scope!r}.")
        if principal.role == "client":
            raise Forbidden("Client accounts cannot do this.")
        return principal

    return check

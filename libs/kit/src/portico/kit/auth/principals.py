"""Who is calling: the principal behind an access token, and the dependencies that guard
endpoints by role or scope.

The verifier is read from ``request.app.state.token_verifier`` (the service builder puts
it there; a test app puts its own). If the app also has an async ``is_revoked(jti)`` on
its state (the portal provides one for logged-out sessions), every token is checked with it.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Literal, get_args

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from portico.kit.problems import Forbidden, Unauthorized

if TYPE_CHECKING:
    from portico.kit.auth.tokens import TokenVerifier

Role = Literal["admin", "staff", "client", "api_key"]
ROLES: tuple[Role, ...] = get_args(Role)


@dataclass(frozen=True)
class Principal:
    """A staff user, a client's contact or an API key, as its token describes it."""

    subject: str
    role: Role
    client_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    token_id: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")
        if self.role == "client" and self.client_id is None:
            raise ValueError("a client principal needs its client_id")
        object.__setattr__(self, "scopes", frozenset(self.scopes))

    @property
    def user_id(self) -> uuid.UUID | None:
        """The account's id, when the subject is one (an API key's is not)."""
        try:
            return uuid.UUID(self.subject)
        except ValueError:
            return None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_staff(self) -> bool:
        """Admins are staff too."""
        return self.role in ("admin", "staff")

    @property
    def is_client(self) -> bool:
        return self.role == "client"

    def has_scope(self, scope: str) -> bool:
        """Scopes narrow API keys; an admin holds them all."""
        return self.is_admin or scope in self.scopes


_bearer = HTTPBearer(auto_error=False, description="An access token issued by the portal")

RevocationCheck = Callable[[str], Awaitable[bool]]


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise Unauthorized("An access token is required (Authorization: Bearer <token>).")
    verifier: TokenVerifier | None = getattr(request.app.state, "token_verifier", None)
    if verifier is None:
        raise RuntimeError("app.state.token_verifier is not set: tokens cannot be checked")
    principal = verifier.verify(credentials.credentials)
    is_revoked: RevocationCheck | None = getattr(request.app.state, "is_revoked", None)
    if is_revoked is not None and principal.token_id and await is_revoked(principal.token_id):
        raise Unauthorized("This session has ended; log in again.", invalid_token=True)
    is_deactivated: Callable[[str], Awaitable[bool]] | None = getattr(
        request.app.state, "is_deactivated", None
    )
    if (
        principal.is_staff
        and is_deactivated is not None
        and await is_deactivated(principal.subject)
    ):
        raise Unauthorized(
            "This account is deactivated; its sessions have ended.", invalid_token=True
        )
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
    if not principal.is_client:
        raise Forbidden("Only client accounts can do this.")
    return principal


CurrentStaff = Annotated[Principal, Depends(current_staff)]
CurrentAdmin = Annotated[Principal, Depends(current_admin)]
CurrentClient = Annotated[Principal, Depends(current_client)]


def require_scope(
    scope: str, *, allow_staff: bool = True
) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency for endpoints internal systems may call with an API key.

    API keys need ``scope``; admins always pass; staff pass through their role unless
    ``allow_staff`` is false; clients never do.
    ``Annotated[Principal, Depends(require_scope("clients:write"))]``.
    """

    async def check_scope(principal: CurrentPrincipal) -> Principal:
        if principal.has_scope(scope) or (allow_staff and principal.is_staff):
            return principal
        if principal.role == "api_key":
            raise Forbidden(f"This API key lacks the scope {scope!r}.", scope=scope)
        raise Forbidden("Your account cannot do this.")

    return check_scope

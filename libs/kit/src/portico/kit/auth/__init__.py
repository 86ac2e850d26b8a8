"""Authentication and authorisation shared by every service."""

from portico.kit.auth.principals import (
    CurrentAdmin,
    CurrentClient,
    CurrentPrincipal,
    CurrentStaff,
    Principal,
    require_scope,
)
from portico.kit.auth.tokens import TokenIssuer, TokenVerifier

__all__ = [
    "CurrentAdmin",
    "CurrentClient",
    "CurrentPrincipal",
    "CurrentStaff",
    "Principal",
    "TokenIssuer",
    "TokenVerifier",
    "require_scope",
]

"""Authentication and authorisation shared by every service: access tokens (EdDSA JWTs),
the principal behind them as FastAPI dependencies, and capability tokens for public links."""

from portico.kit.auth.capabilities import (
    CapabilityTokenColumns,
    capability_matches,
    hash_capability,
    new_capability,
)
from portico.kit.auth.keys import generate_keypair, load_or_create_keypair, public_jwk
from portico.kit.auth.principals import (
    ROLES,
    CurrentAdmin,
    CurrentClient,
    CurrentPrincipal,
    CurrentStaff,
    Principal,
    Role,
    require_scope,
)
from portico.kit.auth.tokens import TokenIssuer, TokenVerifier

__all__ = [
    "ROLES",
    "CapabilityTokenColumns",
    "CurrentAdmin",
    "CurrentClient",
    "CurrentPrincipal",
    "CurrentStaff",
    "Principal",
    "Role",
    "TokenIssuer",
    "TokenVerifier",
    "capability_matches",
    "generate_keypair",
    "hash_capability",
    "load_or_create_keypair",
    "new_capability",
    "public_jwk",
    "require_scope",
]

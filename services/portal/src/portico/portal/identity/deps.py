"""What the identity endpoints need from the running service."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request

from portico.kit.auth.tokens import TokenIssuer
from portico.kit.deps import get_runtime
from portico.portal.identity.rotation import RefreshRotation
from portico.portal.settings import PortalSettings, portal_settings


def _private_key(request: Request) -> str:
    private_key = get_runtime(request).private_key
    if private_key is None:
        raise RuntimeError("the portal needs the private key (PORTICO_JWT_PRIVATE_KEY)")
    return private_key


def token_issuer(
    request: Request, settings: Annotated[PortalSettings, Depends(portal_settings)]
) -> TokenIssuer:
    runtime = get_runtime(request)
    return TokenIssuer(
        _private_key(request),
        runtime.settings.jwt_issuer,
        timedelta(minutes=settings.access_token_minutes),
    )


def refresh_rotation(
    request: Request, settings: Annotated[PortalSettings, Depends(portal_settings)]
) -> RefreshRotation:
    return RefreshRotation.from_signing_key(
        _private_key(request), timedelta(seconds=settings.refresh_grace_seconds)
    )


Issuer = Annotated[TokenIssuer, Depends(token_issuer)]
Rotation = Annotated[RefreshRotation, Depends(refresh_rotation)]

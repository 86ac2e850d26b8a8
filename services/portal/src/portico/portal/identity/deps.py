"""What the identity endpoints need from the running service."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request

from portico.kit.auth.tokens import TokenIssuer
from portico.kit.deps import get_runtime
from portico.portal.settings import PortalSettings, portal_settings


def token_issuer(
    request: Request, settings: Annotated[PortalSettings, Depends(portal_settings)]
) -> TokenIssuer:
    runtime = get_runtime(request)
    if runtime.private_key is None:
        raise RuntimeError("the portal needs the private key (PORTICO_JWT_PRIVATE_KEY)")
    return TokenIssuer(
        runtime.private_key,
        runtime.settings.jwt_issuer,
        timedelta(minutes=settings.access_token_minutes),
    )


Issuer = Annotated[TokenIssuer, Depends(token_issuer)]

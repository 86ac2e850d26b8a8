"""Identity endpoints: the public key every service verifies access tokens with."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from portico.kit.auth.keys import public_jwk
from portico.kit.deps import get_runtime
from portico.kit.service import Runtime

router = APIRouter(prefix="/v1/auth", tags=["auth"])


@router.get(
    "/jwks",
    summary="The public keys that sign access tokens (JWKS, RFC 7517)",
    response_description="A JWK set with the Ed25519 key, its `kid` matching the tokens' header",
)
async def jwks(
    runtime: Annotated[Runtime, Depends(get_runtime)],
) -> dict[str, list[dict[str, str]]]:
    return {"keys": [public_jwk(runtime.public_key)]}

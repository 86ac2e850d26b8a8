"""API keys: stored hashed, shown once, scoped, revocable, exchanged for access tokens."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portico.kit.auth.capabilities import hash_capability, new_capability
from portico.kit.auth.principals import Principal
from portico.kit.db import utcnow
from portico.kit.problems import NotFound
from portico.portal.apikeys.schemas import ApiKeyIn
from portico.portal.models import ApiKey

# Recognisable in logs and by secret scanners.
KEY_PREFIX = "ptk_"


async def create_api_key(
    session: AsyncSession, data: ApiKeyIn, created_by: uuid.UUID | None
) -> tuple[ApiKey, str]:
    token, _ = new_capability()
    key = f"{KEY_PREFIX}{token}"
    api_key = ApiKey(
        name=data.name,
        prefix=key[:12],
        key_hash=hash_capability(key),
        scopes=sorted(set(data.scopes)),
        created_by=created_by,
        created_at=utcnow(),
    )
    session.add(api_key)
    await session.flush()
    return api_key, key


async def list_api_keys(session: AsyncSession) -> list[ApiKey]:
    return list(await session.scalars(select(ApiKey).order_by(ApiKey.created_at.desc())))


async def revoke_api_key(session: AsyncSession, key_id: uuid.UUID) -> ApiKey:
    api_key = await session.get(ApiKey, key_id)
    if api_key is None:
        raise NotFound(f"No API key with id {key_id}.")
    if api_key.revoked_at is None:
        api_key.revoked_at = utcnow()
    return api_key


async def principal_for_key(session: AsyncSession, key: str) -> Principal | None:
    """The principal an access token for this key carries; None for an unknown or revoked key.

    The token's ``jti`` is the key's id, so revoking the key ends its tokens at the portal.
    """
    api_key = await session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_capability(key)))
    if api_key is None or api_key.revoked_at is not None:
        return None
    api_key.last_used_at = utcnow()
    return Principal(
        subject=str(api_key.id),
        role="api_key",
        scopes=frozenset(api_key.scopes),
        token_id=str(api_key.id),
    )

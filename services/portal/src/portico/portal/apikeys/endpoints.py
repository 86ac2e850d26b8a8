"""The API keys API (admins only)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from portico.kit.auth import CurrentAdmin
from portico.kit.deps import Tx
from portico.kit.problems import problem_responses
from portico.portal.apikeys import service
from portico.portal.apikeys.schemas import ApiKeyIn, ApiKeyOut, CreatedApiKey

router = APIRouter(prefix="/v1/api-keys", tags=["api keys"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 422),
    summary="Create an API key (its secret is in this answer only)",
)
async def create_api_key(body: ApiKeyIn, tx: Tx, admin: CurrentAdmin) -> CreatedApiKey:
    api_key, secret = await service.create_api_key(tx, body, uuid.UUID(admin.subject))
    return CreatedApiKey(**ApiKeyOut.model_validate(api_key).model_dump(), key=secret)


@router.get("", responses=problem_responses(401, 403), summary="List API keys")
async def list_api_keys(tx: Tx, _: CurrentAdmin) -> list[ApiKeyOut]:
    return [ApiKeyOut.model_validate(key) for key in await service.list_api_keys(tx)]


@router.delete(
    "/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404),
    summary="Revoke an API key; its access tokens stop working at once",
)
async def revoke_api_key(key_id: uuid.UUID, tx: Tx, _: CurrentAdmin) -> None:
    await service.revoke_api_key(tx, key_id)

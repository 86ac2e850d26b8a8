"""The custom attributes API: admins define them; staff read them to fill a client's."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from portico.kit.auth import CurrentAdmin, CurrentStaff
from portico.kit.deps import Tx
from portico.kit.problems import problem_responses
from portico.portal.attributes import service
from portico.portal.attributes.schemas import (
    AttributeDefinitionIn,
    AttributeDefinitionOut,
    AttributeDefinitionPatch,
)

router = APIRouter(prefix="/v1/attributes", tags=["custom attributes"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 422),
    summary="Define a custom client attribute",
)
async def create_attribute(
    body: AttributeDefinitionIn, tx: Tx, _: CurrentAdmin
) -> AttributeDefinitionOut:
    return AttributeDefinitionOut.model_validate(await service.create_definition(tx, body))


@router.get("", responses=problem_responses(401, 403), summary="List custom client attributes")
async def list_attributes(tx: Tx, _: CurrentStaff) -> list[AttributeDefinitionOut]:
    return [
        AttributeDefinitionOut.model_validate(definition)
        for definition in await service.list_definitions(tx)
    ]


@router.patch(
    "/{attribute_id}",
    responses=problem_responses(401, 403, 404, 422),
    summary="Rename a custom attribute or change its choices (its key and type stay)",
)
async def update_attribute(
    attribute_id: uuid.UUID, body: AttributeDefinitionPatch, tx: Tx, _: CurrentAdmin
) -> AttributeDefinitionOut:
    definition = await service.get_definition(tx, attribute_id)
    return AttributeDefinitionOut.model_validate(
        await service.update_definition(tx, definition, body)
    )


@router.delete(
    "/{attribute_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404),
    summary="Delete a custom attribute definition",
)
async def delete_attribute(attribute_id: uuid.UUID, tx: Tx, _: CurrentAdmin) -> Response:
    await service.delete_definition(tx, await service.get_definition(tx, attribute_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)

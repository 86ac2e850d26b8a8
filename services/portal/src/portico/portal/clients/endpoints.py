"""The clients API: thin routes that authorise, call the service and shape the answer."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from portico.kit.auth import Principal, require_scope
from portico.kit.deps import DbSession
from portico.kit.pagination import Page, Paging
from portico.kit.problems import problem_responses
from portico.portal.clients import service
from portico.portal.clients.schemas import ClientIn, ClientOut

router = APIRouter(prefix="/v1/clients", tags=["clients"])

# Staff, and internal systems whose API key holds the scope.
ClientsReader = Annotated[Principal, Depends(require_scope("clients:read"))]
ClientsWriter = Annotated[Principal, Depends(require_scope("clients:write"))]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 422),
    summary="Create a client with its contacts",
)
async def create_client(body: ClientIn, session: DbSession, _: ClientsWriter) -> ClientOut:
    client = await service.create_client(session, body)
    return ClientOut.model_validate(client)


@router.get("", responses=problem_responses(401, 403, 422), summary="List and search clients")
async def list_clients(
    session: DbSession,
    _: ClientsReader,
    page: Paging,
    q: Annotated[str | None, Query(max_length=200, description="Name or contact")] = None,
) -> Page[ClientOut]:
    clients, total = await service.list_clients(session, page, search=q)
    return Page[ClientOut](
        items=[ClientOut.model_validate(client) for client in clients],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/{client_id}", responses=problem_responses(401, 403, 404), summary="Read a client")
async def get_client(client_id: uuid.UUID, session: DbSession, _: ClientsReader) -> ClientOut:
    return ClientOut.model_validate(await service.get_client(session, client_id))

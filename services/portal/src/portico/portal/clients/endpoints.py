"""The clients API: thin routes that authorise, call the service and shape the answer."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from portico.contracts.events.documents import DocumentState
from portico.kit.auth import Principal, require_scope
from portico.kit.deps import Tx
from portico.kit.pagination import Page, Paging
from portico.kit.problems import Forbidden, ValidationProblem, problem_responses
from portico.portal.clients import history, service
from portico.portal.clients.history import Origin
from portico.portal.clients.schemas import (
    ChangeOut,
    ClientIn,
    ClientOut,
    ClientPatch,
    ContactOut,
    ContactPatch,
    PortalStatus,
)
from portico.portal.clients.status import client_status, contact_statuses
from portico.portal.models import Client
from portico.portal.workspaces.blobs import delete_files_after_commit

router = APIRouter(prefix="/v1/clients", tags=["clients"])

# Staff, and internal systems whose API key holds the scope.
ClientsReader = Annotated[Principal, Depends(require_scope("clients:read"))]
ClientsWriter = Annotated[Principal, Depends(require_scope("clients:write"))]


async def clients_out(session: AsyncSession, clients: Sequence[Client]) -> list[ClientOut]:
    statuses = await contact_statuses(
        session, [contact.id for client in clients for contact in client.contacts]
    )
    answers = []
    for client in clients:
        answer = ClientOut.model_validate(client)
        for contact in answer.contacts:
            contact.portal_status = statuses[contact.id]
        answer.portal_status = client_status(contact.portal_status for contact in answer.contacts)
        answers.append(answer)
    return answers


async def client_out(session: AsyncSession, client: Client) -> ClientOut:
    [answer] = await clients_out(session, [client])
    return answer


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 422),
    summary="Create a client with its contacts",
)
async def create_client(body: ClientIn, tx: Tx, principal: ClientsWriter) -> ClientOut:
    client = await service.create_client(tx, body, Origin.of(principal))
    return await client_out(tx, client)


@router.get("", responses=problem_responses(401, 403, 422), summary="List and search clients")
async def list_clients(
    tx: Tx,
    _: ClientsReader,
    page: Paging,
    q: Annotated[str | None, Query(max_length=200, description="Name or contact")] = None,
    tag: Annotated[str | None, Query(max_length=50, description="Having this tag")] = None,
    assigned_staff_id: Annotated[
        uuid.UUID | None, Query(description="In this staff user's charge")
    ] = None,
    portal_status: Annotated[
        PortalStatus | None, Query(description="Where they stand with the client portal")
    ] = None,
    documents_complete: Annotated[
        bool | None, Query(description="Every required document accepted, or not")
    ] = None,
    document_type_id: Annotated[
        uuid.UUID | None, Query(description="Asked for this document type (documents service)")
    ] = None,
    document_state: Annotated[
        DocumentState | None,
        Query(description="The client's document of document_type_id is in this state"),
    ] = None,
    sort: Annotated[
        service.ClientSort,
        Query(description="name (A to Z) or recent (latest changed or active first)"),
    ] = "name",
) -> Page[ClientOut]:
    if document_state is not None and document_type_id is None:
        raise ValidationProblem.for_field(
            "document_type_id", "Name the type whose state to filter by.", location="query"
        )
    clients, total = await service.list_clients(
        tx,
        page,
        search=q,
        tag=tag,
        assigned_staff_id=assigned_staff_id,
        portal_status=portal_status,
        documents_complete=documents_complete,
        document_type_id=document_type_id,
        document_state=document_state,
        sort=sort,
    )
    return Page[ClientOut](
        items=await clients_out(tx, clients),
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/{client_id}", responses=problem_responses(401, 403, 404), summary="Read a client")
async def get_client(client_id: uuid.UUID, tx: Tx, _: ClientsReader) -> ClientOut:
    return await client_out(tx, await service.get_client(tx, client_id))


@router.patch(
    "/{client_id}",
    responses=problem_responses(401, 403, 404, 422),
    summary="Change a client (fields left out stay; an address merges part by part)",
)
async def update_client(
    client_id: uuid.UUID, body: ClientPatch, tx: Tx, principal: ClientsWriter
) -> ClientOut:
    client = await service.get_client(tx, client_id)
    await service.update_client(tx, client, body, Origin.of(principal))
    return await client_out(tx, client)


@router.delete(
    "/{client_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 422),
    summary="Delete a client with its contacts, accounts and workspaces (ClientDeleted)",
)
async def delete_client(
    client_id: uuid.UUID,
    tx: Tx,
    principal: ClientsWriter,
    erase: Annotated[
        bool,
        Query(
            description=(
                "Erase (admins only): the client asked for their personal data to be "
                "erased; every service removes everything about them, commercial records "
                "included (docs/erasure.md)"
            )
        ),
    ] = False,
) -> Response:
    if erase and not principal.is_admin:
        raise Forbidden("Only administrators can erase a client's data.")
    client = await service.get_client(tx, client_id)
    workspace_ids = await service.delete_client(tx, client, erase=erase)
    await delete_files_after_commit(tx, workspace_ids=workspace_ids)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{client_id}/history",
    responses=problem_responses(401, 403, 404),
    summary="A client's history, newest first, with values a document could not write",
)
async def client_history(client_id: uuid.UUID, tx: Tx, _: ClientsReader) -> list[ChangeOut]:
    client = await service.get_client(tx, client_id)
    return [ChangeOut.model_validate(change) for change in await history.history(tx, client.id)]


@router.patch(
    "/{client_id}/contacts/{contact_id}",
    responses=problem_responses(401, 403, 404, 422),
    summary="Change a contact",
)
async def update_contact(
    client_id: uuid.UUID,
    contact_id: uuid.UUID,
    body: ContactPatch,
    tx: Tx,
    principal: ClientsWriter,
) -> ContactOut:
    client = await service.get_client(tx, client_id)
    contact = service.find_contact(client, contact_id)
    await service.update_contact(tx, client, contact, body, Origin.of(principal))
    answer = ContactOut.model_validate(contact)
    answer.portal_status = (await contact_statuses(tx, [contact.id]))[contact.id]
    return answer


@router.delete(
    "/{client_id}/contacts/{contact_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404),
    summary="Remove a contact (their portal account and invitations go with them)",
)
async def remove_contact(
    client_id: uuid.UUID, contact_id: uuid.UUID, tx: Tx, principal: ClientsWriter
) -> Response:
    client = await service.get_client(tx, client_id)
    contact = service.find_contact(client, contact_id)
    await service.remove_contact(tx, client, contact, Origin.of(principal))
    return Response(status_code=status.HTTP_204_NO_CONTENT)

"""``/v1/my-documents``: a client's contact and the documents asked of their client: the
checklist (with the section's introduction and whether the rest of the portal waits for
them), their uploads and their files. A contact only ever reaches their own client's."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, Response, UploadFile, status
from pydantic import Field

from portico.documents.client_documents import service
from portico.documents.client_documents.endpoints import (
    FILE_RESPONSE,
    PREVIEW_RESPONSE,
    file_response,
    preview_response,
    received,
)
from portico.documents.client_documents.schemas import ChecklistOut, DocumentOut
from portico.documents.models import ClientReplica
from portico.documents.section import section_settings
from portico.kit.auth.principals import CurrentClient, Principal
from portico.kit.deps import Store, Tx
from portico.kit.problems import problem_responses

router = APIRouter(prefix="/v1/my-documents", tags=["my documents"])


class MyDocumentsOut(ChecklistOut):
    shown: bool = Field(description="The section is in the client portal")
    introduction: str = Field(description="The organisation's words above the list (HTML)")
    access_blocked: bool = Field(
        description="The rest of the portal waits until the required documents are given"
    )


async def _client(tx: Tx, principal: Principal) -> ClientReplica:
    assert principal.client_id is not None  # CurrentClient guarantees it
    return await service.client_of(tx, principal.client_id)


def _contact_name(client: ClientReplica, contact_id: uuid.UUID | None) -> str:
    contact = next((c for c in client.contacts if c.get("id") == str(contact_id)), None)
    if contact is None:
        return client.name
    return f"{contact.get('first_name', '')} {contact.get('last_name', '')}".strip()


@router.get("", responses=problem_responses(401, 403, 404), summary="What is asked of my client")
async def my_documents(tx: Tx, principal: CurrentClient) -> MyDocumentsOut:
    checklist = await service.client_checklist(tx, await _client(tx, principal))
    section = await section_settings(tx)
    return MyDocumentsOut(
        **checklist.model_dump(),
        shown=section.shown,
        introduction=section.introduction,
        access_blocked=section.required_for_access and not checklist.complete,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 413, 415, 422),
    summary="Give a document asked of my client (it replaces the one before)",
)
async def upload_my_document(
    request: Request,
    tx: Tx,
    store: Store,
    principal: CurrentClient,
    document_type_id: Annotated[uuid.UUID, Form(description="The document type")],
    file: Annotated[UploadFile, File(description="The file: a format the type takes")],
    data: Annotated[str, Form(description="A JSON object of the type's fields")] = "{}",
) -> DocumentOut:
    client = await _client(tx, principal)
    uploader = service.Uploader(
        "contact", principal.contact_id, _contact_name(client, principal.contact_id)
    )
    return await received(request, tx, store, client, document_type_id, file, data, uploader)


@router.get(
    "/{document_id}/file",
    responses={**FILE_RESPONSE, **problem_responses(401, 403, 404)},
    response_class=Response,
    summary="Download one of my client's documents",
)
async def download_my_document(
    document_id: uuid.UUID, tx: Tx, store: Store, principal: CurrentClient
) -> Response:
    client = await _client(tx, principal)
    return await file_response(store, await service.document_of(tx, client.client_id, document_id))


@router.get(
    "/{document_id}/preview",
    responses={**PREVIEW_RESPONSE, **problem_responses(401, 403, 404)},
    response_class=Response,
    summary="One of my client's documents as a small WebP image (first page or image)",
)
async def preview_my_document(
    document_id: uuid.UUID, tx: Tx, store: Store, principal: CurrentClient
) -> Response:
    client = await _client(tx, principal)
    return await preview_response(
        store, await service.document_of(tx, client.client_id, document_id)
    )

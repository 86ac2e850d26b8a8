"""``/v1/clients/{client_id}/documents``: a client's documents, for staff and for internal
systems with an API key (``documents:read`` to list and download, ``documents:write`` to
add, change and review)."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile, status

from portico.documents.client_documents import service
from portico.documents.client_documents.schemas import (
    ChecklistOut,
    DataIn,
    DocumentOut,
    ReviewIn,
)
from portico.documents.models import ClientDocument, ClientReplica
from portico.documents.previews import preview, previewable
from portico.documents.replicas import staff_name
from portico.documents.states import announce_states
from portico.kit.auth import Principal
from portico.kit.auth.principals import require_scope
from portico.kit.deps import Store, Tx, get_runtime
from portico.kit.downloads import attachment, safe_file_name
from portico.kit.problems import NotFound, ValidationProblem, problem_responses
from portico.kit.store import BlobNotFound, BlobStore
from portico.kit.store.removal import delete_files_after_commit
from portico.kit.transaction import Transaction

router = APIRouter(prefix="/v1/clients/{client_id}/documents", tags=["client documents"])

Reader = Annotated[Principal, Depends(require_scope("documents:read"))]
Writer = Annotated[Principal, Depends(require_scope("documents:write"))]
FILE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/octet-stream": {}}, "description": "The file"}
}
PREVIEW_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/webp": {}}, "description": "The preview"}
}


def parsed_data(text: str) -> dict[str, Any]:
    """The ``data`` form field: a JSON object of the type's fields."""
    try:
        value = json.loads(text or "{}")
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ValidationProblem.for_field("data", "A JSON object of the type's fields.")
    return value


async def uploader_of(tx: Tx, principal: Principal) -> service.Uploader:
    if principal.role == "api_key":
        return service.Uploader("api_key", None, "API")
    return service.Uploader("staff", principal.user_id, await staff_name(tx, principal.user_id))


@router.get(
    "",
    responses=problem_responses(401, 403, 404),
    summary="Every document type that applies to the client, with its state and document",
)
async def client_documents(client_id: uuid.UUID, tx: Tx, _: Reader) -> ChecklistOut:
    return await service.client_checklist(tx, await service.client_of(tx, client_id))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 413, 415, 422),
    summary="Add the client's document of a type (it replaces the one before), with its data",
)
async def add_document(
    client_id: uuid.UUID,
    request: Request,
    tx: Tx,
    store: Store,
    principal: Writer,
    document_type_id: Annotated[uuid.UUID, Form(description="The document type")],
    file: Annotated[UploadFile, File(description="The file: a format the type takes")],
    data: Annotated[str, Form(description="A JSON object of the type's fields")] = "{}",
) -> DocumentOut:
    client = await service.client_of(tx, client_id)
    uploader = await uploader_of(tx, principal)
    return await received(request, tx, store, client, document_type_id, file, data, uploader)


async def received(
    request: Request,
    tx: Transaction,
    store: BlobStore,
    client: ClientReplica,
    document_type_id: uuid.UUID,
    file: UploadFile,
    data: str,
    uploader: service.Uploader,
) -> DocumentOut:
    """A multipart upload (the type, the file, its data as JSON) kept as the client's."""
    row = await service.store_upload(
        tx,
        store,
        get_runtime(request).settings,
        client=client,
        kind=await service.type_of(tx, document_type_id),
        upload=service.Upload(safe_file_name(file.filename), await file.read()),
        data=parsed_data(data),
        uploader=uploader,
    )
    return service.document_out(row)


@router.get(
    "/{document_id}",
    responses=problem_responses(401, 403, 404),
    summary="One document, with its state and data",
)
async def get_document(
    client_id: uuid.UUID, document_id: uuid.UUID, tx: Tx, _: Reader
) -> DocumentOut:
    return service.document_out(await service.document_of(tx, client_id, document_id))


@router.get(
    "/{document_id}/file",
    responses={**FILE_RESPONSE, **problem_responses(401, 403, 404)},
    response_class=Response,
    summary="Download the document's file",
)
async def download_document(
    client_id: uuid.UUID, document_id: uuid.UUID, tx: Tx, store: Store, _: Reader
) -> Response:
    return await file_response(store, await service.document_of(tx, client_id, document_id))


async def file_response(store: BlobStore, document: ClientDocument) -> Response:
    try:
        content = await store.read(document.file_key)
    except BlobNotFound:
        raise NotFound("The file is missing from the store.") from None
    return Response(
        content,
        media_type=document.content_type,
        headers={"Content-Disposition": attachment(document.file_name)},
    )


@router.get(
    "/{document_id}/preview",
    responses={**PREVIEW_RESPONSE, **problem_responses(401, 403, 404)},
    response_class=Response,
    summary="The document's first page or image, as a small WebP image",
)
async def preview_document(
    client_id: uuid.UUID, document_id: uuid.UUID, tx: Tx, store: Store, _: Reader
) -> Response:
    return await preview_response(store, await service.document_of(tx, client_id, document_id))


async def preview_response(store: BlobStore, document: ClientDocument) -> Response:
    if not previewable(document.content_type):
        raise NotFound("This kind of file has no preview.")
    try:
        content = await store.read(document.file_key)
    except BlobNotFound:
        raise NotFound("The file is missing from the store.") from None
    image = await preview(content, document.content_type)
    if image is None:
        raise NotFound("This file could not be rendered.")
    # A replacement keeps the document's id: the file's digest tells the versions apart.
    return Response(
        image,
        media_type="image/webp",
        headers={"Cache-Control": "private, no-cache", "ETag": f'"{document.sha256}"'},
    )


@router.patch(
    "/{document_id}",
    responses=problem_responses(401, 403, 404, 422),
    summary="Change the document's data (its expiry date with it)",
)
async def change_data(
    client_id: uuid.UUID, document_id: uuid.UUID, body: DataIn, tx: Tx, _: Writer
) -> DocumentOut:
    document = await service.document_of(tx, client_id, document_id)
    row = await service.change_data(tx, document, body.data)
    return service.document_out(row)


@router.post(
    "/{document_id}/review",
    responses=problem_responses(401, 403, 404, 422),
    summary="Accept the document, or reject it with the reason the client reads",
)
async def review_document(
    client_id: uuid.UUID,
    document_id: uuid.UUID,
    body: ReviewIn,
    request: Request,
    tx: Tx,
    principal: Writer,
) -> DocumentOut:
    client = await service.client_of(tx, client_id)
    document = await service.document_of(tx, client_id, document_id)
    row = await service.review(
        tx,
        get_runtime(request).settings,
        client=client,
        document=document,
        decision=body.decision,
        reason=body.reason,
        reviewer_id=principal.user_id or uuid.UUID(int=0),
    )
    return service.document_out(row)


@router.delete(
    "/{document_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404),
    summary="Delete the document and its file",
)
async def delete_document(client_id: uuid.UUID, document_id: uuid.UUID, tx: Tx, _: Writer) -> None:
    document = await service.document_of(tx, client_id, document_id)
    await tx.delete(document)
    await delete_files_after_commit(tx, keys=[document.file_key])
    await tx.flush()
    await announce_states(tx, [client_id])

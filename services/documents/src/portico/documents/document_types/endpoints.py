"""``/v1/document-types``: what the organisation asks its clients for. Staff and API keys
with ``documents:read`` list them; administrators define, change and delete them."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy import func, select

from portico.documents.document_types.schemas import (
    DocumentTypeIn,
    DocumentTypeOut,
    DocumentTypePatch,
    expiry_problem,
)
from portico.documents.models import ClientDocument, DocumentType
from portico.documents.settings import Settings
from portico.documents.states import announce_states
from portico.kit.auth import Principal
from portico.kit.auth.principals import CurrentAdmin, require_scope
from portico.kit.deps import Tx
from portico.kit.problems import NotFound, ValidationProblem, problem_responses
from portico.kit.store.removal import delete_files_after_commit

# What decides which clients a type applies to and whether it counts for completeness: a
# change of either is announced for every client (ClientDocumentStates).
CHECKLIST_SETTINGS = frozenset({"upload_mode", "client_tag"})

router = APIRouter(prefix="/v1/document-types", tags=["document types"])

Reader = Annotated[Principal, Depends(require_scope("documents:read"))]


def _checked(body: DocumentTypeIn, max_upload_mib: int) -> DocumentTypeIn:
    """The rules across fields, each refusal beside the field it is about."""
    problem = expiry_problem(body.expires, body.fields)
    if problem is not None:
        raise ValidationProblem.for_field("expires", problem, code="expiry_field")
    if body.max_size_mib > max_upload_mib:
        raise ValidationProblem.for_field(
            "max_size_mib",
            f"Files are at most {max_upload_mib} MiB on this server.",
            code="too_large",
        )
    return body


async def _type(tx: Tx, type_id: uuid.UUID) -> DocumentType:
    found = await tx.get(DocumentType, type_id)
    if found is None:
        raise NotFound("No such document type.")
    return found


@router.get("", responses=problem_responses(401, 403), summary="The document types, in order")
async def list_document_types(tx: Tx, _: Reader) -> list[DocumentTypeOut]:
    rows = await tx.scalars(
        select(DocumentType).order_by(DocumentType.position, DocumentType.name_en)
    )
    return [DocumentTypeOut.model_validate(row) for row in rows]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 422),
    summary="Ask clients for a new kind of document",
)
async def create_document_type(
    body: DocumentTypeIn, tx: Tx, settings: Settings, _: CurrentAdmin
) -> DocumentTypeOut:
    checked = _checked(body, settings.max_upload_mib)
    row = DocumentType(**checked.model_dump(mode="json"))
    if "position" not in body.model_fields_set:
        # A new type comes last, until an admin orders them.
        last = await tx.scalar(select(func.max(DocumentType.position)))
        row.position = 0 if last is None else last + 1
    tx.add(row)
    await tx.flush()
    await tx.refresh(row)
    await announce_states(tx)
    return DocumentTypeOut.model_validate(row)


@router.get("/{type_id}", responses=problem_responses(401, 403, 404), summary="One document type")
async def get_document_type(type_id: uuid.UUID, tx: Tx, _: Reader) -> DocumentTypeOut:
    return DocumentTypeOut.model_validate(await _type(tx, type_id))


@router.patch(
    "/{type_id}",
    responses=problem_responses(401, 403, 404, 422),
    summary="Change a document type (documents already given keep their data)",
)
async def update_document_type(
    type_id: uuid.UUID, body: DocumentTypePatch, tx: Tx, settings: Settings, _: CurrentAdmin
) -> DocumentTypeOut:
    row = await _type(tx, type_id)
    current = DocumentTypeOut.model_validate(row).model_dump(
        mode="json", exclude={"id", "created_at", "updated_at"}
    )
    merged: dict[str, Any] = current | body.model_dump(mode="json", exclude_unset=True)
    try:
        checked = _checked(DocumentTypeIn.model_validate(merged), settings.max_upload_mib)
    except ValidationError as error:
        # A field given as null that the type needs (a name): the same 422 as a bad body.
        raise RequestValidationError(
            [{**item, "loc": ("body", *item["loc"])} for item in error.errors()]
        ) from None
    changed = {
        name: value
        for name, value in checked.model_dump(mode="json").items()
        if getattr(row, name) != value
    }
    for name, value in changed.items():
        setattr(row, name, value)
    await tx.flush()
    await tx.refresh(row)
    if changed.keys() & CHECKLIST_SETTINGS:
        await announce_states(tx)
    return DocumentTypeOut.model_validate(row)


@router.delete(
    "/{type_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404),
    summary="Stop asking for it, and delete the documents clients gave for it",
)
async def delete_document_type(type_id: uuid.UUID, tx: Tx, _: CurrentAdmin) -> None:
    row = await _type(tx, type_id)
    documents = (
        await tx.scalars(select(ClientDocument).where(ClientDocument.document_type_id == type_id))
    ).all()
    keys = [document.file_key for document in documents]
    for document in documents:
        await tx.delete(document)
    await tx.delete(row)
    await delete_files_after_commit(tx, keys=keys)
    await tx.flush()
    await announce_states(tx)

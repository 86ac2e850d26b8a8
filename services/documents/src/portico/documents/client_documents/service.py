"""A client's documents: storing an upload (checked by content, size and format, with its
data), the review, and the client's checklist. The endpoints for staff, API keys and
clients all go through here, each saying who acts."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import select

from portico.contracts.events.common import Person
from portico.contracts.events.documents import (
    ClientDocumentReviewed,
    ClientDocumentsComplete,
    ClientDocumentUploaded,
)
from portico.documents.checklist import (
    Given,
    Requested,
    Status,
    UploadMode,
    applies,
    checklist,
    outstanding,
    state_of,
)
from portico.documents.client_documents.schemas import ChecklistItem, ChecklistOut, DocumentOut
from portico.documents.data import check_data, expiry_of
from portico.documents.document_types.schemas import DocumentTypeOut
from portico.documents.models import ClientDocument, ClientReplica, DocumentType
from portico.documents.section import section_settings
from portico.documents.states import announce_states, is_complete
from portico.documents.storage import document_key
from portico.kit.db import utcnow
from portico.kit.problems import (
    FieldError,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationProblem,
)
from portico.kit.settings import PorticoSettings
from portico.kit.store import BlobStore
from portico.kit.store.removal import delete_files_after_commit
from portico.kit.transaction import Transaction
from portico.pdf import DocumentRefused
from portico.pdf.sniff import sniff

# What each format is stored and served as.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "heic": "image/heic",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
}
# The web UI's pages the messages link to.
STAFF_PAGE = "/clients/{client_id}/documents"
CLIENT_PAGE = "/portal/my-documents"


@dataclass(frozen=True)
class Uploader:
    kind: Literal["contact", "staff", "api_key"]
    id: uuid.UUID | None
    name: str


@dataclass(frozen=True)
class Upload:
    file_name: str
    content: bytes


async def client_of(tx: Transaction, client_id: uuid.UUID) -> ClientReplica:
    client = await tx.get(ClientReplica, client_id)
    if client is None or client.deleted:
        raise NotFound("No such client.")
    return client


async def type_of(tx: Transaction, type_id: uuid.UUID) -> DocumentType:
    found = await tx.get(DocumentType, type_id)
    if found is None:
        raise ValidationProblem.for_field(
            "document_type_id", "No such document type.", code="unknown_type"
        )
    return found


async def document_of(
    tx: Transaction, client_id: uuid.UUID, document_id: uuid.UUID
) -> ClientDocument:
    found = await tx.get(ClientDocument, document_id)
    if found is None or found.client_id != client_id:
        raise NotFound("No such document.")
    return found


def _requested(row: DocumentType) -> Requested:
    return Requested(row.id, UploadMode(row.upload_mode), row.client_tag)


def _given(row: ClientDocument) -> Given:
    return Given(row.document_type_id, Status(row.status), row.expires_on)


def document_out(row: ClientDocument, today: date | None = None) -> DocumentOut:
    return DocumentOut(
        id=row.id,
        client_id=row.client_id,
        document_type_id=row.document_type_id,
        status=Status(row.status),
        state=state_of(_given(row), today or utcnow().date()),
        file_name=row.file_name,
        content_type=row.content_type,
        size_bytes=row.size_bytes,
        data=row.data,
        expires_on=row.expires_on,
        uploaded_by_kind=row.uploaded_by_kind,
        uploaded_by_name=row.uploaded_by_name,
        uploaded_at=row.uploaded_at,
        reviewed_at=row.reviewed_at,
        reason=row.reason,
    )


async def client_checklist(tx: Transaction, client: ClientReplica) -> ChecklistOut:
    """Every type that applies to the client, in the organisation's order, with its state."""
    types = (
        await tx.scalars(select(DocumentType).order_by(DocumentType.position, DocumentType.name_en))
    ).all()
    documents = (
        await tx.scalars(select(ClientDocument).where(ClientDocument.client_id == client.client_id))
    ).all()
    today = utcnow().date()
    states = checklist(
        [_requested(row) for row in types], client.tags, [_given(d) for d in documents], today
    )
    by_type = {document.document_type_id: document for document in documents}
    items = [
        ChecklistItem(
            document_type=DocumentTypeOut.model_validate(row),
            state=states[row.id],
            document=document_out(by_type[row.id], today) if row.id in by_type else None,
        )
        for row in types
        if row.id in states
    ]
    missing = outstanding([_requested(row) for row in types], states)
    return ChecklistOut(
        client_id=client.client_id,
        complete=not missing,
        outstanding=[uuid.UUID(str(type_id)) for type_id in missing],
        items=items,
    )


def _checked_file(kind: DocumentType, upload: Upload) -> str:
    """The file's format, read from its content, when the type takes it."""
    limit = kind.max_size_mib * 1024 * 1024
    if len(upload.content) > limit:
        raise PayloadTooLarge(
            f"file: at most {kind.max_size_mib} MiB for this document type",
            errors=[
                FieldError(
                    field="file",
                    location="body",
                    message=f"At most {kind.max_size_mib} MiB for this document type.",
                    code="file_too_large",
                )
            ],
        )
    try:
        found = sniff(upload.content)
    except DocumentRefused:
        found = None
    if found not in kind.formats:
        allowed = ", ".join(format_.upper() for format_ in kind.formats)
        raise UnsupportedMediaType(
            f"file: this document type takes {allowed}",
            errors=[
                FieldError(
                    field="file",
                    location="body",
                    message=f"This document type takes {allowed} files, read from their content.",
                    code="file_type",
                )
            ],
        )
    return str(found)


def _checked_data(kind: DocumentType, given: dict[str, object]) -> dict[str, object]:
    kept, errors = check_data(kind.fields, given)
    if errors:
        raise ValidationProblem(
            "data: " + "; ".join(f"{key}: {message}" for key, message in errors.items()),
            errors=[
                FieldError(field=f"data.{key}", location="body", message=message, code="invalid")
                for key, message in errors.items()
            ],
        )
    return kept


async def store_upload(
    tx: Transaction,
    store: BlobStore,
    links: PorticoSettings,
    *,
    client: ClientReplica,
    kind: DocumentType,
    upload: Upload,
    data: dict[str, object],
    uploader: Uploader,
) -> ClientDocument:
    """Keep ``upload`` as the client's document of ``kind`` (replacing the one before),
    once its size, format and data are right; nothing is stored otherwise."""
    if not applies(kind.client_tag, client.tags):
        raise ValidationProblem.for_field(
            "document_type_id", "This document is not asked of this client.", code="not_asked"
        )
    if kind.upload_mode == UploadMode.ADMIN_ONLY and uploader.kind == "contact":
        raise ValidationProblem.for_field(
            "document_type_id", "Only staff upload this document.", code="admin_only"
        )
    format_ = _checked_file(kind, upload)
    kept = _checked_data(kind, data)
    sha256 = hashlib.sha256(upload.content).hexdigest()
    # One change of a client's documents at a time: two uploads of the same type at once
    # would both find no document and both add one.
    await tx.locked(ClientReplica, client.client_id)
    review = (await section_settings(tx)).review
    previous = (
        await tx.scalars(
            select(ClientDocument).where(
                ClientDocument.client_id == client.client_id,
                ClientDocument.document_type_id == kind.id,
            )
        )
    ).one_or_none()
    complete_before = await is_complete(tx, client.client_id)
    document_id = previous.id if previous is not None else uuid.uuid4()
    key = document_key(client.client_id, document_id, sha256)
    # Staff vouch for what they upload themselves; a client's upload waits for review.
    accepted = not review or uploader.kind != "contact"
    row = previous or ClientDocument(id=document_id, client_id=client.client_id)
    if previous is not None and previous.file_key != key:
        await delete_files_after_commit(tx, keys=[previous.file_key])
    row.document_type_id = kind.id
    row.status = Status.ACCEPTED if accepted else Status.UPLOADED
    row.file_key = key
    row.file_name = upload.file_name
    row.content_type = CONTENT_TYPES[format_]
    row.size_bytes = len(upload.content)
    row.sha256 = sha256
    row.data = kept
    row.expires_on = expiry_of(kind.fields, kept) if kind.expires else None
    row.uploaded_by_kind = uploader.kind
    row.uploaded_by_id = uploader.id
    row.uploaded_by_name = uploader.name
    row.uploaded_at = utcnow()
    row.reviewed_by = None
    row.reviewed_at = row.uploaded_at if accepted else None
    row.reason = None
    row.reminded_for = None
    row.expiry_announced_for = None
    if previous is None:
        tx.add(row)
    # The file first: a row never names a file that is not there. Its key is new for new
    # content, so a failed request leaves the previous document whole.
    await store.put(key, upload.content, content_type=row.content_type)
    await tx.flush()
    tx.emit(
        ClientDocumentUploaded(
            document_id=row.id,
            client_id=client.client_id,
            client_name=client.name,
            document_type_id=kind.id,
            document_type_name=kind.name_en,
            assigned_staff_id=client.assigned_staff_id,
            uploaded_by_kind="contact" if uploader.kind == "contact" else "staff",
            uploaded_by_id=uploader.id or uuid.UUID(int=0),
            uploaded_by_name=uploader.name,
            file_name=row.file_name,
            size_bytes=row.size_bytes,
            uploaded_at=row.uploaded_at,
            document_url=links.link(STAFF_PAGE.format(client_id=client.client_id)),
        )
    )
    await _announce(tx, client, complete_before)
    return row


async def change_data(
    tx: Transaction, document: ClientDocument, data: dict[str, object]
) -> ClientDocument:
    """New data for the document: checked as an upload's is; its expiry date follows (and
    a new date may be reminded of again)."""
    kind = await type_of(tx, document.document_type_id)
    kept = _checked_data(kind, data)
    document.data = kept
    expires_on = expiry_of(kind.fields, kept) if kind.expires else None
    if expires_on != document.expires_on:
        document.expires_on = expires_on
        document.reminded_for = None
        document.expiry_announced_for = None
    await tx.flush()
    await announce_states(tx, [document.client_id])
    return document


async def review(
    tx: Transaction,
    links: PorticoSettings,
    *,
    client: ClientReplica,
    document: ClientDocument,
    decision: Literal["accepted", "rejected"],
    reason: str | None,
    reviewer_id: uuid.UUID,
) -> ClientDocument:
    if decision == "rejected" and not reason:
        raise ValidationProblem.for_field(
            "reason", "Say why, for the client to give a better one.", code="required"
        )
    kind = await type_of(tx, document.document_type_id)
    await tx.locked(ClientReplica, client.client_id)
    complete_before = await is_complete(tx, client.client_id)
    document.status = Status(decision)
    document.reason = reason if decision == "rejected" else None
    document.reviewed_by = reviewer_id
    document.reviewed_at = utcnow()
    await tx.flush()
    tx.emit(
        ClientDocumentReviewed(
            document_id=document.id,
            client_id=client.client_id,
            client_name=client.name,
            document_type_id=kind.id,
            document_type_name=kind.name_en,
            assigned_staff_id=client.assigned_staff_id,
            decision=decision,
            reason=document.reason,
            reviewer_id=reviewer_id,
            reviewed_at=document.reviewed_at,
            contact=uploading_contact(client, document),
            upload_url=links.link(CLIENT_PAGE),
        )
    )
    await _announce(tx, client, complete_before)
    return document


def uploading_contact(client: ClientReplica, document: ClientDocument) -> Person | None:
    """The contact who uploaded it, else the client's first contact: whom to tell."""
    contacts = client.contacts
    chosen = next(
        (
            c
            for c in contacts
            if document.uploaded_by_kind == "contact"
            and c.get("id") == str(document.uploaded_by_id)
        ),
        contacts[0] if contacts else None,
    )
    if chosen is None:
        return None
    return Person(
        id=uuid.UUID(str(chosen["id"])),
        name=f"{chosen.get('first_name', '')} {chosen.get('last_name', '')}".strip(),
        email=chosen.get("email"),
        locale="fr" if chosen.get("locale") == "fr" else "en",
    )


async def _announce(tx: Transaction, client: ClientReplica, complete_before: bool) -> None:
    """The client's states announced after a change of their documents, and
    ClientDocumentsComplete when this change gave them their last required document (not
    again while they stay complete)."""
    announced = await announce_states(tx, [client.client_id])
    if not complete_before and announced.get(client.client_id, False):
        tx.emit(
            ClientDocumentsComplete(
                client_id=client.client_id,
                client_name=client.name,
                assigned_staff_id=client.assigned_staff_id,
                completed_at=utcnow(),
            )
        )

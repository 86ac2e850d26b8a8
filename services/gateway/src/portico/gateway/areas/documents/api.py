"""The documents service's API: the document types staff ask clients for, the client
portal's section settings, each client's documents (staff) and the contact's own
(client portal)."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends
from pydantic import BaseModel

from portico.gateway.apis.base import ServiceClient
from portico.gateway.web.context import service_api

# The states of a client's document of a type, as the service names them.
STATES = ("missing", "in_review", "accepted", "rejected", "expired")
UPLOAD_MODES = ("optional", "required", "admin_only")
FORMATS = ("pdf", "jpeg", "png", "webp", "heic", "docx", "odt")
FIELD_KINDS = ("text", "date", "number", "select")


class DataField(BaseModel):
    key: str
    label_en: str
    label_fr: str
    kind: str = "text"
    options: list[str] = []
    required: bool = False
    is_expiry: bool = False

    def label(self, locale: str | None) -> str:
        return self.label_fr if locale == "fr" else self.label_en


class DocumentType(BaseModel):
    id: uuid.UUID
    name_en: str
    name_fr: str
    description_en: str
    description_fr: str
    # optional, required or admin_only (the client sees it; only staff upload it).
    upload_mode: str
    formats: list[str]
    max_size_mib: int
    expires: bool
    fields: list[DataField]
    client_tag: str | None
    position: int
    created_at: datetime
    updated_at: datetime

    def name(self, locale: str | None) -> str:
        return self.name_fr if locale == "fr" else self.name_en

    def description(self, locale: str | None) -> str:
        return self.description_fr if locale == "fr" else self.description_en


class Section(BaseModel):
    """The client portal's "My documents" section, as administrators set it."""

    shown: bool
    # Sanitised HTML, shown above the list.
    introduction: str
    # A client lacking a required document reaches only the documents page.
    required_for_access: bool
    # Uploads wait for staff to accept them.
    review: bool
    # Days before an expiry the client is reminded.
    reminder_days: int
    updated_at: datetime | None = None


class Document(BaseModel):
    id: uuid.UUID
    client_id: uuid.UUID
    document_type_id: uuid.UUID
    # uploaded (waiting for review), accepted or rejected.
    status: str
    # One of STATES: expired once past its date.
    state: str
    file_name: str
    content_type: str
    size_bytes: int
    data: dict[str, Any]
    expires_on: date | None
    # contact, staff or api_key.
    uploaded_by_kind: str
    uploaded_by_name: str
    uploaded_at: datetime
    reviewed_at: datetime | None
    # Why it was rejected, shown to the client.
    reason: str | None


class ChecklistItem(BaseModel):
    document_type: DocumentType
    state: str
    document: Document | None


class Checklist(BaseModel):
    client_id: uuid.UUID
    # Every required document is accepted.
    complete: bool
    # The required types not accepted yet.
    outstanding: list[uuid.UUID]
    items: list[ChecklistItem]


class MyDocuments(Checklist):
    """What the client portal's "My documents" shows the contact logged in."""

    shown: bool
    introduction: str
    # The rest of the portal waits until the required documents are given.
    access_blocked: bool


class Upload(BaseModel):
    """A file to keep as a client's document of a type, with the type's data."""

    document_type_id: uuid.UUID
    file_name: str
    content: bytes
    content_type: str = "application/octet-stream"
    data: dict[str, Any] = {}

    def multipart(self) -> dict[str, Any]:
        return {
            "document_type_id": (None, str(self.document_type_id)),
            "data": (None, json.dumps(self.data)),
            "file": (self.file_name, self.content, self.content_type),
        }


class DocumentsApi(ServiceClient):
    service = "documents"

    # Document types (staff read them; administrators change them).

    async def document_types(self) -> list[DocumentType]:
        return [DocumentType.model_validate(item) for item in await self.get("/v1/document-types")]

    async def document_type(self, type_id: uuid.UUID) -> DocumentType:
        return DocumentType.model_validate(await self.get(f"/v1/document-types/{type_id}"))

    async def create_document_type(self, body: dict[str, Any]) -> DocumentType:
        return DocumentType.model_validate(await self.post("/v1/document-types", json=body))

    async def update_document_type(self, type_id: uuid.UUID, body: dict[str, Any]) -> DocumentType:
        return DocumentType.model_validate(
            await self.patch(f"/v1/document-types/{type_id}", json=body)
        )

    async def delete_document_type(self, type_id: uuid.UUID) -> None:
        await self.delete(f"/v1/document-types/{type_id}")

    # The client portal's section (everyone reads it; administrators set it).

    async def section(self) -> Section:
        return Section.model_validate(await self.get("/v1/section"))

    async def set_section(self, body: dict[str, Any]) -> Section:
        return Section.model_validate(await self.put("/v1/section", json=body))

    # A client's documents, for staff.

    async def client_documents(self, client_id: uuid.UUID) -> Checklist:
        return Checklist.model_validate(await self.get(f"/v1/clients/{client_id}/documents"))

    async def add_document(self, client_id: uuid.UUID, upload: Upload) -> Document:
        return Document.model_validate(
            await self.post(f"/v1/clients/{client_id}/documents", files=upload.multipart())
        )

    async def change_data(
        self, client_id: uuid.UUID, document_id: uuid.UUID, data: dict[str, Any]
    ) -> Document:
        path = f"/v1/clients/{client_id}/documents/{document_id}"
        return Document.model_validate(await self.patch(path, json={"data": data}))

    async def review(
        self, client_id: uuid.UUID, document_id: uuid.UUID, decision: str, reason: str | None
    ) -> Document:
        body = {"decision": decision, "reason": reason}
        return Document.model_validate(
            await self.post(f"/v1/clients/{client_id}/documents/{document_id}/review", json=body)
        )

    async def delete_document(self, client_id: uuid.UUID, document_id: uuid.UUID) -> None:
        await self.delete(f"/v1/clients/{client_id}/documents/{document_id}")

    async def document_file(self, client_id: uuid.UUID, document_id: uuid.UUID) -> FileContent:
        path = f"/v1/clients/{client_id}/documents/{document_id}/file"
        return FileContent.of(await self.call("GET", path))

    async def document_preview(self, client_id: uuid.UUID, document_id: uuid.UUID) -> bytes:
        path = f"/v1/clients/{client_id}/documents/{document_id}/preview"
        return (await self.call("GET", path)).content

    # The client portal: the documents asked of the contact's client.

    async def my_documents(self) -> MyDocuments:
        return MyDocuments.model_validate(await self.get("/v1/my-documents"))

    async def upload_my_document(self, upload: Upload) -> Document:
        files = upload.multipart()
        return Document.model_validate(await self.post("/v1/my-documents", files=files))

    async def my_document_file(self, document_id: uuid.UUID) -> FileContent:
        return FileContent.of(await self.call("GET", f"/v1/my-documents/{document_id}/file"))

    async def my_document_preview(self, document_id: uuid.UUID) -> bytes:
        return (await self.call("GET", f"/v1/my-documents/{document_id}/preview")).content


class FileContent(BaseModel):
    """A document's file as the service sends it, with its type and disposition."""

    content: bytes
    content_type: str
    disposition: str

    @classmethod
    def of(cls, response: Any) -> FileContent:
        return cls(
            content=response.content,
            content_type=response.headers.get("content-type", "application/octet-stream"),
            disposition=response.headers.get("content-disposition", "attachment"),
        )


Documents = Annotated[DocumentsApi, Depends(service_api(DocumentsApi))]

"""Events emitted by the documents service (documents requested from clients)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from portico.contracts.envelope import Event
from portico.contracts.events.common import Link, Person, examples

__all__ = [
    "ClientDocumentExpiring",
    "ClientDocumentReviewed",
    "ClientDocumentUploaded",
    "ClientDocumentsComplete",
]

_DOCUMENT = {
    "document_id": "6f7a8b9c-0d1e-4f2a-8b3c-4d5e6f7a8b9c",
    "client_id": "3f2b7c1e-8a4d-4e59-9c1a-2b6d7e8f9a01",
    "client_name": "Atelier Lumière",
    "document_type_id": "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
    "document_type_name": "Attestation URSSAF",
    "assigned_staff_id": "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
}


class ClientDocumentUploaded(Event):
    """A client (or staff on its behalf) uploaded a requested document."""

    event_type = "portico.documents.client_document_uploaded.v1"
    subject_field = "document_id"
    model_config = examples(
        {
            **_DOCUMENT,
            "uploaded_by_kind": "contact",
            "uploaded_by_id": "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
            "uploaded_by_name": "Camille Durand",
            "file_name": "urssaf-2026.pdf",
            "size_bytes": 184233,
            "uploaded_at": "2026-11-25T10:00:00Z",
        }
    )

    document_id: UUID
    client_id: UUID
    client_name: str | None = None
    document_type_id: UUID
    document_type_name: str
    assigned_staff_id: UUID | None = None
    uploaded_by_kind: Literal["contact", "staff"]
    uploaded_by_id: UUID
    uploaded_by_name: str
    file_name: str
    size_bytes: int = Field(ge=0)
    uploaded_at: datetime
    document_url: Link | None = Field(default=None, description="The staff page of the document")


class ClientDocumentReviewed(Event):
    """Staff accepted or rejected an uploaded document."""

    event_type = "portico.documents.client_document_reviewed.v1"
    subject_field = "document_id"
    model_config = examples(
        {
            **_DOCUMENT,
            "decision": "rejected",
            "reason": "Document illisible",
            "reviewer_id": "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
            "reviewed_at": "2026-11-25T12:00:00Z",
        }
    )

    document_id: UUID
    client_id: UUID
    client_name: str | None = None
    document_type_id: UUID
    document_type_name: str
    assigned_staff_id: UUID | None = None
    decision: Literal["accepted", "rejected"]
    reason: str | None = Field(default=None, max_length=2000)
    reviewer_id: UUID
    reviewed_at: datetime


class ClientDocumentsComplete(Event):
    """Every required document of a client is uploaded and valid."""

    event_type = "portico.documents.client_documents_complete.v1"
    subject_field = "client_id"
    model_config = examples(
        {
            "client_id": "3f2b7c1e-8a4d-4e59-9c1a-2b6d7e8f9a01",
            "client_name": "Atelier Lumière",
            "assigned_staff_id": "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
            "completed_at": "2026-11-25T12:00:00Z",
        }
    )

    client_id: UUID
    client_name: str | None = None
    assigned_staff_id: UUID | None = None
    completed_at: datetime


class ClientDocumentExpiring(Event):
    """A client's document expires soon: the client and its staff are told."""

    event_type = "portico.documents.client_document_expiring.v1"
    subject_field = "document_id"
    model_config = examples(
        {
            **_DOCUMENT,
            "expires_on": "2026-12-31",
            "contact": {
                "id": "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
                "name": "Camille Durand",
                "email": "camille@atelier-lumiere.example",
                "locale": "fr",
            },
            "upload_url": "http://127.0.0.1:8000/portal/documents",
        }
    )

    document_id: UUID
    client_id: UUID
    client_name: str | None = None
    document_type_id: UUID
    document_type_name: str
    assigned_staff_id: UUID | None = None
    expires_on: date
    contact: Person | None = None
    upload_url: Link

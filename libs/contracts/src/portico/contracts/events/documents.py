"""Events emitted by the documents service (documents requested from clients)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal
from uuid import UUID

from pydantic import Field

from portico.contracts.envelope import Event
from portico.contracts.events.common import Link, Person, Timestamp, examples

__all__ = [
    "ClientDocumentExpiring",
    "ClientDocumentReviewed",
    "ClientDocumentStates",
    "ClientDocumentUploaded",
    "ClientDocumentsComplete",
]

_STAFF_ID = "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"
_CONTACT: dict[str, Any] = {
    "id": "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
    "name": "Camille Durand",
    "email": "camille@atelier-lumiere.example",
    "locale": "fr",
}
_DOCUMENT: dict[str, Any] = {
    "document_id": "6f7a8b9c-0d1e-4f2a-8b3c-4d5e6f7a8b9c",
    "client_id": "3f2b7c1e-8a4d-4e59-9c1a-2b6d7e8f9a01",
    "client_name": "Atelier Lumière",
    "document_type_id": "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
    "document_type_name": "Attestation URSSAF",
    "assigned_staff_id": _STAFF_ID,
}
_UPLOAD_URL = "http://127.0.0.1:8000/portal/my-documents"


class _ClientDocument(Event):
    """What every event about one uploaded document names."""

    subject_field = "document_id"

    document_id: UUID
    client_id: UUID
    client_name: str | None = None
    document_type_id: UUID
    document_type_name: str = Field(description="What was asked for, e.g. proof of address")
    assigned_staff_id: UUID | None = Field(
        default=None, description="The staff user in charge of the client"
    )


class ClientDocumentUploaded(_ClientDocument):
    """Emitted when a client's contact (or staff on its behalf) uploads a requested document.

    Consumed by the notifier, which tells the staff user in charge so they review it.
    """

    event_type = "portico.documents.client_document_uploaded.v1"
    model_config = examples(
        {
            **_DOCUMENT,
            "uploaded_by_kind": "contact",
            "uploaded_by_id": "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
            "uploaded_by_name": "Camille Durand",
            "file_name": "urssaf-2026.pdf",
            "size_bytes": 184233,
            "uploaded_at": "2026-11-25T10:00:00Z",
            "document_url": "http://127.0.0.1:8000/documents/6f7a8b9c",
        }
    )

    uploaded_by_kind: Literal["contact", "staff"]
    uploaded_by_id: UUID = Field(description="The contact's or the staff user's id")
    uploaded_by_name: str
    file_name: str = Field(description="The name of the file as uploaded")
    size_bytes: int = Field(ge=0)
    uploaded_at: Timestamp
    document_url: Link | None = Field(default=None, description="The staff page of the document")


class ClientDocumentReviewed(_ClientDocument):
    """Emitted when staff accept or reject an uploaded document.

    Consumed by the notifier, which tells the contact (and, on a rejection, where to upload
    a new one).
    """

    event_type = "portico.documents.client_document_reviewed.v1"
    model_config = examples(
        {
            **_DOCUMENT,
            "decision": "rejected",
            "reason": "Document illisible",
            "reviewer_id": _STAFF_ID,
            "reviewed_at": "2026-11-25T12:00:00Z",
            "contact": _CONTACT,
            "upload_url": _UPLOAD_URL,
        }
    )

    decision: Literal["accepted", "rejected"]
    reason: str | None = Field(
        default=None, max_length=2000, description="Why, shown to the client on a rejection"
    )
    reviewer_id: UUID = Field(description="The staff user who reviewed it")
    reviewed_at: Timestamp
    contact: Person | None = Field(
        default=None, description="The contact to tell: the one who uploaded it, if a contact did"
    )
    upload_url: Link | None = Field(
        default=None, description="Where the client uploads a new one (client portal)"
    )


class ClientDocumentsComplete(Event):
    """Emitted when every required document of a client is uploaded and accepted.

    Consumed by the notifier, which tells the staff user in charge.
    """

    event_type = "portico.documents.client_documents_complete.v1"
    subject_field = "client_id"
    model_config = examples(
        {
            "client_id": "3f2b7c1e-8a4d-4e59-9c1a-2b6d7e8f9a01",
            "client_name": "Atelier Lumière",
            "assigned_staff_id": _STAFF_ID,
            "completed_at": "2026-11-25T12:00:00Z",
        }
    )

    client_id: UUID
    client_name: str | None = None
    assigned_staff_id: UUID | None = Field(
        default=None, description="The staff user in charge of the client"
    )
    completed_at: Timestamp


class ClientDocumentExpiring(_ClientDocument):
    """Emitted some days before a client's document expires.

    Consumed by the notifier, which asks the contact for a new one and tells the staff user
    in charge.
    """

    event_type = "portico.documents.client_document_expiring.v1"
    model_config = examples(
        {
            **_DOCUMENT,
            "expires_on": "2026-12-31",
            "contact": _CONTACT,
            "upload_url": _UPLOAD_URL,
        }
    )

    expires_on: date = Field(description="The last day the document is valid")
    contact: Person | None = Field(
        default=None, description="The contact to ask, when the client has one"
    )
    upload_url: Link = Field(description="Where the client uploads a new one (client portal)")


DocumentState = Literal["missing", "in_review", "accepted", "rejected", "expired"]


class ClientDocumentStates(Event):
    """Emitted whenever where a client stands for their documents may have changed: an
    upload, a review, new data, a deletion, a document expiring, a document type added,
    changed or removed, the client created or their tags changed. It carries the whole
    picture, so the last one received is the truth; ``as_of`` orders them.

    Consumed by the portal, which keeps it for the client list's "documents complete"
    column and its filters by a type's state, without asking the documents service per row.
    """

    event_type = "portico.documents.client_document_states.v1"
    subject_field = "client_id"
    model_config = examples(
        {
            "client_id": "3f2b7c1e-8a4d-4e59-9c1a-2b6d7e8f9a01",
            "complete": False,
            "states": {
                "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d": "accepted",
                "8b9c0d1e-2f3a-4b4c-9d5e-6f7a8b9c0d1e": "missing",
            },
            "as_of": "2026-11-25T12:00:00Z",
        }
    )

    client_id: UUID
    complete: bool = Field(description="Every required document that applies is accepted")
    states: dict[UUID, DocumentState] = Field(
        description="The state of every document type that applies to the client, by type id"
    )
    as_of: Timestamp = Field(description="When this picture was taken: an older one is stale")

"""Messages about the documents service's events: uploads to review, complete files,
documents about to expire, and review decisions."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from portico.contracts import Event
from portico.contracts.events.documents import (
    ClientDocumentExpiring,
    ClientDocumentReviewed,
    ClientDocumentsComplete,
    ClientDocumentUploaded,
)
from portico.notifier.messages.kinds import Channels, MessageKind
from portico.notifier.messages.planning import (
    Outgoing,
    Planner,
    person,
    staff_email,
    to_staff,
)

UPLOAD_URL = "http://127.0.0.1:8000/portal/my-documents"
STAFF_DEFAULTS = Channels(email=True, sms=False, in_app=True)

DOCUMENT_UPLOADED = MessageKind(
    key="document_uploaded",
    description="A client uploads a requested document",
    links=(),
    sample={
        "client_name": "Atelier Lumière",
        "document_type_name": "Attestation URSSAF",
        "uploaded_by_name": "Camille Durand",
        "file_name": "urssaf-2026.pdf",
        "uploaded_at": "2026-11-25T10:00:00+00:00",
        "document_url": "http://127.0.0.1:8000/documents/6f7a8b9c",
    },
    staff_defaults=STAFF_DEFAULTS,
)

DOCUMENTS_COMPLETE = MessageKind(
    key="documents_complete",
    description="Every document required from a client is uploaded and accepted",
    links=(),
    sample={"client_name": "Atelier Lumière", "completed_at": "2026-11-25T12:00:00+00:00"},
    staff_defaults=STAFF_DEFAULTS,
)

DOCUMENT_EXPIRING = MessageKind(
    key="document_expiring",
    description="A client's document expires soon: its contact is asked for a new one",
    links=("upload_url",),
    sample={
        "client_name": "Atelier Lumière",
        "document_type_name": "Attestation URSSAF",
        "expires_on": "2026-12-31",
        "upload_url": UPLOAD_URL,
    },
)

DOCUMENT_EXPIRING_STAFF = MessageKind(
    key="document_expiring_staff",
    description="A document of a client you are in charge of expires soon",
    links=(),
    sample={
        "client_name": "Atelier Lumière",
        "document_type_name": "Attestation URSSAF",
        "expires_on": "2026-12-31",
        "contact_name": "Camille Durand",
    },
    staff_defaults=STAFF_DEFAULTS,
)

DOCUMENT_REVIEWED = MessageKind(
    key="document_reviewed",
    description="A document a contact uploaded is accepted or rejected",
    links=("upload_url",),
    sample={
        "client_name": "Atelier Lumière",
        "document_type_name": "Attestation URSSAF",
        "decision": "rejected",
        "reason": "Document illisible",
        "upload_url": UPLOAD_URL,
    },
)

KINDS = (
    DOCUMENT_UPLOADED,
    DOCUMENTS_COMPLETE,
    DOCUMENT_EXPIRING,
    DOCUMENT_EXPIRING_STAFF,
    DOCUMENT_REVIEWED,
)


async def document_uploaded(event: ClientDocumentUploaded, session: AsyncSession) -> list[Outgoing]:
    # Staff who upload on a client's behalf already know the document is there.
    if event.uploaded_by_kind == "staff" and event.uploaded_by_id == event.assigned_staff_id:
        return []
    context = {
        "client_name": event.client_name,
        "document_type_name": event.document_type_name,
        "uploaded_by_name": event.uploaded_by_name,
        "file_name": event.file_name,
        "uploaded_at": event.uploaded_at.isoformat(),
        "document_url": event.document_url,
    }
    return await to_staff(
        session, DOCUMENT_UPLOADED, event.assigned_staff_id, context, event.document_url
    )


async def documents_complete(
    event: ClientDocumentsComplete, session: AsyncSession
) -> list[Outgoing]:
    context = {"client_name": event.client_name, "completed_at": event.completed_at.isoformat()}
    return await to_staff(session, DOCUMENTS_COMPLETE, event.assigned_staff_id, context, None)


async def document_expiring(event: ClientDocumentExpiring, session: AsyncSession) -> list[Outgoing]:
    contact = event.contact if event.contact is not None and event.contact.email else None
    planned: list[Outgoing] = []
    if contact is not None:
        context = {
            "client_name": event.client_name,
            "document_type_name": event.document_type_name,
            "expires_on": event.expires_on.isoformat(),
            "upload_url": event.upload_url,
        }
        # The contact's questions about the new document go to the staff user in charge.
        reply_to = await staff_email(session, event.assigned_staff_id)
        planned.append(
            Outgoing(DOCUMENT_EXPIRING.key, person(contact), "email", context, reply_to=reply_to)
        )
    staff_context = {
        "client_name": event.client_name,
        "document_type_name": event.document_type_name,
        "expires_on": event.expires_on.isoformat(),
        # Tells staff whether someone was asked, or whether they must ask themselves.
        "contact_name": contact.name if contact is not None else None,
    }
    planned += await to_staff(
        session, DOCUMENT_EXPIRING_STAFF, event.assigned_staff_id, staff_context, None
    )
    return planned


async def document_reviewed(event: ClientDocumentReviewed, session: AsyncSession) -> list[Outgoing]:
    if event.contact is None or not event.contact.email:
        return []
    context = {
        "client_name": event.client_name,
        "document_type_name": event.document_type_name,
        "decision": event.decision,
        "reason": event.reason,
        "upload_url": event.upload_url,
    }
    reply_to = await staff_email(session, event.reviewer_id)
    return [
        Outgoing(DOCUMENT_REVIEWED.key, person(event.contact), "email", context, reply_to=reply_to)
    ]


PLANNERS: dict[type[Event], Planner] = {
    ClientDocumentUploaded: document_uploaded,
    ClientDocumentsComplete: documents_complete,
    ClientDocumentExpiring: document_expiring,
    ClientDocumentReviewed: document_reviewed,
}

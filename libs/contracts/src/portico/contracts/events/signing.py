"""Events emitted by the signing service (smart documents)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from portico.contracts.envelope import Event
from portico.contracts.events.common import (
    BlobKey,
    Channel,
    Link,
    Person,
    SecretLink,
    Sha256,
    ValueObject,
    examples,
)

__all__ = [
    "DocumentCompleted",
    "MappedField",
    "SignedCopy",
    "SubmissionDeclined",
    "SubmissionExpired",
    "SubmissionExpiring",
    "SubmissionReminded",
    "SubmissionSent",
    "SubmissionViewed",
]

_SUBMITTER = {
    "id": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
    "name": "Camille Durand",
    "email": "camille@atelier-lumiere.example",
    "phone": "+33612345678",
    "locale": "fr",
}
_BASE = {
    "submission_id": "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
    "template_id": "3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f",
    "document_name": "Mandat de prélèvement",
    "client_id": "3f2b7c1e-8a4d-4e59-9c1a-2b6d7e8f9a01",
}


class SubmissionSent(Event):
    """A document was sent to a submitter to fill and sign."""

    event_type = "portico.signing.submission_sent.v1"
    subject_field = "submission_id"
    model_config = examples(
        {
            **_BASE,
            "submitter": _SUBMITTER,
            "channel": "email",
            "signing_url": "http://127.0.0.1:8000/sign/…",
            "expires_at": "2026-12-24T00:00:00Z",
            "sent_by": "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
            "message": "Merci de signer avant vendredi.",
        }
    )

    submission_id: UUID
    template_id: UUID
    document_name: str
    client_id: UUID | None = None
    submitter: Person
    channel: Channel = "email"
    signing_url: SecretLink
    expires_at: datetime | None = None
    sent_by: UUID | None = None
    message: str | None = Field(default=None, max_length=2000)


class SubmissionReminded(Event):
    """A reminder to sign was sent (by staff or on schedule)."""

    event_type = "portico.signing.submission_reminded.v1"
    subject_field = "submission_id"
    model_config = examples(
        {
            **_BASE,
            "submitter": _SUBMITTER,
            "channel": "sms",
            "signing_url": "http://127.0.0.1:8000/sign/…",
            "reminder_number": 1,
        }
    )

    submission_id: UUID
    template_id: UUID
    document_name: str
    client_id: UUID | None = None
    submitter: Person
    channel: Channel = "email"
    signing_url: SecretLink
    expires_at: datetime | None = None
    reminder_number: int = Field(ge=1)


class SubmissionViewed(Event):
    """A submitter opened the document."""

    event_type = "portico.signing.submission_viewed.v1"
    subject_field = "submission_id"
    model_config = examples(
        {
            **_BASE,
            "submitter": _SUBMITTER,
            "viewed_at": "2026-11-25T10:00:00Z",
            "ip": "203.0.113.7",
            "user_agent": "Mozilla/5.0",
        }
    )

    submission_id: UUID
    template_id: UUID
    document_name: str
    client_id: UUID | None = None
    submitter: Person
    viewed_at: datetime
    ip: str | None = None
    user_agent: str | None = None


class SignedCopy(Person):
    copy_url: SecretLink = Field(description="Where this signer downloads their signed copy")


class MappedField(ValueObject):
    """A filled value to write back into the client's profile."""

    target: str = Field(
        description=(
            "client.<field>, client.address.<part>, client.attributes.<name> or contact.<field>"
        ),
        examples=["client.address.city", "contact.phone", "client.attributes.vat_number"],
    )
    contact_id: UUID | None = Field(default=None, description="For contact.* targets")
    value: str


class DocumentCompleted(Event):
    """Every submitter signed: the sealed PDF and its certificate are stored."""

    event_type = "portico.signing.document_completed.v1"
    subject_field = "submission_id"
    model_config = examples(
        {
            **_BASE,
            "completed_at": "2026-11-25T10:30:00Z",
            "sent_by": "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
            "submitters": [{**_SUBMITTER, "copy_url": "http://127.0.0.1:8000/sign/…/copy"}],
            "completed_pdf_key": "submissions/2b3c4d5e/completed.pdf",
            "completed_pdf_sha256": "9f" * 32,
            "certificate_key": "submissions/2b3c4d5e/certificate.pdf",
            "mapped_fields": [{"target": "client.address.city", "value": "Lyon"}],
        }
    )

    submission_id: UUID
    template_id: UUID
    document_name: str
    client_id: UUID | None = None
    completed_at: datetime
    sent_by: UUID | None = None
    submitters: list[SignedCopy]
    completed_pdf_key: BlobKey
    completed_pdf_sha256: Sha256
    certificate_key: BlobKey
    mapped_fields: list[MappedField] = Field(default_factory=list)


class SubmissionDeclined(Event):
    """A submitter declined to sign, with a reason."""

    event_type = "portico.signing.submission_declined.v1"
    subject_field = "submission_id"
    model_config = examples(
        {
            **_BASE,
            "submitter": _SUBMITTER,
            "reason": "Le montant est erroné.",
            "declined_at": "2026-11-25T10:00:00Z",
            "sent_by": "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
            "submission_url": "http://127.0.0.1:8000/documents/2b3c4d5e",
        }
    )

    submission_id: UUID
    template_id: UUID
    document_name: str
    client_id: UUID | None = None
    submitter: Person
    reason: str = Field(max_length=2000)
    declined_at: datetime
    sent_by: UUID | None = None
    submission_url: Link | None = Field(
        default=None, description="The staff page of the submission"
    )


class SubmissionExpiring(Event):
    """A submission nobody completed expires soon: the submitter is warned."""

    event_type = "portico.signing.submission_expiring.v1"
    subject_field = "submission_id"
    model_config = examples(
        {
            **_BASE,
            "submitter": _SUBMITTER,
            "channel": "email",
            "signing_url": "http://127.0.0.1:8000/sign/…",
            "expires_at": "2026-12-24T00:00:00Z",
        }
    )

    submission_id: UUID
    template_id: UUID
    document_name: str
    client_id: UUID | None = None
    submitter: Person
    channel: Channel = "email"
    signing_url: SecretLink
    expires_at: datetime


class SubmissionExpired(Event):
    """A submission expired before it was completed; its links no longer work."""

    event_type = "portico.signing.submission_expired.v1"
    subject_field = "submission_id"
    model_config = examples(
        {
            **_BASE,
            "expired_at": "2026-12-24T00:00:00Z",
            "sent_by": "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
        }
    )

    submission_id: UUID
    template_id: UUID
    document_name: str
    client_id: UUID | None = None
    expired_at: datetime
    sent_by: UUID | None = None

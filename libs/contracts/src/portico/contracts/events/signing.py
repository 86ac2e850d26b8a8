"""Events emitted by the signing service (smart documents)."""

from __future__ import annotations

from typing import Any, Self
from uuid import UUID

from pydantic import Field, model_validator

from portico.contracts.envelope import Event
from portico.contracts.events.common import (
    BlobKey,
    Channel,
    Link,
    Person,
    SecretCode,
    SecretLink,
    Sha256,
    Timestamp,
    ValueObject,
    examples,
    require_reachable,
)

__all__ = [
    "DocumentCompleted",
    "MappedField",
    "SignedCopy",
    "SigningCodeSent",
    "SubmissionDeclined",
    "SubmissionExpired",
    "SubmissionExpiring",
    "SubmissionReminded",
    "SubmissionSent",
    "SubmissionViewed",
]

_STAFF_ID = "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"
_SUBMITTER: dict[str, Any] = {
    "id": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
    "name": "Camille Durand",
    "email": "camille@atelier-lumiere.example",
    "phone": "+33612345678",
    "locale": "fr",
}
_SUBMISSION: dict[str, Any] = {
    "submission_id": "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
    "template_id": "3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f",
    "document_name": "Mandat de prélèvement",
    "client_id": "3f2b7c1e-8a4d-4e59-9c1a-2b6d7e8f9a01",
}
_SIGNING_URL = "http://127.0.0.1:8000/sign/…"
_SUBMISSION_URL = "http://127.0.0.1:8000/documents/submissions/2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e"


class _Submission(Event):
    """What every submission event names: the document and whose it is."""

    subject_field = "submission_id"

    submission_id: UUID
    template_id: UUID
    document_name: str = Field(description="The template's name, as the signer sees it")
    client_id: UUID | None = Field(
        default=None, description="The client it was sent for, if it was sent for one"
    )


class _SigningRequest(_Submission):
    """A message asking a submitter to sign, carrying their personal link."""

    submitter: Person
    channel: Channel = Field(default="email", description="How the link is sent")
    signing_url: SecretLink

    @model_validator(mode="after")
    def _submitter_is_reachable(self) -> Self:
        require_reachable(self.submitter, self.channel, "submitter")
        return self


class SubmissionSent(_SigningRequest):
    """Emitted when staff (or an automation rule) send a document to a submitter to sign.

    Consumed by the notifier, which sends the submitter their signing link.
    """

    event_type = "portico.signing.submission_sent.v1"
    model_config = examples(
        {
            **_SUBMISSION,
            "submitter": _SUBMITTER,
            "channel": "email",
            "signing_url": _SIGNING_URL,
            "expires_at": "2026-12-24T00:00:00Z",
            "sent_by": _STAFF_ID,
            "message": "Merci de signer avant vendredi.",
        }
    )

    expires_at: Timestamp | None = Field(default=None, description="When the link stops working")
    sent_by: UUID | None = Field(
        default=None, description="The staff user who sent it; none when a rule did"
    )
    message: str | None = Field(
        default=None, max_length=2000, description="A personal note to the submitter"
    )


class SubmissionReminded(_SigningRequest):
    """Emitted when a reminder to sign is due (asked by staff, or on schedule).

    Consumed by the notifier, which sends the submitter their link again.
    """

    event_type = "portico.signing.submission_reminded.v1"
    model_config = examples(
        {
            **_SUBMISSION,
            "submitter": _SUBMITTER,
            "channel": "sms",
            "signing_url": _SIGNING_URL,
            "expires_at": "2026-12-24T00:00:00Z",
            "reminder_number": 1,
        }
    )

    expires_at: Timestamp | None = Field(default=None, description="When the link stops working")
    reminder_number: int = Field(ge=1, description="1 for the first reminder, then 2, ...")


class SubmissionExpiring(_SigningRequest):
    """Emitted shortly before an uncompleted submission expires, to warn its submitter.

    Consumed by the notifier, which sends the submitter a last call with their link.
    """

    event_type = "portico.signing.submission_expiring.v1"
    model_config = examples(
        {
            **_SUBMISSION,
            "submitter": _SUBMITTER,
            "channel": "email",
            "signing_url": _SIGNING_URL,
            "expires_at": "2026-12-24T00:00:00Z",
        }
    )

    expires_at: Timestamp


class SubmissionViewed(_Submission):
    """Emitted when a submitter opens the document (each opening is an audit event).

    Consumed by the notifier, which tells the sender in the staff inbox.
    """

    event_type = "portico.signing.submission_viewed.v1"
    model_config = examples(
        {
            **_SUBMISSION,
            "submitter": _SUBMITTER,
            "viewed_at": "2026-11-25T10:00:00Z",
            "ip": "203.0.113.7",
            "user_agent": "Mozilla/5.0 (X11; Linux x86_64)",
            "sent_by": _STAFF_ID,
        }
    )

    submitter: Person
    viewed_at: Timestamp
    ip: str | None = Field(default=None, description="The viewer's IP address")
    user_agent: str | None = Field(default=None, description="The viewer's browser")
    sent_by: UUID | None = Field(default=None, description="The staff user who sent it")


class SigningCodeSent(_Submission):
    """Emitted when a submitter asks for the one-time code that proves who they are before
    the document opens (the sender asked for an identity check by email or SMS).

    Consumed by the notifier, which sends the code on that channel.
    """

    event_type = "portico.signing.signing_code_sent.v1"
    model_config = examples(
        {
            **_SUBMISSION,
            "submitter": _SUBMITTER,
            "channel": "sms",
            "code": "482913",
            "expires_at": "2026-11-25T10:10:00Z",
            "valid_minutes": 10,
        }
    )

    submitter: Person
    channel: Channel = Field(description="Where the code goes: the check's email or phone")
    code: SecretCode
    expires_at: Timestamp = Field(description="When the code stops working")
    valid_minutes: int = Field(ge=1, le=1440, description="How long the code works, as told")

    @model_validator(mode="after")
    def _submitter_is_reachable(self) -> Self:
        require_reachable(self.submitter, self.channel, "submitter")
        return self


class SignedCopy(Person):
    """A submitter of a completed document, with the link to their signed copy."""

    copy_url: SecretLink = Field(description="Where this signer downloads their signed copy")


class MappedField(ValueObject):
    """A filled value to write back into the client's profile."""

    target: str = Field(
        pattern=r"^(client|client\.address|client\.attributes|contact)\.[^.\s]+$",
        description=(
            "client.<field>, client.address.<part>, client.attributes.<name> or contact.<field>"
        ),
        examples=["client.address.city", "contact.phone", "client.attributes.vat_number"],
    )
    contact_id: UUID | None = Field(default=None, description="Whose field, for contact.* targets")
    value: str

    @model_validator(mode="after")
    def _contact_target_names_the_contact(self) -> Self:
        if self.target.startswith("contact.") and self.contact_id is None:
            raise ValueError(f"{self.target} needs the contact_id of the contact it belongs to")
        return self


class DocumentCompleted(_Submission):
    """Emitted when every submitter has signed and the sealed PDF and certificate are stored.

    Consumed by the portal, which writes the mapped field values into the client's profile,
    and by the notifier, which sends each signer their copy and tells the sender.
    """

    event_type = "portico.signing.document_completed.v1"
    model_config = examples(
        {
            **_SUBMISSION,
            "completed_at": "2026-11-25T10:30:00Z",
            "sent_by": _STAFF_ID,
            "submitters": [{**_SUBMITTER, "copy_url": "http://127.0.0.1:8000/sign/…/copy"}],
            "completed_pdf_key": "submissions/2b3c4d5e/completed.pdf",
            "completed_pdf_sha256": "9f" * 32,
            "certificate_key": "submissions/2b3c4d5e/certificate.pdf",
            "mapped_fields": [
                {"target": "client.address.city", "value": "Lyon"},
                {
                    "target": "contact.phone",
                    "contact_id": "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
                    "value": "+33 6 12 34 56 78",
                },
            ],
            "submission_url": _SUBMISSION_URL,
        }
    )

    completed_at: Timestamp
    sent_by: UUID | None = Field(default=None, description="The staff user who sent it")
    submitters: list[SignedCopy]
    completed_pdf_key: BlobKey = Field(description="The sealed PDF in the blob store")
    completed_pdf_sha256: Sha256 = Field(description="SHA-256 of the sealed PDF")
    certificate_key: BlobKey = Field(description="The completion certificate in the blob store")
    mapped_fields: list[MappedField] = Field(
        default_factory=list, description="Values to write back into the client's profile"
    )
    submission_url: Link | None = Field(
        default=None, description="The staff page of the submission"
    )


class SubmissionDeclined(_Submission):
    """Emitted when a submitter declines to sign, giving a reason.

    Consumed by the notifier, which tells the sender.
    """

    event_type = "portico.signing.submission_declined.v1"
    model_config = examples(
        {
            **_SUBMISSION,
            "submitter": _SUBMITTER,
            "reason": "Le montant est erroné.",
            "declined_at": "2026-11-25T10:00:00Z",
            "sent_by": _STAFF_ID,
            "submission_url": _SUBMISSION_URL,
        }
    )

    submitter: Person
    reason: str = Field(max_length=2000, description="The submitter's words")
    declined_at: Timestamp
    sent_by: UUID | None = Field(default=None, description="The staff user who sent it")
    submission_url: Link | None = Field(
        default=None, description="The staff page of the submission"
    )


class SubmissionExpired(_Submission):
    """Emitted when a submission expires before it was completed; its links stop working.

    Consumed by the notifier, which tells the sender.
    """

    event_type = "portico.signing.submission_expired.v1"
    model_config = examples(
        {
            **_SUBMISSION,
            "expired_at": "2026-12-24T00:00:00Z",
            "sent_by": _STAFF_ID,
            "submission_url": _SUBMISSION_URL,
        }
    )

    expired_at: Timestamp
    sent_by: UUID | None = Field(default=None, description="The staff user who sent it")
    submission_url: Link | None = Field(
        default=None, description="The staff page of the submission"
    )

"""What the submissions API takes and answers: staff sending and following documents, and a
submitter's link filling and signing one."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, model_validator

from portico.contracts.events.common import Locale
from portico.signing.fields.spec import FieldSpec
from portico.signing.submissions.states import Kind, Status, SubmitterStatus
from portico.signing.templates.schemas import IdentityCheck

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Channel = Literal["email", "sms"]


class RecipientIn(BaseModel):
    """Who fills a role: a contact of the client (from the portal's clients), a staff
    member (the company's countersignature), or a person named here."""

    model_config = ConfigDict(extra="forbid")

    role: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    kind: Kind = Kind.SIGNER
    contact_id: uuid.UUID | None = None
    staff_user_id: uuid.UUID | None = None
    name: Text | None = None
    email: EmailStr | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None = None
    locale: Locale | None = None
    channel: Channel = "email"

    @model_validator(mode="after")
    def _one_person(self) -> Self:
        if self.contact_id is not None and self.staff_user_id is not None:
            raise ValueError("give a contact_id or a staff_user_id, not both")
        if self.contact_id is None and self.staff_user_id is None and not self.name:
            raise ValueError("name the person: a contact_id, a staff_user_id or a name")
        return self


class CopyIn(BaseModel):
    """Someone who receives a copy of the completed document (cc)."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    email: EmailStr
    locale: Locale = "en"


class SubmissionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "template_id": "3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f",
                    "client_id": "3f2b7c1e-8a4d-4e59-9c1a-2b6d7e8f9a01",
                    "recipients": [
                        {"role": "Client", "contact_id": "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f"},
                        {
                            "role": "Company",
                            "staff_user_id": "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
                        },
                    ],
                    "message": "Merci de signer avant vendredi.",
                    "expires_at": "2026-12-24T00:00:00Z",
                }
            ]
        },
    )

    template_id: uuid.UUID
    client_id: uuid.UUID | None = Field(
        default=None, description="The client it is for: its contacts may be recipients"
    )
    recipients: list[RecipientIn] = Field(min_length=1, max_length=20)
    copies: list[CopyIn] = Field(default_factory=list, max_length=20)
    message: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None
    expires_at: datetime | None = Field(default=None, description="When the links stop working")
    identity_check: IdentityCheck | None = Field(
        default=None,
        description="How each recipient proves who they are; the template's if not given",
    )


class SubmitterOut(BaseModel):
    id: uuid.UUID
    role: str
    kind: Kind
    position: int
    name: str
    email: str | None
    phone: str | None
    locale: str
    channel: str
    contact_id: uuid.UUID | None
    staff_user_id: uuid.UUID | None
    status: SubmitterStatus
    sent_at: datetime | None
    opened_at: datetime | None
    completed_at: datetime | None
    declined_at: datetime | None
    decline_reason: str | None


class AuditEventOut(BaseModel):
    at: datetime
    action: str
    actor: str | None
    ip: str | None
    user_agent: str | None
    time_zone: str | None
    details: dict[str, str]
    digest: str


class SubmissionSummary(BaseModel):
    id: uuid.UUID
    template_id: uuid.UUID
    document_name: str
    client_id: uuid.UUID | None
    status: Status
    created_at: datetime
    expires_at: datetime | None
    closed_at: datetime | None
    completion: str | None = Field(description="pending, done or failed once all have acted")
    completion_error: str | None
    submitters: list[SubmitterOut]


class SubmissionOut(SubmissionSummary):
    sent_by: uuid.UUID | None
    message: str | None
    ordered: bool
    identity_check: str
    page_count: int
    completed_sha256: str | None
    original_sha256: str | None
    trail: list[AuditEventOut]


class PageOut(BaseModel):
    width: float
    height: float
    preview_path: str = Field(description="The page's image, under the same link")


class SigningFieldOut(BaseModel):
    """A field as a submitter sees it: theirs to fill, or another's value to read."""

    spec: FieldSpec
    mine: bool
    value: Any = None


class IdentityOut(BaseModel):
    """The identity check asked of the holder of this link."""

    method: IdentityCheck
    verified: bool = Field(description="This link's holder entered the right code")
    sent_to: str | None = Field(description="Where codes go, shown in part")
    code_sent: bool = Field(description="A code is out and still works")


class CodeIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"code": "482913", "time_zone": "Europe/Paris"}]},
    )

    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=12)]
    time_zone: Annotated[str, StringConstraints(max_length=64)] | None = None


class CodeRequestIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"time_zone": "Europe/Paris"}]}
    )

    time_zone: Annotated[str, StringConstraints(max_length=64)] | None = None


class SigningOut(BaseModel):
    """What a submitter's link opens. Until an identity check asked of it is passed, the
    pages and fields are withheld."""

    submission_id: uuid.UUID
    document_name: str
    status: Status
    submitter: SubmitterOut
    may_act: bool = Field(description="It is their turn and the submission is open")
    allow_forwarding: bool = Field(
        default=False, description="The template lets them pass the request on to someone else"
    )
    waiting_for: list[str] = Field(description="The roles whose turn comes first")
    expires_at: datetime | None
    message: str | None
    pages: list[PageOut]
    fields: list[SigningFieldOut]
    completed: bool = Field(description="The completed document is ready to download")
    identity: IdentityOut | None = Field(
        default=None, description="The identity check, when the sender asked for one"
    )


class ValuesIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "values": {
                        "Company name": "Atelier Lumière",
                        "Signature": {"typed": "Inès Roy"},
                    },
                    "time_zone": "Europe/Paris",
                }
            ]
        },
    )

    values: dict[str, Any] = Field(default_factory=dict, max_length=500)
    time_zone: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        default=None, description="The signer's IANA time zone, for the trail"
    )


class ForwardIn(BaseModel):
    """The person a signer passes the request on to."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Paul Martin",
                    "email": "paul@atelier-lumiere.example",
                    "locale": "fr",
                    "channel": "email",
                    "reason": "Paul signe pour la société.",
                }
            ]
        },
    )

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    email: EmailStr | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None = None
    locale: Locale = "en"
    channel: Channel = "email"
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    time_zone: Annotated[str, StringConstraints(max_length=64)] | None = None


class ForwardedOut(BaseModel):
    forwarded_to: str


class DeclineIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"reason": "Le montant est erroné.", "time_zone": "Europe/Paris"}]
        },
    )

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    time_zone: Annotated[str, StringConstraints(max_length=64)] | None = None

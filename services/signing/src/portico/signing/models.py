"""The signing service's tables: templates and their fields, submissions (their submitters
and audit trail), the seal key, and a replica of the clients.

The files (the original upload, the normalised PDF, the page previews) are in the blob
store under ``documents/<sha256 of the original>/``: a duplicated template, or the same
file uploaded twice, shares them, and they are removed when no template uses them.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from portico.kit.auth.capabilities import CapabilityTokenColumns
from portico.kit.db import UTCDateTime, new_metadata, utcnow


class Base(DeclarativeBase):
    metadata = new_metadata()
    type_annotation_map = {datetime: UTCDateTime, uuid.UUID: Uuid}


class Template(Base):
    __tablename__ = "templates"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200))
    # What it was made from: pdf, image, docx, odt, doc, rtf, csv or blank.
    source_kind: Mapped[str] = mapped_column(String(20))
    # The blob store folder of its files (``portico.signing.templates.documents``).
    document_key: Mapped[str] = mapped_column(String(120), index=True)
    original_name: Mapped[str | None] = mapped_column(String(300))
    # Each page's size in points, [[width, height], ...]: the editor draws pages before
    # their previews arrive, and places are relative to these.
    page_sizes: Mapped[list[list[float]]] = mapped_column(JSON)
    # How many pages have their previews stored (rendered in order by a job).
    previews_ready: Mapped[int] = mapped_column(Integer, default=0)
    # The signers, in signing order when ``ordered``: [{"name": "Client"}, ...].
    roles: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    ordered: Mapped[bool] = mapped_column(Boolean, default=False)
    # Sent to every new client automatically (acted on by submissions).
    auto_assign: Mapped[bool] = mapped_column(Boolean, default=False)
    # A signer may pass the request on to someone else (recorded in the trail).
    allow_forwarding: Mapped[bool] = mapped_column(Boolean, default=False)
    # The identity check sent submissions ask for unless the send says otherwise.
    identity_check: Mapped[str] = mapped_column(String(20), default="none")
    created_by: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    archived_at: Mapped[datetime | None]

    # Always wanted with the template (its summary counts them): loaded with it.
    fields: Mapped[list[TemplateField]] = relationship(
        back_populates="template",
        cascade="all, delete-orphan",
        order_by="TemplateField.position",
        lazy="selectin",
    )

    @property
    def page_count(self) -> int:
        return len(self.page_sizes)


class TemplateField(Base):
    """A field; ``spec`` holds what the editor set (``FieldSpec``), its place included."""

    __tablename__ = "template_fields"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    template_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("templates.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)

    template: Mapped[Template] = relationship(back_populates="fields")


class ClientReplica(Base):
    """A client as the portal's last ClientCreated or ClientUpdated described it."""

    __tablename__ = "client_replicas"

    client_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The event's body (kind, legal_id, address, attributes, contacts...), for prefills.
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The time of the event it holds: an older event arriving late changes nothing.
    changed_at: Mapped[datetime]
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class Submission(Base):
    """A template sent: to one submitter per role, filled, signed, then completed.

    It keeps what it was sent with (the document's files, its pages and fields): a template
    changed or deleted afterwards changes no submission.
    """

    __tablename__ = "submissions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # The template it was sent from (kept as a record once that template is deleted).
    template_id: Mapped[uuid.UUID] = mapped_column(index=True)
    document_name: Mapped[str] = mapped_column(String(200))
    document_key: Mapped[str] = mapped_column(String(120), index=True)
    page_sizes: Mapped[list[list[float]]] = mapped_column(JSON)
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # The fields' prefills resolved from the client when it was sent, by field name.
    prefills: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    client_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    sent_by: Mapped[uuid.UUID | None]
    message: Mapped[str | None] = mapped_column(String(2000))
    ordered: Mapped[bool] = mapped_column(Boolean, default=False)
    # none, email_code or sms_code: how each submitter proves who they are.
    identity_check: Mapped[str] = mapped_column(String(20), default="none")
    allow_forwarding: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[datetime | None]
    # sent, opened, partially_signed, completed, declined, expired or cancelled
    # (``portico.signing.submissions.states``).
    status: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # When it reached its last status (completed, declined, expired, cancelled).
    closed_at: Mapped[datetime | None]
    # The completed document: pending once the last submitter submits, then done or
    # failed (with the reason); the files' keys and hashes once done.
    completion: Mapped[str | None] = mapped_column(String(20), index=True)
    completion_error: Mapped[str | None] = mapped_column(String(1000))
    completion_tries: Mapped[int] = mapped_column(Integer, default=0)
    completion_changed_at: Mapped[datetime | None]
    completed_pdf_key: Mapped[str | None] = mapped_column(String(200))
    completed_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    certificate_key: Mapped[str | None] = mapped_column(String(200))
    original_sha256: Mapped[str | None] = mapped_column(String(64))
    # The digest of the last audit event: each event is chained to the one before.
    trail_head: Mapped[str] = mapped_column(String(64))

    submitters: Mapped[list[Submitter]] = relationship(
        back_populates="submission",
        cascade="all, delete-orphan",
        order_by="Submitter.position",
        lazy="selectin",
    )


class Submitter(Base):
    """Someone a submission goes to, for a role: a signer, an approver, a viewer or a copy."""

    __tablename__ = "submitters"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    submission_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(100))
    # signer, approver, viewer or cc.
    kind: Mapped[str] = mapped_column(String(20))
    contact_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    staff_user_id: Mapped[uuid.UUID | None]
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    locale: Mapped[str] = mapped_column(String(5), default="en")
    # email or sms: how their link reaches them.
    channel: Mapped[str] = mapped_column(String(10))
    # waiting (not their turn yet), sent, opened, completed or declined.
    status: Mapped[str] = mapped_column(String(20))
    sent_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    declined_at: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(String(2000))
    # Their values by field name: a draft until they submit.
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Their signature and initials images in the blob store.
    signature_key: Mapped[str | None] = mapped_column(String(200))
    initials_key: Mapped[str | None] = mapped_column(String(200))
    # Where they submitted from.
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(500))
    time_zone: Mapped[str | None] = mapped_column(String(64))
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    last_reminded_at: Mapped[datetime | None]
    # When they were told the submission expires soon (once).
    warned_at: Mapped[datetime | None]
    # The identity check by a one-time code (email or SMS): the current code's hash and
    # life, how many codes were sent, the wrong entries of the current code, every code
    # entered (the certificate prints it), and when they first proved who they are.
    identity_code_hash: Mapped[str | None] = mapped_column(String(64))
    identity_code_expires_at: Mapped[datetime | None]
    identity_code_sent_at: Mapped[datetime | None]
    identity_codes_sent: Mapped[int] = mapped_column(Integer, default=0)
    identity_code_failures: Mapped[int] = mapped_column(Integer, default=0)
    identity_attempts: Mapped[int] = mapped_column(Integer, default=0)
    identity_verified_at: Mapped[datetime | None]

    submission: Mapped[Submission] = relationship(back_populates="submitters")


class SigningLink(CapabilityTokenColumns, Base):
    """A link sent to a submitter: each message (the first, a reminder) carries its own, all
    working until they expire. Not single use: the signer comes back to a draft. A ``sign``
    link opens the document to fill and sign; a ``copy`` link only downloads the completed
    one."""

    __tablename__ = "signing_links"
    single_use = False

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    submitter_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("submitters.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When whoever holds this link entered the right code (an identity check): each link
    # proves it anew, so a forwarded later reminder does not open without the code.
    identity_verified_at: Mapped[datetime | None]


class AuditEvent(Base):
    """One step of a submission (sent, opened, a field completed, signed...), chained by
    ``digest`` to the one before (``portico.pdf.trail``): a trail changed afterwards no
    longer matches its head, printed on the completion certificate."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    submitter_id: Mapped[uuid.UUID | None]
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str | None] = mapped_column(String(400))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(500))
    time_zone: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    digest: Mapped[str] = mapped_column(String(64))


class SealKey(Base):
    """The organisation's seal: a PKCS#12 key and certificate, made at first start or
    uploaded by an admin. The newest row is the one in use."""

    __tablename__ = "seal_keys"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    pkcs12: Mapped[bytes] = mapped_column(LargeBinary)
    password: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    fingerprint: Mapped[str] = mapped_column(String(64))
    uploaded: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ReminderSettings(Base):
    """The organisation's reminder schedule, as an admin set it (one row, id 1). Without
    it, the service's configuration (``PORTICO_SIGNING_REMINDER_DAYS``…) applies."""

    __tablename__ = "reminder_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reminder_days: Mapped[list[int]] = mapped_column(JSON)
    last_call_days: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)

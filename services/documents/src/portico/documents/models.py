"""The documents service's tables: the document types an organisation asks for, the
documents clients gave (one per client and type, the newest), the section's settings, and a
replica of the portal's clients.

A document's file is in the blob store under ``clients/<client id>/<document id>/``: a
client's files are found, and purged, by that prefix.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from portico.kit.db import UTCDateTime, new_metadata, utcnow


class Base(DeclarativeBase):
    metadata = new_metadata()
    type_annotation_map = {datetime: UTCDateTime, uuid.UUID: Uuid}


class DocumentType(Base):
    """What staff ask clients for: an ID card, a Kbis, a signed contract..."""

    __tablename__ = "document_types"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name_en: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_fr: Mapped[str] = mapped_column(Text, default="")
    # optional, required, or admin_only (the client sees it; only staff upload it).
    upload_mode: Mapped[str] = mapped_column(String(20))
    # The kinds of file taken, by content (pdf, jpeg, png, webp, heic, docx, odt).
    formats: Mapped[list[str]] = mapped_column(JSON)
    max_size_mib: Mapped[int] = mapped_column(Integer)
    expires: Mapped[bool] = mapped_column(Boolean, default=False)
    # The extra data asked with the file: labelled text, date, number and select fields.
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Asked of every client, or only of clients with this tag.
    client_tag: Mapped[str | None] = mapped_column(String(50))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ClientDocument(Base):
    """The document a client gave for a type: the newest only (a replacement takes its
    place), with its review and the extra data."""

    __tablename__ = "client_documents"
    __table_args__ = (UniqueConstraint("client_id", "document_type_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    client_id: Mapped[uuid.UUID] = mapped_column(index=True)
    document_type_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("document_types.id", ondelete="CASCADE"), index=True
    )
    # uploaded (waiting for review), accepted, rejected; "expired" is read from expires_on.
    status: Mapped[str] = mapped_column(String(20), index=True)
    file_key: Mapped[str] = mapped_column(String(300))
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    uploaded_by_kind: Mapped[str] = mapped_column(String(20))
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    uploaded_by_name: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    reviewed_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(String(2000))
    # The expiry date its reminder went for: once per document and date.
    reminded_for: Mapped[date | None] = mapped_column(Date)
    # The expiry date whose passing was announced (ClientDocumentStates): once per date.
    expiry_announced_for: Mapped[date | None] = mapped_column(Date)


class SectionSettings(Base):
    """The "My documents" section of the client portal (one row, id 1)."""

    __tablename__ = "section_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shown: Mapped[bool] = mapped_column(Boolean, default=True)
    introduction: Mapped[str] = mapped_column(Text, default="")
    # A client who lacks a required document reaches only the documents page.
    required_for_access: Mapped[bool] = mapped_column(Boolean, default=False)
    # Uploads wait for staff to accept them (else they are accepted as they come).
    review: Mapped[bool] = mapped_column(Boolean, default=True)
    reminder_days: Mapped[int] = mapped_column(Integer, default=30)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ClientReplica(Base):
    """A client as the portal's last ClientCreated or ClientUpdated described it."""

    __tablename__ = "client_replicas"

    client_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    assigned_staff_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # The contacts, as the event carries them (id, names, email, locale).
    contacts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    changed_at: Mapped[datetime]
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class StaffReplica(Base):
    """A staff member's name, from the portal's StaffUserChanged: who uploaded or reviewed."""

    __tablename__ = "staff_replicas"

    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))

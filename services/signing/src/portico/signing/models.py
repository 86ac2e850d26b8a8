"""The signing service's tables: templates and their fields, and a replica of the clients.

The files (the original upload, the normalised PDF, the page previews) are in the blob
store under ``documents/<sha256 of the original>/``: a duplicated template, or the same
file uploaded twice, shares them, and they are removed when no template uses them.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

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

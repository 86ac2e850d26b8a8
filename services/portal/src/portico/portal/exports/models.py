"""The portal's record of a client's data exports and of the parts the services gave.

Kept beside the area rather than in ``portal.models``: no other table references them,
and they reference only ``clients`` (an export goes with its client).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portico.kit.db import utcnow
from portico.portal.models import Base


class ClientExport(Base):
    """One request: pending until every expected service has given its part and the
    archive is built (ready), or failed (a service silent past the deadline, or the
    archive impossible to build)."""

    __tablename__ = "client_exports"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    client_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), index=True
    )
    # pending, ready, failed
    status: Mapped[str] = mapped_column(String(10), index=True)
    # The services asked, fixed when asked: a change of setting leaves it as it was.
    expected: Mapped[list[str]] = mapped_column(JSON)
    requested_by: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    ready_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    failure: Mapped[str | None] = mapped_column(String(500))
    archive_key: Mapped[str | None] = mapped_column(String(300))
    archive_size: Mapped[int | None] = mapped_column(BigInteger)
    archive_sha256: Mapped[str | None] = mapped_column(String(64))


class ClientExportPart(Base):
    """A service's part, as its ClientExportPartReady described it (the last one, if a
    repeated job wrote it again)."""

    __tablename__ = "client_export_parts"

    export_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("client_exports.id", ondelete="CASCADE"), primary_key=True
    )
    service: Mapped[str] = mapped_column(String(40), primary_key=True)
    blob_key: Mapped[str] = mapped_column(String(500))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    records: Mapped[int] = mapped_column(Integer)
    files: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

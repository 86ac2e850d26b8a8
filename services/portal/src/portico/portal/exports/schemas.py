"""Response bodies of the client exports API."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from portico.portal.exports.models import ClientExport, ClientExportPart

ExportStatus = Literal["pending", "ready", "failed"]


class ExportPartOut(BaseModel):
    """What one service was asked for, and its answer if it gave one."""

    service: str
    answered: bool
    records: int | None = Field(default=None, description="Rows in its data.json")
    files: int | None = Field(default=None, description="Files in its part")
    size_bytes: int | None = None
    received_at: datetime | None = None


class ExportOut(BaseModel):
    id: uuid.UUID
    client_id: uuid.UUID
    status: ExportStatus = Field(
        description=(
            "pending until every service has answered and the archive is built; ready; or "
            "failed (a service silent past the deadline, or the archive impossible to build)"
        )
    )
    services: list[ExportPartOut] = Field(description="Each service asked, and its answer")
    missing: list[str] = Field(description="The services that have not answered (yet)")
    created_at: datetime
    ready_at: datetime | None = None
    failed_at: datetime | None = None
    failure: str | None = None
    archive_size: int | None = Field(default=None, description="The archive's size, once ready")
    archive_sha256: str | None = None

    @classmethod
    def of(cls, export: ClientExport, parts: Sequence[ClientExportPart]) -> ExportOut:
        given = {part.service: part for part in parts if part.export_id == export.id}
        services = []
        for service in export.expected:
            part = given.get(service)
            services.append(
                ExportPartOut(
                    service=service,
                    answered=part is not None,
                    records=part.records if part else None,
                    files=part.files if part else None,
                    size_bytes=part.size_bytes if part else None,
                    received_at=part.received_at if part else None,
                )
            )
        return cls(
            id=export.id,
            client_id=export.client_id,
            status=export.status,
            services=services,
            missing=[s.service for s in services if not s.answered],
            created_at=export.created_at,
            ready_at=export.ready_at,
            failed_at=export.failed_at,
            failure=export.failure,
            archive_size=export.archive_size,
            archive_sha256=export.archive_sha256,
        )

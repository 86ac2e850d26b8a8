"""Events of a client's data export (a GDPR access request, docs/exports.md).

The only events several services emit: the portal asks every service holding data about
a client for its part, and each answers with where it left its part. Their types name
``exports`` rather than one service; the envelope's ``source`` says which service spoke.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import EmailStr, Field

from portico.contracts.envelope import Event
from portico.contracts.events.common import BlobKey, Sha256, Timestamp, ValueObject, examples

__all__ = ["ClientExportPartReady", "ClientExportRequested", "ExportedContact"]

_EXPORT_ID = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
_CLIENT_ID = "3f2b7c1e-8a4d-4e59-9c1a-2b6d7e8f9a01"
_REQUESTED: dict[str, Any] = {
    "export_id": _EXPORT_ID,
    "client_id": _CLIENT_ID,
    "client_name": "Atelier Lumière",
    "contacts": [
        {
            "id": "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
            "email": "camille@atelier-lumiere.example",
            "phone": "+33612345678",
        }
    ],
    "requested_by": "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
    "requested_at": "2026-11-25T10:00:00Z",
}


class ExportedContact(ValueObject):
    """A contact of the client, by which a service that keys data by person finds it."""

    id: UUID
    email: EmailStr | None = None
    phone: str | None = Field(default=None, description="As entered")


class ClientExportRequested(Event):
    """Emitted when an admin asks for everything Portico holds about a client (a GDPR
    access request).

    Consumed by every service holding data about clients (signing, documents, quotes, the
    notifier), each writing its part of the export (a zip in its own blob store) in a job
    and answering with ClientExportPartReady. It names the client's contacts (every one
    the client has, with their addresses) so that a service that keys its data by person,
    such as the notifier's deliveries by address, finds it.
    """

    event_type = "portico.exports.client_export_requested.v1"
    subject_field = "export_id"
    model_config = examples(_REQUESTED)

    export_id: UUID
    client_id: UUID
    client_name: str | None = None
    contacts: list[ExportedContact] = Field(default_factory=list)
    requested_by: UUID | None = Field(default=None, description="The admin who asked for it")
    requested_at: Timestamp


class ClientExportPartReady(Event):
    """Emitted by a service once its part of a client's export is written.

    Consumed by the portal, which records the part and, once every service it asked has
    answered, assembles the archive from the parts (each read from its service's store).
    """

    event_type = "portico.exports.client_export_part_ready.v1"
    subject_field = "export_id"
    model_config = examples(
        {
            "export_id": _EXPORT_ID,
            "client_id": _CLIENT_ID,
            "service": "quotes",
            "blob_key": f"exports/{_EXPORT_ID}/quotes.zip",
            "size_bytes": 48213,
            "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "records": 17,
            "files": 3,
            "written_at": "2026-11-25T10:00:05Z",
        }
    )

    export_id: UUID
    client_id: UUID
    service: str = Field(
        pattern=r"^[a-z][a-z0-9_-]{0,39}$", description="The service whose part it is"
    )
    blob_key: BlobKey = Field(description="The part (a zip) in that service's blob store")
    size_bytes: int = Field(ge=0)
    sha256: Sha256
    records: int = Field(ge=0, description="How many rows the part's data.json holds")
    files: int = Field(default=0, ge=0, description="How many files the part holds")
    written_at: Timestamp

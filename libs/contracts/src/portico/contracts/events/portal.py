"""Events emitted by the portal service."""

from __future__ import annotations

from uuid import UUID

from portico.contracts.envelope import Event

__all__ = ["ClientCreated"]


class ClientCreated(Event):
    event_type = "portico.portal.client_created.v1"
    subject_field = "client_id"

    client_id: UUID
    name: str

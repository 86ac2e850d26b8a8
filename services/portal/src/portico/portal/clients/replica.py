"""The client replica that ClientCreated / ClientUpdated carry to the other services."""

from __future__ import annotations

from portico.contracts.events.portal import ClientCreated
from portico.portal.models import Client


def client_created(client: Client) -> ClientCreated:
    return ClientCreated(client_id=client.id, name=client.name)

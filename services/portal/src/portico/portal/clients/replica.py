"""The client replica that ClientCreated / ClientUpdated carry to the other services."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from portico.contracts.events.common import Address
from portico.contracts.events.portal import ClientContact, ClientCreated, ClientUpdated
from portico.portal.clients.schemas import PortalStatus
from portico.portal.models import Client


def _replica_fields(
    client: Client, statuses: Mapping[uuid.UUID, PortalStatus]
) -> dict[str, object]:
    return {
        "client_id": client.id,
        "kind": client.kind,
        "name": client.name,
        "legal_id": client.legal_id,
        "address": Address(**client.address) if client.address else None,
        "phone": client.phone,
        "website": client.website,
        "tags": list(client.tags),
        "assigned_staff_id": client.assigned_staff_id,
        "attributes": dict(client.attributes),
        "contacts": [
            ClientContact(
                id=contact.id,
                first_name=contact.first_name,
                last_name=contact.last_name,
                email=contact.email,
                phone=contact.phone,
                role=contact.role,
                locale=contact.locale,
                # The others only need to know who can log in; an expired link is no account.
                portal_status=_replica_status(statuses.get(contact.id, "none")),
            )
            for contact in client.contacts
        ],
    }


def _replica_status(status: PortalStatus) -> str:
    return "none" if status == "expired" else status


def client_created(client: Client, statuses: Mapping[uuid.UUID, PortalStatus]) -> ClientCreated:
    return ClientCreated.model_validate(_replica_fields(client, statuses))


def client_updated(
    client: Client,
    statuses: Mapping[uuid.UUID, PortalStatus],
    *,
    changed_fields: list[str],
    origin: str | None,
) -> ClientUpdated:
    return ClientUpdated.model_validate(
        {**_replica_fields(client, statuses), "changed_fields": changed_fields, "origin": origin}
    )

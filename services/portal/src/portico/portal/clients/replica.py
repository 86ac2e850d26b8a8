"""The client replica that ClientCreated / ClientUpdated carry to the other services."""

from __future__ import annotations

from portico.contracts.events.portal import ClientContact, ClientCreated
from portico.portal.models import Client


def client_created(client: Client) -> ClientCreated:
    return ClientCreated(
        client_id=client.id,
        kind=client.kind,
        name=client.name,
        legal_id=client.legal_id,
        phone=client.phone,
        website=client.website,
        tags=list(client.tags),
        contacts=[
            ClientContact(
                id=contact.id,
                first_name=contact.first_name,
                last_name=contact.last_name,
                email=contact.email,
                phone=contact.phone,
                role=contact.role,
                locale=contact.locale,
            )
            for contact in client.contacts
        ],
    )

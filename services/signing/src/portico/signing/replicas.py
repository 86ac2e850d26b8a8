"""The portal's clients as the signing service keeps them: to prefill and address documents.

It never reads the portal's tables; ClientCreated and ClientUpdated carry the whole client
(contacts included), so the replica is the last one seen. Events may arrive out of order
(a retry, several workers): an event older than the one held changes nothing, and a
deleted client stays deleted, its details erased and its submissions gone.
"""

from __future__ import annotations

from typing import Any

from portico.contracts.events.portal import ClientCreated, ClientDeleted, ClientUpdated
from portico.kit.inbox import EventContext
from portico.signing.erasure import purge_submissions
from portico.signing.models import ClientReplica


async def keep_client(event: ClientCreated | ClientUpdated, context: EventContext) -> None:
    changed_at = context.envelope.time
    held = await context.tx.get(ClientReplica, event.client_id)
    if held is not None and (held.deleted or held.changed_at > changed_at):
        return
    details: dict[str, Any] = event.model_dump(
        mode="json",
        include={"kind", "legal_id", "address", "phone", "website", "attributes", "contacts"},
    )
    await context.tx.merge(
        ClientReplica(
            client_id=event.client_id,
            name=event.name,
            details=details,
            changed_at=changed_at,
            deleted=False,
        )
    )


async def forget_client(event: ClientDeleted, context: EventContext) -> None:
    """The client's submissions go with their files, on a deletion as on an erasure
    (``erasure``); the replica stays, emptied, as a tombstone (a late ClientUpdated must
    not bring the client back)."""
    await purge_submissions(context.tx, event)
    await context.tx.merge(
        ClientReplica(
            client_id=event.client_id,
            name="",
            details={},
            changed_at=context.envelope.time,
            deleted=True,
        )
    )


def prefill_sources(
    replica: ClientReplica | None, contact_id: Any = None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The client and (when given) the contact as prefills read them."""
    if replica is None or replica.deleted:
        return None, None
    client = {"name": replica.name, **replica.details}
    contacts = replica.details.get("contacts") or []
    contact = next((c for c in contacts if str(c.get("id")) == str(contact_id)), None)
    return client, contact

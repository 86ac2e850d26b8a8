"""The portal's clients as the documents service keeps them: their tags (which types apply),
the staff member in charge and the contacts (whom to tell).

It never reads the portal's tables; ClientCreated and ClientUpdated carry the whole client,
so the replica is the last one seen. An event older than the one held changes nothing, and
a deleted client stays deleted: ClientDeleted purges every document of theirs, rows and
files.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete

from portico.contracts.events.portal import (
    ClientCreated,
    ClientDeleted,
    ClientUpdated,
    StaffUserChanged,
)
from portico.documents.models import ClientDocument, ClientReplica, StaffReplica
from portico.documents.states import announce_states
from portico.documents.storage import client_prefix
from portico.kit.inbox import EventContext
from portico.kit.store.removal import delete_files_after_commit
from portico.kit.transaction import Transaction


async def keep_client(event: ClientCreated | ClientUpdated, context: EventContext) -> None:
    changed_at = context.envelope.time
    held = await context.tx.get(ClientReplica, event.client_id)
    if held is not None and (held.deleted or held.changed_at > changed_at):
        return
    await context.tx.merge(
        ClientReplica(
            client_id=event.client_id,
            name=event.name,
            tags=list(event.tags),
            assigned_staff_id=event.assigned_staff_id,
            contacts=[
                contact.model_dump(
                    mode="json", include={"id", "first_name", "last_name", "email", "locale"}
                )
                for contact in event.contacts
            ],
            changed_at=changed_at,
            deleted=False,
        )
    )
    # A new client, or new tags: which types apply may have changed.
    await context.tx.flush()
    await announce_states(context.tx, [event.client_id])


async def forget_client(event: ClientDeleted, context: EventContext) -> None:
    """Every row and file of the client goes; the replica stays, emptied, as a tombstone
    (a late ClientUpdated must not bring the client back). A deletion already keeps
    nothing, so an erasure (``event.erase``) does the same (docs/erasure.md)."""
    await context.tx.execute(
        delete(ClientDocument).where(ClientDocument.client_id == event.client_id)
    )
    await context.tx.merge(
        ClientReplica(
            client_id=event.client_id,
            name="",
            tags=[],
            assigned_staff_id=None,
            contacts=[],
            changed_at=context.envelope.time,
            deleted=True,
        )
    )
    await delete_files_after_commit(context.tx, prefixes=[client_prefix(event.client_id)])


async def keep_staff(event: StaffUserChanged, context: EventContext) -> None:
    name = f"{event.first_name} {event.last_name}".strip()
    await context.tx.merge(StaffReplica(user_id=event.user_id, name=name))


async def staff_name(tx: Transaction, user_id: uuid.UUID | None) -> str:
    """The staff member's name, or a plain word until their first change reaches us."""
    held = await tx.get(StaffReplica, user_id) if user_id is not None else None
    return held.name if held is not None else "Staff"

"""Where clients stand, announced: a ClientDocumentStates for each client whose checklist
may have changed, carrying the state of every type that applies and whether the required
ones are all accepted. The portal keeps the last one for its client list (a column, and
filters by a type's state), which so never asks this service per row.

Called in the transaction of the change: an upload, a review, new data, a deletion, a
type added, changed or removed (every client then), a client created or retagged, and a
document found past its date by the expiry job.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import select

from portico.contracts.events.documents import ClientDocumentStates
from portico.documents.checklist import (
    Given,
    Requested,
    State,
    Status,
    UploadMode,
    checklist,
    complete,
)
from portico.documents.models import ClientDocument, ClientReplica, DocumentType
from portico.kit.db import utcnow
from portico.kit.transaction import Transaction


async def announce_states(
    tx: Transaction, client_ids: Collection[uuid.UUID] | None = None
) -> dict[uuid.UUID, bool]:
    """Announce the states of these clients (every client's when None), and answer
    whether each one announced has given every required document. Deleted clients are
    not announced: the portal has forgotten them."""
    if client_ids is not None and not client_ids:
        return {}
    types = await _types(tx)
    if not types and client_ids is not None:
        # Nothing is asked of anyone: a client's change moves nothing the portal shows
        # (its picture is already empty, or was never sent). A type's removal, announced
        # to every client, still clears the pictures.
        return {}
    found = await _checklists(tx, types, client_ids)
    now = utcnow()
    announced: dict[uuid.UUID, bool] = {}
    for client_id, states in found.items():
        done = announced[client_id] = complete(types, states)
        tx.emit(
            ClientDocumentStates(
                client_id=client_id,
                complete=done,
                states={uuid.UUID(str(type_id)): state.value for type_id, state in states.items()},
                as_of=now,
            )
        )
    return announced


async def is_complete(tx: Transaction, client_id: uuid.UUID) -> bool:
    """Whether the client has given every required document, as things stand."""
    types = await _types(tx)
    found = await _checklists(tx, types, [client_id])
    return complete(types, found.get(client_id, {}))


async def _types(tx: Transaction) -> list[Requested]:
    return [
        Requested(row.id, UploadMode(row.upload_mode), row.client_tag)
        for row in await tx.scalars(select(DocumentType))
    ]


async def _checklists(
    tx: Transaction, types: list[Requested], client_ids: Collection[uuid.UUID] | None
) -> dict[uuid.UUID, dict[object, State]]:
    """Each client's checklist (every living client's when None)."""
    clients_query = select(ClientReplica).where(ClientReplica.deleted.is_(False))
    documents_query = select(
        ClientDocument.client_id,
        ClientDocument.document_type_id,
        ClientDocument.status,
        ClientDocument.expires_on,
    )
    if client_ids is not None:
        clients_query = clients_query.where(ClientReplica.client_id.in_(client_ids))
        documents_query = documents_query.where(ClientDocument.client_id.in_(client_ids))
    given: dict[uuid.UUID, list[Given]] = defaultdict(list)
    for client_id, type_id, status, expires_on in await tx.execute(documents_query):
        given[client_id].append(Given(type_id, Status(status), expires_on))
    today = utcnow().date()
    return {
        client.client_id: checklist(types, client.tags, given[client.client_id], today)
        for client in await tx.scalars(clients_query)
    }

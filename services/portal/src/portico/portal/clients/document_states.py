"""Where each client stands for the documents asked of them, as the documents service
announces it (ClientDocumentStates): the client list's "documents complete" column and its
filters by a type's state read it here, with no call to that service per row.

Each event carries the whole picture for one client, so the newest replaces what is held;
one older than what is held (``as_of``), or a redelivered one, changes nothing.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, delete, insert, select, update

from portico.contracts.events.documents import ClientDocumentStates, DocumentState
from portico.kit.inbox import EventContext
from portico.portal.models import Client, ClientDocumentState


async def keep_document_states(event: ClientDocumentStates, context: EventContext) -> None:
    session = context.tx
    # Read from the row, not an object a batch's earlier event may have left stale.
    held = (
        await session.execute(
            select(Client.documents_as_of).where(Client.id == event.client_id).with_for_update()
        )
    ).first()
    if held is None:
        return  # deleted since: nothing to keep
    if held.documents_as_of is not None and held.documents_as_of >= event.as_of:
        return
    # Not a change of the client's record: ``updated_at`` (the list's "last update", its
    # "recent" order) stays as it was.
    await session.execute(
        update(Client)
        .where(Client.id == event.client_id)
        .values(
            documents_complete=event.complete,
            documents_as_of=event.as_of,
            updated_at=Client.updated_at,
        )
    )
    await session.execute(
        delete(ClientDocumentState).where(ClientDocumentState.client_id == event.client_id)
    )
    if event.states:
        await session.execute(
            insert(ClientDocumentState),
            [
                {"client_id": event.client_id, "document_type_id": type_id, "state": state}
                for type_id, state in event.states.items()
            ],
        )


def document_state_filter(
    document_type_id: uuid.UUID, state: DocumentState | None
) -> ColumnElement[bool]:
    """Clients for whom the type applies (in ``state``, if given). Not correlated: the
    databases read the matching clients once from the (type, state) index."""
    wanted = select(ClientDocumentState.client_id).where(
        ClientDocumentState.document_type_id == document_type_id
    )
    if state is not None:
        wanted = wanted.where(ClientDocumentState.state == state)
    return Client.id.in_(wanted)

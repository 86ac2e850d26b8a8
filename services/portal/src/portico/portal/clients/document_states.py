"""Where each client stands for the documents asked of them, as the documents service
announces it (ClientDocumentStates): the client list's "documents complete" column and its
filters by a type's state read it here, with no call to that service per row.

Each event carries the whole picture for one client, so the newest replaces what is held;
one older than what is held (``as_of``), or a redelivered one, changes nothing.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, delete, insert, select

from portico.contracts.events.documents import ClientDocumentStates, DocumentState
from portico.kit.inbox import EventContext
from portico.portal.models import Client, ClientDocumentState


async def keep_document_states(event: ClientDocumentStates, context: EventContext) -> None:
    session = context.tx
    client = await session.get(Client, event.client_id, with_for_update=True)
    if client is None:
        return  # deleted since: nothing to keep
    if client.documents_as_of is not None and client.documents_as_of >= event.as_of:
        return
    client.documents_complete = event.complete
    client.documents_as_of = event.as_of
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

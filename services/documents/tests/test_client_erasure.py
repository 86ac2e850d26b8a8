"""An erased client (docs/erasure.md) leaves nothing in the documents service but the
tombstone of its id: no row, no file; another client keeps everything; the same
ClientDeleted again, or a late picture of the client, changes nothing more."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from portico.contracts import Envelope
from portico.contracts.events.portal import ClientDeleted, ClientUpdated
from portico.documents.testing import (
    DOCUMENTS,
    ID_CARD,
    contact_headers,
    make_client,
    make_type,
    pdf_file,
    upload,
)
from portico.kit.testing.leftovers import handled, leftovers, store_keys
from portico.kit.testing.services import RunningPortico

MINE = f"{DOCUMENTS}/my-documents"


def again(envelope: Envelope, **changes: object) -> Envelope:
    """The same event published anew (a new id), as a replayed message would be."""
    return envelope.model_copy(update={"id": uuid.uuid4(), **changes})


async def left_of(portico: RunningPortico, client: dict[str, object]) -> list[str]:
    contact = client["contacts"][0]  # type: ignore[index]
    found = await leftovers(
        portico,
        [str(client["id"]), contact["id"], contact["email"]],
        services=["documents"],
    )
    return [str(item) for item in found if not item.is_tombstone]


async def test_an_erased_client_leaves_only_its_tombstone(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    id_card = await make_type(portico, admin, ID_CARD)
    client = await make_client(portico, admin)
    kept = await make_client(portico, admin, name="Boulangerie Dupont")
    data = {"number": "X4", "valid_until": "2031-05-02"}
    for who in (client, kept):
        given = await upload(
            portico, MINE, contact_headers(portico, who), id_card, pdf_file(), data=data
        )
        assert given.status_code == 201, given.text
    store = portico.runtime("documents").store
    before = await store_keys(store)
    assert len(before) == 2 and await left_of(portico, client)

    erased = await portico.http.delete(
        f"/api/portal/v1/clients/{client['id']}", params={"erase": "true"}, headers=admin
    )
    assert erased.status_code == 204, erased.text
    [event] = await portico.events.wait_for(ClientDeleted.event_type, subject=client["id"])
    await handled(portico, "documents", event)
    for _ in range(200):
        if len(await store_keys(store)) == 1:
            break
        await asyncio.sleep(0.05)
    assert await left_of(portico, client) == []
    assert len(await store_keys(store)) == 1
    assert await left_of(portico, kept) != []

    # Delivered again, published again, or a late ClientUpdated: nothing comes back.
    staff = portico.headers("staff")
    kept_documents = await portico.http.get(
        f"{DOCUMENTS}/clients/{kept['id']}/documents", headers=staff
    )
    late = ClientUpdated(
        client_id=uuid.UUID(client["id"]),
        name="Atelier Lumière",
        contacts=client["contacts"],
    )
    replays = [
        event,
        again(event),
        Envelope.wrap(late, source="portal").model_copy(
            update={"time": event.time - timedelta(seconds=1)}
        ),
    ]
    await portico.host.bus.publish(replays)
    for envelope in replays[1:]:
        await handled(portico, "documents", envelope)
    assert await left_of(portico, client) == []
    assert len(await store_keys(store)) == 1
    same = await portico.http.get(f"{DOCUMENTS}/clients/{kept['id']}/documents", headers=staff)
    assert same.json() == kept_documents.json()
    gone = await portico.http.get(f"{DOCUMENTS}/clients/{client['id']}/documents", headers=staff)
    assert gone.status_code == 404

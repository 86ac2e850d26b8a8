"""What the notifier holds about a deleted client (docs/erasure.md): a deletion removes the
messages addressed to its contacts (a contact removed earlier included, and a portal
login's password reset to their address); an erasure also removes staff's notifications
naming the client or a contact, the same news sent to staff by email, and webhook
deliveries mentioning them, leaving only the tombstone of the client's id. Another client,
or one whose name merely contains the erased one's, keeps everything; the same
ClientDeleted again changes nothing more."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select

from portico.contracts import Envelope, Event
from portico.contracts.events.portal import (
    ClientCreated,
    ClientDeleted,
    ClientUpdated,
    MessagePosted,
    PasswordResetRequested,
    WorkspaceShared,
)
from portico.contracts.events.quotes import QuoteSent, QuoteViewed
from portico.kit.host import discover_services
from portico.kit.service import Service
from portico.kit.testing.leftovers import handled, leftovers
from portico.kit.testing.services import RunningPortico
from portico.notifier.erasure import ERASED
from portico.notifier.models import Delivery, Notification, WebhookDelivery

if TYPE_CHECKING:
    from conftest import StaffMember

CLIENTS = "/api/portal/v1/clients"
CAMILLE = {"first_name": "Camille", "last_name": "Durand", "email": "camille@lumiere.example"}
HUGO = {"first_name": "Hugo", "last_name": "Martin", "email": "hugo@lumiere.example"}
ZOE = {"first_name": "Zoé", "last_name": "Petit", "email": "zoe@boreal.example"}


@pytest.fixture
def portico_services() -> Sequence[Service]:
    return [s for s in discover_services() if s.name in {"portal", "notifier"}]


def example(model: type[Event], **fields: Any) -> Event:
    """The contract's example of the event, with these fields."""
    return model.model_validate(model.model_json_schema()["examples"][0] | fields)


def person(contact: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": contact["id"],
        "name": f"{contact['first_name']} {contact['last_name']}",
        "email": contact["email"],
        "locale": "fr",
    }


async def make_client(
    portico: RunningPortico, admin: dict[str, str], name: str, *contacts: dict[str, str]
) -> dict[str, Any]:
    made = await portico.http.post(
        CLIENTS, json={"name": name, "contacts": list(contacts)}, headers=admin
    )
    assert made.status_code == 201, made.text
    client: dict[str, Any] = made.json()
    [created] = await portico.events.wait_for(ClientCreated.event_type, subject=client["id"])
    await handled(portico, "notifier", created)
    return client


async def publish(portico: RunningPortico, source: str, *events: Event) -> list[Envelope]:
    envelopes = [Envelope.wrap(event, source=source) for event in events]
    await portico.host.bus.publish(envelopes)
    for envelope in envelopes:
        await handled(portico, "notifier", envelope)
    return envelopes


async def news_of(
    portico: RunningPortico, staff: StaffMember, client: dict[str, Any], name: str
) -> None:
    """What the notifier hears of a client: a quote sent to its first contact, viewed
    (staff told in the app and by email), a message from that contact to staff."""
    contact = client["contacts"][0]
    quote_id = uuid.uuid4()
    await publish(
        portico,
        "quotes",
        example(
            QuoteSent,
            client_id=client["id"],
            quote_id=quote_id,
            contact=person(contact),
            attach_pdf=False,
            pdf_key=None,
            sent_by=staff.id,
        ),
        example(
            QuoteViewed,
            client_id=client["id"],
            client_name=name,
            quote_id=quote_id,
            assignee_id=staff.id,
        ),
    )
    await publish(
        portico,
        "portal",
        example(
            MessagePosted,
            client_id=client["id"],
            author_id=contact["id"],
            author_name=person(contact)["name"],
            recipients=[{"kind": "staff", "id": str(staff.id), "name": "Admin", "locale": "en"}],
        ),
    )


async def count(portico: RunningPortico, model: Any, *where: Any) -> int:
    async with portico.runtime("notifier").database.sessions() as session:
        found = await session.scalar(select(func.count()).select_from(model).where(*where))
    return int(found or 0)


async def settled(portico: RunningPortico) -> None:
    """Every delivery recorded so far is sent (to the local mailbox)."""
    for _ in range(400):
        if not await count(portico, Delivery, Delivery.status == "pending"):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("deliveries still pending")


async def lumiere_and_boreal(
    portico: RunningPortico, admin: dict[str, str], staff: StaffMember
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Lumière (Camille, and Hugo, removed after a workspace was shared with him), Boréal
    (Zoé), and "Atelier Lumière et Fils", whose name holds Lumière's: each with news."""
    lumiere = await make_client(portico, admin, "Atelier Lumière", CAMILLE, HUGO)
    hugo = lumiere["contacts"][1]
    await publish(
        portico,
        "portal",
        example(WorkspaceShared, client_id=lumiere["id"], contacts=[person(hugo)]),
    )
    removed = await portico.http.delete(
        f"{CLIENTS}/{lumiere['id']}/contacts/{hugo['id']}", headers=admin
    )
    assert removed.status_code == 204, removed.text
    [*_, updated] = await portico.events.wait_for(ClientUpdated.event_type, subject=lumiere["id"])
    await handled(portico, "notifier", updated)
    # Camille's portal login asked for a new password: addressed to her by address.
    await publish(
        portico,
        "portal",
        example(
            PasswordResetRequested,
            account_kind="client",
            user_id=uuid.uuid4(),
            email=CAMILLE["email"],
            name="Camille Durand",
        ),
    )
    boreal = await make_client(portico, admin, "Boréal", ZOE)
    fils = await make_client(
        portico, admin, "Atelier Lumière et Fils", ZOE | {"email": "zoe@fils.example"}
    )
    for client, name in [(lumiere, "Atelier Lumière"), (boreal, "Boréal"), (fils, fils["name"])]:
        await news_of(portico, staff, client, name)
    await settled(portico)
    return lumiere, boreal, fils


def about(client: dict[str, Any], *former: dict[str, Any]) -> list[str]:
    values = [client["id"]]
    for contact in [*client["contacts"], *former]:
        values += [contact["id"], contact["email"]]
    return values


async def delete(
    portico: RunningPortico, admin: dict[str, str], client: dict[str, Any], **params: str
) -> Envelope:
    deleted = await portico.http.delete(f"{CLIENTS}/{client['id']}", params=params, headers=admin)
    assert deleted.status_code == 204, deleted.text
    [event] = await portico.events.wait_for(ClientDeleted.event_type, subject=client["id"])
    await handled(portico, "notifier", event)
    return event


async def test_an_erasure_leaves_only_the_tombstone_and_spares_the_others(
    portico: RunningPortico, admin: dict[str, str], staff: StaffMember
) -> None:
    lumiere, boreal, _ = await lumiere_and_boreal(portico, admin, staff)
    hugo = lumiere["contacts"][1]
    # A webhook wanted every ClientCreated: Lumière's is among its deliveries.
    hook = await portico.http.post(
        "/api/notifier/v1/webhooks",
        json={
            "url": "https://hooks.example/portico",
            "event_types": [ClientCreated.event_type],
        },
        headers=admin,
    )
    assert hook.status_code == 201, hook.text
    for client in (lumiere, boreal):
        await publish(
            portico,
            "portal",
            ClientCreated(client_id=client["id"], name=client["name"], contacts=client["contacts"]),
        )
    assert await count(portico, WebhookDelivery) == 2
    # A message to Camille not sent yet (the dispatcher has not taken it).
    pending = Delivery(
        idempotency_key=f"pending:{uuid.uuid4()}",
        event_id=uuid.uuid4(),
        event_type=QuoteSent.event_type,
        kind="quote_sent",
        channel="email",
        recipient_id=uuid.UUID(lumiere["contacts"][0]["id"]),
        recipient=CAMILLE["email"],
        subject="Quote D-1",
        content={"to": CAMILLE["email"]},
        status="pending",
        next_attempt_at=None,
    )
    async with portico.runtime("notifier").database.transaction() as tx:
        tx.add(pending)
    assert await leftovers(portico, about(lumiere, hugo), services=["notifier"])
    notifications = await count(portico, Notification)
    boreal_left = await leftovers(portico, about(boreal), services=["notifier"])

    event = await delete(portico, admin, lumiere, erase="true")

    found = await leftovers(portico, about(lumiere, hugo), services=["notifier"])
    assert [str(item) for item in found if not item.is_tombstone] == []
    assert [item.table for item in found] == ["client_replicas"]
    # Staff's news of Lumière (viewed; Camille's message) went; the others' stayed.
    titles = [item["title"] for item in await staff.notifications(4)]
    assert notifications == 6 and not any("Atelier Lumière opened" in t for t in titles)
    assert any("Atelier Lumière et Fils" in t for t in titles), titles
    assert not [t for t in titles if "Camille" in t]
    async with portico.runtime("notifier").database.sessions() as session:
        emptied = await session.get(Delivery, pending.id)
    assert emptied is not None
    assert (emptied.status, emptied.recipient, emptied.content) == ("failed", ERASED, None)
    assert await count(portico, WebhookDelivery) == 1
    assert await leftovers(portico, about(boreal), services=["notifier"]) == boreal_left

    again = event.model_copy(update={"id": uuid.uuid4()})
    await portico.host.bus.publish([event, again])
    await handled(portico, "notifier", again)
    assert await leftovers(portico, about(lumiere, hugo), services=["notifier"]) == found
    assert await leftovers(portico, about(boreal), services=["notifier"]) == boreal_left
    assert len(await staff.notifications(4)) == 4


async def test_a_deletion_removes_what_was_sent_to_the_contacts_and_keeps_staffs_news(
    portico: RunningPortico, admin: dict[str, str], staff: StaffMember
) -> None:
    lumiere, _, _ = await lumiere_and_boreal(portico, admin, staff)
    hugo = lumiere["contacts"][1]
    addressed = [Delivery.recipient.in_([CAMILLE["email"], HUGO["email"]])]
    assert await count(portico, Delivery, *addressed) == 3
    kept_to_zoe = await count(portico, Delivery, Delivery.recipient == ZOE["email"])

    await delete(portico, admin, lumiere)

    assert await count(portico, Delivery, *addressed) == 0
    assert await count(portico, Delivery, Delivery.recipient == ZOE["email"]) == kept_to_zoe
    found = await leftovers(
        portico, [hugo["id"], HUGO["email"], CAMILLE["email"]], services=["notifier"]
    )
    assert found == []
    # Staff keep what they were told of the client; a deletion is no erasure.
    titles = [item["title"] for item in await staff.notifications(6)]
    assert any("Atelier Lumière opened" in title for title in titles), titles

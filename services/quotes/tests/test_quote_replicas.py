"""The quotes service's replica of the portal's clients, staff and organisation: the newest
picture wins, an event delivered twice or late changes nothing, and a deleted client stays
deleted, its drafts never sent gone and every quote sent kept, its links revoked."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from portico.contracts import Envelope, Event
from portico.contracts.events.portal import (
    ClientCreated,
    ClientDeleted,
    ClientUpdated,
    OrganisationUpdated,
    StaffUserChanged,
)
from portico.kit.testing.services import RunningPortico
from portico.quotes.models import OrganisationReplica
from portico.quotes.testing import (
    CLIENTS,
    QUOTES,
    field_of,
    known_to_quotes,
    make_client,
    make_quote,
    replica_of,
    send,
    simple_quote,
)


def portal_event(event: Event, time: datetime) -> Envelope:
    """A new delivery of ``event``, as the portal would have emitted it at ``time``."""
    return Envelope(
        type=event.event_type,
        source="portal",
        time=time,
        subject=event.subject(),
        correlation_id=str(uuid.uuid4()),
        data=event.model_dump(mode="json"),
    )


async def handled(portico: RunningPortico, admin: dict[str, str]) -> None:
    """Returns once a client made now is known: what was published before it has been
    handled too."""
    await make_client(portico, admin, name=f"Marker {uuid.uuid4().hex[:6]}")


async def test_the_newest_picture_wins_and_a_redelivery_changes_nothing(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    [created] = await portico.events.wait_for(ClientCreated.event_type, subject=client["id"])
    renamed = await portico.http.patch(
        f"{CLIENTS}/{client['id']}", json={"name": "Atelier Lumière & Fils"}, headers=admin
    )
    assert renamed.status_code == 200, renamed.text
    [updated] = await portico.events.wait_for(ClientUpdated.event_type, subject=client["id"])
    await known_to_quotes(portico, client["id"], name="Atelier Lumière & Fils")

    # The same deliveries again, and the creation arriving late as a new delivery.
    await portico.host.bus.publish([created])
    await portico.host.bus.publish([updated])
    late = created.event()
    await portico.host.bus.publish([portal_event(late, created.time - timedelta(seconds=1))])
    await handled(portico, admin)

    held = await replica_of(portico, client["id"])
    assert held is not None and held.name == "Atelier Lumière & Fils"
    assert [c["email"] for c in held.contacts] == [client["contacts"][0]["email"]]
    made = await make_quote(portico, portico.headers("staff"), simple_quote(client))
    assert made["client_name"] == "Atelier Lumière & Fils"


async def test_a_deleted_client_loses_its_drafts_and_keeps_what_was_sent(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    kept_client = await make_client(portico, admin, name="Boulangerie Dupont")
    staff = portico.headers("staff")
    draft = await make_quote(portico, staff, simple_quote(client, title="Brouillon"))
    sent = await make_quote(portico, staff, simple_quote(client, title="Envoyé"))
    reopened = await make_quote(portico, staff, simple_quote(client, title="Rouvert"))
    other = await make_quote(portico, staff, simple_quote(kept_client, title="Autre"))
    for quote in (sent, reopened):
        assert (await send(portico, staff, quote)).status_code == 200
    await portico.http.post(f"{QUOTES}/{reopened['id']}/reopen", headers=staff)

    deleted = await portico.http.delete(f"{CLIENTS}/{client['id']}", headers=admin)
    assert deleted.status_code == 204, deleted.text
    [event] = await portico.events.wait_for(ClientDeleted.event_type, subject=client["id"])
    await known_to_quotes(portico, client["id"], deleted=True)

    async def titles() -> list[str]:
        listed = await portico.http.get(QUOTES, headers=staff)
        return sorted(item["title"] for item in listed.json()["items"])

    # The draft never sent is gone; what was sent (reopened since or not) is kept, under
    # the client's name.
    assert await titles() == ["Autre", "Envoyé", "Rouvert"]
    assert (await portico.http.get(f"{QUOTES}/{draft['id']}", headers=staff)).status_code == 404
    kept = (await portico.http.get(f"{QUOTES}/{sent['id']}", headers=staff)).json()
    assert (kept["status"], kept["client_name"]) == ("sent", "Atelier Lumière")
    held = await replica_of(portico, client["id"])
    assert held is not None and held.deleted and held.contacts == []

    # Nothing more goes to the client: no send, no copy, no new quote.
    resend = await send(portico, staff, sent)
    assert resend.status_code == 409 and "deleted" in resend.json()["detail"]
    copy = await portico.http.post(f"{QUOTES}/{sent['id']}/duplicate", headers=staff)
    assert copy.status_code == 409
    refused = await portico.http.post(QUOTES, json=simple_quote(client), headers=staff)
    assert refused.status_code == 422 and field_of(refused) == "client_id"

    # Delivered again, or a late picture of the client: it stays deleted.
    await portico.host.bus.publish([event])
    created = ClientCreated(
        client_id=uuid.UUID(client["id"]),
        name="Atelier Lumière",
        contacts=[
            {
                key: client["contacts"][0][key]
                for key in ("id", "first_name", "last_name", "email", "locale")
            }
        ],
    )
    await portico.host.bus.publish([portal_event(created, datetime.now(UTC))])
    await handled(portico, admin)
    held = await replica_of(portico, client["id"])
    assert held is not None and held.deleted
    assert await titles() == ["Autre", "Envoyé", "Rouvert"]
    assert (await portico.http.get(f"{QUOTES}/{other['id']}", headers=staff)).status_code == 200


def staff_change(user_id: uuid.UUID, **fields: Any) -> StaffUserChanged:
    return StaffUserChanged(
        user_id=user_id,
        email="lea@studio.example",
        first_name="Léa",
        last_name="Bernard",
        role="staff",
        **fields,
    )


async def test_a_quote_is_assigned_to_an_active_staff_member_the_newest_change_telling(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    staff = portico.headers("staff")
    lea = uuid.uuid4()
    now = datetime.now(UTC)

    async def assigned() -> Any:
        await handled(portico, admin)
        return await portico.http.post(
            QUOTES, json=simple_quote(client, assignee_id=str(lea)), headers=staff
        )

    unknown = await assigned()
    assert unknown.status_code == 422 and field_of(unknown) == "assignee_id"
    await portico.host.bus.publish([portal_event(staff_change(lea), now)])
    made = await assigned()
    assert made.status_code == 201, made.text
    assert made.json()["assignee_id"] == str(lea)
    # An older change arriving late does not undo the newer one; a newer one does.
    stale = staff_change(lea, active=False)
    await portico.host.bus.publish([portal_event(stale, now - timedelta(minutes=1))])
    assert (await assigned()).status_code == 201
    await portico.host.bus.publish([portal_event(stale, now + timedelta(minutes=1))])
    deactivated = await assigned()
    assert deactivated.status_code == 422 and "deactivated" in deactivated.text


async def test_the_organisation_s_branding_is_kept_the_newest_telling(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    async def held() -> OrganisationReplica | None:
        async with portico.runtime("quotes").database.sessions() as session:
            return await session.get(OrganisationReplica, 1)

    settings = {"name": "Studio Lumière", "brand_colour": "#2f5bea", "default_locale": "fr"}
    saved = await portico.http.put("/api/portal/v1/organisation", json=settings, headers=admin)
    assert saved.status_code == 200, saved.text
    [announced] = await portico.events.wait_for(OrganisationUpdated.event_type)
    await handled(portico, admin)
    kept = await held()
    assert kept is not None
    assert (kept.name, kept.brand_colour, kept.default_locale) == (
        "Studio Lumière",
        "#2f5bea",
        "fr",
    )

    # The same announcement again, and an older picture arriving late: nothing moves.
    await portico.host.bus.publish([announced])
    older = OrganisationUpdated(name="Ancien nom", brand_colour="#000000")
    await portico.host.bus.publish([portal_event(older, announced.time - timedelta(minutes=1))])
    await handled(portico, admin)
    kept = await held()
    assert kept is not None and (kept.name, kept.brand_colour) == ("Studio Lumière", "#2f5bea")

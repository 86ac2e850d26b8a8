"""A client's profile: updates, contacts, custom attributes, history, filters, deletion."""

from __future__ import annotations

import uuid

from portico.contracts.events.portal import ClientDeleted, ClientUpdated
from portico.kit.testing.services import RunningPortico

CLIENTS = "/api/portal/v1/clients"
CLIENT = {
    "name": "Atelier Lumière",
    "address": {
        "line1": "12 rue des Arts",
        "postal_code": "75003",
        "city": "Paris",
        "country": "fr",
    },
    "tags": ["architecture"],
    "contacts": [
        {"first_name": "Camille", "last_name": "Durand", "email": "camille@lumiere.example"},
        {"first_name": "Hugo", "last_name": "Martin", "email": "hugo@lumiere.example"},
    ],
}


async def define(portico: RunningPortico, admin: dict[str, str], **definition: object) -> None:
    response = await portico.http.post("/api/portal/v1/attributes", json=definition, headers=admin)
    assert response.status_code == 201, response.text


async def create(portico: RunningPortico, admin: dict[str, str], body: dict | None = None) -> dict:
    response = await portico.http.post(CLIENTS, json=body or CLIENT, headers=admin)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_a_patch_changes_what_it_names_and_emits_the_whole_replica(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await create(portico, admin)
    assert client["address"]["country"] == "FR"
    me = (await portico.http.get("/api/portal/v1/me", headers=admin)).json()
    patched = await portico.http.patch(
        f"{CLIENTS}/{client['id']}",
        json={
            "address": {"city": "Lyon"},
            "phone": "+33 4 00 00 00 00",
            "assigned_staff_id": me["id"],
        },
        headers=admin,
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert body["address"] == {
        "line1": "12 rue des Arts",
        "line2": None,
        "postal_code": "75003",
        "city": "Lyon",
        "region": None,
        "country": "FR",
    }
    assert (body["phone"], body["assigned_staff_id"], body["name"]) == (
        "+33 4 00 00 00 00",
        me["id"],
        "Atelier Lumière",
    )
    [envelope] = await portico.events.wait_for(ClientUpdated.event_type, subject=client["id"])
    event = envelope.event()
    assert isinstance(event, ClientUpdated)
    assert sorted(event.changed_fields) == ["address.city", "assigned_staff_id", "phone"]
    assert event.origin == me["id"]
    assert event.address is not None and event.address.city == "Lyon"
    assert [contact.email for contact in event.contacts] == [
        "camille@lumiere.example",
        "hugo@lumiere.example",
    ]


async def test_a_patch_that_changes_nothing_emits_nothing(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await create(portico, admin)
    same = await portico.http.patch(
        f"{CLIENTS}/{client['id']}", json={"name": "Atelier Lumière"}, headers=admin
    )
    assert same.status_code == 200
    marker = await create(portico, admin, {"name": "Marker"})
    await portico.events.wait_for("portico.portal.client_created.v1", subject=marker["id"])
    assert portico.events.of_type(ClientUpdated.event_type, subject=client["id"]) == []


async def test_bad_updates_name_the_field_and_keep_the_stored_client(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await create(portico, admin)
    cases = [
        ({"name": None}, "name"),
        ({"name": ""}, "name"),
        ({"address": {"country": "France"}}, "address.country"),
        ({"assigned_staff_id": str(uuid.uuid4())}, "assigned_staff_id"),
        ({"attributes": {"unknown": 1}}, "attributes.unknown"),
        ({"colour": "red"}, "colour"),
    ]
    for body, field in cases:
        response = await portico.http.patch(f"{CLIENTS}/{client['id']}", json=body, headers=admin)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == field, body
    stored = (await portico.http.get(f"{CLIENTS}/{client['id']}", headers=admin)).json()
    assert stored == client


async def test_custom_attributes_are_checked_against_their_definition(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    await define(portico, admin, key="employees", label="Employees", type="number")
    await define(
        portico, admin, key="sector", label="Sector", type="choice", choices=["Retail", "Tech"]
    )
    await define(portico, admin, key="newsletter", label="Newsletter", type="boolean")
    client = await create(portico, admin, {**CLIENT, "attributes": {"employees": 12}})
    assert client["attributes"] == {"employees": 12}

    updated = await portico.http.patch(
        f"{CLIENTS}/{client['id']}",
        json={"attributes": {"sector": "Tech", "newsletter": True, "employees": None}},
        headers=admin,
    )
    assert updated.json()["attributes"] == {"sector": "Tech", "newsletter": True}
    wrong = await portico.http.patch(
        f"{CLIENTS}/{client['id']}", json={"attributes": {"sector": "Farming"}}, headers=admin
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0] == {
        "field": "attributes.sector",
        "location": "body",
        "message": "must be one of Retail, Tech",
        "code": "invalid",
    }
    listed = (await portico.http.get("/api/portal/v1/attributes", headers=admin)).json()
    assert [definition["key"] for definition in listed] == ["employees", "newsletter", "sector"]
    staff_define = await portico.http.post(
        "/api/portal/v1/attributes",
        json={"key": "x", "label": "X"},
        headers=portico.headers("staff"),
    )
    assert staff_define.status_code == 403
    duplicate = await portico.http.post(
        "/api/portal/v1/attributes", json={"key": "sector", "label": "Again"}, headers=admin
    )
    assert duplicate.status_code == 422 and duplicate.json()["errors"][0]["field"] == "key"


async def test_contacts_are_added_changed_and_removed_with_a_history(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await create(portico, admin)
    added = await portico.http.post(
        f"{CLIENTS}/{client['id']}/contacts",
        json={
            "first_name": "Inès",
            "last_name": "Roux",
            "email": "ines@lumiere.example",
            "locale": "fr",
        },
        headers=admin,
    )
    assert added.status_code == 201, added.text
    ines = added.json()
    changed = await portico.http.patch(
        f"{CLIENTS}/{client['id']}/contacts/{ines['id']}", json={"role": "Comptable"}, headers=admin
    )
    assert changed.json()["role"] == "Comptable"
    hugo = client["contacts"][1]
    removed = await portico.http.delete(
        f"{CLIENTS}/{client['id']}/contacts/{hugo['id']}", headers=admin
    )
    assert removed.status_code == 204
    stored = (await portico.http.get(f"{CLIENTS}/{client['id']}", headers=admin)).json()
    assert [contact["first_name"] for contact in stored["contacts"]] == ["Camille", "Inès"]

    entries = (await portico.http.get(f"{CLIENTS}/{client['id']}/history", headers=admin)).json()
    assert [entry["summary"] for entry in entries][-1] == "created"
    assert {entry["summary"] for entry in entries} == {
        "created",
        "contact_added",
        "updated",
        "contact_removed",
    }
    role_change = next(entry for entry in entries if entry["summary"] == "updated")
    assert role_change["changes"] == [
        {"field": f"contacts.{ines['id']}.role", "old": None, "new": "Comptable"}
    ]
    assert role_change["origin_kind"] == "staff"

    elsewhere = await create(portico, admin, {"name": "Autre"})
    wrong_client = await portico.http.patch(
        f"{CLIENTS}/{elsewhere['id']}/contacts/{ines['id']}", json={"role": "x"}, headers=admin
    )
    assert wrong_client.status_code == 404


async def test_clients_are_filtered_by_tag_assignee_and_portal_status(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    me = (await portico.http.get("/api/portal/v1/me", headers=admin)).json()
    await create(portico, admin, {"name": "Alpha", "tags": ["vip", "100%"]})
    await create(
        portico, admin, {"name": "Beta", "tags": ["vipish"], "assigned_staff_id": me["id"]}
    )
    await create(portico, admin, {"name": "Gamma"})

    async def names(query: str) -> list[str]:
        page = (await portico.http.get(f"{CLIENTS}?{query}", headers=admin)).json()
        return [client["name"] for client in page["items"]]

    assert await names("tag=vip") == ["Alpha"]
    assert await names("tag=100%25") == ["Alpha"]
    assert await names("tag=10") == []
    assert await names(f"assigned_staff_id={me['id']}") == ["Beta"]
    assert await names("portal_status=none") == ["Alpha", "Beta", "Gamma"]
    assert await names("portal_status=active") == []
    bad = await portico.http.get(f"{CLIENTS}?portal_status=happy", headers=admin)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "portal_status"


async def test_deleting_a_client_emits_client_deleted_and_forgets_it(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await create(portico, admin)
    deleted = await portico.http.delete(f"{CLIENTS}/{client['id']}", headers=admin)
    assert deleted.status_code == 204
    [envelope] = await portico.events.wait_for(ClientDeleted.event_type)
    assert envelope.subject == client["id"]
    assert (await portico.http.get(f"{CLIENTS}/{client['id']}", headers=admin)).status_code == 404
    again = await portico.http.delete(f"{CLIENTS}/{client['id']}", headers=admin)
    assert again.status_code == 404

"""The clients API, through HTTP, on both adapters."""

from __future__ import annotations

from portico.contracts.events.portal import ClientCreated
from portico.kit.testing.services import RunningPortico
from portico.portal.testing import ADMIN_EMAIL

CLIENT = {
    "kind": "company",
    "name": "Atelier Lumière",
    "legal_id": "FR40303265045",
    "tags": ["architecture", "architecture", "paris"],
    "contacts": [
        {
            "first_name": "Camille",
            "last_name": "Durand",
            "email": "camille@lumiere.example",
            "locale": "fr",
        },
        {"first_name": "Hugo", "last_name": "Martin", "email": "hugo@lumiere.example"},
    ],
}


async def test_staff_creates_a_client_and_reads_it_back(portico: RunningPortico) -> None:
    created = await portico.http.post(
        "/api/portal/v1/clients", json=CLIENT, headers=portico.headers("staff")
    )
    assert created.status_code == 201, created.text
    client = created.json()
    assert client["name"] == "Atelier Lumière"
    assert client["tags"] == ["architecture", "paris"]
    assert [c["email"] for c in client["contacts"]] == [
        "camille@lumiere.example",
        "hugo@lumiere.example",
    ]
    assert client["contacts"][1]["locale"] == "en"

    read = await portico.http.get(
        f"/api/portal/v1/clients/{client['id']}", headers=portico.headers("staff")
    )
    assert read.status_code == 200
    assert read.json() == client


async def test_creating_a_client_emits_client_created_with_its_replica(
    portico: RunningPortico,
) -> None:
    created = await portico.http.post(
        "/api/portal/v1/clients", json=CLIENT, headers=portico.headers()
    )
    [envelope] = await portico.events.wait_for("portico.portal.client_created.v1")
    assert envelope.source == "portal"
    assert envelope.subject == created.json()["id"]
    event = envelope.event()
    assert isinstance(event, ClientCreated)
    assert (event.name, event.legal_id, event.tags) == (
        "Atelier Lumière",
        "FR40303265045",
        ["architecture", "paris"],
    )
    assert [(c.email, c.locale) for c in event.contacts] == [
        ("camille@lumiere.example", "fr"),
        ("hugo@lumiere.example", "en"),
    ]


async def test_clients_are_listed_by_name_and_found_by_contact(portico: RunningPortico) -> None:
    for name in ("Zeta Conseil", "Alpha Bâtiment"):
        response = await portico.http.post(
            "/api/portal/v1/clients", json={"name": name}, headers=portico.headers()
        )
        assert response.status_code == 201
    await portico.http.post("/api/portal/v1/clients", json=CLIENT, headers=portico.headers())

    page = (
        await portico.http.get("/api/portal/v1/clients?limit=2", headers=portico.headers())
    ).json()
    assert [c["name"] for c in page["items"]] == ["Alpha Bâtiment", "Atelier Lumière"]
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 0)

    found = (
        await portico.http.get("/api/portal/v1/clients?q=durand", headers=portico.headers())
    ).json()
    assert [c["name"] for c in found["items"]] == ["Atelier Lumière"]


async def test_the_latest_changed_clients_come_first_when_asked(portico: RunningPortico) -> None:
    ids = {}
    for name in ("Alpha Bâtiment", "Zeta Conseil", "Mu Design"):
        response = await portico.http.post(
            "/api/portal/v1/clients", json={"name": name}, headers=portico.headers()
        )
        ids[name] = response.json()["id"]
    changed = await portico.http.patch(
        f"/api/portal/v1/clients/{ids['Alpha Bâtiment']}",
        json={"phone": "+33 1 23 45 67 89"},
        headers=portico.headers(),
    )
    assert changed.status_code == 200, changed.text
    recent = (
        await portico.http.get("/api/portal/v1/clients?sort=recent", headers=portico.headers())
    ).json()
    assert [c["name"] for c in recent["items"]] == ["Alpha Bâtiment", "Mu Design", "Zeta Conseil"]
    wrong = await portico.http.get("/api/portal/v1/clients?sort=size", headers=portico.headers())
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "sort"


async def test_invalid_client_is_refused_naming_the_field_and_nothing_is_stored(
    portico: RunningPortico,
) -> None:
    bad = {**CLIENT, "contacts": [{**CLIENT["contacts"][0], "email": "not-an-email"}]}
    response = await portico.http.post(
        "/api/portal/v1/clients", json=bad, headers=portico.headers()
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    fields = [error["field"] for error in response.json()["errors"]]
    assert fields == ["contacts.0.email"]
    listed = (await portico.http.get("/api/portal/v1/clients", headers=portico.headers())).json()
    assert listed["total"] == 0


async def test_an_unknown_client_is_a_404_problem(portico: RunningPortico) -> None:
    response = await portico.http.get(
        "/api/portal/v1/clients/6b1f6a4e-3c55-4b8e-a7a4-1f6f1a1d9c11", headers=portico.headers()
    )
    assert response.status_code == 404
    assert response.json()["status"] == 404


async def test_clients_need_a_staff_token(portico: RunningPortico) -> None:
    anonymous = await portico.http.get("/api/portal/v1/clients")
    assert anonymous.status_code == 401
    client_token = portico.headers(
        "client",
        client_id="6b1f6a4e-3c55-4b8e-a7a4-1f6f1a1d9c11",
        contact_id="1b1f6a4e-3c55-4b8e-a7a4-1f6f1a1d9c12",
    )
    as_client = await portico.http.get("/api/portal/v1/clients", headers=client_token)
    assert as_client.status_code == 403


async def test_a_contact_address_cannot_be_a_staff_users(portico: RunningPortico) -> None:
    staff = portico.headers("staff")
    # The first admin's address, in another case.
    taken = ADMIN_EMAIL.upper()
    created = await portico.http.post(
        "/api/portal/v1/clients",
        json={
            **CLIENT,
            "contacts": [CLIENT["contacts"][0], {**CLIENT["contacts"][1], "email": taken}],
        },  # type: ignore[index]
        headers=staff,
    )
    assert created.status_code == 422, created.text
    assert created.headers["content-type"] == "application/problem+json"
    assert created.json()["errors"][0]["field"] == "contacts.1.email"
    assert "staff user" in created.json()["errors"][0]["message"]

    client = (await portico.http.post("/api/portal/v1/clients", json=CLIENT, headers=staff)).json()
    contacts = f"/api/portal/v1/clients/{client['id']}/contacts"
    added = await portico.http.post(
        contacts,
        json={"first_name": "Léa", "last_name": "Bernard", "email": taken},
        headers=staff,
    )
    assert added.status_code == 422
    assert added.json()["errors"][0]["field"] == "email"
    changed = await portico.http.patch(
        f"{contacts}/{client['contacts'][0]['id']}", json={"email": taken}, headers=staff
    )
    assert changed.status_code == 422
    assert changed.json()["errors"][0]["field"] == "email"
    stored = (
        await portico.http.get(f"/api/portal/v1/clients/{client['id']}", headers=staff)
    ).json()
    assert [contact["email"] for contact in stored["contacts"]] == [
        "camille@lumiere.example",
        "hugo@lumiere.example",
    ]


async def test_two_contacts_may_share_an_address(portico: RunningPortico) -> None:
    # One person may be a contact at several clients: only staff addresses are refused.
    for name in ("Atelier Lumière", "Lumière Conseil"):
        created = await portico.http.post(
            "/api/portal/v1/clients",
            json={**CLIENT, "name": name},
            headers=portico.headers("staff"),
        )
        assert created.status_code == 201, created.text

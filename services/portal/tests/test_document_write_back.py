"""DocumentCompleted writes mapped values into the client's profile, once, with a history."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from portico.contracts import Envelope
from portico.contracts.events.portal import ClientUpdated
from portico.contracts.events.signing import DocumentCompleted, MappedField, SignedCopy
from portico.kit.testing.services import RunningPortico

CLIENTS = "/api/portal/v1/clients"
CLIENT = {
    "name": "Atelier Lumière",
    "address": {"line1": "12 rue des Arts", "city": "Paris", "country": "FR"},
    "contacts": [
        {"first_name": "Camille", "last_name": "Durand", "email": "camille@lumiere.example"}
    ],
}


def document_completed(client: dict, *mapped: MappedField) -> Envelope:
    submission_id = uuid.uuid4()
    contact = client["contacts"][0]
    event = DocumentCompleted(
        submission_id=submission_id,
        template_id=uuid.uuid4(),
        document_name="Mandat",
        client_id=uuid.UUID(client["id"]),
        completed_at=datetime.now(UTC),
        submitters=[
            SignedCopy(
                id=contact["id"],
                name="Camille Durand",
                email=contact["email"],
                copy_url=f"http://portico.test/sign/{submission_id}/copy",
            )
        ],
        completed_pdf_key=f"submissions/{submission_id}/completed.pdf",
        completed_pdf_sha256="9f" * 32,
        certificate_key=f"submissions/{submission_id}/certificate.pdf",
        mapped_fields=list(mapped),
    )
    return Envelope.wrap(event, source="signing")


async def setup(portico: RunningPortico, admin: dict[str, str]) -> dict:
    defined = await portico.http.post(
        "/api/portal/v1/attributes",
        json={"key": "employees", "label": "Employees", "type": "number"},
        headers=admin,
    )
    assert defined.status_code == 201
    created = await portico.http.post(CLIENTS, json=CLIENT, headers=admin)
    assert created.status_code == 201
    return dict(created.json())


async def history_of(portico: RunningPortico, admin: dict[str, str], client: dict) -> list[dict]:
    response = await portico.http.get(f"{CLIENTS}/{client['id']}/history", headers=admin)
    return list(response.json())


async def wait_for_history(
    portico: RunningPortico, admin: dict[str, str], client: dict, entries: int
) -> list[dict]:
    for _ in range(200):
        found = await history_of(portico, admin, client)
        if len(found) >= entries:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"the client's history did not reach {entries} entries")


async def test_mapped_values_update_the_client_and_its_contact(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await setup(portico, admin)
    contact_id = client["contacts"][0]["id"]
    envelope = document_completed(
        client,
        MappedField(target="client.address.city", value="Lyon"),
        MappedField(target="client.address.postal_code", value="69002"),
        MappedField(target="client.legal_id", value="FR40303265045"),
        MappedField(target="client.attributes.employees", value="14"),
        MappedField(target="contact.phone", contact_id=contact_id, value="+33 6 12 34 56 78"),
    )
    await portico.host.bus.publish([envelope])

    [updated] = await portico.events.wait_for(ClientUpdated.event_type, subject=client["id"])
    event = updated.event()
    assert isinstance(event, ClientUpdated)
    assert event.origin == f"document:{envelope.subject}"
    assert sorted(event.changed_fields) == [
        "address.city",
        "address.postal_code",
        "attributes.employees",
        f"contacts.{contact_id}.phone",
        "legal_id",
    ]
    stored = (await portico.http.get(f"{CLIENTS}/{client['id']}", headers=admin)).json()
    assert (stored["address"]["city"], stored["address"]["postal_code"]) == ("Lyon", "69002")
    assert stored["address"]["line1"] == "12 rue des Arts"
    assert stored["attributes"] == {"employees": 14}
    assert stored["legal_id"] == "FR40303265045"
    assert stored["contacts"][0]["phone"] == "+33 6 12 34 56 78"

    [latest, _created] = await history_of(portico, admin, client)
    assert (latest["summary"], latest["origin_kind"], latest["origin_id"]) == (
        "document_completed",
        "document",
        envelope.subject,
    )
    assert {"field": "address.city", "old": "Paris", "new": "Lyon"} in latest["changes"]
    assert latest["rejected"] == []


async def test_invalid_values_are_not_written_and_the_history_says_why(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await setup(portico, admin)
    contact_id = client["contacts"][0]["id"]
    envelope = document_completed(
        client,
        MappedField(target="client.address.country", value="France"),
        MappedField(target="client.attributes.employees", value="a dozen"),
        MappedField(target="client.attributes.unknown", value="x"),
        MappedField(target="client.tags", value="vip"),
        MappedField(target="contact.email", contact_id=contact_id, value="not an email"),
        MappedField(target="contact.phone", contact_id=uuid.uuid4(), value="+33 6"),
        MappedField(target="client.address.city", value="Lyon"),
    )
    await portico.host.bus.publish([envelope])

    latest = (await wait_for_history(portico, admin, client, 2))[0]
    assert latest["changes"] == [{"field": "address.city", "old": "Paris", "new": "Lyon"}]
    reasons = {item["field"]: item["reason"] for item in latest["rejected"]}
    assert set(reasons) == {
        "client.address.country",
        "client.attributes.employees",
        "client.attributes.unknown",
        "client.tags",
        "contact.email",
        "contact.phone",
    }
    assert "must be a number" in reasons["client.attributes.employees"]
    assert "cannot be filled in by a document" in reasons["client.tags"]
    assert "not one of this client's" in reasons["contact.phone"]
    stored = (await portico.http.get(f"{CLIENTS}/{client['id']}", headers=admin)).json()
    assert (stored["address"]["country"], stored["address"]["city"]) == ("FR", "Lyon")
    assert stored["contacts"][0]["email"] == "camille@lumiere.example"
    assert stored["attributes"] == {}


async def test_a_redelivered_document_changes_nothing_more(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await setup(portico, admin)
    envelope = document_completed(client, MappedField(target="client.address.city", value="Lyon"))
    await portico.host.bus.publish([envelope])
    await portico.host.bus.publish([envelope])
    await portico.events.wait_for(ClientUpdated.event_type, subject=client["id"])
    # A later event proves both deliveries were handled before we count.
    marker = document_completed(client, MappedField(target="client.phone", value="+33 1"))
    await portico.host.bus.publish([marker])
    await portico.events.wait_for(ClientUpdated.event_type, 2, subject=client["id"])
    entries = await history_of(portico, admin, client)
    assert [entry["summary"] for entry in entries] == [
        "document_completed",
        "document_completed",
        "created",
    ]
    assert len(portico.events.of_type(ClientUpdated.event_type, subject=client["id"])) == 2


async def test_a_document_cannot_give_a_contact_a_staff_users_address(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await setup(portico, admin)
    contact_id = client["contacts"][0]["id"]
    envelope = document_completed(
        client,
        MappedField(target="contact.email", contact_id=contact_id, value="admin@studio.example"),
        MappedField(target="client.address.city", value="Lyon"),
    )
    await portico.host.bus.publish([envelope])

    latest = (await wait_for_history(portico, admin, client, 2))[0]
    assert latest["changes"] == [{"field": "address.city", "old": "Paris", "new": "Lyon"}]
    [rejected] = latest["rejected"]
    assert rejected["field"] == "contact.email"
    assert "already the email of a staff user" in rejected["reason"]
    stored = (await portico.http.get(f"{CLIENTS}/{client['id']}", headers=admin)).json()
    assert stored["contacts"][0]["email"] == "camille@lumiere.example"

"""The portal from end to end, as the issue's "done when" tells it: an admin logs in,
creates a client with two contacts, invites one; the link of ClientInvited sets a password;
the client logs in and sees exactly its shared workspace, and nothing of another client's;
a signed document's mapped values update the client's address."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from portico.contracts import Envelope
from portico.contracts.events.portal import ClientInvited, ClientUpdated
from portico.contracts.events.signing import DocumentCompleted, MappedField
from portico.kit.testing.services import RunningPortico
from portico.portal.testing import ADMIN_EMAIL, ADMIN_PASSWORD, LogIn

API = "/api/portal/v1"
PASSWORD = "Lumiere-Portal-2026!"


def bearer(tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def test_from_the_first_admin_to_a_client_in_its_workspace(
    portico: RunningPortico, log_in: LogIn
) -> None:
    admin = bearer(await log_in(ADMIN_EMAIL, ADMIN_PASSWORD))
    http = portico.http

    client = (
        await http.post(
            f"{API}/clients",
            json={
                "name": "Atelier Lumière",
                "address": {"line1": "12 rue des Arts", "city": "Paris", "country": "FR"},
                "contacts": [
                    {
                        "first_name": "Camille",
                        "last_name": "Durand",
                        "email": "camille@lumiere.example",
                        "locale": "fr",
                    },
                    {"first_name": "Hugo", "last_name": "Martin", "email": "hugo@lumiere.example"},
                ],
            },
            headers=admin,
        )
    ).json()
    camille, hugo = client["contacts"]
    other = (
        await http.post(
            f"{API}/clients",
            json={
                "name": "Autre Client",
                "contacts": [
                    {"first_name": "Zoé", "last_name": "Petit", "email": "z@autre.example"}
                ],
            },
            headers=admin,
        )
    ).json()

    invited = await http.post(
        f"{API}/clients/{client['id']}/contacts/{camille['id']}/invitation", headers=admin
    )
    assert invited.status_code == 201
    [envelope] = await portico.events.wait_for(ClientInvited.event_type)
    accept_url = str(envelope.event().accept_url)  # type: ignore[attr-defined]
    token = parse_qs(urlsplit(accept_url).query)["token"][0]
    accepted = await http.post(
        f"{API}/invitations/accept", json={"token": token, "password": PASSWORD}
    )
    assert accepted.status_code == 200, accepted.text

    shared = (
        await http.post(
            f"{API}/clients/{client['id']}/workspaces",
            json={"name": "Rénovation atelier", "contact_ids": [camille["id"]]},
            headers=admin,
        )
    ).json()
    hidden = (
        await http.post(
            f"{API}/clients/{client['id']}/workspaces",
            json={"name": "Interne", "contact_ids": [hugo["id"]]},
            headers=admin,
        )
    ).json()
    elsewhere = (
        await http.post(
            f"{API}/clients/{other['id']}/workspaces",
            json={"name": "Autre projet", "contact_ids": [other["contacts"][0]["id"]]},
            headers=admin,
        )
    ).json()
    base = f"{API}/workspaces/{shared['id']}"
    note = await http.post(
        f"{base}/notes",
        json={
            "title": "Compte rendu",
            "body_html": "<p>Plans <b>validés</b><script>x()</script></p>",
        },
        headers=admin,
    )
    assert note.status_code == 201, note.text
    assert (
        await http.post(
            f"{base}/links",
            json={"title": "Maquettes", "url": "https://figma.com/file/abc"},
            headers=admin,
        )
    ).status_code == 201
    uploaded = await http.post(
        f"{base}/files",
        files={"file": ("plans.pdf", b"%PDF-1.4\n% plans\n", "application/pdf")},
        headers=admin,
    )
    assert uploaded.status_code == 201, uploaded.text
    task = await http.post(
        f"{base}/tasks",
        json={"title": "Envoyer le Kbis", "assignee": {"kind": "contact", "id": camille["id"]}},
        headers=admin,
    )
    assert task.status_code == 201, task.text
    assert (
        await http.post(f"{base}/messages", json={"body": "Bienvenue !"}, headers=admin)
    ).status_code == 201

    client_session = bearer(await log_in("camille@lumiere.example", PASSWORD))
    listed = (await http.get(f"{API}/workspaces", headers=client_session)).json()
    assert [workspace["id"] for workspace in listed["items"]] == [shared["id"]]
    notes = (await http.get(f"{base}/notes", headers=client_session)).json()
    assert [n["title"] for n in notes] == ["Compte rendu"]
    assert "<script>" not in notes[0]["body_html"]
    links = (await http.get(f"{base}/links", headers=client_session)).json()
    assert [link["url"] for link in links] == ["https://figma.com/file/abc"]
    files = (await http.get(f"{base}/files", headers=client_session)).json()
    download = await http.get(f"{base}/files/{files[0]['id']}/download", headers=client_session)
    assert download.content == b"%PDF-1.4\n% plans\n"
    [own_task] = (await http.get(f"{base}/tasks", headers=client_session)).json()
    ticked = await http.patch(
        f"{base}/tasks/{own_task['id']}", json={"done": True}, headers=client_session
    )
    assert ticked.status_code == 200, ticked.text
    replied = await http.post(f"{base}/messages", json={"body": "Merci !"}, headers=client_session)
    assert replied.status_code == 201
    thread = (await http.get(f"{base}/messages", headers=client_session)).json()
    assert [m["body"] for m in thread] == ["Bienvenue !", "Merci !"]

    for workspace in (hidden, elsewhere):
        for path in ("", "/notes", "/links", "/files", "/tasks", "/messages"):
            response = await http.get(
                f"{API}/workspaces/{workspace['id']}{path}", headers=client_session
            )
            assert response.status_code == 404, (workspace["name"], path)
    assert (
        await http.get(f"{API}/clients/{other['id']}", headers=client_session)
    ).status_code == 403

    completed = DocumentCompleted(
        submission_id=uuid.uuid4(),
        template_id=uuid.uuid4(),
        document_name="Mandat",
        client_id=uuid.UUID(client["id"]),
        completed_at=datetime.now(UTC),
        submitters=[],
        completed_pdf_key="submissions/x/completed.pdf",
        completed_pdf_sha256="ab" * 32,
        certificate_key="submissions/x/certificate.pdf",
        mapped_fields=[
            MappedField(target="client.address.line1", value="3 quai Saint-Antoine"),
            MappedField(target="client.address.city", value="Lyon"),
        ],
    )
    await portico.host.bus.publish([Envelope.wrap(completed, source="signing")])
    for _ in range(200):
        stored = (await http.get(f"{API}/clients/{client['id']}", headers=admin)).json()
        if stored["address"]["city"] == "Lyon":
            break
        await asyncio.sleep(0.05)
    assert (stored["address"]["line1"], stored["address"]["city"]) == (
        "3 quai Saint-Antoine",
        "Lyon",
    )
    updates = portico.events.of_type(ClientUpdated.event_type, subject=client["id"])
    assert any(u.event().origin.startswith("document:") for u in updates)  # type: ignore[attr-defined]

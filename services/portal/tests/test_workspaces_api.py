"""Workspaces through HTTP, on both adapters: the whole flow, the limits, and who sees what."""

from __future__ import annotations

import asyncio
import os
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from portico.contracts.events.portal import (
    ClientInvited,
    FileUploaded,
    MessagePosted,
    TaskAssigned,
    TaskCompleted,
    WorkspaceShared,
)
from portico.kit.store import BlobNotFound
from portico.kit.testing.services import RunningPortico
from portico.portal.testing import ADMIN_EMAIL
from portico.portal.workspaces.service import file_key

API = "/api/portal/v1"
PDF = "application/pdf"

CAMILLE = {"first_name": "Camille", "last_name": "Durand", "email": "camille@lumiere.example"}
HUGO = {
    "first_name": "Hugo",
    "last_name": "Martin",
    "email": "hugo@lumiere.example",
    "phone": "+33 6 12 34 56 78",
    "locale": "fr",
}
ZOE = {"first_name": "Zoé", "last_name": "Petit", "email": "zoe@lumiere.example"}
BRUNO = {"first_name": "Bruno", "last_name": "Roux", "email": "bruno@other.example"}


def pdf_bytes(size: int) -> bytes:
    head = b"%PDF-1.7\n"
    return head + os.urandom(size - len(head))


async def create_client(
    portico: RunningPortico, staff: dict[str, str], name: str, *contacts: dict[str, str]
) -> dict[str, Any]:
    response = await portico.http.post(
        f"{API}/clients", json={"name": name, "contacts": list(contacts)}, headers=staff
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def contact_id(client: dict[str, Any], email: str) -> str:
    return str(next(c["id"] for c in client["contacts"] if c["email"] == email))


def as_contact(portico: RunningPortico, client: dict[str, Any], email: str) -> dict[str, str]:
    return portico.headers("client", client_id=client["id"], contact_id=contact_id(client, email))


async def invite(
    portico: RunningPortico, staff: dict[str, str], client: dict[str, Any], email: str
) -> str:
    """Invites the contact; answers the token of the accept link ClientInvited carries."""
    before = len(portico.events.of_type(ClientInvited.event_type, subject=client["id"]))
    invited = await portico.http.post(
        f"{API}/clients/{client['id']}/contacts/{contact_id(client, email)}/invitation",
        headers=staff,
    )
    assert invited.status_code == 201, invited.text
    envelopes = await portico.events.wait_for(
        ClientInvited.event_type, before + 1, subject=client["id"]
    )
    event = envelopes[-1].event()
    assert isinstance(event, ClientInvited)
    return parse_qs(urlsplit(str(event.accept_url)).query)["token"][0]


async def join(
    portico: RunningPortico, staff: dict[str, str], client: dict[str, Any], email: str
) -> None:
    """The contact is invited and accepts: they have portal access."""
    token = await invite(portico, staff, client, email)
    accepted = await portico.http.post(
        f"{API}/invitations/accept", json={"token": token, "password": "Lumiere-Portal-2026!"}
    )
    assert accepted.status_code == 200, accepted.text


async def create_workspace(
    portico: RunningPortico, staff: dict[str, str], client: dict[str, Any], **body: Any
) -> dict[str, Any]:
    response = await portico.http.post(
        f"{API}/clients/{client['id']}/workspaces",
        json={"name": "Rénovation atelier", **body},
        headers=staff,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def upload(
    portico: RunningPortico,
    workspace_id: str,
    headers: dict[str, str],
    content: bytes,
    name: str = "plans.pdf",
    content_type: str = PDF,
) -> Any:
    return await portico.http.post(
        f"{API}/workspaces/{workspace_id}/files",
        files={"file": (name, content, content_type)},
        headers=headers,
    )


def field_at_fault(response: Any) -> str:
    assert response.headers["content-type"].startswith("application/problem+json")
    [error] = response.json()["errors"]
    return str(error["field"])


# --- The whole flow -------------------------------------------------------------------------


async def test_staff_and_a_client_work_together_in_a_workspace(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    me = (await portico.http.get(f"{API}/me", headers=admin)).json()
    client = await create_client(portico, admin, "Atelier Lumière", CAMILLE, HUGO, ZOE)
    camille = as_contact(portico, client, CAMILLE["email"])
    hugo = as_contact(portico, client, HUGO["email"])
    zoe = as_contact(portico, client, ZOE["email"])
    camille_id, hugo_id = contact_id(client, CAMILLE["email"]), contact_id(client, HUGO["email"])
    # Camille and Hugo joined the portal: they are told of what concerns them.
    await join(portico, admin, client, CAMILLE["email"])
    await join(portico, admin, client, HUGO["email"])

    workspace = await create_workspace(
        portico, admin, client, project_name="Atelier 2027", contact_ids=[camille_id]
    )
    ws = workspace["id"]
    assert [m["contact_id"] for m in workspace["members"]] == [camille_id]
    assert (workspace["project_name"], workspace["clients_can_upload"]) == ("Atelier 2027", True)

    # Sharing: only the newly added contacts are told.
    shared = await portico.http.put(
        f"{API}/workspaces/{ws}/members", json={"contact_ids": [camille_id, hugo_id]}, headers=admin
    )
    assert shared.status_code == 200, shared.text
    assert {m["contact_id"] for m in shared.json()["members"]} == {camille_id, hugo_id}
    first, second = await portico.events.wait_for(WorkspaceShared.event_type, 2, subject=ws)
    first_event, second_event = first.event(), second.event()
    assert isinstance(first_event, WorkspaceShared) and isinstance(second_event, WorkspaceShared)
    assert [c.id for c in first_event.contacts] == [uuid.UUID(camille_id)]
    [hugo_person] = second_event.contacts
    assert (hugo_person.id, hugo_person.name, hugo_person.email) == (
        uuid.UUID(hugo_id),
        "Hugo Martin",
        "hugo@lumiere.example",
    )
    assert (hugo_person.phone, hugo_person.locale) == ("+33 6 12 34 56 78", "fr")
    assert second_event.shared_by == uuid.UUID(me["id"])
    assert second_event.workspace_url.endswith(f"/portal/workspaces/{ws}")
    assert second_event.project_name == "Atelier 2027"

    # Each contact lists the workspaces shared with them, and only those.
    mine = (await portico.http.get(f"{API}/workspaces", headers=camille)).json()
    assert ([w["id"] for w in mine["items"]], mine["total"]) == ([ws], 1)
    assert (await portico.http.get(f"{API}/workspaces", headers=zoe)).json()["total"] == 0

    # Notes: sanitised before they are stored; clients read them.
    note = await portico.http.post(
        f"{API}/workspaces/{ws}/notes",
        json={
            "title": "Compte rendu",
            "body_html": '<p onclick="x()">Plans <strong>validés</strong><script>alert(1)</script>'
            '</p><a href="javascript:alert(1)">bad</a>'
            '<a href="https://example.com/plans" target="_blank">plans</a><img src=x>',
        },
        headers=admin,
    )
    assert note.status_code == 201, note.text
    body_html = note.json()["body_html"]
    assert "script" not in body_html and "alert" not in body_html and "onclick" not in body_html
    assert "<img" not in body_html and "javascript" not in body_html
    assert "<p>Plans <strong>validés</strong></p>" in body_html
    assert '<a href="https://example.com/plans" rel="noopener noreferrer">plans</a>' in body_html
    notes = (await portico.http.get(f"{API}/workspaces/{ws}/notes", headers=camille)).json()
    assert [n["body_html"] for n in notes] == [body_html]
    refused = await portico.http.post(
        f"{API}/workspaces/{ws}/notes", json={"title": "t", "body_html": ""}, headers=camille
    )
    assert refused.status_code == 403

    # Links.
    link = await portico.http.post(
        f"{API}/workspaces/{ws}/links",
        json={"title": "Maquettes", "url": "https://figma.com/file/abc"},
        headers=admin,
    )
    assert link.status_code == 201, link.text
    links = (await portico.http.get(f"{API}/workspaces/{ws}/links", headers=camille)).json()
    assert [(item["title"], item["url"]) for item in links] == [
        ("Maquettes", "https://figma.com/file/abc")
    ]

    # Files: a client uploads, staff download the very same bytes.
    content = pdf_bytes(3 * 1024 * 1024 + 17)
    uploaded = await upload(portico, ws, camille, content, name="Plans été.pdf")
    assert uploaded.status_code == 201, uploaded.text
    stored = uploaded.json()
    assert (stored["name"], stored["size"], stored["content_type"]) == (
        "Plans été.pdf",
        len(content),
        PDF,
    )
    assert (stored["author_kind"], stored["author_id"]) == ("client", camille_id)
    downloaded = await portico.http.get(
        f"{API}/workspaces/{ws}/files/{stored['id']}/download", headers=admin
    )
    assert downloaded.status_code == 200
    assert downloaded.content == content
    assert downloaded.headers["content-type"] == PDF
    assert downloaded.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''Plans%20%C3%A9t%C3%A9.pdf" in downloaded.headers["content-disposition"]
    listed = (await portico.http.get(f"{API}/workspaces/{ws}/files", headers=camille)).json()
    assert [f["id"] for f in listed] == [stored["id"]]

    # Tasks: assigned to a member contact, who alone among clients may tick it.
    task = await portico.http.post(
        f"{API}/workspaces/{ws}/tasks",
        json={
            "title": "Envoyer le Kbis",
            "due_on": "2026-12-05",
            "assignee": {"kind": "contact", "id": camille_id},
        },
        headers=admin,
    )
    assert task.status_code == 201, task.text
    task_id = task.json()["id"]
    [assigned] = await portico.events.wait_for(TaskAssigned.event_type, subject=task_id)
    assigned_event = assigned.event()
    assert isinstance(assigned_event, TaskAssigned)
    assert (assigned_event.assignee_kind, assigned_event.assignee.email) == (
        "contact",
        "camille@lumiere.example",
    )
    assert (str(assigned_event.due_on), assigned_event.assigned_by) == (
        "2026-12-05",
        uuid.UUID(me["id"]),
    )
    by_hugo = await portico.http.patch(
        f"{API}/workspaces/{ws}/tasks/{task_id}", json={"done": True}, headers=hugo
    )
    assert by_hugo.status_code == 403
    renamed_by_camille = await portico.http.patch(
        f"{API}/workspaces/{ws}/tasks/{task_id}", json={"title": "Autre"}, headers=camille
    )
    assert renamed_by_camille.status_code == 403
    ticked = await portico.http.patch(
        f"{API}/workspaces/{ws}/tasks/{task_id}", json={"done": True}, headers=camille
    )
    assert ticked.status_code == 200, ticked.text
    assert ticked.json()["done_at"] is not None
    unticked = await portico.http.patch(
        f"{API}/workspaces/{ws}/tasks/{task_id}", json={"done": False}, headers=camille
    )
    assert unticked.json()["done_at"] is None

    # Messages both ways; each side is told of the other's.
    from_client = await portico.http.post(
        f"{API}/workspaces/{ws}/messages", json={"body": "Voici les plans."}, headers=camille
    )
    assert from_client.status_code == 201, from_client.text
    assert from_client.json()["author_name"] == "Camille Durand"
    from_staff = await portico.http.post(
        f"{API}/workspaces/{ws}/messages", json={"body": "Merci, bien reçu !"}, headers=admin
    )
    assert from_staff.status_code == 201, from_staff.text
    assert from_staff.json()["author_name"] == f"{me['first_name']} {me['last_name']}"
    client_posted, staff_posted = await portico.events.wait_for(
        MessagePosted.event_type, 2, subject=ws
    )
    to_staff, to_contacts = client_posted.event(), staff_posted.event()
    assert isinstance(to_staff, MessagePosted) and isinstance(to_contacts, MessagePosted)
    # No staff user is in charge of the client: every admin hears of it.
    assert [(r.kind, r.email) for r in to_staff.recipients] == [("staff", ADMIN_EMAIL)]
    assert (to_staff.author_kind, to_staff.excerpt) == ("client", "Voici les plans.")
    assert sorted((r.kind, r.email) for r in to_contacts.recipients) == [
        ("contact", "camille@lumiere.example"),
        ("contact", "hugo@lumiere.example"),
    ]
    assert to_contacts.author_id == uuid.UUID(me["id"])

    thread = (await portico.http.get(f"{API}/workspaces/{ws}/messages", headers=hugo)).json()
    assert [m["body"] for m in thread] == ["Voici les plans.", "Merci, bien reçu !"]
    newer = await portico.http.get(
        f"{API}/workspaces/{ws}/messages",
        params={"after": thread[0]["created_at"]},
        headers=camille,
    )
    assert [m["body"] for m in newer.json()] == ["Merci, bien reçu !"]


async def test_the_latest_page_of_a_long_thread_and_the_pages_before_it(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await create_client(portico, admin, "Atelier Lumière", CAMILLE)
    ws = (await create_workspace(portico, admin, client))["id"]
    for number in range(7):
        posted = await portico.http.post(
            f"{API}/workspaces/{ws}/messages", json={"body": f"n{number}"}, headers=admin
        )
        assert posted.status_code == 201, posted.text
    thread = f"{API}/workspaces/{ws}/messages"
    latest = await portico.http.get(
        thread, params={"before": "2999-01-01T00:00:00Z", "limit": 3}, headers=admin
    )
    assert [m["body"] for m in latest.json()] == ["n4", "n5", "n6"]
    earlier = await portico.http.get(
        thread, params={"before": latest.json()[0]["created_at"], "limit": 3}, headers=admin
    )
    assert [m["body"] for m in earlier.json()] == ["n1", "n2", "n3"]
    both = await portico.http.get(
        thread, params={"before": "2999-01-01T00:00:00Z", "after": "2000-01-01"}, headers=admin
    )
    assert both.status_code == 422
    assert both.json()["errors"][0]["field"] == "before"


async def test_a_pages_contents_are_every_sections_items_and_the_latest_messages(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    world = await build_world(portico, admin)
    base = f"{API}/workspaces/{world.ws}"
    for number in range(4):
        posted = await portico.http.post(
            f"{base}/messages", json={"body": f"n{number}"}, headers=admin
        )
        assert posted.status_code == 201, posted.text
    camille = as_contact(portico, world.client, CAMILLE["email"])
    contents = await portico.http.get(f"{base}/contents", params={"messages": 3}, headers=camille)
    assert contents.status_code == 200, contents.text
    body = contents.json()
    for kind in ("notes", "links", "files", "tasks"):
        alone = await portico.http.get(f"{base}/{kind}", headers=camille)
        assert body[kind] == alone.json(), kind
        assert [item["id"] for item in body[kind]] == [world.ids[kind[:-1]]]
    # The last three of five messages (Bonjour, n0…n3), oldest first.
    assert [message["body"] for message in body["messages"]] == ["n1", "n2", "n3"]
    too_many = await portico.http.get(f"{base}/contents", params={"messages": 501}, headers=admin)
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "messages"


async def test_a_client_message_goes_to_the_staff_user_in_charge(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    lea = await portico.http.post(
        f"{API}/staff",
        json={
            "email": "lea@studio.example",
            "first_name": "Léa",
            "last_name": "Bernard",
            "password": "Lea-Strong-Password-1",
        },
        headers=admin,
    )
    assert lea.status_code == 201, lea.text
    client = await create_client(portico, admin, "Atelier Lumière", CAMILLE)
    await portico.http.patch(
        f"{API}/clients/{client['id']}", json={"assigned_staff_id": lea.json()["id"]}, headers=admin
    )
    workspace = await create_workspace(
        portico, admin, client, contact_ids=[contact_id(client, CAMILLE["email"])]
    )
    posted = await portico.http.post(
        f"{API}/workspaces/{workspace['id']}/messages",
        json={"body": "Bonjour"},
        headers=as_contact(portico, client, CAMILLE["email"]),
    )
    assert posted.status_code == 201, posted.text
    [envelope] = await portico.events.wait_for(MessagePosted.event_type, subject=workspace["id"])
    event = envelope.event()
    assert isinstance(event, MessagePosted)
    assert [(r.kind, r.email, r.name) for r in event.recipients] == [
        ("staff", "lea@studio.example", "Léa Bernard")
    ]


async def test_a_clients_upload_and_task_done_tell_the_staff_in_charge_and_move_it_up(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    lea = await portico.http.post(
        f"{API}/staff",
        json={
            "email": "lea@studio.example",
            "first_name": "Léa",
            "last_name": "Bernard",
            "password": "Lea-Strong-Password-1",
        },
        headers=admin,
    )
    assert lea.status_code == 201, lea.text
    client = await create_client(portico, admin, "Atelier Lumière", CAMILLE)
    await portico.http.patch(
        f"{API}/clients/{client['id']}", json={"assigned_staff_id": lea.json()["id"]}, headers=admin
    )
    camille_id = contact_id(client, CAMILLE["email"])
    camille = as_contact(portico, client, CAMILLE["email"])
    ws = (await create_workspace(portico, admin, client, contact_ids=[camille_id]))["id"]
    other = await create_client(portico, admin, "Bureau Nord", BRUNO)

    async def most_recent() -> str:
        recent = await portico.http.get(f"{API}/clients?sort=recent&limit=1", headers=admin)
        return str(recent.json()["items"][0]["id"])

    async def read_client() -> dict[str, Any]:
        return dict((await portico.http.get(f"{API}/clients/{client['id']}", headers=admin)).json())

    assert await most_recent() == other["id"]
    before = await read_client()
    assert before["last_activity_at"] is None

    # A file from the client: the staff user in charge hears of it, and the client moves up
    # the dashboard's recent activity, though its record did not change.
    uploaded = await upload(portico, ws, camille, pdf_bytes(2000), "plans-v3.pdf")
    assert uploaded.status_code == 201, uploaded.text
    [envelope] = await portico.events.wait_for(FileUploaded.event_type, subject=ws)
    event = envelope.event()
    assert isinstance(event, FileUploaded)
    assert (event.file_id, event.file_name, event.size_bytes, event.content_type) == (
        uuid.UUID(uploaded.json()["id"]),
        "plans-v3.pdf",
        2000,
        PDF,
    )
    assert (event.uploaded_by_kind, event.uploaded_by_id, event.uploaded_by_name) == (
        "client",
        uuid.UUID(camille_id),
        "Camille Durand",
    )
    assert (event.client_id, event.workspace_name) == (
        uuid.UUID(client["id"]),
        "Rénovation atelier",
    )
    assert [(r.kind, r.email) for r in event.recipients] == [("staff", "lea@studio.example")]
    assert event.workspace_url.endswith(f"/portal/workspaces/{ws}")
    after = await read_client()
    assert after["updated_at"] == before["updated_at"]
    assert after["last_activity_at"] is not None
    assert await most_recent() == client["id"]

    # A task the client ticks: the same.
    await portico.http.patch(f"{API}/clients/{other['id']}", json={"phone": "01"}, headers=admin)
    assert await most_recent() == other["id"]
    task = await portico.http.post(
        f"{API}/workspaces/{ws}/tasks",
        json={"title": "Envoyer le Kbis", "assignee": {"kind": "contact", "id": camille_id}},
        headers=admin,
    )
    task_id = task.json()["id"]
    ticked = await portico.http.patch(
        f"{API}/workspaces/{ws}/tasks/{task_id}", json={"done": True}, headers=camille
    )
    assert ticked.status_code == 200, ticked.text
    [envelope] = await portico.events.wait_for(TaskCompleted.event_type, subject=task_id)
    done = envelope.event()
    assert isinstance(done, TaskCompleted)
    assert (done.title, done.workspace_id, done.completed_by_kind, done.completed_by_name) == (
        "Envoyer le Kbis",
        uuid.UUID(ws),
        "client",
        "Camille Durand",
    )
    assert done.completed_at.isoformat().replace("+00:00", "Z") == ticked.json()["done_at"]
    assert [(r.kind, r.email) for r in done.recipients] == [("staff", "lea@studio.example")]
    assert await most_recent() == client["id"]

    # A message from the client: the same.
    await portico.http.patch(f"{API}/clients/{other['id']}", json={"phone": "02"}, headers=admin)
    assert await most_recent() == other["id"]
    posted = await portico.http.post(
        f"{API}/workspaces/{ws}/messages", json={"body": "Voilà."}, headers=camille
    )
    assert posted.status_code == 201, posted.text
    assert await most_recent() == client["id"]

    # Staff's own upload and completion are announced to no one, and are not the client's.
    await portico.http.patch(f"{API}/clients/{other['id']}", json={"phone": "03"}, headers=admin)
    assert (await upload(portico, ws, admin, pdf_bytes(1000), "devis.pdf")).status_code == 201
    _, envelope = await portico.events.wait_for(FileUploaded.event_type, 2, subject=ws)
    by_staff = envelope.event()
    assert isinstance(by_staff, FileUploaded)
    assert (by_staff.uploaded_by_kind, by_staff.file_name, by_staff.recipients) == (
        "staff",
        "devis.pdf",
        [],
    )
    own = await portico.http.post(
        f"{API}/workspaces/{ws}/tasks", json={"title": "Relancer"}, headers=admin
    )
    await portico.http.patch(
        f"{API}/workspaces/{ws}/tasks/{own.json()['id']}", json={"done": True}, headers=admin
    )
    [envelope] = await portico.events.wait_for(TaskCompleted.event_type, subject=own.json()["id"])
    by_staff_done = envelope.event()
    assert isinstance(by_staff_done, TaskCompleted)
    assert (by_staff_done.completed_by_kind, by_staff_done.recipients) == ("staff", [])
    assert await most_recent() == other["id"]


async def test_only_contacts_with_portal_access_are_told_of_a_workspace(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await create_client(portico, admin, "Atelier Lumière", CAMILLE, HUGO, ZOE)
    camille_id, hugo_id, zoe_id = (
        contact_id(client, person["email"]) for person in (CAMILLE, HUGO, ZOE)
    )
    # Camille joined; Hugo's invitation was revoked; Zoé was never invited.
    await join(portico, admin, client, CAMILLE["email"])
    await invite(portico, admin, client, HUGO["email"])
    revoked = await portico.http.delete(
        f"{API}/clients/{client['id']}/contacts/{hugo_id}/invitation", headers=admin
    )
    assert revoked.status_code == 204

    # Staff may still share with them all: only Camille is told.
    workspace = await create_workspace(
        portico, admin, client, contact_ids=[camille_id, hugo_id, zoe_id]
    )
    ws = workspace["id"]
    assert {m["contact_id"] for m in workspace["members"]} == {camille_id, hugo_id, zoe_id}
    [envelope] = await portico.events.wait_for(WorkspaceShared.event_type, subject=ws)
    shared = envelope.event()
    assert isinstance(shared, WorkspaceShared)
    assert [c.id for c in shared.contacts] == [uuid.UUID(camille_id)]

    # A staff message reaches Camille only.
    posted = await portico.http.post(
        f"{API}/workspaces/{ws}/messages", json={"body": "Bonjour à tous"}, headers=admin
    )
    assert posted.status_code == 201, posted.text
    [envelope] = await portico.events.wait_for(MessagePosted.event_type, subject=ws)
    message = envelope.event()
    assert isinstance(message, MessagePosted)
    assert [(r.kind, r.email) for r in message.recipients] == [("contact", CAMILLE["email"])]

    # A task for Hugo is his, but nobody emails him a link he cannot open.
    for_hugo = await portico.http.post(
        f"{API}/workspaces/{ws}/tasks",
        json={"title": "Signer", "assignee": {"kind": "contact", "id": hugo_id}},
        headers=admin,
    )
    assert for_hugo.status_code == 201, for_hugo.text
    assert for_hugo.json()["assignee_id"] == hugo_id
    for_camille = await portico.http.post(
        f"{API}/workspaces/{ws}/tasks",
        json={"title": "Relire", "assignee": {"kind": "contact", "id": camille_id}},
        headers=admin,
    )
    # Emitted after Hugo's would have been: once it is here, his would be too.
    await portico.events.wait_for(TaskAssigned.event_type, subject=for_camille.json()["id"])
    assert portico.events.of_type(TaskAssigned.event_type, subject=for_hugo.json()["id"]) == []

    # Shared with Zoé alone, a workspace is announced to no one; adding Camille tells her.
    other = (await create_workspace(portico, admin, client, contact_ids=[zoe_id]))["id"]
    added = await portico.http.put(
        f"{API}/workspaces/{other}/members",
        json={"contact_ids": [zoe_id, camille_id]},
        headers=admin,
    )
    assert added.status_code == 200, added.text
    await portico.events.wait_for(WorkspaceShared.event_type, subject=other)
    [envelope] = portico.events.of_type(WorkspaceShared.event_type, subject=other)
    shared = envelope.event()
    assert isinstance(shared, WorkspaceShared)
    assert [c.id for c in shared.contacts] == [uuid.UUID(camille_id)]


async def test_a_task_can_go_to_a_staff_user_and_staff_change_it(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    me = (await portico.http.get(f"{API}/me", headers=admin)).json()
    client = await create_client(portico, admin, "Atelier Lumière", CAMILLE)
    ws = (await create_workspace(portico, admin, client))["id"]
    created = await portico.http.post(
        f"{API}/workspaces/{ws}/tasks", json={"title": "Relancer"}, headers=admin
    )
    assert created.status_code == 201, created.text
    assert created.json()["assignee_kind"] is None
    changed = await portico.http.patch(
        f"{API}/workspaces/{ws}/tasks/{created.json()['id']}",
        json={"title": "Relancer la mairie", "assignee": {"kind": "staff", "id": me["id"]}},
        headers=admin,
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["title"], changed.json()["assignee_id"]) == (
        "Relancer la mairie",
        me["id"],
    )
    [envelope] = await portico.events.wait_for(
        TaskAssigned.event_type, subject=created.json()["id"]
    )
    event = envelope.event()
    assert isinstance(event, TaskAssigned)
    assert (event.assignee_kind, event.assignee.email) == ("staff", ADMIN_EMAIL)


async def test_staff_rename_archive_restore_and_delete_a_workspace(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await create_client(portico, admin, "Atelier Lumière", CAMILLE)
    camille = as_contact(portico, client, CAMILLE["email"])
    ws = (
        await create_workspace(
            portico, admin, client, contact_ids=[contact_id(client, CAMILLE["email"])]
        )
    )["id"]
    await upload(portico, ws, admin, pdf_bytes(1000))

    patched = await portico.http.patch(
        f"{API}/workspaces/{ws}",
        json={"name": "Atelier", "project_name": None, "archived": True},
        headers=admin,
    )
    assert patched.status_code == 200, patched.text
    assert (patched.json()["name"], patched.json()["project_name"]) == ("Atelier", None)
    assert patched.json()["archived_at"] is not None
    # Archived: gone for the client, still there for staff when asked.
    assert (await portico.http.get(f"{API}/workspaces/{ws}", headers=camille)).status_code == 404
    listed = await portico.http.get(f"{API}/clients/{client['id']}/workspaces", headers=admin)
    assert listed.json()["total"] == 0
    listed = await portico.http.get(
        f"{API}/clients/{client['id']}/workspaces?include_archived=true", headers=admin
    )
    assert [w["id"] for w in listed.json()["items"]] == [ws]

    restored = await portico.http.patch(
        f"{API}/workspaces/{ws}", json={"archived": False}, headers=admin
    )
    assert restored.json()["archived_at"] is None
    assert (await portico.http.get(f"{API}/workspaces/{ws}", headers=camille)).status_code == 200

    deleted = await portico.http.delete(f"{API}/workspaces/{ws}", headers=admin)
    assert deleted.status_code == 204
    assert (await portico.http.get(f"{API}/workspaces/{ws}", headers=admin)).status_code == 404


async def test_staff_edit_and_delete_notes_links_files_and_tasks(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await create_client(portico, admin, "Atelier Lumière")
    ws = (await create_workspace(portico, admin, client))["id"]
    base = f"{API}/workspaces/{ws}"
    note = (
        await portico.http.post(
            f"{base}/notes", json={"title": "A", "body_html": "<p>a</p>"}, headers=admin
        )
    ).json()
    edited = await portico.http.patch(
        f"{base}/notes/{note['id']}",
        json={"body_html": "<h2>B</h2><iframe src=x></iframe>"},
        headers=admin,
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["title"], edited.json()["body_html"]) == ("A", "<h2>B</h2>")
    link = (
        await portico.http.post(
            f"{base}/links", json={"title": "L", "url": "http://example.com"}, headers=admin
        )
    ).json()
    stored = (await upload(portico, ws, admin, b"a;b\n1;2\n", "t.csv", "text/csv")).json()
    task = (await portico.http.post(f"{base}/tasks", json={"title": "T"}, headers=admin)).json()
    for path in (
        f"notes/{note['id']}",
        f"links/{link['id']}",
        f"files/{stored['id']}",
        f"tasks/{task['id']}",
    ):
        assert (await portico.http.delete(f"{base}/{path}", headers=admin)).status_code == 204
        assert (await portico.http.delete(f"{base}/{path}", headers=admin)).status_code == 404
    for kind in ("notes", "links", "files", "tasks"):
        assert (await portico.http.get(f"{base}/{kind}", headers=admin)).json() == []
    gone = await portico.http.get(f"{base}/files/{stored['id']}/download", headers=admin)
    assert gone.status_code == 404


async def _stored(portico: RunningPortico, workspace_id: str, file_id: str) -> bool:
    try:
        await portico.runtime("portal").store.stat(
            file_key(uuid.UUID(workspace_id), uuid.UUID(file_id))
        )
    except BlobNotFound:
        return False
    return True


async def _until_removed(portico: RunningPortico, *files: tuple[str, str]) -> None:
    """The job the deleting transaction enqueued removes the files shortly after."""
    for _ in range(200):
        if not [f for f in files if await _stored(portico, *f)]:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"still in the blob store: {files}")


async def test_deleting_a_file_a_workspace_or_a_client_removes_their_files_from_the_store(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await create_client(portico, admin, "Atelier Lumière")
    first, second = [(await create_workspace(portico, admin, client))["id"] for _ in range(2)]
    kept_client = await create_client(portico, admin, "Menuiserie Roux")
    kept_ws = (await create_workspace(portico, admin, kept_client))["id"]
    files = {
        name: (ws, (await upload(portico, ws, admin, pdf_bytes(500), f"{name}.pdf")).json()["id"])
        for name, ws in [("a", first), ("b", first), ("c", second), ("kept", kept_ws)]
    }
    assert all([await _stored(portico, *f) for f in files.values()])

    deleted = await portico.http.delete(
        f"{API}/workspaces/{first}/files/{files['a'][1]}", headers=admin
    )
    assert deleted.status_code == 204
    await _until_removed(portico, files["a"])
    assert await _stored(portico, *files["b"])

    assert (
        await portico.http.delete(f"{API}/workspaces/{first}", headers=admin)
    ).status_code == 204
    await _until_removed(portico, files["b"])
    assert await _stored(portico, *files["c"])

    assert (
        await portico.http.delete(f"{API}/clients/{client['id']}", headers=admin)
    ).status_code == 204
    await _until_removed(portico, files["c"])
    # Another client's files are untouched.
    assert await _stored(portico, *files["kept"])


# --- Limits ---------------------------------------------------------------------------------


async def test_a_file_over_the_limit_is_refused_naming_the_field(
    portico: RunningPortico, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTICO_PORTAL_MAX_UPLOAD_MIB", "1")
    client = await create_client(portico, admin, "Atelier Lumière")
    ws = (await create_workspace(portico, admin, client))["id"]
    response = await upload(portico, ws, admin, pdf_bytes(1024 * 1024 + 1))
    assert response.status_code == 413, response.text
    assert field_at_fault(response) == "file"
    assert (await upload(portico, ws, admin, pdf_bytes(1024 * 1024))).status_code == 201
    files = (await portico.http.get(f"{API}/workspaces/{ws}/files", headers=admin)).json()
    assert len(files) == 1


async def test_the_default_limit_is_25_mib(portico: RunningPortico, admin: dict[str, str]) -> None:
    client = await create_client(portico, admin, "Atelier Lumière")
    ws = (await create_workspace(portico, admin, client))["id"]
    response = await upload(portico, ws, admin, pdf_bytes(25 * 1024 * 1024 + 1))
    assert response.status_code == 413, response.text
    assert field_at_fault(response) == "file"


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("page.html", b"<html><script>alert(1)</script></html>", "text/html"),
        ("page.pdf", b"<html><script>alert(1)</script></html>", PDF),
        ("page.pdf", b"<html><script>alert(1)</script></html>", "text/html"),
        ("setup.exe", b"MZ\x90\x00", "application/octet-stream"),
        ("photo.png", b"GIF89a....", "image/png"),
        ("notes.txt", b"bin\x00ary", "text/plain"),
    ],
)
async def test_a_file_of_a_type_not_allowed_is_refused_naming_the_field(
    portico: RunningPortico, admin: dict[str, str], name: str, content: bytes, content_type: str
) -> None:
    client = await create_client(portico, admin, "Atelier Lumière")
    ws = (await create_workspace(portico, admin, client))["id"]
    response = await upload(portico, ws, admin, content, name, content_type)
    assert response.status_code == 415, response.text
    assert field_at_fault(response) == "file"


async def test_clients_upload_only_where_allowed(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await create_client(portico, admin, "Atelier Lumière", CAMILLE)
    ws = (
        await create_workspace(
            portico,
            admin,
            client,
            clients_can_upload=False,
            contact_ids=[contact_id(client, CAMILLE["email"])],
        )
    )["id"]
    camille = as_contact(portico, client, CAMILLE["email"])
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    assert (await upload(portico, ws, camille, png, "a.png", "image/png")).status_code == 403
    await portico.http.patch(
        f"{API}/workspaces/{ws}", json={"clients_can_upload": True}, headers=admin
    )
    assert (await upload(portico, ws, camille, png, "a.png", "image/png")).status_code == 201


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://example.com/x", "not a url", "https://", "http://x:port"]
)
async def test_a_link_that_is_not_http_is_refused_naming_the_field(
    portico: RunningPortico, admin: dict[str, str], url: str
) -> None:
    client = await create_client(portico, admin, "Atelier Lumière")
    ws = (await create_workspace(portico, admin, client))["id"]
    response = await portico.http.post(
        f"{API}/workspaces/{ws}/links", json={"title": "x", "url": url}, headers=admin
    )
    assert response.status_code == 422, response.text
    assert field_at_fault(response) == "url"


async def test_sharing_with_a_contact_of_another_client_is_refused_naming_the_field(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await create_client(portico, admin, "Atelier Lumière", CAMILLE)
    other = await create_client(portico, admin, "Autre", BRUNO)
    camille_id = contact_id(client, CAMILLE["email"])
    for foreign in (contact_id(other, BRUNO["email"]), str(uuid.uuid4())):
        response = await portico.http.post(
            f"{API}/clients/{client['id']}/workspaces",
            json={"name": "W", "contact_ids": [camille_id, foreign]},
            headers=admin,
        )
        assert response.status_code == 422, response.text
        assert field_at_fault(response) == "contact_ids.1"
    assert (await portico.http.get(f"{API}/workspaces", headers=admin)).json()["total"] == 0

    ws = (await create_workspace(portico, admin, client))["id"]
    response = await portico.http.put(
        f"{API}/workspaces/{ws}/members",
        json={"contact_ids": [contact_id(other, BRUNO["email"])]},
        headers=admin,
    )
    assert response.status_code == 422
    assert field_at_fault(response) == "contact_ids.0"


async def test_a_task_for_someone_who_cannot_have_it_is_refused_naming_the_field(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await create_client(portico, admin, "Atelier Lumière", CAMILLE, ZOE)
    ws = (
        await create_workspace(
            portico, admin, client, contact_ids=[contact_id(client, CAMILLE["email"])]
        )
    )["id"]
    for assignee in (
        {"kind": "contact", "id": contact_id(client, ZOE["email"])},  # not a member
        {"kind": "staff", "id": str(uuid.uuid4())},
        {"kind": "staff", "id": contact_id(client, CAMILLE["email"])},
    ):
        response = await portico.http.post(
            f"{API}/workspaces/{ws}/tasks", json={"title": "T", "assignee": assignee}, headers=admin
        )
        assert response.status_code == 422, response.text
        assert field_at_fault(response) == "assignee.id"
    assert (await portico.http.get(f"{API}/workspaces/{ws}/tasks", headers=admin)).json() == []


async def test_bad_input_is_a_problem_never_a_500(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await create_client(portico, admin, "Atelier Lumière")
    ws = (await create_workspace(portico, admin, client))["id"]
    for method, path, body in (
        ("POST", f"clients/{client['id']}/workspaces", {"name": ""}),
        ("POST", f"clients/{uuid.uuid4()}/workspaces", {"name": "x"}),
        ("PATCH", f"workspaces/{ws}", {"name": None}),
        ("PATCH", f"workspaces/{ws}", {"archived": None}),
        ("GET", "workspaces/not-a-uuid", None),
        ("GET", f"workspaces/{ws}/messages?after=yesterday", None),
        ("POST", f"workspaces/{ws}/messages", {"body": "   "}),
        ("POST", f"workspaces/{ws}/tasks", {"title": "T", "assignee": {"kind": "robot"}}),
        ("PATCH", f"workspaces/{ws}/tasks/{uuid.uuid4()}", {"done": True}),
        ("POST", f"workspaces/{ws}/files", None),
    ):
        response = await portico.http.request(method, f"{API}/{path}", json=body, headers=admin)
        assert 400 <= response.status_code < 500, (method, path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


# --- Who sees what --------------------------------------------------------------------------


@dataclass
class World:
    """A client with a member (Camille) and a non-member (Zoé), another client (Bruno), and
    a workspace holding one of everything."""

    client: dict[str, Any]
    other: dict[str, Any]
    ws: str
    ids: dict[str, str]


async def build_world(portico: RunningPortico, staff: dict[str, str]) -> World:
    client = await create_client(portico, staff, "Atelier Lumière", CAMILLE, ZOE)
    other = await create_client(portico, staff, "Autre", BRUNO)
    camille_id = contact_id(client, CAMILLE["email"])
    ws = (await create_workspace(portico, staff, client, contact_ids=[camille_id]))["id"]
    base = f"{API}/workspaces/{ws}"

    async def created(path: str, **kwargs: Any) -> str:
        response = await portico.http.post(f"{base}/{path}", headers=staff, **kwargs)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    ids = {
        "note": await created("notes", json={"title": "N", "body_html": "<p>n</p>"}),
        "link": await created("links", json={"title": "L", "url": "https://example.com"}),
        "file": await created("files", files={"file": ("a.pdf", pdf_bytes(100), PDF)}),
        "task": await created(
            "tasks", json={"title": "T", "assignee": {"kind": "contact", "id": camille_id}}
        ),
        "message": await created("messages", json={"body": "Bonjour"}),
    }
    return World(client=client, other=other, ws=ws, ids=ids)


async def snapshot(portico: RunningPortico, staff: dict[str, str], ws: str) -> list[Any]:
    """What staff see of the workspace: unchanged after a refused request."""
    answers = [(await portico.http.get(f"{API}/workspaces/{ws}", headers=staff)).json()]
    for kind in ("notes", "links", "files", "tasks", "messages"):
        answers.append(
            (await portico.http.get(f"{API}/workspaces/{ws}/{kind}", headers=staff)).json()
        )
    return answers


# Every route under a workspace, read or write, with a body that would be accepted.
WORKSPACE_ROUTES: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "", {}),
    ("PATCH", "", {"json": {"name": "Pris"}}),
    ("DELETE", "", {}),
    ("PUT", "/members", {"json": {"contact_ids": []}}),
    ("GET", "/notes", {}),
    ("POST", "/notes", {"json": {"title": "x", "body_html": "<p>x</p>"}}),
    ("GET", "/notes/{note}", {}),
    ("PATCH", "/notes/{note}", {"json": {"title": "x"}}),
    ("DELETE", "/notes/{note}", {}),
    ("GET", "/links", {}),
    ("POST", "/links", {"json": {"title": "x", "url": "https://example.com"}}),
    ("DELETE", "/links/{link}", {}),
    ("GET", "/files", {}),
    ("POST", "/files", {"files": {"file": ("b.pdf", b"%PDF-1.7\n", PDF)}}),
    ("GET", "/files/{file}/download", {}),
    ("DELETE", "/files/{file}", {}),
    ("GET", "/tasks", {}),
    ("POST", "/tasks", {"json": {"title": "x"}}),
    ("PATCH", "/tasks/{task}", {"json": {"done": True}}),
    ("DELETE", "/tasks/{task}", {}),
    ("GET", "/messages", {}),
    ("POST", "/messages", {"json": {"body": "Coucou"}}),
    ("GET", "/contents", {}),
]


@pytest.mark.parametrize(
    ("method", "path", "request_kwargs"),
    WORKSPACE_ROUTES,
    ids=[f"{method} {path or '/'}" for method, path, _ in WORKSPACE_ROUTES],
)
async def test_a_workspace_is_not_found_for_those_it_is_not_shared_with(
    portico: RunningPortico,
    admin: dict[str, str],
    method: str,
    path: str,
    request_kwargs: dict[str, Any],
) -> None:
    world = await build_world(portico, admin)
    before = await snapshot(portico, admin, world.ws)
    url = f"{API}/workspaces/{world.ws}" + path.format(**world.ids)
    outsiders = {
        "a contact of another client": as_contact(portico, world.other, BRUNO["email"]),
        "a contact of the client it is not shared with": as_contact(
            portico, world.client, ZOE["email"]
        ),
        # The right client id with a contact id of another client must not pass either.
        "a forged mix of client and contact": portico.headers(
            "client",
            client_id=world.client["id"],
            contact_id=contact_id(world.other, BRUNO["email"]),
        ),
    }
    for who, headers in outsiders.items():
        response = await portico.http.request(method, url, headers=headers, **request_kwargs)
        assert response.status_code == 404, (who, response.status_code, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    # The same request for an id that does not exist answers the same: nothing leaks.
    missing = await portico.http.request(
        method,
        f"{API}/workspaces/{uuid.uuid4()}" + path.format(**world.ids),
        headers=outsiders["a contact of another client"],
        **request_kwargs,
    )
    assert missing.status_code == 404
    assert missing.json()["detail"].startswith("No workspace with id")
    assert response.json()["detail"].startswith("No workspace with id")
    assert await snapshot(portico, admin, world.ws) == before


@pytest.mark.parametrize(
    ("method", "path", "request_kwargs"),
    [route for route in WORKSPACE_ROUTES if route[0] == "GET"],
    ids=[f"{method} {path or '/'}" for method, path, _ in WORKSPACE_ROUTES if method == "GET"],
)
async def test_a_member_reads_everything_until_the_workspace_is_archived(
    portico: RunningPortico,
    admin: dict[str, str],
    method: str,
    path: str,
    request_kwargs: dict[str, Any],
) -> None:
    world = await build_world(portico, admin)
    camille = as_contact(portico, world.client, CAMILLE["email"])
    url = f"{API}/workspaces/{world.ws}" + path.format(**world.ids)
    assert (await portico.http.get(url, headers=camille)).status_code == 200
    archived = await portico.http.patch(
        f"{API}/workspaces/{world.ws}", json={"archived": True}, headers=admin
    )
    assert archived.status_code == 200
    assert (await portico.http.get(url, headers=camille)).status_code == 404


async def test_workspace_lists_show_a_client_only_its_own(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    world = await build_world(portico, admin)
    bruno = as_contact(portico, world.other, BRUNO["email"])
    zoe = as_contact(portico, world.client, ZOE["email"])
    camille = as_contact(portico, world.client, CAMILLE["email"])
    client_path = f"{API}/clients/{world.client['id']}/workspaces"

    # Another client's routes do not exist for Bruno, reading or writing.
    assert (await portico.http.get(client_path, headers=bruno)).status_code == 404
    created = await portico.http.post(client_path, json={"name": "x"}, headers=bruno)
    assert created.status_code == 404
    for headers in (bruno, zoe):
        everything = await portico.http.get(
            f"{API}/workspaces",
            params={"client_id": world.client["id"], "include_archived": "true"},
            headers=headers,
        )
        assert everything.json()["total"] == 0
    assert (await portico.http.get(client_path, headers=zoe)).json()["total"] == 0
    assert [
        w["id"] for w in (await portico.http.get(client_path, headers=camille)).json()["items"]
    ] == [world.ws]
    # A client never creates workspaces, even for its own client.
    assert (
        await portico.http.post(client_path, json={"name": "x"}, headers=camille)
    ).status_code == 403

    staff = await portico.http.get(
        f"{API}/workspaces", params={"client_id": world.other["id"]}, headers=admin
    )
    assert staff.json()["total"] == 0
    assert (await portico.http.get(f"{API}/workspaces", headers=admin)).json()["total"] == 1


async def test_a_client_cannot_write_what_only_staff_write(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    world = await build_world(portico, admin)
    camille = as_contact(portico, world.client, CAMILLE["email"])
    before = await snapshot(portico, admin, world.ws)
    base = f"{API}/workspaces/{world.ws}"
    for method, path, kwargs in WORKSPACE_ROUTES:
        if method == "GET" or path in ("/messages", "/files", "/tasks/{task}"):
            continue
        response = await portico.http.request(
            method, base + path.format(**world.ids), headers=camille, **kwargs
        )
        assert response.status_code == 403, (method, path, response.text)
    assert await snapshot(portico, admin, world.ws) == before


async def test_api_keys_and_anonymous_callers_see_no_workspace(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    world = await build_world(portico, admin)
    anonymous = await portico.http.get(f"{API}/workspaces/{world.ws}")
    assert anonymous.status_code == 401
    key = portico.headers("api_key", scopes=frozenset({"clients:read", "clients:write"}))
    assert (await portico.http.get(f"{API}/workspaces/{world.ws}", headers=key)).status_code == 403
    assert (await portico.http.get(f"{API}/workspaces", headers=key)).status_code == 403

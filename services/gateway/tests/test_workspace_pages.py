"""A workspace through its pages: staff fill it, a client uses it, another client sees nothing."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from portico.gateway.testing import Accounts, Site
from portico.kit.testing.services import RunningPortico

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

API = "/api/portal/v1"
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
HTMX = {"HX-Request": "true"}


async def create_workspace(
    portico: RunningPortico, client: dict[str, Any], name: str, contact_ids: list[str]
) -> dict[str, Any]:
    response = await portico.http.post(
        f"{API}/clients/{client['id']}/workspaces",
        json={"name": name, "project_name": "Atelier 2027", "contact_ids": contact_ids},
        headers=portico.headers("admin"),
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def api(portico: RunningPortico, method: str, path: str, **kwargs: Any) -> Any:
    response = await portico.http.request(
        method, f"{API}{path}", headers=portico.headers("admin"), **kwargs
    )
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


def menu_workspaces(html: str) -> list[str]:
    sidebar = html.split('<nav class="sidebar"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'href="/portal/workspaces/([0-9a-f-]{36})"', sidebar)


async def test_staff_fill_a_workspace(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    client = await accounts.client_with_contact("Atelier Lumière")
    contact = client["contacts"][0]
    workspace = await create_workspace(portico, client, "Rénovation atelier", [contact["id"]])
    base = f"/workspaces/{workspace['id']}"
    await site.log_in(admin["email"])

    page = await site.get(base)
    assert page.status_code == 200
    assert "<h1>Rénovation atelier</h1>" in page.text
    assert "Project: Atelier 2027" in page.text
    assert f'<a href="/clients/{client["id"]}">Atelier Lumière</a>' in page.text
    assert '<li class="ws-chip">Camille Durand</li>' in page.text
    assert "<script>" not in page.text and " style=" not in page.text

    # Notes: rich text, sanitised by the portal.
    body = "<p>Plans <strong>validés</strong></p><script>alert('owned')</script>"
    added = await site.post(f"{base}/notes", {"title": "Compte rendu", "body_html": body})
    page = await site.follow(added)
    assert "The note is added." in page.text
    assert "<p>Plans <strong>validés</strong></p>" in page.text
    assert "alert(" not in page.text
    [note] = await api(portico, "GET", f"/workspaces/{workspace['id']}/notes")
    edit = await site.get(f"{base}/notes/{note['id']}/edit")
    assert 'value="Compte rendu"' in edit.text
    assert "&lt;strong&gt;validés&lt;/strong&gt;" in edit.text  # in the textarea
    saved = await site.post(
        f"{base}/notes/{note['id']}", {"title": "Compte rendu du 25", "body_html": "<p>Vu.</p>"}
    )
    page = await site.follow(saved)
    assert "Compte rendu du 25" in page.text and "<p>Vu.</p>" in page.text
    untitled = await site.post(f"{base}/notes", {"title": " ", "body_html": "<p>x</p>"})
    assert untitled.status_code == 422
    assert 'aria-describedby="error-title"' in untitled.text

    # Links: an address that is not http(s) is said beside its input.
    bad = await site.post(f"{base}/links", {"link_title": "Maquettes", "url": "javascript:x"})
    assert bad.status_code == 422
    assert 'aria-invalid="true" aria-describedby="error-url"' in bad.text
    assert "Enter an address starting with http:// or https://." in bad.text
    assert 'value="Maquettes"' in bad.text
    good = await site.post(
        f"{base}/links", {"link_title": "Maquettes", "url": "https://figma.com/file/abc"}
    )
    page = await site.follow(good)
    assert '<a href="https://figma.com/file/abc" rel="noopener noreferrer"' in page.text

    # Files: uploaded through the gateway (with HTMX: the section comes back), downloaded.
    uploaded = await site.post(
        f"{base}/files", files={"file": ("plans.pdf", PDF, "application/pdf")}, headers=HTMX
    )
    assert uploaded.status_code == 200, uploaded.text
    assert 'id="files"' in uploaded.text and "plans.pdf" in uploaded.text
    assert "The file is uploaded." in uploaded.text  # the toast, out of band
    [stored] = await api(portico, "GET", f"/workspaces/{workspace['id']}/files")
    download = await site.get(f"{base}/files/{stored['id']}/download")
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert 'filename="plans.pdf"' in download.headers["content-disposition"]
    page = await site.get(base)
    assert f'href="{base}/files/{stored["id"]}/download"' in page.text
    refused = await site.post(
        f"{base}/files", files={"file": ("page.html", b"<html></html>", "text/html")}
    )
    assert refused.status_code == 422
    assert "This type of file is not accepted" in refused.text
    assert 'aria-describedby="error-file"' in refused.text

    # Tasks: assigned to the contact, ticked and unticked in place.
    task_form = {"task_title": "Envoyer le Kbis", "due_on": "2030-01-15"}
    stranger = await site.post(
        f"{base}/tasks", {**task_form, "assignee": f"contact:{uuid.uuid4()}"}
    )
    assert stranger.status_code == 422
    assert 'aria-describedby="error-assignee"' in stranger.text
    added = await site.post(f"{base}/tasks", {**task_form, "assignee": f"contact:{contact['id']}"})
    page = await site.follow(added)
    assert "Envoyer le Kbis" in page.text and "due Jan 15, 2030" in page.text
    [task] = await api(portico, "GET", f"/workspaces/{workspace['id']}/tasks")
    assert (task["assignee_kind"], task["assignee_id"]) == ("contact", contact["id"])
    ticked = await site.post(f"{base}/tasks/{task['id']}/done", {"done": "true"}, headers=HTMX)
    assert ticked.status_code == 200
    assert ticked.text.lstrip().startswith('<li class="ws-task is-done"')
    [task] = await api(portico, "GET", f"/workspaces/{workspace['id']}/tasks")
    assert task["done_at"] is not None
    await site.post(f"{base}/tasks/{task['id']}/done", {"done": "false"}, headers=HTMX)
    [task] = await api(portico, "GET", f"/workspaces/{workspace['id']}/tasks")
    assert task["done_at"] is None

    # Messages: posted, then in the thread the page polls.
    posted = await site.post(f"{base}/messages", {"body": "Bonjour Camille,\nvoici les plans."})
    page = await site.follow(posted)
    assert "Bonjour Camille,\nvoici les plans." in page.text
    thread = await site.get(f"{base}/messages")
    assert thread.status_code == 200
    assert thread.text.lstrip().startswith('<div id="thread"')
    assert "Léa Martin" in thread.text and "voici les plans." in thread.text
    [message] = await api(portico, "GET", f"/workspaces/{workspace['id']}/messages")
    unchanged = await site.get(f"{base}/messages", params={"after": message["created_at"]})
    assert unchanged.status_code == 204
    empty = await site.post(f"{base}/messages", {"body": "  "}, headers=HTMX)
    assert empty.status_code == 422
    assert 'aria-describedby="error-body"' in empty.text
    sent = await site.post(f"{base}/messages", {"body": "Et le devis."}, headers=HTMX)
    assert sent.status_code == 200
    assert 'id="messages"' in sent.text and "Et le devis." in sent.text

    # Deleting asks first (data-confirm), then removes.
    assert 'data-confirm="Delete the note' in page.text
    deleted = await site.post(f"{base}/notes/{note['id']}/delete")
    page = await site.follow(deleted)
    assert "The note is deleted." in page.text
    assert await api(portico, "GET", f"/workspaces/{workspace['id']}/notes") == []


async def test_a_client_uses_its_workspace(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    client = await accounts.client_with_contact("Atelier Lumière")
    contact = client["contacts"][0]
    email = await accounts.client_account(client)
    workspace = await create_workspace(portico, client, "Rénovation atelier", [contact["id"]])
    # Neither a workspace of theirs not shared with them, nor another client's, shows.
    await create_workspace(portico, client, "Comptabilité interne", [])
    other = await accounts.client_with_contact("Boulangerie Roux")
    await create_workspace(portico, other, "Vitrine", [other["contacts"][0]["id"]])
    ws = workspace["id"]
    await api(
        portico,
        "POST",
        f"/workspaces/{ws}/notes",
        json={"title": "Brief", "body_html": "<p>Le <em>brief</em>.</p>"},
    )
    await api(
        portico,
        "POST",
        f"/workspaces/{ws}/links",
        json={"title": "Figma", "url": "https://figma.com/f"},
    )
    stored = await api(
        portico,
        "POST",
        f"/workspaces/{ws}/files",
        files={"file": ("plans.pdf", PDF, "application/pdf")},
    )
    theirs = await api(
        portico,
        "POST",
        f"/workspaces/{ws}/tasks",
        json={"title": "Envoyer le Kbis", "assignee": {"kind": "contact", "id": contact["id"]}},
    )
    ours = await api(
        portico,
        "POST",
        f"/workspaces/{ws}/tasks",
        json={"title": "Livrer les plans", "assignee": {"kind": "staff", "id": admin["id"]}},
    )

    # Staff following a notification's link land on the staff page; nobody else gets in.
    anonymous = await site.get(f"/portal/workspaces/{ws}")
    assert anonymous.headers["location"] == f"/login?next=%2Fportal%2Fworkspaces%2F{ws}"
    await site.log_in(admin["email"])
    assert (await site.get(f"/portal/workspaces/{ws}")).headers["location"] == f"/workspaces/{ws}"
    await site.post("/logout")

    await site.log_in(email)
    base = f"/portal/workspaces/{ws}"
    assert (await site.get("/portal")).headers["location"] == base
    page = await site.get(base)
    assert page.status_code == 200
    assert menu_workspaces(page.text) == [ws]
    assert f'<a href="{base}" aria-current="page">Rénovation atelier</a>' in page.text
    assert "<p>Le <em>brief</em>.</p>" in page.text and 'href="https://figma.com/f"' in page.text
    # Read-only for them: no form to write notes, links or tasks, nothing to delete.
    for action in ("/notes", "/links", '/tasks"', "/delete"):
        assert f'action="{base}{action}' not in page.text
    assert "Add a note" not in page.text and "Delete" not in page.text
    assert f'action="{base}/tasks/{theirs["id"]}/done"' in page.text
    assert f'action="{base}/tasks/{ours["id"]}/done"' not in page.text
    assert 'enctype="multipart/form-data"' in page.text  # clients may upload here

    download = await site.get(f"{base}/files/{stored['id']}/download")
    assert download.status_code == 200 and download.content == PDF

    ticked = await site.post(f"{base}/tasks/{theirs['id']}/done", {"done": "true"})
    assert "The task is done." in (await site.follow(ticked)).text
    tasks = {t["id"]: t for t in await api(portico, "GET", f"/workspaces/{ws}/tasks")}
    assert tasks[theirs["id"]]["done_at"] is not None
    refused = await site.post(f"{base}/tasks/{ours['id']}/done", {"done": "true"}, headers=HTMX)
    assert refused.status_code == 404
    tasks = {t["id"]: t for t in await api(portico, "GET", f"/workspaces/{ws}/tasks")}
    assert tasks[ours["id"]]["done_at"] is None

    uploaded = await site.post(
        f"{base}/files", files={"file": ("kbis.pdf", PDF, "application/pdf")}, headers=HTMX
    )
    assert uploaded.status_code == 200 and "kbis.pdf" in uploaded.text
    assert "Camille Durand" in uploaded.text  # who sent it

    posted = await site.post(f"{base}/messages", {"body": "Merci, c'est parfait !"})
    page = await site.follow(posted)
    assert "Your message is sent." in page.text
    assert "Merci, c&#39;est parfait !" in (await site.get(f"{base}/messages")).text

    # Staff see the client's message, on the page and in the thread it polls.
    staff = Site(portico)
    try:
        await staff.log_in(admin["email"])
        staff_page = await staff.get(f"/workspaces/{ws}")
        assert "Merci, c&#39;est parfait !" in staff_page.text
        thread = await staff.get(f"/workspaces/{ws}/messages")
        assert "Camille Durand" in thread.text and "Merci, c&#39;est parfait !" in thread.text
    finally:
        await staff.close()

    # Uploads turned off: no form, and the route is closed.
    await api(portico, "PATCH", f"/workspaces/{ws}", json={"clients_can_upload": False})
    page = await site.get(base)
    assert 'enctype="multipart/form-data"' not in page.text
    closed = await site.post(f"{base}/files", files={"file": ("x.pdf", PDF, "application/pdf")})
    assert closed.status_code == 404


async def test_another_client_finds_nothing_of_a_workspace(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    client = await accounts.client_with_contact("Atelier Lumière")
    contact = client["contacts"][0]
    workspace = await create_workspace(portico, client, "Rénovation atelier", [contact["id"]])
    ws = workspace["id"]
    stored = await api(
        portico,
        "POST",
        f"/workspaces/{ws}/files",
        files={"file": ("plans.pdf", PDF, "application/pdf")},
    )
    task = await api(
        portico,
        "POST",
        f"/workspaces/{ws}/tasks",
        json={"title": "Envoyer le Kbis", "assignee": {"kind": "contact", "id": contact["id"]}},
    )
    other = await accounts.client_with_contact("Boulangerie Roux")
    await site.log_in(await accounts.client_account(other))

    base = f"/portal/workspaces/{ws}"
    attempts = [
        await site.get(base),
        await site.get(f"{base}/messages"),
        await site.post(f"{base}/messages", {"body": "Bonjour ?"}),
        await site.post(f"{base}/messages", {"body": "Bonjour ?"}, headers=HTMX),
        await site.post(f"{base}/tasks/{task['id']}/done", {"done": "true"}),
        await site.get(f"{base}/files/{stored['id']}/download"),
        await site.post(f"{base}/files", files={"file": ("x.pdf", PDF, "application/pdf")}),
    ]
    for response in attempts:
        assert response.status_code == 404, (response.request.url, response.text[:300])
        assert "Page not found" in response.text
    # The staff pages are not theirs either.
    staff_page = await site.get(f"/workspaces/{ws}")
    assert staff_page.status_code == 303 and staff_page.headers["location"].startswith("/login")
    [unchanged] = await api(portico, "GET", f"/workspaces/{ws}/tasks")
    assert unchanged["done_at"] is None
    assert await api(portico, "GET", f"/workspaces/{ws}/messages") == []

"""A quote's page asks for a task in the client's workspace: a folded form, its title
ready to follow the quote up, among the active staff the one in charge of the quote; a
refusal shown beside its input, the form open again; once asked, a toast and the quote's
history say it, and the portal makes the task. In French and English."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from typing import Any

import pytest

from portico.contracts.events.quotes import QuoteTaskRequested
from portico.gateway.testing import Accounts, Site, field_error, input_value, text_of, toast
from portico.kit.testing.services import RunningPortico
from portico.quotes.models import StaffReplica
from portico.quotes.testing import QUOTES, known_to_quotes

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")


async def api(
    portico: RunningPortico, method: str, path: str, expected: int = 200, **kwargs: Any
) -> Any:
    response = await portico.http.request(method, path, headers=portico.headers("admin"), **kwargs)
    assert response.status_code == expected, response.text
    return response.json() if response.content else None


async def known_staff(portico: RunningPortico, user_id: str) -> None:
    """Waits until the quotes service knows the staff member (to be given a task)."""
    deadline = time.monotonic() + 30
    while True:
        async with portico.runtime("quotes").database.sessions() as session:
            if await session.get(StaffReplica, uuid.UUID(user_id)) is not None:
                return
        assert time.monotonic() < deadline, "the quotes service never learnt the staff member"
        await asyncio.sleep(0.05)


async def quote_for(
    accounts: Accounts, portico: RunningPortico, **fields: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A client (its contact Camille Durand), once the quotes service knows it, and a quote
    "Site web" for it."""
    client = await accounts.client_with_contact("Atelier Lumière")
    await known_to_quotes(portico, client["id"], name="Atelier Lumière")
    body = {
        "client_id": client["id"],
        "title": "Site web",
        "lines": [{"description": "Design workshop", "quantity": "2", "unit_price": "480"}],
        **fields,
    }
    return client, dict(await api(portico, "POST", QUOTES, 201, json=body))


def selected(page: Any, name: str) -> str:
    """The value of the option chosen in the select ``name``."""
    found = re.search(
        rf'<select id="field-{name}" name="{name}"[^>]*>(.*?)</select>', page.text, re.S
    )
    assert found, f"no select {name}"
    chosen = re.search(r'<option value="([^"]*)" selected>', found.group(1))
    return chosen.group(1) if chosen else ""


async def test_staff_create_a_task_from_a_draft_and_the_history_says_it(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    staff = await accounts.staff("staff")
    await site.log_in(staff["email"])
    await known_staff(portico, staff["id"])
    client, quote = await quote_for(accounts, portico)
    url = f"/quotes/{quote['id']}"

    page = await site.get(url)
    assert page.status_code == 200
    assert f'action="{url}/tasks"' in page.text and "<summary>Create a task</summary>" in page.text
    # Folded until opened; a draft has no number, so its title names it.
    assert '<details class="client-disclosure">' in page.text
    assert input_value(page, "title") == "Follow up quote “Site web”"
    # Nobody is in charge of this quote: "Nobody" comes first, chosen, then the staff.
    assert selected(page, "assignee_id") == ""
    assert '<option value="" selected>Nobody</option>' in page.text
    assert f'<option value="{staff["id"]}">Léa Martin</option>' in page.text

    empty = await site.post(f"{url}/tasks", {"title": "  ", "assignee_id": staff["id"]})
    assert empty.status_code == 422
    assert field_error(empty, "title") == "This field is required."
    assert '<details class="client-disclosure" open>' in empty.text
    assert selected(empty, "assignee_id") == staff["id"]
    far = await site.post(f"{url}/tasks", {"title": "Relancer", "due_on": "3001-01-01"})
    assert far.status_code == 422
    assert field_error(far, "due_on") == "Enter a date between 2000 and 2999."
    assert input_value(far, "title") == "Relancer"
    assert portico.events.of_type(QuoteTaskRequested.event_type, subject=quote["id"]) == []

    asked = await site.post(
        f"{url}/tasks",
        {
            "title": "Prendre les mesures",
            "description": "Avec Camille, sur place.",
            "due_on": "2027-01-15",
            "assignee_id": staff["id"],
        },
    )
    assert asked.status_code == 303, asked.text[:2000]
    after = await site.follow(asked)
    assert toast(after) == "success: Task created in the client's workspace."
    words = text_of(after)
    assert "Task created in the client's workspace: Prendre les mesures" in words
    assert "By Léa Martin" in words
    [requested] = await portico.events.wait_for(QuoteTaskRequested.event_type, subject=quote["id"])
    assert requested.data["assignee_id"] == staff["id"]
    assert requested.data["description"] == "Avec Camille, sur place."
    assert requested.data["due_on"] == "2027-01-15"

    # The portal made it in the client's workspace (made for it: the client had none).
    listing = f"/api/portal/v1/clients/{client['id']}/workspaces"
    deadline = time.monotonic() + 30
    while not (made := (await api(portico, "GET", listing))["items"]):
        assert time.monotonic() < deadline, "the portal never made the workspace"
        await asyncio.sleep(0.05)
    tasks = await api(portico, "GET", f"/api/portal/v1/workspaces/{made[0]['id']}/tasks")
    assert [task["title"] for task in tasks] == ["Prendre les mesures"]
    link = tasks[0]["description"].split("\n")[-1]
    assert link.endswith(f"/quotes/{quote['id']}")
    # The workspace's page shows the description, the quote's link one to follow.
    workspace_page = await site.get(f"/workspaces/{made[0]['id']}")
    assert "Prendre les mesures" in workspace_page.text
    assert "Avec Camille, sur place." in text_of(workspace_page)
    assert f'<a href="{link}" rel="nofollow noopener">{link}</a>' in workspace_page.text


async def test_the_form_speaks_french_and_names_the_quote_s_number_and_staff_in_charge(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    staff = await accounts.staff("staff", locale="fr")
    await site.log_in(staff["email"])
    await known_staff(portico, staff["id"])
    _, quote = await quote_for(accounts, portico, assignee_id=staff["id"])
    sent = await api(portico, "POST", f"{QUOTES}/{quote['id']}/send", json={})
    url = f"/quotes/{quote['id']}"

    page = await site.get(url)
    assert "<summary>Créer une tâche</summary>" in page.text
    assert input_value(page, "title") == f"Relancer le devis {sent['number']}"
    # The quote's staff member in charge is chosen; no "Nobody" to choose instead.
    assert selected(page, "assignee_id") == staff["id"]
    assert ">Personne</option>" not in page.text

    title = input_value(page, "title")
    asked = await site.post(f"{url}/tasks", {"title": title, "assignee_id": staff["id"]})
    assert asked.status_code == 303, asked.text[:2000]
    after = await site.follow(asked)
    assert toast(after) == "success: Tâche créée dans l’espace de travail du client."
    assert (
        f"Tâche créée dans l’espace de travail du client\u00a0: Relancer le devis {sent['number']}"
        in text_of(after)
    )

"""QuoteTaskRequested makes a task in the client's workspace: the newest one not archived
(or one made for it), with the id the quotes service chose, once however often the event
comes, its description ending with the quote's link; its assignee told as for any task. A
client deleted since gets nothing, and the log says so."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import date
from typing import Any

from sqlalchemy import select
from structlog.testing import capture_logs

from portico.contracts import Envelope
from portico.contracts.events.portal import TaskAssigned
from portico.contracts.events.quotes import QuoteTaskRequested
from portico.kit.tables import inbox_table
from portico.kit.testing.services import RunningPortico

PORTAL = "/api/portal/v1"
QUOTE_PAGE = "http://portico.test/quotes/"


def requested(client_id: str, **fields: Any) -> Envelope:
    quote_id = uuid.uuid4()
    event = QuoteTaskRequested.model_validate(
        {
            "task_id": uuid.uuid4(),
            "quote_id": quote_id,
            "number": "D-2026-0042",
            "client_id": client_id,
            "title": "Relancer le devis D-2026-0042",
            "quote_admin_url": f"{QUOTE_PAGE}{quote_id}",
            **fields,
        }
    )
    return Envelope.wrap(event, source="quotes")


async def handled(portico: RunningPortico, envelope: Envelope) -> None:
    """Waits until the portal has handled ``envelope`` (its inbox holds it)."""
    deadline = time.monotonic() + 30
    while True:
        async with portico.runtime("portal").database.sessions() as session:
            found = await session.scalar(
                select(inbox_table.c.event_key).where(inbox_table.c.event_key == envelope.key)
            )
        if found is not None:
            return
        assert time.monotonic() < deadline, f"the portal never handled {envelope.type}"
        await asyncio.sleep(0.05)


async def make_client(portico: RunningPortico, admin: dict[str, str], name: str) -> dict[str, Any]:
    contact = {
        "first_name": "Camille",
        "last_name": "Durand",
        "email": f"camille-{uuid.uuid4().hex[:8]}@lumiere.example",
    }
    made = await portico.http.post(
        f"{PORTAL}/clients", json={"name": name, "contacts": [contact]}, headers=admin
    )
    assert made.status_code == 201, made.text
    client: dict[str, Any] = made.json()
    return client


async def make_workspace(
    portico: RunningPortico, admin: dict[str, str], client: dict[str, Any], name: str
) -> str:
    made = await portico.http.post(
        f"{PORTAL}/clients/{client['id']}/workspaces",
        json={"name": name, "contact_ids": [client["contacts"][0]["id"]]},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


async def tasks_in(
    portico: RunningPortico, headers: dict[str, str], workspace_id: str
) -> list[dict[str, Any]]:
    read = await portico.http.get(f"{PORTAL}/workspaces/{workspace_id}/tasks", headers=headers)
    assert read.status_code == 200, read.text
    found: list[dict[str, Any]] = read.json()
    return found


async def workspaces_of(
    portico: RunningPortico, admin: dict[str, str], client: dict[str, Any]
) -> list[dict[str, Any]]:
    read = await portico.http.get(
        f"{PORTAL}/clients/{client['id']}/workspaces",
        params={"include_archived": "true"},
        headers=admin,
    )
    assert read.status_code == 200, read.text
    found: list[dict[str, Any]] = read.json()["items"]
    return found


async def test_the_task_goes_to_the_client_s_newest_open_workspace_once(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    me = (await portico.http.get(f"{PORTAL}/me", headers=admin)).json()
    atelier = await make_client(portico, admin, "Atelier Lumière")
    bakery = await make_client(portico, admin, "Boulangerie Dupont")
    older = await make_workspace(portico, admin, atelier, "Ancien chantier")
    current = await make_workspace(portico, admin, atelier, "Rénovation atelier")
    archived = await make_workspace(portico, admin, atelier, "Archivé")
    patched = await portico.http.patch(
        f"{PORTAL}/workspaces/{archived}", json={"archived": True}, headers=admin
    )
    assert patched.status_code == 200, patched.text
    elsewhere = await make_workspace(portico, admin, bakery, "Vitrine")

    envelope = requested(
        atelier["id"],
        description="Appeler Camille.",
        due_on="2026-12-05",
        assignee_id=me["id"],
        requested_by=me["id"],
    )
    event = envelope.event()
    assert isinstance(event, QuoteTaskRequested)
    await portico.host.bus.publish([envelope])
    [assigned] = await portico.events.wait_for(TaskAssigned.event_type, subject=str(event.task_id))
    assert (assigned.data["workspace_id"], assigned.data["assignee"]["id"]) == (current, me["id"])
    assert assigned.data["assigned_by"] == me["id"]

    [task] = await tasks_in(portico, admin, current)
    assert task["id"] == str(event.task_id)
    assert (task["title"], task["due_on"]) == ("Relancer le devis D-2026-0042", "2026-12-05")
    assert task["description"] == f"Appeler Camille.\n\n{event.quote_admin_url}"
    assert (task["assignee_kind"], task["assignee_id"], task["done_at"]) == (
        "staff",
        me["id"],
        None,
    )
    for other in (older, archived, elsewhere):
        assert await tasks_in(portico, admin, other) == []

    # The same event again, and another copy of the request (a new event, the same task):
    # still one task, as first made, and nobody told twice.
    again = Envelope.wrap(event.model_copy(update={"title": "Autre titre"}), source="quotes")
    await portico.host.bus.publish([envelope])
    await portico.host.bus.publish([again])
    await handled(portico, again)
    [still] = await tasks_in(portico, admin, current)
    assert (still["id"], still["title"]) == (task["id"], "Relancer le devis D-2026-0042")
    assert len(portico.events.of_type(TaskAssigned.event_type, subject=task["id"])) == 1

    # The other client's contact cannot reach it.
    contact = portico.headers(
        "client", client_id=bakery["id"], contact_id=bakery["contacts"][0]["id"]
    )
    peek = await portico.http.get(f"{PORTAL}/workspaces/{current}/tasks", headers=contact)
    assert peek.status_code == 404


async def test_a_client_without_an_open_workspace_gets_one_named_in_the_organisation_s_language(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    saved = await portico.http.put(
        f"{PORTAL}/organisation",
        json={"name": "Studio Lumière", "default_locale": "fr"},
        headers=admin,
    )
    assert saved.status_code == 200, saved.text
    client = await make_client(portico, admin, "Atelier Lumière")
    first = requested(client["id"])
    second = requested(client["id"], title="Mesurer", due_on=date(2026, 12, 6).isoformat())
    await portico.host.bus.publish([first, second])
    await handled(portico, first)
    await handled(portico, second)

    [made] = await workspaces_of(portico, admin, client)
    # Shared with no one: the client sees it once staff share it.
    assert (made["name"], made["members"]) == ("Devis", [])
    tasks = await tasks_in(portico, admin, made["id"])
    assert sorted(task["title"] for task in tasks) == ["Mesurer", "Relancer le devis D-2026-0042"]
    # No assignee, no description asked: the quote's link alone, and nobody to tell.
    for task in tasks:
        assert task["assignee_kind"] is None
        assert task["description"].startswith(QUOTE_PAGE)
        assert portico.events.of_type(TaskAssigned.event_type, subject=task["id"]) == []


async def test_a_deleted_client_gets_no_task_and_an_inactive_assignee_none(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin, "Atelier Lumière")
    workspace = await make_workspace(portico, admin, client, "Rénovation atelier")
    unknown = requested(str(uuid.uuid4()))
    with capture_logs() as logs:
        await portico.host.bus.publish([unknown])
        await handled(portico, unknown)
    [said] = [line for line in logs if line["event"].startswith("quote task not created")]
    assert said["client_id"] == unknown.data["client_id"]
    assert said["task_id"] == unknown.data["task_id"]

    nobody = requested(client["id"], assignee_id=str(uuid.uuid4()))
    await portico.host.bus.publish([nobody])
    await handled(portico, nobody)
    [task] = await tasks_in(portico, admin, workspace)
    assert (task["id"], task["assignee_kind"], task["assignee_id"]) == (
        nobody.data["task_id"],
        None,
        None,
    )

    deleted = await portico.http.delete(f"{PORTAL}/clients/{client['id']}", headers=admin)
    assert deleted.status_code == 204, deleted.text
    late = requested(client["id"])
    await portico.host.bus.publish([late])
    await handled(portico, late)
    gone = await portico.http.get(f"{PORTAL}/clients/{client['id']}/workspaces", headers=admin)
    assert gone.status_code == 404

"""A task asked for from a quote: the quotes service answers 202 with the task's id, keeps
the step in the quote's history and emits QuoteTaskRequested; the portal makes the task in
the client's workspace, where the portal's API shows it (to staff, and to the client's
contacts the workspace is shared with, never to another client's). Every refusal names its
field; an unknown quote is a 404, a deleted client a 409."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import date, timedelta
from typing import Any

from portico.contracts.events.portal import StaffUserChanged, TaskAssigned
from portico.contracts.events.quotes import QuoteTaskRequested
from portico.kit.testing.services import RunningPortico
from portico.quotes.models import StaffReplica
from portico.quotes.quotes.sending import staff_page
from portico.quotes.testing import (
    CLIENTS,
    QUOTES,
    field_of,
    known_to_quotes,
    make_client,
    make_quote,
    send,
    simple_quote,
)

PORTAL = "/api/portal/v1"


def tasks_path(quote: dict[str, Any]) -> str:
    return f"{QUOTES}/{quote['id']}/tasks"


async def staff_member(portico: RunningPortico, admin: dict[str, str]) -> dict[str, Any]:
    """A staff member, once the quotes service knows them."""
    made = await portico.http.post(
        f"{PORTAL}/staff",
        json={
            "email": f"lea-{uuid.uuid4().hex[:8]}@studio.example",
            "first_name": "Léa",
            "last_name": "Bernard",
            "role": "staff",
            "password": "a-long-test-passphrase",
        },
        headers=admin,
    )
    assert made.status_code == 201, made.text
    member: dict[str, Any] = made.json()
    deadline = time.monotonic() + 30
    while True:
        async with portico.runtime("quotes").database.sessions() as session:
            if await session.get(StaffReplica, uuid.UUID(member["id"])) is not None:
                return member
        assert time.monotonic() < deadline, "the quotes service never learnt the staff member"
        await asyncio.sleep(0.05)


async def workspace(
    portico: RunningPortico, admin: dict[str, str], client: dict[str, Any], name: str
) -> dict[str, Any]:
    """A workspace of ``client`` shared with its first contact."""
    made = await portico.http.post(
        f"{PORTAL}/clients/{client['id']}/workspaces",
        json={"name": name, "contact_ids": [client["contacts"][0]["id"]]},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    found: dict[str, Any] = made.json()
    return found


async def tasks_in(
    portico: RunningPortico, headers: dict[str, str], workspace_id: str
) -> list[dict[str, Any]]:
    read = await portico.http.get(f"{PORTAL}/workspaces/{workspace_id}/tasks", headers=headers)
    assert read.status_code == 200, read.text
    found: list[dict[str, Any]] = read.json()
    return found


async def task_made(
    portico: RunningPortico, headers: dict[str, str], workspace_id: str, task_id: str
) -> dict[str, Any]:
    """The task, once the portal has made it from the event."""
    deadline = time.monotonic() + 30
    while True:
        found = [t for t in await tasks_in(portico, headers, workspace_id) if t["id"] == task_id]
        if found:
            return found[0]
        assert time.monotonic() < deadline, "the portal never made the task"
        await asyncio.sleep(0.05)


def as_contact(portico: RunningPortico, client: dict[str, Any]) -> dict[str, str]:
    return portico.headers("client", client_id=client["id"], contact_id=client["contacts"][0]["id"])


async def test_a_task_asked_from_a_quote_appears_in_the_client_s_workspace_only(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    me = (await portico.http.get(f"{PORTAL}/me", headers=admin)).json()
    lea = await staff_member(portico, admin)
    atelier = await make_client(portico, admin, assigned_staff_id=me["id"])
    bakery = await make_client(portico, admin, name="Boulangerie Dupont")
    older = await workspace(portico, admin, atelier, "Ancien chantier")
    current = await workspace(portico, admin, atelier, "Rénovation atelier")
    elsewhere = await workspace(portico, admin, bakery, "Vitrine")
    quote = await make_quote(portico, admin, simple_quote(atelier))
    assert (await send(portico, admin, quote)).status_code == 200
    number = (await portico.http.get(f"{QUOTES}/{quote['id']}", headers=admin)).json()["number"]
    due = (date.today() + timedelta(days=7)).isoformat()

    asked = await portico.http.post(
        tasks_path(quote),
        json={
            "title": f"  Relancer le devis {number} ",
            "description": "Appeler Camille.\nElle attend le planning.",
            "due_on": due,
            "assignee_id": lea["id"],
        },
        headers=admin,
    )
    assert asked.status_code == 202, asked.text
    task_id = asked.json()["task_id"]

    [envelope] = await portico.events.wait_for(QuoteTaskRequested.event_type, subject=quote["id"])
    event = envelope.event()
    assert isinstance(event, QuoteTaskRequested)
    link = staff_page(portico.host.settings, uuid.UUID(quote["id"]))
    assert (str(event.task_id), event.number, str(event.client_id)) == (
        task_id,
        number,
        atelier["id"],
    )
    assert (event.title, event.due_on, str(event.assignee_id), str(event.requested_by)) == (
        f"Relancer le devis {number}",
        date.fromisoformat(due),
        lea["id"],
        me["id"],
    )
    assert event.quote_admin_url == link

    # In the client's newest workspace, with the quote's link at the end of its description.
    task = await task_made(portico, admin, current["id"], task_id)
    assert task["title"] == f"Relancer le devis {number}"
    assert task["description"] == f"Appeler Camille.\nElle attend le planning.\n\n{link}"
    assert (task["due_on"], task["assignee_kind"], task["assignee_id"]) == (due, "staff", lea["id"])
    assert (task["author_kind"], task["author_id"]) == ("staff", me["id"])
    # Its assignee hears of it as of any task.
    [assigned] = await portico.events.wait_for(TaskAssigned.event_type, subject=task_id)
    assert assigned.data["assignee"]["id"] == lea["id"]
    assert assigned.data["workspace_id"] == current["id"]

    # The client's contact sees it; the other workspaces, and the other client, do not.
    seen = await tasks_in(portico, as_contact(portico, atelier), current["id"])
    assert [t["id"] for t in seen] == [task_id]
    assert await tasks_in(portico, admin, older["id"]) == []
    assert await tasks_in(portico, admin, elsewhere["id"]) == []
    other = as_contact(portico, bakery)
    assert await tasks_in(portico, other, elsewhere["id"]) == []
    peek = await portico.http.get(f"{PORTAL}/workspaces/{current['id']}/tasks", headers=other)
    assert peek.status_code == 404

    # The quote's history says it, with who asked.
    steps = (await portico.http.get(f"{QUOTES}/{quote['id']}/history", headers=admin)).json()
    latest = steps["items"][0]
    assert (latest["kind"], latest["staff_id"]) == ("task_created", me["id"])
    assert latest["detail"] == {
        "task_id": task_id,
        "title": f"Relancer le devis {number}",
        "due_on": due,
        "assignee_id": lea["id"],
    }


async def test_a_draft_and_a_void_quote_have_tasks_for_the_quote_s_assignee_by_default(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    me = (await portico.http.get(f"{PORTAL}/me", headers=admin)).json()
    # A client without a workspace: the portal makes one, shared with no one yet.
    client = await make_client(portico, admin, assigned_staff_id=me["id"])
    draft = await make_quote(portico, admin, simple_quote(client, title="Atelier"))
    asked = await portico.http.post(tasks_path(draft), json={"title": "Mesurer"}, headers=admin)
    assert asked.status_code == 202, asked.text
    [envelope] = await portico.events.wait_for(QuoteTaskRequested.event_type, subject=draft["id"])
    assert envelope.data["number"] is None and envelope.data["description"] is None
    assert envelope.data["assignee_id"] == me["id"]  # the quote's, the client's staff in charge

    deadline = time.monotonic() + 30
    while not (
        made := (
            await portico.http.get(f"{PORTAL}/clients/{client['id']}/workspaces", headers=admin)
        ).json()["items"]
    ):
        assert time.monotonic() < deadline, "the portal never made the workspace"
        await asyncio.sleep(0.05)
    [made_for_it] = made
    assert (made_for_it["name"], made_for_it["members"]) == ("Quotes", [])
    task = await task_made(portico, admin, made_for_it["id"], asked.json()["task_id"])
    assert task["description"] == staff_page(portico.host.settings, uuid.UUID(draft["id"]))
    assert (task["assignee_kind"], task["assignee_id"]) == ("staff", me["id"])

    void = await make_quote(portico, admin, simple_quote(client, title="Ancien"))
    assert (await send(portico, admin, void)).status_code == 200
    assert (await portico.http.post(f"{QUOTES}/{void['id']}/void", headers=admin)).is_success
    again = await portico.http.post(tasks_path(void), json={"title": "Expliquer"}, headers=admin)
    assert again.status_code == 202, again.text
    # The same workspace: the portal made one, not one per task.
    await task_made(portico, admin, made_for_it["id"], again.json()["task_id"])


async def test_refusals_name_their_field_and_nothing_is_asked(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    quote = await make_quote(portico, admin, simple_quote(client))
    cases = [
        ({}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "Relancer", "description": "x" * 5001}, "description"),
        ({"title": "Relancer", "due_on": "demain"}, "due_on"),
        ({"title": "Relancer", "assignee_id": "someone"}, "assignee_id"),
        ({"title": "Relancer", "assignee_id": str(uuid.uuid4())}, "assignee_id"),
        ({"title": "Relancer", "colour": "red"}, "colour"),
    ]
    for body, field in cases:
        refused = await portico.http.post(tasks_path(quote), json=body, headers=admin)
        assert refused.status_code == 422, (body, refused.text)
        assert field_of(refused) == field, body
    unknown = await portico.http.post(
        f"{QUOTES}/{uuid.uuid4()}/tasks", json={"title": "Relancer"}, headers=admin
    )
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    steps = (await portico.http.get(f"{QUOTES}/{quote['id']}/history", headers=admin)).json()
    assert steps["total"] == 0
    assert portico.events.of_type(QuoteTaskRequested.event_type, subject=quote["id"]) == []


async def test_only_writers_ask_for_tasks_and_a_deleted_client_has_none(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    quote = await make_quote(portico, admin, simple_quote(client))
    assert (await send(portico, admin, quote)).status_code == 200
    body = {"title": "Relancer"}
    for refused in (
        portico.headers("api_key", scopes=["quotes:read"]),
        as_contact(portico, client),
    ):
        answer = await portico.http.post(tasks_path(quote), json=body, headers=refused)
        assert answer.status_code == 403
    assert (await portico.http.post(tasks_path(quote), json=body)).status_code == 401
    # An internal system with the scope may ask; nobody is named as the one who asked.
    writer = portico.headers("api_key", scopes=["quotes:write"])
    asked = await portico.http.post(tasks_path(quote), json=body, headers=writer)
    assert asked.status_code == 202, asked.text
    [envelope] = await portico.events.wait_for(QuoteTaskRequested.event_type, subject=quote["id"])
    assert envelope.data["requested_by"] is None

    deleted = await portico.http.delete(f"{CLIENTS}/{client['id']}", headers=admin)
    assert deleted.status_code == 204, deleted.text
    await known_to_quotes(portico, client["id"], deleted=True)
    gone = await portico.http.post(tasks_path(quote), json=body, headers=admin)
    assert gone.status_code == 409 and "deleted" in gone.json()["detail"]


async def test_a_deactivated_staff_member_is_not_given_a_task(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    lea = await staff_member(portico, admin)
    client = await make_client(portico, admin, assigned_staff_id=lea["id"])
    quote = await make_quote(portico, admin, simple_quote(client))
    assert quote["assignee_id"] == lea["id"]
    changed = await portico.http.patch(
        f"{PORTAL}/staff/{lea['id']}", json={"active": False}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    await portico.events.wait_for(StaffUserChanged.event_type, 2, subject=lea["id"])
    deadline = time.monotonic() + 30
    while True:
        async with portico.runtime("quotes").database.sessions() as session:
            held = await session.get(StaffReplica, uuid.UUID(lea["id"]))
            if held is not None and not held.active:
                break
        assert time.monotonic() < deadline, "the quotes service never learnt of it"
        await asyncio.sleep(0.05)

    named = await portico.http.post(
        tasks_path(quote), json={"title": "Relancer", "assignee_id": lea["id"]}, headers=admin
    )
    assert named.status_code == 422 and field_of(named) == "assignee_id"
    assert "deactivated" in named.text
    # The quote's own assignee, deactivated, is not the default: the task is for no one.
    asked = await portico.http.post(tasks_path(quote), json={"title": "Relancer"}, headers=admin)
    assert asked.status_code == 202, asked.text
    [envelope] = await portico.events.wait_for(QuoteTaskRequested.event_type, subject=quote["id"])
    assert envelope.data["assignee_id"] is None

"""Staff hear of workspace activity in the app and by email, as their preferences say."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from portico.contracts import Envelope
from portico.contracts.events.portal import MessagePosted, MessageRecipient, TaskAssigned
from portico.kit.testing.services import RunningPortico
from portico.kit.testing.smtp import Mailbox

if TYPE_CHECKING:
    from conftest import Publish, StaffMember

NOTIFICATIONS = "/api/notifier/v1/notifications"


pytestmark = pytest.mark.usefixtures("notifier_smtp")


async def wait_for_count(portico: RunningPortico, headers: dict[str, str], count: int) -> None:
    for _ in range(200):
        answer = (await portico.http.get(f"{NOTIFICATIONS}/unread-count", headers=headers)).json()
        if answer["unread"] >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"expected {count} unread notification(s)")


async def test_a_message_reaches_the_staff_member_in_the_app_and_by_email(
    portico: RunningPortico,
    admin: dict[str, str],
    notifier_smtp: Mailbox,
    message_posted: Callable[[str], Envelope],
) -> None:
    me = (await portico.http.get("/api/portal/v1/me", headers=admin)).json()
    await portico.host.bus.publish([message_posted(me["id"])])
    await wait_for_count(portico, admin, 1)
    page = (await portico.http.get(NOTIFICATIONS, headers=admin)).json()
    [notification] = page["items"]
    assert notification["title"] == "New message from Camille Durand in “Rénovation atelier”"
    assert notification["excerpt"] == "Voici les plans mis à jour."
    assert notification["link"].startswith("http://127.0.0.1:8000/workspaces/")
    for _ in range(200):
        if notifier_smtp.messages:
            break
        await asyncio.sleep(0.05)
    assert notifier_smtp.messages[0]["To"] == "Admin Portico <admin@studio.example>"

    read = await portico.http.post(f"{NOTIFICATIONS}/{notification['id']}/read", headers=admin)
    assert read.status_code == 204
    count = (await portico.http.get(f"{NOTIFICATIONS}/unread-count", headers=admin)).json()
    assert count == {"unread": 0}
    others = await portico.http.post(
        f"{NOTIFICATIONS}/{notification['id']}/read", headers=portico.headers("staff")
    )
    assert others.status_code == 404


async def test_preferences_choose_the_channels(
    portico: RunningPortico,
    admin: dict[str, str],
    notifier_smtp: Mailbox,
    message_posted: Callable[[str], Envelope],
) -> None:
    defaults = (await portico.http.get("/api/notifier/v1/preferences", headers=admin)).json()
    posted = next(p for p in defaults if p["kind"] == "message_posted")
    assert (posted["email"], posted["sms"], posted["in_app"], posted["customised"]) == (
        True,
        False,
        True,
        False,
    )
    chosen = await portico.http.put(
        "/api/notifier/v1/preferences/message_posted",
        json={"email": False, "sms": False, "in_app": True},
        headers=admin,
    )
    assert chosen.status_code == 200
    me = (await portico.http.get("/api/portal/v1/me", headers=admin)).json()
    await portico.host.bus.publish([message_posted(me["id"]), message_posted(me["id"])])
    await wait_for_count(portico, admin, 2)
    await asyncio.sleep(0.3)
    assert notifier_smtp.messages == []
    seen_by_admin = (
        await portico.http.get(f"/api/notifier/v1/preferences/users/{me['id']}", headers=admin)
    ).json()
    assert next(p for p in seen_by_admin if p["kind"] == "message_posted")["email"] is False


async def test_mark_all_read(
    portico: RunningPortico, admin: dict[str, str], message_posted: Callable[[str], Envelope]
) -> None:
    me = (await portico.http.get("/api/portal/v1/me", headers=admin)).json()
    await portico.host.bus.publish([message_posted(me["id"]), message_posted(me["id"])])
    await wait_for_count(portico, admin, 2)
    done = await portico.http.post(f"{NOTIFICATIONS}/read-all", headers=admin)
    assert done.status_code == 204
    unread = (await portico.http.get(f"{NOTIFICATIONS}?unread=true", headers=admin)).json()
    assert unread["total"] == 0


# A client's reply as the portal's excerpt carries it: their words, the message they
# answer quoted, a link, and more than a line holds.
LONG_REPLY = (
    "Bonjour, voici les plans mis à jour avec la cuisine déplacée côté jardin,\n"
    "> Pouvez-vous nous envoyer les plans ?\n"
    "> Merci d'avance\n"
    "ainsi que le devis du menuisier pour les placards sur mesure et l'escalier "
    "qui mène à la mezzanine du deuxième étage : https://plans.example/atelier/v3 "
    "à valider avant vendredi si possible."
)


async def test_a_message_notification_is_a_title_an_excerpt_and_a_link_in_the_readers_language(
    portico: RunningPortico, staff: StaffMember, publish: Publish
) -> None:
    await staff.change(locale="en")
    workspace_id = uuid.uuid4()
    link = f"http://127.0.0.1:8000/workspaces/{workspace_id}"
    event = MessagePosted(
        message_id=uuid.uuid4(),
        workspace_id=workspace_id,
        client_id=uuid.uuid4(),
        workspace_name="Rénovation atelier",
        author_kind="client",
        author_id=uuid.uuid4(),
        author_name="Camille Durand",
        excerpt=LONG_REPLY,
        recipients=[MessageRecipient(kind="staff", id=staff.id, name="Admin", email=None)],
        workspace_url=link,
    )
    await publish("portal", event)
    [english] = await staff.notifications(1)
    assert english["title"] == "New message from Camille Durand in “Rénovation atelier”"
    excerpt = english["excerpt"]
    # One line of the client's own words, cut after a whole word.
    assert excerpt == (
        "Bonjour, voici les plans mis à jour avec la cuisine déplacée côté jardin, ainsi que "
        "le devis du menuisier pour les placards sur mesure et…"
    )
    assert len(excerpt) <= 140
    assert english["link"] == link
    assert "body" not in english

    # Read after switching to French, it reads French, though it arrived in English.
    await staff.change(locale="fr")
    deadline = time.monotonic() + 10
    while True:
        [french] = await staff.notifications(1)
        if french["title"] != english["title"]:
            break
        assert time.monotonic() < deadline, "the notification never read French"
        await asyncio.sleep(0.05)
    assert french["title"] == "Nouveau message de Camille Durand dans « Rénovation atelier »"
    assert (french["excerpt"], french["link"], french["id"]) == (
        excerpt,
        link,
        english["id"],
    )


async def test_each_kind_of_notification_reads_in_the_readers_language(
    portico: RunningPortico, staff: StaffMember, publish: Publish
) -> None:
    """A kind whose excerpt is Portico's words (not a client's): a task assigned."""
    await staff.change(locale="fr")
    workspace_id = uuid.uuid4()
    task = TaskAssigned.model_validate(
        {
            **TaskAssigned.model_json_schema()["examples"][0],
            "assignee_kind": "staff",
            "assignee": {"id": str(staff.id), "name": "Admin", "locale": "en"},
            "title": "Envoyer le Kbis",
            "due_on": "2026-12-05",
            "workspace_url": f"http://127.0.0.1:8000/workspaces/{workspace_id}",
        }
    )
    await publish("portal", task)
    [notification] = await staff.notifications(1)
    assert notification["title"] == "Une tâche pour vous : Envoyer le Kbis"
    assert notification["excerpt"] == "À faire pour le 5 décembre 2026."
    await staff.change(locale="en")
    deadline = time.monotonic() + 10
    while (await staff.notifications(1))[0]["excerpt"] != "Due on December 5, 2026.":
        assert time.monotonic() < deadline, "the notification never read English"
        await asyncio.sleep(0.05)

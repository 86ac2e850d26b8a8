"""Staff hear of workspace activity in the app and by email, as their preferences say."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from portico.contracts import Envelope
from portico.kit.testing.services import RunningPortico
from portico.kit.testing.smtp import Mailbox

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
    assert "Voici les plans mis à jour." in notification["body"]
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

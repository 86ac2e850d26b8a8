"""The notifications page: each notification as a short title, one line of text and a link,
in the reader's language."""

from __future__ import annotations

import asyncio
import html
import re
import time
import uuid

import httpx
import pytest

from portico.contracts import Envelope
from portico.contracts.events.portal import MessagePosted, MessageRecipient, StaffUserChanged
from portico.gateway.testing import Accounts, Site
from portico.kit.testing.services import RunningPortico

QUOTED = "Pouvez-vous nous envoyer les plans ?"
REPLY = (
    "Bonjour, voici les plans mis à jour avec la cuisine déplacée côté jardin,\n"
    f"> {QUOTED}\n"
    "ainsi que le devis du menuisier pour les placards sur mesure et l'escalier "
    "qui mène à la mezzanine : https://plans.example/atelier/v3 à valider vite."
)
NOTIFICATION = re.compile(r'<li class="notification">.*?</li>', re.DOTALL)


async def _shown(site: Site, needle: str, timeout: float = 10.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        page = await site.get("/notifications")
        assert page.status_code == 200
        if needle in page.text:
            return page
        assert time.monotonic() < deadline, f"{needle} never reached the notifications page"
        await asyncio.sleep(0.05)


@pytest.mark.backends("embedded")
async def test_a_message_is_a_title_a_line_and_a_link_in_the_readers_language(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    lea = await accounts.staff("staff", locale="fr")
    # The notifier reaches staff it knows of: its replica, fed by this event, comes first.
    await portico.events.wait_for(StaffUserChanged.event_type, subject=lea["id"])
    await site.log_in(lea["email"])
    workspace_id = uuid.uuid4()
    event = MessagePosted(
        message_id=uuid.uuid4(),
        workspace_id=workspace_id,
        client_id=uuid.uuid4(),
        workspace_name="Rénovation atelier",
        author_kind="client",
        author_id=uuid.uuid4(),
        author_name="Camille Durand",
        excerpt=REPLY,
        recipients=[MessageRecipient(kind="staff", id=uuid.UUID(lea["id"]), name="Léa")],
        workspace_url=f"http://127.0.0.1:8000/workspaces/{workspace_id}",
    )
    await portico.host.bus.publish([Envelope.wrap(event, source="portal")])

    title = "Nouveau message de Camille Durand dans « Rénovation atelier »"
    page = await _shown(site, title)
    [item] = NOTIFICATION.findall(page.text)
    assert f'{title}<span class="visually-hidden"> (non lue)</span></button>' in item
    [excerpt] = re.findall(r'<p class="notification-excerpt">(.*?)</p>', item)
    assert html.unescape(excerpt) == (
        "Bonjour, voici les plans mis à jour avec la cuisine déplacée côté jardin, ainsi que "
        "le devis du menuisier pour les placards sur mesure et…"
    )
    assert QUOTED not in page.text and "https://plans.example" not in page.text

    # The title leads to the message's workspace, and the notification is read.
    action = re.findall(r'<form method="post" action="([^"]+)"', item)[0]
    opened = await site.post(html.unescape(action))
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/workspaces/{workspace_id}"
    read = await site.get("/notifications")
    assert title in read.text and "(non lue)" not in read.text

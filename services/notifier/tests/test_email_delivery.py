"""Emails through a real SMTP server (aiosmtpd), from portal events to the inbox, on both
backends: content in both languages, one message per event, retries, failures."""

from __future__ import annotations

import asyncio

import pytest

from portico.contracts import Envelope
from portico.contracts.events.notifier import NotificationDelivered, NotificationFailed
from portico.contracts.events.portal import ClientInvited
from portico.kit.testing.services import RunningPortico
from portico.kit.testing.smtp import Mailbox, text_and_html

CLIENTS = "/api/portal/v1/clients"
CLIENT = {
    "name": "Atelier Lumière",
    "contacts": [
        {
            "first_name": "Camille",
            "last_name": "Durand",
            "email": "camille@lumiere.example",
            "locale": "fr",
        },
        {"first_name": "Hugo", "last_name": "Martin", "email": "hugo@lumiere.example"},
    ],
}


pytestmark = pytest.mark.usefixtures("notifier_smtp")


async def invite(portico: RunningPortico, admin: dict[str, str], index: int = 0) -> Envelope:
    client = (await portico.http.post(CLIENTS, json=CLIENT, headers=admin)).json()
    contact = client["contacts"][index]
    response = await portico.http.post(
        f"{CLIENTS}/{client['id']}/contacts/{contact['id']}/invitation", headers=admin
    )
    assert response.status_code == 201, response.text
    [envelope] = await portico.events.wait_for(ClientInvited.event_type)
    return envelope


async def test_an_invitation_email_in_french_carries_the_link_and_the_branding(
    portico: RunningPortico, admin: dict[str, str], notifier_smtp: Mailbox
) -> None:
    branded = await portico.http.put(
        "/api/portal/v1/organisation",
        json={
            "name": "Studio Portico",
            "brand_colour": "#aa3355",
            "sender_email": "bonjour@studio.example",
            "sender_name": "Studio Portico",
            "default_locale": "fr",
        },
        headers=admin,
    )
    assert branded.status_code == 200
    envelope = await invite(portico, admin)
    event = envelope.event()
    assert isinstance(event, ClientInvited)

    [message] = await notifier_smtp.wait_for()
    assert message["To"] == "Camille Durand <camille@lumiere.example>"
    assert message["From"] == "Studio Portico <bonjour@studio.example>"
    assert message["Reply-To"] == "admin@studio.example"
    assert message["Subject"] == "Studio Portico vous invite sur votre espace client"
    assert message["Message-ID"].endswith("@studio.example>")
    text, html = text_and_html(message)
    link = str(event.accept_url)
    assert link in text and link.replace("&", "&amp;") in html
    assert "Bonjour Camille Durand" in text
    assert "Atelier Lumière" in html
    assert "background-color: #aa3355" in html or "background: #aa3355" in html
    assert "<style" not in html  # inlined for mail clients

    [delivered] = await portico.events.wait_for(NotificationDelivered.event_type)
    assert delivered.event().recipient == "c•••••@lumiere.example"  # type: ignore[attr-defined]


async def test_an_english_contact_gets_the_english_email(
    portico: RunningPortico, admin: dict[str, str], notifier_smtp: Mailbox
) -> None:
    await invite(portico, admin, index=1)
    [message] = await notifier_smtp.wait_for()
    assert message["Subject"] == "Portico invites you to your client portal"
    text, _ = text_and_html(message)
    assert text.startswith("Hello Hugo Martin,")


async def test_a_duplicated_event_sends_one_message(
    portico: RunningPortico, admin: dict[str, str], notifier_smtp: Mailbox
) -> None:
    envelope = await invite(portico, admin)
    await notifier_smtp.wait_for()
    await portico.host.bus.publish([envelope])
    await portico.http.post(
        "/api/portal/v1/auth/password-reset", json={"email": "admin@studio.example"}
    )
    # The reset email arriving after the duplicate proves the duplicate was handled.
    messages = await notifier_smtp.wait_for(2)
    await asyncio.sleep(0.3)
    assert [m["To"] for m in messages] == [
        "Camille Durand <camille@lumiere.example>",
        "Admin Portico <admin@studio.example>",
    ]


async def test_a_server_that_answers_451_gets_the_message_on_a_later_try(
    portico: RunningPortico, admin: dict[str, str], notifier_smtp: Mailbox
) -> None:
    notifier_smtp.refuse_next("451 4.3.0 Try again later")
    await invite(portico, admin)
    [message] = await notifier_smtp.wait_for()
    assert message["Subject"]
    # Recorded in the transaction that emits NotificationDelivered, just after the send.
    await portico.events.wait_for(NotificationDelivered.event_type)
    log = (await portico.http.get("/api/notifier/v1/deliveries", headers=admin)).json()
    [delivery] = log["items"]
    assert (delivery["status"], delivery["attempts"]) == ("sent", 2)
    detail = (
        await portico.http.get(f"/api/notifier/v1/deliveries/{delivery['id']}", headers=admin)
    ).json()
    assert [a["outcome"] for a in detail["attempt_log"]] == ["transient", "sent"]
    assert "451" in detail["attempt_log"][0]["error"]
    assert "token" not in str(detail)


async def test_a_server_that_answers_550_leaves_a_failed_delivery(
    portico: RunningPortico, admin: dict[str, str], notifier_smtp: Mailbox
) -> None:
    notifier_smtp.refuse_next("550 5.1.1 No such mailbox")
    await invite(portico, admin)
    [failed] = await portico.events.wait_for(NotificationFailed.event_type)
    event = failed.event()
    assert isinstance(event, NotificationFailed)
    assert event.permanent and "550" in event.reason
    log = (
        await portico.http.get("/api/notifier/v1/deliveries?status=failed", headers=admin)
    ).json()
    assert [(d["kind"], d["attempts"]) for d in log["items"]] == [("client_invited", 1)]
    assert notifier_smtp.messages == []

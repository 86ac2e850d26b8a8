"""Embedded mode without SMTP: the invitation email lands in the local mailbox, and the
notifier's API lists and shows it (the UI's development inbox)."""

from __future__ import annotations

import asyncio

import pytest

from portico.contracts.events.portal import ClientInvited
from portico.kit.testing.services import RunningPortico


@pytest.mark.backends("embedded")
async def test_inviting_a_contact_puts_the_email_in_the_local_mailbox(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = (
        await portico.http.post(
            "/api/portal/v1/clients",
            json={
                "name": "Atelier Lumière",
                "contacts": [
                    {"first_name": "Camille", "last_name": "Durand", "email": "c@lumiere.example"}
                ],
            },
            headers=admin,
        )
    ).json()
    contact = client["contacts"][0]
    await portico.http.post(
        f"/api/portal/v1/clients/{client['id']}/contacts/{contact['id']}/invitation",
        headers=admin,
    )
    [envelope] = await portico.events.wait_for(ClientInvited.event_type)
    link = str(envelope.event().accept_url)  # type: ignore[attr-defined]

    for _ in range(200):
        listed = (await portico.http.get("/api/notifier/v1/mailbox", headers=admin)).json()
        if listed:
            break
        await asyncio.sleep(0.05)
    [entry] = listed
    assert (entry["channel"], entry["to"]) == ("email", "Camille Durand <c@lumiere.example>")
    assert entry["subject"] == "Portico invites you to your client portal"
    shown = (
        await portico.http.get(f"/api/notifier/v1/mailbox/{entry['id']}", headers=admin)
    ).json()
    assert link in shown["text"]
    assert shown["html"] and link.replace("&", "&amp;") in shown["html"]
    missing = await portico.http.get("/api/notifier/v1/mailbox/nothing-here", headers=admin)
    assert missing.status_code == 404
    as_client = await portico.http.get(
        "/api/notifier/v1/mailbox",
        headers=portico.headers("client", client_id=client["id"], contact_id=contact["id"]),
    )
    assert as_client.status_code == 403


@pytest.mark.backends("embedded")
async def test_a_staff_member_who_is_not_an_admin_cannot_read_the_inbox(
    portico: RunningPortico,
) -> None:
    # Other people's reset and invitation links are in it: reading them is taking over.
    staff = portico.headers("staff")
    for path in ("/api/notifier/v1/mailbox", "/api/notifier/v1/mailbox/20260101T000000-abcdef12"):
        refused = await portico.http.get(path, headers=staff)
        assert refused.status_code == 403, path
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["detail"] == "Only administrators can do this."
    allowed = await portico.http.get("/api/notifier/v1/mailbox", headers=portico.headers("admin"))
    assert allowed.status_code == 200

"""Invitations to the client portal: invite, re-send, revoke, expire, accept, log in."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
from sqlalchemy import update

from portico.contracts.events.portal import (
    ClientInvited,
    ClientJoined,
    ClientUpdated,
    PasswordResetRequested,
)
from portico.kit.db import utcnow
from portico.kit.testing.services import RunningPortico
from portico.portal.models import Invitation
from portico.portal.testing import LogIn

CLIENTS = "/api/portal/v1/clients"
ACCEPT = "/api/portal/v1/invitations/accept"
PASSWORD = "Lumiere-Portal-2026!"
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


async def create_client(portico: RunningPortico, admin: dict[str, str]) -> dict:
    response = await portico.http.post(CLIENTS, json=CLIENT, headers=admin)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def invite(
    portico: RunningPortico, admin: dict[str, str], client: dict, index: int = 0
) -> str:
    """Invites the contact and answers the token of the accept link ClientInvited carries."""
    contact = client["contacts"][index]
    before = len(portico.events.of_type(ClientInvited.event_type, subject=client["id"]))
    response = await portico.http.post(
        f"{CLIENTS}/{client['id']}/contacts/{contact['id']}/invitation", headers=admin
    )
    assert response.status_code == 201, response.text
    envelopes = await portico.events.wait_for(
        ClientInvited.event_type, before + 1, subject=client["id"]
    )
    event = envelopes[-1].event()
    assert isinstance(event, ClientInvited)
    return parse_qs(urlsplit(str(event.accept_url)).query)["token"][0]


async def test_an_invited_contact_accepts_sets_a_password_and_logs_in(
    portico: RunningPortico, admin: dict[str, str], log_in: LogIn
) -> None:
    client = await create_client(portico, admin)
    camille = client["contacts"][0]
    token = await invite(portico, admin, client)
    [envelope] = portico.events.of_type(ClientInvited.event_type, subject=client["id"])
    invited = envelope.event()
    assert isinstance(invited, ClientInvited)
    assert (invited.client_name, invited.contact.email, invited.contact.locale) == (
        "Atelier Lumière",
        "camille@lumiere.example",
        "fr",
    )
    assert str(invited.accept_url).startswith("http://127.0.0.1:8000/invitations/accept?token=")

    preview = await portico.http.get(ACCEPT, params={"token": token})
    assert preview.status_code == 200
    assert (preview.json()["client_name"], preview.json()["first_name"]) == (
        "Atelier Lumière",
        "Camille",
    )
    weak = await portico.http.post(ACCEPT, json={"token": token, "password": "camille"})
    assert weak.status_code == 422
    assert {error["field"] for error in weak.json()["errors"]} == {"password"}

    accepted = await portico.http.post(ACCEPT, json={"token": token, "password": PASSWORD})
    assert accepted.status_code == 200, accepted.text
    [joined] = await portico.events.wait_for(ClientJoined.event_type)
    assert joined.event().contact_id.hex == camille["id"].replace("-", "")  # type: ignore[attr-defined]

    tokens = await log_in("Camille@Lumiere.example", PASSWORD)
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert (claims["role"], claims["client_id"], claims["contact_id"]) == (
        "client",
        client["id"],
        camille["id"],
    )
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    account = (await portico.http.get("/api/portal/v1/client-account", headers=headers)).json()
    assert (account["client_name"], account["email"]) == (
        "Atelier Lumière",
        "camille@lumiere.example",
    )
    assert (await portico.http.get(CLIENTS, headers=headers)).status_code == 403

    stored = (await portico.http.get(f"{CLIENTS}/{client['id']}", headers=admin)).json()
    assert [c["portal_status"] for c in stored["contacts"]] == ["active", "none"]
    assert stored["portal_status"] == "active"
    active = (await portico.http.get(f"{CLIENTS}?portal_status=active", headers=admin)).json()
    assert [c["id"] for c in active["items"]] == [client["id"]]
    listed = (
        await portico.http.get("/api/portal/v1/invitations?status=accepted", headers=admin)
    ).json()
    assert [(i["contact_name"], i["status"]) for i in listed["items"]] == [
        ("Camille Durand", "accepted")
    ]
    updates = await portico.events.wait_for(ClientUpdated.event_type, 2, subject=client["id"])
    assert [c.portal_status for c in updates[-1].event().contacts] == ["active", "none"]  # type: ignore[attr-defined]

    again = await portico.http.post(ACCEPT, json={"token": token, "password": PASSWORD})
    assert again.status_code == 410
    reinvite = await portico.http.post(
        f"{CLIENTS}/{client['id']}/contacts/{camille['id']}/invitation", headers=admin
    )
    assert reinvite.status_code == 409


async def test_resending_replaces_the_link_and_revoking_disables_it(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await create_client(portico, admin)
    first = await invite(portico, admin, client)
    second = await invite(portico, admin, client)
    assert (await portico.http.get(ACCEPT, params={"token": first})).status_code == 410
    assert (await portico.http.get(ACCEPT, params={"token": second})).status_code == 200
    pending = (await portico.http.get(f"{CLIENTS}?portal_status=invited", headers=admin)).json()
    assert pending["total"] == 1

    contact = client["contacts"][0]
    revoked = await portico.http.delete(
        f"{CLIENTS}/{client['id']}/contacts/{contact['id']}/invitation", headers=admin
    )
    assert revoked.status_code == 204
    gone = await portico.http.post(ACCEPT, json={"token": second, "password": PASSWORD})
    assert gone.status_code == 410
    assert gone.headers["content-type"] == "application/problem+json"
    nothing = await portico.http.delete(
        f"{CLIENTS}/{client['id']}/contacts/{contact['id']}/invitation", headers=admin
    )
    assert nothing.status_code == 404
    statuses = (await portico.http.get("/api/portal/v1/invitations", headers=admin)).json()
    assert [i["status"] for i in statuses["items"]] == ["revoked", "revoked"]


async def test_an_expired_invitation_is_listed_as_expired_and_cannot_be_accepted(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await create_client(portico, admin)
    token = await invite(portico, admin, client)
    async with portico.runtime("portal").database.transaction() as tx:
        await tx.execute(update(Invitation).values(expires_at=utcnow() - timedelta(minutes=1)))
    refused = await portico.http.post(ACCEPT, json={"token": token, "password": PASSWORD})
    assert refused.status_code == 410
    expired = (
        await portico.http.get("/api/portal/v1/invitations?status=expired", headers=admin)
    ).json()
    assert [i["email"] for i in expired["items"]] == ["camille@lumiere.example"]
    stored = (await portico.http.get(f"{CLIENTS}/{client['id']}", headers=admin)).json()
    assert stored["portal_status"] == "expired"
    assert (await portico.http.get(f"{CLIENTS}?portal_status=expired", headers=admin)).json()[
        "total"
    ] == 1


async def test_create_and_invite_adds_the_contact_and_sends_the_link(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await create_client(portico, admin)
    added = await portico.http.post(
        f"{CLIENTS}/{client['id']}/contacts?invite=true",
        json={"first_name": "Inès", "last_name": "Roux", "email": "ines@lumiere.example"},
        headers=admin,
    )
    assert added.status_code == 201, added.text
    assert added.json()["portal_status"] == "invited"
    [envelope] = await portico.events.wait_for(ClientInvited.event_type, subject=client["id"])
    assert envelope.event().contact.email == "ines@lumiere.example"  # type: ignore[attr-defined]


async def test_invitations_sent_resent_revoked_and_accepted_go_into_the_history(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await create_client(portico, admin)
    camille, hugo = client["contacts"]
    await invite(portico, admin, client, 1)
    revoked = await portico.http.delete(
        f"{CLIENTS}/{client['id']}/contacts/{hugo['id']}/invitation", headers=admin
    )
    assert revoked.status_code == 204
    await invite(portico, admin, client)
    token = await invite(portico, admin, client)
    accepted = await portico.http.post(ACCEPT, json={"token": token, "password": PASSWORD})
    assert accepted.status_code == 200, accepted.text
    ended = await portico.http.delete(
        f"{CLIENTS}/{client['id']}/contacts/{camille['id']}/invitation", headers=admin
    )
    assert ended.status_code == 204

    changes = (await portico.http.get(f"{CLIENTS}/{client['id']}/history", headers=admin)).json()
    me = (await portico.http.get("/api/portal/v1/me", headers=admin)).json()
    steps = [
        (c["summary"], c["origin_kind"], c["origin_id"], c["changes"])
        for c in reversed(changes)
        if c["summary"] != "created"
    ]

    def status(contact: dict, old: str, new: str) -> list[dict]:
        return [{"field": f"contacts.{contact['id']}.portal_status", "old": old, "new": new}]

    assert steps == [
        ("invitation_sent", "staff", me["id"], status(hugo, "none", "invited")),
        ("invitation_revoked", "staff", me["id"], status(hugo, "invited", "none")),
        ("invitation_sent", "staff", me["id"], status(camille, "none", "invited")),
        ("invitation_resent", "staff", me["id"], status(camille, "invited", "invited")),
        ("invitation_accepted", "client", camille["id"], status(camille, "invited", "active")),
        ("access_revoked", "staff", me["id"], status(camille, "active", "none")),
    ]


async def test_only_staff_invite(portico: RunningPortico, admin: dict[str, str]) -> None:
    client = await create_client(portico, admin)
    contact = client["contacts"][0]
    as_client = await portico.http.post(
        f"{CLIENTS}/{client['id']}/contacts/{contact['id']}/invitation",
        headers=portico.headers("client", client_id=client["id"], contact_id=contact["id"]),
    )
    assert as_client.status_code == 403


async def test_a_token_of_no_staff_user_invites_without_a_sender(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    # An admin token whose subject is not a staff user's id (a service account, a script).
    client = await create_client(portico, admin)
    contact = client["contacts"][0]
    invited = await portico.http.post(
        f"{CLIENTS}/{client['id']}/contacts/{contact['id']}/invitation",
        headers=portico.headers("admin", subject="deploy-script"),
    )
    assert invited.status_code == 201, invited.text
    assert invited.json()["invited_by"] is None


async def test_a_client_resets_their_password_by_the_emailed_link(
    portico: RunningPortico, admin: dict[str, str], log_in: LogIn
) -> None:
    client = await create_client(portico, admin)
    token = await invite(portico, admin, client)
    await portico.http.post(ACCEPT, json={"token": token, "password": PASSWORD})
    asked = await portico.http.post(
        "/api/portal/v1/auth/password-reset", json={"email": "camille@lumiere.example"}
    )
    assert asked.status_code == 202
    [envelope] = await portico.events.wait_for(PasswordResetRequested.event_type)
    event = envelope.event()
    assert isinstance(event, PasswordResetRequested)
    assert (event.account_kind, event.locale, event.name) == ("client", "fr", "Camille Durand")
    reset_token = parse_qs(urlsplit(str(event.reset_url)).query)["token"][0]
    done = await portico.http.post(
        "/api/portal/v1/auth/password-reset/confirm",
        json={"token": reset_token, "password": "Nouveau-Secret-2027"},
    )
    assert done.status_code == 204
    tokens = await log_in("camille@lumiere.example", "Nouveau-Secret-2027")
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert claims["role"] == "client"

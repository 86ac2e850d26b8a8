"""One login per person: the same address invited by two clients reaches both, one at a time.

An accountant is a contact of two clients. They accept the first invitation by choosing a
password and the second by giving that password; logging in lands on the client they used
last; they list their clients and switch (new tokens, one client per session); revoking
their access at one client leaves the other; a session never sees the other client's data.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

from portico.contracts.events.portal import ClientInvited, PasswordResetRequested
from portico.kit.testing.services import RunningPortico
from portico.portal.testing import LogIn, bearer

API = "/api/portal/v1"
ACCEPT = f"{API}/invitations/accept"
PASSWORD = "Comptable-Prudent-2026!"
ANNE = {"first_name": "Anne", "last_name": "Moreau", "email": "anne@compta.example"}


async def create_client(portico: RunningPortico, admin: dict[str, str], name: str) -> dict:
    other = {"first_name": "Hugo", "last_name": "Martin", "email": f"hugo@{name.lower()}.example"}
    response = await portico.http.post(
        f"{API}/clients", json={"name": name, "contacts": [ANNE, other]}, headers=admin
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def invite_anne(portico: RunningPortico, admin: dict[str, str], client: dict) -> str:
    contact = client["contacts"][0]
    before = len(portico.events.of_type(ClientInvited.event_type, subject=client["id"]))
    response = await portico.http.post(
        f"{API}/clients/{client['id']}/contacts/{contact['id']}/invitation", headers=admin
    )
    assert response.status_code == 201, response.text
    envelopes = await portico.events.wait_for(
        ClientInvited.event_type, before + 1, subject=client["id"]
    )
    return parse_qs(urlsplit(str(envelopes[-1].event().accept_url)).query)["token"][0]  # type: ignore[attr-defined]


def claims(tokens: dict[str, str]) -> dict[str, Any]:
    return dict(jwt.decode(tokens["access_token"], options={"verify_signature": False}))


async def workspace(
    portico: RunningPortico, admin: dict[str, str], client: dict, name: str
) -> dict:
    response = await portico.http.post(
        f"{API}/clients/{client['id']}/workspaces",
        json={"name": name, "contact_ids": [client["contacts"][0]["id"]]},
        headers=admin,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def two_clients_joined(
    portico: RunningPortico, admin: dict[str, str]
) -> tuple[dict, dict, dict[str, str]]:
    """Anne joins Lumière (new password), then Boréal (her password); answers the
    tokens accepting Boréal gave."""
    lumiere = await create_client(portico, admin, "Lumiere")
    boreal = await create_client(portico, admin, "Boreal")
    first = await invite_anne(portico, admin, lumiere)
    # Invited by a second client while still only invited at the first: no conflict.
    second = await invite_anne(portico, admin, boreal)
    preview = (await portico.http.get(ACCEPT, params={"token": first})).json()
    assert preview["has_login"] is False
    accepted = await portico.http.post(ACCEPT, json={"token": first, "password": PASSWORD})
    assert accepted.status_code == 200, accepted.text

    preview = (await portico.http.get(ACCEPT, params={"token": second})).json()
    assert (preview["has_login"], preview["client_name"]) == (True, "Boreal")
    wrong = await portico.http.post(
        ACCEPT, json={"token": second, "password": "Another-Strong-Secret-77"}
    )
    assert wrong.status_code == 401
    assert wrong.headers["content-type"] == "application/problem+json"
    # The wrong password used nothing up: the link still works.
    assert (await portico.http.get(ACCEPT, params={"token": second})).status_code == 200
    joined = await portico.http.post(ACCEPT, json={"token": second, "password": PASSWORD})
    assert joined.status_code == 200, joined.text
    return lumiere, boreal, joined.json()


async def test_one_person_joins_two_clients_and_switches_between_them(
    portico: RunningPortico, admin: dict[str, str], log_in: LogIn
) -> None:
    lumiere, boreal, at_boreal = await two_clients_joined(portico, admin)
    assert claims(at_boreal)["client_id"] == boreal["id"]
    lumiere_ws = await workspace(portico, admin, lumiere, "Bilan Lumière")
    boreal_ws = await workspace(portico, admin, boreal, "Bilan Boréal")

    # Logging in lands on the client used last: Boréal, just joined.
    tokens = await log_in("Anne@Compta.example", PASSWORD)
    assert (claims(tokens)["client_id"], claims(tokens)["contact_id"]) == (
        boreal["id"],
        boreal["contacts"][0]["id"],
    )
    account = (await portico.http.get(f"{API}/client-account", headers=bearer(tokens))).json()
    assert account["client_name"] == "Boreal"
    assert [c["client_name"] for c in account["clients"]] == ["Boreal", "Lumiere"]

    seen = (await portico.http.get(f"{API}/workspaces", headers=bearer(tokens))).json()
    assert [w["id"] for w in seen["items"]] == [boreal_ws["id"]]
    # Boréal's session never reads Lumière's data, though the same person is its contact.
    for path in (
        f"{API}/workspaces/{lumiere_ws['id']}",
        f"{API}/clients/{lumiere['id']}/workspaces",
    ):
        refused = await portico.http.get(path, headers=bearer(tokens))
        assert refused.status_code in (403, 404), (path, refused.text)

    switched = await portico.http.post(
        f"{API}/auth/switch", json={"client_id": lumiere["id"]}, headers=bearer(tokens)
    )
    assert switched.status_code == 200, switched.text
    at_lumiere = switched.json()
    assert claims(at_lumiere)["client_id"] == lumiere["id"]
    seen = (await portico.http.get(f"{API}/workspaces", headers=bearer(at_lumiere))).json()
    assert [w["id"] for w in seen["items"]] == [lumiere_ws["id"]]
    # Switching ends the session it came from.
    old = await portico.http.get(f"{API}/client-account", headers=bearer(tokens))
    assert old.status_code == 401
    stale = await portico.http.post(
        f"{API}/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert stale.status_code == 401

    # The next login lands on Lumière, the client used last.
    again = await log_in("anne@compta.example", PASSWORD)
    assert claims(again)["client_id"] == lumiere["id"]

    # A client Anne is no contact of, or a malformed id: a problem naming what is wrong.
    other = await create_client(portico, admin, "Ailleurs")
    nowhere = await portico.http.post(
        f"{API}/auth/switch", json={"client_id": other["id"]}, headers=bearer(again)
    )
    assert nowhere.status_code == 404
    malformed = await portico.http.post(
        f"{API}/auth/switch", json={"client_id": "nope"}, headers=bearer(again)
    )
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["field"] == "client_id"
    # Staff have no clients to switch to.
    assert (
        await portico.http.post(
            f"{API}/auth/switch", json={"client_id": lumiere["id"]}, headers=admin
        )
    ).status_code == 403


async def test_revoking_access_at_one_client_leaves_the_other(
    portico: RunningPortico, admin: dict[str, str], log_in: LogIn
) -> None:
    lumiere, boreal, at_boreal = await two_clients_joined(portico, admin)
    at_lumiere = (
        await portico.http.post(
            f"{API}/auth/switch", json={"client_id": lumiere["id"]}, headers=bearer(at_boreal)
        )
    ).json()
    anne_at_lumiere = lumiere["contacts"][0]["id"]
    revoked = await portico.http.delete(
        f"{API}/clients/{lumiere['id']}/contacts/{anne_at_lumiere}/invitation", headers=admin
    )
    assert revoked.status_code == 204, revoked.text
    # The session at Lumière ends at once; the login now lands on Boréal only.
    gone = await portico.http.get(f"{API}/client-account", headers=bearer(at_lumiere))
    assert gone.status_code == 401
    tokens = await log_in("anne@compta.example", PASSWORD)
    assert claims(tokens)["client_id"] == boreal["id"]
    account = (await portico.http.get(f"{API}/client-account", headers=bearer(tokens))).json()
    assert [c["client_name"] for c in account["clients"]] == ["Boreal"]
    refused = await portico.http.post(
        f"{API}/auth/switch", json={"client_id": lumiere["id"]}, headers=bearer(tokens)
    )
    assert refused.status_code == 404
    stored = (await portico.http.get(f"{API}/clients/{lumiere['id']}", headers=admin)).json()
    assert stored["contacts"][0]["portal_status"] == "none"

    # Revoked at both, the login opens nothing; a new invitation lets her choose again.
    anne_at_boreal = boreal["contacts"][0]["id"]
    await portico.http.delete(
        f"{API}/clients/{boreal['id']}/contacts/{anne_at_boreal}/invitation", headers=admin
    )
    closed = await portico.http.post(
        f"{API}/auth/login", json={"email": "anne@compta.example", "password": PASSWORD}
    )
    assert closed.status_code == 401
    token = await invite_anne(portico, admin, lumiere)
    assert (await portico.http.get(ACCEPT, params={"token": token})).json()["has_login"] is False
    fresh = await portico.http.post(
        ACCEPT, json={"token": token, "password": "Nouvelle-Porte-2027"}
    )
    assert fresh.status_code == 200, fresh.text
    await log_in("anne@compta.example", "Nouvelle-Porte-2027")


async def test_a_password_reset_is_the_persons_at_every_client(
    portico: RunningPortico, admin: dict[str, str], log_in: LogIn
) -> None:
    lumiere, _boreal, at_boreal = await two_clients_joined(portico, admin)
    asked = await portico.http.post(
        f"{API}/auth/password-reset", json={"email": "anne@compta.example"}
    )
    assert asked.status_code == 202
    [envelope] = await portico.events.wait_for(PasswordResetRequested.event_type)
    event = envelope.event()
    assert isinstance(event, PasswordResetRequested)
    assert event.account_kind == "client"
    token = parse_qs(urlsplit(str(event.reset_url)).query)["token"][0]
    done = await portico.http.post(
        f"{API}/auth/password-reset/confirm",
        json={"token": token, "password": "Nouveau-Secret-2027"},
    )
    assert done.status_code == 204
    # Every session of the person ends, at every client.
    ended = await portico.http.get(f"{API}/client-account", headers=bearer(at_boreal))
    assert ended.status_code == 401
    tokens = await log_in("anne@compta.example", "Nouveau-Secret-2027")
    switched = await portico.http.post(
        f"{API}/auth/switch", json={"client_id": lumiere["id"]}, headers=bearer(tokens)
    )
    assert switched.status_code == 200


async def test_an_address_that_logs_in_as_a_client_cannot_become_staff(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    lumiere, boreal, _tokens = await two_clients_joined(portico, admin)
    # Both contacts change their address: the login keeps the one it logs in with.
    for client in (lumiere, boreal):
        contact = client["contacts"][0]
        changed = await portico.http.patch(
            f"{API}/clients/{client['id']}/contacts/{contact['id']}",
            json={"email": "anne.moreau@compta.example"},
            headers=admin,
        )
        assert changed.status_code == 200, changed.text
    refused = await portico.http.patch(
        f"{API}/me", json={"email": "ANNE@compta.example"}, headers=admin
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "email"


async def test_a_staff_address_is_not_invited_as_a_client(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    lumiere = await create_client(portico, admin, "Lumiere")
    me = (await portico.http.get(f"{API}/me", headers=admin)).json()
    # Made a contact before it was staff's (the check runs both ways; force it here).
    added = await portico.http.post(
        f"{API}/clients/{lumiere['id']}/contacts",
        json={"first_name": "Ad", "last_name": "Min", "email": me["email"]},
        headers=admin,
    )
    assert added.status_code == 422
    assert added.json()["errors"][0]["field"] == "email"

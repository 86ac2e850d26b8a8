"""Erasing a client (``DELETE /v1/clients/{id}?erase=true``, docs/erasure.md), as the
portal does it: admins only; the client goes as in a deletion (its workspaces' files too),
and so do its people's logins, their sessions, reset links and failed logins, unless the
person is also another client's contact; ClientDeleted says it is an erasure."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from portico.contracts.events.portal import ClientDeleted, ClientInvited
from portico.kit.host import discover_services
from portico.kit.service import Service
from portico.kit.testing.leftovers import leftovers, store_keys
from portico.kit.testing.services import RunningPortico
from portico.portal.models import AuthSession, ClientLogin, LoginFailure, PasswordReset
from portico.portal.testing import LogIn

API = "/api/portal/v1"
PASSWORD = "Lumiere-Portal-2026!"
CAMILLE = {"first_name": "Camille", "last_name": "Durand", "email": "camille@lumiere.example"}
# A contact of two clients (an accountant): one login for both.
ANNE = {"first_name": "Anne", "last_name": "Moreau", "email": "anne@compta.example"}


@pytest.fixture
def portico_services() -> Sequence[Service]:
    return [service for service in discover_services() if service.name == "portal"]


@pytest.fixture
def portico_uses_s3() -> bool:
    # The workspace's file goes from S3 in the distributed runs, as in production.
    return True


async def make_client(
    portico: RunningPortico, admin: dict[str, str], name: str, *contacts: dict[str, str]
) -> dict[str, Any]:
    made = await portico.http.post(
        f"{API}/clients", json={"name": name, "contacts": list(contacts)}, headers=admin
    )
    assert made.status_code == 201, made.text
    return dict(made.json())


async def join(
    portico: RunningPortico, admin: dict[str, str], client: dict[str, Any], email: str
) -> None:
    """The contact accepts an invitation, choosing (or giving) the password."""
    contact = next(c for c in client["contacts"] if c["email"].lower() == email.lower())
    before = len(portico.events.of_type(ClientInvited.event_type, subject=client["id"]))
    invited = await portico.http.post(
        f"{API}/clients/{client['id']}/contacts/{contact['id']}/invitation", headers=admin
    )
    assert invited.status_code == 201, invited.text
    [*_, envelope] = await portico.events.wait_for(
        ClientInvited.event_type, before + 1, subject=client["id"]
    )
    token = parse_qs(urlsplit(str(envelope.data["accept_url"])).query)["token"][0]
    accepted = await portico.http.post(
        f"{API}/invitations/accept", json={"token": token, "password": PASSWORD}
    )
    assert accepted.status_code == 200, accepted.text


async def count(portico: RunningPortico, query: Any) -> int:
    async with portico.runtime("portal").database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)


async def test_an_admin_erases_a_client_with_its_files_and_its_peoples_logins(
    portico: RunningPortico, admin: dict[str, str], log_in: LogIn
) -> None:
    lumiere = await make_client(portico, admin, "Atelier Lumière", CAMILLE, ANNE)
    boreal = await make_client(portico, admin, "Boréal", ANNE | {"email": ANNE["email"].upper()})
    for client, email in [(lumiere, CAMILLE["email"]), (lumiere, ANNE["email"])]:
        await join(portico, admin, client, email)
    await join(portico, admin, boreal, ANNE["email"].upper())
    await log_in(CAMILLE["email"], PASSWORD)
    reset = await portico.http.post(f"{API}/auth/password-reset", json={"email": CAMILLE["email"]})
    assert reset.status_code == 202
    wrong = await portico.http.post(
        f"{API}/auth/login", json={"email": CAMILLE["email"], "password": "Not-Her-Password-1"}
    )
    assert wrong.status_code == 401
    workspace = await portico.http.post(
        f"{API}/clients/{lumiere['id']}/workspaces", json={"name": "Atelier"}, headers=admin
    )
    assert workspace.status_code == 201, workspace.text
    uploaded = await portico.http.post(
        f"{API}/workspaces/{workspace.json()['id']}/files",
        files={"file": ("plans.pdf", b"%PDF-1.7\nplans of the workshop", "application/pdf")},
        headers=admin,
    )
    assert uploaded.status_code == 201, uploaded.text
    store = portico.runtime("portal").store
    assert await store_keys(store)
    async with portico.runtime("portal").database.sessions() as session:
        camille_login_id = await session.scalar(
            select(ClientLogin.id).where(ClientLogin.email == CAMILLE["email"])
        )
    hers = [
        select(AuthSession).where(AuthSession.account_id == camille_login_id),
        select(PasswordReset).where(PasswordReset.account_id == camille_login_id),
        select(LoginFailure),
    ]
    assert [await count(portico, query) for query in hers] == [2, 1, 1]

    erased = await portico.http.delete(
        f"{API}/clients/{lumiere['id']}", params={"erase": "true"}, headers=admin
    )
    assert erased.status_code == 204, erased.text
    [event] = await portico.events.wait_for(ClientDeleted.event_type, subject=lumiere["id"])
    assert event.data == {"client_id": lumiere["id"], "erase": True}

    # The workspace's file goes by a job, after the commit.
    for _ in range(200):
        if not await store_keys(store):
            break
        await asyncio.sleep(0.05)
    assert await store_keys(store) == set()
    # Camille's login, sessions and failed logins are gone.
    camille_login = select(ClientLogin).where(ClientLogin.id == camille_login_id)
    assert await count(portico, camille_login) == 0
    assert [await count(portico, query) for query in hers] == [0, 0, 0]
    # Anne still reaches Boréal, with her one login; only her Lumière access went.
    anne = await log_in(ANNE["email"], PASSWORD)
    account = await portico.http.get(
        f"{API}/client-account", headers={"Authorization": f"Bearer {anne['access_token']}"}
    )
    assert [c["client_name"] for c in account.json()["clients"]] == ["Boréal"]
    assert await count(portico, select(AuthSession).where(AuthSession.account_kind == "client"))
    # Nothing in the portal's tables names Lumière or Camille any more; Boréal is whole.
    camille_id = lumiere["contacts"][0]["id"]
    found = await leftovers(portico, [lumiere["id"], camille_id, CAMILLE["email"]])
    assert found == [], "\n".join(map(str, found))
    kept = await portico.http.get(f"{API}/clients/{boreal['id']}", headers=admin)
    assert kept.status_code == 200 and kept.json()["name"] == "Boréal"
    refused = await portico.http.post(
        f"{API}/auth/login", json={"email": CAMILLE["email"], "password": PASSWORD}
    )
    assert refused.status_code == 401


async def test_only_an_admin_erases_and_a_plain_deletion_says_it_is_one(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin, "Atelier Lumière", CAMILLE)
    path = f"{API}/clients/{client['id']}"
    scoped = portico.headers("api_key", scopes=frozenset({"clients:write", "clients:read"}))
    for headers in (portico.headers("staff"), scoped):
        refused = await portico.http.delete(path, params={"erase": "true"}, headers=headers)
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert (await portico.http.get(path, headers=admin)).status_code == 200
    assert portico.events.of_type(ClientDeleted.event_type, subject=client["id"]) == []

    bad = await portico.http.delete(path, params={"erase": "maybe"}, headers=admin)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "erase"

    # Staff delete (the same endpoint without erase): the services keep what they keep.
    deleted = await portico.http.delete(path, headers=portico.headers("staff"))
    assert deleted.status_code == 204, deleted.text
    [event] = await portico.events.wait_for(ClientDeleted.event_type, subject=client["id"])
    assert event.data == {"client_id": client["id"], "erase": False}
    assert (await portico.http.get(path, headers=admin)).status_code == 404
    erase_again = await portico.http.delete(path, params={"erase": "true"}, headers=admin)
    assert erase_again.status_code == 404

"""Access tokens, principals and capability tokens."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt
import pytest
from fastapi import Depends, FastAPI

from portico.kit.auth import (
    CurrentClient,
    CurrentPrincipal,
    CurrentStaff,
    Principal,
    TokenIssuer,
    TokenVerifier,
    require_scope,
)
from portico.kit.auth.capabilities import hash_capability, new_capability
from portico.kit.auth.keys import generate_keypair, load_or_create_keypair, public_jwk
from portico.kit.problems import install_problem_handlers

PRIVATE, PUBLIC = generate_keypair()
CLIENT_ID, CONTACT_ID = uuid.uuid4(), uuid.uuid4()


def build_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.state.token_verifier = TokenVerifier(PUBLIC, "portico")

    @app.get("/me")
    async def me(principal: CurrentPrincipal) -> dict[str, str | None]:
        return {
            "subject": principal.subject,
            "role": principal.role,
            "client": str(principal.client_id),
        }

    @app.get("/staff-only")
    async def staff_only(_: CurrentStaff) -> dict[str, bool]:
        return {"ok": True}

    @app.get("/client-only")
    async def client_only(principal: CurrentClient) -> dict[str, str]:
        return {"client": str(principal.client_id)}

    @app.post("/documents", dependencies=[Depends(require_scope("documents:write"))])
    async def write_documents() -> dict[str, bool]:
        return {"ok": True}

    return app


@pytest.fixture
def http() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=build_app()), base_url="http://t")


def bearer(principal: Principal, private: str = PRIVATE, issuer: str = "portico") -> dict[str, str]:
    token, _ = TokenIssuer(private, issuer).issue(principal)
    return {"Authorization": f"Bearer {token}"}


STAFF = Principal(subject="u-1", role="staff")
CLIENT = Principal(subject="a-1", role="client", client_id=CLIENT_ID, contact_id=CONTACT_ID)


async def test_a_token_carries_the_principal(http: httpx.AsyncClient) -> None:
    response = await http.get("/me", headers=bearer(CLIENT))
    assert response.json() == {"subject": "a-1", "role": "client", "client": str(CLIENT_ID)}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-token"},
        bearer(STAFF, private=generate_keypair()[0]),
        bearer(STAFF, issuer="someone-else"),
        {"Authorization": "Bearer " + jwt.encode({"sub": "x", "role": "admin"}, "k" * 32, "HS256")},
        {"Authorization": "Bearer " + jwt.encode({"sub": "x", "role": "admin"}, None, "none")},
    ],
    ids=["missing", "garbage", "foreign-key", "wrong-issuer", "hmac", "unsigned"],
)
async def test_bad_tokens_are_refused_with_401(http: httpx.AsyncClient, headers: dict) -> None:
    response = await http.get("/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"


async def test_an_expired_token_is_refused(http: httpx.AsyncClient) -> None:
    issuer = TokenIssuer(PRIVATE, "portico", ttl=timedelta(seconds=-1))
    token, _ = issuer.issue(STAFF)
    response = await http.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


async def test_roles_guard_their_endpoints(http: httpx.AsyncClient) -> None:
    assert (await http.get("/staff-only", headers=bearer(STAFF))).status_code == 200
    assert (await http.get("/staff-only", headers=bearer(CLIENT))).status_code == 403
    assert (await http.get("/client-only", headers=bearer(CLIENT))).status_code == 200
    assert (await http.get("/client-only", headers=bearer(STAFF))).status_code == 403


async def test_api_keys_need_the_scope(http: httpx.AsyncClient) -> None:
    reader = Principal(subject="k-1", role="api_key", scopes=frozenset({"events:read"}))
    writer = Principal(subject="k-2", role="api_key", scopes=frozenset({"documents:write"}))
    assert (await http.post("/documents", headers=bearer(reader))).status_code == 403
    assert (await http.post("/documents", headers=bearer(writer))).status_code == 200
    assert (await http.post("/documents", headers=bearer(CLIENT))).status_code == 403


def test_the_embedded_key_pair_is_created_once_and_kept_private(tmp_path: Path) -> None:
    first = load_or_create_keypair(tmp_path / "keys")
    assert load_or_create_keypair(tmp_path / "keys") == first
    assert (tmp_path / "keys" / "jwt-private.pem").stat().st_mode & 0o077 == 0
    jwk = public_jwk(first[1])
    assert (jwk["kty"], jwk["crv"], jwk["alg"]) == ("OKP", "Ed25519", "EdDSA")


def test_capability_tokens_are_random_and_only_their_hash_is_kept() -> None:
    token, stored = new_capability()
    other, other_stored = new_capability()
    assert len(token) >= 43 and token != other
    assert stored == hash_capability(token) != other_stored
    assert token not in stored


def test_a_capability_is_usable_until_it_expires_is_used_or_revoked() -> None:
    from portico.kit.auth.capabilities import CapabilityTokenColumns

    now = datetime.now(UTC)
    link = CapabilityTokenColumns()
    link.expires_at, link.revoked_at, link.used_at = now + timedelta(hours=1), None, None
    assert link.usable_at(now)
    assert not link.usable_at(now + timedelta(hours=2))
    link.revoked_at = now
    assert not link.usable_at(now)
    link.revoked_at, link.used_at = None, now
    assert not link.usable_at(now)

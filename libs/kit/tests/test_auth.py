"""Access tokens, the principal behind them, role and scope guards, keys and capability links."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import httpx
import jwt
import pytest
from fastapi import Depends, FastAPI
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from portico.kit.auth import (
    CapabilityTokenColumns,
    CurrentAdmin,
    CurrentClient,
    CurrentPrincipal,
    CurrentStaff,
    Principal,
    TokenIssuer,
    TokenVerifier,
    capability_matches,
    generate_keypair,
    hash_capability,
    load_or_create_keypair,
    new_capability,
    public_jwk,
    require_scope,
)
from portico.kit.problems import install_problem_handlers

PRIVATE, PUBLIC = generate_keypair()
ISSUER = "portico"
CLIENT_ID, CONTACT_ID = uuid.uuid4(), uuid.uuid4()

ADMIN = Principal(subject="u-0", role="admin")
STAFF = Principal(subject="u-1", role="staff")
CLIENT = Principal(subject="a-1", role="client", client_id=CLIENT_ID, contact_id=CONTACT_ID)


def build_app(revoked: set[str] | None = None) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.state.token_verifier = TokenVerifier(PUBLIC, ISSUER)
    if revoked is not None:

        async def is_revoked(token_id: str) -> bool:
            return token_id in revoked

        app.state.is_revoked = is_revoked

    @app.get("/me")
    async def me(principal: CurrentPrincipal) -> dict[str, object]:
        return {
            "subject": principal.subject,
            "role": principal.role,
            "client_id": principal.client_id,
            "contact_id": principal.contact_id,
            "scopes": sorted(principal.scopes),
            "token_id": principal.token_id,
        }

    @app.get("/staff-only")
    async def staff_only(_: CurrentStaff) -> dict[str, bool]:
        return {"ok": True}

    @app.get("/admin-only")
    async def admin_only(_: CurrentAdmin) -> dict[str, bool]:
        return {"ok": True}

    @app.get("/client-only")
    async def client_only(principal: CurrentClient) -> dict[str, str]:
        return {"client": str(principal.client_id)}

    @app.post("/documents")
    async def write_documents(
        principal: Annotated[Principal, Depends(require_scope("documents:write"))],
    ) -> dict[str, str]:
        return {"by": principal.subject}

    @app.put(
        "/settings", dependencies=[Depends(require_scope("settings:write", allow_staff=False))]
    )
    async def write_settings() -> dict[str, bool]:
        return {"ok": True}

    return app


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client


def token_for(principal: Principal, private: str = PRIVATE, issuer: str = ISSUER) -> str:
    return TokenIssuer(private, issuer).issue(principal)[0]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed_with_public_key_as_hmac_secret() -> str:
    """The algorithm-confusion attack: HS256 keyed with the (public) verification key."""
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    now = int(datetime.now(UTC).timestamp())
    claims = {"iss": ISSUER, "sub": "x", "role": "admin", "jti": "j", "iat": now, "exp": now + 60}
    payload = b64(json.dumps(claims).encode())
    signature = hmac.new(PUBLIC.encode(), f"{header}.{payload}".encode(), hashlib.sha256)
    return f"{header}.{payload}.{b64(signature.digest())}"


def tampered() -> str:
    """A staff token whose payload was edited to say admin, signature left as it was."""
    header, payload, signature = token_for(STAFF).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["role"] = "admin"
    return f"{header}.{b64(json.dumps(claims).encode())}.{signature}"


def signed_claims(**claims: object) -> str:
    now = datetime.now(UTC)
    base = {"iss": ISSUER, "sub": "x", "jti": "j", "iat": now, "exp": now + timedelta(minutes=5)}
    return jwt.encode({**base, **claims}, PRIVATE, algorithm="EdDSA")


async def test_a_token_round_trips_into_the_principal(http: httpx.AsyncClient) -> None:
    token, expires_in = TokenIssuer(PRIVATE, ISSUER, ttl=timedelta(minutes=15)).issue(CLIENT)
    response = await http.get("/me", headers=bearer(token))
    assert response.status_code == 200
    body = response.json()
    assert body["subject"] == "a-1" and body["role"] == "client"
    assert (body["client_id"], body["contact_id"]) == (str(CLIENT_ID), str(CONTACT_ID))
    assert body["token_id"] == jwt.decode(token, options={"verify_signature": False})["jti"]
    assert expires_in == 900


async def test_an_api_key_token_carries_its_scopes(http: httpx.AsyncClient) -> None:
    key = Principal(subject="k-1", role="api_key", scopes=frozenset({"b:read", "a:write"}))
    response = await http.get("/me", headers=bearer(token_for(key)))
    assert response.json()["scopes"] == ["a:write", "b:read"]


@pytest.mark.parametrize(
    "token",
    [
        None,
        "not-a-token",
        token_for(STAFF, private=generate_keypair()[0]),
        token_for(STAFF, issuer="someone-else"),
        signed_with_public_key_as_hmac_secret(),
        jwt.encode({"iss": ISSUER, "sub": "x", "role": "admin"}, "", algorithm="none"),
        tampered(),
        TokenIssuer(PRIVATE, ISSUER, ttl=timedelta(minutes=-5)).issue(STAFF)[0],
        signed_claims(),
        signed_claims(role="superuser"),
        signed_claims(role="client"),
        signed_claims(role="client", client_id="not-a-uuid"),
    ],
    ids=[
        "missing",
        "garbage",
        "foreign-key",
        "wrong-issuer",
        "hs256-with-public-key",
        "unsigned",
        "tampered-payload",
        "expired",
        "no-role",
        "unknown-role",
        "client-without-client-id",
        "client-id-not-uuid",
    ],
)
async def test_a_bad_token_gets_a_401_problem(http: httpx.AsyncClient, token: str | None) -> None:
    response = await http.get("/me", headers=bearer(token) if token else {})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["type"] == "https://portico.dev/problems/unauthorized"


async def test_an_expired_token_says_so(http: httpx.AsyncClient) -> None:
    token, _ = TokenIssuer(PRIVATE, ISSUER, ttl=timedelta(minutes=-5)).issue(STAFF)
    response = await http.get("/me", headers=bearer(token))
    assert "expired" in response.json()["detail"]
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_a_revoked_session_is_refused() -> None:
    revoked: set[str] = set()
    transport = httpx.ASGITransport(app=build_app(revoked))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        token = token_for(STAFF)
        assert (await http.get("/me", headers=bearer(token))).status_code == 200
        revoked.add(jwt.decode(token, options={"verify_signature": False})["jti"])
        response = await http.get("/me", headers=bearer(token))
    assert response.status_code == 401
    assert "ended" in response.json()["detail"]


async def test_staff_endpoints_refuse_clients_and_api_keys(http: httpx.AsyncClient) -> None:
    key = Principal(subject="k-1", role="api_key", scopes=frozenset({"documents:write"}))
    assert (await http.get("/staff-only", headers=bearer(token_for(STAFF)))).status_code == 200
    assert (await http.get("/staff-only", headers=bearer(token_for(ADMIN)))).status_code == 200
    for refused in (CLIENT, key):
        response = await http.get("/staff-only", headers=bearer(token_for(refused)))
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "https://portico.dev/problems/forbidden"


async def test_admin_endpoints_refuse_staff(http: httpx.AsyncClient) -> None:
    assert (await http.get("/admin-only", headers=bearer(token_for(ADMIN)))).status_code == 200
    assert (await http.get("/admin-only", headers=bearer(token_for(STAFF)))).status_code == 403


async def test_client_endpoints_refuse_staff(http: httpx.AsyncClient) -> None:
    response = await http.get("/client-only", headers=bearer(token_for(CLIENT)))
    assert response.json() == {"client": str(CLIENT_ID)}
    assert (await http.get("/client-only", headers=bearer(token_for(STAFF)))).status_code == 403


async def test_an_api_key_needs_the_scope(http: httpx.AsyncClient) -> None:
    reader = Principal(subject="k-1", role="api_key", scopes=frozenset({"documents:read"}))
    writer = Principal(subject="k-2", role="api_key", scopes=frozenset({"documents:write"}))
    refused = await http.post("/documents", headers=bearer(token_for(reader)))
    assert refused.status_code == 403
    assert "documents:write" in refused.json()["detail"]
    assert (await http.post("/documents", headers=bearer(token_for(writer)))).json() == {
        "by": "k-2"
    }


async def test_a_scoped_endpoint_lets_admins_and_staff_through_but_not_clients(
    http: httpx.AsyncClient,
) -> None:
    assert (await http.post("/documents", headers=bearer(token_for(ADMIN)))).status_code == 200
    assert (await http.post("/documents", headers=bearer(token_for(STAFF)))).status_code == 200
    assert (await http.post("/documents", headers=bearer(token_for(CLIENT)))).status_code == 403
    assert (await http.put("/settings", headers=bearer(token_for(STAFF)))).status_code == 403
    assert (await http.put("/settings", headers=bearer(token_for(ADMIN)))).status_code == 200


def test_a_client_principal_without_its_client_is_refused() -> None:
    with pytest.raises(ValueError, match="client_id"):
        Principal(subject="a-2", role="client")


def test_the_embedded_key_pair_is_created_once_and_kept_private(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    first = load_or_create_keypair(folder)
    assert load_or_create_keypair(folder) == first
    assert (folder / "jwt-private.pem").stat().st_mode & 0o077 == 0
    assert (folder / "jwt-public.pem").read_text() == first[1]
    token = token_for(STAFF, private=first[0])
    assert TokenVerifier(first[1], ISSUER).verify(token).subject == "u-1"


def test_processes_starting_together_share_one_key_pair(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    results: list[tuple[str, str]] = []
    start = threading.Barrier(8)

    def start_a_process() -> None:
        start.wait()
        results.append(load_or_create_keypair(folder))

    threads = [threading.Thread(target=start_a_process) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8 and len(set(results)) == 1
    assert sorted(path.name for path in folder.iterdir()) == ["jwt-private.pem", "jwt-public.pem"]


def test_the_jwks_entry_names_the_key_the_tokens_are_signed_with() -> None:
    jwk = public_jwk(PUBLIC)
    assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == ("OKP", "Ed25519", "EdDSA", "sig")
    assert jwt.get_unverified_header(token_for(STAFF))["kid"] == jwk["kid"]
    assert public_jwk(generate_keypair()[1])["kid"] != jwk["kid"]
    # The JWK alone verifies a token: what a JWKS consumer does.
    key = jwt.PyJWK.from_dict(jwk)
    assert jwt.decode(token_for(STAFF), key, algorithms=["EdDSA"], issuer=ISSUER)["sub"] == "u-1"


def test_capability_tokens_are_random_and_only_their_hash_is_kept() -> None:
    token, stored = new_capability()
    other, other_stored = new_capability()
    assert len(token) == 43 and token != other
    assert base64.urlsafe_b64decode(token + "=") and len(stored) == 64
    assert stored == hash_capability(token) == hash_capability(token)
    assert stored != other_stored and token not in stored
    assert capability_matches(token, stored)
    assert not capability_matches(other, stored)


def test_a_capability_is_usable_until_it_expires_or_is_revoked() -> None:
    now = datetime.now(UTC)

    class ViewLink(CapabilityTokenColumns):
        single_use = False

    link = ViewLink()
    link.expires_at, link.revoked_at, link.used_at = now + timedelta(hours=1), None, None
    assert link.usable_at(now)
    assert not link.usable_at(now + timedelta(hours=1))
    link.mark_used(now)
    assert link.usable_at(now), "a view link keeps working after its first use"
    link.revoke(now)
    assert not link.usable_at(now)


def test_a_single_use_capability_stops_working_once_used() -> None:
    now = datetime.now(UTC)
    link = CapabilityTokenColumns()
    link.expires_at, link.revoked_at, link.used_at = now + timedelta(days=7), None, None
    assert link.usable_at(now)
    link.mark_used(now)
    assert not link.usable_at(now)


class Base(DeclarativeBase):
    pass


class InvitationLink(CapabilityTokenColumns, Base):
    __tablename__ = "invitation_links"

    id: Mapped[int] = mapped_column(primary_key=True)


async def test_capability_columns_store_find_and_expire_a_link_in_a_database() -> None:
    engine = create_async_engine("sqlite+aiosqlite:///:memory:")
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    token, token_hash = new_capability()
    expires = datetime.now(UTC) + timedelta(hours=1)
    async with sessions.begin() as session:
        session.add(InvitationLink(token_hash=token_hash, expires_at=expires))
    async with sessions() as session:
        found = await session.scalar(
            select(InvitationLink).where(InvitationLink.token_hash == hash_capability(token))
        )
        assert found is not None
        assert found.usable_at(datetime.now(UTC))
        assert not found.usable_at(expires + timedelta(seconds=1))
    with pytest.raises(IntegrityError):
        async with sessions.begin() as session:
            session.add(InvitationLink(token_hash=token_hash, expires_at=expires))
    await engine.dispose()

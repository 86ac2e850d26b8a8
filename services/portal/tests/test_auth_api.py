"""Logging in, refreshing, logging out, resetting a password: through the API, both backends."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from sqlalchemy import select

from portico.contracts.events.portal import PasswordResetRequested
from portico.kit.testing.services import RunningPortico
from portico.portal.models import AuthSession
from portico.portal.testing import ADMIN_EMAIL, ADMIN_PASSWORD, LogIn

LOGIN = "/api/portal/v1/auth/login"
REFRESH = "/api/portal/v1/auth/refresh"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_the_first_admin_logs_in_and_reads_their_account(
    portico: RunningPortico, log_in: LogIn
) -> None:
    tokens = await log_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 15 * 60
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert claims["role"] == "admin"

    me = await portico.http.get("/api/portal/v1/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200, me.text
    assert (me.json()["email"], me.json()["role"]) == (ADMIN_EMAIL, "admin")
    assert me.json()["last_login_at"] is not None


async def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(
    portico: RunningPortico,
) -> None:
    wrong = await portico.http.post(LOGIN, json={"email": ADMIN_EMAIL, "password": "nope-nope-1"})
    unknown = await portico.http.post(
        LOGIN, json={"email": "nobody@studio.example", "password": "nope-nope-1"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.headers["content-type"] == "application/problem+json"
    assert wrong.json()["detail"] == unknown.json()["detail"]


async def test_an_email_is_matched_whatever_its_case(portico: RunningPortico) -> None:
    response = await portico.http.post(
        LOGIN, json={"email": ADMIN_EMAIL.upper(), "password": ADMIN_PASSWORD}
    )
    assert response.status_code == 200


async def test_repeated_failures_block_the_account_with_a_429(portico: RunningPortico) -> None:
    for _ in range(5):
        failed = await portico.http.post(LOGIN, json={"email": ADMIN_EMAIL, "password": "x"})
        assert failed.status_code == 401
    blocked = await portico.http.post(
        LOGIN, json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    )
    assert blocked.status_code == 429
    assert blocked.headers["content-type"] == "application/problem+json"
    assert 1 <= int(blocked.headers["retry-after"]) <= 15 * 60
    assert "try again" in blocked.json()["detail"]


async def test_repeated_failures_from_one_address_block_it_for_every_email(
    portico: RunningPortico,
) -> None:
    for attempt in range(20):
        failed = await portico.http.post(
            LOGIN, json={"email": f"guess{attempt}@studio.example", "password": "x"}
        )
        assert failed.status_code == 401
    blocked = await portico.http.post(
        LOGIN, json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    )
    assert blocked.status_code == 429


async def refresh(portico: RunningPortico, refresh_token: str) -> httpx.Response:
    return await portico.http.post(REFRESH, json={"refresh_token": refresh_token})


async def age_last_refresh(portico: RunningPortico, seconds: int) -> None:
    """As if every session's last refresh happened ``seconds`` earlier."""
    async with portico.runtime("portal").database.transaction() as tx:
        for login in await tx.scalars(select(AuthSession)):
            login.refreshed_at -= timedelta(seconds=seconds)


async def test_a_refresh_token_replayed_after_the_grace_ends_the_session(
    portico: RunningPortico, log_in: LogIn
) -> None:
    first = await log_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    refreshed = await refresh(portico, first["refresh_token"])
    assert refreshed.status_code == 200, refreshed.text
    second = refreshed.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert (
        await portico.http.get("/api/portal/v1/me", headers=bearer(second["access_token"]))
    ).is_success

    await age_last_refresh(portico, 11)
    replayed = await refresh(portico, first["refresh_token"])
    assert replayed.status_code == 401
    # The copy was used: the session is over for the legitimate holder too.
    after = await refresh(portico, second["refresh_token"])
    assert after.status_code == 401
    me = await portico.http.get("/api/portal/v1/me", headers=bearer(second["access_token"]))
    assert me.status_code == 401


async def test_a_token_replaced_a_moment_ago_gets_the_same_new_pair(
    portico: RunningPortico, log_in: LogIn
) -> None:
    first = await log_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    one_tab = await refresh(portico, first["refresh_token"])
    other_tab = await refresh(portico, first["refresh_token"])
    assert one_tab.status_code == other_tab.status_code == 200, other_tab.text
    assert other_tab.json() == one_tab.json()

    # Both tabs hold the one live session, which goes on rotating.
    shared = one_tab.json()
    me = await portico.http.get("/api/portal/v1/me", headers=bearer(shared["access_token"]))
    assert me.status_code == 200
    later = await refresh(portico, shared["refresh_token"])
    assert later.status_code == 200, later.text
    assert later.json()["refresh_token"] not in (shared["refresh_token"], first["refresh_token"])


async def test_simultaneous_refreshes_with_one_token_share_one_session(
    portico: RunningPortico, log_in: LogIn
) -> None:
    first = await log_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    answers = await asyncio.gather(*(refresh(portico, first["refresh_token"]) for _ in range(5)))
    assert [answer.status_code for answer in answers] == [200] * 5, [a.text for a in answers]
    pairs = [answer.json() for answer in answers]
    assert all(pair == pairs[0] for pair in pairs)

    later = await refresh(portico, pairs[0]["refresh_token"])
    assert later.status_code == 200, later.text
    me = await portico.http.get("/api/portal/v1/me", headers=bearer(later.json()["access_token"]))
    assert me.status_code == 200


async def test_a_token_replaced_two_refreshes_ago_ends_the_session(
    portico: RunningPortico, log_in: LogIn
) -> None:
    first = await log_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    second = (await refresh(portico, first["refresh_token"])).json()
    third = (await refresh(portico, second["refresh_token"])).json()
    # Only the token replaced last has a grace; the older one is a copy.
    assert (await refresh(portico, second["refresh_token"])).status_code == 200
    assert (await refresh(portico, first["refresh_token"])).status_code == 401
    assert (await refresh(portico, third["refresh_token"])).status_code == 200


async def test_without_a_grace_a_replayed_token_ends_the_session_at_once(
    portico: RunningPortico, log_in: LogIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTICO_PORTAL_REFRESH_GRACE_SECONDS", "0")
    first = await log_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    second = (await refresh(portico, first["refresh_token"])).json()
    assert (await refresh(portico, first["refresh_token"])).status_code == 401
    assert (await refresh(portico, second["refresh_token"])).status_code == 401


async def test_logout_revokes_the_access_and_the_refresh_token(
    portico: RunningPortico, log_in: LogIn
) -> None:
    tokens = await log_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    other_device = await log_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    out = await portico.http.post(
        "/api/portal/v1/auth/logout", headers=bearer(tokens["access_token"])
    )
    assert out.status_code == 204
    me = await portico.http.get("/api/portal/v1/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 401
    assert me.json()["detail"] == "This session has ended; log in again."
    refreshed = await portico.http.post(
        "/api/portal/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 401
    still = await portico.http.get(
        "/api/portal/v1/me", headers=bearer(other_device["access_token"])
    )
    assert still.status_code == 200


async def test_a_password_is_reset_by_the_emailed_link_once(
    portico: RunningPortico, log_in: LogIn
) -> None:
    session = await log_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    unknown = await portico.http.post(
        "/api/portal/v1/auth/password-reset", json={"email": "nobody@studio.example"}
    )
    asked = await portico.http.post(
        "/api/portal/v1/auth/password-reset", json={"email": ADMIN_EMAIL}
    )
    assert unknown.status_code == asked.status_code == 202
    [envelope] = await portico.events.wait_for("portico.portal.password_reset_requested.v1")
    event = envelope.event()
    assert isinstance(event, PasswordResetRequested)
    assert (event.email, event.account_kind) == (ADMIN_EMAIL, "staff")
    token = parse_qs(urlsplit(str(event.reset_url)).query)["token"][0]
    assert "token=" not in str(envelope.redacted())

    weak = await portico.http.post(
        "/api/portal/v1/auth/password-reset/confirm", json={"token": token, "password": "short"}
    )
    assert weak.status_code == 422
    assert {error["field"] for error in weak.json()["errors"]} == {"password"}

    new_password = "Another-Strong-Secret-42"
    done = await portico.http.post(
        "/api/portal/v1/auth/password-reset/confirm",
        json={"token": token, "password": new_password},
    )
    assert done.status_code == 204, done.text
    assert (
        await portico.http.post(LOGIN, json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    ).status_code == 401
    await log_in(ADMIN_EMAIL, new_password)
    # Every session ended with the old password.
    old = await portico.http.get("/api/portal/v1/me", headers=bearer(session["access_token"]))
    assert old.status_code == 401

    again = await portico.http.post(
        "/api/portal/v1/auth/password-reset/confirm",
        json={"token": token, "password": "Yet-Another-Secret-43"},
    )
    assert again.status_code == 410


async def test_a_new_reset_link_replaces_the_previous_one(portico: RunningPortico) -> None:
    for _ in range(2):
        await portico.http.post("/api/portal/v1/auth/password-reset", json={"email": ADMIN_EMAIL})
    first, second = await portico.events.wait_for(
        "portico.portal.password_reset_requested.v1", count=2
    )
    tokens = [
        parse_qs(urlsplit(str(envelope.event().reset_url)).query)["token"][0]  # type: ignore[attr-defined]
        for envelope in (first, second)
    ]
    stale = await portico.http.post(
        "/api/portal/v1/auth/password-reset/confirm",
        json={"token": tokens[0], "password": "Another-Strong-Secret-42"},
    )
    assert stale.status_code == 410
    fresh = await portico.http.post(
        "/api/portal/v1/auth/password-reset/confirm",
        json={"token": tokens[1], "password": "Another-Strong-Secret-42"},
    )
    assert fresh.status_code == 204


async def test_an_access_token_signed_by_another_key_is_refused(portico: RunningPortico) -> None:
    from portico.kit.auth import Principal, TokenIssuer, generate_keypair

    private, _ = generate_keypair()
    forged, _ = TokenIssuer(private, "portico").issue(Principal(subject="x", role="admin"))
    response = await portico.http.get("/api/portal/v1/staff", headers=bearer(forged))
    assert response.status_code == 401


async def test_a_common_password_is_refused_with_the_reason(portico: RunningPortico) -> None:
    await portico.http.post("/api/portal/v1/auth/password-reset", json={"email": ADMIN_EMAIL})
    [envelope] = await portico.events.wait_for("portico.portal.password_reset_requested.v1")
    token = parse_qs(urlsplit(str(envelope.event().reset_url)).query)["token"][0]  # type: ignore[attr-defined]
    common = await portico.http.post(
        "/api/portal/v1/auth/password-reset/confirm",
        json={"token": token, "password": "password12"},
    )
    assert common.status_code == 422
    assert common.headers["content-type"] == "application/problem+json"
    [error] = common.json()["errors"]
    assert (error["field"], error["code"]) == ("password", "guessable_password")
    assert "too easy to guess (this is a very common password)" in error["message"]
    # The link still works for a better choice.
    done = await portico.http.post(
        "/api/portal/v1/auth/password-reset/confirm",
        json={"token": token, "password": "Another-Strong-Secret-42"},
    )
    assert done.status_code == 204

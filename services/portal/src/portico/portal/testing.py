"""Pytest fixtures for tests that log in: a known first admin (``PORTICO_ADMIN_*``, as a
deployment gives it) and logging in through the API, as the gateway and scripts do."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from portico.kit.testing.services import RunningPortico

ADMIN_EMAIL = "admin@studio.example"
ADMIN_PASSWORD = "Correct-Horse-Battery-7"

LogIn = Callable[[str, str], Awaitable[dict[str, str]]]


@pytest.fixture(autouse=True)
def first_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTICO_ADMIN_EMAIL", ADMIN_EMAIL)
    monkeypatch.setenv("PORTICO_ADMIN_PASSWORD", ADMIN_PASSWORD)


@pytest.fixture
def log_in(portico: RunningPortico) -> LogIn:
    """Logs in and answers the token pair."""

    async def logged_in(email: str, password: str) -> dict[str, str]:
        response = await portico.http.post(
            "/api/portal/v1/auth/login", json={"email": email, "password": password}
        )
        assert response.status_code == 200, response.text
        tokens: dict[str, str] = response.json()
        return tokens

    return logged_in


def bearer(tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


@pytest.fixture
async def admin(log_in: LogIn) -> dict[str, str]:
    """Headers of the first admin, logged in."""
    return bearer(await log_in(ADMIN_EMAIL, ADMIN_PASSWORD))

"""Gateway test helpers (a pytest plugin): a browser-like client of the pages (cookies, CSRF)
on the running services, and staff and client accounts to log in with."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from portico.contracts.events.portal import ClientInvited
from portico.kit.testing.services import RunningPortico

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
PASSWORD = "a-long-test-passphrase"  # noqa: S105 (test accounts)


class Site:
    """Requests pages as a browser would: one cookie jar, the CSRF token of the last page."""

    def __init__(self, portico: RunningPortico) -> None:
        self.portico = portico
        self.http = httpx.AsyncClient(
            transport=portico.http._transport,  # the same in-process app
            base_url="http://127.0.0.1:8000",
            follow_redirects=False,
        )
        self.csrf = ""

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        response = await self.http.get(path, **kwargs)
        self._remember_csrf(response)
        return response

    async def post(
        self, path: str, data: dict[str, Any] | None = None, **kwargs: Any
    ) -> httpx.Response:
        """Posts a form the way the page's form would, with its CSRF token."""
        if not self.csrf:
            await self.get("/login")
        body = {"csrf_token": self.csrf, **(data or {})}
        response = await self.http.post(path, data=body, **kwargs)
        self._remember_csrf(response)
        return response

    async def follow(self, response: httpx.Response) -> httpx.Response:
        """The page a 303 after a form leads to."""
        assert response.status_code == 303, (response.status_code, response.text[:500])
        return await self.get(response.headers["location"])

    async def log_in(self, email: str, password: str = PASSWORD) -> httpx.Response:
        await self.get("/login")
        response = await self.post("/login", {"email": email, "password": password})
        assert response.status_code == 303, response.text[:2000]
        # Logging in changes the CSRF token: read the new one from the home page.
        await self.follow(response)
        return response

    def _remember_csrf(self, response: httpx.Response) -> None:
        found = (
            CSRF_META.search(response.text)
            if "text/html" in response.headers.get("content-type", "")
            else None
        )
        if found:
            self.csrf = found.group(1)

    async def close(self) -> None:
        await self.http.aclose()


@dataclass
class Accounts:
    """Staff users and client contacts made through the portal's API."""

    portico: RunningPortico

    async def staff(self, role: str = "admin", *, locale: str = "en") -> dict[str, Any]:
        email = f"{role}-{uuid.uuid4().hex[:8]}@studio.example"
        body = {
            "email": email,
            "first_name": "Léa",
            "last_name": "Martin",
            "role": role,
            "locale": locale,
            "password": PASSWORD,
        }
        response = await self.portico.http.post(
            "/api/portal/v1/staff", json=body, headers=self.portico.headers("admin")
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def client_with_contact(
        self, name: str = "Atelier Lumière", *, locale: str = "en"
    ) -> dict[str, Any]:
        contact = {
            "first_name": "Camille",
            "last_name": "Durand",
            "email": f"camille-{uuid.uuid4().hex[:8]}@atelier.example",
            "locale": locale,
        }
        response = await self.portico.http.post(
            "/api/portal/v1/clients",
            json={"name": name, "contacts": [contact]},
            headers=self.portico.headers("admin"),
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def client_account(self, client: dict[str, Any]) -> str:
        """Invites the client's first contact and accepts as they would; answers the email."""
        contact = client["contacts"][0]
        path = f"/api/portal/v1/clients/{client['id']}/contacts/{contact['id']}/invitation"
        response = await self.portico.http.post(path, headers=self.portico.headers("admin"))
        assert response.status_code == 201, response.text
        invited = await self.portico.events.wait_for(
            ClientInvited.event_type, subject=str(client["id"])
        )
        token = str(invited[-1].data["accept_url"]).split("token=")[1]
        accepted = await self.portico.http.post(
            "/api/portal/v1/invitations/accept", json={"token": token, "password": PASSWORD}
        )
        assert accepted.status_code == 200, accepted.text
        return str(contact["email"])


@pytest.fixture
async def site(portico: RunningPortico) -> AsyncIterator[Site]:
    client = Site(portico)
    yield client
    await client.close()


@pytest.fixture
def accounts(portico: RunningPortico) -> Accounts:
    return Accounts(portico)

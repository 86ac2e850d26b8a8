"""Gateway test helpers (a pytest plugin): a browser-like client of the pages in-process
(cookies, CSRF) with staff and client accounts to log in with; and for browser tests,
Portico running as `make run` starts it, driven by Debian's Chromium, and axe-core."""

from __future__ import annotations

import asyncio
import html
import json
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from playwright.sync_api import Page

from portico.contracts.events.portal import ClientInvited
from portico.kit.host import discover_services
from portico.kit.testing.database import MigratedDatabases, PostgresDatabases
from portico.kit.testing.live import LivePortico
from portico.kit.testing.services import BACKENDS, RunningPortico
from portico.kit.testing.smtp import Mailbox, text_and_html

T = TypeVar("T")
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
PASSWORD = "a-long-test-passphrase"


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
        home = await self.follow(response)
        while home.status_code == 303:
            home = await self.follow(home)
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


CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parents[3] / "node_modules" / "axe-core" / "axe.min.js"
ADMIN_EMAIL = "owner@studio.example"
ADMIN_PASSWORD = "a-long-admin-passphrase"
# What the clients made by ``RunningSite.client_in_the_portal`` log in with.
CLIENT_PASSWORD = "the-client-passphrase"


BROWSER_FIXTURES = {"page", "context", "new_context", "live_site"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's sync API leaves an event loop running in the main
    thread, and no asyncio test can run after it."""
    browser = [item for item in items if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ()))]
    others = [item for item in items if item not in browser]
    items[:] = others + browser


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    # Debian's Chromium (installed by .ci/run); Playwright's own download is not reachable.
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (see .ci/run)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


class RunningSite(LivePortico):
    """Portico in its own process, with the first admin's credentials and its mail."""

    admin_email = ADMIN_EMAIL
    admin_password = ADMIN_PASSWORD

    def __init__(self, data_dir: Path, env: dict[str, str], mailbox: Mailbox | None) -> None:
        super().__init__(data_dir, env)
        self.mailbox = mailbox

    @property
    def development(self) -> bool:
        return self.mailbox is None

    def texts_sent_to(self, email: str) -> list[str]:
        """The text of each email sent to this address so far, oldest first: from the SMTP
        server, or from the development inbox when there is none."""
        if self.mailbox is not None:
            return [
                text_and_html(message)[0]
                for message in self.mailbox.messages
                if email in str(message["To"])
            ]
        mailbox = f"{self.url}/api/notifier/v1/mailbox"
        entries = httpx.get(mailbox, headers=self.admin_headers()).json()
        return [
            httpx.get(f"{mailbox}/{entry['id']}", headers=self.admin_headers()).json()["text"]
            for entry in reversed(entries)  # the inbox lists the newest first
            if email in entry["to"]
        ]

    def client_in_the_portal(
        self,
        name: str,
        *,
        tags: Sequence[str] = (),
        locale: str | None = None,
        known_to_documents: bool = False,
    ) -> dict[str, Any]:
        """A client whose contact Camille Durand was invited and joined the portal with
        ``CLIENT_PASSWORD`` (and, when asked, once the documents service knows it)."""
        api = f"{self.url}/api/portal/v1"
        admin = self.admin_headers()
        email = f"camille-{uuid.uuid4().hex[:8]}@client.example"
        contact = {"first_name": "Camille", "last_name": "Durand", "email": email}
        if locale is not None:
            contact["locale"] = locale
        body = {"name": name, "tags": list(tags), "contacts": [contact]}
        created = httpx.post(f"{api}/clients", json=body, headers=admin)
        assert created.status_code == 201, created.text
        client: dict[str, Any] = created.json()
        contact_id = client["contacts"][0]["id"]
        invited = httpx.post(
            f"{api}/clients/{client['id']}/contacts/{contact_id}/invitation", headers=admin
        )
        assert invited.status_code == 201, invited.text
        [token] = self.invitation_tokens(email)
        accepted = httpx.post(
            f"{api}/invitations/accept", json={"token": token, "password": CLIENT_PASSWORD}
        )
        assert accepted.status_code == 200, accepted.text
        if known_to_documents:
            documents = f"{self.url}/api/documents/v1/clients/{client['id']}/documents"
            deadline = time.monotonic() + 30
            while httpx.get(documents, headers=admin).status_code == 404:
                assert time.monotonic() < deadline, "the documents service never learnt of it"
                time.sleep(0.1)
        return client

    def invitation_tokens(self, email: str, count: int = 1) -> list[str]:
        """The tokens of the invitations emailed to this address, oldest first, once
        ``count`` of them have arrived."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            tokens = [
                found.group(1)
                for text in self.texts_sent_to(email)
                if (found := re.search(r"/invitations/accept\?token=([\w-]+)", text))
            ]
            if len(tokens) >= count:
                return tokens
            time.sleep(0.1)
        raise AssertionError(f"fewer than {count} invitations for {email}")


@pytest.fixture(params=BACKENDS)
def live_site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunningSite]:
    env = {"PORTICO_ADMIN_EMAIL": ADMIN_EMAIL, "PORTICO_ADMIN_PASSWORD": ADMIN_PASSWORD}
    mailbox: Mailbox | None = None
    databases: PostgresDatabases | None = None
    migrated: MigratedDatabases = request.getfixturevalue("migrated_databases")
    services = {service.name: service for service in discover_services()}
    on_postgres: dict[str, str] = {}
    if request.param == "distributed":
        server_url = request.getfixturevalue("postgres_server_url")
        databases = PostgresDatabases(server_url)
        mailbox = request.getfixturevalue("smtp_server")
        for name in ("portal", "notifier"):
            template = _in_thread(migrated.postgres_template, server_url, services[name])
            on_postgres[name] = _run(databases.create(name, template=template))
        env |= {
            "PORTICO_BUS_URL": request.getfixturevalue("amqp_vhost_url"),
            "PORTICO_PORTAL_DATABASE_URL": on_postgres["portal"],
            "PORTICO_NOTIFIER_DATABASE_URL": on_postgres["notifier"],
            "PORTICO_NOTIFIER_SMTP_HOST": mailbox.host,
            "PORTICO_NOTIFIER_SMTP_PORT": str(mailbox.port),
            "PORTICO_BUS_RETRY_DELAYS": json.dumps([0.05, 0.1, 0.2, 0.3]),
            "PORTICO_KEYS_DIR": str(tmp_path / "keys"),
        }
    site = RunningSite(tmp_path / "data", env, mailbox)
    # Each service's SQLite file in place and migrated: the process finds it at its heads.
    for name, service in services.items():
        if name not in on_postgres:
            _in_thread(migrated.copy_sqlite, service, site.data_dir / f"{name}.db")
    site.start()
    try:
        yield site
    finally:
        site.kill()
        if databases is not None:
            _run(databases.drop_all())


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    return _in_thread(asyncio.run, coroutine)


def _in_thread(function: Callable[..., T], *arguments: Any) -> T:
    # Playwright's sync API keeps an event loop in this thread: run ours in another.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *arguments).result()


def assert_accessible(page: Page) -> None:
    """axe-core finds no serious or critical violation on the page as it is now."""
    # Evaluated rather than added as a <script>: the page's CSP refuses inline scripts.
    page.evaluate(AXE.read_text())
    violations = page.evaluate("async () => (await axe.run()).violations")
    grave = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        for violation in violations
        if violation["impact"] in {"serious", "critical"}
    ]
    assert not grave, f"{page.url}:\n" + "\n".join(grave)


# Reading a page's answer: the words, the toast, a field's error and value.


def text_of(page: httpx.Response) -> str:
    """The page's words, without tags; runs of spaces made one (no-break spaces are kept:
    French amounts and punctuation have them)."""
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page.text)))


def toast(page: httpx.Response) -> str:
    """The page's toast as "kind: message"."""
    found = re.search(r'<div class="toast toast-(\w+)">([^<]*)</div>', page.text)
    assert found, "no toast on the page"
    return f"{found.group(1)}: {html.unescape(found.group(2))}"


def field_error(page: httpx.Response, name: str) -> str:
    found = re.search(
        rf'<p class="field-error" id="error-{re.escape(name)}"[^>]*>([^<]*)</p>', page.text
    )
    assert found, f"no error beside {name}"
    return html.unescape(found.group(1))


def input_value(page: httpx.Response, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}"[^>]*?\svalue="([^"]*)"', page.text)
    assert found, f"no input {name}"
    return html.unescape(found.group(1))

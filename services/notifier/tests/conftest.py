"""Test helpers of the notifier: the SMTP server and the SMS provider it sends to (a local
HTTP server speaking Twilio's API), events published as their services do, and the admin as
a staff member who hears of them."""

from __future__ import annotations

import asyncio
import base64
import socket
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from portico.contracts import Envelope, Event
from portico.contracts.events.portal import MessagePosted, MessageRecipient, StaffUserChanged
from portico.kit.testing.services import RunningPortico
from portico.kit.testing.smtp import Mailbox


@dataclass
class Received:
    path: str
    content_type: str
    form: dict[str, str]
    headers: dict[str, str]


@dataclass
class FakeProvider:
    """What the server received, and what it answers next (by default: accepted)."""

    url: str = ""
    account: str = "AC0123456789abcdef0123456789abcdef"
    token: str = "s3cr3t-auth-token-never-logged"
    from_number: str = "+33700000001"
    received: list[Received] = field(default_factory=list)
    status: int = 201
    body: Any = None
    delay: float = 0.0

    def answer(self, status: int, body: Any = None, *, delay: float = 0.0) -> None:
        self.status, self.body, self.delay = status, body, delay

    def reset(self) -> None:
        self.received.clear()
        self.answer(201)


def provider_app(provider: FakeProvider) -> FastAPI:
    app = FastAPI()

    @app.post("/2010-04-01/Accounts/{account}/Messages.json")
    async def create_message(account: str, request: Request) -> JSONResponse:
        raw = (await request.body()).decode()
        form = {name: values[0] for name, values in parse_qs(raw, strict_parsing=True).items()}
        provider.received.append(
            Received(
                path=request.url.path,
                content_type=request.headers.get("content-type", ""),
                form=form,
                headers=dict(request.headers),
            )
        )
        expected = (
            "Basic " + base64.b64encode(f"{provider.account}:{provider.token}".encode()).decode()
        )
        if account != provider.account or request.headers.get("authorization") != expected:
            error = {"code": 20003, "message": "Authenticate", "status": 401}
            return JSONResponse(error, status_code=401)
        if provider.delay:
            await asyncio.sleep(provider.delay)
        if provider.status == 201 and provider.body is None:
            sid = f"SM{len(provider.received):032x}"
            return JSONResponse({"sid": sid, "status": "queued", "to": form.get("To")}, 201)
        return JSONResponse(provider.body, status_code=provider.status)

    return app


@pytest.fixture
def notifier_smtp(smtp_server: Mailbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """The notifier sends its emails to a local aiosmtpd, retrying within a second."""
    monkeypatch.setenv("PORTICO_NOTIFIER_SMTP_HOST", smtp_server.host)
    monkeypatch.setenv("PORTICO_NOTIFIER_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("PORTICO_NOTIFIER_RETRY_DELAYS", "[0.2, 0.4]")
    yield smtp_server


@pytest.fixture
def sms_provider(provider: FakeProvider, monkeypatch: pytest.MonkeyPatch) -> FakeProvider:
    """The notifier texts through the local provider, retrying within a second."""
    monkeypatch.setenv("PORTICO_NOTIFIER_SMS_PROVIDER", "http")
    monkeypatch.setenv("PORTICO_NOTIFIER_SMS_BASE_URL", provider.url)
    monkeypatch.setenv("PORTICO_NOTIFIER_SMS_ACCOUNT_SID", provider.account)
    monkeypatch.setenv("PORTICO_NOTIFIER_SMS_AUTH_TOKEN", provider.token)
    monkeypatch.setenv("PORTICO_NOTIFIER_SMS_FROM", provider.from_number)
    monkeypatch.setenv("PORTICO_NOTIFIER_RETRY_DELAYS", "[0.2, 0.4]")
    return provider


Publish = Callable[..., Awaitable[list[Envelope]]]


@pytest.fixture
def publish(portico: RunningPortico) -> Publish:
    """``await publish("signing", *events)``: published as that service does; answers the
    envelopes."""

    async def publish_as(source: str, *events: Event | Envelope) -> list[Envelope]:
        # An envelope is published as it is: the same event delivered once more.
        envelopes = [
            event if isinstance(event, Envelope) else Envelope.wrap(event, source=source)
            for event in events
        ]
        await portico.host.bus.publish(envelopes)
        return envelopes

    return publish_as


@dataclass
class StaffMember:
    """The admin, as the notifier knows them, and what reaches them in the app."""

    portico: RunningPortico
    headers: dict[str, str]
    id: uuid.UUID

    async def change(self, **fields: str) -> None:
        """Changes the profile (locale, phone) and waits until the change is on the bus."""
        me = (await self.portico.http.get("/api/portal/v1/me", headers=self.headers)).json()
        if all(me[name] == value for name, value in fields.items()):
            return  # nothing changes: the portal emits nothing
        changed = await self.portico.http.patch(
            "/api/portal/v1/me", json=fields, headers=self.headers
        )
        assert changed.status_code == 200, changed.text
        now = {name: changed.json()[name] for name in fields}  # as the portal stored them
        # The notifier reads its queue in order: events published next reach it after the
        # change. Matched by content, as the admin's creation is a StaffUserChanged too.
        deadline = time.monotonic() + 10
        while not any(
            all(getattr(envelope.event(), name) == value for name, value in now.items())
            for envelope in self.portico.events.of_type(
                StaffUserChanged.event_type, subject=str(self.id)
            )
        ):
            assert time.monotonic() < deadline, "the change never reached the bus"
            await asyncio.sleep(0.05)

    async def choose(self, kind: str, *, email: bool, sms: bool, in_app: bool) -> None:
        chosen = await self.portico.http.put(
            f"/api/notifier/v1/preferences/{kind}",
            json={"email": email, "sms": sms, "in_app": in_app},
            headers=self.headers,
        )
        assert chosen.status_code == 200, chosen.text

    async def notifications(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The in-app notifications, newest first, once there are ``count`` of them."""
        deadline = time.monotonic() + timeout
        while True:
            page = await self.portico.http.get(
                "/api/notifier/v1/notifications", headers=self.headers
            )
            items: list[dict[str, Any]] = page.json()["items"]
            if len(items) >= count:
                assert len(items) == count, [item["title"] for item in items]
                return items
            assert time.monotonic() < deadline, f"expected {count} notification(s)"
            await asyncio.sleep(0.05)

    async def deliveries(self, **filters: str) -> list[dict[str, Any]]:
        """The delivery log (admins), filtered as the API allows."""
        log = await self.portico.http.get(
            "/api/notifier/v1/deliveries", params=filters, headers=self.headers
        )
        assert log.status_code == 200, log.text
        items: list[dict[str, Any]] = log.json()["items"]
        return items


@pytest.fixture
async def staff(portico: RunningPortico, admin: dict[str, str]) -> StaffMember:
    me = (await portico.http.get("/api/portal/v1/me", headers=admin)).json()
    return StaffMember(portico, admin, uuid.UUID(me["id"]))


@pytest.fixture(scope="module")
def running_provider() -> Iterator[FakeProvider]:
    provider = FakeProvider()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    host, port = listener.getsockname()
    provider.url = f"http://{host}:{port}"
    config = uvicorn.Config(
        provider_app(provider), log_level="warning", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the fake provider did not start"
        time.sleep(0.02)
    yield provider
    server.should_exit = True
    thread.join(timeout=10)
    listener.close()


@pytest.fixture
def provider(running_provider: FakeProvider) -> Iterator[FakeProvider]:
    running_provider.reset()
    yield running_provider


@pytest.fixture
def message_posted() -> Callable[[str], Envelope]:
    """Builds a MessagePosted from a client to a staff user, as the portal emits it."""

    def build(staff_id: str) -> Envelope:
        workspace_id = uuid.uuid4()
        event = MessagePosted(
            message_id=uuid.uuid4(),
            workspace_id=workspace_id,
            client_id=uuid.uuid4(),
            workspace_name="Rénovation atelier",
            author_kind="client",
            author_id=uuid.uuid4(),
            author_name="Camille Durand",
            excerpt="Voici les plans mis à jour.",
            recipients=[
                MessageRecipient(
                    kind="staff",
                    id=uuid.UUID(staff_id),
                    name="Admin Portico",
                    email="admin@studio.example",
                )
            ],
            workspace_url=f"http://127.0.0.1:8000/workspaces/{workspace_id}",
        )
        return Envelope.wrap(event, source="portal")

    return build

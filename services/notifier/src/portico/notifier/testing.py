"""Test helpers of the notifier, for its own tests and those of other services: the SMTP
server it sends to and the SMS provider it texts through (a local HTTP server speaking
Twilio's API), configured through the notifier's settings as a deployment would."""

from __future__ import annotations

import asyncio
import base64
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

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

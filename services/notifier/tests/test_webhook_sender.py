"""The webhook sender against a real HTTP receiver: the address checked is the address
reached, whatever the name resolves to afterwards (DNS rebinding)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from portico.notifier.webhooks.delivery import WebhookSender
from portico.notifier.webhooks.settings import WebhookSettings

NAME = "receiver.rebinding.test"
INSIDE = "10.255.255.1"  # a private address: refused, and nothing answers there


class Receiver:
    def __init__(self) -> None:
        self.hosts: list[str] = []
        self.port = 0


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", "0")))
            receiver.hosts.append(self.headers.get("host", ""))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def rebinding_name(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """NAME resolves to the loopback address once, then to an inside address: what a DNS
    server under an attacker's control answers to defeat a check made before connecting.
    Every other name resolves as usual. Returns the addresses given, in order."""
    real = socket.getaddrinfo
    given: list[str] = []

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != NAME:
            return real(host, port, *args, **kwargs)
        address = "127.0.0.1" if not given else INSIDE
        given.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return given


def sender(**settings: Any) -> WebhookSender:
    return WebhookSender(WebhookSettings(timeout=3, **settings), allow_local=True)


async def test_the_request_goes_to_the_address_checked_not_to_a_second_answer(
    receiver: Receiver, rebinding_name: list[str]
) -> None:
    webhooks = sender()
    try:
        outcome = await webhooks.post(f"http://{NAME}:{receiver.port}/hook", b"{}", {})
    finally:
        await webhooks.close()
    assert outcome.succeeded, outcome.error
    assert outcome.status_code == 204
    # The name was resolved once, and the receiver still saw it as the Host.
    assert rebinding_name == ["127.0.0.1"]
    assert receiver.hosts == [f"{NAME}:{receiver.port}"]


async def test_a_name_that_resolves_inside_is_refused_before_any_connection(
    receiver: Receiver, rebinding_name: list[str]
) -> None:
    rebinding_name.append("127.0.0.1")  # the next answer is the inside address
    webhooks = sender()
    try:
        outcome = await webhooks.post(f"http://{NAME}:{receiver.port}/hook", b"{}", {})
    finally:
        await webhooks.close()
    assert not outcome.succeeded
    assert outcome.error == f"address not allowed: {INSIDE} is on a private network"
    assert receiver.hosts == []

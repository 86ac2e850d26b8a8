"""An SMTP server for tests (aiosmtpd on a free loopback port), keeping what it receives."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    # Answers given instead of accepting, one per message, e.g. "451 4.3.0 Try again later".
    refusals: list[str] = field(default_factory=list)

    def refuse_next(self, *answers: str) -> None:
        self.refusals.extend(answers)

    async def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages received, once there are at least ``count`` of them."""
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.messages) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"expected {count} email(s), got {len(self.messages)}")
            await asyncio.sleep(0.05)
        return self.messages

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusals:
            return self.refusals.pop(0)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"


def text_and_html(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML alternatives of a received email."""
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and html is not None, "the email lacks a text or an HTML part"
    return text.get_content(), html.get_content()


def free_port() -> int:
    # aiosmtpd cannot listen on port 0 and tell which port it got: pick one first.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    mailbox = Mailbox(host="127.0.0.1", port=free_port())
    controller = Controller(mailbox, hostname=mailbox.host, port=mailbox.port, enable_SMTPUTF8=True)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()

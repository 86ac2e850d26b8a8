"""The `notify` benchmark: events in, emails accepted by a local SMTP server (aiosmtpd).

Figure: emails per second for 5,000 notifications, from the event published on the bus to
the message accepted by the server (the notifier alone in one process, on PostgreSQL as
deployed, with the in-process bus so the figure is the notifier's own), beside the raw
aiosmtplib send rate of the same email over one connection, to the same server, in the
same run.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiosmtplib
from aiosmtpd.controller import Controller

from bench.figures import Figure
from portico.contracts import Envelope
from portico.contracts.events.common import Person
from portico.contracts.events.portal import ClientInvited
from portico.kit.host import EMBEDDED, Host
from portico.kit.settings import PorticoSettings, ServiceSettings
from portico.kit.testing.database import PostgresDatabases
from portico.kit.testing.smtp import free_port
from portico.notifier.app import service as notifier
from portico.notifier.channels.base import EmailContent
from portico.notifier.channels.email import build_email
from portico.notifier.messages.rendering import default_templates, render

NOTIFICATIONS = 5_000
DATABASE_URL = os.environ.get(
    "PORTICO_BENCH_DATABASE_URL",
    os.environ.get(
        "PORTICO_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    ),
)
PUBLISH_CHUNK = 500


class CountingServer:
    """Accepts every message and counts them; aiosmtpd runs on its own thread and loop."""

    def __init__(self) -> None:
        self.port = free_port()
        self.accepted = 0
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.accepted += 1
        return "250 OK"

    def __enter__(self) -> CountingServer:
        self._controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._controller.stop()


def invitation(number: int) -> ClientInvited:
    return ClientInvited(
        client_id=uuid.uuid4(),
        client_name="Atelier Lumière",
        contact=Person(
            id=uuid.uuid4(),
            name=f"Contact {number}",
            email=f"contact{number}@lumiere.example",
            locale="fr" if number % 2 else "en",
        ),
        invitation_id=uuid.uuid4(),
        accept_url=f"http://127.0.0.1:8000/invitations/accept?token={uuid.uuid4().hex}",
        expires_at=datetime.now(UTC) + timedelta(days=14),
    )


def sample_email() -> bytes:
    event = invitation(0)
    rendered = render(
        default_templates("client_invited", "en"),
        {
            "client_name": event.client_name,
            "accept_url": str(event.accept_url),
            "expires_at": event.expires_at.isoformat(),
            "recipient": {"name": event.contact.name},
        },
        locale="en",
        organisation={"name": "Portico"},
    )
    content = EmailContent(
        to="contact0@lumiere.example",
        to_name="Contact 0",
        subject=rendered.subject,
        html=rendered.html,
        text=rendered.text,
        from_address="portico@localhost",
        message_id=f"<{uuid.uuid4()}@localhost>",
    )
    return build_email(content, [])


async def raw_rate(server: CountingServer, count: int) -> float:
    message = sample_email()
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=server.port)
    await client.connect()
    started = time.perf_counter()
    for _ in range(count):
        await client.sendmail("portico@localhost", ["contact0@lumiere.example"], message)
    elapsed = time.perf_counter() - started
    await client.quit()
    return count / elapsed


async def notifier_rate(server: CountingServer, count: int) -> float:
    databases = PostgresDatabases(DATABASE_URL)
    with tempfile.TemporaryDirectory() as folder:
        os.environ["PORTICO_NOTIFIER_SMTP_HOST"] = "127.0.0.1"
        os.environ["PORTICO_NOTIFIER_SMTP_PORT"] = str(server.port)
        settings = PorticoSettings(data_dir=Path(folder), keys_dir=Path(folder) / "keys")
        database = ServiceSettings(database_url=await databases.create("bench_notify"))
        host = Host([notifier], settings, EMBEDDED, service_settings={"notifier": database})
        await host.start()
        try:
            envelopes = [Envelope.wrap(invitation(n), source="portal") for n in range(count)]
            before = server.accepted
            started = time.perf_counter()
            for first in range(0, count, PUBLISH_CHUNK):
                await host.bus.publish(envelopes[first : first + PUBLISH_CHUNK])
            while server.accepted - before < count:
                await asyncio.sleep(0.01)
            return count / (time.perf_counter() - started)
        finally:
            await host.stop()
            await databases.drop_all()


async def run() -> list[Figure]:
    with CountingServer() as server:
        raw = await raw_rate(server, NOTIFICATIONS)
        end_to_end = await notifier_rate(server, NOTIFICATIONS)
    return [
        Figure(
            "notify.emails_per_second",
            end_to_end,
            "emails/s",
            "raw aiosmtplib sends over one connection",
            raw,
            minimum_ratio=0.50,
        )
    ]

"""A notifier worker stopped (SIGTERM) or killed (SIGKILL) in the middle of a batch of
emails, counted in a real SMTP server: after a stop none is sent twice; after a kill at
most those in flight are, and a new worker sends the rest within seconds."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import textwrap
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from portico.contracts import Envelope
from portico.contracts.events.common import Person
from portico.contracts.events.portal import ClientInvited
from portico.kit.bus.memory import InMemoryBus
from portico.kit.db import Database
from portico.kit.host import Host, Roles
from portico.kit.settings import PorticoSettings, ServiceSettings
from portico.kit.testing.smtp import Mailbox, free_port
from portico.notifier.app import service as notifier
from portico.notifier.deliveries.dispatcher import RECORD_EVERY
from portico.notifier.models import Delivery

EMAILS = 80
# Each email takes this long at the server: the batch lasts seconds, long enough to stop
# the worker in its middle.
SMTP_DELAY = 0.04
GRACE = 3.0
LEASE = 2.0

WORKER = textwrap.dedent(
    """
    import asyncio, signal, sys
    from portico.kit.bus.memory import InMemoryBus
    from portico.kit.host import Host, Roles
    from portico.kit.settings import PorticoSettings, ServiceSettings
    from portico.notifier.app import service

    async def main() -> None:
        # The worker role's job runner alone (no bus to consume from in this test).
        roles = Roles(api=False, consume=False, relay=False, migrate=False, jobs=True)
        database = ServiceSettings(database_url=sys.argv[1])
        host = Host([service], PorticoSettings(), roles, bus=InMemoryBus(),
                    service_settings={"notifier": database})
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await host.start()
        print("started", flush=True)
        await stop.wait()
        await host.stop()

    asyncio.run(main())
    """
)


@dataclass
class SlowMailbox(Mailbox):
    delay: float = SMTP_DELAY

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)

    def message_ids(self) -> Counter[str]:
        return Counter(str(message["Message-ID"]) for message in self.messages)


@pytest.fixture
def mailbox() -> Iterator[SlowMailbox]:
    from aiosmtpd.controller import Controller

    box = SlowMailbox(host="127.0.0.1", port=free_port())
    controller = Controller(box, hostname=box.host, port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
async def backlog(tmp_path: Path) -> AsyncIterator[str]:
    """A notifier database holding ``EMAILS`` invitations recorded and not yet sent."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'notifier.db'}"
    settings = PorticoSettings(data_dir=tmp_path, keys_dir=tmp_path / "keys")
    # Migrates and records deliveries from events, sending nothing (no job runner).
    roles = Roles(api=False, consume=True, relay=False, migrate=True, jobs=False)
    host = Host(
        [notifier],
        settings,
        roles,
        bus=InMemoryBus(),
        service_settings={"notifier": ServiceSettings(database_url=url)},
    )
    await host.start()
    try:
        invitations = [Envelope.wrap(invitation(n), source="portal") for n in range(EMAILS)]
        await host.bus.publish(invitations)
        database = host.runtimes[0].database
        deadline = time.monotonic() + 30
        while await count(database) < EMAILS:
            assert time.monotonic() < deadline, "the invitations were not recorded"
            await asyncio.sleep(0.05)
    finally:
        await host.stop()
    yield url


def invitation(number: int) -> ClientInvited:
    return ClientInvited(
        client_id=uuid.uuid4(),
        client_name="Atelier Lumière",
        contact=Person(
            id=uuid.uuid4(),
            name=f"Contact {number}",
            email=f"contact{number}@lumiere.example",
            locale="en",
        ),
        invitation_id=uuid.uuid4(),
        accept_url=f"http://127.0.0.1:8000/invitations/accept?token={uuid.uuid4().hex}",
        expires_at=datetime.now(UTC) + timedelta(days=14),
    )


async def count(database: Database, status: str | None = None) -> int:
    async with database.sessions() as session:
        query = select(func.count()).select_from(Delivery)
        if status is not None:
            query = query.where(Delivery.status == status)
        return int(await session.scalar(query) or 0)


async def start_worker(url: str, mailbox: Mailbox, tmp_path: Path) -> asyncio.subprocess.Process:
    environment = {
        **os.environ,
        "PORTICO_DATA_DIR": str(tmp_path),
        "PORTICO_KEYS_DIR": str(tmp_path / "keys"),
        "PORTICO_STOP_GRACE_SECONDS": str(GRACE),
        "PORTICO_JOBS_LEASE_SECONDS": str(LEASE),
        "PORTICO_NOTIFIER_SMTP_HOST": mailbox.host,
        "PORTICO_NOTIFIER_SMTP_PORT": str(mailbox.port),
        "PORTICO_NOTIFIER_DISPATCH_BATCH": "40",
    }
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-c", WORKER, url, env=environment, stdout=asyncio.subprocess.PIPE
    )
    assert worker.stdout is not None
    line = await asyncio.wait_for(worker.stdout.readline(), 30)
    assert line.strip() == b"started"
    return worker


async def until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.02)


async def test_a_worker_stopped_mid_batch_sends_no_email_twice(
    backlog: str, mailbox: SlowMailbox, tmp_path: Path
) -> None:
    worker = await start_worker(backlog, mailbox, tmp_path)
    await until(lambda: len(mailbox.messages) >= 10, 30, "the worker sent nothing")
    worker.send_signal(signal.SIGTERM)
    stopped = time.monotonic()
    await asyncio.wait_for(worker.wait(), GRACE + 10)
    assert time.monotonic() - stopped < GRACE + 5
    sent_before = len(mailbox.messages)
    assert sent_before < EMAILS, "the stop came after the batch: nothing to test"

    database = Database(backlog, service="notifier")
    try:
        # What was sent is recorded; the rest waits for the next worker.
        assert await count(database, "sent") == sent_before
        assert await count(database, "pending") == EMAILS - sent_before

        again = await start_worker(backlog, mailbox, tmp_path)
        await until(lambda: len(mailbox.messages) >= EMAILS, 30, "the rest was not sent")
        again.send_signal(signal.SIGTERM)
        await asyncio.wait_for(again.wait(), GRACE + 10)
        assert await count(database, "sent") == EMAILS
    finally:
        await database.dispose()
    ids = mailbox.message_ids()
    assert len(ids) == EMAILS and max(ids.values()) == 1


async def test_a_worker_killed_mid_batch_leaves_the_rest_to_the_next_within_seconds(
    backlog: str, mailbox: SlowMailbox, tmp_path: Path
) -> None:
    worker = await start_worker(backlog, mailbox, tmp_path)
    await until(lambda: len(mailbox.messages) >= 10, 30, "the worker sent nothing")
    worker.kill()
    await worker.wait()
    sent_before = len(mailbox.messages)
    assert sent_before < EMAILS, "the kill came after the batch: nothing to test"
    database = Database(backlog, service="notifier")
    try:
        recorded = await count(database, "sent")
    finally:
        await database.dispose()
    # Sent, but killed before their outcome was committed: the in-flight ones.
    in_flight = sent_before - recorded
    assert in_flight <= 2 * RECORD_EVERY * 2  # two records' worth per job (two jobs)

    again = await start_worker(backlog, mailbox, tmp_path)
    started = time.monotonic()
    # The killed worker's lease runs out (its heartbeat stopped), then the new worker
    # sends the rest: seconds, not a long timeout.
    await until(
        lambda: len(mailbox.message_ids()) >= EMAILS,
        LEASE + 15,
        "the rest was not sent within seconds",
    )
    taken_over_in = time.monotonic() - started
    again.send_signal(signal.SIGTERM)
    await asyncio.wait_for(again.wait(), GRACE + 10)

    ids = mailbox.message_ids()
    repeated = sum(times - 1 for times in ids.values())
    # Only the sends whose outcome was not yet committed can repeat, never the batch.
    assert repeated <= in_flight, (repeated, in_flight, sent_before)
    assert len(ids) == EMAILS
    assert taken_over_in < LEASE + 12

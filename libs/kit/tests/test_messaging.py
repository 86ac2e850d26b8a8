"""Outbox → relay → bus → inbox, end to end, on both adapters.

Embedded: SQLite + the in-process bus. Distributed: PostgreSQL + RabbitMQ (own vhost).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import Column, String, Table, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import registry

from portico.contracts import MASK, Envelope, Event
from portico.contracts.events.common import SecretLink
from portico.kit.bus import Bus, RetryPolicy
from portico.kit.bus.memory import InMemoryBus
from portico.kit.bus.rabbitmq import RabbitMqBus
from portico.kit.db import Database, messaging_metadata, new_metadata, utcnow
from portico.kit.inbox import MAX_BATCH, Consumer, EventContext
from portico.kit.observability import bind_context, current_causation_id, current_correlation_id
from portico.kit.outbox import Relay, Retention
from portico.kit.service import Runtime, Service
from portico.kit.settings import PorticoSettings
from portico.kit.tables import inbox_table, outbox_table
from portico.kit.testing.database import PostgresDatabases

RETRY = RetryPolicy(delays=(0.05, 0.1, 0.1, 0.1))


class NoteRecorded(Event):
    event_type = "portico.kittest.note_recorded.v1"
    subject_field = "note_id"

    note_id: uuid.UUID
    text: str


class LinkShared(Event):
    """An event with a capability link, as ClientInvited and PasswordResetRequested have."""

    event_type = "portico.kittest.link_shared.v1"

    note_id: uuid.UUID
    link: SecretLink
    text: str


metadata = new_metadata()
notes = Table("notes", metadata, Column("id", String(36), primary_key=True), Column("text", String))
copies = Table(
    "note_copies", metadata, Column("id", String(36), primary_key=True), Column("text", String)
)


class NoteRow:
    """A row of ``notes`` as a service's model: written by the session's flush at commit."""

    def __init__(self, id: str, text: str) -> None:
        self.id, self.text = id, text


registry().map_imperatively(NoteRow, notes)


class RolledBack(Exception):
    """Raised in a transaction to roll it back."""


@dataclass
class Node:
    """One service in a test: its database, the bus, its relay and its consumer."""

    database: Database
    bus: Bus
    handled: list[Envelope] = field(default_factory=list)
    fail_times: int = 0
    poison: str | None = None
    trace_ids: list[int] = field(default_factory=list)
    # (correlation id, causation id) seen by the handler.
    contexts: list[tuple[str | None, str | None]] = field(default_factory=list)
    relays: list[Relay] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def copy_note(self, event: NoteRecorded, context: EventContext) -> None:
        self.trace_ids.append(trace.get_current_span().get_span_context().trace_id)
        self.contexts.append((current_correlation_id(), current_causation_id()))
        await context.tx.execute(insert(copies).values(id=str(event.note_id), text=event.text))
        if event.text == self.poison:
            raise RuntimeError("this note always fails")
        if self.fail_times > 0:
            self.fail_times -= 1
            raise RuntimeError("the handler failed on purpose")
        self.handled.append(context.envelope)

    def start_relay(self, **options: object) -> Relay:
        relay = Relay(self.database, self.bus, **options)  # type: ignore[arg-type]
        self.relays.append(relay)
        self.tasks.append(asyncio.create_task(relay.run()))
        return relay

    async def record(self, text: str, *, rollback: bool = False) -> uuid.UUID:
        note_id = uuid.uuid4()
        with contextlib.suppress(RolledBack):
            async with self.database.transaction() as tx:
                await tx.execute(insert(notes).values(id=str(note_id), text=text))
                tx.emit(NoteRecorded(note_id=note_id, text=text))
                if rollback:
                    raise RolledBack
        return note_id

    async def count(self, table: Table) -> int:
        async with self.database.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def eventually(check: Callable[[], object], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


@pytest.fixture(params=["embedded", "distributed"])
async def node(request: pytest.FixtureRequest, sqlite_url, tmp_path) -> AsyncIterator[Node]:
    databases: PostgresDatabases | None = None
    if request.param == "embedded":
        database = Database(sqlite_url("kittest"), service="kittest")
        bus: Bus = InMemoryBus(retry=RETRY)
    else:
        databases = PostgresDatabases(request.getfixturevalue("postgres_server_url"))
        amqp_url = request.getfixturevalue("amqp_vhost_url")
        database = Database(await databases.create("kittest"), service="kittest")
        bus = RabbitMqBus(amqp_url, retry=RETRY, reconnect_interval=0.2)
    async with database.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
        await connection.run_sync(messaging_metadata.create_all)
    test_node = Node(database=database, bus=bus)
    await bus.connect()
    consumer = Consumer(database, {NoteRecorded: [test_node.copy_note]})
    await bus.subscribe_batches(
        "kittest", consumer.event_types, consumer.handle_batch, max_batch=MAX_BATCH
    )
    try:
        yield test_node
    finally:
        for relay in test_node.relays:
            relay.stop()
        await asyncio.gather(*test_node.tasks, return_exceptions=True)
        await bus.close()
        await database.dispose()
        if databases is not None:
            await databases.drop_all()


async def test_an_event_emitted_in_a_transaction_reaches_the_handler_once(node: Node) -> None:
    node.start_relay()
    note_id = await node.record("hello")
    await eventually(lambda: node.handled)
    await asyncio.sleep(0.3)
    assert [envelope.subject for envelope in node.handled] == [str(note_id)]
    assert await node.count(copies) == 1


async def test_a_rolled_back_transaction_emits_nothing(node: Node) -> None:
    node.start_relay()
    await node.record("never", rollback=True)
    kept = await node.record("kept")
    await eventually(lambda: node.handled)
    await asyncio.sleep(0.3)
    assert [envelope.subject for envelope in node.handled] == [str(kept)]
    assert await node.count(outbox_table) == 1


async def test_a_commit_that_fails_after_the_outbox_is_written_emits_nothing(node: Node) -> None:
    node.start_relay()
    taken = await node.record("taken")
    await eventually(lambda: node.handled)
    with pytest.raises(IntegrityError):
        async with node.database.transaction() as tx:
            # Nothing reaches the database before the commit: the outbox row is the
            # transaction's first statement, the note (a key already taken) its last.
            tx.add(NoteRow(id=str(taken), text="again"))
            tx.emit(NoteRecorded(note_id=uuid.uuid4(), text="never"))
    await asyncio.sleep(0.3)
    assert len(node.handled) == 1
    assert await node.count(outbox_table) == 1


async def test_the_relay_wakes_on_commit_without_polling(node: Node) -> None:
    # An hour between idle checks: only the commit signal (or NOTIFY) can wake it.
    node.start_relay(idle_check=3600.0)
    await asyncio.sleep(0.2)
    await node.record("wake up")
    await eventually(lambda: node.handled, timeout=3.0)


@pytest.mark.parametrize("node", ["distributed"], indirect=True)
async def test_a_commit_in_another_process_wakes_the_relay(node: Node) -> None:
    # Another handle on the same database, as the API process has: only the database's
    # notification, sent by the outbox trigger at commit, can reach this relay.
    node.start_relay(idle_check=3600.0)
    await asyncio.sleep(0.2)
    other = Database(node.database.url, service="kittest")
    try:
        async with other.transaction() as tx:
            tx.emit(NoteRecorded(note_id=uuid.uuid4(), text="from elsewhere"))
    finally:
        await other.dispose()
    await eventually(lambda: node.handled, timeout=3.0)


async def test_a_duplicate_delivery_changes_nothing(node: Node) -> None:
    node.start_relay()
    await node.record("once")
    await eventually(lambda: node.handled)
    async with node.database.sessions() as session:
        body = await session.scalar(select(outbox_table.c.body))
    await node.bus.publish([Envelope.model_validate_json(body)])
    await asyncio.sleep(0.5)
    assert len(node.handled) == 1
    assert await node.count(copies) == 1
    assert await node.count(inbox_table) == 1


async def test_a_failed_handler_leaves_no_writes_and_succeeds_on_retry(node: Node) -> None:
    node.fail_times = 2
    node.start_relay()
    await node.record("flaky")
    await eventually(lambda: node.handled)
    # Each failed try rolled back its copy and its inbox row; the successful try wrote one.
    assert await node.count(copies) == 1
    assert len(node.trace_ids) == 3


async def test_a_relay_killed_between_publish_and_mark_causes_a_duplicate_the_inbox_absorbs(
    node: Node,
) -> None:
    class DyingAfterPublish:
        """The bus confirms the events; the relay dies before it can mark them."""

        async def publish(self, envelopes: Sequence[Envelope]) -> None:
            await node.bus.publish(envelopes)
            raise ConnectionError("the relay died here")

    await node.record("crash")
    with pytest.raises(ConnectionError):
        await Relay(node.database, DyingAfterPublish()).publish_pending()  # type: ignore[arg-type]
    await eventually(lambda: node.handled)
    node.start_relay()
    await eventually(lambda: _all_published(node))
    await asyncio.sleep(0.3)
    assert len(node.handled) == 1
    assert await node.count(copies) == 1


async def _all_published(node: Node) -> bool:
    async with node.database.sessions() as session:
        pending = await session.scalar(
            select(func.count()).where(outbox_table.c.published_at.is_(None))
        )
    return pending == 0


async def test_a_published_events_secret_link_is_masked_in_its_outbox_row(node: Node) -> None:
    received: list[Envelope] = []

    async def receive(envelope: Envelope) -> None:
        received.append(envelope)

    await node.bus.subscribe("kittest-links", [LinkShared.event_type], receive)
    link = f"https://portico.test/invitations/accept?token=tok-{uuid.uuid4().hex}"
    async with node.database.transaction() as tx:
        tx.emit(LinkShared(note_id=uuid.uuid4(), link=link, text="Bienvenue"))
        tx.emit(NoteRecorded(note_id=uuid.uuid4(), text="nothing secret"))
    stored = await _bodies(node)
    assert link.encode() in stored[LinkShared.event_type]

    node.start_relay()
    await eventually(lambda: received and node.handled)
    await eventually(lambda: _all_published(node))
    # The delivered event carried the link; the row kept after publishing does not.
    assert received[0].event().link == link  # type: ignore[attr-defined]
    kept = await _bodies(node)
    assert b"tok-" not in kept[LinkShared.event_type]
    masked = Envelope.from_stored(kept[LinkShared.event_type])
    assert (masked.data["link"], masked.data["text"]) == (MASK, "Bienvenue")
    assert masked.id == received[0].id
    # An event without secrets is kept as it was written.
    assert kept[NoteRecorded.event_type] == stored[NoteRecorded.event_type]


async def _bodies(node: Node) -> dict[str, bytes]:
    """Each outbox row's stored body by event type, read from the table itself."""
    async with node.database.sessions() as session:
        rows = await session.execute(select(outbox_table.c.event_type, outbox_table.c.body))
        return {event_type: body for event_type, body in rows}


async def test_a_trace_id_survives_the_trip_through_the_bus(node: Node) -> None:
    provider = TracerProvider()
    tracer = provider.get_tracer("test")
    node.start_relay()
    with tracer.start_as_current_span("request") as span:
        await node.record("traced")
        request_trace_id = span.get_span_context().trace_id
    await eventually(lambda: node.handled)
    assert node.trace_ids == [request_trace_id]
    assert node.handled[0].traceparent is not None


async def test_a_handler_runs_in_the_correlation_of_its_event_caused_by_it(node: Node) -> None:
    node.start_relay()
    with bind_context(correlation="corr-note"):
        await node.record("in context")
    await eventually(lambda: node.handled)
    [envelope] = node.handled
    assert envelope.correlation_id == "corr-note"
    # What the handler emits carries them on (``Transaction.emit`` reads these).
    assert node.contexts == [("corr-note", str(envelope.id))]


async def test_events_are_published_in_creation_order(node: Node) -> None:
    recorded = [await node.record(f"note {index}") for index in range(30)]
    published: list[str | None] = []
    publish = node.bus.publish

    async def recording_publish(envelopes: Sequence[Envelope]) -> None:
        published.extend(envelope.subject for envelope in envelopes)
        await publish(envelopes)

    node.bus.publish = recording_publish  # type: ignore[method-assign]
    node.start_relay(batch_size=7)
    await eventually(lambda: len(node.handled) == 30)
    assert published == [str(note_id) for note_id in recorded]
    # One consumer takes its batches one after the other: it sees the relay's order.
    assert [envelope.subject for envelope in node.handled] == published


async def test_a_pass_that_fails_is_published_again(node: Node) -> None:
    publish = node.bus.publish
    calls = 0

    async def failing_third_publish(envelopes: Sequence[Envelope]) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise ConnectionError("the broker went away for this batch")
        await publish(envelopes)

    node.bus.publish = failing_third_publish  # type: ignore[method-assign]
    recorded = [await node.record(f"note {index}") for index in range(40)]
    node.start_relay(batch_size=4)
    await eventually(lambda: _all_published(node), timeout=20)
    await eventually(lambda: len(node.handled) == 40, timeout=10)
    await asyncio.sleep(0.3)
    assert sorted(envelope.subject for envelope in node.handled) == sorted(map(str, recorded))
    assert await node.count(copies) == 40


# SQLite has a single writer: the embedded mode runs one relay per file (DESIGN §10).
@pytest.mark.parametrize("node", ["distributed"], indirect=True)
async def test_several_relays_publish_each_event_once(node: Node) -> None:
    recorded = [await node.record(f"note {index}") for index in range(200)]
    for _ in range(3):
        node.start_relay(batch_size=10)
    await eventually(lambda: len(node.handled) >= 200, timeout=20)
    await asyncio.sleep(0.5)
    assert sorted(envelope.subject for envelope in node.handled) == sorted(map(str, recorded))
    async with node.database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(inbox_table)) == 200


async def test_unmarked_rows_stay_pending_when_the_bus_refuses(node: Node) -> None:
    class RefusingBus:
        async def publish(self, envelopes: object) -> None:
            raise ConnectionError("broker down")

    await node.record("later")
    relay = Relay(node.database, RefusingBus())  # type: ignore[arg-type]
    with pytest.raises(ConnectionError):
        await relay.publish_pending()
    assert not await _all_published(node)
    if node.database.is_postgres:
        # The pass began its transaction on the driver, which the pool's reset knows
        # nothing of: the failed pass gave its connection back without it.
        pooled = await node.database.relay_engine.raw_connection()
        try:
            assert not pooled.driver_connection.is_in_transaction()
        finally:
            pooled.close()
    # Nothing stays held by the failed pass: a working relay publishes at once.
    node.start_relay(idle_check=3600.0)
    await eventually(lambda: node.handled, timeout=3.0)


async def test_a_failing_event_does_not_hold_back_the_others_of_its_batch(node: Node) -> None:
    node.poison = "poison"
    for index in range(10):
        await node.record(f"note {index}")
    await node.record("poison")
    for index in range(10, 20):
        await node.record(f"note {index}")
    node.start_relay()
    # The database is the truth: a rolled-back batch ran handlers whose writes are undone.
    await eventually(lambda: _count_is(node, 20), timeout=10)
    await eventually(lambda: _parked(node), timeout=10)
    async with node.database.sessions() as session:
        texts = sorted((await session.scalars(select(copies.c.text))).all())
    assert texts == sorted(f"note {index}" for index in range(20))
    parked = await node.bus.parked("kittest")
    assert [message.event_type for message in parked] == [NoteRecorded.event_type]


async def _parked(node: Node) -> bool:
    return bool(await node.bus.parked("kittest"))


async def _count_is(node: Node, expected: int) -> bool:
    return await node.count(copies) == expected


async def test_the_relay_prunes_what_the_retention_no_longer_keeps(node: Node) -> None:
    relay = node.start_relay()
    for index in range(4):
        await node.record(f"note {index}")
    await eventually(lambda: len(node.handled) == 4 and _all_published(node))
    # Two events published and handled long ago, the other two today; one more pending.
    long_ago = utcnow() - timedelta(days=40)
    old_keys = [envelope.key for envelope in node.handled[:2]]
    old_ids = [str(envelope.id) for envelope in node.handled[:2]]
    relay.stop()
    await asyncio.gather(*node.tasks, return_exceptions=True)
    async with node.database.transaction() as tx:
        await tx.execute(
            update(outbox_table)
            .where(outbox_table.c.event_id.in_(old_ids))
            .values(created_at=long_ago, published_at=long_ago)
        )
        await tx.execute(
            update(inbox_table)
            .where(inbox_table.c.event_key.in_(old_keys))
            .values(processed_at=long_ago)
        )
    await node.record("not published yet")
    async with node.database.transaction() as tx:
        await tx.execute(
            update(outbox_table)
            .where(outbox_table.c.published_at.is_(None))
            .values(created_at=long_ago)
        )

    retention = Retention(outbox=timedelta(days=7), inbox=timedelta(days=30))
    assert await Relay(node.database, node.bus, retention=retention).prune() == (2, 2)

    async with node.database.sessions() as session:
        kept = set(await session.scalars(select(outbox_table.c.event_id)))
        remembered = set(await session.scalars(select(inbox_table.c.event_key)))
        pending = await session.scalar(
            select(func.count()).where(outbox_table.c.published_at.is_(None))
        )
    assert kept.isdisjoint(old_ids) and len(kept) == 3
    assert pending == 1  # a pending row stays, however old
    assert remembered == {envelope.key for envelope in node.handled[2:]}

    # A running relay prunes by itself: the other two age out too, while the pending
    # event is published and handled (and so kept, as of today).
    async with node.database.transaction() as tx:
        await tx.execute(
            update(outbox_table)
            .where(outbox_table.c.published_at.is_not(None))
            .values(published_at=long_ago)
        )
        await tx.execute(update(inbox_table).values(processed_at=long_ago))
    node.start_relay(retention=retention)
    await eventually(
        lambda: len(node.handled) == 5 and _counts_are(node, outbox=1, inbox=1), timeout=10
    )


async def _counts_are(node: Node, *, outbox: int, inbox: int) -> bool:
    return (await node.count(outbox_table), await node.count(inbox_table)) == (outbox, inbox)


def test_a_services_relay_keeps_what_the_settings_say(tmp_path: Path) -> None:
    service = Service(
        name="kittest",
        title="Kit test",
        description="A service with nothing but its relay.",
        metadata=new_metadata(),
        migrations=tmp_path,
    )
    settings = PorticoSettings(
        data_dir=tmp_path,
        keys_dir=tmp_path / "keys",
        outbox_retention_days=2,
        inbox_retention_days=45,
    )
    relay = Runtime(service, settings, InMemoryBus()).relay
    assert relay.retention == Retention(outbox=timedelta(days=2), inbox=timedelta(days=45))

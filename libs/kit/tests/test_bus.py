"""The bus contract, on the in-process bus and on RabbitMQ (a vhost of its own per test)."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field

import aio_pika
import pytest
import structlog
from opentelemetry import propagate, trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import REGISTRY
from pydantic import TypeAdapter

from portico.contracts import Envelope, Event
from portico.kit.bus import Bus, PublishError, RetryPolicy, create_bus
from portico.kit.bus import base as bus_base
from portico.kit.bus import rabbitmq as rabbitmq_bus
from portico.kit.bus.memory import InMemoryBus
from portico.kit.bus.rabbitmq import EXCHANGE, UNROUTED_QUEUE, RabbitMqBus
from portico.kit.settings import PorticoSettings
from portico.kit.testing.rabbitmq import AmqpServer

RETRY = RetryPolicy(delays=(0.05, 0.1, 0.2, 0.3))
# Timers may fire a hair early against another monotonic clock; a try is never earlier.
CLOCK_SLACK = 0.005


class SomethingHappened(Event):
    event_type = "portico.test.something_happened.v1"
    subject_field = "thing_id"

    thing_id: uuid.UUID
    note: str = ""


def happened(note: str = "") -> Envelope:
    return Envelope.wrap(SomethingHappened(thing_id=uuid.uuid4(), note=note), source="tester")


@dataclass
class Recorder:
    """A handler that records each try, failing the first ``failures`` tries of each event."""

    failures: int | None = 0  # None: always fail
    gate: asyncio.Event | None = None  # when set, each try waits for it to open
    tries: dict[uuid.UUID, list[float]] = field(default_factory=dict)
    done: list[Envelope] = field(default_factory=list)
    trace_ids: list[int] = field(default_factory=list)

    async def __call__(self, envelope: Envelope) -> None:
        attempts = self.tries.setdefault(envelope.id, [])
        attempts.append(time.monotonic())
        self.trace_ids.append(trace.get_current_span().get_span_context().trace_id)
        if self.gate is not None:
            await self.gate.wait()
        if self.failures is None or len(attempts) <= self.failures:
            raise RuntimeError(f"try {len(attempts)} fails on purpose")
        self.done.append(envelope)


async def eventually(check: Callable[[], object], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def until(check: Callable[[], Awaitable[object]], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


def counted(metric: str, service: str, event_type: str) -> float:
    labels = {"service": service, "type": event_type}
    return REGISTRY.get_sample_value(f"portico_{metric}_total", labels) or 0.0


@dataclass
class Harness:
    bus: Bus
    amqp_url: str | None = None

    @property
    def on_rabbitmq(self) -> bool:
        return isinstance(self.bus, RabbitMqBus)

    async def send_foreign(
        self,
        body: bytes,
        routing_key: str,
        message_id: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Put bytes on the bus as a producer that skips Portico's checks would."""
        if self.amqp_url is None:
            await self.bus.publish([Envelope.model_validate_json(body)])
            return
        connection = await aio_pika.connect(self.amqp_url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.get_exchange(EXCHANGE, ensure=False)
            message = aio_pika.Message(body, message_id=message_id, headers=headers or {})
            await exchange.publish(message, routing_key=routing_key)

    async def parked_soon(self, service: str, count: int = 1) -> list[bus_base.ParkedMessage]:
        parked: list[bus_base.ParkedMessage] = []

        async def enough() -> bool:
            nonlocal parked
            parked = await self.bus.parked(service)
            return len(parked) >= count

        await until(enough)
        return parked


@pytest.fixture(params=["memory", "rabbitmq"])
async def harness(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    if request.param == "memory":
        subject = Harness(InMemoryBus(retry=RETRY))
    else:
        url = request.getfixturevalue("amqp_vhost_url")
        subject = Harness(RabbitMqBus(url, retry=RETRY, reconnect_interval=0.2), amqp_url=url)
    await subject.bus.connect()
    try:
        yield subject
    finally:
        await subject.bus.close()


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Spans the process finishes, recorded by an SDK provider (the library sets none up)."""
    exporter = InMemorySpanExporter()
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.shutdown()


# --- delivery ---------------------------------------------------------------------------


async def test_an_event_reaches_its_subscribed_handler_once(harness: Harness) -> None:
    recorder = Recorder()
    await harness.bus.subscribe("billing", [SomethingHappened.event_type], recorder)
    envelope = happened("hello")
    published_before = counted("events_published", "tester", SomethingHappened.event_type)

    await harness.bus.publish([envelope])

    await eventually(lambda: recorder.done)
    await asyncio.sleep(0.2)  # time enough for a duplicate to show up
    assert recorder.done == [envelope]
    assert recorder.done[0].event() == SomethingHappened(thing_id=envelope.subject, note="hello")
    assert counted("events_published", "tester", SomethingHappened.event_type) == (
        published_before + 1
    )


async def test_an_event_reaches_every_subscribed_service(harness: Harness) -> None:
    billing, archive, elsewhere = Recorder(), Recorder(), Recorder()
    await harness.bus.subscribe("billing", [SomethingHappened.event_type], billing)
    await harness.bus.subscribe("archive", [SomethingHappened.event_type], archive)
    await harness.bus.subscribe("elsewhere", ["portico.test.other_thing.v1"], elsewhere)
    envelope = happened()

    await harness.bus.publish([envelope])

    await eventually(lambda: billing.done and archive.done)
    await asyncio.sleep(0.2)
    assert [e.id for e in billing.done] == [envelope.id]
    assert [e.id for e in archive.done] == [envelope.id]
    assert elsewhere.tries == {}


async def test_a_batch_arrives_in_the_order_it_was_published(harness: Harness) -> None:
    recorder = Recorder()
    await harness.bus.subscribe("billing", [SomethingHappened.event_type], recorder)
    batch = [happened(str(index)) for index in range(40)]

    await harness.bus.publish(batch)

    await eventually(lambda: len(recorder.done) == len(batch))
    assert [e.id for e in recorder.done] == [e.id for e in batch]


async def test_publishing_on_a_bus_that_is_not_connected_raises(harness: Harness) -> None:
    await harness.bus.close()
    with pytest.raises(PublishError):
        await harness.bus.publish([happened()])


# --- retries and parking ------------------------------------------------------------------


async def test_a_failing_handler_is_retried_after_each_delay_until_it_succeeds(
    harness: Harness,
) -> None:
    recorder = Recorder(failures=2)
    await harness.bus.subscribe("billing", [SomethingHappened.event_type], recorder)
    envelope = happened()
    retried_before = counted("events_retried", "billing", SomethingHappened.event_type)

    await harness.bus.publish([envelope])

    await eventually(lambda: recorder.done)
    attempts = recorder.tries[envelope.id]
    assert len(attempts) == 3
    gaps = [later - earlier for earlier, later in itertools.pairwise(attempts)]
    assert gaps[0] >= RETRY.delays[0] - CLOCK_SLACK
    assert gaps[1] >= RETRY.delays[1] - CLOCK_SLACK
    assert recorder.done == [envelope]
    assert counted("events_retried", "billing", SomethingHappened.event_type) == (
        retried_before + 2
    )
    assert await harness.bus.parked("billing") == []


async def test_a_handler_that_keeps_failing_is_parked_then_replayed(harness: Harness) -> None:
    bus = harness.bus
    recorder = Recorder(failures=None)
    await bus.subscribe("billing", [SomethingHappened.event_type], recorder)
    envelope = happened()
    parked_before = counted("events_parked", "billing", SomethingHappened.event_type)

    await bus.publish([envelope])

    parked = await harness.parked_soon("billing")
    assert len(recorder.tries[envelope.id]) == RETRY.max_tries
    [message] = parked
    assert message.message_id == str(envelope.id)
    assert message.event_type == SomethingHappened.event_type
    assert message.service == "billing"
    assert message.tries == RETRY.max_tries
    assert message.reason == f"RuntimeError: try {RETRY.max_tries} fails on purpose"
    assert Envelope.from_json(message.body) == envelope
    assert counted("events_parked", "billing", SomethingHappened.event_type) == parked_before + 1
    await asyncio.sleep(RETRY.delays[-1] + 0.2)
    assert len(recorder.tries[envelope.id]) == RETRY.max_tries  # no try once parked
    # Listing does not consume: it is still parked, unchanged.
    assert await bus.parked("billing") == parked

    recorder.failures = 0
    assert await bus.replay("billing", [str(envelope.id)]) == 1

    await eventually(lambda: recorder.done)
    assert recorder.done == [envelope]
    assert await bus.parked("billing") == []
    assert await bus.replay("billing") == 0


async def test_replay_moves_only_the_chosen_messages_with_their_tries_reset(
    harness: Harness,
) -> None:
    bus = harness.bus
    recorder = Recorder(failures=None)
    await bus.subscribe("billing", [SomethingHappened.event_type], recorder)
    first, second = happened("first"), happened("second")
    await bus.publish([first, second])
    assert {p.message_id for p in await harness.parked_soon("billing", 2)} == {
        str(first.id),
        str(second.id),
    }

    assert await bus.replay("billing", [str(second.id)]) == 1

    # Still failing: the replayed message gets every try again before it is parked again.
    await eventually(lambda: len(recorder.tries[second.id]) == 2 * RETRY.max_tries)
    parked = await harness.parked_soon("billing", 2)
    assert sorted((p.message_id, p.tries) for p in parked) == sorted(
        [(str(first.id), RETRY.max_tries), (str(second.id), RETRY.max_tries)]
    )
    assert len(recorder.tries[first.id]) == RETRY.max_tries

    recorder.failures = 0
    assert await bus.replay("billing") == 2
    await eventually(lambda: len(recorder.done) == 2)
    assert {e.id for e in recorder.done} == {first.id, second.id}


@pytest.mark.parametrize(
    ("event_type", "data", "reason"),
    [
        ("portico.test.never_defined.v1", {}, "unknown event type"),
        (SomethingHappened.event_type, {"thing_id": "not-a-uuid"}, "invalid payload"),
    ],
    ids=["unknown-type", "invalid-payload"],
)
async def test_a_message_breaking_the_contracts_is_parked_at_once(
    harness: Harness, event_type: str, data: dict[str, object], reason: str
) -> None:
    recorder = Recorder()
    await harness.bus.subscribe("billing", [event_type], recorder)
    event_id = str(uuid.uuid4())
    body = json.dumps(
        {"id": event_id, "type": event_type, "source": "rogue", "correlation_id": "c", "data": data}
    ).encode()
    retried_before = counted("events_retried", "billing", event_type)
    parked_before = counted("events_parked", "billing", event_type)

    await harness.send_foreign(body, routing_key=event_type, message_id=event_id)

    [message] = await harness.parked_soon("billing")
    assert message.message_id == event_id
    assert message.event_type == event_type
    assert message.tries == 1
    assert reason in message.reason and event_type in message.reason
    assert json.loads(message.body)["data"] == data
    await asyncio.sleep(RETRY.delays[0] + 0.1)
    assert recorder.tries == {}
    assert counted("events_retried", "billing", event_type) == retried_before
    assert counted("events_parked", "billing", event_type) == parked_before + 1


async def test_logs_and_parking_reasons_name_the_event_but_never_show_its_data(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    capture = structlog.testing.LogCapture()
    monkeypatch.setattr(bus_base, "log", structlog.wrap_logger(None, processors=[capture]))

    async def check_the_token(envelope: Envelope) -> None:
        # Fails the way handler code checking payload data does: pydantic's own message
        # would quote the value it refused.
        TypeAdapter(uuid.UUID).validate_python(envelope.data["note"])

    await harness.bus.subscribe("billing", [SomethingHappened.event_type], check_the_token)
    envelope = happened("s3cr3t-t0k3n")

    await harness.bus.publish([envelope])

    [parked] = await harness.parked_soon("billing")
    assert parked.reason.startswith("ValidationError: ")
    failures = [e for e in capture.entries if e["event"].startswith("event handler failed")]
    assert [e["tries"] for e in failures] == list(range(1, RETRY.max_tries + 1))
    assert all(e["event_id"] == str(envelope.id) for e in failures)
    assert all(e["event_type"] == SomethingHappened.event_type for e in failures)
    assert all(e["service"] == "billing" for e in failures)
    assert "s3cr3t" not in repr(capture.entries)
    assert "s3cr3t" not in parked.reason


# --- unrouted, readiness, tracing, shutdown ----------------------------------------------


async def test_an_event_nobody_subscribes_to_is_kept_not_dropped(harness: Harness) -> None:
    envelope = happened()

    await harness.bus.publish([envelope])  # does not raise

    if isinstance(harness.bus, InMemoryBus):
        assert [Envelope.from_json(body) for body in harness.bus.unrouted] == [envelope]
        return
    assert harness.amqp_url is not None
    connection = await aio_pika.connect(harness.amqp_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(UNROUTED_QUEUE, ensure=False)
        message = await queue.get(timeout=5)
        assert message is not None
        assert Envelope.from_json(message.body) == envelope


async def test_ready_only_while_connected_and_consuming(harness: Harness) -> None:
    assert await harness.bus.ready()  # connected, nothing to consume yet
    await harness.bus.subscribe("billing", [SomethingHappened.event_type], Recorder())
    assert await harness.bus.ready()
    await harness.bus.close()
    assert not await harness.bus.ready()


async def test_the_handler_runs_in_the_publishers_trace(
    harness: Harness, spans: InMemorySpanExporter
) -> None:
    recorder = Recorder()
    await harness.bus.subscribe("billing", [SomethingHappened.event_type], recorder)
    publisher = TracerProvider().get_tracer("test publisher")
    with publisher.start_as_current_span("send invitation") as request:
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        envelope = Envelope.wrap(
            SomethingHappened(thing_id=uuid.uuid4()),
            source="tester",
            traceparent=carrier["traceparent"],
        )
    await harness.bus.publish([envelope])

    await eventually(lambda: recorder.done)
    request_context = request.get_span_context()
    assert recorder.trace_ids == [request_context.trace_id]
    [consumer] = [s for s in spans.get_finished_spans() if s.name.startswith("process ")]
    assert consumer.name == f"process {SomethingHappened.event_type}"
    assert consumer.kind == trace.SpanKind.CONSUMER
    assert consumer.parent is not None
    assert consumer.parent.span_id == request_context.span_id


async def test_close_lets_the_event_being_handled_finish(harness: Harness) -> None:
    started, release = asyncio.Event(), asyncio.Event()
    finished: list[Envelope] = []

    async def slow(envelope: Envelope) -> None:
        started.set()
        await release.wait()
        finished.append(envelope)

    await harness.bus.subscribe("billing", [SomethingHappened.event_type], slow)
    envelope = happened()
    await harness.bus.publish([envelope])
    await asyncio.wait_for(started.wait(), 5)

    closing = asyncio.create_task(harness.bus.close())
    await asyncio.sleep(0.1)
    assert not closing.done()
    release.set()
    await asyncio.wait_for(closing, 5)

    assert finished == [envelope]


async def test_a_retry_pending_at_close_waits_for_the_next_start() -> None:
    bus = InMemoryBus(retry=RetryPolicy(delays=(0.1,)))
    await bus.connect()
    recorder = Recorder(failures=1)
    await bus.subscribe("billing", [SomethingHappened.event_type], recorder)
    envelope = happened()
    await bus.publish([envelope])
    await eventually(lambda: recorder.tries)

    await bus.close()
    await asyncio.sleep(0.3)
    assert len(recorder.tries[envelope.id]) == 1  # no try while closed
    await bus.connect()

    await eventually(lambda: recorder.done)
    assert recorder.done == [envelope]
    await bus.close()


def test_the_settings_choose_the_bus() -> None:
    embedded = create_bus(PorticoSettings(bus_url=None, bus_retry_delays=(0.5, 2.0)))
    assert isinstance(embedded, InMemoryBus)
    assert embedded.retry == RetryPolicy(delays=(0.5, 2.0))

    distributed = create_bus(
        PorticoSettings(bus_url="amqp://guest:guest@broker:5672/", bus_prefetch=8)
    )
    assert isinstance(distributed, RabbitMqBus)
    assert distributed.url == "amqp://guest:guest@broker:5672/"
    assert distributed.prefetch == 8
    assert distributed.retry == RetryPolicy()


# --- RabbitMQ only ------------------------------------------------------------------------


@pytest.fixture
async def rabbitmq(amqp_vhost_url: str) -> AsyncIterator[RabbitMqBus]:
    bus = RabbitMqBus(amqp_vhost_url, retry=RETRY, reconnect_interval=0.2)
    await bus.connect()
    try:
        yield bus
    finally:
        await bus.close()


async def test_consumers_resume_and_nothing_is_lost_when_the_broker_cuts_connections(
    rabbitmq: RabbitMqBus, cut_amqp_connections: Callable[[], None]
) -> None:
    recorder = Recorder(gate=asyncio.Event())
    await rabbitmq.subscribe("billing", [SomethingHappened.event_type], recorder)
    before = [happened(f"before {index}") for index in range(30)]
    await rabbitmq.publish(before)
    # Every event published before the cut is in a handler, unacknowledged, when it comes.
    await eventually(lambda: len(recorder.tries) == len(before))

    await asyncio.to_thread(cut_amqp_connections)
    recorder.gate.set()  # type: ignore[union-attr]
    after = [happened(f"after {index}") for index in range(30)]
    deadline = time.monotonic() + 10
    while True:
        try:
            await rabbitmq.publish(after)
            break
        except PublishError:
            assert time.monotonic() < deadline, "publishing never worked again"
            await asyncio.sleep(0.1)

    expected = {e.id for e in before + after}
    await eventually(lambda: {e.id for e in recorder.done} == expected)
    # The first tries finished after the cut, so their acknowledgements could not be
    # sent: the broker kept those events and gives each of them again.
    await eventually(lambda: all(len(recorder.tries[e.id]) == 2 for e in before))
    await until(rabbitmq.ready)


async def test_the_topology_keeps_failures_apart_and_bounded(
    rabbitmq: RabbitMqBus, amqp_server: AmqpServer, amqp_vhost: str
) -> None:
    await rabbitmq.declare("billing", [SomethingHappened.event_type])

    listed = amqp_server.control(
        "list_queues", "-p", amqp_vhost, "name", "type", "arguments", "--formatter", "json"
    )
    queues = {
        queue["name"]: (queue["type"], {name: value for name, _, value in queue["arguments"]})
        for queue in json.loads(listed)
    }
    assert queues["portico.billing"] == (
        "quorum",
        {
            "x-queue-type": "quorum",
            "x-delivery-limit": 20,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": "portico.billing.parked",
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        },
    )
    retry_queues = {name: q for name, q in queues.items() if ".retry." in name}
    assert sorted(q[1]["x-message-ttl"] for q in retry_queues.values()) == [50, 100, 200, 300]
    assert all(
        q[1]["x-dead-letter-routing-key"] == "portico.billing" for q in retry_queues.values()
    )
    assert queues["portico.billing.parked"][0] == "quorum"
    # Events no service consumes are kept a day at most, the latest 10,000.
    assert queues[UNROUTED_QUEUE] == (
        "quorum",
        {"x-queue-type": "quorum", "x-max-length": 10_000, "x-message-ttl": 86_400_000},
    )


async def test_connecting_removes_the_unbounded_unrouted_queue_of_earlier_versions(
    amqp_vhost_url: str,
) -> None:
    connection = await aio_pika.connect(amqp_vhost_url)
    async with connection:
        channel = await connection.channel()
        legacy = await channel.declare_queue(
            "portico.unrouted",
            durable=True,
            arguments={"x-queue-type": "quorum", "x-max-length": 100_000},
        )
        await channel.default_exchange.publish(aio_pika.Message(b"{}"), routing_key=legacy.name)

    bus = RabbitMqBus(amqp_vhost_url, retry=RETRY, reconnect_interval=0.2)
    await bus.connect()
    try:
        await bus.publish([happened()])
    finally:
        await bus.close()

    connection = await aio_pika.connect(amqp_vhost_url)
    async with connection:
        channel = await connection.channel()
        recent = await channel.declare_queue(UNROUTED_QUEUE, passive=True)
        assert recent.declaration_result.message_count == 1
        with pytest.raises(aio_pika.exceptions.ChannelNotFoundEntity):
            await channel.declare_queue("portico.unrouted", passive=True)


async def test_messages_carry_the_envelope_in_their_properties(
    rabbitmq: RabbitMqBus, amqp_vhost_url: str
) -> None:
    envelope = Envelope.wrap(
        SomethingHappened(thing_id=uuid.uuid4()),
        source="tester",
        correlation_id="corr-1",
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    )
    await rabbitmq.publish([envelope])

    connection = await aio_pika.connect(amqp_vhost_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(UNROUTED_QUEUE, ensure=False)
        message = await queue.get(timeout=5)
    assert message is not None
    assert message.message_id == str(envelope.id)
    assert message.type == envelope.type
    assert message.app_id == "tester"
    assert message.timestamp is not None
    assert abs(message.timestamp.timestamp() - envelope.time.timestamp()) < 1
    assert message.content_type == "application/json"
    assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    assert message.headers["traceparent"] == envelope.traceparent
    assert message.correlation_id == "corr-1"
    assert message.body == envelope.to_json()


async def test_a_body_that_is_not_an_envelope_is_parked_under_its_message_id(
    rabbitmq: RabbitMqBus, amqp_vhost_url: str
) -> None:
    recorder = Recorder()
    await rabbitmq.subscribe("billing", [SomethingHappened.event_type], recorder)
    harness = Harness(rabbitmq, amqp_url=amqp_vhost_url)

    await harness.send_foreign(b"\x00 not json", SomethingHappened.event_type, "foreign-1")

    [message] = await harness.parked_soon("billing")
    assert message.message_id == "foreign-1"
    assert message.tries == 1
    assert message.reason.startswith("not JSON")
    assert message.body == b"\x00 not json"
    assert recorder.tries == {}


async def test_a_message_that_kills_its_consumer_is_parked_by_the_broker(
    rabbitmq: RabbitMqBus, amqp_vhost_url: str
) -> None:
    await rabbitmq.declare("billing", [SomethingHappened.event_type])
    envelope = happened()
    await rabbitmq.publish([envelope])
    # A consumer that dies before it answers gives the message back every time.
    connection = await aio_pika.connect(amqp_vhost_url)
    deliveries, deadline = 0, time.monotonic() + 10
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue("portico.billing", ensure=False)
        while True:
            assert time.monotonic() < deadline, "the broker never parked it"
            message = await queue.get(no_ack=False, fail=False)
            if message is not None:
                deliveries += 1
                await message.nack(requeue=True)
                continue
            parking = await channel.declare_queue("portico.billing.parked", passive=True)
            if parking.declaration_result.message_count:
                break
            await asyncio.sleep(0.01)
    assert deliveries == 21  # the first delivery and 20 more: x-delivery-limit

    harness = Harness(rabbitmq, amqp_url=amqp_vhost_url)
    [parked] = await harness.parked_soon("billing")
    assert parked.message_id == str(envelope.id)
    assert parked.reason == "dead-lettered by the broker: delivery_limit"

    recorder = Recorder()
    await rabbitmq.subscribe("billing", [SomethingHappened.event_type], recorder)
    assert await rabbitmq.replay("billing") == 1
    await eventually(lambda: recorder.done)
    assert recorder.done == [envelope]


async def test_the_trace_context_travels_in_the_message_headers(
    rabbitmq: RabbitMqBus, amqp_vhost_url: str
) -> None:
    recorder = Recorder()
    await rabbitmq.subscribe("billing", [SomethingHappened.event_type], recorder)
    envelope = happened()  # carries no traceparent of its own
    traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

    await Harness(rabbitmq, amqp_url=amqp_vhost_url).send_foreign(
        envelope.to_json(),
        envelope.type,
        str(envelope.id),
        headers={"traceparent": traceparent},
    )

    await eventually(lambda: recorder.done)
    assert recorder.trace_ids == [0x0AF7651916CD43DD8448EB211C80319C]


async def test_a_broker_that_takes_the_connection_but_never_answers_fails_it_in_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A broker that accepts the TCP connection but never starts the AMQP handshake (a node
    too busy to answer) fails the connection after the connect timeout, as a
    ConnectionError, rather than holding its caller for ever."""
    connected = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connected.set()
        await reader.read()  # until the client gives up
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    monkeypatch.setattr(rabbitmq_bus, "CONNECT_TIMEOUT_SECONDS", 0.5)
    bus = RabbitMqBus(f"amqp://guest:secret@127.0.0.1:{port}/portico")
    started = time.monotonic()
    try:
        with pytest.raises(ConnectionError, match="did not answer in time") as failure:
            await bus.connect()
    finally:
        server.close()
    assert connected.is_set()
    assert time.monotonic() - started < 10
    assert "secret" not in str(failure.value)


async def test_a_broker_that_does_not_open_a_channel_in_time_fails_the_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """aiormq ends a channel the broker does not open in time with CancelledError; the bus
    turns it into a ConnectionError, which the host's start and the tests' fixtures handle
    like any failure, rather than a cancellation that escapes them."""

    class SilentConnection:
        async def channel(self, **_: object) -> None:
            raise asyncio.CancelledError

    async def connect_robust(*_: object, **__: object) -> SilentConnection:
        return SilentConnection()

    monkeypatch.setattr(aio_pika, "connect_robust", connect_robust)
    bus = RabbitMqBus("amqp://guest:secret@broker.example:5672/portico")
    with pytest.raises(ConnectionError, match=r"broker\.example") as failure:
        await bus.connect()
    assert "secret" not in str(failure.value)

    # A task cancelled from outside still ends cancelled.
    async def slow_connect_robust(*_: object, **__: object) -> SilentConnection:
        await asyncio.sleep(10)
        return SilentConnection()

    monkeypatch.setattr(aio_pika, "connect_robust", slow_connect_robust)
    task = asyncio.create_task(bus.connect())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

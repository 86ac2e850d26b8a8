"""The bus contract, on the in-process bus and on RabbitMQ (a vhost per test)."""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import aio_pika
import pytest

from portico.contracts import Envelope, Event
from portico.kit.bus import Bus, RetryPolicy
from portico.kit.bus.memory import InMemoryBus
from portico.kit.bus.rabbitmq import UNROUTED, RabbitMqBus

RETRY = RetryPolicy(delays=(0.1, 0.2, 0.3, 0.4))


class ParcelShipped(Event):
    event_type = "portico.bustest.parcel_shipped.v1"
    subject_field = "parcel_id"

    parcel_id: uuid.UUID
    weight_grams: int


def shipped(weight: int = 500) -> Envelope:
    return Envelope.wrap(ParcelShipped(parcel_id=uuid.uuid4(), weight_grams=weight), source="test")


@dataclass
class Recorder:
    """A handler that records each try, failing the first ``failures`` of each message."""

    failures: int | None = 0  # None: always fail
    tries: dict[str, list[float]] = field(default_factory=dict)
    done: list[Envelope] = field(default_factory=list)

    async def __call__(self, envelope: Envelope) -> None:
        attempts = self.tries.setdefault(str(envelope.id), [])
        attempts.append(time.monotonic())
        if self.failures is None or len(attempts) <= self.failures:
            raise RuntimeError(f"try {len(attempts)} fails on purpose")
        self.done.append(envelope)


async def eventually(check: Callable[[], object], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


@dataclass
class BusUnderTest:
    bus: Bus
    kind: str
    amqp_url: str | None = None
    vhost: str | None = None


@pytest.fixture(params=["memory", "rabbitmq"])
async def under_test(request: pytest.FixtureRequest) -> AsyncIterator[BusUnderTest]:
    if request.param == "memory":
        subject = BusUnderTest(InMemoryBus(retry=RETRY), "memory")
    else:
        url = request.getfixturevalue("amqp_vhost_url")
        vhost = request.getfixturevalue("amqp_vhost")
        bus = RabbitMqBus(url, retry=RETRY, reconnect_interval=0.2)
        subject = BusUnderTest(bus, "rabbitmq", amqp_url=url, vhost=vhost)
    await subject.bus.connect()
    try:
        yield subject
    finally:
        await subject.bus.close()


async def test_an_event_reaches_every_subscribed_service_once(under_test: BusUnderTest) -> None:
    bus = under_test.bus
    billing, archive = Recorder(), Recorder()
    await bus.subscribe("billing", [ParcelShipped.event_type], billing)
    await bus.subscribe("archive", [ParcelShipped.event_type], archive)
    envelope = shipped()
    await bus.publish([envelope])
    await eventually(lambda: billing.done and archive.done)
    await asyncio.sleep(0.3)
    assert [e.id for e in billing.done] == [envelope.id]
    assert [e.id for e in archive.done] == [envelope.id]
    assert billing.done[0].event() == envelope.event()
    assert await bus.ready()


async def test_a_failing_handler_is_retried_after_each_delay(under_test: BusUnderTest) -> None:
    recorder = Recorder(failures=2)
    await under_test.bus.subscribe("billing", [ParcelShipped.event_type], recorder)
    envelope = shipped()
    await under_test.bus.publish([envelope])
    await eventually(lambda: recorder.done)
    attempts = recorder.tries[str(envelope.id)]
    assert len(attempts) == 3
    gaps = [later - earlier for earlier, later in itertools.pairwise(attempts)]
    assert gaps[0] >= RETRY.delays[0] * 0.9
    assert gaps[1] >= RETRY.delays[1] * 0.9
    assert await under_test.bus.parked("billing") == []


async def test_a_handler_that_keeps_failing_is_parked_then_replayed(
    under_test: BusUnderTest,
) -> None:
    bus = under_test.bus
    recorder = Recorder(failures=None)
    await bus.subscribe("billing", [ParcelShipped.event_type], recorder)
    envelope = shipped()
    await bus.publish([envelope])
    await eventually(lambda: len(recorder.tries.get(str(envelope.id), [])) == RETRY.max_tries)
    parked = await _wait_parked(bus, "billing")
    assert [p.message_id for p in parked] == [str(envelope.id)]
    assert parked[0].event_type == ParcelShipped.event_type
    assert parked[0].tries == RETRY.max_tries
    assert "fails on purpose" in parked[0].reason
    await asyncio.sleep(0.5)
    assert len(recorder.tries[str(envelope.id)]) == RETRY.max_tries  # no more tries once parked

    # Listing does not consume: the message is still parked.
    assert [p.message_id for p in await bus.parked("billing")] == [str(envelope.id)]
    recorder.failures = 0
    assert await bus.replay("billing", [str(envelope.id)]) == 1
    await eventually(lambda: recorder.done)
    assert [e.id for e in recorder.done] == [envelope.id]
    assert await bus.parked("billing") == []


async def _wait_parked(bus: Bus, service: str) -> list:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        parked = await bus.parked(service)
        if parked:
            return parked
        await asyncio.sleep(0.05)
    raise AssertionError("nothing was parked")


@pytest.mark.parametrize(
    "envelope",
    [
        Envelope(
            type="portico.bustest.never_defined.v1", source="test", correlation_id="c", data={}
        ),
        Envelope(
            type=ParcelShipped.event_type,
            source="test",
            correlation_id="c",
            data={"parcel_id": "not-a-uuid", "weight_grams": "heavy"},
        ),
    ],
    ids=["unknown-type", "invalid-payload"],
)
async def test_a_message_breaking_the_contracts_is_parked_at_once(
    under_test: BusUnderTest, envelope: Envelope
) -> None:
    recorder = Recorder()
    await under_test.bus.subscribe("billing", [envelope.type], recorder)
    await under_test.bus.publish([envelope])
    parked = await _wait_parked(under_test.bus, "billing")
    assert parked[0].tries == 1
    assert envelope.type in parked[0].reason
    assert recorder.tries == {}


async def test_an_event_nobody_subscribes_to_is_kept_not_lost(under_test: BusUnderTest) -> None:
    envelope = shipped()
    await under_test.bus.publish([envelope])
    if isinstance(under_test.bus, InMemoryBus):
        assert [Envelope.from_json(body).id for body in under_test.bus.unrouted] == [envelope.id]
        return
    assert under_test.amqp_url is not None
    connection = await aio_pika.connect(under_test.amqp_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(UNROUTED, ensure=False)
        message = await queue.get(timeout=5)
        assert message is not None
        assert message.message_id == str(envelope.id)


async def test_consumers_resume_and_nothing_is_lost_when_the_broker_drops_connections(
    amqp_vhost_url: str, amqp_vhost: str
) -> None:
    bus = RabbitMqBus(amqp_vhost_url, retry=RETRY, reconnect_interval=0.2)
    await bus.connect()
    try:
        recorder = Recorder()
        await bus.subscribe("billing", [ParcelShipped.event_type], recorder)
        before = [shipped(weight) for weight in range(20)]
        await bus.publish(before)
        await eventually(lambda: len(recorder.done) == 20)

        subprocess.run(
            ["rabbitmqctl", "-q", "close_all_connections", "-p", amqp_vhost, "test cut"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        after = [shipped(weight) for weight in range(20)]
        deadline = time.monotonic() + 15
        while True:
            try:
                await bus.publish(after)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)
        await eventually(lambda: {str(e.id) for e in before + after} <= set(recorder.tries))
        assert {e.id for e in recorder.done} >= {e.id for e in before + after}
        ready_deadline = time.monotonic() + 10
        while not await bus.ready():
            assert time.monotonic() < ready_deadline, "consumers did not come back"
            await asyncio.sleep(0.1)
    finally:
        await bus.close()

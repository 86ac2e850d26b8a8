"""The `bus` benchmark: the outbox → relay → RabbitMQ → inbox path on PostgreSQL.

Figures, each beside a raw aio-pika baseline from the same run (publish with confirms,
consume with ack, no database):
- end-to-end throughput for 20,000 events (emitted 20 per transaction by 8 producers);
- p50 / p99 latency from the emitting commit to the handler's commit at 500 events/s, over
  thirty seconds that follow one second of warm-up at the same rate.

The throughput and the p99 carry the stalls of the disk (every task waiting for it) seen
while they were measured: the pipeline waits on disk flushes, so a stall of the machine's
disk shows in its figures (``bench/pressure.py``).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aio_pika
from sqlalchemy import Column, String, Table, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.orm import registry

from bench.figures import Figure
from bench.pressure import DiskStalls
from portico.contracts import Envelope, Event
from portico.kit.bus.rabbitmq import RabbitMqBus, parking_queue, retry_queue, work_queue
from portico.kit.db import Database, messaging_metadata, new_metadata
from portico.kit.host import freeze_startup_heap
from portico.kit.inbox import MAX_BATCH, Consumer, EventContext
from portico.kit.outbox import Relay

EVENTS = 20_000
PER_TRANSACTION = 20
PRODUCERS = 8
STEADY_RATE = 500
# Thirty seconds (15,000 events) rather than ten: the tail of a shorter window hinged on
# whether one stall of the virtual disk (40-200 ms, every few minutes) fell inside it.
STEADY_SECONDS = 30
# Traffic at the steady rate before the measured seconds, on both sides: what a deployed
# relay and worker have long done (pools connected, statements prepared) and a fresh
# process has not.
WARM_UP_SECONDS = 1

DATABASE_URL = os.environ.get(
    "PORTICO_BENCH_DATABASE_URL",
    os.environ.get(
        "PORTICO_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    ),
)
AMQP_URL = os.environ.get(
    "PORTICO_BENCH_AMQP_URL",
    os.environ.get("PORTICO_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"),
)


# A type of its own per run (the spawned relay and worker inherit it): queues that an
# interrupted run left bound to an earlier run's type get nothing from this one, instead
# of doubling the broker's work.
RUN = os.environ.setdefault("PORTICO_BENCH_RUN", uuid.uuid4().hex[:8])


class BenchEventRecorded(Event):
    event_type = f"portico.bench{RUN}.event_recorded.v1"
    subject_field = "item_id"

    item_id: uuid.UUID
    label: str


metadata = new_metadata()
received = Table("bench_received", metadata, Column("id", String(36), primary_key=True))


class Received:
    """A row of ``bench_received``, as an object the session writes at flush."""

    def __init__(self, id: str) -> None:
        self.id = id


registry().map_imperatively(Received, received)


async def run() -> list[Figure]:
    """Raw figures first, then Portico's: each beside the raw one of this very run."""
    raw_rate = await raw_throughput(EVENTS)
    raw_latencies = await raw_latency(STEADY_RATE, STEADY_SECONDS)
    throughput_stalls, latency_stalls = DiskStalls(), DiskStalls()
    e2e_rate = await with_portico(lambda rig: rig.throughput(EVENTS, throughput_stalls))
    e2e_latencies = await with_portico(
        lambda rig: rig.latency(STEADY_RATE, STEADY_SECONDS, latency_stalls)
    )
    raw_label = "raw aio-pika publish+confirm, consume+ack"
    return [
        Figure(
            "bus.e2e_events_per_second",
            e2e_rate,
            "events/s",
            raw_label,
            raw_rate,
            minimum=2000,
            minimum_ratio=0.40,
            note=throughput_stalls.note(),
        ),
        Figure(
            "bus.e2e_latency_p50",
            percentile(e2e_latencies, 50),
            "ms",
            raw_label,
            percentile(raw_latencies, 50),
        ),
        Figure(
            "bus.e2e_latency_p99",
            percentile(e2e_latencies, 99),
            "ms",
            raw_label,
            percentile(raw_latencies, 99),
            maximum=50,
            note=latency_stalls.note(),
        ),
    ]


def percentile(values: list[float], q: int) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1] if q < 100 else max(values)
    )


def sample_body() -> bytes:
    event = BenchEventRecorded(item_id=uuid.uuid4(), label="x" * 64)
    return Envelope.wrap(event, source="bench").to_json()


async def raw_throughput(count: int) -> float:
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.declare_queue(exclusive=True)
        consumer_channel = await connection.channel()
        await consumer_channel.set_qos(prefetch_count=256)
        consumer_queue = await consumer_channel.get_queue(queue.name, ensure=False)
        done = asyncio.Event()
        acked = 0

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal acked
            await message.ack()
            acked += 1
            if acked == count:
                done.set()

        await consumer_queue.consume(on_message)
        body = sample_body()
        started = time.perf_counter()
        for offset in range(0, count, 500):
            await asyncio.gather(
                *(
                    channel.default_exchange.publish(aio_pika.Message(body), routing_key=queue.name)
                    for _ in range(min(500, count - offset))
                )
            )
        await done.wait()
        return count / (time.perf_counter() - started)


async def raw_latency(rate: int, seconds: int) -> list[float]:
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.declare_queue(exclusive=True)
        consumer_channel = await connection.channel()
        consumer_queue = await consumer_channel.get_queue(queue.name, ensure=False)
        latencies: dict[str, float] = {}
        sent: dict[str, float] = {}

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            await message.ack()
            message_id = message.message_id or ""
            latencies[message_id] = (time.perf_counter() - sent[message_id]) * 1000

        await consumer_queue.consume(on_message)

        async def publish_one() -> None:
            message_id = uuid.uuid4().hex
            sent[message_id] = time.perf_counter()
            await channel.default_exchange.publish(
                aio_pika.Message(sample_body(), message_id=message_id), routing_key=queue.name
            )

        await at_steady_rate(rate, WARM_UP_SECONDS, publish_one)
        warm = set(sent)
        await at_steady_rate(rate, seconds, publish_one)
        await wait_until(lambda: len(latencies) >= len(sent))
        return [latency for key, latency in latencies.items() if key not in warm]


async def at_steady_rate(rate: int, seconds: int, action: Callable[[], Awaitable[None]]) -> None:
    loop = asyncio.get_running_loop()
    interval = 1 / rate
    start = loop.time()
    tasks = []
    for index in range(rate * seconds):
        delay = start + index * interval - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(action()))
    await asyncio.gather(*tasks)


async def wait_until(check: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.perf_counter() + timeout
    while not check():
        if time.perf_counter() > deadline:
            raise RuntimeError("benchmark did not finish in time")
        await asyncio.sleep(0.005)


class Worker:
    """The consuming service, in a process of its own as deployed (``portico.<service> worker``).

    It reports, for each event, the wall-clock time its handler's transaction committed.
    """

    def __init__(self, database_url: str, service: str) -> None:
        self.database = Database(database_url, service=service)
        self.bus = RabbitMqBus(AMQP_URL)
        self.consumer = Consumer(self.database, {BenchEventRecorded: [self.record]})
        self.handled: dict[str, float] = {}

    async def record(self, event: BenchEventRecorded, context: EventContext) -> None:
        # Written as the services' handlers write: a row added to the session, flushed with
        # the batch's other writes when the transaction commits.
        context.tx.add(Received(id=str(event.item_id)))

    async def handle(self, envelopes: Sequence[Envelope]) -> list[BaseException | None]:
        failures = await self.consumer.handle_batch(envelopes)
        done = time.time()
        for envelope, failure in zip(envelopes, failures, strict=True):
            if failure is None:
                self.handled[envelope.data["item_id"]] = done
        return failures

    async def run(self, ready: Any, results: Any, expected: int) -> None:
        await self.bus.connect()
        await self.bus.subscribe_batches(
            self.database.service, self.consumer.event_types, self.handle, max_batch=MAX_BATCH
        )
        freeze_startup_heap()  # as the host does once a process has started
        ready.set()
        while len(self.handled) < expected:
            await asyncio.sleep(0.01)
        results.put(self.handled)
        await self.bus.close()
        await self.database.dispose()


def run_worker(database_url: str, service: str, ready: Any, results: Any, expected: int) -> None:
    asyncio.run(Worker(database_url, service).run(ready, results, expected))


def run_relay(database_url: str, service: str, stop: Any) -> None:
    """The relay in a process of its own, as deployed (``portico.<service> relay``)."""

    async def relay_until_stopped() -> None:
        database = Database(database_url, service=service)
        bus = RabbitMqBus(AMQP_URL)
        await bus.connect()
        relay = Relay(database, bus, batch_size=500)
        task = asyncio.create_task(relay.run())
        freeze_startup_heap()
        await asyncio.to_thread(stop.wait)
        relay.stop()
        await task
        await bus.close()
        await database.dispose()

    asyncio.run(relay_until_stopped())


class Rig:
    """The emitting service's API in this process; its relay and the worker in others."""

    def __init__(self, database: Database, bus: RabbitMqBus) -> None:
        self.database = database
        self.bus = bus
        self.committed: dict[str, float] = {}
        self.worker: Any = None
        self.results: Any = None

    def start_worker(self, expected: int) -> None:
        spawn = multiprocessing.get_context("spawn")
        ready, self.results = spawn.Event(), spawn.Queue()
        self.worker = spawn.Process(
            target=run_worker,
            args=(self.database.url, self.database.service, ready, self.results, expected),
        )
        self.worker.start()
        if not ready.wait(60):
            raise RuntimeError("the worker did not start")

    def handled(self) -> dict[str, float]:
        handled: dict[str, float] = self.results.get(timeout=300)
        self.worker.join(30)
        return handled

    async def throughput(self, count: int, disk_stalls: DiskStalls) -> float:
        self.start_worker(count)
        per_producer = count // PRODUCERS

        async def produce() -> None:
            for _ in range(per_producer // PER_TRANSACTION):
                async with self.database.transaction() as tx:
                    for _ in range(PER_TRANSACTION):
                        tx.emit(BenchEventRecorded(item_id=uuid.uuid4(), label="x" * 64))

        with disk_stalls:
            started = time.time()
            await asyncio.gather(*(produce() for _ in range(PRODUCERS)))
            handled = await asyncio.to_thread(self.handled)
        return count / (max(handled.values()) - started)

    async def latency(self, rate: int, seconds: int, disk_stalls: DiskStalls) -> list[float]:
        self.start_worker(rate * (WARM_UP_SECONDS + seconds))

        async def produce_one() -> None:
            item_id = uuid.uuid4()
            async with self.database.transaction() as tx:
                tx.emit(BenchEventRecorded(item_id=item_id, label="x" * 64))
            self.committed[str(item_id)] = time.time()

        await at_steady_rate(rate, WARM_UP_SECONDS, produce_one)
        warm = set(self.committed)
        with disk_stalls:
            await at_steady_rate(rate, seconds, produce_one)
            handled = await asyncio.to_thread(self.handled)
        return [
            (handled[key] - committed) * 1000
            for key, committed in self.committed.items()
            if key not in warm
        ]


async def with_portico(measure: Callable[[Rig], Awaitable[Any]]) -> Any:
    server = make_url(DATABASE_URL)
    name = f"portico_bench_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    service = f"bench{uuid.uuid4().hex[:6]}"
    url = server.set(database=name).render_as_string(hide_password=False)
    database = Database(url, service=service)
    bus = RabbitMqBus(AMQP_URL)
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
            await connection.run_sync(messaging_metadata.create_all)
        await bus.connect()
        # The worker's queue exists before anything is emitted, as `migrate` ensures.
        await bus.declare(service, [BenchEventRecorded.event_type])
        async with admin.connect() as connection:
            # What the previous figure wrote (and its dropped database) is flushed now,
            # not by a checkpoint in the middle of this one.
            await connection.execute(text("CHECKPOINT"))
        rig = Rig(database, bus)
        freeze_startup_heap()
        spawn = multiprocessing.get_context("spawn")
        stop = spawn.Event()
        relay = spawn.Process(target=run_relay, args=(url, service, stop))
        relay.start()
        try:
            return await measure(rig)
        finally:
            stop.set()
            await asyncio.to_thread(relay.join, 30)
            await _delete_queues(bus, service)
    finally:
        await bus.close()
        await database.dispose()
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def _delete_queues(bus: RabbitMqBus, service: str) -> None:
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        for delay in bus.retry.delays:
            await channel.queue_delete(retry_queue(service, delay))
        await channel.queue_delete(work_queue(service))
        await channel.queue_delete(parking_queue(service))

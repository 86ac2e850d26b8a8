"""The in-process bus of the embedded mode: same delivery rules as RabbitMQ, no broker.

Each service has a queue and one worker; a failed delivery comes back after the retry
policy's delay, then is parked. Events nobody subscribes to are kept in ``unrouted``.
Nothing survives the process: the outbox rows of the services do.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import orjson
import structlog

from portico.contracts import Envelope
from portico.kit.bus.base import (
    BatchHandler,
    Handler,
    ParkedMessage,
    RetryPolicy,
    deliver_batch,
    one_at_a_time,
)
from portico.kit.db import utcnow
from portico.kit.metrics import EVENTS_PUBLISHED

log = structlog.get_logger(__name__)


@dataclass
class _Delivery:
    body: bytes
    tries: int = 0


@dataclass
class _ServiceQueue:
    event_types: set[str] = field(default_factory=set)
    queue: asyncio.Queue[_Delivery] = field(default_factory=asyncio.Queue)
    handler: BatchHandler | None = None
    max_batch: int = 1
    worker: asyncio.Task[None] | None = None
    parked: list[ParkedMessage] = field(default_factory=list)


class InMemoryBus:
    def __init__(self, retry: RetryPolicy | None = None) -> None:
        self.retry = retry or RetryPolicy()
        self.unrouted: list[bytes] = []
        self._services: dict[str, _ServiceQueue] = {}
        self._timers: set[asyncio.TimerHandle] = set()
        self._connected = False

    async def connect(self) -> None:
        self._connected = True

    async def close(self) -> None:
        self._connected = False
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        workers = [s.worker for s in self._services.values() if s.worker is not None]
        for worker in workers:
            worker.cancel()
        for worker in workers:
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        for service_queue in self._services.values():
            service_queue.worker = None

    async def declare(self, service: str, event_types: Collection[str]) -> None:
        self._services.setdefault(service, _ServiceQueue()).event_types.update(event_types)

    async def publish(self, envelopes: Sequence[Envelope]) -> None:
        for envelope in envelopes:
            body = envelope.to_json()
            targets = [s for s in self._services.values() if envelope.type in s.event_types]
            if not targets:
                self.unrouted.append(body)
            for target in targets:
                target.queue.put_nowait(_Delivery(body))
            EVENTS_PUBLISHED.labels(service=envelope.source, type=envelope.type).inc()

    async def subscribe(self, service: str, event_types: Collection[str], handler: Handler) -> None:
        await self.subscribe_batches(service, event_types, one_at_a_time(handler), max_batch=1)

    async def subscribe_batches(
        self, service: str, event_types: Collection[str], handler: BatchHandler, *, max_batch: int
    ) -> None:
        await self.declare(service, event_types)
        service_queue = self._services[service]
        service_queue.handler = handler
        service_queue.max_batch = max_batch
        if service_queue.worker is None:
            service_queue.worker = asyncio.create_task(
                self._work(service, service_queue), name=f"portico-bus-{service}"
            )

    async def parked(self, service: str) -> list[ParkedMessage]:
        service_queue = self._services.get(service)
        return list(service_queue.parked) if service_queue else []

    async def replay(self, service: str, message_ids: Collection[str] | None = None) -> int:
        service_queue = self._services.get(service)
        if service_queue is None:
            return 0
        chosen = [
            message
            for message in service_queue.parked
            if message_ids is None or message.message_id in message_ids
        ]
        for message in chosen:
            service_queue.parked.remove(message)
            service_queue.queue.put_nowait(_Delivery(message.body))
        return len(chosen)

    async def ready(self) -> bool:
        return self._connected and all(
            s.worker is not None and not s.worker.done()
            for s in self._services.values()
            if s.handler is not None
        )

    async def _work(self, service: str, service_queue: _ServiceQueue) -> None:
        while True:
            batch = [await service_queue.queue.get()]
            while len(batch) < service_queue.max_batch and not service_queue.queue.empty():
                batch.append(service_queue.queue.get_nowait())
            assert service_queue.handler is not None
            outcomes = await deliver_batch(
                [(delivery.body, delivery.tries) for delivery in batch],
                handler=service_queue.handler,
                service=service,
                retry=self.retry,
            )
            for delivery, outcome in zip(batch, outcomes, strict=True):
                if outcome.retry_in is not None:
                    retried = _Delivery(delivery.body, delivery.tries + 1)
                    self._later(outcome.retry_in, service_queue, retried)
                elif outcome.park_reason is not None:
                    service_queue.parked.append(
                        ParkedMessage(
                            message_id=outcome.message_id or _message_id(delivery.body),
                            event_type=outcome.event_type,
                            service=service,
                            reason=outcome.park_reason,
                            tries=delivery.tries + 1,
                            parked_at=utcnow(),
                            body=delivery.body,
                        )
                    )

    def _later(self, delay: float, service_queue: _ServiceQueue, delivery: _Delivery) -> None:
        loop = asyncio.get_running_loop()

        def requeue() -> None:
            self._timers.discard(timer)
            service_queue.queue.put_nowait(delivery)

        timer = loop.call_later(delay, requeue)
        self._timers.add(timer)


def _message_id(body: bytes) -> str:
    """The id of a message that failed the contracts, when its JSON still says one."""
    with contextlib.suppress(orjson.JSONDecodeError, AttributeError, TypeError):
        value = orjson.loads(body).get("id")
        if isinstance(value, str):
            return value
    return f"unreadable-{abs(hash(body)):x}"

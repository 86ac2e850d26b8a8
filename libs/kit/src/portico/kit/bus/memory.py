"""The in-process bus of the embedded mode: same delivery rules as RabbitMQ, no broker.

Each service has a queue and one worker; a failed delivery comes back after the retry
policy's delay (an event-loop timer), then is parked. Events nobody subscribes to are
kept in ``unrouted``. Nothing survives the process: the services' outbox rows do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import structlog

from portico.contracts import Envelope
from portico.kit.bus.base import (
    CLOSE_GRACE_SECONDS,
    BatchHandler,
    Delivery,
    Handler,
    Outcome,
    ParkedMessage,
    PublishError,
    RetryPolicy,
    Subscriber,
    deliver,
    in_batches,
    one_at_a_time,
)
from portico.kit.db import utcnow
from portico.kit.metrics import EVENTS_PUBLISHED

log = structlog.get_logger(__name__)


@dataclass
class _ServiceQueue:
    name: str
    event_types: set[str] = field(default_factory=set)
    queue: asyncio.Queue[Delivery] = field(default_factory=asyncio.Queue)
    subscriber: Subscriber | None = None
    max_batch: int = 1
    worker: asyncio.Task[None] | None = None
    # The deliveries being handled: not acknowledged until the handler returns.
    in_hand: list[Delivery] | None = None
    parked: list[ParkedMessage] = field(default_factory=list)


class InMemoryBus:
    def __init__(self, retry: RetryPolicy = RetryPolicy()) -> None:
        self.retry = retry
        # Events no service was subscribed to when they were published, as published.
        self.unrouted: list[bytes] = []
        self._services: dict[str, _ServiceQueue] = {}
        self._timers: dict[asyncio.TimerHandle, tuple[_ServiceQueue, Delivery]] = {}
        self._connected = False

    async def connect(self) -> None:
        self._connected = True
        for service_queue in self._services.values():
            self._start_worker(service_queue)

    async def close(self, grace: float = CLOSE_GRACE_SECONDS) -> None:
        """Stop the workers; what is waiting or being retried stays queued."""
        self._connected = False
        for timer, (service_queue, delivery) in self._timers.items():
            timer.cancel()
            service_queue.queue.put_nowait(delivery)
        self._timers.clear()
        workers = {sq.name: sq.worker for sq in self._services.values() if sq.worker is not None}
        for name, worker in workers.items():
            if self._services[name].in_hand is None:
                worker.cancel()  # idle: waiting for the next message
        if workers:
            # A worker in the middle of a handler stops once it returns, or is cancelled
            # after the grace period and puts its deliveries back.
            _, late = await asyncio.wait(workers.values(), timeout=grace)
            for worker in late:
                worker.cancel()
            await asyncio.gather(*workers.values(), return_exceptions=True)
        for service_queue in self._services.values():
            service_queue.worker = None

    async def declare(self, service: str, event_types: Collection[str]) -> None:
        self._service(service).event_types.update(event_types)

    async def publish(self, envelopes: Sequence[Envelope]) -> None:
        """Enqueue every envelope for each service subscribed to its type (the 'confirm')."""
        if not self._connected:
            raise PublishError("the bus is not connected")
        for envelope in envelopes:
            body = envelope.to_json()
            targets = [s for s in self._services.values() if envelope.type in s.event_types]
            if not targets:
                self.unrouted.append(body)
            for target in targets:
                target.queue.put_nowait(Delivery(body))
            EVENTS_PUBLISHED.labels(service=envelope.source, type=envelope.type).inc()

    async def subscribe(self, service: str, event_types: Collection[str], handler: Handler) -> None:
        await self._subscribe(service, event_types, one_at_a_time(handler), max_batch=1)

    async def subscribe_batches(
        self, service: str, event_types: Collection[str], handler: BatchHandler, *, max_batch: int
    ) -> None:
        await self._subscribe(service, event_types, in_batches(handler), max_batch=max_batch)

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
            service_queue.queue.put_nowait(Delivery(message.body))
        log.info("parked events replayed", service=service, count=len(chosen))
        return len(chosen)

    async def ready(self) -> bool:
        return self._connected and all(
            s.worker is not None and not s.worker.done()
            for s in self._services.values()
            if s.subscriber is not None
        )

    async def _subscribe(
        self, service: str, event_types: Collection[str], subscriber: Subscriber, max_batch: int
    ) -> None:
        await self.declare(service, event_types)
        service_queue = self._services[service]
        service_queue.subscriber = subscriber
        service_queue.max_batch = max_batch
        if self._connected:
            self._start_worker(service_queue)

    def _service(self, service: str) -> _ServiceQueue:
        return self._services.setdefault(service, _ServiceQueue(service))

    def _start_worker(self, service_queue: _ServiceQueue) -> None:
        if service_queue.subscriber is not None and service_queue.worker is None:
            service_queue.worker = asyncio.create_task(
                self._work(service_queue), name=f"portico-bus-{service_queue.name}"
            )

    async def _work(self, service_queue: _ServiceQueue) -> None:
        while self._connected:
            batch = [await service_queue.queue.get()]
            while len(batch) < service_queue.max_batch and not service_queue.queue.empty():
                batch.append(service_queue.queue.get_nowait())
            assert service_queue.subscriber is not None
            service_queue.in_hand = batch
            try:
                outcomes = await deliver(
                    batch,
                    subscriber=service_queue.subscriber,
                    service=service_queue.name,
                    retry=self.retry,
                )
            except asyncio.CancelledError:
                for delivery in batch:  # never acknowledged: delivered again after a restart
                    service_queue.queue.put_nowait(delivery)
                raise
            finally:
                service_queue.in_hand = None
            for delivery, outcome in zip(batch, outcomes, strict=True):
                self._settle(service_queue, delivery, outcome)

    def _settle(self, service_queue: _ServiceQueue, delivery: Delivery, outcome: Outcome) -> None:
        if outcome.retry_in is not None:
            self._later(outcome.retry_in, service_queue, Delivery(delivery.body, outcome.tries))
        elif outcome.park_reason is not None:
            service_queue.parked.append(
                ParkedMessage(
                    message_id=outcome.message_id,
                    event_type=outcome.event_type,
                    service=service_queue.name,
                    reason=outcome.park_reason,
                    tries=outcome.tries,
                    parked_at=utcnow(),
                    body=delivery.body,
                )
            )

    def _later(self, delay: float, service_queue: _ServiceQueue, delivery: Delivery) -> None:
        def requeue() -> None:
            del self._timers[timer]
            service_queue.queue.put_nowait(delivery)

        timer = asyncio.get_running_loop().call_later(delay, requeue)
        self._timers[timer] = (service_queue, delivery)

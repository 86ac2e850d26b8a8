"""The RabbitMQ bus (aio-pika), with the topology of the design (§4, §10).

- ``portico.events``: durable topic exchange, routing key = event type. Its alternate
  exchange ``portico.unrouted`` keeps what no service is bound to yet, so nothing that a
  relay marked published is silently dropped.
- ``portico.<service>``: one quorum queue per service, bound to the types it handles, with
  a delivery limit and a dead-letter route to its parking queue (a safety net against a
  message that kills the consumer before it can be acknowledged).
- ``portico.<service>.retry.<ms>ms``: one queue per retry delay whose TTL dead-letters
  back to the work queue (per-message TTL in one shared queue would block behind its head).
- ``portico.<service>.parked``: messages that failed their last try or broke the contracts.

Tries are counted in our own header. A failed delivery is first republished (confirmed)
to its retry or parking queue and only then acknowledged: a crash in between duplicates
it, which the consumer's inbox absorbs, and never loses it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import aio_pika
import structlog
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustConnection,
)
from aio_pika.exceptions import QueueEmpty

from portico.contracts import Envelope
from portico.kit.bus.base import (
    PARKED_AT_HEADER,
    REASON_HEADER,
    TRIES_HEADER,
    BatchHandler,
    Handler,
    ParkedMessage,
    PublishError,
    RetryPolicy,
    deliver_batch,
    one_at_a_time,
)
from portico.kit.metrics import EVENTS_PUBLISHED

log = structlog.get_logger(__name__)

EXCHANGE = "portico.events"
UNROUTED = "portico.unrouted"
# A message that crashed its consumer this many times is parked by the broker itself.
DELIVERY_LIMIT = 20

T = TypeVar("T")


def work_queue(service: str) -> str:
    return f"portico.{service}"


def parking_queue(service: str) -> str:
    return f"portico.{service}.parked"


def retry_queue(service: str, delay: float) -> str:
    return f"portico.{service}.retry.{round(delay * 1000)}ms"


def _quorum(**arguments: Any) -> dict[str, Any]:
    return {"x-queue-type": "quorum", **arguments}


class _Batcher:
    """Groups the deliveries that wait while a batch is handled into the next batch.

    aio-pika runs each delivery in its own task: the first one of a quiet queue is handled
    alone at once, and under load the deliveries that arrive meanwhile (up to the
    prefetch) are taken together, so one transaction serves many events.
    """

    def __init__(
        self,
        channel: AbstractChannel,
        service: str,
        handler: BatchHandler,
        max_batch: int,
        retry: RetryPolicy,
    ) -> None:
        self.channel = channel
        self.service = service
        self.handler = handler
        self.max_batch = max_batch
        self.retry = retry
        self.pending: list[AbstractIncomingMessage] = []
        self.lock = asyncio.Lock()

    async def receive(self, message: AbstractIncomingMessage) -> None:
        if self.max_batch == 1:
            await self.process([message])
            return
        self.pending.append(message)
        async with self.lock:
            batch, self.pending = self.pending[: self.max_batch], self.pending[self.max_batch :]
            if batch:
                await self.process(batch)

    async def process(self, batch: list[AbstractIncomingMessage]) -> None:
        outcomes = await deliver_batch(
            [(message.body, _tries(message)) for message in batch],
            handler=self.handler,
            service=self.service,
            retry=self.retry,
        )
        for message, outcome in zip(batch, outcomes, strict=True):
            tries = _tries(message) + 1
            if outcome.retry_in is not None:
                await _forward(
                    self.channel, message, retry_queue(self.service, outcome.retry_in), tries
                )
            elif outcome.park_reason is not None:
                await _forward(
                    self.channel,
                    message,
                    parking_queue(self.service),
                    tries,
                    {REASON_HEADER: outcome.park_reason, PARKED_AT_HEADER: _now_iso()},
                )
            await message.ack()


@dataclass
class _Subscription:
    service: str
    channel: AbstractChannel
    queue: AbstractQueue
    batcher: _Batcher


class RabbitMqBus:
    def __init__(
        self,
        url: str,
        *,
        retry: RetryPolicy | None = None,
        prefetch: int = 64,
        reconnect_interval: float = 1.0,
    ) -> None:
        self.url = url
        self.retry = retry or RetryPolicy()
        self.prefetch = prefetch
        self.reconnect_interval = reconnect_interval
        self._connection: AbstractRobustConnection | None = None
        self._publisher: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None
        # Strong references: connect_robust only keeps weak ones to what it restores.
        self._subscriptions: list[_Subscription] = []
        self._declared: set[tuple[str, frozenset[str]]] = set()

    async def connect(self) -> None:
        self._connection = await aio_pika.connect_robust(
            self.url, reconnect_interval=self.reconnect_interval
        )
        self._publisher = await self._connection.channel(
            publisher_confirms=True, on_return_raises=True
        )
        unrouted_exchange = await self._publisher.declare_exchange(
            UNROUTED, aio_pika.ExchangeType.FANOUT, durable=True
        )
        unrouted_queue = await self._publisher.declare_queue(
            UNROUTED, durable=True, arguments=_quorum(**{"x-max-length": 100_000})
        )
        await unrouted_queue.bind(unrouted_exchange)
        self._exchange = await self._publisher.declare_exchange(
            EXCHANGE,
            aio_pika.ExchangeType.TOPIC,
            durable=True,
            arguments={"alternate-exchange": UNROUTED},
        )

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
        self._connection = None
        self._subscriptions.clear()

    async def declare(self, service: str, event_types: Collection[str]) -> None:
        channel = _require(self._publisher)
        await channel.declare_queue(parking_queue(service), durable=True, arguments=_quorum())
        queue = await _declare_work_queue(channel, service)
        for delay in self.retry.delays:
            await channel.declare_queue(
                retry_queue(service, delay),
                durable=True,
                arguments=_quorum(
                    **{
                        "x-message-ttl": round(delay * 1000),
                        "x-dead-letter-exchange": "",
                        "x-dead-letter-routing-key": work_queue(service),
                        "x-dead-letter-strategy": "at-least-once",
                        "x-overflow": "reject-publish",
                    }
                ),
            )
        for event_type in sorted(event_types):
            await queue.bind(EXCHANGE, routing_key=event_type)

    async def publish(self, envelopes: Sequence[Envelope]) -> None:
        exchange = _require(self._exchange)
        # Sent in order; the confirms are awaited together.
        results = await asyncio.gather(
            *(
                exchange.publish(_message(envelope), routing_key=envelope.type, mandatory=True)
                for envelope in envelopes
            ),
            return_exceptions=True,
        )
        failures = [result for result in results if isinstance(result, BaseException)]
        if failures:
            raise PublishError(
                f"{len(failures)} of {len(envelopes)} not confirmed: {failures[0]!r}"
            )
        for envelope in envelopes:
            EVENTS_PUBLISHED.labels(service=envelope.source, type=envelope.type).inc()

    async def subscribe(self, service: str, event_types: Collection[str], handler: Handler) -> None:
        await self.subscribe_batches(service, event_types, one_at_a_time(handler), max_batch=1)

    async def subscribe_batches(
        self, service: str, event_types: Collection[str], handler: BatchHandler, *, max_batch: int
    ) -> None:
        await self.declare(service, event_types)
        connection = _require(self._connection)
        channel = await connection.channel(publisher_confirms=True)
        await channel.set_qos(prefetch_count=self.prefetch)
        # Declared through this robust channel so that a reconnect restores it and its consumer.
        queue = await _declare_work_queue(channel, service)
        batcher = _Batcher(channel, service, handler, max_batch, self.retry)
        await queue.consume(batcher.receive)
        self._subscriptions.append(_Subscription(service, channel, queue, batcher))

    async def parked(self, service: str) -> list[ParkedMessage]:
        async with self._scratch_channel() as channel:
            messages = await _drain(channel, parking_queue(service))
            parked = [_parked(service, message) for message in messages]
            for message in messages:
                await message.nack(requeue=True)
        return parked

    async def replay(self, service: str, message_ids: Collection[str] | None = None) -> int:
        replayed = 0
        async with self._scratch_channel() as channel:
            for message in await _drain(channel, parking_queue(service)):
                if message_ids is not None and message.message_id not in message_ids:
                    await message.nack(requeue=True)
                    continue
                await _forward(channel, message, work_queue(service), 0)
                await message.ack()
                replayed += 1
        return replayed

    async def ready(self) -> bool:
        connection = self._connection
        if connection is None or connection.is_closed:
            return False
        if any(subscription.channel.is_closed for subscription in self._subscriptions):
            return False
        # Ask the broker: after a reconnect every work queue must have its consumer back.
        async with self._scratch_channel() as channel:
            for subscription in self._subscriptions:
                declared = await channel.declare_queue(
                    work_queue(subscription.service), passive=True
                )
                if not declared.declaration_result.consumer_count:
                    return False
        return True

    @contextlib.asynccontextmanager
    async def _scratch_channel(self) -> Any:
        connection = _require(self._connection)
        channel = await connection.channel(publisher_confirms=True)
        try:
            yield channel
        finally:
            with contextlib.suppress(Exception):
                await channel.close()


def _require(value: T | None) -> T:
    if value is None:
        raise PublishError("the bus is not connected")
    return value


async def _declare_work_queue(channel: AbstractChannel, service: str) -> AbstractQueue:
    return await channel.declare_queue(
        work_queue(service),
        durable=True,
        arguments=_quorum(
            **{
                "x-delivery-limit": DELIVERY_LIMIT,
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": parking_queue(service),
                "x-dead-letter-strategy": "at-least-once",
                "x-overflow": "reject-publish",
            }
        ),
    )


def _message(envelope: Envelope) -> aio_pika.Message:
    headers: dict[str, Any] = {TRIES_HEADER: 0, "correlation_id": envelope.correlation_id}
    if envelope.traceparent:
        headers["traceparent"] = envelope.traceparent
    return aio_pika.Message(
        envelope.to_json(),
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=str(envelope.id),
        type=envelope.type,
        app_id=envelope.source,
        timestamp=envelope.time,
        correlation_id=envelope.correlation_id,
        headers=headers,
    )


async def _forward(
    channel: AbstractChannel,
    message: AbstractIncomingMessage,
    queue: str,
    tries: int,
    extra_headers: dict[str, Any] | None = None,
) -> None:
    """Republish a received message to a queue (confirmed), with its tries counted."""
    headers = {
        key: value
        for key, value in (message.headers or {}).items()
        if key
        not in ("x-death", "x-first-death-exchange", "x-first-death-queue", "x-first-death-reason")
    }
    headers[TRIES_HEADER] = tries
    headers.update(extra_headers or {})
    await channel.default_exchange.publish(
        aio_pika.Message(
            message.body,
            content_type=message.content_type,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=message.message_id,
            type=message.type,
            app_id=message.app_id,
            timestamp=message.timestamp,
            correlation_id=message.correlation_id,
            headers=headers,
        ),
        routing_key=queue,
    )


async def _drain(channel: AbstractChannel, queue_name: str) -> list[AbstractIncomingMessage]:
    """Every message of a queue, unacknowledged (so a crash puts them all back)."""
    queue = await channel.get_queue(queue_name, ensure=False)
    messages: list[AbstractIncomingMessage] = []
    while True:
        try:
            message = await queue.get(no_ack=False, fail=True)
        except QueueEmpty:
            return messages
        if message is None:
            return messages
        messages.append(message)


def _parked(service: str, message: AbstractIncomingMessage) -> ParkedMessage:
    headers = message.headers or {}
    reason = headers.get(REASON_HEADER)
    if reason is None:
        # Dead-lettered by the broker itself (delivery limit): it tells why in x-death.
        why = _text(headers.get("x-first-death-reason")) or "unknown"
        reason = f"dead-lettered by the broker: {why}"
    parked_at = _text(headers.get(PARKED_AT_HEADER))
    return ParkedMessage(
        message_id=message.message_id or "",
        event_type=message.type,
        service=service,
        reason=_text(reason) or "",
        tries=_tries(message),
        parked_at=datetime.fromisoformat(parked_at) if parked_at else datetime.now(UTC),
        body=message.body,
    )


def _tries(message: AbstractIncomingMessage) -> int:
    value = (message.headers or {}).get(TRIES_HEADER)
    return value if isinstance(value, int) else 0


def _text(value: object) -> str | None:
    if isinstance(value, bytes | bytearray):
        return value.decode("utf-8", "replace")
    return None if value is None else str(value)


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()

"""The RabbitMQ bus (aio-pika): the topology docs/architecture.md ("Events") describes.

- ``portico.events``: durable topic exchange, routing key = event type. Its alternate
  exchange ``portico.unrouted`` (fanout) feeds the queue ``portico.unrouted.recent``: an
  event no service consumes is confirmed to the relay rather than returned (publishes are
  mandatory), and kept a day at most, the latest 10,000, for an operator to look at.
- ``portico.<service>``: one quorum queue per service, bound to the types it handles, with
  a delivery limit and a dead-letter route to its parking queue: a safety net against a
  message that kills the consumer before it can answer.
- ``portico.<service>.retry.<delay>ms``: one queue per retry delay, whose TTL dead-letters
  back to the work queue (per-message TTL in one shared queue would block behind its
  head). Named by its delay, so changing the policy declares new queues instead of
  clashing with the arguments of the old ones (which drain into the work queue).
- ``portico.<service>.parked``: messages that failed their last try or broke the contracts.

Tries are counted in our own header. A failed delivery is first republished (confirmed)
to its retry or parking queue and only then acknowledged: a crash in between duplicates
it, which the consumer's inbox absorbs, and never loses it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import aio_pika
import aiormq
import structlog
from aio_pika.abc import (
    AbstractChannel,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustConnection,
    ConsumerTag,
)

from portico.contracts import Envelope
from portico.kit.bus.base import (
    CLOSE_GRACE_SECONDS,
    PARKED_AT_HEADER,
    REASON_HEADER,
    TRIES_HEADER,
    BatchHandler,
    Delivery,
    Handler,
    ParkedMessage,
    PublishError,
    RetryPolicy,
    Subscriber,
    claimed_identity,
    deliver,
    fallback_id,
    in_batches,
    one_at_a_time,
)
from portico.kit.metrics import EVENTS_PUBLISHED

log = structlog.get_logger(__name__)
T = TypeVar("T")

EXCHANGE = "portico.events"
UNROUTED = "portico.unrouted"
UNROUTED_QUEUE = "portico.unrouted.recent"
# Until 0.1 the unrouted events went to a queue of the exchange's name that kept 100,000
# of them with no age limit (24,000 after 8,000 invitations): removed at connection.
LEGACY_UNROUTED_QUEUE = "portico.unrouted"
# A message that crashed its consumer this many times is parked by the broker itself.
DELIVERY_LIMIT = 20
# Events no service consumes (NotificationDelivered, or a service's events before its
# consumers are deployed) are nobody's work: the queue is a window for an operator to see
# what was published, not a store. Bounded in count (the oldest go first) and in age.
UNROUTED_MAX = 10_000
UNROUTED_TTL_MS = 24 * 60 * 60 * 1000
CONFIRM_TIMEOUT_SECONDS = 30.0
# A broker that takes the TCP connection but does not answer the AMQP handshake (seen on a
# node busy deleting queues) fails the connection after this long instead of holding its
# caller forever: with no timeout aiormq would wait, and reconnect, without end.
CONNECT_TIMEOUT_SECONDS = 30.0
READY_TIMEOUT_SECONDS = 2.0
# How long closing the connection may take after the grace.
CLOSE_UNWIND_SECONDS = 2.0
TRACE_HEADERS = ("traceparent", "tracestate")
# Set by the broker when it dead-letters a message; meaningless once we republish it.
BROKER_HEADERS = frozenset(
    {
        "x-death",
        "x-delivery-count",
        *(
            f"x-{at}-death-{what}"
            for at in ("first", "last")
            for what in ("exchange", "queue", "reason")
        ),
    }
)


def work_queue(service: str) -> str:
    return f"portico.{service}"


def parking_queue(service: str) -> str:
    return f"portico.{service}.parked"


def retry_queue(service: str, delay: float) -> str:
    return f"portico.{service}.retry.{round(delay * 1000)}ms"


@dataclass
class _Subscription:
    """One service's consumer in this process, held strongly (the robust connection only
    keeps weak references to what it restores after a reconnect)."""

    service: str
    subscriber: Subscriber
    max_batch: int
    retry: RetryPolicy
    channel: AbstractChannel | None = None
    queue: AbstractQueue | None = None
    consumer_tag: ConsumerTag | None = None
    pending: list[AbstractIncomingMessage] = field(default_factory=list)
    draining: asyncio.Task[None] | None = None
    in_flight: set[asyncio.Task[Any]] = field(default_factory=set)

    async def receive(self, message: AbstractIncomingMessage) -> None:
        """aio-pika runs each delivery in its own task, up to the prefetch at once.

        In batch mode a delivery only joins the queue of this subscription's one draining
        task, which takes what has arrived while it handled the last batch as the next
        one: one transaction serves many events under load, batches run one after the
        other, and each is acknowledged with one frame.
        """
        if self.max_batch == 1:
            await self._tracked(self._process([message]))
            return
        self.pending.append(message)
        if self.draining is None or self.draining.done():
            self.draining = asyncio.create_task(self._tracked(self._drain()))

    async def _tracked(self, work: Awaitable[None]) -> None:
        """Runs ``work`` as one of the tasks that ``close`` lets finish."""
        task = asyncio.current_task()
        if task is not None:
            self.in_flight.add(task)
        try:
            await work
        finally:
            if task is not None:
                self.in_flight.discard(task)

    async def _drain(self) -> None:
        while self.pending:
            batch, self.pending = self.pending[: self.max_batch], self.pending[self.max_batch :]
            await self._process(batch)

    async def _process(self, batch: list[AbstractIncomingMessage]) -> None:
        try:
            outcomes = await deliver(
                [Delivery(m.body, _tries(m), m.message_id, _trace_carrier(m)) for m in batch],
                subscriber=self.subscriber,
                service=self.service,
                retry=self.retry,
            )
        except Exception:
            log.exception("event delivery broke; left to the broker", service=self.service)
            for message in batch:
                with contextlib.suppress(Exception):
                    await message.nack(requeue=True)
            return
        channel = _require(self.channel)
        settled: list[AbstractIncomingMessage] = []
        for message, outcome in zip(batch, outcomes, strict=True):
            try:
                if outcome.retry_in is not None:
                    target = retry_queue(self.service, outcome.retry_in)
                    await _send_copy(channel, message, target, tries=outcome.tries)
                elif outcome.park_reason is not None:
                    parked = {REASON_HEADER: outcome.park_reason, PARKED_AT_HEADER: _now_iso()}
                    await _send_copy(
                        channel,
                        message,
                        parking_queue(self.service),
                        tries=outcome.tries,
                        message_id=outcome.message_id,
                        extra_headers=parked,
                    )
            except Exception as exc:
                # Not settled: the broker delivers it again (and parks it after the
                # delivery limit), so it is never lost.
                log.warning(
                    "event could not be settled; left to the broker",
                    service=self.service,
                    event_type=outcome.event_type,
                    event_id=outcome.message_id,
                    reason=repr(exc),
                )
                with contextlib.suppress(Exception):
                    await message.nack(requeue=True)
            else:
                settled.append(message)
        # Batches run one after the other and each holds the oldest deliveries not yet
        # settled: a ``multiple`` ack of its last message settles exactly the batch. One
        # at a time, deliveries run concurrently and each is acknowledged alone.
        if self.max_batch > 1:
            settled = _last_of_each_channel(settled)
        for message in settled:
            try:
                await message.ack(multiple=self.max_batch > 1)
            except Exception as exc:
                log.info("acknowledgement lost; the broker delivers again", reason=repr(exc))


def _last_of_each_channel(
    messages: Sequence[AbstractIncomingMessage],
) -> list[AbstractIncomingMessage]:
    """The last message of each channel (a reconnect mid-batch opens a new one). A message
    of a channel that closed needs nothing: the broker has already put it back."""
    last: dict[int, AbstractIncomingMessage] = {}
    for message in messages:
        with contextlib.suppress(aiormq.exceptions.ChannelInvalidStateError):
            last[id(message.channel)] = message
    return list(last.values())


class RabbitMqBus:
    def __init__(
        self,
        url: str,
        *,
        retry: RetryPolicy = RetryPolicy(),
        prefetch: int = 64,
        reconnect_interval: float = 1.0,
    ) -> None:
        self.url = url
        self.retry = retry
        self.prefetch = prefetch
        self.reconnect_interval = reconnect_interval
        self._connection: AbstractRobustConnection | None = None
        self._publisher: AbstractChannel | None = None
        self._subscriptions: list[_Subscription] = []
        self._sending = asyncio.Lock()

    async def connect(self) -> None:
        host = urlsplit(self.url).hostname  # never the credentials
        try:
            await self._connect()
        except asyncio.CancelledError:
            # aiormq ends an operation the broker does not answer in time (a channel that
            # does not open under load) with CancelledError. Unless this task itself is
            # being cancelled, that is a failed connection, and must fail as one: a bare
            # CancelledError escapes ``except Exception`` and the callers' cleanup.
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise
            await self._abandon()
            raise ConnectionError(f"the broker at {host} did not answer in time") from None
        except TimeoutError:
            await self._abandon()
            raise ConnectionError(f"the broker at {host} did not answer in time") from None
        except Exception:
            await self._abandon()
            raise

    async def _abandon(self) -> None:
        """Close a connection left half set up, so that its reconnection loop does not
        outlive the failure (and hold the event loop open at shutdown)."""
        connection, self._connection, self._publisher = self._connection, None, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), timeout=CLOSE_UNWIND_SECONDS)

    async def _connect(self) -> None:
        self._connection = await aio_pika.connect_robust(
            self.url, reconnect_interval=self.reconnect_interval, timeout=CONNECT_TIMEOUT_SECONDS
        )
        self._publisher = await self._connection.channel(
            publisher_confirms=True, on_return_raises=True
        )
        unrouted_exchange = await self._publisher.declare_exchange(
            UNROUTED, aio_pika.ExchangeType.FANOUT, durable=True
        )
        await self._publisher.queue_delete(LEGACY_UNROUTED_QUEUE)
        unrouted_queue = await self._publisher.declare_queue(
            UNROUTED_QUEUE,
            durable=True,
            arguments=_quorum({"x-max-length": UNROUTED_MAX, "x-message-ttl": UNROUTED_TTL_MS}),
        )
        await unrouted_queue.bind(unrouted_exchange)
        await self._publisher.declare_exchange(
            EXCHANGE,
            aio_pika.ExchangeType.TOPIC,
            durable=True,
            arguments={"alternate-exchange": UNROUTED},
        )

    async def close(self, grace: float = CLOSE_GRACE_SECONDS) -> None:
        """Stop consuming, let the events being handled finish, then disconnect.

        What is still unacknowledged after the grace period goes back to the queue (the
        broker requeues a closed or lost connection's deliveries). Each step toward the
        broker is bounded: a broker that does not answer costs the grace, not a hang.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        for subscription in self._subscriptions:
            if subscription.queue is not None and subscription.consumer_tag is not None:
                left = max(0.1, min(READY_TIMEOUT_SECONDS, deadline - loop.time()))
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(
                        subscription.queue.cancel(subscription.consumer_tag), timeout=left
                    )
        in_flight = {task for s in self._subscriptions for task in s.in_flight}
        if in_flight:
            _, late = await asyncio.wait(in_flight, timeout=max(0.0, deadline - loop.time()))
            unacked = sum(len(s.pending) for s in self._subscriptions)
            if late:
                for task in late:
                    task.cancel()
                log.warning(
                    "bus closed with events still being handled; the broker delivers them again",
                    tasks=len(late),
                    waiting=unacked,
                )
        connection, self._connection, self._publisher = self._connection, None, None
        self._subscriptions.clear()
        if connection is not None:
            try:
                await asyncio.wait_for(connection.close(), timeout=CLOSE_UNWIND_SECONDS)
            except Exception as exc:
                # The broker does not answer: the socket goes with the process, and the
                # broker requeues what this connection held once it notices.
                log.warning("bus connection not closed cleanly", reason=repr(exc))

    async def declare(self, service: str, event_types: Collection[str]) -> None:
        channel = _require(self._publisher)
        await channel.declare_queue(parking_queue(service), durable=True, arguments=_quorum())
        queue = await _declare_work_queue(channel, service)
        for delay in self.retry.delays:
            await channel.declare_queue(
                retry_queue(service, delay),
                durable=True,
                arguments=_quorum(
                    {
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
        publisher = _require(self._publisher)
        try:
            async with asyncio.timeout(CONFIRM_TIMEOUT_SECONDS):
                # Publishes reach the socket in the order of the calls (the relay overlaps
                # its batches) and, within one, of the envelopes: each is queued in order
                # on the channel without waiting for the socket to drain (``wait=False``);
                # the confirms are what is awaited, all together.
                async with self._sending:
                    channel = await _open_channel(publisher)
                    confirms = [
                        asyncio.ensure_future(
                            channel.basic_publish(
                                e.to_json(),
                                exchange=EXCHANGE,
                                routing_key=e.type,
                                properties=_properties(e),
                                mandatory=True,
                                wait=False,
                            )
                        )
                        for e in envelopes
                    ]
                results = await asyncio.gather(*confirms, return_exceptions=True)
        except TimeoutError:
            raise PublishError(
                f"{len(envelopes)} events not confirmed in {CONFIRM_TIMEOUT_SECONDS:g}s"
            ) from None
        failures = [failure for failure in map(_refusal, results) if failure is not None]
        if failures:
            log.warning(
                "events not confirmed by the broker",
                failed=len(failures),
                total=len(envelopes),
                reason=repr(failures[0]),
            )
            raise PublishError(
                f"{len(failures)} of {len(envelopes)} events not confirmed: {failures[0]!r}"
            )
        for envelope in envelopes:
            EVENTS_PUBLISHED.labels(service=envelope.source, type=envelope.type).inc()

    async def subscribe(self, service: str, event_types: Collection[str], handler: Handler) -> None:
        await self._subscribe(
            _Subscription(service, one_at_a_time(handler), max_batch=1, retry=self.retry),
            event_types,
        )

    async def subscribe_batches(
        self, service: str, event_types: Collection[str], handler: BatchHandler, *, max_batch: int
    ) -> None:
        await self._subscribe(
            _Subscription(service, in_batches(handler), max_batch=max_batch, retry=self.retry),
            event_types,
        )

    async def parked(self, service: str) -> list[ParkedMessage]:
        """Read the parking queue without losing it.

        Every message is taken unacknowledged, republished (confirmed, same order) to the
        parking queue, and only then acknowledged: a failure half-way leaves duplicates,
        never a gap. Requeueing instead would grow the broker's delivery count of each
        parked message at every listing.
        """
        async with self._scratch_channel() as channel:
            messages = await _take_all(channel, parking_queue(service))
            parked = [_parked(service, message) for message in messages]
            for message, entry in zip(messages, parked, strict=True):
                await _park_again(channel, message, entry)
            for message in messages:
                await message.ack()
        return parked

    async def replay(self, service: str, message_ids: Collection[str] | None = None) -> int:
        """Move parked messages back to the work queue with their tries reset."""
        chosen_ids = None if message_ids is None else set(message_ids)
        replayed = 0
        async with self._scratch_channel() as channel:
            messages = await _take_all(channel, parking_queue(service))
            for message in messages:
                entry = _parked(service, message)
                if chosen_ids is None or entry.message_id in chosen_ids:
                    await _send_copy(
                        channel, message, work_queue(service), tries=0, message_id=entry.message_id
                    )
                    replayed += 1
                else:
                    await _park_again(channel, message, entry)
            for message in messages:
                await message.ack()
        log.info("parked events replayed", service=service, count=replayed)
        return replayed

    async def ready(self) -> bool:
        connection, publisher = self._connection, self._publisher
        if connection is None or connection.is_closed or publisher is None or publisher.is_closed:
            return False
        try:
            async with asyncio.timeout(READY_TIMEOUT_SECONDS):
                for subscription in self._subscriptions:
                    if not await _consuming(subscription):
                        return False
        except Exception:
            return False
        return True

    async def _subscribe(self, subscription: _Subscription, event_types: Collection[str]) -> None:
        await self.declare(subscription.service, event_types)
        connection = _require(self._connection)
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        # A batch consumer gets room for the batch it handles and the next one arriving.
        await channel.set_qos(prefetch_count=max(self.prefetch, 2 * subscription.max_batch))
        # Declared and consumed through this robust channel, so that a reconnect restores
        # the queue and its consumer (same consumer tag).
        queue = await _declare_work_queue(channel, subscription.service)
        subscription.channel, subscription.queue = channel, queue
        subscription.consumer_tag = await queue.consume(subscription.receive)
        self._subscriptions.append(subscription)

    @contextlib.asynccontextmanager
    async def _scratch_channel(self) -> AsyncIterator[AbstractChannel]:
        connection = _require(self._connection)
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        try:
            yield channel
        finally:
            with contextlib.suppress(Exception):
                await channel.close()


def _require(value: T | None) -> T:
    if value is None:
        raise PublishError("the bus is not connected")
    return value


async def _consuming(subscription: _Subscription) -> bool:
    """Whether the broker confirmed this subscription's consumer on the live channel."""
    channel = subscription.channel
    if channel is None or channel.is_closed or subscription.consumer_tag is None:
        return False
    underlay = await channel.get_underlay_channel()
    return (
        isinstance(underlay, aiormq.Channel)
        and not underlay.is_closed
        and subscription.consumer_tag in underlay.consumers
    )


def _quorum(arguments: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"x-queue-type": "quorum", **(arguments or {})}


async def _declare_work_queue(channel: AbstractChannel, service: str) -> AbstractQueue:
    return await channel.declare_queue(
        work_queue(service),
        durable=True,
        arguments=_quorum(
            {
                "x-delivery-limit": DELIVERY_LIMIT,
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": parking_queue(service),
                "x-dead-letter-strategy": "at-least-once",
                "x-overflow": "reject-publish",
            }
        ),
    )


async def _open_channel(publisher: AbstractChannel) -> aiormq.Channel:
    """The publisher's live AMQP channel (after a reconnect, once restored)."""
    try:
        channel = await publisher.get_underlay_channel()
    except (aiormq.exceptions.AMQPError, aiormq.exceptions.ChannelInvalidStateError) as exc:
        raise PublishError(f"no channel to publish on: {exc!r}") from exc
    if not isinstance(channel, aiormq.Channel):
        raise PublishError(f"unexpected AMQP channel {channel!r}")
    return channel


def _properties(envelope: Envelope) -> aiormq.spec.Basic.Properties:
    """The envelope's attributes mirrored as AMQP properties (message_id, type, app_id,
    timestamp) so that broker tools show them; the trace context travels in the headers.
    No tries header: absent means none yet."""
    return aiormq.spec.Basic.Properties(
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT.value,
        message_id=str(envelope.id),
        message_type=envelope.type,
        app_id=envelope.source,
        timestamp=envelope.time,
        correlation_id=envelope.correlation_id,
        headers={"traceparent": envelope.traceparent} if envelope.traceparent else None,
    )


def _refusal(result: object) -> BaseException | None:
    """Why the broker did not take a publish, from its confirm: an exception, a nack."""
    if isinstance(result, BaseException):
        return result
    if isinstance(result, aiormq.spec.Basic.Ack):
        return None
    return PublishError(f"the broker answered {result!r}")


async def _send_copy(
    channel: AbstractChannel,
    message: AbstractIncomingMessage,
    queue: str,
    *,
    tries: int,
    message_id: str | None = None,
    extra_headers: Mapping[str, Any] | None = None,
) -> None:
    """Republish a received message straight to a queue (confirmed), tries counted.

    Our parking headers go only where ``extra_headers`` puts them back.
    """
    dropped = {*BROKER_HEADERS, REASON_HEADER, PARKED_AT_HEADER}
    headers = {k: v for k, v in (message.headers or {}).items() if k not in dropped}
    headers[TRIES_HEADER] = tries
    headers.update(extra_headers or {})
    await channel.default_exchange.publish(
        aio_pika.Message(
            message.body,
            content_type=message.content_type,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=message_id or message.message_id or fallback_id(message.body),
            type=message.type,
            app_id=message.app_id,
            timestamp=message.timestamp,
            correlation_id=message.correlation_id,
            headers=headers,
        ),
        routing_key=queue,
        mandatory=True,
        timeout=CONFIRM_TIMEOUT_SECONDS,
    )


async def _take_all(channel: AbstractChannel, queue_name: str) -> list[AbstractIncomingMessage]:
    """Every message of a queue, unacknowledged (so a crash puts them all back)."""
    queue = await channel.get_queue(queue_name, ensure=False)
    messages: list[AbstractIncomingMessage] = []
    while (message := await queue.get(no_ack=False, fail=False)) is not None:
        messages.append(message)
    return messages


def _parked(service: str, message: AbstractIncomingMessage) -> ParkedMessage:
    headers = message.headers or {}
    claimed_id, claimed_type = claimed_identity(message.body)
    reason = _text(headers.get(REASON_HEADER))
    parked_at = _text(headers.get(PARKED_AT_HEADER))
    death = _last_death(headers)
    if reason is None:
        # Dead-lettered by the broker itself (the delivery limit): x-death tells why.
        why = _text(death.get("reason")) or "unknown"
        reason = f"dead-lettered by the broker: {why}"
    if parked_at is None and isinstance(death.get("time"), datetime):
        parked_at = death["time"].isoformat()
    return ParkedMessage(
        message_id=claimed_id or message.message_id or fallback_id(message.body),
        event_type=claimed_type or message.type,
        service=service,
        reason=reason,
        tries=_tries(message),
        parked_at=_as_utc(parked_at),
        body=message.body,
    )


async def _park_again(
    channel: AbstractChannel, message: AbstractIncomingMessage, entry: ParkedMessage
) -> None:
    """Put a parked message back in its parking queue, unchanged."""
    await _send_copy(
        channel,
        message,
        parking_queue(entry.service),
        tries=entry.tries,
        message_id=entry.message_id,
        extra_headers=_parked_headers(entry),
    )


def _parked_headers(entry: ParkedMessage) -> dict[str, Any]:
    return {REASON_HEADER: entry.reason, PARKED_AT_HEADER: entry.parked_at.isoformat()}


def _last_death(headers: Mapping[str, Any]) -> Mapping[str, Any]:
    deaths = headers.get("x-death")
    # The broker keeps the most recent dead-lettering first.
    if isinstance(deaths, list) and deaths and isinstance(deaths[0], Mapping):
        return deaths[0]
    return {}


def _tries(message: AbstractIncomingMessage) -> int:
    value = (message.headers or {}).get(TRIES_HEADER)
    return value if isinstance(value, int) and value >= 0 else 0


def _trace_carrier(message: AbstractIncomingMessage) -> dict[str, str]:
    headers = message.headers or {}
    carrier = {key: _text(headers.get(key)) for key in TRACE_HEADERS}
    return {key: value for key, value in carrier.items() if value}


def _text(value: object) -> str | None:
    if isinstance(value, bytes | bytearray):
        return value.decode("utf-8", "replace")
    return None if value is None else str(value)


def _as_utc(moment: str | None) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    with contextlib.suppress(ValueError):
        parsed = datetime.fromisoformat(moment)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return datetime.now(UTC)


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()

"""The bus interface both adapters implement, and the delivery rules they share.

A delivery is parsed with the contracts; one that breaks them is parked at once (no
retry can fix it). A handler that raises is retried after the policy's delay, and parked
after its last try. The adapters only move bytes and keep the count of tries.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import orjson
import structlog
from opentelemetry import propagate, trace
from pydantic import ValidationError

from portico.contracts import ContractError, Envelope
from portico.kit.metrics import EVENTS_PARKED, EVENTS_RETRIED

log = structlog.get_logger(__name__)

Handler = Callable[[Envelope], Awaitable[None]]
# Handles several envelopes at once (one transaction for the lot); returns, for each, the
# exception that made it fail or None.
BatchHandler = Callable[[Sequence[Envelope]], Awaitable[Sequence[BaseException | None]]]

TRIES_HEADER = "x-portico-tries"
REASON_HEADER = "x-portico-reason"
PARKED_AT_HEADER = "x-portico-parked-at"
# How long ``close`` lets the events being handled finish before it stops them.
CLOSE_GRACE_SECONDS = 10.0


@dataclass(frozen=True)
class RetryPolicy:
    """Seconds to wait before try 2, 3, ...; after the last try a message is parked."""

    delays: tuple[float, ...] = (1.0, 10.0, 60.0, 600.0)

    @property
    def max_tries(self) -> int:
        return len(self.delays) + 1

    def delay_after(self, tries: int) -> float | None:
        """The wait before the next try after ``tries`` failed ones, None to park."""
        return self.delays[tries - 1] if tries <= len(self.delays) else None


@dataclass(frozen=True)
class ParkedMessage:
    message_id: str
    event_type: str | None
    service: str
    reason: str
    tries: int
    parked_at: datetime
    body: bytes


class PublishError(Exception):
    """The broker refused a message or did not confirm it."""


class Bus(Protocol):
    async def connect(self) -> None: ...

    async def close(self, grace: float = CLOSE_GRACE_SECONDS) -> None:
        """Stop consuming; the events being handled get ``grace`` seconds to finish, and
        the rest goes back to the queue. Returns within ``grace`` plus a few seconds,
        whether the broker answers or not."""

    async def declare(self, service: str, event_types: Collection[str]) -> None:
        """Create the service's queues and bindings (``migrate`` does it before any start)."""

    async def publish(self, envelopes: Sequence[Envelope]) -> None:
        """Return once every envelope is confirmed, in order; else raise PublishError."""

    async def subscribe(self, service: str, event_types: Collection[str], handler: Handler) -> None:
        """Deliver the service's events to ``handler``: raising means retry, then park."""

    async def subscribe_batches(
        self, service: str, event_types: Collection[str], handler: BatchHandler, *, max_batch: int
    ) -> None:
        """Like ``subscribe``, handing over up to ``max_batch`` waiting events at once."""

    async def parked(self, service: str) -> list[ParkedMessage]:
        """The service's parked messages, oldest first; they stay parked."""

    async def replay(self, service: str, message_ids: Collection[str] | None = None) -> int:
        """Send parked messages (all, or those named) back to the work queue, tries reset."""

    async def ready(self) -> bool:
        """Connected, and every subscription of this process really consuming."""


@dataclass(frozen=True)
class Delivery:
    """One message as a consumer received it."""

    body: bytes
    tries: int = 0  # failed tries so far, from our own header
    # The transport's own id for the message, for when the body names none.
    message_id: str | None = None
    # Where the publisher's trace context travelled (the AMQP headers); empty in memory,
    # where the envelope's own ``traceparent`` is used.
    trace_carrier: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """What to do with a delivery after the handler ran: ack, retry later, or park."""

    message_id: str
    event_type: str | None
    tries: int  # tries so far, this one included
    retry_in: float | None = None
    park_reason: str | None = None


# What the adapters call with the readable deliveries of a batch: each envelope with its
# trace carrier; returns, for each, the exception that made it fail or None.
Subscriber = Callable[
    [Sequence[tuple[Envelope, Mapping[str, str]]]], Awaitable[Sequence[BaseException | None]]
]


@contextmanager
def consuming(envelope: Envelope, carrier: Mapping[str, str] | None = None) -> Iterator[None]:
    """The consumer span of one event, child of the span that emitted it.

    The context comes from ``carrier`` (the message headers) when it holds one, else from
    the envelope's ``traceparent``.
    """
    if not carrier or "traceparent" not in carrier:
        carrier = {"traceparent": envelope.traceparent} if envelope.traceparent else {}
    tracer = trace.get_tracer("portico.kit.bus")
    with tracer.start_as_current_span(
        f"process {envelope.type}",
        context=propagate.extract(carrier),
        kind=trace.SpanKind.CONSUMER,
        attributes={
            "messaging.system": "portico",
            "messaging.operation.type": "process",
            "messaging.message.id": str(envelope.id),
        },
    ):
        yield


def one_at_a_time(handler: Handler) -> Subscriber:
    """Runs ``handler`` on each envelope on its own, inside its consumer span."""

    async def handle(
        received: Sequence[tuple[Envelope, Mapping[str, str]]],
    ) -> list[BaseException | None]:
        failures: list[BaseException | None] = []
        for envelope, carrier in received:
            try:
                with consuming(envelope, carrier):
                    await handler(envelope)
            except Exception as exc:
                failures.append(exc)
            else:
                failures.append(None)
        return failures

    return handle


def in_batches(handler: BatchHandler) -> Subscriber:
    """Hands the envelopes over together; the batch handler opens the consumer spans."""

    async def handle(
        received: Sequence[tuple[Envelope, Mapping[str, str]]],
    ) -> Sequence[BaseException | None]:
        return await handler([envelope for envelope, _ in received])

    return handle


async def deliver(
    deliveries: Sequence[Delivery],
    *,
    subscriber: Subscriber,
    service: str,
    retry: RetryPolicy,
) -> list[Outcome]:
    """Parse a batch, run the subscriber on what is readable, say what to do with each."""
    outcomes: list[Outcome | None] = []
    readable: list[tuple[int, Envelope]] = []
    for position, delivery in enumerate(deliveries):
        try:
            readable.append((position, Envelope.from_json(delivery.body)))
            outcomes.append(None)
        except ContractError as exc:
            outcomes.append(_broken_contract(delivery, exc, service))
    failures = await _run(subscriber, [(e, deliveries[p].trace_carrier) for p, e in readable])
    for (position, envelope), failure in zip(readable, failures, strict=True):
        outcomes[position] = _after_try(
            envelope, failure, deliveries[position].tries + 1, service=service, retry=retry
        )
    return [outcome for outcome in outcomes if outcome is not None]


async def _run(
    subscriber: Subscriber, received: list[tuple[Envelope, Mapping[str, str]]]
) -> Sequence[BaseException | None]:
    if not received:
        return []
    try:
        failures = await subscriber(received)
    except Exception as exc:
        # A batch handler that raises instead of reporting: the whole batch failed.
        return [exc] * len(received)
    if len(failures) != len(received):
        error = RuntimeError(f"the handler reported {len(failures)} results for {len(received)}")
        return [error] * len(received)
    return failures


def _broken_contract(delivery: Delivery, error: ContractError, service: str) -> Outcome:
    message_id, event_type = claimed_identity(delivery.body)
    outcome = Outcome(
        message_id=message_id or delivery.message_id or fallback_id(delivery.body),
        event_type=event_type,
        tries=delivery.tries + 1,
        park_reason=str(error),
    )
    EVENTS_PARKED.labels(service=service, type=event_type or "unreadable").inc()
    log.warning(
        "event breaks the contracts; parked",
        service=service,
        event_type=event_type,
        event_id=outcome.message_id,
        tries=outcome.tries,
        reason=outcome.park_reason,
    )
    return outcome


def _after_try(
    envelope: Envelope,
    failure: BaseException | None,
    tries: int,
    *,
    service: str,
    retry: RetryPolicy,
) -> Outcome:
    if failure is None:
        return Outcome(str(envelope.id), envelope.type, tries)
    labels = {"service": service, "type": envelope.type}
    delay = retry.delay_after(tries)
    reason = failure_reason(failure)
    log.warning(
        "event handler failed; parked" if delay is None else "event handler failed; retry later",
        service=service,
        event_type=envelope.type,
        event_id=str(envelope.id),
        tries=tries,
        retry_in=delay,
        reason=reason,
        # A validation error's own text quotes the input, which may be the payload.
        exc_info=None if isinstance(failure, ValidationError) else failure,
    )
    if delay is None:
        EVENTS_PARKED.labels(**labels).inc()
        return Outcome(str(envelope.id), envelope.type, tries, park_reason=reason)
    EVENTS_RETRIED.labels(**labels).inc()
    return Outcome(str(envelope.id), envelope.type, tries, retry_in=delay)


def failure_reason(failure: BaseException) -> str:
    """What went wrong, for the logs and the parking queue, without quoting any data."""
    if isinstance(failure, ValidationError):
        fields = "; ".join(
            f"{'.'.join(map(str, error['loc'])) or '(root)'}: {error['msg']}"
            for error in failure.errors(include_input=False, include_url=False)
        )
        return f"ValidationError: {fields}"
    return f"{type(failure).__name__}: {failure}"


def claimed_identity(body: bytes) -> tuple[str | None, str | None]:
    """The id and type a body says it has, even when it breaks the contracts."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None, None
    if not isinstance(document, dict):
        return None, None
    message_id, event_type = document.get("id"), document.get("type")
    return (
        message_id if isinstance(message_id, str) else None,
        event_type if isinstance(event_type, str) else None,
    )


def fallback_id(body: bytes) -> str:
    """A stable id for a message that names none, so it can still be chosen for replay."""
    return "sha256-" + hashlib.sha256(body).hexdigest()[:32]

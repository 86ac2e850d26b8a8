"""The bus interface both adapters implement, and what they share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import structlog
from opentelemetry import propagate, trace

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
    """The broker did not confirm a message."""


class Bus(Protocol):
    async def connect(self) -> None: ...

    async def close(self) -> None: ...

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

    async def parked(self, service: str) -> list[ParkedMessage]: ...

    async def replay(self, service: str, message_ids: Collection[str] | None = None) -> int:
        """Send parked messages back to the work queue with their tries reset."""

    async def ready(self) -> bool: ...


@dataclass(frozen=True)
class Outcome:
    """What to do with a delivery after the handler ran: ack, retry later, or park."""

    retry_in: float | None = None
    park_reason: str | None = None
    event_type: str | None = None
    message_id: str | None = None


@contextmanager
def consuming(envelope: Envelope) -> Iterator[None]:
    """The consumer span of one event, child of the span that emitted it."""
    carrier = {"traceparent": envelope.traceparent} if envelope.traceparent else {}
    tracer = trace.get_tracer("portico.kit.bus")
    with tracer.start_as_current_span(
        f"process {envelope.type}",
        context=propagate.extract(carrier),
        kind=trace.SpanKind.CONSUMER,
        attributes={"messaging.system": "portico", "messaging.message.id": str(envelope.id)},
    ):
        yield


def one_at_a_time(handler: Handler) -> BatchHandler:
    """A batch handler that runs ``handler`` on each envelope on its own."""

    async def handle(envelopes: Sequence[Envelope]) -> list[BaseException | None]:
        failures: list[BaseException | None] = []
        for envelope in envelopes:
            try:
                with consuming(envelope):
                    await handler(envelope)
            except Exception as exc:
                failures.append(exc)
            else:
                failures.append(None)
        return failures

    return handle


async def deliver_batch(
    deliveries: Sequence[tuple[bytes, int]],
    *,
    handler: BatchHandler,
    service: str,
    retry: RetryPolicy,
) -> list[Outcome]:
    """Parse a batch of (body, failed tries so far), run the handler, say what to do with each.

    A body that breaks the contracts is parked at once; a failed handler is retried after
    the policy's delay, or parked after its last try.
    """
    outcomes: list[Outcome | None] = []
    readable: list[tuple[int, Envelope]] = []
    for position, (body, _) in enumerate(deliveries):
        try:
            readable.append((position, Envelope.from_json(body)))
            outcomes.append(None)
        except ContractError as exc:
            log.warning("unreadable event parked", service=service, reason=str(exc))
            outcomes.append(Outcome(park_reason=str(exc)))
    failures = await handler([envelope for _, envelope in readable]) if readable else []
    for (position, envelope), failure in zip(readable, failures, strict=True):
        outcomes[position] = _outcome(
            envelope, failure, deliveries[position][1], service=service, retry=retry
        )
    return [outcome or Outcome() for outcome in outcomes]


def _outcome(
    envelope: Envelope,
    failure: BaseException | None,
    tries: int,
    *,
    service: str,
    retry: RetryPolicy,
) -> Outcome:
    identity = {"event_type": envelope.type, "message_id": str(envelope.id)}
    if failure is None:
        return Outcome(**identity)
    labels = {"service": service, "type": envelope.type}
    failed = tries + 1
    delay = retry.delay_after(failed)
    reason = f"{type(failure).__name__}: {failure}"
    log.warning(
        "event handler failed",
        service=service,
        event_type=envelope.type,
        event_id=str(envelope.id),
        tries=failed,
        retry_in=delay,
        reason=reason,
        exc_info=failure,
    )
    if delay is None:
        EVENTS_PARKED.labels(**labels).inc()
        return Outcome(park_reason=reason, **identity)
    EVENTS_RETRIED.labels(**labels).inc()
    return Outcome(retry_in=delay, **identity)

"""The bus interface both adapters implement, and what they share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import structlog
from opentelemetry import propagate, trace

from portico.contracts import ContractError, Envelope
from portico.kit.metrics import EVENTS_PARKED, EVENTS_RETRIED

log = structlog.get_logger(__name__)

Handler = Callable[[Envelope], Awaitable[None]]

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


async def deliver(
    body: bytes, *, tries: int, handler: Handler, service: str, retry: RetryPolicy
) -> Outcome:
    """Parse, trace and hand one message to a handler; the adapters act on the outcome.

    ``tries`` counts the failed tries before this one.
    """
    try:
        envelope = Envelope.from_json(body)
    except ContractError as exc:
        log.warning("unreadable event parked", service=service, reason=str(exc))
        return Outcome(park_reason=str(exc))
    labels = {"service": service, "type": envelope.type}
    carrier = {"traceparent": envelope.traceparent} if envelope.traceparent else {}
    tracer = trace.get_tracer("portico.kit.bus")
    with tracer.start_as_current_span(
        f"process {envelope.type}",
        context=propagate.extract(carrier),
        kind=trace.SpanKind.CONSUMER,
        attributes={"messaging.system": "portico", "messaging.message.id": str(envelope.id)},
    ):
        try:
            await handler(envelope)
        except Exception as exc:
            failed = tries + 1
            delay = retry.delay_after(failed)
            reason = f"{type(exc).__name__}: {exc}"
            log.warning(
                "event handler failed",
                service=service,
                event_type=envelope.type,
                event_id=str(envelope.id),
                tries=failed,
                retry_in=delay,
                reason=reason,
                exc_info=True,
            )
            if delay is None:
                EVENTS_PARKED.labels(**labels).inc()
                return Outcome(
                    park_reason=reason, event_type=envelope.type, message_id=str(envelope.id)
                )
            EVENTS_RETRIED.labels(**labels).inc()
            return Outcome(retry_in=delay, event_type=envelope.type, message_id=str(envelope.id))
    return Outcome(event_type=envelope.type, message_id=str(envelope.id))

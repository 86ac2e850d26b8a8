"""The inbox: a consumed event is recorded in the same transaction as its handler's writes.

Each handler of an event type runs in its own transaction with its own inbox row
(``event_key``, ``handler``), so a redelivery re-runs only the handlers that did not
commit, and a handler that already committed is acknowledged without running again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from opentelemetry import trace
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from portico.contracts import Envelope, Event
from portico.kit import context
from portico.kit.db import Database, utcnow
from portico.kit.metrics import EVENTS_CONSUMED, EVENTS_DUPLICATE
from portico.kit.tables import inbox_table

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class EventContext:
    """What a handler gets beside the event: the open transaction and the envelope."""

    session: AsyncSession
    envelope: Envelope


EventHandler = Callable[[Any, EventContext], Awaitable[None]]
HandlerTable = Mapping[type[Event], Sequence[EventHandler]]


def handler_name(handler: EventHandler) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


class Consumer:
    """Dispatches envelopes from the bus to a service's handlers, exactly once each."""

    def __init__(self, database: Database, handlers: HandlerTable) -> None:
        self.database = database
        self.service = database.service
        self.handlers: dict[str, Sequence[EventHandler]] = {
            event_class.event_type: tuple(functions) for event_class, functions in handlers.items()
        }

    @property
    def event_types(self) -> list[str]:
        return sorted(self.handlers)

    async def __call__(self, envelope: Envelope) -> None:
        event = envelope.event()
        with context.bound(
            service=self.service,
            correlation=envelope.correlation_id,
            causation=str(envelope.id),
        ):
            for handler in self.handlers.get(envelope.type, ()):
                await self._run_once(handler, event, envelope)

    async def _run_once(self, handler: EventHandler, event: Event, envelope: Envelope) -> None:
        name = handler_name(handler)
        labels = {"service": self.service, "type": envelope.type}
        tracer = trace.get_tracer("portico.kit.inbox")
        with tracer.start_as_current_span(f"handle {name}"):
            async with self.database.sessions.begin() as session:
                if not await self._record(session, envelope, name):
                    EVENTS_DUPLICATE.labels(**labels).inc()
                    log.info("duplicate event ignored", event_id=str(envelope.id), handler=name)
                    return
                await handler(event, EventContext(session=session, envelope=envelope))
        EVENTS_CONSUMED.labels(**labels).inc()

    async def _record(self, session: AsyncSession, envelope: Envelope, name: str) -> bool:
        """Insert the inbox row; False when this handler already processed the event."""
        dialect_insert = postgresql_insert if self.database.is_postgres else sqlite_insert
        result = await session.execute(
            dialect_insert(inbox_table)
            .values(
                event_key=envelope.key,
                handler=name,
                event_type=envelope.type,
                processed_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["event_key", "handler"])
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

"""The inbox: a consumed event is recorded in the same transaction as its handlers' writes.

An inbox row (``event_key``, ``handler``) is inserted with the handler's writes, so a
redelivered event is acknowledged without running a handler that already committed.

Events are taken in batches: one transaction records and handles every event of the
batch, which spares a commit (and its disk flush) per event. When anything in it fails,
the batch is rolled back and each event runs again in its own transaction, so only the
failing event is retried and the others are not held back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portico.contracts import Envelope, Event
from portico.kit.bus.base import consuming
from portico.kit.db import Database, utcnow
from portico.kit.metrics import EVENTS_CONSUMED, EVENTS_DUPLICATE
from portico.kit.observability import bind_context
from portico.kit.tables import inbox_table
from portico.kit.transaction import Transaction

log = structlog.get_logger(__name__)

MAX_BATCH = 100


@dataclass(frozen=True)
class EventContext:
    """What a handler gets beside the event: the unit of work its writes, events and jobs
    go into (the inbox record of the event is in it too), and the envelope."""

    tx: Transaction
    envelope: Envelope


EventHandler = Callable[[Any, EventContext], Awaitable[None]]
HandlerTable = Mapping[type[Event], Sequence[EventHandler]]


def handler_name(handler: EventHandler) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


class Consumer:
    """Dispatches envelopes from the bus to a service's handlers, once each."""

    def __init__(self, database: Database, handlers: HandlerTable) -> None:
        self.database = database
        self.service = database.service
        self.handlers: dict[str, tuple[tuple[str, EventHandler], ...]] = {
            event_class.event_type: tuple((handler_name(f), f) for f in functions)
            for event_class, functions in handlers.items()
        }

    @property
    def event_types(self) -> list[str]:
        return sorted(self.handlers)

    async def __call__(self, envelope: Envelope) -> None:
        """Handle one event in its own transaction; raises when a handler fails."""
        async with self.database.transaction() as tx:
            await self._handle(tx, [envelope])

    async def handle_batch(self, envelopes: Sequence[Envelope]) -> list[BaseException | None]:
        """Handle events together; returns, for each, the exception that made it fail."""
        if len(envelopes) > 1:
            try:
                async with self.database.transaction() as tx:
                    await self._handle(tx, envelopes)
            except Exception:
                log.info("batch failed; handling its events one by one", size=len(envelopes))
            else:
                return [None] * len(envelopes)
        failures: list[BaseException | None] = []
        for envelope in envelopes:
            try:
                await self(envelope)
            except Exception as exc:
                failures.append(exc)
            else:
                failures.append(None)
        return failures

    async def _handle(self, tx: Transaction, envelopes: Sequence[Envelope]) -> None:
        fresh = await self._record(tx, envelopes)
        for envelope in envelopes:
            event = envelope.event()
            labels = {"service": self.service, "type": envelope.type}
            with (
                consuming(envelope),
                bind_context(
                    service=self.service,
                    correlation=envelope.correlation_id,
                    causation=str(envelope.id),
                ),
            ):
                for name, handler in self.handlers.get(envelope.type, ()):
                    if (envelope.key, name) not in fresh:
                        EVENTS_DUPLICATE.labels(**labels).inc()
                        log.info("duplicate event ignored", event_id=str(envelope.id), handler=name)
                        continue
                    fresh.discard((envelope.key, name))  # the same event twice in one batch
                    await handler(event, EventContext(tx=tx, envelope=envelope))
            EVENTS_CONSUMED.labels(**labels).inc()

    async def _record(self, tx: Transaction, envelopes: Sequence[Envelope]) -> set[tuple[str, str]]:
        """Insert the inbox rows; returns the (event, handler) pairs not seen before."""
        now = utcnow()
        rows = {
            (envelope.key, name): {
                "event_key": envelope.key,
                "handler": name,
                "event_type": envelope.type,
                "processed_at": now,
            }
            for envelope in envelopes
            for name, _ in self.handlers.get(envelope.type, ())
        }
        if not rows:
            return set()
        dialect_insert = postgresql_insert if self.database.is_postgres else sqlite_insert
        # Run for every row at once (SQLAlchemy batches them into multi-row statements
        # itself): one compiled form, cached, rather than a new VALUES list per batch.
        inserted = await tx.execute(
            dialect_insert(inbox_table)
            .on_conflict_do_nothing(index_elements=["event_key", "handler"])
            .returning(inbox_table.c.event_key, inbox_table.c.handler),
            list(rows.values()),
        )
        return {(row.event_key, row.handler) for row in inserted}

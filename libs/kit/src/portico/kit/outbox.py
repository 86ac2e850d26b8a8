"""The transactional outbox: ``emit`` inside the caller's transaction, a relay publishes.

Rows are claimed with a lease (``claimed_until``) by an UPDATE ... RETURNING that works on
SQLite and PostgreSQL; on PostgreSQL the inner SELECT also takes ``FOR UPDATE SKIP
LOCKED`` so that several relays share the table without waiting on each other. A row is
marked published only after the bus confirmed it; a relay that dies in between leaves
the lease to expire and the row is published again (the consumers' inbox absorbs the
duplicate).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import event, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from portico.contracts import Envelope, Event
from portico.kit.bus import Bus
from portico.kit.db import Database, utcnow
from portico.kit.metrics import OUTBOX_LAG_SECONDS, OUTBOX_PENDING
from portico.kit.observability import (
    current_causation_id,
    current_correlation_id,
    current_traceparent,
)
from portico.kit.tables import outbox_table

log = structlog.get_logger(__name__)

NOTIFY_CHANNEL = "portico_outbox"


async def emit(session: AsyncSession, event: Event) -> Envelope:
    """Add ``event`` to the outbox of the session's service, inside the open transaction.

    The envelope takes the correlation id, the causing event and the trace of the current
    request or handler, so one trace and one correlation id run across services. Rows are
    written together just before the transaction commits (one statement for all of them).
    """
    envelope = Envelope.wrap(
        event,
        source=session.info["portico_service"],
        correlation_id=current_correlation_id(),
        causation_id=current_causation_id(),
        traceparent=current_traceparent(),
    )
    session.info.setdefault(PENDING, []).append(
        {
            "event_id": str(envelope.id),
            "event_type": envelope.type,
            "body": envelope.to_json(),
            "created_at": utcnow(),
        }
    )
    return envelope


PENDING = "portico_outbox_pending"
WRITTEN = "portico_outbox_written"


@event.listens_for(Session, "before_commit")
def _write_outbox(session: Session) -> None:
    # Runs inside the async session's greenlet: the synchronous API does real async I/O.
    rows = session.info.pop(PENDING, None)
    if not rows:
        return
    session.execute(insert(outbox_table), rows)
    database: Database = session.info["portico_database"]
    if database.is_postgres:
        # Delivered to listening relays only when (and if) the transaction commits.
        session.execute(select(func.pg_notify(NOTIFY_CHANNEL, "")))
    session.info[WRITTEN] = True


@event.listens_for(Session, "after_commit")
def _wake_relay(session: Session) -> None:
    if session.info.pop(WRITTEN, False):
        session.info["portico_database"].outbox_committed.set()


@event.listens_for(Session, "after_rollback")
def _forget_outbox_writes(session: Session) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(WRITTEN, None)


class Relay:
    """Publishes a service's outbox rows to the bus, oldest first, in batches."""

    def __init__(
        self,
        database: Database,
        bus: Bus,
        *,
        batch_size: int = 200,
        lease: timedelta = timedelta(seconds=30),
        idle_check: float = 30.0,
    ) -> None:
        self.database = database
        self.bus = bus
        self.batch_size = batch_size
        self.lease = lease
        # Without any wake-up (another process's commit on SQLite, a lost NOTIFY), rows
        # are still found within this many seconds.
        self.idle_check = idle_check
        self._stopping = asyncio.Event()
        self._listener: Any = None
        self._next_lag_record = 0.0

    async def publish_pending(self) -> int:
        """One pass: claim a batch, publish it, mark it. Returns how many were published."""
        claimed = await self._claim()
        if not claimed:
            return 0
        envelopes = [Envelope.model_validate_json(body) for _, body in claimed]
        seqs = [seq for seq, _ in claimed]
        try:
            await self.bus.publish(envelopes)
        except Exception:
            await self._release(seqs)
            raise
        async with self.database.sessions.begin() as session:
            await self._no_disk_wait(session)
            await session.execute(
                update(outbox_table)
                .where(outbox_table.c.seq.in_(seqs))
                .values(published_at=utcnow(), claimed_until=None)
            )
        return len(seqs)

    async def run(self) -> None:
        """Publish until stopped, waking as soon as a transaction with events commits."""
        await self._listen()
        backoff = 0.5
        try:
            while not self._stopping.is_set():
                self.database.outbox_committed.clear()
                try:
                    published = await self.publish_pending()
                    backoff = 0.5
                except Exception:
                    log.exception("outbox relay pass failed", service=self.database.service)
                    await self._sleep(backoff)
                    backoff = min(backoff * 2, 30.0)
                    continue
                if published >= self.batch_size:
                    continue
                if time.monotonic() >= self._next_lag_record:
                    # At most once a second: it is a metric, not worth a query per pass.
                    self._next_lag_record = time.monotonic() + 1.0
                    await self._record_lag()
                await self._wait_for_commit()
        finally:
            await self._unlisten()

    def stop(self) -> None:
        self._stopping.set()

    async def _claim(self) -> list[tuple[int, bytes]]:
        now = utcnow()
        pending = (
            select(outbox_table.c.seq)
            .where(outbox_table.c.published_at.is_(None))
            .where((outbox_table.c.claimed_until.is_(None)) | (outbox_table.c.claimed_until < now))
            .order_by(outbox_table.c.seq)
            .limit(self.batch_size)
        )
        if self.database.is_postgres:
            pending = pending.with_for_update(skip_locked=True)
        statement = (
            update(outbox_table)
            .where(outbox_table.c.seq.in_(pending.scalar_subquery()))
            .values(claimed_until=now + self.lease)
            .returning(outbox_table.c.seq, outbox_table.c.body)
        )
        async with self.database.sessions.begin() as session:
            await self._no_disk_wait(session)
            rows = (await session.execute(statement)).all()
        return sorted((row.seq, row.body) for row in rows)

    async def _no_disk_wait(self, session: AsyncSession) -> None:
        """The relay's own writes (a lease, a "published" mark) commit without waiting for
        the disk: if a crash loses one, the events are published again, which delivery
        at least once and the consumers' inbox already absorb. Two fewer flushes per batch
        on the path from a commit to its handler."""
        if self.database.is_postgres:
            await session.execute(text("SET LOCAL synchronous_commit TO OFF"))

    async def _release(self, seqs: Sequence[int]) -> None:
        async with self.database.sessions.begin() as session:
            await self._no_disk_wait(session)
            await session.execute(
                update(outbox_table).where(outbox_table.c.seq.in_(seqs)).values(claimed_until=None)
            )

    async def _record_lag(self) -> None:
        async with self.database.sessions() as session:
            oldest, pending = (
                await session.execute(
                    select(func.min(outbox_table.c.created_at), func.count()).where(
                        outbox_table.c.published_at.is_(None)
                    )
                )
            ).one()
        service = self.database.service
        OUTBOX_PENDING.labels(service=service).set(pending)
        lag = 0.0 if oldest is None else (utcnow() - oldest).total_seconds()
        OUTBOX_LAG_SECONDS.labels(service=service).set(max(lag, 0.0))

    async def _wait_for_commit(self) -> None:
        committed = asyncio.ensure_future(self.database.outbox_committed.wait())
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait(
                {committed, stopping}, timeout=self.idle_check, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            committed.cancel()
            stopping.cancel()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    async def _listen(self) -> None:
        """On PostgreSQL, hear commits made by other processes (the API) through NOTIFY."""
        if not self.database.is_postgres:
            return
        raw = await self.database.engine.raw_connection()
        asyncpg_connection = raw.driver_connection
        signal = self.database.outbox_committed

        def wake(*_: object) -> None:
            signal.set()

        await asyncpg_connection.add_listener(NOTIFY_CHANNEL, wake)
        self._listener = (raw, asyncpg_connection, wake)

    async def _unlisten(self) -> None:
        if self._listener is None:
            return
        raw, asyncpg_connection, wake = self._listener
        self._listener = None
        with contextlib.suppress(Exception):
            await asyncpg_connection.remove_listener(NOTIFY_CHANNEL, wake)
        raw.close()

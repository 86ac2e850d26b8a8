"""The transactional outbox: ``emit`` inside the caller's transaction, a relay publishes.

A relay pass is one transaction: take the oldest pending rows, publish them, mark them.
On PostgreSQL the rows are taken ``FOR UPDATE SKIP LOCKED``, so several relays share the
table without waiting on each other (and one relay overlaps its own passes), and a relay
that dies mid-pass leaves nothing behind: its transaction aborts, the rows are pending
again at once and are published again (the consumers' inbox absorbs the duplicate).
SQLite has a single writer and no row locks: the embedded process runs one relay per
database file, one pass at a time (DESIGN §10).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import Delete, bindparam, delete, event, func, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from portico.contracts import Envelope, Event, carries_secrets, masked_stored
from portico.kit.bus import Bus
from portico.kit.db import Database, utcnow
from portico.kit.metrics import OUTBOX_LAG_SECONDS, OUTBOX_PENDING
from portico.kit.observability import (
    current_causation_id,
    current_correlation_id,
    current_traceparent,
)
from portico.kit.tables import OUTBOX_CHANNEL, inbox_table, outbox_table

log = structlog.get_logger(__name__)


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
        (str(envelope.id), envelope.type, envelope.to_json(), utcnow())
    )
    return envelope


PENDING = "portico_outbox_pending"
WRITTEN = "portico_outbox_written"
# A pending row's columns, in the order ``emit`` keeps them.
_PENDING_COLUMNS = ("event_id", "event_type", "body", "created_at")
_INSERT_PENDING = (
    "INSERT INTO outbox (event_id, event_type, body, created_at) VALUES ($1, $2, $3, $4)"
)


@event.listens_for(Session, "before_commit")
def _write_outbox(session: Session) -> None:
    # Runs inside the async session's greenlet: the synchronous API does real async I/O.
    rows = session.info.pop(PENDING, None)
    if not rows:
        return
    # On PostgreSQL a trigger also notifies the listening relays, delivered when (and if)
    # the transaction commits (``tables.OUTBOX_CHANNEL``).
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # On the DBAPI cursor of the transaction's connection (which begins the
        # transaction if nothing has yet): SQLAlchemy's statement layer around this one
        # insert cost a one-event transaction a sixth of its CPU (docs/architecture.md).
        with contextlib.closing(connection.connection.cursor()) as cursor:
            cursor.executemany(_INSERT_PENDING, rows)
    else:
        session.execute(
            insert(outbox_table), [dict(zip(_PENDING_COLUMNS, row, strict=True)) for row in rows]
        )
    session.info[WRITTEN] = True


@event.listens_for(Session, "after_commit")
def _wake_relay(session: Session) -> None:
    if session.info.pop(WRITTEN, False):
        session.info["portico_database"].outbox_committed.set()


@event.listens_for(Session, "after_rollback")
def _forget_outbox_writes(session: Session) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(WRITTEN, None)


@dataclass(frozen=True)
class Retention:
    """How long the relay keeps published outbox rows and inbox records before deleting
    them: both tables would otherwise grow for ever. An inbox record must outlive every
    redelivery of its event (a relay's republish, a broker's redelivery: minutes). The
    defaults are the settings' (``PORTICO_OUTBOX_RETENTION_DAYS``, ``..._INBOX_...``)."""

    outbox: timedelta
    inbox: timedelta


# Rows deleted per statement: short transactions, however much has piled up.
PRUNE_BATCH = 5_000
PRUNE_INTERVAL_SECONDS = 3600.0
# No index serves these: the oldest rows come first in the scan, and once an hour a scan
# to the table's end (a retention period of rows) is cheaper than an index on every write.
_PRUNE_OUTBOX = delete(outbox_table).where(
    outbox_table.c.seq.in_(
        select(outbox_table.c.seq)
        .where(outbox_table.c.published_at < bindparam("cutoff"))
        .order_by(outbox_table.c.seq)
        .limit(PRUNE_BATCH)
        .scalar_subquery()
    )
)
_PRUNE_INBOX = delete(inbox_table).where(
    tuple_(inbox_table.c.event_key, inbox_table.c.handler).in_(
        select(inbox_table.c.event_key, inbox_table.c.handler)
        .where(inbox_table.c.processed_at < bindparam("cutoff"))
        .limit(PRUNE_BATCH)
    )
)

_TAKE = (
    "SELECT seq, event_type, body FROM outbox WHERE published_at IS NULL"
    " ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED"
)


def _masked_bodies(rows: Sequence[Sequence[Any]]) -> dict[int, bytes]:
    """The stored bodies to write over once these rows are published: those of events
    with secret fields (invitation, reset, signing links), masked. A token must not sit
    in clear in a table for the retention period after its one delivery; the message
    itself, published as it was stored, still carries it. Most events have no secret
    and cost one cached look-up here."""
    # Rows of SQLAlchemy or of asyncpg: (seq, event_type, body) either way.
    return {
        seq: masked_stored(body) for seq, event_type, body in rows if carries_secrets(event_type)
    }


def _mark_and_commit(seqs: list[int], masked: dict[int, bytes]) -> str:
    # The sequence numbers are integers read from the table, the masked bodies hex digits
    # of our own making: written into the statement, it travels with its COMMIT as one
    # simple query.
    listed = ",".join(str(int(seq)) for seq in seqs)
    rewrite = ""
    if masked:
        cases = " ".join(
            f"WHEN {int(seq)} THEN decode('{body.hex()}', 'hex')" for seq, body in masked.items()
        )
        rewrite = f", body = CASE seq {cases} ELSE body END"
    return (
        f"UPDATE outbox SET published_at = now(){rewrite}"  # noqa: S608
        f" WHERE seq = ANY('{{{listed}}}'); COMMIT"
    )


class Relay:
    """Publishes a service's outbox rows to the bus, oldest first, in batches.

    One pass at a time by default: the events committed during a pass wait for it and go
    together in the next, which costs less (a transaction for several events) than a
    pass of its own each; on two cores that saving kept the tail latency lower than
    overlapping did (docs/architecture.md, "Benchmark"). On PostgreSQL up to
    ``passes_in_flight`` passes may overlap, for machines with cores to spare: while one
    waits for the broker's confirms and marks its rows, the next one takes the following
    rows (its own row locks keep the passes apart) and sends them. Each pass sends once
    the one before it has queued its messages, so the broker receives them in creation
    order; a pass that fails is published again later, after newer events (consumers
    never rely on order, DESIGN §4). SQLite runs one pass at a time.
    """

    def __init__(
        self,
        database: Database,
        bus: Bus,
        *,
        batch_size: int = 200,
        idle_check: float = 30.0,
        passes_in_flight: int = 1,
        retention: Retention | None = None,
    ) -> None:
        self.database = database
        self.bus = bus
        self.batch_size = batch_size
        # None keeps everything (a relay of the tests); a service's relay has the settings'.
        self.retention = retention
        self.passes_in_flight = passes_in_flight if database.is_postgres else 1
        # SQLite's pass, through SQLAlchemy Core (PostgreSQL's speaks to the driver).
        self._pending = (
            select(outbox_table.c.seq, outbox_table.c.event_type, outbox_table.c.body)
            .where(outbox_table.c.published_at.is_(None))
            .order_by(outbox_table.c.seq)
            .limit(batch_size)
        )
        self._mark = (
            update(outbox_table)
            .where(outbox_table.c.seq.in_(bindparam("seqs", expanding=True)))
            .values(published_at=bindparam("now", type_=outbox_table.c.published_at.type))
        )
        self._mask = (
            update(outbox_table)
            .where(outbox_table.c.seq == bindparam("masked_seq"))
            .values(body=bindparam("masked_body"))
        )
        # Without any wake-up (another process's commit on SQLite, a lost NOTIFY), rows
        # are still found within this many seconds.
        self.idle_check = idle_check
        self._stopping = asyncio.Event()
        self._listener: Any = None
        self._next_lag_record = 0.0

    async def publish_pending(self) -> int:
        """One pass: publish the oldest pending rows, then mark them. Returns how many."""
        taken: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        await self._pass(taken)
        return taken.result()

    async def _pass(self, taken: asyncio.Future[int]) -> None:
        """Take a batch, publish it, mark it, in one transaction (a failure rolls it back
        and leaves the rows pending). ``taken`` gets the batch's size once its messages
        are on their way, which is when the next pass may take the following rows."""
        try:
            if self.database.is_postgres:
                await self._postgres_pass(taken)
            else:
                await self._sqlite_pass(taken)
        except BaseException as exc:
            if not taken.done():
                taken.set_exception(
                    exc if isinstance(exc, Exception) else RuntimeError("relay pass cancelled")
                )
            raise

    async def _sqlite_pass(self, taken: asyncio.Future[int]) -> None:
        async with self.database.relay_engine.begin() as connection:
            rows = (await connection.execute(self._pending)).all()
            taken.set_result(len(rows))
            if not rows:
                return
            await self.bus.publish([Envelope.from_stored(row.body) for row in rows])
            await connection.execute(
                self._mark, {"seqs": [row.seq for row in rows], "now": utcnow()}
            )
            if masked := _masked_bodies(rows):
                await connection.execute(
                    self._mask,
                    [{"masked_seq": seq, "masked_body": body} for seq, body in masked.items()],
                )

    async def _postgres_pass(self, taken: asyncio.Future[int]) -> None:
        """The pass on the driver's own connection (asyncpg), taken from the relay's pool.

        Through SQLAlchemy's async layer a one-event pass cost 0.8 ms of CPU, on the
        driver 0.25 ms: at a few hundred passes a second that was a sixth of a core. The
        mark travels with the COMMIT, one round trip for both.
        """
        pooled = await self.database.relay_engine.raw_connection()
        connection = pooled.driver_connection
        try:
            await connection.execute("BEGIN")
            try:
                rows = await connection.fetch(_TAKE, self.batch_size)
                taken.set_result(len(rows))
                if not rows:
                    await connection.execute("COMMIT")
                    return
                # ``publish`` queues its messages before its first pause (in the order of
                # the calls), and this pass started it before the next one can.
                await self.bus.publish([Envelope.from_stored(row["body"]) for row in rows])
                await connection.execute(
                    _mark_and_commit([row["seq"] for row in rows], _masked_bodies(rows))
                )
            except BaseException:
                # Back to the pool only without a transaction (the pool's own reset knows
                # nothing of this one); a connection that cannot say so is dropped.
                try:
                    await connection.execute("ROLLBACK")
                except BaseException:
                    pooled.invalidate()
                raise
        finally:
            pooled.close()

    async def run(self) -> None:
        """Publish until stopped, waking as soon as a transaction with events commits.

        Pruning runs beside the passes, so that a first prune of a long history never
        holds up the events of the moment."""
        await self._listen()
        pruning = asyncio.create_task(self._prune_periodically())
        slots = asyncio.Semaphore(self.passes_in_flight)
        passes: set[asyncio.Task[None]] = set()
        failed = asyncio.Event()
        backoff = 0.5

        def finished(task: asyncio.Task[None]) -> None:
            passes.discard(task)
            slots.release()
            if not task.cancelled() and task.exception() is not None:
                log.error(
                    "outbox relay pass failed",
                    service=self.database.service,
                    exc_info=task.exception(),
                )
                failed.set()

        try:
            while not self._stopping.is_set():
                self.database.outbox_committed.clear()
                await slots.acquire()
                if failed.is_set():
                    # Let the other passes end before taking their rows again.
                    slots.release()
                    await asyncio.gather(*passes, return_exceptions=True)
                    failed.clear()
                    await self._sleep(backoff)
                    backoff = min(backoff * 2, 30.0)
                    continue
                taken: asyncio.Future[int] = asyncio.get_running_loop().create_future()
                task = asyncio.create_task(self._pass(taken))
                passes.add(task)
                task.add_done_callback(finished)
                try:
                    count = await asyncio.shield(taken)
                except Exception:
                    # It took nothing: let ``finished`` see it, then back off.
                    await asyncio.gather(task, return_exceptions=True)
                    continue
                if count:
                    backoff = 0.5
                if count >= self.batch_size:
                    continue
                if time.monotonic() >= self._next_lag_record:
                    # At most once a second: it is a metric, not worth a query per pass.
                    self._next_lag_record = time.monotonic() + 1.0
                    await self._record_lag()
                # A pass that fails later has put its rows back: that wakes the loop too.
                await self._wait_for_commit(failed)
        finally:
            pruning.cancel()
            await asyncio.gather(pruning, *passes, return_exceptions=True)
            await self._unlisten()

    def stop(self) -> None:
        self._stopping.set()

    async def prune(self) -> tuple[int, int]:
        """Delete what the retention no longer keeps; returns (outbox rows, inbox records).

        Pending outbox rows are never deleted, however old.
        """
        if self.retention is None:
            return 0, 0
        now = utcnow()
        outbox = await self._delete_all(_PRUNE_OUTBOX, now - self.retention.outbox)
        inbox = await self._delete_all(_PRUNE_INBOX, now - self.retention.inbox)
        return outbox, inbox

    async def _delete_all(self, statement: Delete, cutoff: datetime) -> int:
        deleted = 0
        while not self._stopping.is_set():
            async with self.database.relay_engine.begin() as connection:
                count = (await connection.execute(statement, {"cutoff": cutoff})).rowcount
            deleted += count
            if count < PRUNE_BATCH:
                break
        return deleted

    async def _prune_periodically(self) -> None:
        while self.retention is not None and not self._stopping.is_set():
            # Housekeeping: a failure waits for the next round, the relay goes on.
            try:
                outbox, inbox = await self.prune()
            except Exception:
                log.exception("pruning the outbox and inbox failed", service=self.database.service)
            else:
                if outbox or inbox:
                    log.info(
                        "outbox and inbox pruned",
                        service=self.database.service,
                        outbox_rows=outbox,
                        inbox_records=inbox,
                    )
            await self._sleep(PRUNE_INTERVAL_SECONDS)

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

    async def _wait_for_commit(self, failed: asyncio.Event) -> None:
        waits = {
            asyncio.ensure_future(signal.wait())
            for signal in (self.database.outbox_committed, self._stopping, failed)
        }
        try:
            await asyncio.wait(waits, timeout=self.idle_check, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()

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

        await asyncpg_connection.add_listener(OUTBOX_CHANNEL, wake)
        self._listener = (raw, asyncpg_connection, wake)

    async def _unlisten(self) -> None:
        if self._listener is None:
            return
        raw, asyncpg_connection, wake = self._listener
        self._listener = None
        with contextlib.suppress(Exception):
            await asyncpg_connection.remove_listener(OUTBOX_CHANNEL, wake)
        raw.close()

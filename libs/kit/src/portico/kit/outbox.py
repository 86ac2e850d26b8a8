"""The transactional outbox's relay: events written by ``tx.emit`` (``portico.kit.transaction``)
with their transaction's rows are published to the bus once committed.

A relay pass is one transaction: take the oldest pending rows, publish them, mark them.
On PostgreSQL the rows are taken ``FOR UPDATE SKIP LOCKED``, so several relays share the
table without waiting on each other, and a relay that dies mid-pass leaves nothing behind:
its transaction aborts, the rows are pending again at once and are published again (the
consumers' inbox absorbs the duplicate). SQLite has a single writer and no row locks: the
embedded process runs one relay per database file (docs/architecture.md, "Events").
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
from sqlalchemy import Delete, bindparam, delete, func, select, tuple_, update

from portico.contracts import Envelope, carries_secrets, masked_stored
from portico.kit.bus import Bus
from portico.kit.db import Database, utcnow
from portico.kit.metrics import OUTBOX_LAG_SECONDS, OUTBOX_PENDING
from portico.kit.tables import OUTBOX_CHANNEL, inbox_table, outbox_table

log = structlog.get_logger(__name__)


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


class SqlitePass:
    """A relay pass on SQLite, through SQLAlchemy Core: one writer, no row locks, so the
    embedded process runs one relay per database file, one pass at a time."""

    def __init__(self, database: Database, bus: Bus, batch_size: int) -> None:
        self.database = database
        self.bus = bus
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

    async def __call__(self) -> int:
        async with self.database.relay_engine.begin() as connection:
            rows = (await connection.execute(self._pending)).all()
            if not rows:
                return 0
            await self.bus.publish([Envelope.from_stored(row.body) for row in rows])
            await connection.execute(
                self._mark, {"seqs": [row.seq for row in rows], "now": utcnow()}
            )
            if masked := _masked_bodies(rows):
                await connection.execute(
                    self._mask,
                    [{"masked_seq": seq, "masked_body": body} for seq, body in masked.items()],
                )
            return len(rows)


class PostgresPass:
    """A relay pass on the driver's own connection (asyncpg), taken from the relay's pool.

    Through SQLAlchemy's async layer a one-event pass cost 0.8 ms of CPU, on the driver
    0.25 ms: at a few hundred passes a second that was a sixth of a core. The rows are
    taken ``FOR UPDATE SKIP LOCKED``, so several relays share the table without waiting on
    each other, and the mark travels with the COMMIT, one round trip for both.
    """

    def __init__(self, database: Database, bus: Bus, batch_size: int) -> None:
        self.database = database
        self.bus = bus
        self.batch_size = batch_size

    async def __call__(self) -> int:
        pooled = await self.database.relay_engine.raw_connection()
        connection = pooled.driver_connection
        assert connection is not None  # a pooled connection has its driver's
        try:
            await connection.execute("BEGIN")
            try:
                rows = await connection.fetch(_TAKE, self.batch_size)
                if not rows:
                    await connection.execute("COMMIT")
                    return 0
                await self.bus.publish([Envelope.from_stored(row["body"]) for row in rows])
                await connection.execute(
                    _mark_and_commit([row["seq"] for row in rows], _masked_bodies(rows))
                )
                return len(rows)
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


class Relay:
    """Publishes a service's outbox rows to the bus, oldest first, in batches.

    One pass at a time: the events committed during a pass wait for it and go together in
    the next, which costs less (a transaction for several events) than a pass of its own
    each. A pass takes a batch, publishes it and marks it in one transaction: a failure
    rolls it back and leaves the rows pending, published again later (consumers never rely
    on order, and their inbox absorbs a duplicate).
    """

    def __init__(
        self,
        database: Database,
        bus: Bus,
        *,
        batch_size: int = 200,
        idle_check: float = 30.0,
        retention: Retention | None = None,
    ) -> None:
        self.database = database
        self.bus = bus
        self.batch_size = batch_size
        # None keeps everything (a relay of the tests); a service's relay has the settings'.
        self.retention = retention
        take = PostgresPass if database.is_postgres else SqlitePass
        self._pass = take(database, bus, batch_size)
        # Without any wake-up (another process's commit on SQLite, a lost NOTIFY), rows
        # are still found within this many seconds.
        self.idle_check = idle_check
        self._stopping = asyncio.Event()
        self._listener: Any = None
        self._next_lag_record = 0.0

    async def publish_pending(self) -> int:
        """One pass: publish the oldest pending rows, then mark them. Returns how many."""
        return await self._pass()

    async def run(self) -> None:
        """Publish until stopped, waking as soon as a transaction with events commits.

        Pruning runs beside the passes, so that a first prune of a long history never
        holds up the events of the moment."""
        await self._listen()
        pruning = asyncio.create_task(self._prune_periodically())
        backoff = 0.5
        try:
            while not self._stopping.is_set():
                self.database.outbox_committed.clear()
                try:
                    count = await self._pass()
                except Exception:
                    log.exception("outbox relay pass failed", service=self.database.service)
                    await self._sleep(backoff)
                    backoff = min(backoff * 2, 30.0)
                    continue
                backoff = 0.5
                if count >= self.batch_size:
                    continue
                if time.monotonic() >= self._next_lag_record:
                    # At most once a second: it is a metric, not worth a query per pass.
                    self._next_lag_record = time.monotonic() + 1.0
                    await self._record_lag()
                await self._wait_for_commit()
        finally:
            pruning.cancel()
            await asyncio.gather(pruning, return_exceptions=True)
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

    async def _wait_for_commit(self) -> None:
        waits = {
            asyncio.ensure_future(signal.wait())
            for signal in (self.database.outbox_committed, self._stopping)
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
        assert asyncpg_connection is not None
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

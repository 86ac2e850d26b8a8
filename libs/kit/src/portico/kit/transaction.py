"""One unit of work: a database transaction and what it sets off when, and only if, it commits.

Every write in a service happens in a ``Transaction``, opened by ``Database.transaction()``:
an endpoint gets one as ``Tx`` (``portico.kit.deps``), an event handler as ``context.tx``,
a job handler opens its own. It is the SQLAlchemy ``AsyncSession`` the code writes with,
and beside the rows it carries:

- ``tx.emit(event)``: the event joins the service's outbox in this transaction; the relay
  publishes it once the transaction has committed (``portico.kit.outbox``);
- ``await tx.enqueue(kind, payload)``: a job, claimed by the jobs runner once committed
  (``portico.kit.jobs``);
- ``tx.before_commit(fn)``: work gathered over the transaction and written at its end in one
  statement (the notifier's deliveries of a batch of events);
- ``tx.after_commit(fn)``: what may happen only once the rows are safe and never if they are
  rolled back, such as removing a file from the blob store.

``Database.transaction()`` runs these steps in that order around the commit, in plain code:
nothing is registered on SQLAlchemy's classes, and a session of another engine (a migration,
a script) is untouched.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import structlog
from sqlalchemy import insert, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from portico.contracts import Envelope, Event
from portico.kit.db import Database, utcnow
from portico.kit.jobs.queue import insert_job, insert_jobs
from portico.kit.observability import (
    current_causation_id,
    current_correlation_id,
    current_traceparent,
)
from portico.kit.tables import outbox_table

log = structlog.get_logger(__name__)

BeforeCommit = Callable[["Transaction"], Awaitable[None]]
AfterCommit = Callable[[], Awaitable[object]]

# An outbox row's columns, in the order ``emit`` keeps them.
_OUTBOX_COLUMNS = ("event_id", "event_type", "body", "created_at")
_INSERT_OUTBOX = (
    "INSERT INTO outbox (event_id, event_type, body, created_at) VALUES ($1, $2, $3, $4)"
)


class NotInTransaction(RuntimeError):
    """``emit``, ``enqueue`` or a commit hook on a session not opened by
    ``Database.transaction()``: nothing would write or run them, so they are refused."""


M = TypeVar("M")


class Transaction(AsyncSession):
    """A session opened by ``Database.transaction()`` (see the module's docstring)."""

    def __init__(self, *args: Any, database: Database, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.database = database
        self._open = False
        self._outbox: list[tuple[str, str, bytes, datetime]] = []
        self._before: dict[BeforeCommit, None] = {}
        self._after: list[AfterCommit] = []
        self._jobs_added = False

    def emit(self, event: Event) -> Envelope:
        """Add ``event`` to the service's outbox, written with this transaction's rows.

        The envelope takes the correlation id, the causing event and the trace of the
        current request or handler, so one trace and one correlation id run across
        services.
        """
        self._check_open("emit")
        envelope = Envelope.wrap(
            event,
            source=self.database.service,
            correlation_id=current_correlation_id(),
            causation_id=current_causation_id(),
            traceparent=current_traceparent(),
        )
        self._outbox.append((str(envelope.id), envelope.type, envelope.to_json(), utcnow()))
        return envelope

    async def enqueue(
        self,
        kind: str,
        payload: Mapping[str, Any],
        *,
        run_at: datetime | None = None,
        key: str | None = None,
    ) -> str | None:
        """Add a job to run at ``run_at`` (now by default): it exists once this transaction
        commits, and never if it rolls back. With a ``key`` already held by a job (pending,
        running, done or parked, until done jobs are pruned) it adds nothing: a redelivered
        event or a repeated request enqueues once. Answers the new job's id, or None when
        the key was taken. ``payload`` is stored as JSON: plain values only."""
        self._check_open("enqueue")
        job_id = await insert_job(self, kind, payload, run_at=run_at, key=key)
        self._jobs_added = True
        return job_id

    async def enqueue_many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Several jobs (rows of ``portico.kit.jobs.job_values``) in one statement; a keyed
        row whose key is taken is left out, as with ``enqueue``."""
        self._check_open("enqueue")
        if rows:
            await insert_jobs(self, rows)
            self._jobs_added = True

    async def locked(self, model: type[M], key: Any) -> M | None:
        """The row of ``model`` with primary key ``key``, locked until the transaction
        ends (None when there is none): two requests that change what hangs on it run one
        after the other, the second seeing what the first committed.

        PostgreSQL locks the row (``FOR UPDATE``). SQLite has no row locks and reads
        outside any transaction, so an UPDATE that changes nothing comes first: it takes
        the database's write lock, and the second request waits for the first to commit
        before it reads."""
        [primary] = inspect(model).primary_key
        if not self.database.is_postgres:
            await self.execute(
                update(model)
                .where(primary == key)
                .values({primary.name: primary})
                .execution_options(synchronize_session=False)
            )
        found: M | None = (
            await self.execute(
                select(model)
                .where(primary == key)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        ).scalar_one_or_none()
        return found

    def before_commit(self, fn: BeforeCommit) -> None:
        """Run ``await fn(tx)`` just before the commit, once however often it is registered
        before then: for work gathered across a transaction and written together. It may
        still write, emit and enqueue."""
        self._check_open("before_commit")
        self._before.setdefault(fn, None)

    def after_commit(self, fn: AfterCommit) -> None:
        """Run ``await fn()`` once this transaction has committed, and never if it rolls
        back. A failure is logged, not raised: the transaction stands. What must not be
        lost is better a job (``enqueue``), retried until done."""
        self._check_open("after_commit")
        self._after.append(fn)

    def _check_open(self, what: str) -> None:
        if not self._open:
            raise NotInTransaction(f"{what} needs a transaction from Database.transaction()")

    async def _write_before_commit(self) -> None:
        # A step may emit or register another: take them one by one until none is left.
        while self._before:
            fn = next(iter(self._before))
            del self._before[fn]
            await fn(self)
        if self._outbox:
            await self.run_sync(_insert_outbox_rows, self._outbox)

    async def _run_after_commit(self) -> None:
        database = self.database
        if self._outbox:
            database.outbox_committed.set()
        if self._jobs_added:
            # The runner of this process starts the jobs at once rather than at its next
            # poll; another process's runner finds them at its next poll (a second at most).
            database.jobs_committed.set()
        for fn in self._after:
            try:
                await fn()
            except Exception:
                log.exception("an after-commit step failed", service=database.service)


def _insert_outbox_rows(session: Session, rows: list[tuple[str, str, bytes, datetime]]) -> None:
    # On PostgreSQL a trigger also notifies the listening relays, delivered when (and if)
    # the transaction commits (``tables.OUTBOX_CHANNEL``).
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # On the DBAPI cursor of the transaction's connection (which begins the transaction
        # if nothing has yet): SQLAlchemy's statement layer around this one insert cost a
        # one-event transaction a sixth of its CPU (bench/README.md).
        with contextlib.closing(connection.connection.cursor()) as cursor:
            cursor.executemany(_INSERT_OUTBOX, rows)
    else:
        session.execute(
            insert(outbox_table), [dict(zip(_OUTBOX_COLUMNS, row, strict=True)) for row in rows]
        )


@contextlib.asynccontextmanager
async def open_transaction(database: Database) -> AsyncIterator[Transaction]:
    """``Database.transaction()``: begin, yield, run the before-commit work, commit, then
    the after-commit work; an exception rolls everything back and runs none of it."""
    async with database.sessions() as tx:
        tx._open = True
        try:
            async with tx.begin():
                yield tx
                await tx._write_before_commit()
            await tx._run_after_commit()
        finally:
            tx._open = False

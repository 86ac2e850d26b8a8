"""Adding jobs (in the caller's transaction) and the operator's view of parked ones."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, event, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from portico.kit.db import Database, utcnow
from portico.kit.tables import jobs_table

KIND_MAX = jobs_table.c.kind.type.length
KEY_MAX = jobs_table.c.key.type.length
# Set in a session whose transaction added jobs: its commit wakes this process's runner.
ADDED = "portico_jobs_added"


async def enqueue(
    session: AsyncSession,
    kind: str,
    payload: Mapping[str, Any],
    *,
    run_at: datetime | None = None,
    key: str | None = None,
) -> str | None:
    """Add a job to run at ``run_at`` (now by default), in the session's transaction: it
    exists once the caller commits, and never if the caller rolls back.

    With a ``key``, a job already holding that key (pending, running, done or parked, until
    done jobs are pruned) makes this a no-op: a redelivered event or a repeated request
    enqueues nothing more. Answers the new job's id, or None when the key was taken.
    ``payload`` is stored as JSON: plain values only.
    """
    statement: Insert = _insert(session.get_bind().dialect.name).values(
        job_values(kind, payload, run_at=run_at, key=key)
    )
    if key is not None:
        statement = statement.on_conflict_do_nothing(index_elements=["key"])  # type: ignore[attr-defined]
    result = await session.execute(statement.returning(jobs_table.c.id))
    session.info[ADDED] = True
    return result.scalar_one_or_none()


def job_values(
    kind: str,
    payload: Mapping[str, Any],
    *,
    run_at: datetime | None = None,
    key: str | None = None,
) -> dict[str, Any]:
    """The row of a new job, for ``add_jobs``."""
    if not kind or len(kind) > KIND_MAX:
        raise ValueError(f"a job kind has 1 to {KIND_MAX} characters")
    if key is not None and (not key or len(key) > KEY_MAX):
        raise ValueError(f"a job key has 1 to {KEY_MAX} characters")
    now = utcnow()
    return {
        "id": str(uuid.uuid4()),
        "kind": kind,
        "payload": dict(payload),
        "key": key,
        "run_at": run_at or now,
        "status": "pending",
        "tries": 0,
        "created_at": now,
    }


def add_jobs(session: Session, rows: list[dict[str, Any]]) -> None:
    """Several jobs (``job_values``) in one statement, from a synchronous session: a
    ``before_commit`` hook that gathers a transaction's work into jobs (the notifier's
    deliveries). A keyed row whose key is taken is left out, as with ``enqueue``."""
    if not rows:
        return
    statement = _insert(session.get_bind().dialect.name).on_conflict_do_nothing(  # type: ignore[attr-defined]
        index_elements=["key"]
    )
    session.execute(statement, rows)
    session.info[ADDED] = True


@event.listens_for(Session, "after_commit")
def _wake_runner(session: Session) -> None:
    # The runner of this process starts the jobs at once rather than at its next poll;
    # another process's runner finds them at its next poll (a second at most).
    database = session.info.get("portico_database")
    # A session of another engine (a migration, a script) has no runner to wake.
    if session.info.pop(ADDED, False) and database is not None:
        database.jobs_committed.set()


@event.listens_for(Session, "after_rollback")
def _forget_added(session: Session) -> None:
    session.info.pop(ADDED, None)


def _insert(dialect: str) -> Insert:
    if dialect == "postgresql":
        return postgresql_insert(jobs_table)
    return sqlite_insert(jobs_table)


@dataclass(frozen=True)
class ParkedJob:
    id: str
    kind: str
    payload: dict[str, Any]
    tries: int
    last_error: str | None
    created_at: datetime
    parked_at: datetime | None


async def parked_jobs(database: Database, *, limit: int = 100) -> list[ParkedJob]:
    """The jobs that failed their last try, most recently parked first."""
    async with database.sessions() as session:
        rows = await session.execute(
            select(jobs_table)
            .where(jobs_table.c.status == "parked")
            .order_by(jobs_table.c.finished_at.desc())
            .limit(limit)
        )
        return [
            ParkedJob(
                id=row.id,
                kind=row.kind,
                payload=dict(row.payload),
                tries=row.tries,
                last_error=row.last_error,
                created_at=row.created_at,
                parked_at=row.finished_at,
            )
            for row in rows
        ]


async def retry_parked(database: Database, ids: Collection[str] | None = None) -> int:
    """Put parked jobs (all of them, or those of ``ids``) back to run now with a full set
    of tries, once the cause is fixed. Answers how many."""
    statement = (
        update(jobs_table)
        .where(jobs_table.c.status == "parked")
        .values(status="pending", tries=0, run_at=utcnow(), finished_at=None)
    )
    if ids is not None:
        statement = statement.where(jobs_table.c.id.in_(list(ids)))
    async with database.sessions.begin() as session:
        result = await session.execute(statement)
        return int(result.rowcount)

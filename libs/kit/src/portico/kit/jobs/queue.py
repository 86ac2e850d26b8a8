"""Adding jobs (in the caller's transaction, through ``Transaction.enqueue``) and the
operator's view of parked ones."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from portico.kit.db import Database, utcnow
from portico.kit.tables import JOB_KEY_MAX, JOB_KIND_MAX, jobs_table

KIND_MAX = JOB_KIND_MAX
KEY_MAX = JOB_KEY_MAX


async def insert_job(
    session: AsyncSession,
    kind: str,
    payload: Mapping[str, Any],
    *,
    run_at: datetime | None = None,
    key: str | None = None,
) -> str | None:
    """The statement behind ``Transaction.enqueue`` (which documents it)."""
    statement: Insert = _insert(session.get_bind().dialect.name).values(
        job_values(kind, payload, run_at=run_at, key=key)
    )
    if key is not None:
        statement = statement.on_conflict_do_nothing(index_elements=["key"])  # type: ignore[attr-defined]
    result = await session.execute(statement.returning(jobs_table.c.id))
    return result.scalar_one_or_none()


async def insert_jobs(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
    """The statement behind ``Transaction.enqueue_many``."""
    statement = _insert(session.get_bind().dialect.name).on_conflict_do_nothing(  # type: ignore[attr-defined]
        index_elements=["key"]
    )
    await session.execute(statement, list(rows))


def job_values(
    kind: str,
    payload: Mapping[str, Any],
    *,
    run_at: datetime | None = None,
    key: str | None = None,
) -> dict[str, Any]:
    """The row of a new job, for ``Transaction.enqueue_many``."""
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
    async with database.transaction() as tx:
        result = await tx.execute(statement)
        return int(result.rowcount)  # type: ignore[attr-defined]

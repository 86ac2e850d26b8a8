"""The unit of work (``Database.transaction()``): rows, events, jobs and the steps around the
commit go together or not at all, on both backends."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from portico.contracts.events.portal import ClientDeleted
from portico.kit.db import Database, messaging_metadata
from portico.kit.tables import jobs_table, outbox_table
from portico.kit.transaction import NotInTransaction, Transaction


@pytest.fixture
async def database(backend_url: str) -> AsyncIterator[Database]:
    made = Database(backend_url, service="unittest")
    async with made.engine.begin() as connection:
        await connection.run_sync(messaging_metadata.create_all)
    try:
        yield made
    finally:
        await made.dispose()


async def _counts(database: Database) -> tuple[int, int]:
    """(outbox rows, jobs), read in a session of their own."""
    async with database.sessions() as session:
        events = await session.scalar(select(func.count()).select_from(outbox_table))
        jobs = await session.scalar(select(func.count()).select_from(jobs_table))
    return int(events or 0), int(jobs or 0)


async def test_a_committed_transaction_writes_its_events_and_jobs_then_runs_its_after_steps(
    database: Database,
) -> None:
    seen_after: list[tuple[int, int]] = []
    order: list[str] = []

    async def gathered(tx: Transaction) -> None:
        # Written at the end, with whatever the transaction gathered: it may still emit.
        order.append("before")
        tx.emit(ClientDeleted(client_id=uuid.uuid4()))

    async def after() -> None:
        order.append("after")
        seen_after.append(await _counts(database))

    async with database.transaction() as tx:
        envelope = tx.emit(ClientDeleted(client_id=uuid.uuid4()))
        assert await tx.enqueue("unit.purge", {"client": "c1"}) is not None
        tx.before_commit(gathered)
        tx.before_commit(gathered)  # once per transaction, however often registered
        tx.after_commit(after)
        # Nothing is visible outside before the commit, nothing has run after it.
        assert order == [] and await _counts(database) == (0, 0)

    assert order == ["before", "after"]
    # The after step ran once the rows were committed: another session sees them.
    assert seen_after == [(2, 1)]
    assert envelope.source == "unittest"
    assert database.outbox_committed.is_set() and database.jobs_committed.is_set()


async def test_a_rolled_back_transaction_leaves_no_event_no_job_and_runs_nothing(
    database: Database,
) -> None:
    ran: list[str] = []

    async def step(*_: object) -> None:
        ran.append("step")

    with pytest.raises(LookupError):
        async with database.transaction() as tx:
            tx.emit(ClientDeleted(client_id=uuid.uuid4()))
            await tx.enqueue("unit.purge", {"client": "c1"})
            tx.before_commit(step)
            tx.after_commit(step)
            raise LookupError("the request failed after its writes")

    assert ran == []
    assert await _counts(database) == (0, 0)
    assert not database.outbox_committed.is_set() and not database.jobs_committed.is_set()


async def test_a_failing_after_step_leaves_the_transaction_committed(
    database: Database,
) -> None:
    ran: list[str] = []

    async def failing() -> None:
        raise OSError("the blob store is unreachable")

    async def next_one() -> None:
        ran.append("next")

    async with database.transaction() as tx:
        tx.emit(ClientDeleted(client_id=uuid.uuid4()))
        tx.after_commit(failing)
        tx.after_commit(next_one)

    assert await _counts(database) == (1, 0)
    assert ran == ["next"]


async def test_a_session_for_reading_cannot_emit_or_enqueue(database: Database) -> None:
    async with database.sessions() as session:
        assert isinstance(session, AsyncSession)
        with pytest.raises(NotInTransaction, match=r"Database\.transaction\(\)"):
            session.emit(ClientDeleted(client_id=uuid.uuid4()))
        with pytest.raises(NotInTransaction):
            await session.enqueue("unit.purge", {})
        with pytest.raises(NotInTransaction):
            session.after_commit(_nothing)


async def _nothing() -> None:
    return None

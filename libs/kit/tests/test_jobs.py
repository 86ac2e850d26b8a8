"""Durable jobs on both databases: enqueue in a transaction, run once, retry, park, schedules,
several runners, a runner killed mid-job, a graceful stop, work in another process.

SQLite runs one runner per file (as the embedded process does); the tests of several
runners at once run on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import textwrap
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY
from pydantic import ValidationError
from sqlalchemy import func, select

from portico.kit.bus import RetryPolicy
from portico.kit.db import Database, messaging_metadata, utcnow
from portico.kit.jobs import (
    Job,
    JobContext,
    JobRunner,
    JobSettings,
    JobTable,
    Schedule,
    parked_jobs,
    retry_parked,
)
from portico.kit.tables import jobs_table
from portico.kit.testing.database import PostgresDatabases

RETRY = RetryPolicy(delays=(0.3, 0.9))


async def eventually(check: Callable[[], Any], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


@dataclass
class Jobs:
    """A service's database in a test, and the runners started on it."""

    url: str
    database: Database
    runners: list[tuple[JobRunner, asyncio.Task[None]]] = field(default_factory=list)
    extra: list[Database] = field(default_factory=list)

    def start(self, table: JobTable, *, separate: bool = False, **options: Any) -> JobRunner:
        """A runner on this database (``separate``: with its own engine and pool, as
        another process would have)."""
        database = self.database
        if separate:
            database = Database(self.url, service=self.database.service)
            self.extra.append(database)
        options.setdefault("poll_interval", 0.05)
        runner = JobRunner(database, table, JobContext(database), **options)
        self.runners.append((runner, asyncio.create_task(runner.run())))
        return runner

    async def add(self, kind: str, payload: dict[str, Any] | None = None, **options: Any) -> str:
        async with self.database.transaction() as tx:
            job_id = await tx.enqueue(kind, payload or {}, **options)
        assert job_id is not None
        return job_id

    async def row(self, job_id: str) -> Any:
        async with self.database.sessions() as session:
            return (
                await session.execute(select(jobs_table).where(jobs_table.c.id == job_id))
            ).one()

    async def count(self, **where: Any) -> int:
        statement = select(func.count()).select_from(jobs_table)
        for column, value in where.items():
            statement = statement.where(jobs_table.c[column] == value)
        async with self.database.sessions() as session:
            return int(await session.scalar(statement) or 0)

    async def has(self, job_id: str, status: str) -> bool:
        return bool((await self.row(job_id)).status == status)


async def make_jobs(url: str) -> Jobs:
    database = Database(url, service=f"jobtest{uuid.uuid4().hex[:6]}")
    async with database.engine.begin() as connection:
        await connection.run_sync(messaging_metadata.create_all)
    return Jobs(url=url, database=database)


async def close(jobs: Jobs) -> None:
    for runner, task in jobs.runners:
        await runner.stop(1.0)
        await asyncio.wait_for(task, 5)
    for database in [jobs.database, *jobs.extra]:
        await database.dispose()


@pytest.fixture
async def jobs(backend_url: str) -> AsyncIterator[Jobs]:
    made = await make_jobs(backend_url)
    try:
        yield made
    finally:
        await close(made)


@pytest.fixture
async def pg_jobs(postgres_server_url: str) -> AsyncIterator[Jobs]:
    databases = PostgresDatabases(postgres_server_url)
    made = await make_jobs(await databases.create("jobs"))
    try:
        yield made
    finally:
        await close(made)
        await databases.drop_all()


def recorder(runs: list[Job]) -> Callable[[JobContext, Job], Awaitable[None]]:
    async def record(_context: JobContext, job: Job) -> None:
        runs.append(job)

    return record


async def test_a_rolled_back_enqueue_leaves_no_job(jobs: Jobs) -> None:
    with pytest.raises(RuntimeError, match="changed my mind"):
        async with jobs.database.transaction() as tx:
            assert await tx.enqueue("seal", {"document": "d1"}) is not None
            raise RuntimeError("changed my mind")
    assert await jobs.count() == 0

    await jobs.add("seal", {"document": "d2"})
    assert await jobs.count(kind="seal", status="pending") == 1


async def test_a_job_runs_once_and_is_done(jobs: Jobs) -> None:
    runs: list[Job] = []
    jobs.start({"seal": recorder(runs)})
    job_id = await jobs.add("seal", {"document": "d1"})

    await eventually(lambda: runs)
    await eventually(lambda: jobs.has(job_id, "done"))
    await asyncio.sleep(0.3)
    assert [(job.id, job.payload, job.tries, job.is_last_try) for job in runs] == [
        (job_id, {"document": "d1"}, 1, False)
    ]
    row = await jobs.row(job_id)
    assert row.finished_at is not None and row.claimed_until is None


async def test_a_job_due_later_waits_for_its_time(jobs: Jobs) -> None:
    runs: list[Job] = []
    jobs.start({"expire": recorder(runs)})
    enqueued = time.monotonic()
    await jobs.add("expire", run_at=utcnow() + timedelta(seconds=1.0))

    await eventually(lambda: runs)
    assert 0.9 <= time.monotonic() - enqueued < 3.0


async def test_a_failing_job_is_retried_with_growing_delays_then_parked_until_retried(
    jobs: Jobs,
) -> None:
    tries: list[tuple[float, Job]] = []
    fixed = asyncio.Event()

    async def render(_context: JobContext, job: Job) -> None:
        tries.append((time.monotonic(), job))
        if not fixed.is_set():
            raise RuntimeError("the renderer is down")

    runner = jobs.start({"render": render}, retry=RETRY)
    job_id = await jobs.add("render", {"quote": "q1"})

    await eventually(lambda: jobs.has(job_id, "parked"))
    assert [job.tries for _, job in tries] == [1, 2, 3]
    assert [job.is_last_try for _, job in tries] == [False, False, True]
    first_wait = tries[1][0] - tries[0][0]
    second_wait = tries[2][0] - tries[1][0]
    assert 0.3 <= first_wait < second_wait
    assert second_wait >= 0.9
    (parked,) = await parked_jobs(jobs.database)
    assert (parked.id, parked.kind, parked.tries) == (job_id, "render", 3)
    assert parked.last_error is not None and "the renderer is down" in parked.last_error
    assert (await runner.stats()).parked == 1

    fixed.set()
    assert await retry_parked(jobs.database, [job_id]) == 1
    runner.wake()
    await eventually(lambda: jobs.has(job_id, "done"))
    assert [job.tries for _, job in tries] == [1, 2, 3, 1]
    assert await parked_jobs(jobs.database) == []


async def test_a_job_without_a_handler_is_parked_after_its_tries(jobs: Jobs) -> None:
    jobs.start({"seal": recorder([])}, retry=RetryPolicy(delays=(0.05,)))
    job_id = await jobs.add("renamed_kind")

    await eventually(lambda: jobs.has(job_id, "parked"))
    (parked,) = await parked_jobs(jobs.database)
    assert parked.last_error is not None and "no handler for job kind" in parked.last_error


async def test_a_keyed_enqueue_twice_makes_one_job(jobs: Jobs) -> None:
    async with jobs.database.transaction() as tx:
        first = await tx.enqueue("remind", {"n": 1}, key="remind:doc-1:2026-12-04")
    async with jobs.database.transaction() as tx:
        second = await tx.enqueue("remind", {"n": 2}, key="remind:doc-1:2026-12-04")

    assert first is not None and second is None
    assert await jobs.count() == 1
    assert (await jobs.row(first)).payload == {"n": 1}


async def test_stats_count_due_jobs_and_the_oldest_wait_and_feed_the_metrics(jobs: Jobs) -> None:
    release = asyncio.Event()

    async def wait(_context: JobContext, _job: Job) -> None:
        await release.wait()

    await jobs.add("late", run_at=utcnow() - timedelta(seconds=30))
    await jobs.add("late", run_at=utcnow() + timedelta(hours=1))
    runner = JobRunner(jobs.database, {"late": wait}, JobContext(jobs.database))
    stats = await runner.stats()
    assert (stats.due, stats.running, stats.parked) == (1, 0, 0)
    assert 30 <= stats.oldest_due_seconds < 40

    started = jobs.start({"late": wait})
    labels = {"service": jobs.database.service}
    await eventually(
        lambda: (REGISTRY.get_sample_value("portico_jobs_oldest_due_seconds", labels) or 0) >= 30
    )
    await eventually(lambda: jobs.count(status="running"))
    assert (await started.stats()).running == 1
    release.set()


async def test_a_graceful_stop_releases_a_job_still_running_with_its_tries(jobs: Jobs) -> None:
    started = asyncio.Event()

    async def stamp(_context: JobContext, _job: Job) -> None:
        started.set()
        await asyncio.sleep(60)

    runner = jobs.start({"stamp": stamp})
    job_id = await jobs.add("stamp")
    await asyncio.wait_for(started.wait(), 10)
    run_task = jobs.runners[-1][1]

    began = time.monotonic()
    await runner.stop(0.5)
    took = time.monotonic() - began

    assert 0.5 <= took < 2.0
    await asyncio.wait_for(run_task, 0.5)
    row = await jobs.row(job_id)
    assert (row.status, row.tries, row.claimed_by, row.claimed_until) == (
        "pending",
        0,
        None,
        None,
    )


async def test_a_job_of_a_killed_runner_is_taken_by_another_after_its_lease(
    jobs: Jobs, tmp_path: Path
) -> None:
    lease = 1.5
    script = tmp_path / "doomed_runner.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import asyncio, sys
            from portico.kit.db import Database
            from portico.kit.jobs import JobContext, JobRunner

            async def stamp(context, job):
                await asyncio.sleep(600)

            async def main():
                database = Database(sys.argv[1], service="jobtest")
                runner = JobRunner(
                    database, {{"stamp": stamp}}, JobContext(database),
                    lease={lease}, name="doomed", poll_interval=0.05,
                )
                await runner.run()

            asyncio.run(main())
            """
        )
    )
    job_id = await jobs.add("stamp", {"pdf": "p1"})
    doomed = await asyncio.create_subprocess_exec(sys.executable, str(script), jobs.url)
    try:
        await eventually(lambda: _claimed_by(jobs, job_id, "doomed"), timeout=30)
        # A lease later, the heartbeat has extended it while the job runs.
        await asyncio.sleep(lease)
        row = await jobs.row(job_id)
        assert row.status == "running" and row.claimed_until > utcnow()
    finally:
        doomed.send_signal(signal.SIGKILL)
        await doomed.wait()
    killed = time.monotonic()

    runs: list[Job] = []
    jobs.start({"stamp": recorder(runs)}, lease=lease)
    await eventually(lambda: jobs.has(job_id, "done"), timeout=15)
    assert time.monotonic() - killed < lease + 3.0
    assert [(job.id, job.tries) for job in runs] == [(job_id, 2)]


async def _claimed_by(jobs: Jobs, job_id: str, name: str) -> bool:
    row = await jobs.row(job_id)
    return bool(row.status == "running" and row.claimed_by == name)


@pytest.fixture
async def sqlite_jobs(sqlite_url) -> AsyncIterator[Jobs]:
    made = await make_jobs(sqlite_url("jobs"))
    try:
        yield made
    finally:
        await close(made)


async def test_compute_runs_in_another_process_while_the_loop_keeps_answering(
    sqlite_jobs: Jobs,
) -> None:
    jobs = sqlite_jobs
    results: dict[str, int] = {}
    ticks = 0

    async def render(context: JobContext, _job: Job) -> None:
        results["pid"] = await context.compute(os.getpid)
        results["ticks_before"] = ticks
        await context.compute(time.sleep, 1.0)
        results["ticks_after"] = ticks

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    try:
        jobs.start({"render": render})
        job_id = await jobs.add("render")
        await eventually(lambda: jobs.has(job_id, "done"), timeout=60)
    finally:
        ticker.cancel()
    assert results["pid"] != os.getpid()
    # A second of sleep in the worker: the loop ticked all along (at 10 ms a tick).
    assert results["ticks_after"] - results["ticks_before"] >= 50


async def test_two_runners_on_postgresql_never_run_a_job_twice(pg_jobs: Jobs) -> None:
    runs: list[str] = []

    async def seal(_context: JobContext, job: Job) -> None:
        await asyncio.sleep(0.005)
        runs.append(job.id)

    async with pg_jobs.database.transaction() as tx:
        ids = {await tx.enqueue("seal", {"n": n}) for n in range(300)}
    for _ in range(2):
        pg_jobs.start({"seal": seal}, separate=True, concurrency=8)

    await eventually(lambda: len(runs) >= 300, timeout=60)
    await asyncio.sleep(0.5)
    assert Counter(runs).most_common(1)[0][1] == 1
    assert set(runs) == ids
    assert await pg_jobs.count(status="done") == 300


async def test_a_schedule_with_two_runners_on_postgresql_runs_once_per_slot(
    pg_jobs: Jobs,
) -> None:
    runs: list[Job] = []
    schedule = Schedule("sweep", "sweep", every=timedelta(seconds=1), payload={"scope": "all"})
    for _ in range(2):
        pg_jobs.start({"sweep": recorder(runs)}, separate=True, schedules=[schedule])

    await eventually(lambda: len(runs) >= 3, timeout=15)
    for runner, _ in pg_jobs.runners:
        await runner.stop(2.0)

    slots = [job.run_at for job in runs]
    assert len(slots) == len(set(slots))
    assert all(slot.microsecond == 0 for slot in slots)
    assert all(job.payload == {"scope": "all"} for job in runs)
    async with pg_jobs.database.sessions() as session:
        rows = await session.execute(
            select(jobs_table.c.id, jobs_table.c.key).where(jobs_table.c.status == "done")
        )
        done = {row.id: row.key for row in rows}
    assert {job.id: f"schedule:sweep:{job.run_at.isoformat()}" for job in runs} == done


async def test_a_runner_cancelled_without_a_stop_releases_its_job(jobs: Jobs) -> None:
    started = asyncio.Event()

    async def stamp(_context: JobContext, _job: Job) -> None:
        started.set()
        await asyncio.sleep(60)

    jobs.start({"stamp": stamp})
    job_id = await jobs.add("stamp")
    await asyncio.wait_for(started.wait(), 10)
    _runner, task = jobs.runners.pop()

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)

    row = await jobs.row(job_id)
    assert (row.status, row.tries, row.claimed_by) == ("pending", 0, None)


def test_the_runner_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTICO_JOBS_COMPUTE_WORKERS", "3")
    monkeypatch.setenv("PORTICO_JOBS_LEASE_SECONDS", "20")
    settings = JobSettings()
    assert (settings.compute_workers, settings.lease_seconds, settings.concurrency) == (3, 20, 4)
    monkeypatch.setenv("PORTICO_JOBS_COMPUTE_WORKERS", "0")
    with pytest.raises(ValidationError, match="compute_workers"):
        JobSettings()

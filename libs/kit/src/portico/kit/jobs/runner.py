"""The job runner: claims due jobs, runs them as tasks, retries, parks, releases.

A claim is one statement: ``UPDATE jobs … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP
LOCKED) RETURNING …``. It marks the jobs running under this runner's name with a lease
(``claimed_until``) that a heartbeat extends every third of the lease while they run. On
PostgreSQL several runners (in several processes) share the table without waiting on
each other; a runner that dies stops its heartbeat, and its jobs are claimed again by
another one within a lease. SQLite has no row locks and a single writer: run one runner
per database file (the embedded process does, as it runs one relay).

No transaction stays open around a handler: the claim commits, the handler opens its
own sessions, and the runner records the outcome in another short transaction. So a job
is done at least once, not exactly once: a handler whose runner dies after its writes and
before the done mark runs again, and must be idempotent.

``tries`` counts the tries started: the claim adds one, a graceful stop gives it back. A
job whose runner keeps dying under it (a process killed by the job itself) thus reaches
the last try and is parked, rather than taking every runner down in turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import traceback
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import ColumnElement, and_, bindparam, delete, func, or_, select, update

from portico.kit.bus.base import RetryPolicy
from portico.kit.db import Database, utcnow
from portico.kit.jobs.context import Job, JobContext, JobInterrupted, JobTable
from portico.kit.jobs.schedules import Schedule, slot_key, slot_start
from portico.kit.jobs.settings import DEFAULT_RETRY_DELAYS
from portico.kit.metrics import (
    JOBS_DONE,
    JOBS_DUE,
    JOBS_FAILED,
    JOBS_OLDEST_DUE_SECONDS,
    JOBS_PARKED,
    JOBS_RUNNING,
)
from portico.kit.tables import jobs_table

log = structlog.get_logger(__name__)

jobs = jobs_table.c
ERROR_MAX = 8000
STATS_INTERVAL = 5.0
PRUNE_INTERVAL = 3600.0
PRUNE_BATCH = 5000
# After a failed pass (the database away): wait this long before the next one.
PAUSE_AFTER_ERROR = 1.0
MIN_WAIT = 0.02
# Bounds on the steps of ``stop`` that come after its timeout: cancelled tasks get this
# long to unwind, the release transaction this long to commit.
UNWIND_SECONDS = 1.0
RELEASE_SECONDS = 5.0


@dataclass(frozen=True)
class JobStats:
    """The runner's view of its service's jobs, for health checks and metrics."""

    due: int
    running: int
    parked: int
    oldest_due_seconds: float


def default_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:200]


class JobRunner:
    """Runs a service's jobs: those of its table ``jobs`` (handlers by kind), plus a job
    per slot of each schedule. ``run()`` until ``stop(timeout)``.

    ``context`` is handed to every handler; the runner shuts its process pool down when
    it stops. ``retry`` gives the waits between tries (a job is parked after the last).
    """

    def __init__(
        self,
        database: Database,
        jobs: JobTable,
        context: JobContext,
        *,
        schedules: Sequence[Schedule] = (),
        concurrency: int = 4,
        lease: float = 15.0,
        retry: RetryPolicy | None = None,
        name: str | None = None,
        poll_interval: float = 1.0,
        retention: timedelta | None = timedelta(days=30),
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if lease <= 0:
            raise ValueError("lease must be positive")
        unknown = sorted({s.kind for s in schedules} - set(jobs))
        if unknown:
            raise ValueError(f"schedules name job kinds without a handler: {unknown}")
        names = [s.name for s in schedules]
        if len(set(names)) != len(names):
            raise ValueError("two schedules have the same name")
        self.database = database
        self.jobs = jobs
        self.context = context
        self.schedules = tuple(schedules)
        self.concurrency = concurrency
        self.lease = timedelta(seconds=lease)
        self.retry = retry or RetryPolicy(delays=DEFAULT_RETRY_DELAYS)
        self.name = name or default_name()
        self.poll_interval = poll_interval
        # None keeps done jobs for ever (tests); a service's runner has the settings'.
        self.retention = retention
        self.service = database.service
        self._running: dict[str, asyncio.Task[None]] = {}
        # Set by a commit of this process that added jobs (``tx.enqueue``) and by ``wake``.
        self._wake = database.jobs_committed
        self._failing = False
        self._stopping = False
        self._stopped = asyncio.Event()
        self._claimer: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._slots: dict[str, datetime] = {}
        self._next_stats = 0.0
        self._next_prune = 0.0

    def wake(self) -> None:
        """Look for due jobs now (after this process enqueued one) instead of at the next
        poll."""
        self._wake.set()

    async def run(self) -> None:
        """Claim and run jobs until ``stop()``; returns once it has released what it held.
        Cancelled without a stop, it releases its jobs at once before ending."""
        self._claimer = asyncio.create_task(self._claim_loop(), name=f"jobs-{self.service}")
        self._heartbeat = asyncio.create_task(self._heartbeat_loop())
        try:
            await self._claimer
            await self._stopped.wait()
        except asyncio.CancelledError:
            await asyncio.shield(self.stop(0))
            raise

    async def ready(self) -> bool:
        """The runner claims: its loop runs and its last pass reached the database."""
        return (
            self._claimer is not None
            and not self._claimer.done()
            and not self._stopping
            and not self._failing
        )

    # One deadline spread over several steps (not one awaitable to wrap in a timeout).
    async def stop(self, timeout: float) -> None:  # noqa: ASYNC109
        """Stop claiming, give running jobs up to ``timeout`` seconds, then cancel the rest
        and put them back to pending (tries unchanged) in one transaction, for another
        runner or the next start. Returns within ``timeout`` plus a few seconds at most
        (the unwinding of cancelled handlers and the release are bounded)."""
        if self._stopping:
            await self._stopped.wait()
            return
        self._stopping = True
        self.context.stopping.set()
        self._wake.set()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, timeout)
        try:
            if self._claimer is not None and not self._claimer.done():
                await asyncio.wait({self._claimer}, timeout=max(0.0, deadline - loop.time()))
                await _cancel([self._claimer])
            running = dict(self._running)
            if running:
                await asyncio.wait(running.values(), timeout=max(0.0, deadline - loop.time()))
            left = [job_id for job_id, task in running.items() if not task.done()]
            await _cancel([running[job_id] for job_id in left])
            if self._heartbeat is not None:
                await _cancel([self._heartbeat])
            if left:
                await self._release(left)
        finally:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(RELEASE_SECONDS):
                    await self.context.aclose()
            self._stopped.set()

    async def _release(self, job_ids: list[str], *, interrupted: bool = False) -> None:
        try:
            async with asyncio.timeout(RELEASE_SECONDS):
                async with self.database.transaction() as tx:
                    await tx.execute(
                        update(jobs_table)
                        .where(
                            jobs.id.in_(job_ids),
                            jobs.status == "running",
                            jobs.claimed_by == self.name,
                        )
                        .values(
                            status="pending",
                            claimed_until=None,
                            claimed_by=None,
                            tries=jobs.tries - 1,
                        )
                    )
        except Exception:
            # Not lost: the lease ends and another runner takes them then.
            log.exception("job runner could not release its jobs", jobs=job_ids)
            return
        if interrupted:
            log.info("job runner stopping: a job ended early and is released", jobs=job_ids)
        else:
            log.warning("job runner stopped before these jobs finished; released", jobs=job_ids)

    async def _claim_loop(self) -> None:
        while not self._stopping:
            try:
                await self._housekeeping()
                free = self.concurrency - len(self._running)
                if free > 0:
                    await self._claim_and_start(free)
                # Full: a finishing job wakes the loop. Otherwise sleep until the next job
                # is due, at most a poll interval: another process may enqueue meanwhile.
                full = len(self._running) >= self.concurrency
                wait = self.poll_interval if full else await self._until_next_due()
                self._failing = False
            except Exception:
                log.exception("job runner pass failed; trying again shortly")
                self._failing = True
                wait = PAUSE_AFTER_ERROR
            if wait > 0 and not self._stopping:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), wait)
            self._wake.clear()

    async def _housekeeping(self) -> None:
        now = asyncio.get_running_loop().time()
        await self._enqueue_slots()
        if now >= self._next_stats:
            self._next_stats = now + STATS_INTERVAL
            self._record(await self.stats())
        if self.retention is not None and now >= self._next_prune:
            self._next_prune = now + PRUNE_INTERVAL
            await self._prune(self.retention)

    async def _enqueue_slots(self) -> None:
        now = utcnow()
        for schedule in self.schedules:
            start = slot_start(schedule, now)
            if self._slots.get(schedule.name) == start:
                continue
            async with self.database.transaction() as tx:
                await tx.enqueue(
                    schedule.kind,
                    schedule.payload,
                    run_at=start,
                    key=slot_key(schedule, start),
                )
            self._slots[schedule.name] = start

    async def _until_next_due(self) -> float:
        async with self.database.sessions() as session:
            next_due = await session.scalar(
                select(func.min(jobs.run_at)).where(jobs.status == "pending")
            )
        if next_due is None:
            return self.poll_interval
        # A job due already but not claimed is locked by another runner's claim: a short
        # pause, not a tight loop of claims.
        return min(self.poll_interval, max(MIN_WAIT, (next_due - utcnow()).total_seconds()))

    async def _claim_and_start(self, limit: int) -> list[Job]:
        claimed = await self._claim(limit)
        for job in claimed:
            self._running[job.id] = asyncio.create_task(
                self._run_one(job), name=f"job-{job.kind}-{job.id}"
            )
        return claimed

    async def _claim(self, limit: int) -> list[Job]:
        now = utcnow()
        due = (
            select(jobs.id)
            .where(
                or_(
                    and_(jobs.status == "pending", jobs.run_at <= now),
                    # A runner that stopped beating: its lease ended.
                    and_(jobs.status == "running", jobs.claimed_until < now),
                )
            )
            .order_by(jobs.run_at)
            .limit(limit)
        )
        if self.database.is_postgres:
            due = due.with_for_update(skip_locked=True)
        async with self.database.transaction() as tx:
            rows = (
                await tx.execute(
                    update(jobs_table)
                    .where(jobs.id.in_(due.scalar_subquery()))
                    .values(
                        status="running",
                        claimed_until=now + self.lease,
                        claimed_by=self.name,
                        tries=jobs.tries + 1,
                    )
                    .returning(jobs.id, jobs.kind, jobs.payload, jobs.tries, jobs.run_at)
                )
            ).all()
            spent = [row for row in rows if row.tries > self.retry.max_tries]
            if spent:
                # Their runners died during the last try: park, do not run a fourth time
                # what may be killing the runners.
                error = "its runner stopped during the last try (the lease ran out)"
                await tx.execute(
                    update(jobs_table)
                    .where(jobs.id.in_([row.id for row in spent]))
                    .values(
                        status="parked",
                        tries=jobs.tries - 1,
                        last_error=error,
                        claimed_until=None,
                        finished_at=now,
                    )
                )
                for row in spent:
                    JOBS_FAILED.labels(self.service, row.kind, "parked").inc()
                    log.error("job parked", job_id=row.id, kind=row.kind, error=error)
        return [
            Job(
                id=row.id,
                kind=row.kind,
                payload=dict(row.payload),
                tries=row.tries,
                is_last_try=row.tries >= self.retry.max_tries,
                run_at=row.run_at,
            )
            for row in rows
            if row.tries <= self.retry.max_tries
        ]

    async def _run_one(self, job: Job) -> None:
        try:
            handler = self.jobs.get(job.kind)
            try:
                if handler is None:
                    raise LookupError(f"no handler for job kind {job.kind!r}")
                await handler(self.context, job)
            except asyncio.CancelledError:
                raise
            except JobInterrupted:
                await self._release([job.id], interrupted=True)
            except Exception as error:
                await self._failed(job, error)
            else:
                await self._done(job)
        except asyncio.CancelledError:
            raise
        except Exception:
            # The outcome was not recorded (the database away): the lease ends and the
            # job runs again, which a handler allows for.
            log.exception("job outcome not recorded", job_id=job.id, kind=job.kind)
        finally:
            self._running.pop(job.id, None)
            self._wake.set()

    def _mine(self, job: Job) -> tuple[ColumnElement[bool], ...]:
        # A runner whose lease was lost (a stalled process) records nothing over the
        # runner that took the job after it.
        return (jobs.id == job.id, jobs.status == "running", jobs.claimed_by == self.name)

    async def _done(self, job: Job) -> None:
        async with self.database.transaction() as tx:
            await tx.execute(
                update(jobs_table)
                .where(*self._mine(job))
                .values(status="done", claimed_until=None, finished_at=utcnow())
            )
        JOBS_DONE.labels(self.service, job.kind).inc()

    async def _failed(self, job: Job, error: Exception) -> None:
        now = utcnow()
        text = "".join(traceback.format_exception(error))
        text = text if len(text) <= ERROR_MAX else "…" + text[-ERROR_MAX:]
        delay = self.retry.delay_after(job.tries)
        # A finished job (done or parked) keeps in claimed_by the runner that ran it last.
        values: dict[str, object] = {"last_error": text, "claimed_until": None}
        if delay is None:
            values.update(status="parked", finished_at=now)
        else:
            values.update(status="pending", claimed_by=None, run_at=now + timedelta(seconds=delay))
        async with self.database.transaction() as tx:
            await tx.execute(update(jobs_table).where(*self._mine(job)).values(values))
        outcome = "parked" if delay is None else "retried"
        JOBS_FAILED.labels(self.service, job.kind, outcome).inc()
        details = {"job_id": job.id, "kind": job.kind, "tries": job.tries, "exc_info": error}
        if delay is None:
            log.error("job parked after its last try", **details)
        else:
            log.warning("job failed; trying again later", retry_in=delay, **details)

    async def _heartbeat_loop(self) -> None:
        every = self.lease.total_seconds() / 3
        extend = (
            update(jobs_table)
            .where(
                jobs.id.in_(bindparam("ids", expanding=True)),
                jobs.status == "running",
                jobs.claimed_by == self.name,
            )
            .values(claimed_until=bindparam("until", type_=jobs.claimed_until.type))
        )
        while True:
            await asyncio.sleep(every)
            if not self._running:
                continue
            try:
                async with self.database.transaction() as tx:
                    await tx.execute(
                        extend, {"ids": list(self._running), "until": utcnow() + self.lease}
                    )
            except Exception:
                log.exception("job runner heartbeat failed; trying again")

    async def stats(self) -> JobStats:
        """Due, running and parked jobs, and how long the oldest due one has waited."""
        now = utcnow()
        due = and_(jobs.status == "pending", jobs.run_at <= now)
        async with self.database.sessions() as session:
            row = (
                await session.execute(
                    select(
                        func.count().filter(due),
                        func.count().filter(jobs.status == "running"),
                        func.count().filter(jobs.status == "parked"),
                        func.min(jobs.run_at).filter(due),
                    ).where(jobs.status != "done")
                )
            ).one()
        oldest = row[3]
        return JobStats(
            due=row[0],
            running=row[1],
            parked=row[2],
            oldest_due_seconds=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
        )

    def _record(self, stats: JobStats) -> None:
        JOBS_DUE.labels(self.service).set(stats.due)
        JOBS_RUNNING.labels(self.service).set(stats.running)
        JOBS_PARKED.labels(self.service).set(stats.parked)
        JOBS_OLDEST_DUE_SECONDS.labels(self.service).set(stats.oldest_due_seconds)

    async def _prune(self, retention: timedelta) -> None:
        # No index serves this (done jobs leave the partial one): once an hour a scan is
        # cheaper than an index written by every job.
        cutoff = utcnow() - retention
        old = (
            select(jobs.id)
            .where(jobs.status == "done", jobs.finished_at < cutoff)
            .limit(PRUNE_BATCH)
            .scalar_subquery()
        )
        while True:
            async with self.database.transaction() as tx:
                result = await tx.execute(delete(jobs_table).where(jobs.id.in_(old)))
            if int(result.rowcount) < PRUNE_BATCH:  # type: ignore[attr-defined]
                return


async def _cancel(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=UNWIND_SECONDS)

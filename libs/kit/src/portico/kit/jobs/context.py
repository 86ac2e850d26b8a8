"""What a job handler receives: the job, and a context with the service's resources."""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

from portico.kit.db import Database
from portico.kit.store import BlobStore

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Job:
    """One try of a job. ``tries`` counts this one (1 on the first try); on the last try
    (``is_last_try``) a failure parks the job instead of scheduling another."""

    id: str
    kind: str
    payload: dict[str, Any]
    tries: int
    is_last_try: bool
    # When the job was due: a scheduled job's slot start.
    run_at: datetime


class JobContext:
    """The service's database and blob store, and a process pool for CPU-heavy work.

    A handler opens its own sessions (``context.database.sessions.begin()``): the runner
    holds no transaction around it, so a long PDF render keeps no connection or lock.
    """

    def __init__(
        self, database: Database, store: BlobStore | None = None, *, compute_workers: int = 1
    ) -> None:
        if compute_workers < 1:
            raise ValueError("compute_workers must be at least 1")
        self.database = database
        self.store = store
        self.compute_workers = compute_workers
        self._pool: ProcessPoolExecutor | None = None

    async def compute(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """``fn(*args, **kwargs)`` in a worker process, so the event loop keeps serving
        while it runs. ``fn`` and its arguments are pickled: a module-level function and
        plain values (bytes, not open files or sessions)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor(), functools.partial(fn, *args, **kwargs))

    def _executor(self) -> ProcessPoolExecutor:
        # Created on first use: most processes never render anything. "spawn" starts
        # clean interpreters: a fork of a process with an event loop, threads and open
        # connections would copy them half-alive into the worker.
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.compute_workers, mp_context=multiprocessing.get_context("spawn")
            )
        return self._pool

    def shutdown(self) -> None:
        """Stop the worker processes; a computation still running is left to finish
        in its process, its result unread."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


JobHandler = Callable[[JobContext, Job], Awaitable[None]]
"""``async def handler(context, job)``. It may run more than once for one job (a runner
that dies mid-job, a lease lost): it must be idempotent, as an event handler is."""

JobTable = Mapping[str, JobHandler]
"""A service's handlers by job kind."""

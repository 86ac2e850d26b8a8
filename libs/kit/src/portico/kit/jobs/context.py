"""What a job handler receives: the job, and a context with the service's resources."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import multiprocessing
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

from portico.kit.db import Database
from portico.kit.settings import PorticoSettings
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


class JobInterrupted(Exception):
    """Raised by a handler that saw ``context.stopping`` and ended at a safe point, its work
    so far recorded: the runner puts the job back to pending with its try given back, and
    the next runner does the rest (the handler skips what is recorded)."""


class JobContext:
    """The service's database, blob store and settings, a process pool for CPU-heavy work,
    the resources its handlers share (``resource``), and ``stopping``, set when the runner
    is asked to stop: a handler of many steps (a batch of emails) checks it between two,
    records what it did and raises ``JobInterrupted``, rather than be cancelled mid-step
    once the grace is over (an email sent but not recorded is sent again).

    A handler opens its own sessions (``context.database.sessions.begin()``): the runner
    holds no transaction around it, so a long PDF render keeps no connection or lock.
    """

    def __init__(
        self,
        database: Database,
        store: BlobStore | None = None,
        *,
        settings: PorticoSettings | None = None,
        compute_workers: int = 1,
    ) -> None:
        if compute_workers < 1:
            raise ValueError("compute_workers must be at least 1")
        self.database = database
        self.store = store
        self.settings = settings or PorticoSettings()
        self.compute_workers = compute_workers
        self._pool: ProcessPoolExecutor | None = None
        self._resources: dict[Callable[..., Any], Any] = {}
        self._opening = asyncio.Lock()
        self._exits = contextlib.AsyncExitStack()
        self.stopping = asyncio.Event()

    async def resource(self, open_: Callable[[JobContext], AbstractAsyncContextManager[R]]) -> R:
        """What ``open_(context)`` yields, opened on first use and shared by every job of
        this runner until it stops (then closed): a connection to an SMTP server kept
        across messages, rather than one per job."""
        if open_ not in self._resources:
            async with self._opening:
                if open_ not in self._resources:
                    self._resources[open_] = await self._exits.enter_async_context(open_(self))
        resource: R = self._resources[open_]
        return resource

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

    async def aclose(self) -> None:
        """Close the shared resources (last opened first) and stop the worker processes."""
        try:
            exits, self._exits = self._exits, contextlib.AsyncExitStack()
            self._resources.clear()
            await exits.aclose()
        finally:
            self.shutdown()


JobHandler = Callable[[JobContext, Job], Awaitable[None]]
"""``async def handler(context, job)``. It may run more than once for one job (a runner
that dies mid-job, a lease lost): it must be idempotent, as an event handler is."""

JobTable = Mapping[str, JobHandler]
"""A service's handlers by job kind."""

"""The service builder: a service lists its routers, handlers and models; the kit does the rest.

A ``Service`` is a description. A ``Runtime`` is that service alive in one process: its
database, the shared bus, its blob store, the token verifier, its consumer and its relay.
``create_app`` turns both into a FastAPI app with health, metrics, problem+json errors and
telemetry; the embedded host and the distributed commands only differ in how many
runtimes they start and which loops they run.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import structlog
from fastapi import APIRouter, Depends, FastAPI
from sqlalchemy import MetaData

from portico.contracts import Event
from portico.kit.auth.keys import (
    PRIVATE_FILE,
    PUBLIC_FILE,
    accepted_public_keys,
    load_or_create_keypair,
    read_public_key,
)
from portico.kit.auth.principals import RevocationCheck
from portico.kit.auth.staff import STAFF_STATUS_HANDLERS, deactivation_check
from portico.kit.auth.tokens import TokenVerifier
from portico.kit.bus import Bus
from portico.kit.db import Database
from portico.kit.docs import docs_router
from portico.kit.health import health_router
from portico.kit.inbox import MAX_BATCH, Consumer, EventHandler, HandlerTable
from portico.kit.jobs import JobContext, JobRunner, JobSettings, JobTable, Schedule
from portico.kit.jobs.runner import RELEASE_SECONDS, RetryPolicy
from portico.kit.migrations import upgrade_async
from portico.kit.observability import bind_context, instrument_app
from portico.kit.outbox import Relay, Retention
from portico.kit.problems import install_problem_handlers
from portico.kit.query import refuse_unknown_query_parameters
from portico.kit.settings import PorticoSettings, ServiceSettings
from portico.kit.store import BlobStore, create_store
from portico.kit.uploads import BodyLimitMiddleware, valid_bearer

log = structlog.get_logger(__name__)

API_VERSION = "0.1.0"


RuntimeTask = Callable[["Runtime"], Coroutine[Any, Any, None]]
Check = Callable[[], Awaitable[bool]]
# After the grace: how long cancelled work and closing connections may take.
UNWIND_SECONDS = 2.0


@dataclass(frozen=True)
class Roles:
    """Which loops a process runs for its services (``/readyz`` checks what they need)."""

    api: bool = True
    consume: bool = True
    relay: bool = True
    migrate: bool = True
    # The services' job runners (``portico.kit.jobs``): the worker role and the embedded
    # process run them.
    jobs: bool = True


async def _within(work: Awaitable[object], seconds: float, what: str) -> bool:
    """Waits for ``work`` at most ``seconds``; says so in the log when it did not end."""
    try:
        async with asyncio.timeout(seconds):
            await work
    except TimeoutError:
        log.warning("stop: work left unfinished after the grace", part=what, grace=seconds)
        return False
    except Exception:
        log.exception("stop: failed", part=what)
    return True


async def _cancelled(task: asyncio.Task[None]) -> None:
    task.cancel()
    await asyncio.wait({task}, timeout=UNWIND_SECONDS)


@dataclass(frozen=True)
class Command:
    """A command of the service's command line beyond the standard ones (``create-admin``)."""

    name: str
    help: str
    run: Callable[[Runtime, argparse.Namespace], Awaitable[None]]
    arguments: Callable[[argparse.ArgumentParser], None] = lambda parser: None


@dataclass(frozen=True)
class Service:
    """What a service is made of; its ``app.py`` builds one of these and nothing else."""

    name: str
    title: str
    description: str
    metadata: MetaData
    migrations: Path
    routers: Sequence[APIRouter] = ()
    handlers: HandlerTable = field(default_factory=dict)
    # Run once the database is migrated by a process that migrates (the embedded run).
    startup: Sequence[RuntimeTask] = ()
    # Durable jobs: handlers by kind (``portico.kit.jobs``), run by the worker role and
    # the embedded process; and the schedules that enqueue some of them once per slot.
    jobs: JobTable = field(default_factory=dict)
    schedules: Sequence[Schedule] = ()
    commands: Sequence[Command] = ()
    # Tells whether an access token's ``jti`` was revoked (the portal knows its sessions);
    # other services trust a token until it expires, which is why access tokens are short.
    revocation: Callable[[Database], RevocationCheck] | None = None
    # Whether the service refuses a deactivated staff member's token from the staff status
    # the kit keeps from StaffUserChanged (``portico.kit.auth.staff``): every service but
    # the portal, whose sessions end at once (``revocation``).
    follows_staff_status: bool = True
    # The largest file one request may upload, read from the service's settings (None: the
    # service takes no uploads). Bodies are bounded by it before they are read.
    max_upload_bytes: Callable[[], int | None] = lambda: None
    # Paths of the service's API (``/v1/verify``) where anyone may upload a file without
    # credentials, within the same bounds; every other upload needs a valid token.
    public_uploads: frozenset[str] = frozenset()

    @property
    def mount_path(self) -> str:
        return f"/api/{self.name}"

    @property
    def event_handlers(self) -> HandlerTable:
        """Its handlers, and the kit's of the staff status when it follows it."""
        if not self.follows_staff_status:
            return self.handlers
        table: dict[type[Event], list[EventHandler]] = {
            event_class: list(functions) for event_class, functions in self.handlers.items()
        }
        for event_class, functions in STAFF_STATUS_HANDLERS.items():
            table.setdefault(event_class, []).extend(functions)
        return table


class Runtime:
    """One service's live dependencies in this process."""

    def __init__(
        self,
        service: Service,
        settings: PorticoSettings,
        bus: Bus,
        service_settings: ServiceSettings | None = None,
    ) -> None:
        self.service = service
        self.settings = settings
        self.service_settings = service_settings or ServiceSettings.for_service(service.name)
        self.database = Database(
            self.service_settings.resolved_database_url(service.name, settings),
            service=service.name,
        )
        self.bus = bus
        self.store: BlobStore = create_store(settings, service.name)
        self.private_key, self.public_key = signing_keys(settings)
        self.token_verifier = token_verifier(settings, self.public_key)
        self.consumer = Consumer(self.database, service.event_handlers)
        self.relay = Relay(
            self.database,
            bus,
            batch_size=self.service_settings.outbox_batch_size,
            retention=Retention(
                outbox=timedelta(days=settings.outbox_retention_days),
                inbox=timedelta(days=settings.inbox_retention_days),
            ),
        )
        self.jobs: JobRunner | None = None
        if service.jobs:
            job_settings = JobSettings()
            self.jobs = JobRunner(
                self.database,
                service.jobs,
                JobContext(
                    self.database,
                    self.store,
                    settings=settings,
                    compute_workers=job_settings.compute_workers,
                ),
                schedules=service.schedules,
                concurrency=job_settings.concurrency,
                lease=job_settings.lease_seconds,
                retry=RetryPolicy(delays=job_settings.retry_delays),
                retention=timedelta(days=job_settings.retention_days),
            )
        self._relay_task: asyncio.Task[None] | None = None
        self._jobs_task: asyncio.Task[None] | None = None
        self._consuming = False

    async def migrate(self) -> None:
        if self.database.is_sqlite:
            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        await upgrade_async(self.database.url, self.service.migrations)
        await self.bus.declare(self.service.name, self.consumer.event_types)

    async def run_startup(self) -> None:
        for task in self.service.startup:
            await task(self)

    async def start_consuming(self) -> None:
        if self.consumer.event_types:
            await self.bus.subscribe_batches(
                self.service.name,
                self.consumer.event_types,
                self.consumer.handle_batch,
                max_batch=MAX_BATCH,
            )
        self._consuming = True

    def start_jobs(self) -> None:
        if self.jobs is None:
            return
        with bind_context(service=self.service.name):
            self._jobs_task = asyncio.create_task(
                self.jobs.run(), name=f"portico-jobs-{self.service.name}"
            )

    def start_relay(self) -> None:
        # The task copies the current context: its log lines name this service.
        with bind_context(service=self.service.name):
            self._relay_task = asyncio.create_task(
                self.relay.run(), name=f"portico-relay-{self.service.name}"
            )

    async def stop(self, grace: float | None = None) -> None:
        """Stop the runner and the relay, each within ``grace`` seconds (the settings'
        ``stop_grace_seconds`` by default) plus a bounded unwinding: running jobs finish or
        are released, a relay pass in flight finishes or is abandoned (its rows stay
        pending), whatever the database or the broker are doing."""
        grace = self.settings.stop_grace_seconds if grace is None else grace
        await asyncio.gather(self._stop_jobs(grace), self._stop_relay(grace))
        try:
            async with asyncio.timeout(UNWIND_SECONDS):
                await self.database.dispose()
        except TimeoutError:
            log.warning("database connections not closed in time; left to the process exit")

    async def _stop_jobs(self, grace: float) -> None:
        task, self._jobs_task = self._jobs_task, None
        if task is None or self.jobs is None:
            return
        # The runner bounds itself (grace, then unwinding and release): this bound only
        # guards against a release that never answers.
        await _within(self.jobs.stop(grace), grace + 2 * RELEASE_SECONDS, "job runner")
        await _cancelled(task)

    async def _stop_relay(self, grace: float) -> None:
        task, self._relay_task = self._relay_task, None
        if task is None:
            return
        self.relay.stop()
        if not await _within(asyncio.shield(task), grace, "relay"):
            # Its pass is abandoned: unmarked rows stay pending and the next relay
            # publishes them (consumers' inboxes absorb a second copy).
            await _cancelled(task)

    def ready_checks(self, roles: Roles | None = None) -> dict[str, Check]:
        """What ``/readyz`` asks, by what this process does: every role needs its
        database; the bus only where it is spoken to (relay, consumer), since an API's
        writes go to the outbox and succeed with the broker away; the job runner where it
        runs; the store where requests read and write files (API)."""
        roles = roles or Roles()
        checks: dict[str, Check] = {"database": self.database.ready}
        if roles.relay or roles.consume:
            checks["bus"] = self.bus.ready
        if roles.api:
            checks["store"] = self.store.ready
        if roles.jobs and self.jobs is not None:
            checks["jobs"] = self.jobs.ready
        return checks


def signing_keys(settings: PorticoSettings) -> tuple[str | None, str]:
    """The JWT keys: from settings, or a pair kept under the data folder in embedded mode."""
    if settings.jwt_public_key:
        return settings.jwt_private_key, settings.jwt_public_key
    if settings.keys_dir is not None:
        if (settings.keys_dir / PRIVATE_FILE).exists() or not (
            settings.keys_dir / PUBLIC_FILE
        ).exists():
            return load_or_create_keypair(settings.keys_dir)
        # Services other than the portal may be given the public half only.
        return None, read_public_key(settings.keys_dir)
    if not settings.embedded:
        raise RuntimeError(
            "PORTICO_JWT_PUBLIC_KEY (and PORTICO_JWT_PRIVATE_KEY for the portal) or "
            "PORTICO_KEYS_DIR must be set in the distributed mode"
        )
    return load_or_create_keypair(settings.data_dir / "keys")


def _keys_folder(settings: PorticoSettings) -> Path | None:
    """Where the JWT keys are kept as files, when they are not given as settings."""
    if settings.jwt_public_key:
        return None
    return settings.keys_dir if settings.keys_dir is not None else settings.data_dir / "keys"


def token_verifier(settings: PorticoSettings, public_key: str) -> TokenVerifier:
    """The verifier of access tokens: the signing key and the keys accepted besides it,
    from the settings or from the keys folder, which a rotation may change while we run."""
    folder = _keys_folder(settings)
    if folder is None:
        return TokenVerifier(
            public_key, settings.jwt_issuer, accepted=settings.jwt_accepted_public_keys
        )

    def from_folder() -> tuple[str, list[str]]:
        return read_public_key(folder), accepted_public_keys(folder)

    return TokenVerifier(
        public_key,
        settings.jwt_issuer,
        accepted=accepted_public_keys(folder),
        reload=from_folder,
    )


def create_app(
    runtime: Runtime, *, with_routes: bool = True, ready_roles: Roles | None = None
) -> FastAPI:
    """The service's HTTP app (to be mounted at ``service.mount_path``)."""
    service = runtime.service
    app = FastAPI(
        title=f"Portico {service.title}",
        description=service.description,
        version=API_VERSION,
        # FastAPI's own pages load their scripts from a CDN: ours are served by Portico.
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(refuse_unknown_query_parameters)],
    )
    app.state.runtime = runtime
    app.state.token_verifier = runtime.token_verifier
    if service.revocation is not None:
        app.state.is_revoked = service.revocation(runtime.database)
    if service.follows_staff_status:
        app.state.is_deactivated = deactivation_check(runtime.database)
    app.add_middleware(
        BodyLimitMiddleware,
        max_upload_bytes=service.max_upload_bytes,
        has_credentials=valid_bearer(runtime.token_verifier),
        public_paths=service.public_uploads,
    )
    install_problem_handlers(app)
    instrument_app(app, service.name)
    app.include_router(health_router(runtime.ready_checks(ready_roles)), tags=["health"])
    app.include_router(docs_router(app.title))
    if with_routes:
        for router in service.routers:
            app.include_router(router)
    return app

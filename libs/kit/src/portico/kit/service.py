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

from portico.kit.auth.keys import (
    PRIVATE_FILE,
    PUBLIC_FILE,
    load_or_create_keypair,
    read_public_key,
)
from portico.kit.auth.principals import RevocationCheck
from portico.kit.auth.tokens import TokenVerifier
from portico.kit.bus import Bus
from portico.kit.db import Database
from portico.kit.docs import docs_router
from portico.kit.health import health_router
from portico.kit.inbox import MAX_BATCH, Consumer, HandlerTable
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
    # Loops run beside the consumer (the worker role): the notifier's delivery dispatcher.
    # Each runs until cancelled at stop.
    background: Sequence[RuntimeTask] = ()
    commands: Sequence[Command] = ()
    # Tells whether an access token's ``jti`` was revoked (the portal knows its sessions);
    # other services trust a token until it expires, which is why access tokens are short.
    revocation: Callable[[Database], RevocationCheck] | None = None
    # The largest file one request may upload, read from the service's settings (None: the
    # service takes no uploads). Bodies are bounded by it before they are read.
    max_upload_bytes: Callable[[], int | None] = lambda: None

    @property
    def mount_path(self) -> str:
        return f"/api/{self.name}"


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
        self.token_verifier = TokenVerifier(self.public_key, settings.jwt_issuer)
        self.consumer = Consumer(self.database, service.handlers)
        self.relay = Relay(
            self.database,
            bus,
            batch_size=self.service_settings.outbox_batch_size,
            retention=Retention(
                outbox=timedelta(days=settings.outbox_retention_days),
                inbox=timedelta(days=settings.inbox_retention_days),
            ),
        )
        self._relay_task: asyncio.Task[None] | None = None
        self._background: list[asyncio.Task[None]] = []
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
        with bind_context(service=self.service.name):
            self._background = [
                asyncio.create_task(task(self), name=f"portico-{self.service.name}-{index}")
                for index, task in enumerate(self.service.background)
            ]

    def start_relay(self) -> None:
        # The task copies the current context: its log lines name this service.
        with bind_context(service=self.service.name):
            self._relay_task = asyncio.create_task(
                self.relay.run(), name=f"portico-relay-{self.service.name}"
            )

    async def stop(self) -> None:
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        self._background = []
        if self._relay_task is not None:
            self.relay.stop()
            await asyncio.gather(self._relay_task, return_exceptions=True)
            self._relay_task = None
        await self.database.dispose()

    def ready_checks(self) -> dict[str, Callable[[], Awaitable[bool]]]:
        return {"database": self.database.ready, "bus": self.bus.ready, "store": self.store.ready}


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


def create_app(runtime: Runtime, *, with_routes: bool = True) -> FastAPI:
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
    app.add_middleware(
        BodyLimitMiddleware,
        max_upload_bytes=service.max_upload_bytes,
        has_credentials=valid_bearer(runtime.token_verifier),
    )
    install_problem_handlers(app)
    instrument_app(app, service.name)
    app.include_router(health_router(runtime.ready_checks()), tags=["health"])
    app.include_router(docs_router(app.title))
    if with_routes:
        for router in service.routers:
            app.include_router(router)
    return app

"""Runs services in a process: all of them (embedded mode) or one role of one service."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from importlib.metadata import entry_points

import httpx
import structlog
import uvicorn
from fastapi import FastAPI

from portico.kit.bus import Bus, create_bus
from portico.kit.observability import configure_logging, configure_tracing
from portico.kit.problems import install_problem_handlers
from portico.kit.service import UNWIND_SECONDS, Roles, Runtime, Service, create_app
from portico.kit.settings import IN_PROCESS_PEER, PorticoSettings, ServiceSettings

log = structlog.get_logger(__name__)

SERVICES_ENTRY_POINT = "portico.services"
WEB_ENTRY_POINT = "portico.web"

# Builds the web UI over the services' APIs, reached through the transport given.
WebFactory = Callable[[PorticoSettings, httpx.AsyncBaseTransport], FastAPI]


EMBEDDED = Roles()


def discover_services() -> list[Service]:
    """Every installed service, found through the ``portico.services`` entry point."""
    found = [entry.load() for entry in entry_points(group=SERVICES_ENTRY_POINT)]
    return sorted(found, key=lambda service: service.name)


def discover_web() -> WebFactory | None:
    """The web UI (the gateway) when it is installed, through the ``portico.web`` entry point."""
    found = list(entry_points(group=WEB_ENTRY_POINT))
    return found[0].load() if found else None


def freeze_startup_heap() -> None:
    """Keep what start-up built (modules, apps, compiled statements, pools) out of the
    garbage collector's later passes.

    A started service holds about 100,000 such objects; each full collection walked all
    of them and paused the event loop for 40 to 90 ms, which was the bus's tail latency
    (docs/architecture.md). Frozen objects are never collected, which is what they are:
    alive for the life of the process.
    """
    gc.collect()
    gc.freeze()


class Host:
    """Starts and stops the runtimes of a process around one shared bus."""

    def __init__(
        self,
        services: Sequence[Service],
        settings: PorticoSettings,
        roles: Roles,
        *,
        service_settings: Mapping[str, ServiceSettings] | None = None,
        bus: Bus | None = None,
        web: WebFactory | None = None,
    ) -> None:
        self.settings = settings
        self.web = web
        self.roles = roles
        self.bus: Bus = bus or create_bus(settings)
        overrides = service_settings or {}
        self.runtimes = [
            Runtime(service, settings, self.bus, overrides.get(service.name))
            for service in services
        ]

    async def start(self) -> None:
        await self.bus.connect()
        if self.roles.migrate:
            for runtime in self.runtimes:
                await runtime.migrate()
            for runtime in self.runtimes:
                await runtime.run_startup()
        if self.roles.consume:
            for runtime in self.runtimes:
                await runtime.start_consuming()
        if self.roles.relay:
            for runtime in self.runtimes:
                runtime.start_relay()
        if self.roles.jobs:
            for runtime in self.runtimes:
                runtime.start_jobs()
        freeze_startup_heap()

    async def stop(self) -> None:
        """Stops within ``PORTICO_STOP_GRACE_SECONDS`` plus a few seconds, whatever the
        broker, the database or a mail server are doing, and logs what it left: job
        runners and relays first (running jobs finish or are released, a relay pass
        finishes or its rows stay pending), then the bus (events being handled finish or
        go back to the queue) in what is left of the grace."""
        loop = asyncio.get_running_loop()
        grace = self.settings.stop_grace_seconds
        started = loop.time()
        await asyncio.gather(*(runtime.stop(grace) for runtime in self.runtimes))
        left = max(1.0, grace - (loop.time() - started))
        try:
            # The bus bounds itself; this only guards against a step it left unbounded.
            async with asyncio.timeout(left + 2 * UNWIND_SECONDS):
                await self.bus.close(left)
        except TimeoutError:
            log.warning("bus not closed in time; its deliveries go back to the queue")
        log.info("portico stopping", seconds=round(loop.time() - started, 2))

    def app(self) -> FastAPI:
        """One ASGI app: each service under ``/api/<service>/``, an index at ``/api``, and
        the web UI at ``/`` when there is one (its pages call the services in-process)."""
        web: FastAPI | None = None

        @asynccontextmanager
        async def lifespan(_: FastAPI) -> AsyncIterator[None]:
            await self.start()
            log.info(
                "portico started",
                url=f"http://{self.settings.host}:{self.settings.port}",
                services=[runtime.service.name for runtime in self.runtimes],
            )
            try:
                if web is None:
                    yield
                else:
                    # A mounted app's lifespan is not run by Starlette: run the UI's here.
                    async with web.router.lifespan_context(web):
                        yield
            finally:
                await self.stop()

        root = FastAPI(title="Portico", lifespan=lifespan, docs_url=None, openapi_url=None)
        # A path no mount takes (one holding a line break, which a mount's pattern does not
        # match) is answered here: as problem+json, like every service's own errors.
        install_problem_handlers(root)
        index = {
            runtime.service.name: {
                "title": runtime.service.title,
                "health": f"{runtime.service.mount_path}/healthz",
                "openapi": f"{runtime.service.mount_path}/openapi.json",
                "docs": f"{runtime.service.mount_path}/docs",
            }
            for runtime in self.runtimes
        }

        @root.get("/api", include_in_schema=False)
        async def services_index() -> dict[str, object]:
            return {"name": "Portico", "services": index}

        for runtime in self.runtimes:
            root.mount(
                runtime.service.mount_path,
                create_app(runtime, with_routes=self.roles.api, ready_roles=self.roles),
            )
        if self.web is not None and self.roles.api:
            # In-process calls name themselves, so that services trust their X-Forwarded-For.
            transport = httpx.ASGITransport(app=root, client=(IN_PROCESS_PEER, 0))
            web = self.web(self.settings, transport)
            root.mount("/", web)
        else:
            root.add_api_route("/", services_index, include_in_schema=False)
        return root

    async def serve(self) -> None:
        config = uvicorn.Config(
            self.app(),
            host=self.settings.host,
            port=self.settings.port,
            log_config=None,
            access_log=False,
            lifespan="on",
            # uvicorn would believe X-Forwarded-For from 127.0.0.1 and rewrite the client's
            # address before the app sees it: only PORTICO_TRUSTED_PROXIES may name it
            # (``portico.kit.deps.client_address``).
            proxy_headers=False,
            # Open connections (a long download, a client that keeps its connection) get
            # the grace too, then the lifespan's stop runs: uvicorn would wait for ever.
            timeout_graceful_shutdown=max(1, round(self.settings.stop_grace_seconds)),
        )
        await uvicorn.Server(config).serve()


def serve(
    services: Sequence[Service],
    roles: Roles,
    *,
    process_name: str,
    web: WebFactory | None = None,
) -> None:
    settings = PorticoSettings()
    configure_logging(process_name, fmt=settings.log_format, level=settings.log_level)
    configure_tracing(process_name, settings.otlp_endpoint)
    if settings.embedded and roles != EMBEDDED:
        # The in-process bus cannot carry events between processes.
        raise SystemExit("PORTICO_BUS_URL must be set to run one role of a service on its own")
    # uvicorn shuts down cleanly, then re-raises the Ctrl-C for us.
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(Host(services, settings, roles, web=web).serve())
    log.info("portico stopped")

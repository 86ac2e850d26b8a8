"""What a host runs by role, as a service declares it: the jobs runner in the worker role
and the embedded process (not in the API), /readyz checking what each role depends on,
stops bounded whatever the broker does, and the operator's command for parked jobs."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import pytest
from fastapi import APIRouter, Request
from sqlalchemy import select

from portico.contracts.events.portal import StaffUserChanged
from portico.kit.bus import RetryPolicy
from portico.kit.bus.memory import InMemoryBus
from portico.kit.bus.rabbitmq import RabbitMqBus, parking_queue, work_queue
from portico.kit.cli import ROLES, run_cli
from portico.kit.db import Database, new_metadata
from portico.kit.host import EMBEDDED, Host, Roles
from portico.kit.jobs import Job, JobContext
from portico.kit.service import Service
from portico.kit.settings import PorticoSettings, ServiceSettings
from portico.kit.tables import jobs_table
from portico.kit.testing.rabbitmq import AmqpServer

API, WORKER, RELAY = ROLES["api"], ROLES["worker"], ROLES["relay"]
MIGRATE = Roles(api=False, consume=False, relay=False, migrate=True, jobs=False)

done: list[dict[str, Any]] = []


async def remember(context: JobContext, job: Job) -> None:
    done.append(job.payload)


async def fail(context: JobContext, job: Job) -> None:
    raise RuntimeError("the printer is on fire")


async def handle_nothing(event: Any, context: Any) -> None:
    return None


router = APIRouter()


@router.post("/v1/things", status_code=202)
async def add_thing(request: Request, payload: dict[str, Any]) -> dict[str, str | None]:
    """Enqueues a job in the request's transaction, as a service's endpoint does."""
    database: Database = request.app.state.runtime.database
    async with database.transaction() as tx:
        job_id = await tx.enqueue(payload.get("kind", "kithost.remember"), payload)
    return {"job": job_id}


def make_service(tmp_path: Path, name: str = "kithost") -> Service:
    migrations = tmp_path / "migrations"
    (migrations / "versions").mkdir(parents=True, exist_ok=True)
    # A service with no tables of its own: the kit's branch gives it outbox, inbox, jobs.
    (migrations / "env.py").write_text(
        "from sqlalchemy import MetaData\n"
        "from portico.kit.migrations import run_env\n"
        "run_env(MetaData())\n"
    )
    return Service(
        name=name,
        title="Kit host test",
        description="A service with a job and an endpoint that enqueues it.",
        metadata=new_metadata(),
        migrations=migrations,
        routers=[router],
        # A consumer, so that the worker role has queues to stop consuming.
        handlers={StaffUserChanged: [handle_nothing]},
        jobs={"kithost.remember": remember, "kithost.fail": fail},
    )


class Broker(InMemoryBus):
    """The in-process bus, with a switch for a broker that is away."""

    up = True

    async def ready(self) -> bool:
        return self.up and await super().ready()


@pytest.fixture
def service(tmp_path: Path) -> Service:
    done.clear()
    return make_service(tmp_path)


@pytest.fixture
def settings(tmp_path: Path) -> PorticoSettings:
    return PorticoSettings(data_dir=tmp_path, keys_dir=tmp_path / "keys", stop_grace_seconds=2)


Started = Callable[..., Awaitable[tuple[Host, httpx.AsyncClient]]]


@pytest.fixture
async def started(service: Service, settings: PorticoSettings) -> AsyncIterator[Started]:
    """``await started(roles, bus=..., database_url=...)``: a host of the test service,
    started, and an HTTP client on its app; all stopped at the end."""
    hosts: list[tuple[Host, httpx.AsyncClient]] = []

    async def start(
        roles: Roles, *, bus: InMemoryBus | None = None, database_url: str | None = None
    ) -> tuple[Host, httpx.AsyncClient]:
        overrides = {"kithost": ServiceSettings(database_url=database_url)}
        host = Host([service], settings, roles, bus=bus or Broker(), service_settings=overrides)
        if not roles.migrate and database_url is None:
            # The distributed roles find the database migrated (``migrate`` runs first).
            await Host([service], settings, MIGRATE, service_settings=overrides).start()
        await host.start()
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=host.app()), base_url="http://t"
        )
        hosts.append((host, client))
        return host, client

    yield start
    for host, client in hosts:
        await client.aclose()
        await host.stop()


async def eventually(check: Callable[[], Any], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def job_status(host: Host, job_id: str) -> str:
    async with host.runtimes[0].database.sessions() as session:
        status = await session.scalar(select(jobs_table.c.status).where(jobs_table.c.id == job_id))
    assert isinstance(status, str)
    return status


async def test_the_embedded_process_runs_the_jobs_its_endpoints_enqueue(started: Started) -> None:
    host, http = await started(EMBEDDED)
    answer = await http.post("/api/kithost/v1/things", json={"order": 1})
    assert answer.status_code == 202, answer.text
    await eventually(lambda: done == [{"order": 1}])
    await eventually_async(lambda: job_status(host, answer.json()["job"]), "done")


async def test_a_path_no_service_takes_is_a_problem_too(started: Started) -> None:
    _, http = await started(EMBEDDED)
    # A line break in a path: no mount's pattern matches it, so the host's own app answers.
    for path in ("/api/kithost/v1/things/a%0Ab", "/nowhere%0A"):
        answer = await http.get(path)
        assert answer.status_code == 404, path
        assert answer.headers["content-type"] == "application/problem+json", path
        assert answer.json()["status"] == 404


async def eventually_async(read: Callable[[], Awaitable[Any]], expected: Any) -> None:
    deadline = time.monotonic() + 10
    while (value := await read()) != expected:
        assert time.monotonic() < deadline, f"{value!r} never became {expected!r}"
        await asyncio.sleep(0.02)


async def test_the_api_enqueues_and_the_worker_runs(started: Started) -> None:
    api, http = await started(API)
    answer = await http.post("/api/kithost/v1/things", json={"order": 2})
    job_id = answer.json()["job"]
    await asyncio.sleep(0.5)
    # The API role runs no jobs: its requests stay short, its workers do the work.
    assert done == [] and await job_status(api, job_id) == "pending"

    await started(WORKER)
    await eventually(lambda: done == [{"order": 2}])
    await eventually_async(lambda: job_status(api, job_id), "done")


async def test_each_roles_readiness_checks_what_it_depends_on(started: Started) -> None:
    broker = Broker()
    _, api = await started(API, bus=broker)
    _, relay = await started(RELAY, bus=broker)
    worker_host, worker = await started(WORKER, bus=broker)

    assert (await api.get("/api/kithost/readyz")).json()["checks"] == {
        "database": "ok",
        "store": "ok",
    }
    assert (await relay.get("/api/kithost/readyz")).json()["checks"] == {
        "database": "ok",
        "bus": "ok",
    }
    assert (await worker.get("/api/kithost/readyz")).json()["checks"] == {
        "database": "ok",
        "bus": "ok",
        "jobs": "ok",
    }

    broker.up = False
    # The API's writes go to the outbox: it serves on with the broker away.
    assert (await api.get("/api/kithost/readyz")).status_code == 200
    for role in (relay, worker):
        answer = await role.get("/api/kithost/readyz")
        assert answer.status_code == 503
        assert answer.json()["checks"]["bus"] == "failing"

    broker.up = True
    runner = worker_host.runtimes[0].jobs
    assert runner is not None
    await runner.stop(0)
    answer = await worker.get("/api/kithost/readyz")
    assert answer.status_code == 503
    assert answer.json()["checks"] == {"database": "ok", "bus": "ok", "jobs": "failing"}


async def test_an_api_without_its_database_is_not_ready(started: Started) -> None:
    # A port nothing listens on: the database is away.
    _, api = await started(API, database_url="postgresql+asyncpg://portico@127.0.0.1:9/absent")
    answer = await api.get("/api/kithost/readyz")
    assert answer.status_code == 503
    assert answer.json()["checks"]["database"] in {"failing", "timed out"}


class FrozenProxy:
    """A TCP relay to the broker that can go silent: the connections stay open and
    nothing passes any more, as when the broker's host stops answering."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.frozen = asyncio.Event()
        self.server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        await asyncio.gather(
            self._pipe(reader, upstream_writer),
            self._pipe(upstream_reader, writer),
            return_exceptions=True,
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            while data := await reader.read(65536):
                if self.frozen.is_set():
                    await asyncio.Event().wait()  # silent from now on
                writer.write(data)
                await writer.drain()

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()


async def test_a_worker_whose_broker_stops_answering_stops_within_the_grace(
    settings: PorticoSettings, amqp_server: AmqpServer, tmp_path: Path
) -> None:
    # The broker's default vhost and a service name of its own (making a vhost per test
    # waits on the broker's metadata store, slow on a busy machine); its queues are
    # deleted at the end.
    service = make_service(tmp_path, name=f"kitstop{uuid.uuid4().hex[:8]}")
    url = httpx.URL(amqp_server.url)
    proxy = FrozenProxy((url.host, url.port or 5672))
    await proxy.start()
    retry = RetryPolicy(delays=())
    bus = RabbitMqBus(str(url.copy_with(host="127.0.0.1", port=proxy.port)), retry=retry)
    database = ServiceSettings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'kitstop.db'}")
    overrides = {service.name: database}
    host = Host([service], settings, Roles(), bus=bus, service_settings=overrides)
    try:
        await host.start()
        assert await bus.ready()
        proxy.frozen.set()
        started = time.monotonic()
        await host.stop()
        elapsed = time.monotonic() - started
    finally:
        await proxy.close()
        async with await aio_pika.connect(amqp_server.url) as connection:
            channel = await connection.channel()
            for name in (work_queue(service.name), parking_queue(service.name)):
                await channel.queue_delete(name)
    # The grace, then a bounded unwinding (the connection's close is not waited for).
    assert elapsed < settings.stop_grace_seconds + 5, elapsed


def test_an_operator_lists_parked_jobs_and_runs_one_again(
    service: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setenv("PORTICO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PORTICO_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("PORTICO_JOBS_RETRY_DELAYS", "[]")
    settings = PorticoSettings()

    async def park_a_job() -> str:
        host = Host([service], settings, EMBEDDED, bus=Broker())
        await host.start()
        try:
            async with host.runtimes[0].database.transaction() as tx:
                job_id = await tx.enqueue("kithost.fail", {"page": 3})
            assert job_id is not None
            await eventually_async(lambda: job_status(host, job_id), "parked")
        finally:
            await host.stop()
        return job_id

    job_id = asyncio.run(park_a_job())
    run_cli(service, ["jobs", "parked"])
    listed = capsys.readouterr().out
    assert job_id in listed and "kithost.fail" in listed and "the printer is on fire" in listed

    run_cli(service, ["jobs", "retry", job_id])
    assert "1 job(s) to run again" in capsys.readouterr().out
    run_cli(service, ["jobs", "parked"])
    assert capsys.readouterr().out.strip() == "kithost: no parked jobs"

"""Database fixtures: a SQLite file, or a fresh PostgreSQL database per test; and each
service's database migrated once per test process, copied for every test that runs
Portico (``MigratedDatabases``)."""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from portico.kit.migrations import upgrade
from portico.kit.service import Service
from portico.kit.testing.backends import docker_available, unavailable

DatabaseFactory = Callable[[str], Awaitable[str]]


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """A PostgreSQL server URL (asyncpg); its database is only used to create others."""
    url = os.environ.get("PORTICO_TEST_DATABASE_URL")
    if url:
        return url
    if docker_available():
        from testcontainers.postgres import PostgresContainer

        container = PostgresContainer("postgres:16-alpine", driver="asyncpg")
        container.start()
        return str(container.get_connection_url())
    unavailable("PostgreSQL: PORTICO_TEST_DATABASE_URL is unset and Docker is not available")
    raise AssertionError("unreachable")


class PostgresDatabases:
    """Creates fresh databases on a test server and drops them all at the end."""

    def __init__(self, server_url: str) -> None:
        self.server = make_url(server_url)
        self.created: list[str] = []

    def _admin(self) -> AsyncEngine:
        return create_async_engine(
            self.server.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
        )

    async def create(self, label: str, *, template: str | None = None) -> str:
        """A new database, empty or a copy of ``template`` (a database nobody is connected
        to)."""
        name = f"portico_{label}_{uuid.uuid4().hex[:10]}"
        copy = f' TEMPLATE "{template}"' if template else ""
        admin = self._admin()
        try:
            async with admin.connect() as connection:
                await connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
        finally:
            await admin.dispose()
        self.created.append(name)
        return self.server.set(database=name).render_as_string(hide_password=False)

    async def drop_all(self) -> None:
        admin = self._admin()
        try:
            async with admin.connect() as connection:
                for name in self.created:
                    await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            await admin.dispose()
        self.created.clear()


class MigratedDatabases:
    """Each service's database migrated once per test process, then copied for each test
    that runs Portico: migrating every service from nothing takes seconds, a copy takes
    milliseconds, and the start's own migrate step then finds the database at its heads
    (it still runs, so a test starts Portico exactly as a deployment does).

    SQLite: a migrated file, copied into the test's data folder. PostgreSQL: a migrated
    database per service and process, which each test's database is created from
    (``CREATE DATABASE ... TEMPLATE``), dropped when the session ends. The methods block
    (migrations run their own event loop): call them in a thread."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._files: dict[str, Path] = {}
        self._templates: dict[tuple[str, str], str] = {}

    def copy_sqlite(self, service: Service, target: Path) -> None:
        with self._lock:
            migrated = self._files.get(service.name)
            if migrated is None:
                migrated = self.folder / f"{service.name}.db"
                upgrade(f"sqlite+aiosqlite:///{migrated}", service.migrations)
                self._files[service.name] = migrated
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(migrated, target)

    def postgres_template(self, server_url: str, service: Service) -> str:
        """The name of the migrated database to copy, on the server of ``server_url``."""
        with self._lock:
            key = (server_url, service.name)
            if key not in self._templates:
                name = f"portico_migrated_{service.name}_{os.getpid()}"
                asyncio.run(_recreate(server_url, name))
                server = make_url(server_url).set(database=name)
                upgrade(server.render_as_string(hide_password=False), service.migrations)
                self._templates[key] = name
            return self._templates[key]

    def drop_templates(self) -> None:
        # In a thread of its own: the session ends with Playwright's loop still running in
        # this one, where asyncio.run refuses to start another.
        with ThreadPoolExecutor(max_workers=1) as pool:
            for (server_url, _service), name in self._templates.items():
                pool.submit(asyncio.run, _drop(server_url, name)).result()
        self._templates.clear()


async def _recreate(server_url: str, name: str) -> None:
    # A process id reused from a run that was killed may have left one behind.
    await _drop(server_url, name)
    await _admin_execute(server_url, f'CREATE DATABASE "{name}"')


async def _drop(server_url: str, name: str) -> None:
    await _admin_execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _admin_execute(server_url: str, statement: str) -> None:
    admin = create_async_engine(
        make_url(server_url).set(database="postgres"),
        isolation_level="AUTOCOMMIT",
        poolclass=NullPool,
    )
    try:
        async with admin.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await admin.dispose()


@pytest.fixture(scope="session")
def migrated_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MigratedDatabases]:
    migrated = MigratedDatabases(tmp_path_factory.mktemp("migrated"))
    try:
        yield migrated
    finally:
        migrated.drop_templates()


@pytest.fixture
async def postgres_database(postgres_server_url: str) -> AsyncIterator[DatabaseFactory]:
    """A factory of fresh databases on the test server, dropped after the test."""
    databases = PostgresDatabases(postgres_server_url)
    try:
        yield databases.create
    finally:
        await databases.drop_all()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Callable[[str], str]:
    def url(label: str) -> str:
        return f"sqlite+aiosqlite:///{tmp_path / f'{label}.db'}"

    return url

"""Database fixtures: a SQLite file, or a fresh PostgreSQL database per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

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

    async def create(self, label: str) -> str:
        name = f"portico_{label}_{uuid.uuid4().hex[:10]}"
        admin = self._admin()
        try:
            async with admin.connect() as connection:
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
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

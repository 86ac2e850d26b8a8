"""Every service's migrations build exactly its models, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from alembic import command

from portico.kit.host import discover_services
from portico.kit.migrations import alembic_config, upgrade_async
from portico.kit.service import Service

SERVICES = discover_services()


@pytest.mark.parametrize("service", SERVICES, ids=[s.name for s in SERVICES])
async def test_migrations_match_the_models_on_sqlite(service: Service, sqlite_url) -> None:
    url = sqlite_url(service.name)
    await upgrade_async(url, service.migrations)
    # Raises when autogenerate would write anything: a model changed without a migration.
    await asyncio.to_thread(command.check, alembic_config(url, service.migrations))


@pytest.mark.parametrize("service", SERVICES, ids=[s.name for s in SERVICES])
async def test_migrations_match_the_models_on_postgresql(
    service: Service, postgres_database
) -> None:
    url = await postgres_database(service.name)
    await upgrade_async(url, service.migrations)
    await asyncio.to_thread(command.check, alembic_config(url, service.migrations))
    # Running them again is a no-op (the embedded mode migrates at every start).
    await upgrade_async(url, service.migrations)

"""Every service's migrations build exactly its models, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from portico.kit import tables
from portico.kit.host import discover_services
from portico.kit.migrations import KIT_VERSIONS, alembic_config, upgrade_async
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


def _service_head(url: str, service: Service) -> str:
    """The head of the service's own branch (the other head is the kit's)."""
    scripts = ScriptDirectory.from_config(alembic_config(url, service.migrations))
    (head,) = [
        revision
        for revision in scripts.get_heads()
        if KIT_VERSIONS not in Path(scripts.get_revision(revision).path).parents
    ]
    return head


def _before_the_kit(url: str, service: Service) -> str:
    """The newest revision of the service's branch that needs no kit table: its head, or
    below the migrations that use the kit's tables (the notifier's jobs, ``depends_on``)."""
    scripts = ScriptDirectory.from_config(alembic_config(url, service.migrations))
    revision = scripts.get_revision(_service_head(url, service))
    while revision is not None and revision.dependencies:
        assert isinstance(revision.down_revision, str)
        revision = scripts.get_revision(revision.down_revision)
    assert revision is not None
    return revision.revision


def _heads_stored(url: str, service: Service) -> list[str]:
    """What ``alembic_version`` holds at the heads: the service's head, and the kit's
    unless the service's head depends on it (then it is below it)."""
    scripts = ScriptDirectory.from_config(alembic_config(url, service.migrations))
    head = _service_head(url, service)
    below = {revision.revision for revision in scripts.iterate_revisions(head, "base")}
    return sorted([head] if "kit0002" in below else [head, "kit0002"])


async def _made_before_the_kit_branch(url: str, service: Service) -> None:
    """A database as the service's migrations left it before the kit had a branch of its
    own: the service's branch at its head, and the outbox and inbox that its first and
    third migrations created (the same tables the kit declares, NOTIFY trigger included)."""
    await upgrade_async(url, service.migrations, _before_the_kit(url, service))
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(
                tables.messaging_metadata.create_all,
                tables=[tables.outbox_table, tables.inbox_table],
            )
            await connection.execute(
                tables.outbox_table.insert(),
                [
                    {
                        "event_id": str(uuid.uuid4()),
                        "event_type": "portico.test.kept.v1",
                        "body": b"{}",
                        "created_at": datetime.now(UTC),
                        "published_at": published,
                    }
                    for published in (None, datetime.now(UTC))
                ],
            )
            await connection.execute(
                tables.inbox_table.insert(),
                {
                    "event_key": "portico.test/1",
                    "handler": "kept",
                    "event_type": "portico.test.kept.v1",
                    "processed_at": datetime.now(UTC),
                },
            )
    finally:
        await engine.dispose()


async def _kit_rows(url: str) -> tuple[int, int, list[str]]:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            outbox = await connection.scalar(select(func.count()).select_from(tables.outbox_table))
            inbox = await connection.scalar(select(func.count()).select_from(tables.inbox_table))
            versions = await connection.scalars(text("SELECT version_num FROM alembic_version"))
            return outbox or 0, inbox or 0, sorted(versions)
    finally:
        await engine.dispose()


async def _upgrade_keeps_the_events(url: str, service: Service) -> None:
    await _made_before_the_kit_branch(url, service)

    await upgrade_async(url, service.migrations)

    outbox, inbox, versions = await _kit_rows(url)
    assert (outbox, inbox) == (2, 1)
    assert versions == _heads_stored(url, service)
    await asyncio.to_thread(command.check, alembic_config(url, service.migrations))


@pytest.mark.parametrize("service", SERVICES, ids=[s.name for s in SERVICES])
async def test_a_sqlite_database_made_before_the_kit_branch_keeps_its_events(
    service: Service, sqlite_url
) -> None:
    await _upgrade_keeps_the_events(sqlite_url(service.name), service)


@pytest.mark.parametrize("service", SERVICES, ids=[s.name for s in SERVICES])
async def test_a_postgresql_database_made_before_the_kit_branch_keeps_its_events(
    service: Service, postgres_database
) -> None:
    await _upgrade_keeps_the_events(await postgres_database(service.name), service)


@pytest.mark.parametrize("service", SERVICES, ids=[s.name for s in SERVICES])
async def test_the_outbox_and_inbox_come_from_the_kit_branch_alone(
    service: Service, sqlite_url
) -> None:
    url = sqlite_url(service.name)
    await upgrade_async(url, service.migrations, _before_the_kit(url, service))
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await engine.dispose()
    # A service's own migrations no longer copy the kit's tables.
    assert "outbox" not in names and "inbox" not in names
    await upgrade_async(url, service.migrations)
    assert await _kit_rows(url) == (0, 0, _heads_stored(url, service))

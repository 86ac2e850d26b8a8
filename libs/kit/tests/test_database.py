"""The service's database handle on PostgreSQL: its pool outlives the server's connections."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from portico.kit.db import Database
from portico.kit.testing.database import DatabaseFactory


async def _backend_pids(database: Database) -> set[int]:
    """Opens a few pooled connections at once and returns their server processes."""
    pids: set[int] = set()
    gate = asyncio.Barrier(3)

    async def hold() -> None:
        async with database.engine.connect() as connection:
            pids.add(int(await connection.scalar(text("SELECT pg_backend_pid()"))))
            await gate.wait()

    await asyncio.gather(*(hold() for _ in range(3)))
    return pids


async def test_pooled_connections_the_server_closed_are_replaced_without_an_error(
    postgres_database: DatabaseFactory,
) -> None:
    url = await postgres_database("kitdb")
    database = Database(url, service="kitdb")
    admin = create_async_engine(make_url(url), poolclass=NullPool)
    try:
        pooled = await _backend_pids(database)
        assert len(pooled) == 3
        async with admin.connect() as connection:
            for pid in pooled:
                await connection.execute(text(f"SELECT pg_terminate_backend({pid})"))
        await asyncio.sleep(0.2)  # the event loop sees each socket close
        # Every pooled connection is dead: each checkout must find a live one on its own.
        for _ in range(5):
            async with database.sessions() as session:
                assert await session.scalar(text("SELECT 1")) == 1
        assert not pooled & await _backend_pids(database)
    finally:
        await admin.dispose()
        await database.dispose()


async def test_only_the_relays_connections_commit_without_waiting_for_the_disk(
    postgres_database: DatabaseFactory,
) -> None:
    database = Database(await postgres_database("kitrelay"), service="kitrelay")
    try:
        async with database.relay_engine.connect() as connection:
            assert await connection.scalar(text("SHOW synchronous_commit")) == "off"
        async with database.sessions() as session:
            assert await session.scalar(text("SHOW synchronous_commit")) == "on"
    finally:
        await database.dispose()


async def test_on_sqlite_the_relay_shares_the_services_engine(
    sqlite_url: Callable[[str], str],
) -> None:
    database = Database(sqlite_url("kitrelay"), service="kitrelay")
    try:
        assert database.relay_engine is database.engine
    finally:
        await database.dispose()

"""Async database access from a URL: SQLite (embedded mode) or PostgreSQL (distributed)."""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import DateTime, MetaData, event, text
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

if TYPE_CHECKING:
    from portico.kit.transaction import Transaction

# Stable constraint names, so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, whatever the database keeps.

    SQLite has no time zones and hands back naive values; comparing those with aware ones
    raises, so every timestamp column goes through this type.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Database:
    """One service's engine and its units of work.

    ``transaction()`` opens the unit of work every write goes through (a ``Transaction``:
    rows, events, jobs and after-commit steps committed together, ``portico.kit.transaction``);
    ``sessions()`` opens a session for reading.
    """

    def __init__(self, url: str, *, service: str, echo: bool = False) -> None:
        # Imported here: the unit of work builds on the jobs and tables, which build on
        # this module's types.
        from portico.kit.transaction import Transaction

        self.url = url
        self.service = service
        self.engine: AsyncEngine = _create_engine(url, echo=echo)
        self.sessions: async_sessionmaker[Transaction] = async_sessionmaker(
            self.engine, class_=Transaction, expire_on_commit=False, database=self
        )
        # Set after a commit that wrote outbox rows; the relay of this process waits on it.
        self.outbox_committed = asyncio.Event()
        # Set after a commit that added jobs; the job runner of this process waits on it.
        self.jobs_committed = asyncio.Event()
        self._relay_engine: AsyncEngine | None = None

    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """A unit of work: ``async with database.transaction() as tx:`` commits when the
        block ends without error, then sets off what it emitted, enqueued and deferred."""
        from portico.kit.transaction import open_transaction

        return open_transaction(self)

    @property
    def relay_engine(self) -> AsyncEngine:
        """The relay's connections. On PostgreSQL their commits do not wait for the disk:
        the relay only commits "published" marks, and a mark lost in a crash only
        publishes its events again, which delivery at least once and the consumers' inbox
        already absorb. One flush and one statement fewer per relay pass."""
        if not self.is_postgres:
            return self.engine
        if self._relay_engine is None:
            self._relay_engine = _create_engine(
                self.url,
                pool_size=4,
                max_overflow=4,
                connect_args={"server_settings": {"synchronous_commit": "off"}},
            )
        return self._relay_engine

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    async def ready(self) -> bool:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return True

    async def dispose(self) -> None:
        if self._relay_engine is not None:
            await self._relay_engine.dispose()
        await self.engine.dispose()


def _create_engine(url: str, *, echo: bool = False, **options: Any) -> AsyncEngine:
    """An engine with the kit's options for its database, ``options`` over them."""
    engine = create_async_engine(url, echo=echo, **{**_engine_options(url), **options})
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _configure_sqlite)
    elif engine.dialect.name == "postgresql":
        event.listen(engine.sync_engine, "checkout", _replace_if_closed)
    return engine


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        # One file shared by the API, the consumer and the relay of the embedded process:
        # wait for the writer instead of failing with "database is locked".
        return {"connect_args": {"timeout": 30}}
    # A fixed pool of up to 20 connections, each kept once opened. With 10 kept and 10
    # "overflow" ones (closed as soon as they are returned), a slow moment that held
    # more than 10 transactions open opened and closed a connection per transaction — a
    # server process forked and a handshake each time, exactly while the service was
    # busiest: 70 to 300 connections in 15 s of a bus benchmark latency run, 21 now.
    return {"pool_size": 20, "max_overflow": 0}


def _replace_if_closed(dbapi_connection: Any, _record: ConnectionPoolEntry, _proxy: Any) -> None:
    """Hand out no connection the server has closed (a restart, an idle timeout).

    asyncpg learns of a closed socket from the event loop, so this check costs nothing;
    SQLAlchemy's ``pool_pre_ping`` instead spends three round trips (BEGIN, a ping,
    ROLLBACK) on every checkout, which was most of a small transaction's cost. On the error
    the pool discards the connection and checks out another.
    """
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this pooled connection")


def _configure_sqlite(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


# The kit's own tables (outbox, inbox) live in every service's database; each service's
# first migration creates them and its Alembic env compares against this metadata too.
messaging_metadata = new_metadata()

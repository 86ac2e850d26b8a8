"""Alembic per service: the shared ``env.py`` logic and a programmatic upgrade."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from alembic import command, context, op
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from portico.kit import tables
from portico.kit.db import UTCDateTime


def run_env(metadata: MetaData) -> None:
    """Body of a service's ``migrations/env.py``: its tables plus the kit's outbox and inbox."""
    config = context.config
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("sqlalchemy.url is not set for the migration")
    target = [metadata, tables.messaging_metadata]
    if context.is_offline_mode():
        _migrate(target, url=url, literal_binds=True)
        return
    asyncio.run(_run_online(url, target))


async def _run_online(url: str, target: list[MetaData]) -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_with_connection, target)
    finally:
        await engine.dispose()


def _run_with_connection(connection: Connection, target: list[MetaData]) -> None:
    _migrate(target, connection=connection, compare_type=True)


def _migrate(target: list[MetaData], **options: Any) -> None:
    # Batch mode lets the same migration ALTER tables on SQLite (by copying them).
    context.configure(
        target_metadata=target, render_as_batch=True, render_item=_render_item, **options
    )
    with context.begin_transaction():
        context.run_migrations()


def _render_item(kind: str, item: Any, _context: AutogenContext) -> str | Literal[False]:
    # Migrations stay plain SQLAlchemy: UTCDateTime only changes Python-side conversion.
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def alembic_config(database_url: str, migrations: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations))
    # ConfigParser interpolation: a '%' in a password must be doubled.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, migrations: Path, revision: str = "head") -> None:
    """Bring the database to ``revision``; blocking (env.py runs its own event loop)."""
    command.upgrade(alembic_config(database_url, migrations), revision)


async def upgrade_async(database_url: str, migrations: Path, revision: str = "head") -> None:
    await asyncio.to_thread(upgrade, database_url, migrations, revision)


def outbox_relays_by_row_locks() -> None:
    """Migration step (Alembic ``op`` context) of every service: the relay holds row locks
    instead of a lease (``claimed_until`` goes), and PostgreSQL notifies the relays from a
    trigger instead of a statement of the writer's own."""
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claimed_until")
    if op.get_bind().dialect.name == "postgresql":
        for statement in tables.OUTBOX_NOTIFY_DDL:
            op.execute(statement)


def outbox_relays_by_lease() -> None:
    """The downgrade of ``outbox_relays_by_row_locks``."""
    if op.get_bind().dialect.name == "postgresql":
        for statement in tables.OUTBOX_NOTIFY_DROP:
            op.execute(statement)
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))

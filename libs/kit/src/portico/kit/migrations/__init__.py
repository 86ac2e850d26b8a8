"""Alembic per service: the shared ``env.py`` logic and a programmatic upgrade.

A service's database holds two branches of migrations: the service's own (its
``migrations/versions``) and the kit's (``versions/`` beside this module, branch label
``kit``), which owns the tables every service has (outbox, inbox). A change to a kit
table is one migration here, applied by every service's migrate step; ``heads`` brings
both branches up to date.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any, Literal

from alembic import command, context
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


KIT_VERSIONS = Path(__file__).parent / "versions"


def alembic_config(database_url: str, migrations: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.set_main_option("path_separator", "os")
    config.set_main_option(
        "version_locations", os.pathsep.join([str(migrations / "versions"), str(KIT_VERSIONS)])
    )
    # ConfigParser interpolation: a '%' in a password must be doubled.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, migrations: Path, revision: str = "heads") -> None:
    """Bring the database to ``revision`` (by default the service's and the kit's heads);
    blocking (env.py runs its own event loop)."""
    command.upgrade(alembic_config(database_url, migrations), revision)


async def upgrade_async(database_url: str, migrations: Path, revision: str = "heads") -> None:
    await asyncio.to_thread(upgrade, database_url, migrations, revision)

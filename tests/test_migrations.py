"""Every service's migrations build exactly its models, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import JSON, DateTime, String, Uuid, column, func, inspect, select, table, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.expression import TableClause

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
    kit_head = scripts.get_revision("kit@head")
    assert kit_head is not None
    return sorted([head] if kit_head.revision in below else [head, kit_head.revision])


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


# --- The portal's 0005: one client login per person ---------------------------------------

PORTAL = next(s for s in SERVICES if s.name == "portal")


def _table(name: str, *columns: str) -> TableClause:
    """A table of the 0003 era, typed as the migrations made it (ids are UUIDs, times
    aware), for rows written and read without the models of today."""
    types: dict[str, Any] = {"tags": JSON()}
    for name_ in columns:
        if name_ == "id" or name_.endswith("_id"):
            types[name_] = Uuid()
        elif name_.endswith("_at"):
            types[name_] = DateTime(timezone=True)
    return table(name, *(column(c, types.get(c, String())) for c in columns))


CLIENTS = _table("clients", "id", "kind", "name", "tags", "created_at", "updated_at")
CONTACTS = _table(
    "contacts", "id", "client_id", "first_name", "last_name", "email", "locale", "created_at"
)
ACCOUNTS = _table(
    "client_accounts", "id", "contact_id", "password_hash", "joined_at", "last_login_at"
)
ACCOUNT_LOGINS = _table("client_accounts", "id", "login_id")
LOGINS = _table("client_logins", "id", "email", "password_hash", "last_login_at")
SESSIONS = _table(
    "auth_sessions",
    "id",
    "account_kind",
    "account_id",
    "client_account_id",
    "refresh_token_hash",
    "created_at",
    "refreshed_at",
    "expires_at",
)
RESETS = _table(
    "password_resets", "id", "account_kind", "account_id", "created_at", "token_hash", "expires_at"
)


async def _portal_made_before_logins(url: str) -> dict[str, uuid.UUID]:
    """A portal database of the 0003 era: each joined contact had an account with its own
    password. Anne is a contact of two clients under one address (the second account made
    by changing a contact's address after joining, the only way then); Hugo has one."""
    await upgrade_async(url, PORTAL.migrations, "0003")
    names = ("lumiere", "boreal", "anne_l", "anne_b", "hugo", "session", "reset")
    ids = {name: uuid.uuid4() for name in names}
    ids.update({f"{name}_account": uuid.uuid4() for name in ("anne_l", "anne_b", "hugo")})
    early, late = datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC)
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                CLIENTS.insert(),
                [
                    {
                        "id": ids[name],
                        "kind": "company",
                        "name": name.title(),
                        "tags": [],
                        "created_at": early,
                        "updated_at": early,
                    }
                    for name in ("lumiere", "boreal")
                ],
            )
            contacts = [
                ("anne_l", "lumiere", "Anne@Compta.example", early, None),
                ("anne_b", "boreal", "anne@compta.example", late, late),
                ("hugo", "lumiere", "hugo@lumiere.example", early, early),
            ]
            for contact, client, email, joined, used in contacts:
                await connection.execute(
                    CONTACTS.insert().values(
                        id=ids[contact],
                        client_id=ids[client],
                        first_name="A",
                        last_name="B",
                        email=email,
                        locale="fr",
                        created_at=early,
                    )
                )
                await connection.execute(
                    ACCOUNTS.insert().values(
                        id=ids[f"{contact}_account"],
                        contact_id=ids[contact],
                        password_hash=f"hash-of-{contact}",
                        joined_at=joined,
                        last_login_at=used,
                    )
                )
            # A session and a reset link of Anne's second account, as 0003 named them.
            await connection.execute(
                SESSIONS.insert().values(
                    id=ids["session"],
                    account_kind="client",
                    account_id=ids["anne_b_account"],
                    refresh_token_hash="r1",
                    created_at=late,
                    refreshed_at=late,
                    expires_at=late,
                )
            )
            await connection.execute(
                RESETS.insert().values(
                    id=ids["reset"],
                    account_kind="client",
                    account_id=ids["anne_b_account"],
                    created_at=late,
                    token_hash="t1",
                    expires_at=late,
                )
            )
    finally:
        await engine.dispose()
    return ids


async def _logins_after_upgrade(url: str) -> None:
    ids = await _portal_made_before_logins(url)
    await upgrade_async(url, PORTAL.migrations)
    await asyncio.to_thread(command.check, alembic_config(url, PORTAL.migrations))
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            logins = {row.email: row for row in await connection.execute(select(LOGINS))}
            owners = {
                row.id: row.login_id for row in await connection.execute(select(ACCOUNT_LOGINS))
            }
            session = (
                await connection.execute(
                    select(SESSIONS.c.account_id, SESSIONS.c.client_account_id).where(
                        SESSIONS.c.id == ids["session"]
                    )
                )
            ).one()
            reset = await connection.scalar(
                select(RESETS.c.account_id).where(RESETS.c.id == ids["reset"])
            )
    finally:
        await engine.dispose()

    # One login per address (lower-cased), with the first-joined account's id and password
    # (the one that logged in then), and the latest use of any of its accounts.
    assert sorted(logins) == ["anne@compta.example", "hugo@lumiere.example"]
    anne = logins["anne@compta.example"]
    assert (anne.id, anne.password_hash) == (ids["anne_l_account"], "hash-of-anne_l")
    used = anne.last_login_at
    # SQLite gives the stored UTC time back without its zone.
    assert (used if used.tzinfo else used.replace(tzinfo=UTC)) == datetime(2026, 3, 9, tzinfo=UTC)
    assert owners == {
        ids["anne_l_account"]: anne.id,
        ids["anne_b_account"]: anne.id,
        ids["hugo_account"]: logins["hugo@lumiere.example"].id,
    }
    # The session keeps its client (the access it was opened at) and names the person.
    assert tuple(session) == (anne.id, ids["anne_b_account"])
    assert reset == anne.id


async def test_a_sqlite_portal_of_one_account_per_contact_gets_one_login_per_person(
    sqlite_url,
) -> None:
    await _logins_after_upgrade(sqlite_url("portal"))


async def test_a_postgresql_portal_of_one_account_per_contact_gets_one_login_per_person(
    postgres_database,
) -> None:
    await _logins_after_upgrade(await postgres_database("portal"))

"""What is left of someone in a running Portico: every row of every service's tables, and
every blob of every service's store, that mentions any of some values (a client's id, a
contact's email). The test of an erasure expects nothing (docs/erasure.md).

The tables are those of each service's own metadata (its models), found there rather than
listed by hand, so that a table added later is searched too; the kit's messaging tables
(outbox, inbox, jobs) are not, their rows going by retention. Every text, JSON or UUID
column is compared: a UUID column for equality with a value that is a UUID (SQLite keeps
them as 32 hex digits), the others for containing the value, case aside. Binary columns
(a seal key, a logo) are not read.

A blob mentions a value when its key or its bytes hold it. Compressed content (a PDF's
streams) is not inflated: a test should also compare the stores' keys with those held
before the person's data was made (``store_keys``). ``handled`` waits until a service has
handled an event (a ClientDeleted), so that a search looks after it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    LargeBinary,
    String,
    Table,
    Text,
    Uuid,
    cast,
    func,
    or_,
    select,
)

from portico.contracts import Envelope
from portico.kit.service import Runtime
from portico.kit.store import BlobStore
from portico.kit.store.local import META_SUFFIX, LocalBlobStore
from portico.kit.tables import inbox_table
from portico.kit.testing.services import RunningPortico


@dataclass(frozen=True)
class Leftover:
    """A row (its columns) or a blob (its key) of a service that mentions a value."""

    service: str
    table: str | None
    row: dict[str, Any]
    key: str | None = None

    @property
    def is_tombstone(self) -> bool:
        """A replica's tombstone: the deleted client's id and nothing else, kept so that a
        late ClientUpdated does not bring the client back."""
        rest = {k: v for k, v in self.row.items() if k not in ("client_id", "changed_at")}
        return rest.pop("deleted", None) is True and not any(rest.values())

    def __str__(self) -> str:
        where = f"table {self.table}: {self.row}" if self.table else f"blob {self.key}"
        return f"{self.service}: {where}"


async def leftovers(
    portico: RunningPortico, values: Sequence[str], *, services: Iterable[str] | None = None
) -> list[Leftover]:
    """Every row and blob of these services (all by default) that mentions a value."""
    chosen = set(services) if services is not None else None
    found: list[Leftover] = []
    for runtime in portico.host.runtimes:
        if chosen is not None and runtime.service.name not in chosen:
            continue
        found += await rows_mentioning(runtime, values)
        found += await blobs_mentioning(runtime, values)
    return found


async def handled(portico: RunningPortico, service: str, envelope: Envelope) -> None:
    """Waits until the service has handled the event (its inbox holds it)."""
    database = portico.runtime(service).database
    for _ in range(600):
        async with database.sessions() as session:
            seen = await session.scalar(
                select(func.count())
                .select_from(inbox_table)
                .where(inbox_table.c.event_key == envelope.key)
            )
        if seen:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{service} never handled {envelope.type} {envelope.id}")


async def rows_mentioning(runtime: Runtime, values: Sequence[str]) -> list[Leftover]:
    found: list[Leftover] = []
    async with runtime.database.sessions() as session:
        for table in runtime.service.metadata.sorted_tables:
            conditions = _conditions(table, values)
            if not conditions:
                continue
            rows = await session.execute(select(table).where(or_(*conditions)))
            found += [
                Leftover(runtime.service.name, table.name, dict(row._mapping)) for row in rows
            ]
    return found


def _conditions(table: Table, values: Sequence[str]) -> list[ColumnElement[bool]]:
    ids = [_uuid(value) for value in values]
    conditions: list[ColumnElement[bool]] = []
    for column in table.columns:
        if isinstance(column.type, LargeBinary):
            continue
        if isinstance(column.type, Uuid):
            conditions += [column == value for value in ids if value is not None]
        elif isinstance(column.type, String | Text | JSON):
            text = func.lower(cast(column, String) if isinstance(column.type, JSON) else column)
            conditions += [text.contains(value.lower(), autoescape=True) for value in values]
    return conditions


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


async def store_keys(store: BlobStore) -> set[str]:
    """Every key of the store (a service's folder, or its prefix of the bucket)."""
    if isinstance(store, LocalBlobStore):
        return await asyncio.to_thread(_local_keys, store)
    from portico.kit.store.s3 import S3BlobStore

    assert isinstance(store, S3BlobStore), f"cannot list a {type(store).__name__}"
    paginator = store.client.get_paginator("list_objects_v2")
    pages = await asyncio.to_thread(
        lambda: list(paginator.paginate(Bucket=store.bucket, Prefix=store.prefix))
    )
    return {
        item["Key"].removeprefix(store.prefix)
        for page in pages
        for item in page.get("Contents", [])
    }


def _local_keys(store: LocalBlobStore) -> set[str]:
    if not store.root.is_dir():
        return set()
    return {
        path.relative_to(store.root).as_posix()
        for path in store.root.rglob("*")
        if path.is_file() and not path.name.endswith(META_SUFFIX) and not path.name.startswith(".")
    }


async def blobs_mentioning(runtime: Runtime, values: Sequence[str]) -> list[Leftover]:
    found = []
    wanted = [value.lower() for value in values]
    for key in sorted(await store_keys(runtime.store)):
        content = (await runtime.store.read(key)).lower()
        if any(value in key.lower() or value.encode() in content for value in wanted):
            found.append(Leftover(runtime.service.name, None, {}, key=key))
    return found

"""A service's part of a client's data export (a GDPR access request, docs/exports.md).

The portal asks (ClientExportRequested); each service holding data about clients answers
the same way, so the way lives here and a service brings only what it holds about the
client (a ``Collector``): its handler enqueues a job keyed by the export (a redelivered
request enqueues nothing), and the job reads the rows and files, writes one zip into the
service's own store at ``exports/<export_id>/<service>.zip`` (a repeated job rewrites the
same part) and answers ClientExportPartReady through the outbox.

A part holds ``data.json`` (``{"service", "export_id", "client_id", "tables": {name:
[row, ...]}}``, each row its columns: dates in ISO 8601, amounts as decimal strings, ids
as strings, small binary values in base64 and larger ones left out) and ``files/...``,
every file about the client, under the path its collector chose.
"""

from __future__ import annotations

import asyncio
import base64
import enum
import json
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any

import structlog
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from portico.contracts.events.exports import ClientExportPartReady, ClientExportRequested
from portico.kit.db import utcnow
from portico.kit.downloads import safe_file_name
from portico.kit.inbox import EventContext, EventHandler
from portico.kit.jobs import Job, JobContext, JobTable
from portico.kit.store import BlobNotFound, BlobStore, create_store
from portico.kit.store.base import CHUNK
from portico.kit.store.spooling import chunks_from, read_into, spool
from portico.kit.transaction import Transaction

log = structlog.get_logger(__name__)

# Binary columns (a drawn signature) up to this size travel in base64; larger ones are
# files, exported as files by their collector, and only their size is said.
MAX_INLINE_BYTES = 256 * 1024
ZIP_TYPE = "application/zip"


@dataclass(frozen=True)
class ExportFile:
    """A file about the client: where it goes in the part (under ``files/``), and where it
    is read: ``key`` in the store of ``service`` (None: the exporting service's own)."""

    path: str
    key: str
    service: str | None = None
    # Every file under the prefix ``key``, each at ``path`` + its name under the prefix.
    folder: bool = False


@dataclass
class ExportContents:
    """What a service holds about the client: rows by table, and files."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    files: list[ExportFile] = field(default_factory=list)

    def add_rows(self, table: str, rows: Iterable[Any]) -> None:
        """Rows of ``table`` (ORM instances or mappings), serialised by ``row_of``."""
        self.tables.setdefault(table, []).extend(row_of(row) for row in rows)

    def add_file(self, path: str, key: str | None, service: str | None = None) -> None:
        if key:
            self.files.append(ExportFile(path=path, key=key, service=service))

    def add_folder(self, path: str, prefix: str) -> None:
        """Every file the store holds under ``prefix`` (a record's own folder)."""
        self.files.append(ExportFile(path=path, key=prefix.rstrip("/"), folder=True))

    @property
    def records(self) -> int:
        return sum(len(rows) for rows in self.tables.values())


Collector = Callable[[AsyncSession, ClientExportRequested], Awaitable[ExportContents]]
"""``await collect(session, request)``: every row and file the service holds about the
client of ``request`` (and nothing of another client's)."""

PartAnswer = Callable[[Transaction, ClientExportPartReady], Awaitable[None]]


def part_key(export_id: uuid.UUID | str, service: str) -> str:
    return f"exports/{export_id}/{service}.zip"


def file_path(*parts: object) -> str:
    """A path in a part's ``files/`` made of ids and a file's own name, each part made safe
    (a name a user gave can hold slashes or dots)."""
    return "/".join(safe_file_name(str(part)) for part in parts if str(part))


def json_value(value: Any) -> Any:
    """A column's value as JSON can carry it, and a reader understands it."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return json_value(value.value)
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        if len(raw) > MAX_INLINE_BYTES:
            return {"omitted_bytes": len(raw)}
        return {"base64": base64.b64encode(raw).decode("ascii")}
    if isinstance(value, Mapping):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_value(item) for item in value]
    return str(value)


# Columns never exported: the hash of a link's token, a one-time code or a password is
# no data about the person, and would only help someone guess the secret.
SECRET_COLUMNS = frozenset({"secret", "token", "password"})


def is_secret(column: str) -> bool:
    return column in SECRET_COLUMNS or column.endswith("_hash")


def row_of(row: Any) -> dict[str, Any]:
    """An ORM instance's columns (or a mapping), as JSON values."""
    items: Iterable[tuple[str, Any]]
    if isinstance(row, Mapping):
        items = row.items()
    else:
        mapper = inspect(type(row))
        items = ((attr.key, getattr(row, attr.key)) for attr in mapper.column_attrs)
    return {key: json_value(value) for key, value in items if not is_secret(key)}


def build_part(
    *,
    service: str,
    export_id: uuid.UUID | str,
    client_id: uuid.UUID | str,
    tables: Mapping[str, Sequence[Mapping[str, Any]]],
    files: Sequence[tuple[str, IO[bytes]]],
    into: IO[bytes],
) -> None:
    """A part as a zip written into ``into``: ``data.json`` and each file under
    ``files/``, copied a chunk at a time (a client's files can be large). No I/O but the
    files given, and the same bytes for the same content (entries dated 1980-01-01), so a
    repeated job writes the same part."""
    data = {
        "service": service,
        "export_id": str(export_id),
        "client_id": str(client_id),
        "tables": {name: list(rows) for name, rows in sorted(tables.items())},
    }
    with zipfile.ZipFile(into, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        encoded = json.dumps(data, ensure_ascii=False, indent=2).encode()
        archive.writestr(zip_entry("data.json"), encoded)
        seen: set[str] = set()
        for path, content in files:
            copy_into(archive, _unique(f"files/{path}", seen), content)


def zip_entry(name: str) -> zipfile.ZipInfo:
    """An entry dated 1980-01-01 (zip's first day), deflated, readable by all: the same
    content makes the same archive, whenever it is made."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def copy_into(archive: zipfile.ZipFile, name: str, source: IO[bytes]) -> None:
    """``source`` (from where it stands) as the entry ``name``, a chunk at a time."""
    with archive.open(zip_entry(name), "w") as entry:
        shutil.copyfileobj(source, entry, CHUNK)


def _unique(name: str, seen: set[str]) -> str:
    candidate, number = name, 1
    while candidate in seen:
        number += 1
        stem, dot, suffix = name.rpartition(".")
        candidate = (
            f"{stem} ({number}).{suffix}" if dot and "/" not in suffix else f"{name} ({number})"
        )
    seen.add(candidate)
    return candidate


async def emit_part_ready(tx: Transaction, part: ClientExportPartReady) -> None:
    tx.emit(part)


class ClientExport:
    """A service's way of answering export requests: ``handler`` for its handler table
    (ClientExportRequested), ``jobs`` for its ``jobs=``."""

    def __init__(
        self, service: str, collect: Collector, *, answer: PartAnswer = emit_part_ready
    ) -> None:
        self.service = service
        self.collect = collect
        self.answer = answer
        self.kind = f"{service}.export_client"

    @property
    def jobs(self) -> JobTable:
        return {self.kind: self.write_part}

    @property
    def handler(self) -> EventHandler:
        async def enqueue_client_export(
            event: ClientExportRequested, context: EventContext
        ) -> None:
            await self.enqueue(context.tx, event)

        enqueue_client_export.__qualname__ = f"{self.service}.enqueue_client_export"
        return enqueue_client_export

    async def enqueue(self, tx: Transaction, request: ClientExportRequested) -> None:
        """Once per export: a redelivered request finds the key taken."""
        await tx.enqueue(
            self.kind,
            request.model_dump(mode="json"),
            key=f"client-export:{request.export_id}",
        )

    async def write_part(self, context: JobContext, job: Job) -> None:
        request = ClientExportRequested.model_validate(job.payload)
        async with context.database.sessions() as session:
            contents = await self.collect(session, request)
        store = _own_store(context)
        with ExitStack() as spools:
            files = await self._read_files(context, contents.files, spools)
            part = spools.enter_context(spool())
            # Compressing is CPU work: off the event loop, which keeps serving meanwhile.
            await asyncio.to_thread(
                build_part,
                service=self.service,
                export_id=request.export_id,
                client_id=request.client_id,
                tables=contents.tables,
                files=files,
                into=part,
            )
            stored = await store.put(
                part_key(request.export_id, self.service), chunks_from(part), content_type=ZIP_TYPE
            )
        async with context.database.transaction() as tx:
            await self.answer(
                tx,
                ClientExportPartReady(
                    export_id=request.export_id,
                    client_id=request.client_id,
                    service=self.service,
                    blob_key=stored.key,
                    size_bytes=stored.size,
                    sha256=stored.sha256,
                    records=contents.records,
                    files=len(files),
                    written_at=utcnow(),
                ),
            )

    async def _read_files(
        self, context: JobContext, wanted: Sequence[ExportFile], spools: ExitStack
    ) -> list[tuple[str, IO[bytes]]]:
        """Each file read into a temporary file on disk that ``spools`` closes: a client
        may have hundreds of files, all open until the part is built, so none is held in
        memory (a spool of each would keep up to 8 MiB of every one)."""
        stores: dict[str | None, BlobStore] = {None: _own_store(context)}
        found: list[tuple[str, IO[bytes]]] = []

        async def read(path: str, store: BlobStore, key: str) -> None:
            on_disk = spools.enter_context(tempfile.TemporaryFile())  # noqa: SIM115 (spools closes it)
            await read_into(store, key, on_disk)
            found.append((path, on_disk))

        for file in wanted:
            if file.service not in stores:
                stores[file.service] = create_store(context.settings, str(file.service))
            store = stores[file.service]
            if file.folder:
                for key in await store.keys(file.key):
                    name = key.removeprefix(file.key).strip("/")
                    await read(f"{file.path}/{name}", store, key)
                continue
            try:
                await read(file.path, store, file.key)
            except BlobNotFound:
                # A row whose file went (removed after a deletion, a grace run out): the
                # row says what it was; the part holds what is left.
                log.warning("an exported file is missing", service=self.service, key=file.key)
        return found


def _own_store(context: JobContext) -> BlobStore:
    if context.store is None:
        raise LookupError("exporting a client's data needs the service's blob store")
    return context.store

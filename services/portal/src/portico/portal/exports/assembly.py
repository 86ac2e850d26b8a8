"""The archive of an export, assembled by a job once every expected service has given its
part: each part read from its service's store, checked against the digest its service
announced, put in one zip with a README, stored in the portal's store.

Each service keeps its files in a store of its own (``create_store(settings, service)``:
the folder ``blobs/<service>`` in the embedded mode, the prefix ``<service>/`` of the
shared bucket on S3); a part's key is meaningful only there, so each part is read from
its service's store, as the notifier reads attachments (``deliveries/attachments.py``).
"""

from __future__ import annotations

import asyncio
import uuid
from contextlib import ExitStack
from datetime import timedelta
from typing import IO

from sqlalchemy import select

from portico.kit.db import utcnow
from portico.kit.jobs import Job, JobContext, JobTable, Schedule
from portico.kit.store import BlobStore, create_store
from portico.kit.store.spooling import chunks_from, read_into, spool
from portico.portal.client_export import JOBS as OWN_PART_JOBS
from portico.portal.exports.archive import InvalidPart, build_archive, readme
from portico.portal.exports.discard import DISCARD, discard_after_commit, discard_parts
from portico.portal.exports.models import ClientExport, ClientExportPart
from portico.portal.exports.parts import ASSEMBLE, FAILED, PENDING, READY
from portico.portal.exports.service import FAIL_LATE, OWN, fail_late_exports
from portico.portal.models import Client

ZIP_TYPE = "application/zip"


def archive_key(export_id: uuid.UUID) -> str:
    return f"exports/{export_id}/archive.zip"


async def assemble_archive(context: JobContext, job: Job) -> None:
    export_id = uuid.UUID(job.payload["export_id"])
    async with context.database.sessions() as session:
        export = await session.get(ClientExport, export_id)
        if export is None or export.status != PENDING:
            return
        client_name = await session.scalar(select(Client.name).where(Client.id == export.client_id))
        parts = list(
            await session.scalars(
                select(ClientExportPart).where(ClientExportPart.export_id == export_id)
            )
        )
    own = _own_store(context)
    stores: dict[str, BlobStore] = {OWN: own}
    try:
        with ExitStack() as spools:
            contents: dict[str, IO[bytes]] = {}
            for part in parts:
                if part.service not in stores:
                    stores[part.service] = create_store(context.settings, part.service)
                spooled = spools.enter_context(spool())
                if await read_into(stores[part.service], part.blob_key, spooled) != part.sha256:
                    raise InvalidPart(f"{part.service}: its part is not the one it announced")
                contents[part.service] = spooled
            text = readme(
                client_name=client_name or "",
                export_id=str(export_id),
                requested_at=export.created_at,
                services=[service for service in export.expected if service in contents],
                missing=[service for service in export.expected if service not in contents],
            )
            archive = spools.enter_context(spool())
            await asyncio.to_thread(build_archive, contents, text, archive)
            stored = await own.put(
                archive_key(export_id), chunks_from(archive), content_type=ZIP_TYPE
            )
    except Exception as error:
        if job.is_last_try:
            await _fail(context, export_id, str(error) or type(error).__name__)
        raise
    async with context.database.transaction() as tx:
        held = await tx.locked(ClientExport, export_id)
        if held is None or held.status != PENDING:
            return
        held.status, held.ready_at = READY, utcnow()
        held.archive_key, held.archive_size, held.archive_sha256 = (
            stored.key,
            stored.size,
            stored.sha256,
        )
    # The parts are in the archive now: a copy of the client's data left in each service's
    # store would outlive an erasure, which knows only the archive (``exports_of``).
    for part in parts:
        await stores[part.service].delete(part.blob_key)


async def _fail(context: JobContext, export_id: uuid.UUID, reason: str) -> None:
    async with context.database.transaction() as tx:
        held = await tx.locked(ClientExport, export_id)
        if held is not None and held.status == PENDING:
            held.status, held.failed_at = FAILED, utcnow()
            held.failure = f"The archive could not be built: {reason}"[:500]
            await discard_after_commit(tx, held.id, held.expected)


def _own_store(context: JobContext) -> BlobStore:
    if context.store is None:
        raise LookupError("the portal has no blob store")
    return context.store


SCHEDULES = [Schedule(name="fail-late-client-exports", kind=FAIL_LATE, every=timedelta(hours=1))]
JOBS: JobTable = {
    **OWN_PART_JOBS,
    ASSEMBLE: assemble_archive,
    DISCARD: discard_parts,
    FAIL_LATE: fail_late_exports,
}

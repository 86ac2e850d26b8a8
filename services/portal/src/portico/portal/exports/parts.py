"""The parts the services give for an export, as the portal records them; the last one
completes the export and sets off the archive's assembly (``assembly``)."""

from __future__ import annotations

import structlog
from sqlalchemy import select

from portico.contracts.events.exports import ClientExportPartReady
from portico.kit.db import utcnow
from portico.kit.inbox import EventContext
from portico.kit.transaction import Transaction
from portico.portal.exports.discard import discard_after_commit
from portico.portal.exports.models import ClientExport, ClientExportPart

log = structlog.get_logger(__name__)

ASSEMBLE = "portal.assemble_client_export"
PENDING, READY, FAILED = "pending", "ready", "failed"


async def record_part(tx: Transaction, part: ClientExportPartReady) -> None:
    """Record ``part`` for its pending export (again, when a repeated job rewrote it);
    once every expected service has answered, the archive is assembled by a job, enqueued
    once. A part no pending export waits for is removed from its store. The export's row
    is locked: of two parts recorded at once, the second sees the first."""
    export = await tx.locked(ClientExport, part.export_id)
    if export is None or export.status != PENDING:
        # Its client was deleted meanwhile (the export with it), the export failed, or its
        # archive is built: the part is needed no more, and must not stay in its store.
        log.info("a part no export waits for", export_id=str(part.export_id))
        await discard_after_commit(tx, part.export_id, [part.service])
        return
    if part.service not in export.expected:
        log.warning("a part from a service not asked", service=part.service)
        await discard_after_commit(tx, part.export_id, [part.service])
        return
    held = await tx.get(ClientExportPart, (export.id, part.service))
    if held is None:
        held = ClientExportPart(export_id=export.id, service=part.service)
        tx.add(held)
    held.blob_key, held.size_bytes, held.sha256 = part.blob_key, part.size_bytes, part.sha256
    held.records, held.files, held.received_at = part.records, part.files, utcnow()
    await tx.flush()
    answered = set(
        await tx.scalars(
            select(ClientExportPart.service).where(ClientExportPart.export_id == export.id)
        )
    )
    if answered >= set(export.expected):
        await tx.enqueue(
            ASSEMBLE, {"export_id": str(export.id)}, key=f"client-export-archive:{export.id}"
        )


async def record_part_ready(event: ClientExportPartReady, context: EventContext) -> None:
    await record_part(context.tx, event)

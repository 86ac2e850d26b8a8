"""Parts of an export removed from their services' stores once the portal no longer needs
them. A part is a copy of everything a service holds about a client: it must not outlive
its export, or an erasure (which deletes the client's exports and their archives) would
leave it behind. The archive's assembly removes the parts it put in the archive; the
others go through here: those of an export that failed or was deleted with its client,
and a part announced for an export that is no longer pending (late, after a failure or a
deletion, or again by a repeated job after the archive was built).

Only a part's own key is removed (``part_key``): never the archive beside the portal's
own part, never another file of a service's store, whatever an event says."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from portico.kit.client_exports import part_key
from portico.kit.jobs import Job, JobContext
from portico.kit.store import create_store
from portico.kit.transaction import Transaction

DISCARD = "portal.discard_client_export_parts"


async def discard_after_commit(
    tx: Transaction, export_id: uuid.UUID, services: Iterable[str]
) -> None:
    """Remove the part of each of ``services`` for ``export_id`` once ``tx`` commits (a
    part not written yet is removed when it is announced)."""
    named = sorted(set(services))
    if named:
        await tx.enqueue(DISCARD, {"export_id": str(export_id), "services": named})


async def discard_parts(context: JobContext, job: Job) -> None:
    # Deleting what is already gone is no error: a job run twice changes nothing more.
    # Each service's store, the portal's own included, is the one its runtime opens.
    export_id = uuid.UUID(job.payload["export_id"])
    for service in job.payload["services"]:
        await create_store(context.settings, service).delete(part_key(export_id, service))

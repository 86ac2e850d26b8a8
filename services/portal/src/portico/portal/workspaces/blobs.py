"""Where a workspace's files are in the blob store, and removing them after the rows that
held them (``portico.kit.store.removal``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from portico.kit.jobs import JobTable
from portico.kit.store import removal
from portico.kit.transaction import Transaction

# Jobs queued under the portal's own name before the kit took the job over.
EARLIER_DELETE_FILES = "portal.delete_files"


def workspace_prefix(workspace_id: uuid.UUID) -> str:
    return f"workspaces/{workspace_id}/"


async def delete_files_after_commit(
    tx: Transaction, *, keys: Iterable[str] = (), workspace_ids: Iterable[uuid.UUID] = ()
) -> None:
    """Remove these files, and every file of these workspaces, once ``tx`` commits."""
    prefixes = [workspace_prefix(workspace_id) for workspace_id in workspace_ids]
    await removal.delete_files_after_commit(tx, keys=keys, prefixes=prefixes)


JOBS: JobTable = {**removal.JOBS, EARLIER_DELETE_FILES: removal.delete_files}

"""Removing files from the blob store once the rows that held them are gone.

The rows are deleted in the caller's transaction; the files only by a job that the same
transaction enqueues. A delete rolled back (a failure later in the request) loses no file,
and one committed removes its files even if the process stops right after the commit: the
runner retries the job until the store answers. A service that deletes files puts
``JOBS`` in its own job table.
"""

from __future__ import annotations

from collections.abc import Iterable

from portico.kit.jobs import Job, JobContext, JobTable
from portico.kit.transaction import Transaction

DELETE_FILES = "kit.delete_files"


async def delete_files_after_commit(
    tx: Transaction, *, keys: Iterable[str] = (), prefixes: Iterable[str] = ()
) -> None:
    """Remove these files, and every file under these prefixes, once ``tx`` commits."""
    payload = {"keys": list(keys), "prefixes": list(prefixes)}
    if payload["keys"] or payload["prefixes"]:
        await tx.enqueue(DELETE_FILES, payload)


async def delete_files(context: JobContext, job: Job) -> None:
    # Deleting what is already gone is no error: a job run twice changes nothing more.
    assert context.store is not None
    for key in job.payload["keys"]:
        await context.store.delete(key)
    for prefix in job.payload["prefixes"]:
        await context.store.delete_prefix(prefix)


JOBS: JobTable = {DELETE_FILES: delete_files}

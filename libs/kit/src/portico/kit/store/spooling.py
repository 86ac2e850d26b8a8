"""Blobs through temporary files, for work on content too large to hold in memory (a
client's export: every file about the client, zipped): a blob is read into a spool, the
work reads and writes spools (zipfile needs files it can seek), and the result is stored
from its spool, a chunk at a time. A spool stays in memory up to ``SPOOL_BYTES`` and
moves to a temporary file beyond."""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
from collections.abc import AsyncIterator
from typing import IO

from portico.kit.store.base import CHUNK, BlobStore

SPOOL_BYTES = 8 << 20


def spool() -> IO[bytes]:
    """An empty spool; close it (``with``) to free it."""
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)


async def read_into(store: BlobStore, key: str, spooled: IO[bytes]) -> str:
    """The blob written into ``spooled`` (rewound after); returns its SHA-256."""
    digest = hashlib.sha256()
    async for chunk in store.stream(key):
        digest.update(chunk)
        await asyncio.to_thread(spooled.write, chunk)
    spooled.seek(0)
    return digest.hexdigest()


async def chunks_from(spooled: IO[bytes]) -> AsyncIterator[bytes]:
    """The spool's content from its start, for ``BlobStore.put``."""
    spooled.seek(0)
    while chunk := await asyncio.to_thread(spooled.read, CHUNK):
        yield chunk

"""Blobs through spools: a blob larger than a spool keeps in memory goes through whole,
in and out of the store, its digest checked."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from portico.kit.store.local import LocalBlobStore
from portico.kit.store.spooling import SPOOL_BYTES, chunks_from, read_into, spool


async def test_a_blob_larger_than_memory_holds_goes_through_a_spool_whole(
    tmp_path: Path,
) -> None:
    store = LocalBlobStore(tmp_path)
    content = os.urandom(SPOOL_BYTES + 12345)
    await store.put("in/blob.bin", content)
    with spool() as spooled:
        digest = await read_into(store, "in/blob.bin", spooled)
        assert digest == hashlib.sha256(content).hexdigest()
        assert spooled.tell() == 0  # rewound, ready to read
        stored = await store.put("out/blob.bin", chunks_from(spooled))
    assert (stored.size, stored.sha256) == (len(content), digest)
    assert await store.read("out/blob.bin") == content

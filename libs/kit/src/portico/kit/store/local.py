"""Blobs in a local folder (embedded mode): atomic writes, metadata in a sidecar file."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

from portico.kit.store.base import CHUNK, BlobNotFound, Content, StoredBlob, check_key, chunks_of

META_SUFFIX = ".meta.json"


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    async def put(
        self, key: str, content: Content, *, content_type: str = "application/octet-stream"
    ) -> StoredBlob:
        path = self._path(key)
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        digest = hashlib.sha256()
        size = 0
        file = await asyncio.to_thread(open, temporary, "wb")
        try:
            async for chunk in chunks_of(content):
                digest.update(chunk)
                size += len(chunk)
                await asyncio.to_thread(file.write, chunk)
            await asyncio.to_thread(_flush, file)
        except BaseException:
            file.close()
            await asyncio.to_thread(temporary.unlink, missing_ok=True)
            raise
        file.close()
        blob = StoredBlob(key=key, size=size, sha256=digest.hexdigest(), content_type=content_type)
        await asyncio.to_thread(_commit, temporary, path, blob)
        return blob

    async def stat(self, key: str) -> StoredBlob:
        return await asyncio.to_thread(_read_meta, self._path(key), key)

    async def stream(self, key: str, *, chunk_size: int = CHUNK) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            file = await asyncio.to_thread(open, path, "rb")
        except FileNotFoundError:
            raise BlobNotFound(key) from None
        try:
            while chunk := await asyncio.to_thread(file.read, chunk_size):
                yield chunk
        finally:
            file.close()

    async def read(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            raise BlobNotFound(key) from None

    async def delete(self, key: str) -> None:
        path = self._path(key)
        await asyncio.to_thread(path.unlink, missing_ok=True)
        await asyncio.to_thread(_meta_path(path).unlink, missing_ok=True)

    async def delete_prefix(self, prefix: str) -> int:
        folder = self._path(prefix.rstrip("/"))
        return await asyncio.to_thread(_remove_tree, folder)

    async def keys(self, prefix: str) -> list[str]:
        folder = self._path(prefix.rstrip("/"))
        return await asyncio.to_thread(_files_under, folder, self.root)

    async def download_url(
        self, key: str, *, expires_in: int = 300, filename: str | None = None
    ) -> str | None:
        return None

    async def ready(self) -> bool:
        await asyncio.to_thread(self.root.mkdir, parents=True, exist_ok=True)
        return os.access(self.root, os.W_OK)


def _meta_path(path: Path) -> Path:
    return path.with_name(path.name + META_SUFFIX)


def _flush(file: object) -> None:
    file.flush()  # type: ignore[attr-defined]
    os.fsync(file.fileno())  # type: ignore[attr-defined]


def _commit(temporary: Path, path: Path, blob: StoredBlob) -> None:
    meta = {"size": blob.size, "sha256": blob.sha256, "content_type": blob.content_type}
    meta_temporary = temporary.with_suffix(".meta")
    meta_temporary.write_text(json.dumps(meta))
    os.replace(temporary, path)
    os.replace(meta_temporary, _meta_path(path))


def _read_meta(path: Path, key: str) -> StoredBlob:
    try:
        meta = json.loads(_meta_path(path).read_text())
    except FileNotFoundError:
        raise BlobNotFound(key) from None
    if not path.exists():
        raise BlobNotFound(key)
    return StoredBlob(
        key=key, size=meta["size"], sha256=meta["sha256"], content_type=meta["content_type"]
    )


def _files_under(folder: Path, root: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(
        path.relative_to(root).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and not path.name.endswith(META_SUFFIX)
    )


def _remove_tree(folder: Path) -> int:
    if not folder.is_dir():
        return 0
    count = sum(
        1 for path in folder.rglob("*") if path.is_file() and not path.name.endswith(META_SUFFIX)
    )
    shutil.rmtree(folder)
    return count

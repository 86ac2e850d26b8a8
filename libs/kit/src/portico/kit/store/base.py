"""The blob store interface both backends (S3, local folder) implement."""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from typing import Protocol

Content = bytes | AsyncIterable[bytes]
CHUNK = 1 << 20


@dataclass(frozen=True)
class StoredBlob:
    key: str
    size: int
    sha256: str
    content_type: str


class BlobNotFound(KeyError):
    pass


class InvalidBlobKey(ValueError):
    pass


_KEY_PART = re.compile(r"^[A-Za-z0-9._@+=-]+$")


def check_key(key: str) -> str:
    """Keys are relative paths of safe segments: they can never leave the store's root."""
    parts = key.split("/")
    if not key or any(part in ("", ".", "..") or not _KEY_PART.match(part) for part in parts):
        raise InvalidBlobKey(f"invalid blob key {key!r}")
    return key


async def chunks_of(content: Content, size: int = CHUNK) -> AsyncIterator[bytes]:
    if isinstance(content, bytes):
        for start in range(0, len(content), size):
            yield content[start : start + size]
        return
    async for chunk in content:
        if chunk:
            yield chunk


class BlobStore(Protocol):
    async def put(
        self, key: str, content: Content, *, content_type: str = "application/octet-stream"
    ) -> StoredBlob: ...

    async def stat(self, key: str) -> StoredBlob: ...

    def stream(self, key: str, *, chunk_size: int = CHUNK) -> AsyncIterator[bytes]: ...

    async def read(self, key: str) -> bytes: ...

    async def delete(self, key: str) -> None: ...

    async def delete_prefix(self, prefix: str) -> int: ...

    async def keys(self, prefix: str) -> list[str]:
        """The keys under ``prefix`` (a folder: ``clients/a`` is not ``clients/ab``), sorted."""
        ...

    async def download_url(
        self, key: str, *, expires_in: int = 300, filename: str | None = None
    ) -> str | None:
        """A presigned URL (S3), or None: serve the blob through the service's API."""

    async def ready(self) -> bool: ...

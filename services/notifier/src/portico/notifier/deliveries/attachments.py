"""An email's attachments, read when it is sent from the blob store of the service that
made them.

Each service keeps its files in a store of its own (``create_store(settings, service)``:
the folder ``blobs/<service>`` in the embedded mode, the prefix ``<service>/`` of the
shared bucket on S3), and a key is only meaningful in its service's store. An attachment
therefore names its store (the quotes service's PDF of QuoteSent names ``quotes``), and
is read through ``create_store(settings, that service)``, opened once per service. An
attachment recorded before attachments named their store was in the notifier's own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from portico.kit.settings import PorticoSettings
from portico.kit.store import BlobStore, create_store

# A service's name as the host knows it; anything else could point a folder elsewhere.
_SERVICE = re.compile(r"[a-z][a-z0-9_-]{0,39}")


class AttachmentStores:
    """The stores attachments are read from: ``own`` (the notifier's) and, opened on first
    use, the store of each service an attachment names."""

    def __init__(self, settings: PorticoSettings, own: BlobStore | None) -> None:
        self.settings = settings
        self.own = own
        self._opened: dict[str, BlobStore] = {}

    def store_of(self, service: str | None) -> BlobStore:
        """The store of ``service``; the notifier's own for None."""
        if service is None:
            if self.own is None:
                raise LookupError("the notifier has no blob store")
            return self.own
        if not _SERVICE.fullmatch(service):
            raise ValueError(f"{service!r} is not a service's name")
        store = self._opened.get(service)
        if store is None:
            store = self._opened[service] = create_store(self.settings, service)
        return store

    async def read(self, recorded: Sequence[Sequence[str]]) -> list[tuple[str, str, bytes]]:
        """Each attachment as the delivery recorded it, ``[filename, content type, key,
        service]`` (or without the service, from before), as (filename, type, bytes)."""
        files = []
        for filename, content_type, key, *service in recorded:
            store = self.store_of(service[0] if service else None)
            files.append((filename, content_type, await store.read(key)))
        return files

"""Where a client's documents are in the blob store: under the client's own prefix, so that
deleting a client removes every file of theirs in one go."""

from __future__ import annotations

import uuid


def client_prefix(client_id: uuid.UUID) -> str:
    return f"clients/{client_id}/"


def document_key(client_id: uuid.UUID, document_id: uuid.UUID, sha256: str) -> str:
    # The content's hash in the key: a replacement never overwrites the file it replaces
    # before the row that names the new one is committed.
    return f"{client_prefix(client_id)}{document_id}/{sha256}"

"""The documents service's part of a client's data export (docs/exports.md).

What it holds about a client: the documents the client gave (with their review and the
extra data asked with them), the types they were given for (so that a reader knows what
each document is), the replica of the client as the portal described it, and each
document's file, under ``files/documents/<document id>/<its name as uploaded>``.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portico.contracts.events.exports import ClientExportRequested
from portico.documents.models import ClientDocument, ClientReplica, DocumentType
from portico.kit.client_exports import ClientExport, ExportContents, file_path


async def collect(session: AsyncSession, request: ClientExportRequested) -> ExportContents:
    documents = list(
        await session.scalars(
            select(ClientDocument)
            .where(ClientDocument.client_id == request.client_id)
            .order_by(ClientDocument.uploaded_at)
        )
    )
    contents = ExportContents()
    contents.add_rows(
        "client_replicas",
        await session.scalars(
            select(ClientReplica).where(ClientReplica.client_id == request.client_id)
        ),
    )
    contents.add_rows("client_documents", documents)
    type_ids = sorted({document.document_type_id for document in documents})
    if type_ids:
        contents.add_rows(
            "document_types",
            await session.scalars(select(DocumentType).where(DocumentType.id.in_(type_ids))),
        )
    for document in documents:
        contents.add_file(
            file_path("documents", document.id, document.file_name), document.file_key
        )
    return contents


CLIENT_EXPORT = ClientExport("documents", collect)
JOBS = CLIENT_EXPORT.jobs

"""What the staff's client list takes from the documents service: the document types to
filter by. The list's column and filters themselves read the
portal, which keeps each client's states (ClientDocumentStates), so a page of clients
costs one call here, not one per row."""

from __future__ import annotations

import httpx
import structlog
from fastapi import Request

from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.documents.api import DocumentsApi, DocumentType
from portico.gateway.web.context import service_api

log = structlog.get_logger(__name__)


async def asked_documents(request: Request) -> list[DocumentType]:
    """The document types, or none while the documents service does not answer: the list
    of clients still shows, without the documents filters."""
    try:
        return await service_api(DocumentsApi)(request).document_types()
    except (ApiProblem, httpx.HTTPError) as error:
        log.warning("document_types_unavailable", error=str(error))
        return []

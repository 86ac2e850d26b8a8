"""The client exports API (admins only): ask for everything Portico holds about a client,
follow the export, download its archive."""

from __future__ import annotations

import re
import uuid

from fastapi import APIRouter, status
from fastapi.responses import StreamingResponse

from portico.kit.auth import CurrentAdmin
from portico.kit.deps import Store, Tx
from portico.kit.downloads import attachment
from portico.kit.pagination import Page, Paging
from portico.kit.problems import Conflict, NotFound, problem_responses
from portico.kit.store import BlobNotFound
from portico.portal.exports import service
from portico.portal.exports.parts import READY
from portico.portal.exports.schemas import ExportOut
from portico.portal.models import Client

router = APIRouter(prefix="/v1/clients", tags=["exports"])


@router.post(
    "/{client_id}/exports",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(401, 403, 404),
    summary="Export everything Portico holds about a client (a GDPR access request)",
)
async def request_export(client_id: uuid.UUID, tx: Tx, admin: CurrentAdmin) -> ExportOut:
    export = await service.request_export(tx, client_id, admin)
    return ExportOut.of(export, [])


@router.get(
    "/{client_id}/exports",
    responses=problem_responses(401, 403, 404, 422),
    summary="List a client's exports, newest first",
)
async def list_exports(
    client_id: uuid.UUID, tx: Tx, _: CurrentAdmin, page: Paging
) -> Page[ExportOut]:
    exports, parts, total = await service.list_exports(tx, client_id, page)
    return Page.of([ExportOut.of(export, parts) for export in exports], total, page)


@router.get(
    "/{client_id}/exports/{export_id}",
    responses=problem_responses(401, 403, 404),
    summary="Where an export stands: which services have answered",
)
async def get_export(
    client_id: uuid.UUID, export_id: uuid.UUID, tx: Tx, _: CurrentAdmin
) -> ExportOut:
    export, parts = await service.get_export(tx, client_id, export_id)
    return ExportOut.of(export, parts)


@router.get(
    "/{client_id}/exports/{export_id}/archive",
    responses=problem_responses(401, 403, 404, 409),
    response_class=StreamingResponse,
    summary="Download an export's archive (a zip), once it is ready",
)
async def download_archive(
    client_id: uuid.UUID, export_id: uuid.UUID, tx: Tx, store: Store, _: CurrentAdmin
) -> StreamingResponse:
    export, _parts = await service.get_export(tx, client_id, export_id)
    if export.status != READY or export.archive_key is None:
        raise Conflict(f"Export {export_id} is {export.status}: it has no archive.")
    try:
        # Checked before streaming: once the response has started, a 404 can no longer be sent.
        await store.stat(export.archive_key)
    except BlobNotFound:
        raise NotFound(f"The archive of export {export_id} is missing.") from None
    client = await tx.get(Client, client_id)
    name = _slug(client.name if client else "") or "client"
    filename = f"portico-export-{name}-{export.created_at:%Y-%m-%d}.zip"
    return StreamingResponse(
        store.stream(export.archive_key),
        media_type="application/zip",
        headers={
            "Content-Disposition": attachment(filename),
            "Content-Length": str(export.archive_size or 0),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


def _slug(name: str) -> str:
    return re.sub(r"[^\w]+", "-", name.strip().lower()).strip("-")[:60]

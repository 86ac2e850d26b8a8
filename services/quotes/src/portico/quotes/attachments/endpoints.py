"""``/v1/quotes/{quote_id}/attachments``: files staff attach to a quote for its client to
read (``quotes:read`` to list and download, ``quotes:write`` to add and delete). Clients
never reach these; the holder of the quote's link downloads through ``/v1/online``."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Response, UploadFile, status
from fastapi.responses import StreamingResponse

from portico.kit.auth import Principal
from portico.kit.auth.principals import require_scope
from portico.kit.deps import Store, Tx
from portico.kit.downloads import attachment, safe_file_name
from portico.kit.problems import NotFound, problem_responses
from portico.kit.store import BlobNotFound, BlobStore
from portico.quotes.attachments import service
from portico.quotes.attachments.schemas import AttachmentOut
from portico.quotes.models import QuoteAttachment
from portico.quotes.quotes.service import quote_of

router = APIRouter(prefix="/v1/quotes/{quote_id}/attachments", tags=["quote attachments"])

Reader = Annotated[Principal, Depends(require_scope("quotes:read"))]
Writer = Annotated[Principal, Depends(require_scope("quotes:write"))]
FILE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/octet-stream": {}}, "description": "The attached file"}
}


async def file_response(store: BlobStore, row: QuoteAttachment) -> StreamingResponse:
    """The attachment's file, saved under its name; shared with the link holder's download."""
    try:
        # Checked before streaming: once the response has started, a 404 can no longer be sent.
        await store.stat(row.blob_key)
    except BlobNotFound:
        raise NotFound("The attachment's file is missing from the store.") from None
    return StreamingResponse(
        store.stream(row.blob_key),
        media_type=row.content_type,
        headers={
            "Content-Disposition": attachment(row.file_name),
            "Content-Length": str(row.size),
            # Served from the portal's origin: the browser must not guess the type (HTML).
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@router.get("", responses=problem_responses(401, 403, 404, 422), summary="A quote's attachments")
async def list_attachments(quote_id: uuid.UUID, tx: Tx, _: Reader) -> list[AttachmentOut]:
    quote = await quote_of(tx, quote_id)
    return [
        AttachmentOut.model_validate(row, from_attributes=True)
        for row in await service.attachments_of(tx, quote.id)
    ]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 409, 413, 415, 422),
    summary=(
        f"Attach a file: PDF, PNG, JPEG, WebP, DOCX, XLSX or plain text, at most "
        f"{service.MAX_SIZE_MIB} MiB, {service.MAX_PER_QUOTE} per quote"
    ),
)
async def add_attachment(
    quote_id: uuid.UUID,
    tx: Tx,
    store: Store,
    principal: Writer,
    file: Annotated[UploadFile, File(description="The file; its type is read from its content")],
) -> AttachmentOut:
    # One byte past the limit is enough to know it is over.
    content = await file.read(service.MAX_SIZE_BYTES + 1)
    row = await service.attach(
        tx,
        store,
        quote_id,
        service.Upload(safe_file_name(file.filename), content),
        staff_id=principal.user_id if principal.is_staff else None,
    )
    return AttachmentOut.model_validate(row, from_attributes=True)


@router.get(
    "/{attachment_id}",
    responses={**FILE, **problem_responses(401, 403, 404, 422)},
    response_class=StreamingResponse,
    summary="Download an attachment",
)
async def download_attachment(
    quote_id: uuid.UUID, attachment_id: uuid.UUID, tx: Tx, store: Store, _: Reader
) -> StreamingResponse:
    return await file_response(store, await service.attachment_of(tx, quote_id, attachment_id))


@router.delete(
    "/{attachment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Delete an attachment while the quote can change",
)
async def delete_attachment(
    quote_id: uuid.UUID, attachment_id: uuid.UUID, tx: Tx, _: Writer
) -> Response:
    await service.detach(tx, quote_id, attachment_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

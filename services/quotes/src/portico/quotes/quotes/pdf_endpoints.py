"""``GET /v1/quotes/{id}/pdf``: the quote as a PDF, for staff and API keys with
``quotes:read`` (a draft too, to check it before sending). Clients never reach it; their
copy will come through the quote's link."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response

from portico.kit.auth import Principal
from portico.kit.auth.principals import require_scope
from portico.kit.deps import Store, Tx
from portico.kit.downloads import attachment
from portico.kit.problems import problem_responses
from portico.quotes.online.downloads import quote_file
from portico.quotes.quotes import service

router = APIRouter(prefix="/v1/quotes", tags=["quotes"])

Reader = Annotated[Principal, Depends(require_scope("quotes:read"))]
PDF: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"application/pdf": {}},
        "description": "The quote as an A4 PDF in its language, named after its number; the "
        "sealed signed quote once accepted",
    }
}


@router.get(
    "/{quote_id}/pdf",
    responses={**PDF, **problem_responses(401, 403, 404)},
    response_class=Response,
    summary="The quote as a PDF in its language (a draft prints as one); once accepted, "
    "the signed quote, sealed",
)
async def get_quote_pdf(quote_id: uuid.UUID, tx: Tx, _: Reader, store: Store) -> Response:
    file = await quote_file(tx, store, await service.quote_of(tx, quote_id))
    return Response(
        file.pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": attachment(file.file_name)},
    )

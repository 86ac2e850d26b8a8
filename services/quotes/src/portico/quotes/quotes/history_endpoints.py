"""``GET /v1/quotes/{id}/history``: a quote's steps for staff (and ``quotes:read`` keys),
the newest first: who did what, when, and from where for the client's steps."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from portico.kit.auth import Principal
from portico.kit.auth.principals import require_scope
from portico.kit.deps import Tx
from portico.kit.pagination import Page, Paging
from portico.kit.problems import NotFound, problem_responses
from portico.quotes.history import HistoryKind, history_of
from portico.quotes.models import Quote

router = APIRouter(prefix="/v1/quotes", tags=["quotes"])

Reader = Annotated[Principal, Depends(require_scope("quotes:read"))]


class QuoteEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: HistoryKind
    at: datetime
    contact_id: uuid.UUID | None = Field(description="The client's contact who took the step")
    staff_id: uuid.UUID | None = Field(description="The staff member who took the step")
    ip: str | None = Field(description="The client's IP address")
    user_agent: str | None = Field(description="The client's browser")
    detail: dict[str, Any] = Field(
        description="What the step carried: a message, a reason, the optional lines chosen"
    )


@router.get(
    "/{quote_id}/history",
    responses=problem_responses(401, 403, 404, 422),
    summary="The quote's history, the newest step first",
)
async def quote_history(
    quote_id: uuid.UUID, tx: Tx, _: Reader, paging: Paging
) -> Page[QuoteEventOut]:
    if await tx.get(Quote, quote_id) is None:
        raise NotFound("No such quote.")
    rows, total = await history_of(tx, quote_id, paging)
    return Page.of([QuoteEventOut.model_validate(row) for row in rows], total, paging)

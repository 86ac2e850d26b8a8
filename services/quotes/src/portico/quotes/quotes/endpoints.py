"""``/v1/quotes``: staff (and internal systems with ``quotes:read`` / ``quotes:write`` API
keys) make drafts, change them, send them (the number comes at the first send), void and
reopen them. Clients never reach these; their quotes come through the quote's link."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from portico.kit.auth import Principal
from portico.kit.auth.principals import require_scope
from portico.kit.db import utcnow
from portico.kit.deps import Store, Tx, get_runtime
from portico.kit.pagination import Page, Paging
from portico.kit.problems import problem_responses
from portico.kit.store import BlobStore
from portico.quotes.quote_settings import quote_settings
from portico.quotes.quotes import service
from portico.quotes.quotes.schemas import QuoteIn, QuoteOut, QuoteSummary, SendIn
from portico.quotes.quotes.sending import remind_quote, send_quote
from portico.quotes.quotes.views import quote_out, quote_summary
from portico.quotes.statuses import QuoteAction, QuoteStatus

router = APIRouter(prefix="/v1/quotes", tags=["quotes"])

Reader = Annotated[Principal, Depends(require_scope("quotes:read"))]
Writer = Annotated[Principal, Depends(require_scope("quotes:write"))]


def _staff_id(principal: Principal) -> uuid.UUID | None:
    """The staff member acting; an API key's id is not one."""
    return principal.user_id if principal.is_staff else None


async def _answer(tx: Tx, quote_id: uuid.UUID) -> QuoteOut:
    quote = await service.quote_of(tx, quote_id)
    return quote_out(quote, await service.client_name(tx, quote.client_id))


@router.get("", responses=problem_responses(401, 403, 422), summary="Quotes, last changed first")
async def list_quotes(
    tx: Tx,
    _: Reader,
    paging: Paging,
    status_: Annotated[QuoteStatus | None, Query(alias="status")] = None,
    client_id: uuid.UUID | None = None,
    assignee_id: uuid.UUID | None = None,
    q: Annotated[
        str | None,
        # No NUL: PostgreSQL's text cannot hold one, so it would fail there, not here.
        Query(
            max_length=200,
            pattern=r"^[^\x00]*$",
            description="In the title, number or client's name",
        ),
    ] = None,
) -> Page[QuoteSummary]:
    filters = service.QuoteFilters(status_, client_id, assignee_id, q)
    rows, total = await service.listed(tx, filters, paging)
    names = await service.client_names(tx, (row.client_id for row in rows))
    items = [quote_summary(row, names.get(row.client_id, "")) for row in rows]
    return Page.of(items, total, paging)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 422),
    summary="Make a draft for a client: its sections and lines, checked and totalled",
)
async def create_quote(body: QuoteIn, tx: Tx, principal: Writer) -> QuoteOut:
    quote = await service.create_quote(
        tx,
        body,
        settings=await quote_settings(tx),
        created_by=_staff_id(principal),
        today=utcnow().date(),
    )
    return await _answer(tx, quote.id)


@router.get(
    "/{quote_id}",
    responses=problem_responses(401, 403, 404),
    summary="A quote with its sections, lines and totals",
)
async def get_quote(quote_id: uuid.UUID, tx: Tx, _: Reader) -> QuoteOut:
    return await _answer(tx, quote_id)


@router.put(
    "/{quote_id}",
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Replace a draft's content, its sections and lines wholesale",
)
async def replace_quote(quote_id: uuid.UUID, body: QuoteIn, tx: Tx, _: Writer) -> QuoteOut:
    quote = await service.quote_of(tx, quote_id, lock=True)
    settings = await quote_settings(tx)
    await service.replace_content(tx, quote, body, settings=settings, today=utcnow().date())
    return await _answer(tx, quote_id)


@router.delete(
    "/{quote_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 409),
    summary="Delete a draft never sent (a quote sent is voided instead)",
)
async def delete_quote(quote_id: uuid.UUID, tx: Tx, _: Writer) -> None:
    await service.delete_draft(tx, await service.quote_of(tx, quote_id, lock=True))


@router.post(
    "/{quote_id}/duplicate",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 409),
    summary="A new draft with the same content, issued today, without a number",
)
async def duplicate_quote(quote_id: uuid.UUID, tx: Tx, principal: Writer) -> QuoteOut:
    copy = await service.duplicate(
        tx,
        await service.quote_of(tx, quote_id),
        settings=await quote_settings(tx),
        created_by=_staff_id(principal),
        today=utcnow().date(),
    )
    return await _answer(tx, copy.id)


async def _email(
    deliver: Callable[..., Awaitable[object]],
    quote_id: uuid.UUID,
    body: SendIn,
    request: Request,
    tx: Tx,
    principal: Principal,
    store: BlobStore,
) -> QuoteOut:
    """A send or a reminder: the quote locked first (on SQLite this takes the write lock
    before anything is read), then ``deliver``."""
    quote = await service.quote_of(tx, quote_id, lock=True)
    await deliver(
        tx,
        quote,
        body,
        sent_by=_staff_id(principal),
        links=get_runtime(request).settings,
        store=store,
        today=utcnow().date(),
    )
    return await _answer(tx, quote_id)


@router.post(
    "/{quote_id}/send",
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Send the quote's link to a contact (its number comes at the first send)",
)
async def send(
    quote_id: uuid.UUID, body: SendIn, request: Request, tx: Tx, principal: Writer, store: Store
) -> QuoteOut:
    return await _email(send_quote, quote_id, body, request, tx, principal, store)


@router.post(
    "/{quote_id}/remind",
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Remind the contact of a quote awaiting their answer, with the reminder's email",
)
async def remind(
    quote_id: uuid.UUID, body: SendIn, request: Request, tx: Tx, principal: Writer, store: Store
) -> QuoteOut:
    return await _email(remind_quote, quote_id, body, request, tx, principal, store)


@router.post(
    "/{quote_id}/void",
    responses=problem_responses(401, 403, 404, 409),
    summary="Void the quote: its number stays, its links stop working",
)
async def void_quote(quote_id: uuid.UUID, tx: Tx, principal: Writer) -> QuoteOut:
    await service.change_status(
        tx,
        await service.quote_of(tx, quote_id, lock=True),
        QuoteAction.VOID,
        staff_id=_staff_id(principal),
    )
    return await _answer(tx, quote_id)


@router.post(
    "/{quote_id}/reopen",
    responses=problem_responses(401, 403, 404, 409),
    summary="Reopen the quote as a draft to change it: it keeps its number",
)
async def reopen_quote(quote_id: uuid.UUID, tx: Tx, principal: Writer) -> QuoteOut:
    await service.change_status(
        tx,
        await service.quote_of(tx, quote_id, lock=True),
        QuoteAction.REOPEN,
        staff_id=_staff_id(principal),
    )
    return await _answer(tx, quote_id)

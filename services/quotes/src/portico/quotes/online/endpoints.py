"""``/v1/online/{token}``: the quote as the holder of its link reads and answers it, without
an account (the token is the credential, as signing's ``/v1/signing/{token}`` is). The
gateway's page at ``/q/<token>`` calls these, passing on the browser's address and user
agent for the history.

An unknown, expired or revoked token, and a quote withdrawn since, are one 404
(``links.NOT_OPEN``). An answer the quote's status no longer allows is a 409 with the reason
``statuses`` gives; bad input a 422 naming the field.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import StreamingResponse

from portico.kit.db import utcnow
from portico.kit.deps import Store, Tx, client_address, get_runtime
from portico.kit.downloads import attachment
from portico.kit.problems import problem_responses
from portico.kit.settings import PorticoSettings
from portico.kit.transaction import Transaction
from portico.quotes.attachments.endpoints import FILE, file_response
from portico.quotes.attachments.service import attachment_of, attachments_of
from portico.quotes.history import RequestInfo
from portico.quotes.online import acceptance, downloads, service
from portico.quotes.online.links import Opened, open_link
from portico.quotes.online.schemas import (
    AcceptIn,
    ChoicesIn,
    DeclineIn,
    FeedbackIn,
    FeedbackOut,
    OnlineQuoteOut,
)
from portico.quotes.online.views import online_quote_out

router = APIRouter(prefix="/v1/online", tags=["online quotes"])

Token = Annotated[str, Path(min_length=20, max_length=100, description="The link's token")]
# What the link holder reads is theirs alone: no shared cache keeps it.
PRIVATE = {"Cache-Control": "no-store"}
PDF: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"application/pdf": {}},
        "description": "The signed quote, sealed, once accepted; else the quote as it stands",
    }
}


def _links(request: Request) -> PorticoSettings:
    return get_runtime(request).settings


def _origin(request: Request) -> RequestInfo:
    return RequestInfo.of(client_address(request), request.headers.get("user-agent"))


async def _answer(tx: Transaction, opened: Opened, response: Response) -> OnlineQuoteOut:
    response.headers.update(PRIVATE)
    reader = await service.reader_of(tx, opened)
    attachments = await attachments_of(tx, opened.quote.id)
    return online_quote_out(opened.quote, reader, utcnow().date(), attachments)


@router.get(
    "/{token}",
    responses=problem_responses(404, 422),
    summary="The quote a link opens, as its client reads it (each visit is recorded)",
)
async def read_quote(token: Token, request: Request, response: Response, tx: Tx) -> OnlineQuoteOut:
    # Locked: a visit writes (the count, sent → viewed, the history).
    opened = await open_link(tx, token, lock=True)
    await service.view(tx, opened, _origin(request), _links(request))
    return await _answer(tx, opened, response)


@router.put(
    "/{token}/choices",
    responses=problem_responses(404, 409, 422),
    summary="Choose the optional lines to take: the totals follow",
)
async def choose_options(
    token: Token, body: ChoicesIn, response: Response, tx: Tx
) -> OnlineQuoteOut:
    opened = await open_link(tx, token, lock=True)
    await service.choose(tx, opened, body.chosen)
    return await _answer(tx, opened, response)


@router.post(
    "/{token}/feedback",
    responses=problem_responses(404, 409, 422),
    summary="Leave a comment or a question for the staff member in charge",
)
async def post_feedback(
    token: Token, body: FeedbackIn, request: Request, response: Response, tx: Tx
) -> FeedbackOut:
    opened = await open_link(tx, token, lock=True)
    posted = await service.post_feedback(
        tx, opened, body.message, _origin(request), _links(request)
    )
    response.headers.update(PRIVATE)
    return FeedbackOut(posted_at=posted.at, message=body.message)


@router.post(
    "/{token}/decline",
    responses=problem_responses(404, 409, 422),
    summary="Decline the quote, saying why if one wishes",
)
async def decline_quote(
    token: Token, body: DeclineIn, request: Request, response: Response, tx: Tx
) -> OnlineQuoteOut:
    opened = await open_link(tx, token, lock=True)
    await service.decline(tx, opened, body.reason or None, _origin(request), _links(request))
    return await _answer(tx, opened, response)


@router.post(
    "/{token}/accept",
    responses=problem_responses(404, 409, 422),
    summary="Accept the quote: the terms accepted, signed when the organisation asks for it",
)
async def accept_quote(
    token: Token, body: AcceptIn, request: Request, response: Response, tx: Tx, store: Store
) -> OnlineQuoteOut:
    opened = await open_link(tx, token, lock=True)
    await acceptance.accept(tx, store, opened, body, _origin(request), _links(request), token)
    return await _answer(tx, opened, response)


@router.get(
    "/{token}/pdf",
    responses={**PDF, **problem_responses(404, 422)},
    response_class=Response,
    summary="Download the quote's PDF: the sealed signed quote once accepted",
)
async def download_quote(token: Token, request: Request, tx: Tx, store: Store) -> Response:
    opened = await open_link(tx, token, lock=True)
    file = await downloads.download(tx, store, opened, _origin(request), _links(request))
    return Response(
        file.pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": attachment(file.file_name), **PRIVATE},
    )


# A token as links carry it (URL-safe base64), stated so that no request generated from the
# schema puts a line break in the path, which the host's mount does not route to the service.
LinkToken = Annotated[
    str,
    Path(
        min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]+$", description="The link's token"
    ),
]


@router.get(
    "/{token}/attachments/{attachment_id}",
    responses={**FILE, **problem_responses(404, 422)},
    response_class=StreamingResponse,
    summary="Download a file staff attached to the quote",
)
async def download_attachment(
    token: LinkToken, attachment_id: uuid.UUID, tx: Tx, store: Store
) -> StreamingResponse:
    opened = await open_link(tx, token)
    return await file_response(store, await attachment_of(tx, opened.quote.id, attachment_id))

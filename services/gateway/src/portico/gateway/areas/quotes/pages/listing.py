"""``/quotes``: the staff's quotes, last changed first, filtered by status and by a search
in the title, the number or the client's name (a client's own, from its page's card)."""

from __future__ import annotations

import uuid

from fastapi import Request
from fastapi.responses import Response

from portico.gateway.areas.quotes.api import STATUSES, Quotes
from portico.gateway.areas.quotes.presenting import status_options, template_helpers
from portico.gateway.web.context import PageNotFound, Staff
from portico.gateway.web.i18n import _
from portico.gateway.web.routing import page_router
from portico.gateway.web.templating import render

router = page_router()

URL = "/quotes"
SECTION = "quotes"
PAGE_SIZE = 25
CLIENT_PANEL_SIZE = 5
# The service's limits: a longer search or a farther page is a 422 there.
LONGEST_SEARCH = 200
FARTHEST_OFFSET = 1_000_000


def parse_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _offset(text: str) -> int:
    return min(int(text), FARTHEST_OFFSET) if text.isdigit() else 0


@router.get(URL)
async def quotes_page(
    request: Request,
    _staff: Staff,
    quotes: Quotes,
    status: str = "",
    q: str = "",
    client_id: str = "",
    offset: str = "0",
) -> Response:
    filters = {
        "status": status if status in STATUSES else "",
        # No NUL: the service refuses one in a search.
        "q": q.replace("\x00", "").strip()[:LONGEST_SEARCH],
        "client_id": client_id if parse_uuid(client_id) else "",
    }
    page = await quotes.quotes(
        status=filters["status"] or None,
        q=filters["q"] or None,
        client_id=parse_uuid(filters["client_id"]),
        limit=PAGE_SIZE,
        offset=_offset(offset),
    )
    query = {key: value for key, value in filters.items() if value}
    return await render(
        request,
        "quotes/list.html",
        section=SECTION,
        page=page,
        filters=filters,
        query=query,
        statuses=[("", _("Any status")), *status_options()],
        # Named by the first row: the filter comes from a client's page, which has quotes.
        client_name=page.items[0].client_name if filters["client_id"] and page.items else "",
        **template_helpers(),
    )


@router.get("/quotes/clients/{client_id}/panel")
async def client_panel(request: Request, _staff: Staff, quotes: Quotes, client_id: str) -> Response:
    """The card of a client's page: the quotes last changed, and a new one for them."""
    wanted = parse_uuid(client_id)
    if wanted is None:
        raise PageNotFound
    page = await quotes.quotes(client_id=wanted, limit=CLIENT_PANEL_SIZE)
    return await render(
        request,
        "quotes/client_panel.html",
        client_id=wanted,
        page=page,
        **template_helpers(),
    )

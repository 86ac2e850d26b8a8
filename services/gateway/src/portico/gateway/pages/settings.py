"""``/settings``: its home and the navigation every settings page shares, assembled from the
tabs each area contributes (``Area.settings_tabs``)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from portico.gateway.web.areas import MenuEntry
from portico.gateway.web.context import Staff
from portico.gateway.web.i18n import N_
from portico.gateway.web.routing import page_router
from portico.gateway.web.templating import render

router = page_router()

MENU_ENTRY = MenuEntry(N_("Settings"), "/settings", section="settings", order=40)


async def settings_page(
    request: Request, template: str, tab: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A settings page (its template extends ``settings/base.html``), ``tab`` shown current."""
    return await render(request, template, status_code, section="settings", tab=tab, **context)


@router.get("/settings")
async def settings_home(request: Request, _staff: Staff) -> Response:
    return await settings_page(request, "settings/index.html", "")

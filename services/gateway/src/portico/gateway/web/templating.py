"""Jinja2 pages: one environment, the layout's shared context, locale-aware filters."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import structlog
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from portico.gateway.apis.base import ApiProblem
from portico.gateway.apis.identity import Branding, IdentityApi
from portico.gateway.web import i18n
from portico.gateway.web.areas import Area, MenuEntry
from portico.gateway.web.context import gateway_of, get_session, service_api
from portico.gateway.web.linkify import linkify
from portico.gateway.web.session import CSRF_FIELD

STATIC = Path(__file__).parent.parent / "static"
TEMPLATES = Path(__file__).parent.parent / "templates"
BRANDING_SECONDS = 10.0
log = structlog.get_logger(__name__)

environment = Environment(
    # The core's templates; ``use_areas`` adds each area's (``<service>/…``).
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.install_gettext_callables(  # type: ignore[attr-defined]
    gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=True
)
environment.filters.update(
    date=lambda value: i18n.format_when(value, "date"),
    datetime=i18n.format_when,
    number=i18n.format_number,
    money=i18n.format_money,
    linkify=linkify,
)


# Each area's static folder by its service: ``static("<service>/js/x.js")`` addresses it.
_area_static: dict[str, Path] = {}


def use_areas(areas: Sequence[Area], *, reload_templates: bool) -> None:
    """Pages find each area's templates, and ``static()`` its files (the app calls this once
    it knows its areas: the areas' pages import this module). With ``reload_templates``
    (the embedded run, where templates are edited) a template changed on disk is read
    again; otherwise each is read once, not checked on disk at every page."""
    environment.loader = ChoiceLoader(
        [FileSystemLoader(TEMPLATES), *(FileSystemLoader(area.templates) for area in areas)]
    )
    environment.auto_reload = reload_templates
    _area_static.update({area.service: area.static for area in areas if area.static})
    static_url.cache_clear()


@cache
def static_url(path: str) -> str:
    """A static file's address with its content hash, so that browsers may cache it forever."""
    service, _slash, inside = path.partition("/")
    file = _area_static[service] / inside if service in _area_static else STATIC / path
    digest = hashlib.sha256(file.read_bytes()).hexdigest()[:12]
    return f"/static/{path}?v={digest}"


environment.globals.update(
    static=static_url,
    csrf_field=CSRF_FIELD,
    locales=i18n.LOCALES,
    language_name=i18n.language_name,
)


async def branding(request: Request) -> Branding:
    """The organisation's name, logo and colour, read at most every few seconds."""
    gateway = gateway_of(request)
    cached = gateway.branding
    if cached is not None and time.monotonic() - cached[0] < BRANDING_SECONDS:
        return cached[1]
    organisation = await service_api(IdentityApi)(request).organisation()
    gateway.branding = (time.monotonic(), organisation)
    return organisation


async def client_menu(request: Request) -> list[MenuEntry]:
    """The client portal's menu for the person on the page: an entry with a condition shows
    only when it holds, and is left out, not an error, when its service does not answer.
    The conditions are asked of their services together: each is a call to a service, and
    every client page waits for the menu."""
    entries = gateway_of(request).menus.client
    answers = await asyncio.gather(*(_holds(entry, request) for entry in entries))
    return [entry for entry, shown in zip(entries, answers, strict=True) if shown]


async def _holds(entry: MenuEntry, request: Request) -> bool:
    if entry.shown_if is None:
        return True
    try:
        return await entry.shown_if(request)
    except (ApiProblem, httpx.HTTPError):
        log.warning("client menu condition failed", url=entry.url, exc_info=True)
        return False


async def render(
    request: Request, template: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    session = get_session(request)
    gateway = gateway_of(request)
    htmx = request.headers.get("hx-request") == "true"
    shared = {
        "request": request,
        "session": session,
        "organisation": await branding(request),
        "csrf_token": session.csrf,
        "locale": i18n.current_locale(),
        "toasts": session.take_flash(),
        "htmx": htmx,
        "development": gateway.development,
        "menus": gateway.menus,
        # Asked of the services only for a whole client page (a fragment has no menu).
        "client_menu": await client_menu(request) if session.is_client and not htmx else [],
    }
    html = environment.get_template(template).render(shared | context)
    return HTMLResponse(html, status_code=status_code)

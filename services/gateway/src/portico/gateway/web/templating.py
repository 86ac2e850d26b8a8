"""Jinja2 pages: one environment, the layout's shared context, locale-aware filters."""

from __future__ import annotations

import hashlib
import time
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from portico.gateway.web import i18n
from portico.gateway.web.context import gateway_of, get_apis, get_session
from portico.gateway.web.linkify import linkify
from portico.gateway.web.session import CSRF_FIELD

STATIC = Path(__file__).parent.parent / "static"
BRANDING_SECONDS = 10.0

environment = Environment(
    loader=PackageLoader("portico.gateway", "templates"),
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


@cache
def static_url(path: str) -> str:
    """A static file's address with its content hash, so that browsers may cache it forever."""
    digest = hashlib.sha256((STATIC / path).read_bytes()).hexdigest()[:12]
    return f"/static/{path}?v={digest}"


environment.globals.update(
    static=static_url,
    csrf_field=CSRF_FIELD,
    locales=i18n.LOCALES,
    language_name=i18n.language_name,
)


async def branding(request: Request) -> dict[str, Any]:
    """The organisation's name, logo and colour, read at most every few seconds."""
    gateway = gateway_of(request)
    cached = gateway.branding
    if cached is not None and time.monotonic() - cached[0] < BRANDING_SECONDS:
        return cached[1]
    organisation = await get_apis(request).portal.organisation()
    gateway.branding = (time.monotonic(), organisation)
    return organisation


async def render(
    request: Request, template: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    session = get_session(request)
    shared = {
        "request": request,
        "session": session,
        "organisation": await branding(request),
        "csrf_token": session.csrf,
        "locale": i18n.current_locale(),
        "toasts": session.take_flash(),
        "htmx": request.headers.get("hx-request") == "true",
        "development": gateway_of(request).development,
    }
    html = environment.get_template(template).render(shared | context)
    return HTMLResponse(html, status_code=status_code)

"""The organisation's colour as a stylesheet, read by every layout."""

from __future__ import annotations

import re

from fastapi import Request
from fastapi.responses import Response

from portico.gateway.web.routing import page_router
from portico.gateway.web.templating import branding

router = page_router()

COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
DEFAULT_BRAND = "#4f46e5"


@router.get("/brand.css")
async def brand_css(request: Request) -> Response:
    """The organisation's colour as CSS variables: pages carry no inline style (CSP)."""
    colour = (await branding(request)).brand_colour or DEFAULT_BRAND
    if not COLOUR.fullmatch(colour):
        colour = DEFAULT_BRAND
    css = f":root {{ --brand: {colour}; }}\n"
    return Response(css, media_type="text/css", headers={"cache-control": "public, max-age=300"})

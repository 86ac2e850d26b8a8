"""A service's file passed on to the browser as it arrives: the one way the pages serve a
download they do not hold (a workspace file, a quote's attachment, a client's export)."""

from __future__ import annotations

import httpx
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse


def passed_on(
    upstream: httpx.Response, *, media_type: str | None = None, disposition: str | None = None
) -> Response:
    """``upstream`` (opened with ``stream=True``) streamed through, with the service's type
    and file name unless the page names its own; the connection closes once sent."""
    headers = {
        "content-type": media_type
        or upstream.headers.get("content-type", "application/octet-stream"),
        "content-disposition": disposition
        or upstream.headers.get("content-disposition", "attachment"),
        # Served from the gateway's origin: the browser must not guess the type (HTML).
        "x-content-type-options": "nosniff",
        "cache-control": "private, no-store",
    }
    # A length is only true of the bytes sent when httpx does not decode them on the way.
    if "content-length" in upstream.headers and "content-encoding" not in upstream.headers:
        headers["content-length"] = upstream.headers["content-length"]
    return StreamingResponse(
        upstream.aiter_bytes(), headers=headers, background=BackgroundTask(upstream.aclose)
    )

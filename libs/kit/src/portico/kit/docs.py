"""Each service's interactive API documentation at ``<mount>/docs``, with nothing from
another origin: Swagger UI's files are Portico's own, and its start-up script is a file.

The script and style sheet come from the web UI's static folder (``/static/vendor/
swagger-ui/``, copied there from npm by ``make assets``), on the same origin as the page:
in the embedded run the web UI is mounted at ``/``; in the distributed mode people reach
the services through the gateway, which serves ``/static`` and passes ``/api/*`` through.
The start-up script is served by the service itself, beside the page, so the page runs
under a policy that forbids inline script.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

SWAGGER_UI = "/static/vendor/swagger-ui"
FAVICON = "/static/favicon.svg"

# The page's own policy, whoever serves it: scripts, styles and requests of this origin only.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}

# Reads the document's address from the page; no validator badge (it loads from elsewhere).
INIT_SCRIPT = """\
"use strict";
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapi,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
});
"""

PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<link rel="icon" href="{favicon}" type="image/svg+xml">
</head>
<body>
<div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{init}"></script>
</body>
</html>
"""


def docs_router(title: str, openapi_path: str = "/openapi.json") -> APIRouter:
    """``/docs`` and its start-up script, for an app whose own docs routes are turned off."""
    router = APIRouter(include_in_schema=False)

    @router.get("/docs")
    async def api_docs(request: Request) -> HTMLResponse:
        # The mount path (/api/portal) of the app the page belongs to.
        base = request.scope.get("root_path", "").rstrip("/")
        page = PAGE.format(
            title=escape(f"{title}: API"),
            assets=SWAGGER_UI,
            favicon=FAVICON,
            openapi=escape(base + openapi_path),
            init=escape(f"{base}/docs/init.js"),
        )
        return HTMLResponse(page, headers=SECURITY_HEADERS)

    @router.get("/docs/init.js")
    async def api_docs_script() -> Response:
        return Response(
            INIT_SCRIPT,
            media_type="text/javascript",
            headers={**SECURITY_HEADERS, "cache-control": "public, max-age=3600"},
        )

    return router

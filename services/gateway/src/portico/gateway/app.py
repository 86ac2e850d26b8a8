"""The gateway's ASGI app: its pages, the session around them, and what they call.

``create_gateway`` is what the embedded host mounts at ``/`` (entry point ``portico.web``),
with a transport that reaches the services in the same process; ``python -m
portico.gateway`` serves it alone over the services' URLs.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlencode

import httpx
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import Scope

from portico.gateway.apis.backends import Backends
from portico.gateway.apis.base import ApiProblem
from portico.gateway.apis.identity import IdentityApi
from portico.gateway.apis.passthrough import passthrough_route
from portico.gateway.areas import AREAS
from portico.gateway.pages import ROUTERS, STAFF_MENU
from portico.gateway.settings import GatewaySettings
from portico.gateway.web.areas import Menus
from portico.gateway.web.context import (
    ClientGated,
    CsrfRejected,
    Gateway,
    LoginRequired,
    PageNotFound,
    get_session,
)
from portico.gateway.web.i18n import _
from portico.gateway.web.security import SessionMiddleware
from portico.gateway.web.session import SessionCodec
from portico.gateway.web.templating import STATIC, render, use_areas
from portico.kit.settings import PorticoSettings
from portico.kit.uploads import BodyLimitMiddleware

log = structlog.get_logger(__name__)
# Every page makes a few in-process API calls: the services log those requests already.
logging.getLogger("httpx").setLevel(logging.WARNING)


def create_gateway(
    shared: PorticoSettings, transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    settings = GatewaySettings()
    # Identity is the portal's API too; each area's client calls its own service.
    services = dict.fromkeys([IdentityApi.service, *(area.service for area in AREAS)])
    backends = (
        Backends.in_process(services, transport)
        if transport
        else Backends.over_http(services, settings)
    )
    use_areas(AREAS, reload_templates=shared.embedded)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await backends.close()

    app = FastAPI(
        title="Portico", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.gateway = Gateway(
        settings=settings,
        backends=backends,
        menus=Menus.of(AREAS, STAFF_MENU),
        development=shared.embedded,
    )
    for router in [*ROUTERS, *(router for area in AREAS for router in area.routers)]:
        app.include_router(router)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    if transport is None:
        # Alone (distributed mode): the services' APIs are reached through the gateway too.
        app.router.routes.append(passthrough_route(backends))
    for area in AREAS:
        # Before the core's /static, which would otherwise answer /static/<service>/… first.
        if area.static is not None:
            app.mount(f"/static/{area.service}", StaticFiles(directory=area.static))
    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")
    _install_error_pages(app)
    secret = settings.resolved_secret(shared, hosted=transport is not None)
    codec = SessionCodec(secret, settings.session_days * 86_400)
    # Inside the session middleware, which reads the cookie it checks.
    app.add_middleware(
        BodyLimitMiddleware,
        max_upload_bytes=lambda: settings.max_upload_mib * 1024 * 1024,
        has_credentials=_has_credentials,
        public_paths=frozenset(path for area in AREAS for path in area.public_uploads),
    )
    app.add_middleware(GZipMiddleware, minimum_size=600)
    app.add_middleware(SessionMiddleware, codec=codec, secure=settings.cookie_secure(shared))
    return app


def _has_credentials(scope: Scope) -> bool:
    """A logged-in session (pages), or a bearer token for an API passed through, which the
    service behind verifies before it reads the body."""
    session = scope.get("state", {}).get("session")
    if session is not None and session.logged_in:
        return True
    return Headers(scope=scope).get("authorization", "").lower().startswith("bearer ")


def _install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: Exception) -> Response:
        session = get_session(request)
        target = "/login"
        if request.method == "GET" and request.url.path not in {"/", "/login"}:
            target += "?" + urlencode({"next": request.url.path})
        if session.logged_in:
            # A staff page opened by a client (or the reverse): log in as someone else.
            session.notify(_("Please log in with an account that can open this page."), "info")
        return _redirect(request, target)

    @app.exception_handler(ClientGated)
    async def client_gated(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ClientGated)
        return _redirect(request, exc.target)

    @app.exception_handler(PageNotFound)
    async def not_found(request: Request, exc: Exception) -> Response:
        return await render(request, "errors/not_found.html", status_code=404)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            return await render(request, "errors/not_found.html", status_code=404)
        return await render(request, "errors/problem.html", status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: Exception) -> Response:
        # A hand-edited address (?offset=-1, a malformed id): a page, never FastAPI's JSON.
        assert isinstance(exc, RequestValidationError)
        if any(error.get("loc", ("",))[0] == "path" for error in exc.errors()):
            return await render(request, "errors/not_found.html", status_code=404)
        return await render(request, "errors/problem.html", status_code=422)

    @app.exception_handler(CsrfRejected)
    async def csrf_rejected(request: Request, exc: Exception) -> Response:
        return await render(
            request,
            "errors/problem.html",
            status_code=403,
            message=_("This form has expired. Please go back, reload the page and try again."),
        )

    @app.exception_handler(ApiProblem)
    async def api_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiProblem)
        if exc.status == 401:
            get_session(request).close()
            return _redirect(request, "/login")
        if exc.status in {403, 404}:
            # Whatever a user may not see does not exist for them.
            return await render(request, "errors/not_found.html", status_code=404)
        log.warning("service problem", status=exc.status, title=exc.title, detail=exc.detail)
        return await render(
            request, "errors/problem.html", status_code=exc.status, message=exc.detail
        )


def _redirect(request: Request, target: str) -> Response:
    if request.headers.get("hx-request") == "true":
        # HTMX follows a redirect inside the swapped fragment; ask it for a full page.
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)

"""What a page handler receives: the session, the service APIs as its user, who is viewing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

import httpx
import structlog
from fastapi import Depends, Request

from portico.gateway.apis.backends import Backends
from portico.gateway.apis.base import ApiProblem, ServiceClient, TokenSource
from portico.gateway.apis.identity import Branding, IdentityApi
from portico.gateway.settings import GatewaySettings
from portico.gateway.web.areas import Menus
from portico.gateway.web.session import CSRF_FIELD, CSRF_HEADER, WebSession

Client = TypeVar("Client", bound=ServiceClient)
log = structlog.get_logger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Client pages no gate holds: a person who is a contact of several clients switches to
# another one, whose portal may be open.
UNGATED_CLIENT_PATHS = frozenset({"/portal/switch"})


class LoginRequired(Exception):
    """The page needs a logged-in user of another kind, or the session has ended."""


class PageNotFound(Exception):
    """Shown as the 404 page: also what a client gets for what is not theirs."""


class CsrfRejected(Exception):
    pass


class ClientGated(Exception):
    """A client page waits: the client is sent to ``target`` (an area's ``client_gate``)."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


@dataclass
class Gateway:
    """The gateway's state, shared by its requests."""

    settings: GatewaySettings
    backends: Backends
    menus: Menus
    # The embedded run: no email leaves the machine, the development inbox shows them.
    development: bool = False
    # (read at, organisation): the layout's name, logo and colour, cached a few seconds.
    branding: tuple[float, Branding] | None = None


def gateway_of(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


def get_session(request: Request) -> WebSession:
    session: WebSession = request.state.session
    return session


def service_api(client: type[Client]) -> Callable[[Request], Client]:
    """A dependency: the service's client as the person behind the request, one per request."""

    def of_request(request: Request) -> Client:
        clients: dict[type[ServiceClient], ServiceClient] = _request_clients(request)
        api = clients.get(client)
        if api is None:
            gateway = gateway_of(request)
            token = _token_source(gateway, get_session(request))
            api = client(gateway.backends[client.service], token, _forwarded(request))
            clients[client] = api
        assert isinstance(api, client)
        return api

    return of_request


def _request_clients(request: Request) -> dict[type[ServiceClient], ServiceClient]:
    clients: dict[type[ServiceClient], ServiceClient] | None = getattr(
        request.state, "service_clients", None
    )
    if clients is None:
        clients = request.state.service_clients = {}
    return clients


def _forwarded(request: Request) -> dict[str, str]:
    headers = {"x-forwarded-for": request.client.host if request.client else "unknown"}
    if user_agent := request.headers.get("user-agent"):
        headers["user-agent"] = user_agent
    return headers


def _token_source(gateway: Gateway, session: WebSession) -> TokenSource:
    anonymous = IdentityApi(gateway.backends[IdentityApi.service])

    async def token() -> str | None:
        if session.needs_refresh(gateway.settings.refresh_margin_seconds):
            assert session.refresh is not None
            try:
                session.store_tokens(await anonymous.refresh(session.refresh))
            except ApiProblem as problem:
                if problem.status in {401, 422}:
                    session.close()
                    raise LoginRequired from problem
                raise
        return session.access

    return token


async def verify_csrf(request: Request) -> None:
    """Every state-changing request carries the session's CSRF token (form field or header)."""
    if request.method in SAFE_METHODS:
        return
    session = get_session(request)
    candidate = request.headers.get(CSRF_HEADER)
    if candidate is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        candidate = value if isinstance(value, str) else None
    if not session.csrf_matches(candidate):
        raise CsrfRejected


def require_staff(request: Request) -> WebSession:
    session = get_session(request)
    if not session.is_staff:
        raise LoginRequired
    return session


def require_admin(request: Request) -> WebSession:
    session = require_staff(request)
    if not session.is_admin:
        raise PageNotFound
    return session


async def require_client(request: Request) -> WebSession:
    session = get_session(request)
    if not session.is_client:
        raise LoginRequired
    if (target := await client_gate(request)) is not None:
        raise ClientGated(target)
    return session


async def client_gate(request: Request) -> str | None:
    """Where the areas' gates send the client instead of this page, or None. A gate whose
    service does not answer opens (it is logged): a service down never locks clients out."""
    path = request.url.path
    if path in UNGATED_CLIENT_PATHS:
        return None
    for gate in gateway_of(request).menus.client_gates:
        try:
            target = await gate(request)
        except (ApiProblem, httpx.HTTPError):
            log.warning("client gate failed, left open", path=path, exc_info=True)
            continue
        if target is not None and path != target and not path.startswith(target + "/"):
            return target
    return None


Session = Annotated[WebSession, Depends(get_session)]
Identity = Annotated[IdentityApi, Depends(service_api(IdentityApi))]
Staff = Annotated[WebSession, Depends(require_staff)]
Admin = Annotated[WebSession, Depends(require_admin)]
ClientUser = Annotated[WebSession, Depends(require_client)]

"""Where each service's API is: in this process (embedded mode) or at a URL (distributed)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from portico.gateway.apis.base import TokenSource
from portico.gateway.apis.notifier import NotifierApi
from portico.gateway.apis.portal import PortalApi
from portico.gateway.settings import GatewaySettings

# The host name of in-process calls; nothing resolves it, the ASGI transport answers.
IN_PROCESS = "http://portico.internal"
TIMEOUT = httpx.Timeout(30.0, connect=5.0)


@dataclass
class Backends:
    """One HTTP connection pool per service, shared by every request of the gateway."""

    portal: httpx.AsyncClient
    notifier: httpx.AsyncClient

    @classmethod
    def in_process(cls, transport: httpx.AsyncBaseTransport) -> Backends:
        def client(service: str) -> httpx.AsyncClient:
            return httpx.AsyncClient(
                transport=transport, base_url=f"{IN_PROCESS}/api/{service}", timeout=TIMEOUT
            )

        return cls(portal=client("portal"), notifier=client("notifier"))

    @classmethod
    def over_http(cls, settings: GatewaySettings) -> Backends:
        return cls(
            portal=httpx.AsyncClient(base_url=settings.portal_url, timeout=TIMEOUT),
            notifier=httpx.AsyncClient(base_url=settings.notifier_url, timeout=TIMEOUT),
        )

    def by_name(self, service: str) -> httpx.AsyncClient | None:
        return {"portal": self.portal, "notifier": self.notifier}.get(service)

    async def close(self) -> None:
        await self.portal.aclose()
        await self.notifier.aclose()


@dataclass
class Apis:
    """The service APIs as the person behind one request."""

    portal: PortalApi
    notifier: NotifierApi

    @classmethod
    def of(
        cls,
        backends: Backends,
        token: TokenSource | None,
        headers: Mapping[str, str] | None = None,
    ) -> Apis:
        return cls(
            portal=PortalApi(backends.portal, token, headers),
            notifier=NotifierApi(backends.notifier, token, headers),
        )

"""Where each service's API is: in this process (embedded mode) or at a URL (distributed)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import httpx

from portico.gateway.settings import GatewaySettings

# The host name of in-process calls; nothing resolves it, the ASGI transport answers.
IN_PROCESS = "http://portico.internal"
TIMEOUT = httpx.Timeout(30.0, connect=5.0)


class Backends(Mapping[str, httpx.AsyncClient]):
    """One HTTP connection pool per service (by its name), shared by every request."""

    def __init__(self, clients: Mapping[str, httpx.AsyncClient]) -> None:
        self._clients = dict(clients)

    @classmethod
    def in_process(cls, services: Iterable[str], transport: httpx.AsyncBaseTransport) -> Backends:
        return cls(
            {
                service: httpx.AsyncClient(
                    transport=transport, base_url=f"{IN_PROCESS}/api/{service}", timeout=TIMEOUT
                )
                for service in services
            }
        )

    @classmethod
    def over_http(cls, services: Iterable[str], settings: GatewaySettings) -> Backends:
        return cls(
            {
                service: httpx.AsyncClient(base_url=settings.service_url(service), timeout=TIMEOUT)
                for service in services
            }
        )

    def __getitem__(self, service: str) -> httpx.AsyncClient:
        return self._clients[service]

    def __iter__(self) -> Iterator[str]:
        return iter(self._clients)

    def __len__(self) -> int:
        return len(self._clients)

    async def close(self) -> None:
        for client in self._clients.values():
            await client.aclose()

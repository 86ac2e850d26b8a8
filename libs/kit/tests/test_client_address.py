"""The address of the person behind a request, told by a trusted proxy and by no one else."""

from __future__ import annotations

from types import SimpleNamespace

import httpx
from fastapi import FastAPI, Request

from portico.kit.deps import client_address
from portico.kit.settings import IN_PROCESS_PEER, PorticoSettings


def app_seen_from(peer: str) -> httpx.AsyncClient:
    app = FastAPI()
    app.state.runtime = SimpleNamespace(
        settings=PorticoSettings(trusted_proxies=(IN_PROCESS_PEER, "10.0.0.5", "172.16.0.0/12"))
    )

    @app.get("/who")
    async def who(request: Request) -> dict[str, str]:
        return {"address": client_address(request)}

    transport = httpx.ASGITransport(app=app, client=(peer, 1234))
    return httpx.AsyncClient(transport=transport, base_url="http://service")


async def test_a_trusted_proxy_names_the_client() -> None:
    for proxy in (IN_PROCESS_PEER, "10.0.0.5", "172.18.0.4"):
        async with app_seen_from(proxy) as http:
            seen = await http.get("/who", headers={"x-forwarded-for": "198.51.100.7"})
            assert seen.json() == {"address": "198.51.100.7"}
            # What the proxy itself saw is the last entry; earlier ones are the client's claim.
            chained = await http.get("/who", headers={"x-forwarded-for": "1.2.3.4, 198.51.100.7"})
            assert chained.json() == {"address": "198.51.100.7"}


async def test_anyone_else_is_the_address_they_connect_from() -> None:
    async with app_seen_from("203.0.113.9") as http:
        spoofed = await http.get("/who", headers={"x-forwarded-for": "198.51.100.7"})
        assert spoofed.json() == {"address": "203.0.113.9"}
        assert (await http.get("/who")).json() == {"address": "203.0.113.9"}

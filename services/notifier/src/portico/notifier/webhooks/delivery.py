"""One webhook request: the signed POST with httpx, and what came of it.

A receiver has ``timeout`` seconds (10 by default) to answer, the whole exchange included;
redirects are not followed (a redirect could lead where the URL may not: see
``destinations``); at most ``RESPONSE_MAX`` characters of the answer are read and kept.
Before each request the URL's host is resolved and every address checked against the
same rules as at registration, so a name that points inside the network is refused too;
the request then goes to the address checked, not to a second resolution of the name
(which a DNS server under the attacker's control could answer with an inside address: DNS
rebinding). The name still travels as the Host header and as TLS's server name, so the
receiver's certificate is verified for the name.
"""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import dataclass

import httpx

from portico.notifier.webhooks.destinations import (
    InvalidDestination,
    IPAddress,
    check_address,
    is_local_name,
    literal_address,
)
from portico.notifier.webhooks.settings import WebhookSettings

RESPONSE_MAX = 2048
ERROR_MAX = 2000
USER_AGENT = "Portico-Webhooks/1"
# The body is the event's CloudEvents envelope: the HTTP binding's structured mode.
CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"


@dataclass(frozen=True)
class Outcome:
    """What one try gave: a 2xx succeeded; anything else (another status, no answer) failed."""

    succeeded: bool
    status_code: int | None
    error: str | None
    duration_ms: int
    response_body: str | None


class WebhookSender:
    """Posts webhooks through one client, shared by the jobs of a runner."""

    def __init__(self, settings: WebhookSettings, *, allow_local: bool) -> None:
        self.timeout = settings.timeout
        self.allow_local = allow_local
        self.allow_private = settings.allow_private_networks
        self.proxy = settings.proxy
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(settings.timeout),
            follow_redirects=False,
            # Not the environment's proxies: only the one the settings name.
            trust_env=False,
            proxy=settings.proxy,
            headers={"user-agent": USER_AGENT},
        )

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> Outcome:
        started = time.monotonic()

        def outcome(
            status: int | None = None, error: str | None = None, answer: str | None = None
        ) -> Outcome:
            return Outcome(
                succeeded=status is not None and 200 <= status < 300,
                status_code=status,
                error=error[:ERROR_MAX] if error else None,
                duration_ms=round((time.monotonic() - started) * 1000),
                response_body=answer,
            )

        try:
            async with asyncio.timeout(self.timeout):
                target = httpx.URL(url)
                request = {"content-type": CONTENT_TYPE, **headers}
                extensions: dict[str, str] = {}
                pinned = await self._checked_address(target)
                if pinned is not None:
                    request["host"] = target.netloc.decode("ascii")
                    extensions["sni_hostname"] = target.raw_host.decode("ascii")
                    target = target.copy_with(host=str(pinned))
                async with self._client.stream(
                    "POST", target, content=body, headers=request, extensions=extensions
                ) as response:
                    answer = await _start_of(response)
                    return outcome(response.status_code, answer=answer)
        except InvalidDestination as refused:
            return outcome(error=f"address not allowed: {refused}")
        except (TimeoutError, httpx.TimeoutException):
            return outcome(error=f"no answer within {self.timeout:g} s")
        except httpx.HTTPError as failure:
            detail = str(failure).strip()
            return outcome(error=type(failure).__name__ + (f": {detail}" if detail else ""))

    async def _checked_address(self, url: httpx.URL) -> IPAddress | None:
        """The address to connect to for ``url``'s name, once every address it resolves to
        is checked; None where there is no name to pin (an address in the URL, or a proxy,
        which resolves the name from where it stands and is the guard there)."""
        host = url.host.lower()
        address = literal_address(host)
        if address is not None:
            check_address(address, allow_local=self.allow_local, allow_private=self.allow_private)
            return None
        if is_local_name(host) and not self.allow_local:
            raise InvalidDestination(f"{host} is this machine")
        if self.proxy:
            return None
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            found = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except OSError as error:
            raise InvalidDestination(f"{host} does not resolve ({error})") from None
        resolved = [literal_address(str(sockaddr[0]).split("%", 1)[0]) for *_, sockaddr in found]
        addresses = [address for address in resolved if address is not None]
        if not addresses:
            raise InvalidDestination(f"{host} does not resolve to an address")
        for address in addresses:
            check_address(address, allow_local=self.allow_local, allow_private=self.allow_private)
        return addresses[0]

    async def close(self) -> None:
        await self._client.aclose()


async def _start_of(response: httpx.Response) -> str:
    """The first ``RESPONSE_MAX`` characters of the answer, the rest left unread."""
    kept = bytearray()
    async for chunk in response.aiter_bytes():
        kept += chunk
        if len(kept) >= RESPONSE_MAX * 4:  # enough bytes for that many characters
            break
    return kept.decode(response.encoding or "utf-8", errors="replace")[:RESPONSE_MAX]

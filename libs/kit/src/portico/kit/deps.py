"""FastAPI dependencies every service uses, as ``Annotated`` aliases."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

from portico.kit.store import BlobStore
from portico.kit.transaction import Transaction

if TYPE_CHECKING:
    from portico.kit.service import Runtime


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_transaction(request: Request) -> AsyncIterator[Transaction]:
    """One unit of work per request, committed when the endpoint returns without error."""
    async with get_runtime(request).database.transaction() as tx:
        yield tx


def client_address(request: Request) -> str:
    """The address of the person behind the request, through a trusted proxy's header."""
    peer = request.client.host if request.client else "unknown"
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded and _trusted(peer, get_runtime(request).settings.trusted_proxies):
        # The right-most entry is what our proxy saw; entries left of it are the client's say.
        return forwarded.rsplit(",", 1)[-1].strip() or peer
    return peer


def _trusted(peer: str, proxies: tuple[str, ...]) -> bool:
    """``peer`` is one of ``proxies``: a name (the in-process peer), an address, a network."""
    if peer in proxies:
        return True
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    for proxy in proxies:
        try:
            if address in ipaddress.ip_network(proxy, strict=False):
                return True
        except ValueError:
            continue
    return False


def get_store(request: Request) -> BlobStore:
    return get_runtime(request).store


# scope="function": the commit happens before the response is sent, so a client that
# reads right after a write sees it.
Tx = Annotated[Transaction, Depends(get_transaction, scope="function")]
Store = Annotated[BlobStore, Depends(get_store)]

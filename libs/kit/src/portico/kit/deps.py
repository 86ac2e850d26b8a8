"""FastAPI dependencies every service uses, as ``Annotated`` aliases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from portico.kit.store import BlobStore

if TYPE_CHECKING:
    from portico.kit.service import Runtime


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request, committed when the endpoint returns without error."""
    async with get_runtime(request).database.sessions.begin() as session:
        yield session


def get_store(request: Request) -> BlobStore:
    return get_runtime(request).store


# scope="function": the commit happens before the response is sent, so a client that
# reads right after a write sees it.
DbSession = Annotated[AsyncSession, Depends(get_session, scope="function")]
Store = Annotated[BlobStore, Depends(get_store)]

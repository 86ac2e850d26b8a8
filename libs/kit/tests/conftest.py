"""Fixtures the kit's tests share."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from portico.kit.testing.database import PostgresDatabases


@pytest.fixture(params=["sqlite", "postgresql"])
async def backend_url(
    request: pytest.FixtureRequest, sqlite_url: Callable[[str], str]
) -> AsyncIterator[str]:
    """The URL of an empty database on each backend (the PostgreSQL one dropped after)."""
    if request.param == "sqlite":
        yield sqlite_url("kit")
        return
    databases = PostgresDatabases(request.getfixturevalue("postgres_server_url"))
    try:
        yield await databases.create("kit")
    finally:
        await databases.drop_all()

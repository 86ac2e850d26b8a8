"""S3 for tests: the server from the environment, else moto's server mode on loopback."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from portico.kit.store.s3 import S3BlobStore


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    url = os.environ.get("PORTICO_TEST_S3_URL")
    if url:
        yield url
        return
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_credentials(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    return {"access_key_id": "portico-test", "secret_access_key": "portico-test-secret"}


@pytest.fixture
async def s3_store(s3_endpoint: str, s3_credentials: dict[str, str]) -> AsyncIterator[S3BlobStore]:
    store = S3BlobStore(
        f"portico-test-{uuid.uuid4().hex[:12]}",
        endpoint_url=s3_endpoint,
        access_key_id=s3_credentials["access_key_id"],
        secret_access_key=s3_credentials["secret_access_key"],
    )
    yield store

"""The gateway bounds uploads before reading them, as the services do: a form posted without
a session is refused unread, and a file past the limit stops being read once it is passed."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from portico.gateway.testing import Accounts, Site

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

CHUNK = 256 * 1024
BOUNDARY = "portico-boundary"


class Sender:
    """A file upload form of ``chunks`` chunks, produced only as the gateway reads it."""

    def __init__(self, chunks: int, csrf: str = "") -> None:
        self.chunks = chunks
        self.csrf = csrf
        self.produced = 0

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}

    async def body(self) -> AsyncIterator[bytes]:
        self.produced += 1
        yield (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{self.csrf}\r\n--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="file"; filename="plans.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
        ).encode()
        for _ in range(self.chunks):
            self.produced += 1
            yield b"x" * CHUNK
        yield f"\r\n--{BOUNDARY}--\r\n".encode()


async def test_an_upload_without_a_session_is_refused_unread(site: Site) -> None:
    sender = Sender(chunks=800)  # 200 MiB, were it read
    response = await site.http.post(
        f"/workspaces/{uuid.uuid4()}/files", content=sender.body(), headers=sender.headers
    )
    assert response.status_code == 401
    assert sender.produced <= 1


async def test_an_upload_past_the_limit_stops_being_read(site: Site, accounts: Accounts) -> None:
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    sender = Sender(chunks=800, csrf=site.csrf)
    response = await site.http.post(
        f"/workspaces/{uuid.uuid4()}/files", content=sender.body(), headers=sender.headers
    )
    assert response.status_code == 413
    # The default limit, 25 MiB, is 100 chunks: the body stops being read just past it.
    assert sender.produced <= 102

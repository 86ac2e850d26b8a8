"""Uploads to the portal are bounded before they are read: an anonymous one is refused unread,
one past the limit stops being read once the limit is passed. Both backends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from portico.kit.testing.services import RunningPortico

API = "/api/portal/v1"
CHUNK = 256 * 1024
BOUNDARY = "portico-boundary"
MULTIPART = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


class Sender:
    """A PDF upload of ``chunks`` chunks, produced only as the service reads it."""

    def __init__(self, chunks: int) -> None:
        self.chunks = chunks
        self.produced = 0

    async def body(self) -> AsyncIterator[bytes]:
        self.produced += 1
        yield (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="plans.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\n'
        ).encode()
        for _ in range(self.chunks):
            self.produced += 1
            yield b"x" * CHUNK
        yield f"\r\n--{BOUNDARY}--\r\n".encode()


async def a_workspace(portico: RunningPortico, admin: dict[str, str]) -> str:
    client = await portico.http.post(f"{API}/clients", json={"name": "Atelier"}, headers=admin)
    assert client.status_code == 201, client.text
    workspace = await portico.http.post(
        f"{API}/clients/{client.json()['id']}/workspaces", json={"name": "Plans"}, headers=admin
    )
    assert workspace.status_code == 201, workspace.text
    return str(workspace.json()["id"])


async def files_of(portico: RunningPortico, workspace: str, admin: dict[str, str]) -> Any:
    return (await portico.http.get(f"{API}/workspaces/{workspace}/files", headers=admin)).json()


@pytest.mark.parametrize(
    "credentials",
    [{}, {"Authorization": "Bearer not-a-token"}],
    ids=["no credentials", "a forged token"],
)
async def test_an_anonymous_upload_is_refused_before_it_is_read(
    portico: RunningPortico, admin: dict[str, str], credentials: dict[str, str]
) -> None:
    workspace = await a_workspace(portico, admin)
    sender = Sender(chunks=800)  # 200 MiB, were it read
    response = await portico.http.post(
        f"{API}/workspaces/{workspace}/files",
        content=sender.body(),
        headers={**MULTIPART, **credentials},
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert sender.produced <= 1
    assert await files_of(portico, workspace, admin) == []


async def test_an_upload_past_the_limit_stops_being_read(
    portico: RunningPortico, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTICO_PORTAL_MAX_UPLOAD_MIB", "1")
    workspace = await a_workspace(portico, admin)
    sender = Sender(chunks=800)
    response = await portico.http.post(
        f"{API}/workspaces/{workspace}/files", content=sender.body(), headers={**MULTIPART, **admin}
    )
    assert response.status_code == 413
    assert "at most 1 MiB" in response.json()["detail"]
    assert sender.produced <= 6
    assert await files_of(portico, workspace, admin) == []

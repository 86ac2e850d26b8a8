"""Request bodies are bounded before they are read; anonymous uploads are refused unread.

A small app behind the kit's middleware, called through httpx's ASGI transport, which hands
the app the body chunk by chunk as the app asks: counting the chunks the sender produced
shows how much of a body was read before the answer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import FastAPI, File, UploadFile
from pydantic import BaseModel
from starlette.types import Scope

from portico.kit.problems import install_problem_handlers
from portico.kit.uploads import MAX_JSON_BYTES, MIB, BodyLimitMiddleware

PROBLEM = "application/problem+json"
CHUNK = 256 * 1024


class Note(BaseModel):
    text: str


def build_app(reached: list[str]) -> FastAPI:
    app = FastAPI()
    app.add_middleware(
        BodyLimitMiddleware,
        max_upload_bytes=lambda: MIB,
        has_credentials=lambda scope: _header(scope, b"authorization") == b"Bearer good",
        public_paths=frozenset({"/check"}),
    )
    install_problem_handlers(app)

    @app.post("/files")
    async def upload(file: Annotated[UploadFile, File()]) -> dict[str, int]:
        reached.append("files")
        return {"size": len(await file.read())}

    @app.post("/check")
    async def check(file: Annotated[UploadFile, File()]) -> dict[str, int]:
        reached.append("check")
        return {"size": len(await file.read())}

    @app.post("/notes")
    async def note(body: Note) -> dict[str, int]:
        reached.append("notes")
        return {"length": len(body.text)}

    return app


def _header(scope: Scope, name: bytes) -> bytes | None:
    return dict(scope["headers"]).get(name)


class Sender:
    """A multipart body of ``chunks`` chunks, produced only as the server reads it."""

    def __init__(self, chunks: int) -> None:
        self.chunks = chunks
        self.produced = 0
        self.boundary = "portico-boundary"

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    async def body(self) -> AsyncIterator[bytes]:
        self.produced += 1
        yield (
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="plans.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        for _ in range(self.chunks):
            self.produced += 1
            yield b"x" * CHUNK
        yield f"\r\n--{self.boundary}--\r\n".encode()


@pytest.fixture
def reached() -> list[str]:
    return []


@pytest.fixture
async def http(reached: list[str]) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_app(reached))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def test_an_anonymous_upload_is_refused_before_its_body_is_read(
    http: httpx.AsyncClient, reached: list[str]
) -> None:
    sender = Sender(chunks=800)  # 200 MiB, were it read
    response = await http.post(
        "/files", content=sender.body(), headers={"Content-Type": sender.content_type}
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert sender.produced <= 1
    assert reached == []


async def test_a_declared_length_over_the_limit_is_refused_at_once(
    http: httpx.AsyncClient, reached: list[str]
) -> None:
    response = await http.post(
        "/files",
        files={"file": ("plans.pdf", b"x" * (2 * MIB), "application/pdf")},
        headers={"Authorization": "Bearer good"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert "at most 1 MiB" in response.json()["detail"]
    assert reached == []


async def test_an_undeclared_length_stops_being_read_past_the_limit(
    http: httpx.AsyncClient, reached: list[str]
) -> None:
    sender = Sender(chunks=800)
    response = await http.post(
        "/files",
        content=sender.body(),
        headers={"Content-Type": sender.content_type, "Authorization": "Bearer good"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    # 1 MiB and its envelope are 4 chunks and a bit: the fifth or sixth is the last read.
    assert sender.produced <= 6
    assert reached == []


async def test_an_upload_within_the_limit_reaches_the_endpoint(
    http: httpx.AsyncClient, reached: list[str]
) -> None:
    sender = Sender(chunks=4)  # exactly 1 MiB of file
    response = await http.post(
        "/files",
        content=sender.body(),
        headers={"Content-Type": sender.content_type, "Authorization": "Bearer good"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"size": MIB}
    assert reached == ["files"]


async def test_other_bodies_have_a_limit_of_their_own(
    http: httpx.AsyncClient, reached: list[str]
) -> None:
    small = await http.post("/notes", json={"text": "Plans attached."})
    assert small.status_code == 200
    large = await http.post("/notes", json={"text": "x" * MAX_JSON_BYTES})
    assert large.status_code == 413
    assert "at most 2 MiB" in large.json()["detail"]
    assert reached == ["notes"]


async def test_a_public_upload_path_takes_anonymous_files_within_the_same_limit(
    http: httpx.AsyncClient, reached: list[str]
) -> None:
    small = Sender(chunks=1)
    accepted = await http.post(
        "/check", content=small.body(), headers={"Content-Type": small.content_type}
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == {"size": CHUNK}
    large = Sender(chunks=800)
    refused = await http.post(
        "/check", content=large.body(), headers={"Content-Type": large.content_type}
    )
    assert refused.status_code == 413
    assert large.produced <= 6
    # Only the path named public: the app's other uploads still need credentials.
    other = await http.post(
        "/files", content=Sender(chunks=1).body(), headers={"Content-Type": small.content_type}
    )
    assert other.status_code == 401
    assert reached == ["check"]


async def test_a_public_path_is_matched_within_the_app_wherever_it_is_mounted(
    reached: list[str],
) -> None:
    outer = FastAPI()
    outer.mount("/api/signing", build_app(reached))
    transport = httpx.ASGITransport(app=outer)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        sender = Sender(chunks=1)
        response = await client.post(
            "/api/signing/check",
            content=sender.body(),
            headers={"Content-Type": sender.content_type},
        )
    assert response.status_code == 200, response.text
    assert reached == ["check"]

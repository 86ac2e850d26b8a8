"""Every file of the shared corpus (real-world PDFs, images and office documents no one
here made) thrown at every upload endpoint: each is accepted, or refused with a problem
naming the file, within the endpoint's time; never a 5xx or a hang. The pipeline's own
corpus test (libs/pdf) proves that the accepted ones render every page; this one proves
the endpoints around it. Embedded only: what is under test is the endpoints, not the
backends."""

from __future__ import annotations

import asyncio
import mimetypes
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from portico.documents.testing import DOCUMENTS, contact_headers, make_client, make_type, upload
from portico.kit.testing.backends import unavailable
from portico.kit.testing.services import RunningPortico
from portico.pdf.testing import corpus_path
from portico.quotes.testing import make_client as make_quotes_client
from portico.quotes.testing import make_quote, simple_quote

pytestmark = pytest.mark.backends("embedded")

# Licences and notes, not documents.
NOT_DOCUMENTS = {".md", ".json"}
# The slowest a refusal or an acceptance may take: the signing service's conversion limit
# (60 s) and its isolated child's margin, doubled for a busy machine.
LONGEST_SECONDS = 180


def corpus_files() -> list[Path]:
    if not corpus_path().is_dir():
        unavailable(f"the corpus is not at {corpus_path()}")
    return sorted(
        path
        for path in corpus_path().rglob("*")
        if path.is_file()
        and not path.name.startswith("LICENSE")
        and path.suffix.lower() not in NOT_DOCUMENTS
    )


def content_type(path: Path) -> str:
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


async def throw(
    portico: RunningPortico, files: list[Path], send: Any, accepted_status: int
) -> Counter[str]:
    """Each file through ``send``, two at a time; the tally of the answers."""
    tally: Counter[str] = Counter()
    gate = asyncio.Semaphore(2)

    async def one(path: Path) -> None:
        async with gate:
            started = time.monotonic()
            response = await send(path)
            took = time.monotonic() - started
        name = path.relative_to(corpus_path())
        assert took < LONGEST_SECONDS, f"{name}: {took:.0f} s"
        assert response.status_code < 500, f"{name}: {response.status_code} {response.text}"
        if response.status_code == accepted_status:
            tally["accepted"] += 1
            return
        assert 400 <= response.status_code < 500, f"{name}: {response.status_code}"
        assert response.headers["content-type"] == "application/problem+json", name
        problem = response.json()
        assert problem["detail"], name
        assert [error["field"] for error in problem.get("errors", [])] in ([], ["file"]), name
        tally[f"refused {response.status_code}"] += 1
        print(f"{name}: {response.status_code} {problem['detail'][:120]}")

    await asyncio.gather(*(one(path) for path in files))
    return tally


async def test_every_corpus_file_is_made_a_template_or_refused(portico: RunningPortico) -> None:
    files = corpus_files()
    headers = portico.headers("staff")

    async def send(path: Path) -> Any:
        return await portico.http.post(
            "/api/signing/v1/templates",
            files={"file": (path.name, path.read_bytes(), content_type(path))},
            headers=headers,
            timeout=LONGEST_SECONDS,
        )

    tally = await throw(portico, files, send, 201)
    print("signing uploads:", dict(sorted(tally.items())))
    # Mostly usable documents: refusing most of them would be a bug, not caution.
    assert tally["accepted"] > 0.9 * len(files)


async def test_every_corpus_file_is_kept_in_a_workspace_or_refused(
    portico: RunningPortico,
) -> None:
    files = corpus_files()
    headers = portico.headers("admin")
    client = await portico.http.post(
        "/api/portal/v1/clients",
        json={"kind": "company", "name": "Atelier Lumière"},
        headers=headers,
    )
    assert client.status_code == 201, client.text
    workspace = await portico.http.post(
        f"/api/portal/v1/clients/{client.json()['id']}/workspaces",
        json={"name": "Documents"},
        headers=headers,
    )
    assert workspace.status_code == 201, workspace.text
    path_of = f"/api/portal/v1/workspaces/{workspace.json()['id']}/files"

    async def send(path: Path) -> Any:
        return await portico.http.post(
            path_of,
            files={"file": (path.name, path.read_bytes(), content_type(path))},
            headers=headers,
        )

    tally = await throw(portico, files, send, 201)
    print("workspace files:", dict(sorted(tally.items())))
    assert tally["accepted"] > 0.9 * len(files)


async def test_every_corpus_image_is_a_logo_or_refused(portico: RunningPortico) -> None:
    # Every file: a PDF or a Word document sent as a logo must be refused just as cleanly.
    files = corpus_files()
    headers = portico.headers("admin")

    async def send(path: Path) -> Any:
        return await portico.http.put(
            "/api/portal/v1/organisation/logo",
            files={"file": (path.name, path.read_bytes(), content_type(path))},
            headers=headers,
        )

    tally = await throw(portico, files, send, 200)
    print("logos:", dict(sorted(tally.items())))
    assert tally["accepted"] > 0


async def test_every_corpus_file_is_a_clients_document_or_refused(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    files = corpus_files()
    kind = await make_type(
        portico,
        admin,
        {
            "name_en": "Any document",
            "name_fr": "Tout document",
            "formats": ["pdf", "jpeg", "png", "webp", "heic", "docx", "odt"],
            "max_size_mib": 25,
        },
    )
    client = await make_client(portico, admin)
    headers = contact_headers(portico, client)

    async def send(path: Path) -> Any:
        return await upload(
            portico, f"{DOCUMENTS}/my-documents", headers, kind, path.read_bytes(), name=path.name
        )

    tally = await throw(portico, files, send, 201)
    print("client documents:", dict(sorted(tally.items())))
    assert tally["accepted"] > 0.5 * len(files)


async def test_every_corpus_file_is_attached_to_a_quote_or_refused(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    files = corpus_files()
    headers = portico.headers("staff")
    client = await make_quotes_client(portico, admin)
    quote = await make_quote(portico, headers, simple_quote(client))
    path_of = f"/api/quotes/v1/quotes/{quote['id']}/attachments"

    async def send(path: Path) -> Any:
        response = await portico.http.post(
            path_of,
            files={"file": (path.name, path.read_bytes(), content_type(path))},
            headers=headers,
        )
        if response.status_code == 201:
            # A quote keeps 20: each accepted one is deleted again to make room.
            removed = await portico.http.delete(
                f"{path_of}/{response.json()['id']}", headers=headers
            )
            assert removed.status_code == 204, removed.text
        return response

    tally = await throw(portico, files, send, 201)
    print("quote attachments:", dict(sorted(tally.items())))
    # PDFs, images and Word documents, mostly: a quote takes them.
    assert tally["accepted"] > 0.8 * len(files)

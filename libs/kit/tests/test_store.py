"""The blob store contract, on a local folder and on an S3 server (moto over HTTP)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from portico.kit.settings import PorticoSettings
from portico.kit.store import BlobNotFound, BlobStore, InvalidBlobKey, create_store
from portico.kit.store.local import LocalBlobStore
from portico.kit.store.s3 import PART_SIZE, S3BlobStore


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "local":
        return LocalBlobStore(tmp_path / "blobs")
    return request.getfixturevalue("s3_store")


async def test_a_blob_round_trips_with_its_size_hash_and_type(store: BlobStore) -> None:
    content = "Devis signé — 1 250,00 €".encode()
    stored = await store.put("quotes/q-1/signed.pdf", content, content_type="application/pdf")
    assert stored.size == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert await store.read("quotes/q-1/signed.pdf") == content
    assert await store.stat("quotes/q-1/signed.pdf") == stored


async def test_a_large_upload_streams_in_bounded_parts_and_downloads_the_same(
    store: BlobStore,
) -> None:
    chunk = os.urandom(1 << 20)
    produced = 0
    expected = hashlib.sha256()

    async def twenty_mebibytes() -> AsyncIterator[bytes]:
        nonlocal produced
        for _ in range(20):
            produced += 1
            expected.update(chunk)
            yield chunk

    stored = await store.put("big/archive.bin", twenty_mebibytes())
    assert produced == 20
    assert stored.size == 20 << 20
    assert stored.sha256 == expected.hexdigest()
    downloaded = hashlib.sha256()
    largest = 0
    async for piece in store.stream("big/archive.bin", chunk_size=1 << 20):
        downloaded.update(piece)
        largest = max(largest, len(piece))
    assert downloaded.hexdigest() == expected.hexdigest()
    assert largest <= 1 << 20
    assert (await store.stat("big/archive.bin")).sha256 == expected.hexdigest()


async def test_s3_uploads_large_content_in_parts_without_reading_it_all_first(
    s3_store: S3BlobStore,
) -> None:
    chunk = b"x" * (1 << 20)
    produced_before_first_part: list[int] = []
    produced = 0
    upload_part = s3_store.client.upload_part

    def spying_upload_part(**arguments: object) -> object:
        produced_before_first_part.append(produced)
        return upload_part(**arguments)

    s3_store.client.upload_part = spying_upload_part

    async def forty_mebibytes() -> AsyncIterator[bytes]:
        nonlocal produced
        for _ in range(40):
            produced += 1
            yield chunk

    await s3_store.put("big/forty.bin", forty_mebibytes())
    # Each part was sent while the rest was still to be produced: memory stays bounded.
    parts_in_mib = PART_SIZE >> 20
    assert len(produced_before_first_part) == 40 // parts_in_mib
    assert produced_before_first_part[0] <= 2 * parts_in_mib
    assert (await s3_store.stat("big/forty.bin")).size == 40 << 20


async def test_a_missing_blob_is_not_found(store: BlobStore) -> None:
    with pytest.raises(BlobNotFound):
        await store.read("nothing/here.txt")
    with pytest.raises(BlobNotFound):
        await store.stat("nothing/here.txt")
    with pytest.raises(BlobNotFound):
        async for _ in store.stream("nothing/here.txt"):
            pass


async def test_delete_is_idempotent_and_delete_prefix_keeps_other_prefixes(
    store: BlobStore,
) -> None:
    for key in ("clients/a/1.pdf", "clients/a/sub/2.pdf", "clients/ab/3.pdf", "clients/b/4.pdf"):
        await store.put(key, b"data")
    await store.delete("clients/b/4.pdf")
    await store.delete("clients/b/4.pdf")
    assert await store.keys("clients/a") == ["clients/a/1.pdf", "clients/a/sub/2.pdf"]
    assert await store.delete_prefix("clients/a") == 2
    assert await store.keys("clients/a") == []
    assert await store.keys("clients") == ["clients/ab/3.pdf"]
    with pytest.raises(BlobNotFound):
        await store.read("clients/a/sub/2.pdf")
    assert await store.read("clients/ab/3.pdf") == b"data"


@pytest.mark.parametrize(
    "key", ["", "../escape", "/absolute", "a\\b", "a//b", "a/./b", "tab\there"]
)
async def test_keys_that_could_escape_are_refused(store: BlobStore, key: str) -> None:
    with pytest.raises(InvalidBlobKey):
        await store.put(key, b"data")


async def test_s3_creates_its_bucket_and_presigns_downloads(s3_store: S3BlobStore) -> None:
    assert await s3_store.ready()
    await s3_store.put("copies/contrat.pdf", b"%PDF-1.7 signed", content_type="application/pdf")
    url = await s3_store.download_url("copies/contrat.pdf", filename="Contrat signé.pdf")
    assert url is not None
    async with httpx.AsyncClient() as http:
        response = await http.get(url)
    assert response.status_code == 200
    assert response.content == b"%PDF-1.7 signed"
    assert "Contrat%20sign%C3%A9.pdf" in response.headers["content-disposition"]


async def test_the_local_store_serves_downloads_through_the_api(tmp_path: Path) -> None:
    assert await LocalBlobStore(tmp_path).download_url("a.pdf") is None


async def test_an_unreachable_s3_server_is_not_ready() -> None:
    store = S3BlobStore("portico-nowhere", endpoint_url="http://127.0.0.1:9", connect_timeout=0.5)
    store.client.meta.config.retries = {"max_attempts": 1}
    assert not await store.ready()


async def test_the_factory_namespaces_each_service_in_one_bucket(
    s3_endpoint: str, s3_credentials: dict[str, str], tmp_path: Path
) -> None:
    settings = PorticoSettings(
        data_dir=tmp_path,
        s3_endpoint_url=s3_endpoint,
        s3_bucket="portico-shared",
        s3_access_key_id=s3_credentials["access_key_id"],
        s3_secret_access_key=s3_credentials["secret_access_key"],
    )
    portal, signing = create_store(settings, "portal"), create_store(settings, "signing")
    await portal.put("logo.png", b"portal")
    await signing.put("logo.png", b"signing")
    assert await portal.read("logo.png") == b"portal"
    assert await signing.read("logo.png") == b"signing"
    local = create_store(PorticoSettings(data_dir=tmp_path), "portal")
    await local.put("logo.png", b"local")
    assert (tmp_path / "blobs" / "portal" / "logo.png").read_bytes() == b"local"

"""Which blob store an email's attachment is read from: the store of the service its
attachment names (each service keeps its files under its own name), the notifier's own
for an attachment recorded before attachments named one."""

from __future__ import annotations

from pathlib import Path

import pytest

from portico.kit.settings import PorticoSettings
from portico.kit.store import create_store
from portico.kit.store.local import LocalBlobStore
from portico.kit.store.s3 import S3BlobStore
from portico.notifier.deliveries.attachments import AttachmentStores


def embedded(tmp_path: Path) -> PorticoSettings:
    return PorticoSettings(data_dir=tmp_path / "var", keys_dir=tmp_path / "keys")


async def test_an_attachment_is_read_from_the_store_of_the_service_it_names(
    tmp_path: Path,
) -> None:
    settings = embedded(tmp_path)
    own = create_store(settings, "notifier")
    quotes = create_store(settings, "quotes")
    await quotes.put("quotes/q1/sent-1.pdf", b"%PDF-quote", content_type="application/pdf")
    await own.put("old/invitation.pdf", b"%PDF-own", content_type="application/pdf")
    stores = AttachmentStores(settings, own)

    chosen = stores.store_of("quotes")
    assert isinstance(chosen, LocalBlobStore)
    assert chosen.root == settings.data_dir / "blobs" / "quotes"
    assert stores.store_of("quotes") is chosen  # opened once
    assert stores.store_of(None) is own
    files = await stores.read(
        [
            ["D-2026-0042.pdf", "application/pdf", "quotes/q1/sent-1.pdf", "quotes"],
            # Recorded before attachments named their store: the notifier's own.
            ["invitation.pdf", "application/pdf", "old/invitation.pdf"],
        ]
    )
    assert files == [
        ("D-2026-0042.pdf", "application/pdf", b"%PDF-quote"),
        ("invitation.pdf", "application/pdf", b"%PDF-own"),
    ]


def test_on_s3_a_services_store_is_its_prefix_of_the_shared_bucket(tmp_path: Path) -> None:
    settings = PorticoSettings(
        data_dir=tmp_path / "var",
        keys_dir=tmp_path / "keys",
        s3_bucket="portico",
        s3_endpoint_url="http://127.0.0.1:9",
        s3_access_key_id="portico",
        s3_secret_access_key="portico-secret",
    )
    chosen = AttachmentStores(settings, None).store_of("signing")
    assert isinstance(chosen, S3BlobStore)
    assert (chosen.bucket, chosen.prefix) == ("portico", "signing/")


def test_a_name_that_is_no_services_is_refused(tmp_path: Path) -> None:
    stores = AttachmentStores(embedded(tmp_path), None)
    for name in ("../portal", "quotes/..", "", "Quotes"):
        with pytest.raises(ValueError):
            stores.store_of(name)
    with pytest.raises(LookupError):
        stores.store_of(None)

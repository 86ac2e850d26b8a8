"""`make run`'s data folder is its owner's alone: databases, mailbox, blobs and keys."""

from __future__ import annotations

import io
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from portico.kit.auth.keys import PUBLIC_FILE
from portico.kit.testing.live import LivePortico


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[LivePortico]:
    running = LivePortico(tmp_path / "data")
    try:
        yield running
    finally:
        running.kill()


def modes(folder: Path) -> dict[str, int]:
    """The permission bits of the folder and of everything under it, by relative path."""
    found = {".": stat.S_IMODE(folder.stat().st_mode)}
    for path in folder.rglob("*"):
        found[str(path.relative_to(folder))] = stat.S_IMODE(path.stat().st_mode)
    return found


def logo() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (8, 8), "#2f5bea").save(output, "PNG")
    return output.getvalue()


def test_every_file_it_writes_is_readable_by_its_owner_only(embedded: LivePortico) -> None:
    # A folder an earlier version made readable by everyone is closed at start.
    embedded.data_dir.mkdir(mode=0o755)
    embedded.data_dir.chmod(0o755)
    embedded.start()
    admin = embedded.admin_headers()
    client = httpx.post(
        f"{embedded.url}/api/portal/v1/clients",
        json={
            "name": "Atelier Lumière",
            "contacts": [{"first_name": "Camille", "last_name": "Durand", "email": "c@l.example"}],
        },
        headers=admin,
    ).json()
    invited = httpx.post(
        f"{embedded.url}/api/portal/v1/clients/{client['id']}/contacts/"
        f"{client['contacts'][0]['id']}/invitation",
        headers=admin,
    )
    assert invited.status_code == 201, invited.text
    uploaded = httpx.put(
        f"{embedded.url}/api/portal/v1/organisation/logo",
        files={"file": ("logo.png", logo(), "image/png")},
        headers=admin,
    )
    assert uploaded.status_code == 200, uploaded.text
    deadline = time.monotonic() + 20
    while not list(embedded.data_dir.glob("mailbox/*.eml")) and time.monotonic() < deadline:
        time.sleep(0.1)

    # While it runs: SQLite's -wal and -shm files exist beside the databases.
    running = modes(embedded.data_dir)
    assert embedded.stop() == 0
    written = {**running, **modes(embedded.data_dir)}
    for expected in ("portal.db", "portal.db-wal", "notifier.db", "keys/jwt-private.pem"):
        assert expected in written, sorted(written)
    assert any(path.startswith("mailbox/") for path in written), sorted(written)
    assert any(path.startswith("blobs/") for path in written), sorted(written)
    # The public half of the signing key is public by nature; the folder around it is not.
    written.pop(f"keys/{PUBLIC_FILE}")
    wider = {
        path: oct(mode)
        for path, mode in written.items()
        if mode & 0o077 or mode != (0o700 if (embedded.data_dir / path).is_dir() else 0o600)
    }
    assert wider == {}

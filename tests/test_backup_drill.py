"""Backing up a running embedded Portico, rehearsing the restore, and starting again from
the restored folder with every record, file and key in place (``portico.kit.backup``)."""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from portico.kit.backup import MANIFEST, BackupError, restore
from portico.kit.testing.live import LivePortico


def backup_command(*arguments: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "portico.kit.backup", *map(str, arguments)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def png() -> bytes:
    image = io.BytesIO()
    Image.new("RGB", (40, 20), (79, 70, 229)).save(image, "PNG")
    return image.getvalue()


@pytest.fixture
def processes() -> Iterator[list[LivePortico]]:
    started: list[LivePortico] = []
    yield started
    for process in started:
        process.kill()


def test_a_backup_taken_while_running_restores_into_a_working_portico(
    tmp_path: Path, processes: list[LivePortico]
) -> None:
    original = LivePortico(tmp_path / "data")
    processes.append(original)
    original.start()
    admin = original.admin_headers()
    created = httpx.post(
        f"{original.url}/api/portal/v1/clients", json={"name": "Durable SARL"}, headers=admin
    )
    assert created.status_code == 201, created.text
    logo = httpx.put(
        f"{original.url}/api/portal/v1/organisation/logo",
        files={"file": ("logo.png", png(), "image/png")},
        headers=admin,
    )
    assert logo.status_code == 200, logo.text
    served = httpx.get(f"{original.url}/api/portal/v1/organisation/logo").content

    # Taken while Portico runs and writes its write-ahead logs.
    archive = tmp_path / "backups" / "portico.tar.gz"
    made = backup_command("backup", original.data_dir, archive)
    assert made.returncode == 0, made.stderr
    drilled = backup_command("drill", original.data_dir)
    assert drilled.returncode == 0, drilled.stderr
    assert "drill passed" in drilled.stdout and "portal (" in drilled.stdout
    original.stop()

    restored_dir = tmp_path / "restored"
    done = backup_command("restore", archive, restored_dir)
    assert done.returncode == 0, done.stderr
    restored = LivePortico(restored_dir)
    processes.append(restored)
    restored.start()
    # The same keys: a token the original would accept is accepted.
    headers = restored.admin_headers()
    listed = httpx.get(f"{restored.url}/api/portal/v1/clients", headers=headers)
    assert [client["name"] for client in listed.json()["items"]] == ["Durable SARL"]
    assert httpx.get(f"{restored.url}/api/portal/v1/organisation/logo").content == served
    assert restored.stop() == 0


def test_a_restore_refuses_a_used_folder_and_a_damaged_archive(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "blobs" / "portal").mkdir(parents=True)
    (data / "blobs" / "portal" / "file.txt").write_bytes(b"kept")
    archive = tmp_path / "backup.tar.gz"
    assert backup_command("backup", data, archive).returncode == 0

    with pytest.raises(BackupError, match="not empty"):
        restore(archive, data)

    # A file changed inside the archive, its manifest left as it was.
    with tarfile.open(archive, "r:gz") as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]
    members["blobs/portal/file.txt"] = b"changed"
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(damaged, "w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    refused = backup_command("restore", damaged, tmp_path / "elsewhere")
    assert refused.returncode == 1 and "damaged" in refused.stderr
    assert not (tmp_path / "elsewhere" / "blobs").exists()

    # Something that is not a Portico backup at all.
    stray = tmp_path / "stray.tar.gz"
    with tarfile.open(stray, "w:gz") as tar:
        info = tarfile.TarInfo("notes.txt")
        tar.addfile(info, io.BytesIO(b""))
    assert MANIFEST in backup_command("restore", stray, tmp_path / "other").stderr

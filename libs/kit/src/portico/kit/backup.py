"""Back up and restore the embedded mode's data folder, and rehearse a restore.

The folder holds everything an embedded Portico keeps: a SQLite database per service, the
blob stores (``blobs/<service>/``), the JWT keys (``keys/``) and the development mailbox.
``backup`` may run while Portico runs: each database is copied with SQLite's online backup
API (a consistent snapshot, whatever the write-ahead log holds), every other file as it is,
and a manifest records each file's SHA-256. ``restore`` unpacks an archive into an empty
folder after checking every file against the manifest. ``drill`` does both into a scratch
folder and checks that each restored database passes ``PRAGMA integrity_check`` and opens
with its tables, which is the rehearsal an operator runs on a schedule.

The distributed mode's backups are PostgreSQL dumps, the bucket's versioning and the keys
(docs/operations.md, "Back up and restore").

Usage: ``python -m portico.kit.backup backup DATA_DIR ARCHIVE``,
``restore ARCHIVE DATA_DIR``, ``drill DATA_DIR``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sqlite3
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

MANIFEST = "portico-backup.json"
FORMAT = 1
# SQLite's companions of a database: the snapshot of the database holds what they held.
_COMPANIONS = ("-wal", "-shm", "-journal")


class BackupError(Exception):
    """A backup or restore that cannot go on, with the reason."""


@dataclass(frozen=True)
class DrillReport:
    files: int
    databases: dict[str, int]  # each database's number of tables


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _snapshot(database: Path) -> bytes:
    """A consistent copy of a live SQLite database, through the online backup API."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / database.name
        source = sqlite3.connect(database)
        target = sqlite3.connect(copy)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return copy.read_bytes()


def _is_companion(path: Path) -> bool:
    return any(path.name.endswith(f".db{suffix}") for suffix in _COMPANIONS)


def backup(data_dir: Path, archive: Path) -> int:
    """Write ``data_dir`` to ``archive`` (a .tar.gz); answers the number of files kept."""
    if not data_dir.is_dir():
        raise BackupError(f"{data_dir} is not a folder")
    files: dict[str, str] = {}
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "w:gz") as tar:
        for path in sorted(data_dir.rglob("*")):
            if not path.is_file() or path.is_symlink() or _is_companion(path):
                continue
            name = path.relative_to(data_dir).as_posix()
            data = _snapshot(path) if path.suffix == ".db" else path.read_bytes()
            files[name] = _sha256(data)
            _add(tar, name, data, mode=path.stat().st_mode & 0o777)
        manifest = {
            "format": FORMAT,
            "made_at": datetime.now(UTC).isoformat(),
            "files": files,
        }
        _add(tar, MANIFEST, json.dumps(manifest, indent=2).encode(), mode=0o600)
    return len(files)


def _add(tar: tarfile.TarFile, name: str, data: bytes, *, mode: int) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    info.mtime = int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


def restore(archive: Path, data_dir: Path) -> int:
    """Unpack ``archive`` into ``data_dir`` (absent or empty), every file checked against
    the manifest first; answers the number of files restored."""
    if data_dir.exists() and any(data_dir.iterdir()):
        raise BackupError(f"{data_dir} is not empty: restore into a new folder")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            contents = {
                member.name: (member, tar.extractfile(member).read())  # type: ignore[union-attr]
                for member in tar.getmembers()
                if member.isfile()
            }
    except (OSError, tarfile.TarError, EOFError) as error:
        raise BackupError(f"{archive} is not a readable backup: {error}") from None
    if MANIFEST not in contents:
        raise BackupError(f"{archive} has no {MANIFEST}: not a Portico backup")
    manifest = json.loads(contents.pop(MANIFEST)[1])
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} is of backup format {manifest.get('format')}")
    expected: dict[str, str] = manifest["files"]
    if set(expected) != set(contents):
        missing = sorted(set(expected) ^ set(contents))
        raise BackupError(f"{archive} does not match its manifest: {', '.join(missing)}")
    for name, (_member, data) in contents.items():
        path = PurePosixPath(name)
        # Names come from the archive: none may climb out of the folder.
        if path.is_absolute() or ".." in path.parts:
            raise BackupError(f"{archive} names a file outside the folder: {name}")
        if _sha256(data) != expected[name]:
            raise BackupError(f"{name} in {archive} is damaged (SHA-256 differs)")
    for name, (member, data) in contents.items():
        target = data_dir / name
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        target.write_bytes(data)
        target.chmod(member.mode & 0o777 or 0o600)
    return len(contents)


def drill(data_dir: Path) -> DrillReport:
    """Back up ``data_dir``, restore it into a scratch folder and check what came back."""
    with tempfile.TemporaryDirectory(prefix="portico-drill-") as scratch:
        archive = Path(scratch) / "backup.tar.gz"
        kept = backup(data_dir, archive)
        restored = Path(scratch) / "restored"
        if restore(archive, restored) != kept:
            raise BackupError("the restore did not give back every file")
        tables: dict[str, int] = {}
        for database in sorted(restored.glob("*.db")):
            with sqlite3.connect(database) as connection:
                [(verdict,)] = connection.execute("PRAGMA integrity_check").fetchall()
                if verdict != "ok":
                    raise BackupError(f"{database.name} restored damaged: {verdict}")
                tables[database.stem] = connection.execute(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                ).fetchone()[0]
            connection.close()
        return DrillReport(files=kept, databases=tables)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m portico.kit.backup",
        description="Back up, restore and rehearse restoring the embedded mode's data folder.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("backup", help="write the data folder to an archive")
    made.add_argument("data_dir", type=Path)
    made.add_argument("archive", type=Path)
    back = commands.add_parser("restore", help="unpack an archive into a new data folder")
    back.add_argument("archive", type=Path)
    back.add_argument("data_dir", type=Path)
    rehearsal = commands.add_parser("drill", help="back up, restore aside and check")
    rehearsal.add_argument("data_dir", type=Path)
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "backup":
            count = backup(arguments.data_dir, arguments.archive)
            print(f"{count} files of {arguments.data_dir} backed up to {arguments.archive}")
        elif arguments.command == "restore":
            count = restore(arguments.archive, arguments.data_dir)
            print(f"{count} files restored into {arguments.data_dir}")
        else:
            report = drill(arguments.data_dir)
            databases = ", ".join(
                f"{name} ({count} tables)" for name, count in report.databases.items()
            )
            print(f"drill passed: {report.files} files restored and checked; {databases}")
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``python -m portico.kit.embedded``: every installed service and the web UI in one process
(``make run``)."""

from __future__ import annotations

import os
from pathlib import Path

from portico.kit.host import EMBEDDED, discover_services, discover_web, serve
from portico.kit.settings import PorticoSettings

# Files 0600, folders 0700.
OWNER_ONLY = 0o077


def keep_data_private(data_dir: Path) -> None:
    """Make every file this process creates from now on readable by its owner alone.

    The data folder holds the SQLite databases (a client's data, password hashes), their
    -wal and -shm files, the mailbox (links with tokens), the blobs and the signing key.
    A umask covers each of them, including the files SQLite creates by itself, which no
    ``open`` of ours could give a mode. The folder itself is closed too, which also covers
    what an older version left readable inside it.
    """
    os.umask(OWNER_ONLY)
    if data_dir.is_dir():
        data_dir.chmod(0o700)


def main() -> None:
    services = discover_services()
    if not services:
        raise SystemExit("no Portico service is installed (run `make run` from the workspace)")
    keep_data_private(PorticoSettings().data_dir)
    serve(services, EMBEDDED, process_name="portico", web=discover_web())

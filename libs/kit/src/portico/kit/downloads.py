"""A file's name, from the upload that gave it to the download that saves it."""

from __future__ import annotations

import unicodedata
from pathlib import PurePosixPath
from urllib.parse import quote


def attachment(filename: str) -> str:
    """The ``Content-Disposition`` that saves a download as ``filename`` (RFC 6266): an
    ASCII fallback for old clients, the name itself (UTF-8, RFC 8187) for the rest. A name
    can come from a user: quotes, backslashes and control characters never reach the
    header as they are."""
    filename = filename or "download"
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def safe_file_name(name: str | None) -> str:
    """The last part of the name the browser sent, without control characters, at most 255."""
    base = PurePosixPath((name or "").replace("\\", "/")).name
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    if not base or base in (".", ".."):
        return "file"
    if len(base) > 255:
        suffix = PurePosixPath(base).suffix[:20]
        base = base[: 255 - len(suffix)] + suffix
    return base

"""Files a browser saves under their own name."""

from __future__ import annotations

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

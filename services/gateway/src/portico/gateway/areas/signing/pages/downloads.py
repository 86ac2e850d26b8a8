"""A PDF the browser saves under the document's name (accents kept where it can)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.responses import Response


def pdf_attachment(content: bytes, name: str) -> Response:
    # RFC 6266: an ASCII fallback for old clients, the UTF-8 name for the rest.
    plain = "".join(c if c.isascii() and (c.isalnum() or c in " -_.") else "_" for c in name)
    plain = plain[:150] or "document"
    disposition = f"attachment; filename=\"{plain}.pdf\"; filename*=UTF-8''{quote(name[:150])}.pdf"
    return Response(
        content, media_type="application/pdf", headers={"Content-Disposition": disposition}
    )

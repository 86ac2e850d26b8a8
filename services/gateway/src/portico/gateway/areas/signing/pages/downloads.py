"""A PDF the browser saves under the document's name (accents kept where it can)."""

from __future__ import annotations

from fastapi.responses import Response

from portico.kit.downloads import attachment


def pdf_attachment(content: bytes, name: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": attachment(f"{name[:150] or 'document'}.pdf")},
    )

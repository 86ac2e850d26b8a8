"""Page previews: WebP images of a PDF's pages rendered by PDFium."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import pypdfium2 as pdfium

PREVIEW_WIDTHS = (1200, 300)
# WebP cannot hold an image taller than this.
_MAX_SIDE = 16_000


@dataclass(frozen=True)
class PagePreview:
    index: int
    width_px: int
    webp: bytes


def render_page(pdf: bytes, index: int, width_px: int, *, quality: int = 80) -> bytes:
    """Page ``index`` (from 0) of ``pdf`` as a WebP image ``width_px`` wide."""
    document = pdfium.PdfDocument(pdf)
    try:
        return _render(document, index, width_px, quality)
    finally:
        document.close()


def render_pages(
    pdf: bytes,
    widths: Sequence[int] = PREVIEW_WIDTHS,
    *,
    pages: Iterable[int] | None = None,
    quality: int = 80,
) -> Iterator[PagePreview]:
    """Every page (or those of ``pages``) at each width, page by page (page 1 first, at
    each width in turn): a caller can store the first page's previews before the rest are
    rendered."""
    document = pdfium.PdfDocument(pdf)
    try:
        for index in range(len(document)) if pages is None else pages:
            for width in widths:
                yield PagePreview(index, width, _render(document, index, width, quality))
    finally:
        document.close()


def _render(document: pdfium.PdfDocument, index: int, width_px: int, quality: int) -> bytes:
    if width_px < 1:
        raise ValueError("width_px must be positive")
    page = document[index]
    try:
        width, height = page.get_size()
        scale = min(width_px / width, _MAX_SIDE / height)
        bitmap = page.render(scale=scale, may_draw_forms=True)
        try:
            image = bitmap.to_pil()
        finally:
            bitmap.close()
    finally:
        page.close()
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "WEBP", quality=quality, method=4)
    return buffer.getvalue()

"""Documents for tests, of this library and of the services using it: small PDFs built with
reportlab and pypdf, images with Pillow, and where the shared corpus is."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas


def corpus_path() -> Path:
    """The shared corpus: ``PORTICO_CORPUS``, else ``<repo>/../shared/corpus``."""
    configured = os.environ.get("PORTICO_CORPUS")
    if configured:
        return Path(configured)
    # src/portico/pdf/testing.py in libs/pdf of the repository.
    return Path(__file__).resolve().parents[5].parent / "shared" / "corpus"


def pdf_with_text(*pages: str, size: tuple[float, float] = A4, rotate: int = 0) -> bytes:
    """One page per text, the text drawn at 72 pt from the left and 100 pt from the top."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=size)
    for text in pages:
        canvas.setFont("Helvetica", 12)
        canvas.drawString(72, size[1] - 100, text)
        canvas.showPage()
    canvas.save()
    data = buffer.getvalue()
    if rotate:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        for page in writer.pages:
            page.rotate(rotate)
        data = write(writer)
    return data


def write(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(image: Image.Image, format: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format, **options)
    return out.getvalue()


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text as PDFium reads it."""
    document = pdfium.PdfDocument(pdf)
    try:
        texts = []
        for page in document:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range().strip())
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()

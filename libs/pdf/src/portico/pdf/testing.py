"""Documents for tests, of this library and of the services using it: small PDFs built with
reportlab and pypdf, images with Pillow, and where the shared corpus is."""

from __future__ import annotations

import io
import os
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

import pypdfium2 as pdfium
from PIL import Image
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from portico.pdf.limits import Limits
from portico.pdf.normalise import normalise
from portico.pdf.preview import render_pages


def corpus_path() -> Path:
    """The shared corpus: ``PORTICO_CORPUS``, else ``<repo>/../shared/corpus``, else the
    machine's shared folder (``/work/shared/corpus``), for a clone made elsewhere."""
    configured = os.environ.get("PORTICO_CORPUS")
    if configured:
        return Path(configured)
    # src/portico/pdf/testing.py in libs/pdf of the repository.
    beside = Path(__file__).resolve().parents[5].parent / "shared" / "corpus"
    machine = Path("/work/shared/corpus")
    return beside if beside.is_dir() or not machine.is_dir() else machine


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


def docx_with_paragraphs(*pages: Sequence[str]) -> bytes:
    """A Word document (DOCX) with one page per sequence of paragraphs, its parts written
    as Word writes them: what LibreOffice converts in the tests and the benchmark."""
    page_break = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
    body = page_break.join(
        "".join(
            f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>' for text in page
        )
        for page in pages
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


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


def deflate_bomb(size: int) -> bytes:
    """A FlateDecode stream that inflates to ``size`` bytes of ``0 0 0 …`` from about a
    thousandth of that, made in milliseconds: after a full flush each chunk compresses to
    the same bytes, so one block is repeated (its checksum is wrong: it fails at the end,
    after the memory is spent)."""
    chunk = b"0 " * (512 * 1024)
    compressor = zlib.compressobj(9)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    return first + block * max(size // len(chunk) - 1, 0) + compressor.flush()


def bomb_pdf(size: int = 1024**3) -> bytes:
    """A one-page PDF whose content stream and an object stream are decompression bombs."""
    stream = deflate_bomb(size)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /ObjStm /N 1 /First 4 /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
        + stream
        + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def accept_and_render(data: bytes, limits: Limits, widths: tuple[int, ...]) -> tuple[str, int, int]:
    """``data`` normalised, then every page rendered at each width: (the kind it came from,
    its page count, how many WebP previews were made). A module-level function, to run
    with ``run_isolated``."""
    document = normalise(data, limits)
    rendered = sum(
        1 for preview in render_pages(document.pdf, widths) if preview.webp.startswith(b"RIFF")
    )
    return document.source_kind, document.page_count, rendered

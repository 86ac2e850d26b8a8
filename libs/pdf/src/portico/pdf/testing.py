"""Documents for tests, of this library and of the services using it: small PDFs built with
reportlab and pypdf, images with Pillow, and where the shared corpus is."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

import pypdfium2 as pdfium
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import RectangleObject
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


def pdf_with_boxes(
    media: tuple[float, float, float, float] = (0, 0, 595, 842),
    *,
    crop: tuple[float, float, float, float] | None = None,
    rotate: int = 0,
    pages: int = 1,
) -> bytes:
    """Blank pages with the media box ``media``, the crop box ``crop`` and the rotation
    ``rotate``: every dark pixel a render shows then comes from what was stamped."""
    writer = PdfWriter()
    for _ in range(pages):
        page = writer.add_blank_page(media[2] - media[0], media[3] - media[1])
        page.mediabox = RectangleObject(media)
        if crop is not None:
            page.cropbox = RectangleObject(crop)
        if rotate:
            page.rotate(rotate)
    return write(writer)


def form_pdf() -> bytes:
    """One page with a filled text field and a ticked check box (with their appearances),
    and a line of text."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(600, 800))
    canvas.setFont("Helvetica", 12)
    canvas.drawString(72, 720, "Application form")
    form = canvas.acroForm
    form.textfield(name="city", x=100, y=600, width=200, height=20, value="Lyon", borderWidth=0)
    form.checkbox(name="agree", x=100, y=500, size=20, checked=True, borderWidth=0)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def pdftotext(pdf: bytes, *, page: int | None = None) -> str:
    """The text poppler's ``pdftotext`` reads (of page ``page``, from 0, or all), in
    reading order, NFKC-normalised (Arabic comes out as presentation forms) and without
    the direction marks it puts around right-to-left runs."""
    command = [shutil.which("pdftotext") or "pdftotext", "-q", "-enc", "UTF-8"]
    if page is not None:
        command += ["-f", str(page + 1), "-l", str(page + 1)]
    done = subprocess.run([*command, "-", "-"], input=pdf, capture_output=True, check=True)  # noqa: S603
    text = unicodedata.normalize("NFKC", done.stdout.decode())
    return re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", text)


def pdfsig(pdf: bytes) -> str:
    """pdfsig's report: it exits 0 even for a broken signature, so the text is what counts."""
    program = shutil.which("pdfsig")
    assert program, "pdfsig is missing: apt-get install poppler-utils"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sealed.pdf"
        path.write_bytes(pdf)
        result = subprocess.run(  # noqa: S603
            [program, str(path)], capture_output=True, text=True, timeout=30, check=False
        )
    return result.stdout + result.stderr


def rendered(pdf: bytes, index: int = 0, *, scale: float = 2.0) -> Image.Image:
    """Page ``index`` as PDFium shows it (after its rotation), in grey levels."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[index]
        bitmap = page.render(scale=scale)
        image = bitmap.to_pil().convert("L")
        bitmap.close()
        page.close()
        return image
    finally:
        document.close()


def text_in_box(pdf: bytes, index: int, box: tuple[float, float, float, float]) -> str:
    """The text PDFium reads inside ``box`` of page ``index``: (x, y, w, h) as fractions of
    the page, from its top left, as fields are placed. Each value is read at its place."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[index]
        width, height = page.get_size()
        x, y, w, h = box
        text = page.get_textpage().get_text_bounded(
            left=x * width, bottom=height * (1 - y - h), right=(x + w) * width, top=height * (1 - y)
        )
        page.close()
        return unicodedata.normalize("NFKC", text)
    finally:
        document.close()


def ink_bounds(image: Image.Image, *, threshold: int = 160) -> tuple[int, int, int, int] | None:
    """The smallest (left, top, right, bottom) pixel rectangle holding every pixel darker
    than ``threshold``, None on a blank image."""
    return Image.eval(image, lambda value: 255 if value < threshold else 0).getbbox()

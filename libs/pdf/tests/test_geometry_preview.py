from __future__ import annotations

import io

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import RectangleObject
from reportlab.pdfgen.canvas import Canvas

from portico.pdf import Box, relative_box, render_page, render_pages
from portico.pdf.testing import pdf_with_text, write

RECT = (100.0, 500.0, 250.0, 560.0)  # left, bottom, right, top


def _page_with_rectangle(rotation: int, crop: tuple[float, float, float, float]) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(600, 800))
    left, bottom, right, top = RECT
    canvas.rect(left, bottom, right - left, top - bottom, stroke=0, fill=1)
    canvas.showPage()
    canvas.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buffer.getvalue())))
    page = writer.pages[0]
    page.cropbox = RectangleObject(crop)
    if rotation:
        page.rotate(rotation)
    return write(writer)


def _dark_box(webp: bytes) -> Box:
    image = Image.open(io.BytesIO(webp)).convert("L").point(lambda v: 255 if v < 128 else 0)
    left, top, right, bottom = image.getbbox() or (0, 0, 0, 0)
    return Box(
        left / image.width,
        top / image.height,
        (right - left) / image.width,
        (bottom - top) / image.height,
    )


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
@pytest.mark.parametrize("crop", [(0.0, 0.0, 600.0, 800.0), (50.0, 300.0, 400.0, 700.0)])
def test_relative_boxes_match_what_pdfium_renders(
    rotation: int, crop: tuple[float, float, float, float]
) -> None:
    pdf = _page_with_rectangle(rotation, crop)
    expected = relative_box(RECT, crop, rotation)
    seen = _dark_box(render_page(pdf, 0, 600))
    for mine, rendered in zip(
        (expected.x, expected.y, expected.w, expected.h),
        (seen.x, seen.y, seen.w, seen.h),
        strict=True,
    ):
        assert mine == pytest.approx(rendered, abs=0.01)


def test_relative_box_is_clamped_to_the_page() -> None:
    assert relative_box((-10, -10, 50, 50), (0, 0, 100, 100)) == Box(0.0, 0.5, 0.5, 0.5)
    assert relative_box((0, 0, 1, 1), (0, 0, 0, 0)) == Box(0.0, 0.0, 0.0, 0.0)


def test_render_page_is_a_webp_of_the_width_asked() -> None:
    webp = render_page(pdf_with_text("hello", size=(600, 400)), 0, 300)
    image = Image.open(io.BytesIO(webp))
    assert (image.format, image.size) == ("WEBP", (300, 200))


def test_render_pages_yields_the_first_page_first_at_each_width() -> None:
    previews = render_pages(pdf_with_text("one", "two", "three"), (400, 100))
    first = next(previews)
    assert (first.index, first.width_px) == (0, 400)
    rest = [(preview.index, preview.width_px) for preview in previews]
    assert rest == [(0, 100), (1, 400), (1, 100), (2, 400), (2, 100)]

"""Blank pages to make a form on, each with an optional section title."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Literal

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from portico.pdf.fonts import fonts

PageSize = Literal["A4", "Letter"]
_SIZES = {"A4": A4, "Letter": LETTER}


def blank_pages(count: int, size: PageSize = "A4", titles: Sequence[str | None] = ()) -> bytes:
    """A PDF of ``count`` blank pages; page ``i`` titled ``titles[i]`` when given."""
    if count < 1:
        raise ValueError("count must be at least 1")
    if size not in _SIZES:
        raise ValueError(f"unknown page size {size!r}")
    width, height = _SIZES[size]
    _, bold = fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height))
    for index in range(count):
        title = titles[index] if index < len(titles) else None
        if title:
            canvas.setFont(bold, 16)
            canvas.drawString(20 * mm, height - 25 * mm, title[:120])
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()

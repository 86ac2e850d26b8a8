"""The footer of every page: who the quote is from and its number on the left, "Page 2 of
3" on the right. The count is known only once every page is laid out, so the canvas keeps
each page until the document is saved, then draws the footers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.pdfgen.canvas import Canvas

from portico.pdf.scripts import draw_text, text_width
from portico.quotes.rendering.style import BOTTOM, MARGIN, MUTED, PAGE_WIDTH, RULE, SMALL


def numbered_canvas(reference: str, page_words: str) -> Callable[..., Canvas]:
    """A canvas class that prints ``reference`` and ``page_words`` ("Page {page} of
    {total}") at the foot of every page."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, 1):
                self.__dict__.update(state)
                self._footer(number, total)
                super().showPage()
            super().save()

        def _footer(self, number: int, total: int) -> None:
            self.saveState()
            rule = BOTTOM - 7
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN, rule, PAGE_WIDTH - MARGIN, rule)
            self.setFillColor(MUTED)
            baseline = rule - 11
            page = page_words.format(page=number, total=total)
            width = draw_text(self, PAGE_WIDTH - MARGIN, baseline, page, SMALL, align="right")
            if reference:
                # Cut rather than overlap the page number: a long name keeps its start.
                room = PAGE_WIDTH - 2 * MARGIN - width - 20
                draw_text(self, MARGIN, baseline, _fitted(reference, room), SMALL)
            self.restoreState()

    return NumberedCanvas


def _fitted(text: str, room: float) -> str:
    if text_width(text, SMALL) <= room:
        return text
    while text and text_width(text + "…", SMALL) > room:
        text = text[:-1]
    return text + "…"

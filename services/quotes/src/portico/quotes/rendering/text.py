"""Text in any script as a platypus flowable, through ``portico.pdf.scripts``: lines are
wrapped in logical order by ``fit_text`` and each drawn by ``draw_text`` (its runs in
their scripts' Noto faces, right-to-left lines put in visual order, Indic and South-East
Asian scripts shaped by HarfBuzz), so a client's name in Arabic or a line described in
Chinese prints as typed. A reportlab Paragraph would wrap a right-to-left paragraph after
reordering it, putting its last words on its first line.

The text is wrapped once for the width it is given, and a long text splits between pages
at its lines."""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from reportlab.lib.colors import Color
from reportlab.platypus.flowables import Flowable

from portico.pdf.scripts import draw_text, fit_text, is_rtl, text_width

Align = Literal["start", "left", "right", "center"]

# Control characters print as boxes or not at all; a tab is a space on paper.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Wrapping measures the regular face; a bold line is narrowed until it fits.
_BOLD_NARROWING = 0.94
_UNBOUNDED = float("inf")


def printable(text: str) -> str:
    """``text`` as printed: composed (NFC), tabs as spaces, no control characters."""
    text = text.replace("\r\n", "\n").replace("\t", "    ")
    return unicodedata.normalize("NFC", _CONTROL.sub("", text))


def wrap_lines(
    text: str, width: float, size: float, *, bold: bool = False
) -> tuple[tuple[str, ...], bool]:
    """``text`` broken into lines no wider than ``width`` at ``size`` points (a line break
    of the text starts a new line), and whether it reads right to left."""
    if "\n" not in text and text_width(text, size, bold=bold) <= width:
        # Most cells (an amount, a rate, a label) fit on their line: measured, not wrapped.
        return (text,), is_rtl(text)
    target = width
    for _ in range(8):
        fitted = fit_text(text, target, _UNBOUNDED, size, multiline=True)
        if not bold or all(text_width(line, size, bold=True) <= width for line in fitted.lines):
            return fitted.lines, fitted.rtl
        target *= _BOLD_NARROWING
    return fitted.lines, fitted.rtl


class ScriptText(Flowable):
    """``text`` wrapped to the width it is given. ``align`` "start" is the left edge of a
    left-to-right text and the right edge of a right-to-left one. ``max_lines`` cuts a
    longer text (its last line ends with "…"), for a block that cannot break between
    pages. ``lines`` (with ``rtl`` and ``wrapped_for``) are lines already wrapped: a
    part of a text split between rows or pages."""

    def __init__(
        self,
        text: str,
        *,
        size: float,
        colour: Color,
        bold: bool = False,
        align: Align = "start",
        leading: float | None = None,
        lines: tuple[str, ...] | None = None,
        rtl: bool = False,
        wrapped_for: float | None = None,
        max_lines: int | None = None,
    ) -> None:
        super().__init__()
        self.text = printable(text) if lines is None else text
        self.size = size
        self.colour = colour
        self.bold = bold
        self.align = align
        self.leading = leading or round(size * 1.25, 2)
        self.lines = lines
        self.rtl = rtl
        self._wrapped_for = wrapped_for
        self.max_lines = max_lines

    def _wrap_to(self, width: float) -> tuple[str, ...]:
        if self.lines is None or self._wrapped_for != width:
            lines, self.rtl = wrap_lines(self.text, width, self.size, bold=self.bold)
            if self.max_lines is not None and len(lines) > self.max_lines:
                lines = (*lines[: self.max_lines - 1], lines[self.max_lines - 1] + " …")
            self.lines, self._wrapped_for = lines, width
        return self.lines

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        lines = self._wrap_to(available_width)
        self.width = available_width
        self.height = self.leading * len(lines)
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        lines = self._wrap_to(available_width)
        fitting = int(available_height // self.leading)
        if fitting <= 0:
            return []
        if fitting >= len(lines):
            return [self]
        return [self._part(lines[:fitting]), self._part(lines[fitting:])]

    def _part(self, lines: tuple[str, ...]) -> ScriptText:
        return ScriptText(
            "\n".join(lines),
            size=self.size,
            colour=self.colour,
            bold=self.bold,
            align=self.align,
            leading=self.leading,
            lines=lines,
            rtl=self.rtl,
            wrapped_for=self._wrapped_for,
        )

    def draw(self) -> None:
        canvas = self.canv
        canvas.setFillColor(self.colour)
        align = self.align
        if align == "start":
            align = "right" if self.rtl else "left"
        x = {"left": 0.0, "right": self.width, "center": self.width / 2}[align]
        # Each line is centred in its leading; its baseline about 0.78 em below the top of
        # the text, room left under it for descenders.
        baseline = self.height - (self.leading - self.size) / 2 - self.size * 0.78
        for line in self.lines or ():
            if line:
                draw_text(
                    canvas, x, baseline, line, self.size, align=align, bold=self.bold, rtl=self.rtl
                )
            baseline -= self.leading

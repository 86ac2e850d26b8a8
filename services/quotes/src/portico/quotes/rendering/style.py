"""The quote's page: A4, its margins, its colours and type sizes, and the organisation's
brand colour made safe to print text with."""

from __future__ import annotations

import re

from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 16 * mm
TOP = 16 * mm
# Room under the frame for the footer.
BOTTOM = 20 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN

INK = colors.HexColor("#1d2939")
MUTED = colors.HexColor("#667085")
RULE = colors.HexColor("#d0d5dd")
SHADE = colors.HexColor("#f2f4f7")
ACCENT = colors.HexColor("#1f3a5f")

TITLE = 17.0
HEADING = 12.0
BODY = 9.0
CELL = 8.5
SMALL = 7.5

_HEX = re.compile(r"#[0-9a-fA-F]{6}")
# A colour whose contrast with white paper is under 3:1 (WCAG's floor for large text:
# yellow, a light grey) would leave the organisation's name unreadable; the accent prints
# instead. 3:1 is a relative luminance of 0.3.
_PALEST = 0.3


def brand(colour: str | None) -> Color:
    """The organisation's colour for its name and the document's accents, or Portico's
    accent when it has none or one too pale to read on paper."""
    if colour is None or not _HEX.fullmatch(colour):
        return ACCENT
    chosen = colors.HexColor(colour)
    if _luminance(chosen) > _PALEST:
        return ACCENT
    return chosen


def _luminance(colour: Color) -> float:
    """WCAG's relative luminance: 0 for black, 1 for white."""

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in (colour.red, colour.green, colour.blue))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue

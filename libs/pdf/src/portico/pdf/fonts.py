"""The fonts Portico draws text with: DejaVu Sans where the machine has it (most scripts
but CJK), else reportlab's built-in Helvetica (Latin-1 only)."""

from __future__ import annotations

import functools
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


@functools.cache
def fonts() -> tuple[str, str]:
    """The regular and bold font names, registered with reportlab."""
    regular, bold = _DEJAVU / "DejaVuSans.ttf", _DEJAVU / "DejaVuSans-Bold.ttf"
    if regular.is_file() and bold.is_file():
        pdfmetrics.registerFont(TTFont("PorticoSans", str(regular)))
        pdfmetrics.registerFont(TTFont("PorticoSans-Bold", str(bold)))
        return "PorticoSans", "PorticoSans-Bold"
    return "Helvetica", "Helvetica-Bold"

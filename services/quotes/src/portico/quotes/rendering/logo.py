"""The organisation's logo on a quote's or an invoice's first page, top left, scaled into a
box of ``LOGO_WIDTH`` by ``LOGO_HEIGHT`` keeping its proportions.

``print_ready`` makes the portal's image (PNG, JPEG or WebP, up to 4096 pixels a side)
into what the PDF embeds: a PNG no larger than the box needs at 300 dpi, upright, its
transparency kept. It runs once per logo, when the quotes service copies it
(``replicas.copy_logo``), so a render embeds a few kilobytes rather than decoding and
compressing a large image every time. ``logo_flowable`` draws those bytes."""

from __future__ import annotations

import io

from PIL import Image, ImageOps
from reportlab.lib.units import inch, mm
from reportlab.platypus import Image as PlacedImage
from reportlab.platypus.flowables import Flowable

LOGO_WIDTH = 45 * mm
LOGO_HEIGHT = 18 * mm
# Print resolution: sharp on paper; more would only grow the PDF.
_DPI = 300
_MAX_PIXELS = (round(LOGO_WIDTH / inch * _DPI), round(LOGO_HEIGHT / inch * _DPI))
# What the portal accepts; anything else in its store is not a logo it kept.
_FORMATS = ["PNG", "JPEG", "WEBP"]
# The portal refuses larger ones; a file that claims more pixels than this (a
# decompression bomb) is not decoded at all.
_MAX_SIDE = 8192


class UnreadableLogo(ValueError):
    """The file is not an image the PDF can print; the message says why."""


def print_ready(content: bytes) -> bytes:
    """``content`` (an image) as the PDF prints it: a PNG fitted into the logo's box at
    300 dpi, never enlarged; raises ``UnreadableLogo``."""
    try:
        with Image.open(io.BytesIO(content), formats=_FORMATS) as image:
            if max(image.size) > _MAX_SIDE:
                raise UnreadableLogo(f"larger than {_MAX_SIDE} pixels a side")
            image.load()
            upright = ImageOps.exif_transpose(image)
            transparent = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
            printed = upright.convert("RGBA" if transparent else "RGB")
    except UnreadableLogo:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as error:
        # Pillow says a broken or foreign file in any of these.
        raise UnreadableLogo(f"not a PNG, JPEG or WebP image ({error})") from None
    printed.thumbnail(_MAX_PIXELS, Image.Resampling.LANCZOS)
    encoded = io.BytesIO()
    printed.save(encoded, format="PNG", optimize=True)
    return encoded.getvalue()


def logo_flowable(png: bytes) -> Flowable | None:
    """The logo fitted into its box, aligned left; None when the bytes are no image (the
    page prints as without a logo rather than fail)."""
    try:
        with Image.open(io.BytesIO(png)) as image:
            width, height = image.size
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        return None
    if not width or not height:
        return None
    scale = min(LOGO_WIDTH / width, LOGO_HEIGHT / height)
    placed = PlacedImage(io.BytesIO(png), width=width * scale, height=height * scale)
    placed.hAlign = "LEFT"
    return placed

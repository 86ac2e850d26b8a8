"""The organisation's logo, checked by what it contains rather than by its declared type.

The logo is served from the site's own origin and shown on every page and in every email:
a file that only claims to be an image (HTML labelled ``image/png``) would run there as a
page. Pillow decodes the whole image and it is encoded again in its own format, so what is
stored is pixels and nothing else: no metadata (EXIF with its GPS position, text chunks),
no trailing bytes. SVG is refused: it is a document that may carry scripts, and Pillow
cannot draw it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps

# Pillow's format name → the type served and the stored file's extension.
FORMATS = {
    "PNG": ("image/png", "png"),
    "JPEG": ("image/jpeg", "jpg"),
    "WEBP": ("image/webp", "webp"),
}
ACCEPTED = "must be a PNG, JPEG or WebP image"
# A logo is shown a few hundred pixels wide; the limit keeps a 2 MiB file that unpacks to
# gigabytes of pixels (a decompression bomb) from being decoded at all.
MAX_SIDE = 4096
TOO_LARGE = f"must be at most {MAX_SIDE} × {MAX_SIDE} pixels"


class LogoRefused(Exception):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message, self.code = message, code


@dataclass(frozen=True)
class Logo:
    content: bytes
    content_type: str
    extension: str


def normalised_logo(content: bytes) -> Logo:
    """The image in ``content`` decoded and encoded again; raises ``LogoRefused``."""
    try:
        with Image.open(io.BytesIO(content), formats=list(FORMATS)) as image:
            image_format = image.format or ""
            if max(image.size) > MAX_SIDE:
                raise LogoRefused(TOO_LARGE, "image_too_large")
            # ``verify`` checks the file's structure (PNG checksums) without decoding it and
            # leaves the image unusable: it is opened again to be decoded.
            image.verify()
        with Image.open(io.BytesIO(content), formats=[image_format]) as image:
            image.load()
            # A photograph's orientation lives in its EXIF, which is not kept.
            upright = ImageOps.exif_transpose(image)
            return Logo(_encoded(upright, image_format), *FORMATS[image_format])
    except Image.DecompressionBombError:
        raise LogoRefused(TOO_LARGE, "image_too_large") from None
    except (Image.UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        # Not one of the formats, or truncated or corrupt: Pillow says so in these ways.
        raise LogoRefused(ACCEPTED, "image_content") from None


def _encoded(image: Image.Image, image_format: str) -> bytes:
    output = io.BytesIO()
    if image_format == "JPEG":
        image.save(output, "JPEG", quality=90)
    elif image_format == "WEBP":
        image.save(output, "WEBP", lossless=True)
    else:
        image.save(output, "PNG", optimize=True)
    return output.getvalue()

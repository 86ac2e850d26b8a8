"""A drawn signature, checked by what it contains: a PNG that Pillow decodes whole, within
the limits a signature pad gives (a canvas a few hundred pixels wide), and not blank.

What is kept is the pixels encoded again, nothing else: no text chunks, no trailing bytes.
The image is printed on the signed quote later; a file that only claims to be a PNG, or a
small file that unpacks to gigabytes of pixels, must not reach that step.
"""

from __future__ import annotations

import base64
import binascii
import io

from PIL import Image

MAX_BYTES = 500 * 1024
MAX_WIDTH, MAX_HEIGHT = 2000, 1000
# Canvases give a data URL; its prefix is taken off rather than refused.
DATA_URL_PREFIX = "data:image/png;base64,"
# Base64 makes 4 characters of 3 bytes: past this length the PNG is over MAX_BYTES.
MAX_BASE64 = -(-MAX_BYTES // 3) * 4


class SignatureRefused(Exception):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message, self.code = message, code


def _too_heavy() -> SignatureRefused:
    return SignatureRefused(f"must be a PNG of at most {MAX_BYTES // 1024} KB", "too_large")


def decoded_png(text: str) -> bytes:
    """The bytes of a base64 PNG (or data URL); raises ``SignatureRefused``."""
    payload = text.strip().removeprefix(DATA_URL_PREFIX)
    if len(payload) > MAX_BASE64 + 4:  # a little slack for line breaks and padding
        raise _too_heavy()
    try:
        data = base64.b64decode(payload, validate=False)
    except (binascii.Error, ValueError):
        raise SignatureRefused("must be a PNG in base64", "not_base64") from None
    if len(data) > MAX_BYTES:
        raise _too_heavy()
    return data


def checked_png(data: bytes) -> bytes:
    """The PNG in ``data`` decoded and encoded again; raises ``SignatureRefused``."""
    too_large = SignatureRefused(
        f"must be at most {MAX_WIDTH} × {MAX_HEIGHT} pixels", "image_too_large"
    )
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            width, height = image.size
            # Read from the header, before a pixel is decoded.
            if width > MAX_WIDTH or height > MAX_HEIGHT:
                raise too_large
            # ``verify`` checks the chunks' checksums and leaves the image unusable: it is
            # opened again to be decoded.
            image.verify()
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            image.load()
            pixels = image.convert("RGBA")
    except Image.DecompressionBombError:
        raise too_large from None
    except (Image.UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        # Not a PNG, or truncated or corrupt: Pillow says so in these ways.
        raise SignatureRefused("must be a PNG image", "image_content") from None
    if _blank(pixels):
        raise SignatureRefused("is empty: draw the signature", "blank")
    output = io.BytesIO()
    pixels.save(output, "PNG")
    return output.getvalue()


def _blank(image: Image.Image) -> bool:
    """Fully transparent, or one colour all over: nothing was drawn."""
    if image.getchannel("A").getextrema()[1] == 0:
        return True
    return image.getcolors(maxcolors=1) is not None

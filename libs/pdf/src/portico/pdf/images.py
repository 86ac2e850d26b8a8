"""Images as PDF pages: each image (each frame of a multi-frame TIFF) one page, turned
the way its EXIF orientation says."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator

import pillow_heif
from PIL import Image, ImageOps, ImageSequence
from reportlab import rl_config
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from portico.pdf.errors import DocumentRefused
from portico.pdf.limits import Limits

pillow_heif.register_heif_opener()

# An A4 page, in points: an image's page never exceeds it (in its orientation).
_LONG_SIDE, _SHORT_SIDE = 842.0, 595.0
_DEFAULT_DPI = 96.0
_MAX_SIDE_PX = 4678


def image_to_pdf(data: bytes, kind: str, limits: Limits) -> bytes:
    """A PDF of ``data``'s frames, one a page; refused ``too_many_pixels`` for a frame
    larger than the limit, ``too_many_pages`` for more frames than pages allowed."""
    # Images stored binary, not as ASCII85 text (a quarter larger).
    ascii85, rl_config.useA85 = rl_config.useA85, 0
    try:
        return _image_to_pdf(data, kind, limits)
    finally:
        rl_config.useA85 = ascii85


def _image_to_pdf(data: bytes, kind: str, limits: Limits) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pageCompression=1)
    pages = 0
    for frame, (width, height) in _frames(data, limits):
        canvas.setPageSize((width, height))
        if kind in ("jpeg", "heic", "webp") and frame.mode == "RGB":
            encoded = io.BytesIO()
            frame.save(encoded, "JPEG", quality=90)
            encoded.seek(0)
            reader = ImageReader(encoded)
        else:
            reader = ImageReader(frame)
        canvas.drawImage(reader, 0, 0, width, height)
        canvas.showPage()
        pages += 1
    if pages == 0:
        raise DocumentRefused("empty")
    canvas.save()
    return buffer.getvalue()


def _frames(data: bytes, limits: Limits) -> Iterator[tuple[Image.Image, tuple[float, float]]]:
    """Each frame, upright and flattened, with the size of its page in points."""
    with warnings.catch_warnings():
        # Pillow's own bomb guard, a warning up to twice its limit then an error, is
        # replaced by this function's limit, checked before any pixel is decoded.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError as error:
            raise DocumentRefused(
                "too_many_pixels", limit=limits.max_image_pixels, detail=str(error)
            ) from error
        except (OSError, ValueError, SyntaxError) as error:
            raise DocumentRefused("damaged", detail=repr(error)) from error
        frames = getattr(image, "n_frames", 1)
        if frames > limits.max_pages:
            raise DocumentRefused("too_many_pages", count=frames, limit=limits.max_pages)
        for frame in ImageSequence.Iterator(image):
            pixels = frame.width * frame.height
            if pixels > limits.max_image_pixels:
                raise DocumentRefused(
                    "too_many_pixels", count=pixels, limit=limits.max_image_pixels
                )
            if pixels == 0:
                raise DocumentRefused("empty")
            try:
                turned = _flatten(ImageOps.exif_transpose(frame))
                size = _page_size(turned)
                # More pixels than an A4 page shows at 400 dpi make the PDF heavy, no sharper.
                turned.thumbnail((_MAX_SIDE_PX, _MAX_SIDE_PX), Image.Resampling.LANCZOS)
                yield turned, size
            except (OSError, ValueError, SyntaxError) as error:
                raise DocumentRefused("damaged", detail=repr(error)) from error


def _flatten(image: Image.Image) -> Image.Image:
    """RGB (or L), any transparency laid on white."""
    if image.mode in ("1", "L", "RGB"):
        image.load()
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        return image.point(lambda value: value / 256).convert("L")
    if image.mode == "P" or "A" in image.mode or image.mode == "LA":
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def _page_size(image: Image.Image) -> tuple[float, float]:
    dpi = image.info.get("dpi", (_DEFAULT_DPI, _DEFAULT_DPI))
    try:
        x_dpi, y_dpi = float(dpi[0]), float(dpi[1])
    except (TypeError, ValueError, IndexError):
        x_dpi = y_dpi = _DEFAULT_DPI
    if not (30 <= x_dpi <= 2400 and 30 <= y_dpi <= 2400):
        x_dpi = y_dpi = _DEFAULT_DPI
    width = image.width * 72 / x_dpi
    height = image.height * 72 / y_dpi
    long_side, short_side = (
        (_LONG_SIDE, _SHORT_SIDE) if height >= width else (_SHORT_SIDE, _LONG_SIDE)
    )
    scale = min(1.0, long_side / height, short_side / width)
    return max(width * scale, 1.0), max(height * scale, 1.0)

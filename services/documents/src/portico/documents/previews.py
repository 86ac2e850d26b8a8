"""A document's preview: the first page of a PDF or the image itself, as a WebP image a
list can show. Rendered when asked, in a child process with limits (``run_isolated``):
the files are clients' and anything may be in them."""

from __future__ import annotations

import asyncio
import io

from PIL import Image, ImageOps

from portico.pdf import DocumentRefused
from portico.pdf.isolated import run_isolated
from portico.pdf.preview import render_page

PREVIEW_WIDTH = 480
# What rendering one preview may take; a file past either has no preview.
SECONDS = 20.0
MEMORY_BYTES = 1024 * 1024 * 1024
# An image of more pixels than this (a decompression bomb) is not opened.
MAX_PIXELS = 80_000_000
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/heic"})


def previewable(content_type: str) -> bool:
    return content_type == "application/pdf" or content_type in IMAGE_TYPES


async def preview(content: bytes, content_type: str, width: int = PREVIEW_WIDTH) -> bytes | None:
    """The WebP preview of a document's file, or None for a kind of file without one
    (a Word document) or one that cannot be rendered. The child process is waited for on
    a thread: the event loop goes on serving."""
    if not previewable(content_type):
        return None
    try:
        if content_type == "application/pdf":
            return await asyncio.to_thread(
                run_isolated, SECONDS, MEMORY_BYTES, render_page, content, 0, width
            )
        return await asyncio.to_thread(
            run_isolated, SECONDS, MEMORY_BYTES, _image_preview, content, width
        )
    except DocumentRefused:
        return None


def _image_preview(content: bytes, width: int) -> bytes:
    # HEIC photos open once pillow-heif is registered (the pipeline's images module does).
    import portico.pdf.images  # noqa: F401

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with Image.open(io.BytesIO(content)) as opened:
        image: Image.Image = ImageOps.exif_transpose(opened)
        image.thumbnail((width, width * 4))
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        out = io.BytesIO()
        image.save(out, "WEBP", quality=80)
        return out.getvalue()

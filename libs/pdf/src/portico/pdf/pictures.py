"""Images decoded once for one document's completion. A drawn signature is stamped on its
page and printed again on the certificate; decoding it (a PNG of a hundred thousand
pixels or more) costs a millisecond or more each time, as much as the rest of its
drawing. A ``Pictures`` lives as long as one completion: nothing is kept between
documents."""

from __future__ import annotations

import io

from PIL import Image


class Pictures:
    """Decoded images by their bytes. Callers only read what they are given (Pillow's
    ``convert``, ``reduce`` and ``getchannel`` make new images)."""

    def __init__(self) -> None:
        self._decoded: dict[bytes, Image.Image] = {}

    def decoded(self, data: bytes) -> Image.Image:
        """``data`` decoded, its pixels loaded: the same image for the same bytes.
        Raises what Pillow raises for bytes that are no image it reads."""
        image = self._decoded.get(data)
        if image is None:
            # Not closed: closing a Pillow image frees its pixels. It holds no file, only
            # the bytes it was given.
            image = Image.open(io.BytesIO(data))
            image.load()
            self._decoded[data] = image
        return image

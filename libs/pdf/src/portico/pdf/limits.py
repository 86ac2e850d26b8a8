"""How much a document may cost: the limits every entry point of the pipeline checks."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 25 * 1024 * 1024
    max_pages: int = 200
    # Per image (a TIFF frame counts alone): 50 megapixels is a 8660x5773 photo.
    max_image_pixels: int = 50_000_000
    conversion_seconds: float = 60.0
    conversion_memory_bytes: int = 1024 * 1024 * 1024
    # normalise_isolated: the child's wall clock and address space.
    isolated_seconds: float = 90.0
    isolated_memory_bytes: int = 2 * 1024 * 1024 * 1024

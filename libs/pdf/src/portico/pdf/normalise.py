"""Any accepted input made into one clean PDF."""

from __future__ import annotations

from dataclasses import dataclass

import pypdfium2 as pdfium

from portico.pdf.clean import clean_pdf
from portico.pdf.errors import DocumentRefused
from portico.pdf.images import image_to_pdf
from portico.pdf.limits import Limits
from portico.pdf.office import office_to_pdf
from portico.pdf.sniff import IMAGE_KINDS, OFFICE_KINDS, Kind, sniff
from portico.pdf.tables import csv_to_pdf, text_to_pdf


@dataclass(frozen=True)
class NormalisedDocument:
    pdf: bytes
    page_count: int
    # Each page's (width, height) in points, as shown (after its rotation).
    page_sizes: tuple[tuple[float, float], ...]
    source_kind: Kind


def normalise(data: bytes, limits: Limits | None = None) -> NormalisedDocument:
    """``data`` (a PDF, an image, an office document, a CSV or text file) as one clean
    PDF. Raises ``DocumentRefused`` and nothing else: an error of a library reading a
    malformed file is a refusal (``damaged``)."""
    limits = limits or Limits()
    if not data:
        raise DocumentRefused("empty")
    if len(data) > limits.max_bytes:
        raise DocumentRefused("too_large", limit=limits.max_bytes, count=len(data))
    try:
        kind = sniff(data)
        return _finish(_to_pdf(data, kind, limits), kind, limits)
    except DocumentRefused:
        raise
    except (Exception, RecursionError, MemoryError) as error:
        raise DocumentRefused("damaged", detail=repr(error)[:500]) from error


def _to_pdf(data: bytes, kind: Kind, limits: Limits) -> bytes:
    if kind == "pdf":
        return clean_pdf(data, limits)
    if kind in IMAGE_KINDS:
        return image_to_pdf(data, kind, limits)
    if kind in OFFICE_KINDS:
        return clean_pdf(office_to_pdf(data, kind, limits), limits)
    if kind == "csv":
        return csv_to_pdf(data, limits)
    return text_to_pdf(data, limits)


def _finish(pdf: bytes, kind: Kind, limits: Limits) -> NormalisedDocument:
    if len(pdf) > limits.max_bytes:
        raise DocumentRefused("too_large", limit=limits.max_bytes, count=len(pdf))
    try:
        document = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as error:
        raise DocumentRefused("damaged", detail=f"PDFium: {error}") from error
    try:
        count = len(document)
        if count == 0:
            raise DocumentRefused("empty")
        if count > limits.max_pages:
            raise DocumentRefused("too_many_pages", count=count, limit=limits.max_pages)
        sizes = []
        for index in range(count):
            page = document[index]
            try:
                width, height = page.get_size()
            finally:
                page.close()
            if not (width > 0 and height > 0):
                raise DocumentRefused("damaged", detail=f"page {index + 1} has no size")
            sizes.append((round(width, 2), round(height, 2)))
    finally:
        document.close()
    return NormalisedDocument(pdf=pdf, page_count=count, page_sizes=tuple(sizes), source_kind=kind)

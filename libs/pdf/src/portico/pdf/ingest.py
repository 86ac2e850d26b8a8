"""An upload made ready to become a template, in one pass over the untrusted bytes: the
clean PDF with its text tags hidden, the form fields and tags it brings, and the first
page's previews (so an editor shows page 1 at once)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from portico.pdf.acroform import FormField, read_fields
from portico.pdf.errors import DocumentRefused
from portico.pdf.isolated import run_isolated
from portico.pdf.limits import Limits
from portico.pdf.normalise import NormalisedDocument, normalise
from portico.pdf.preview import PagePreview, render_pages
from portico.pdf.sniff import sniff
from portico.pdf.tags import TextTag, find_tags, hide_tags


@dataclass(frozen=True)
class IngestedDocument:
    document: NormalisedDocument
    # The PDF to keep: ``document.pdf`` with the tags' text hidden.
    pdf: bytes
    form_fields: list[FormField]
    tags: list[TextTag]
    first_previews: list[PagePreview]


def ingest(data: bytes, limits: Limits, widths: Sequence[int]) -> IngestedDocument:
    document = normalise(data, limits)
    found = find_tags(document.pdf)
    pdf = hide_tags(document.pdf, found.tags) if found.tags else document.pdf
    previews = list(render_pages(pdf, widths, pages=[0]))
    return IngestedDocument(document, pdf, read_fields(pdf), found.tags, previews)


def ingest_isolated(data: bytes, limits: Limits, widths: Sequence[int]) -> IngestedDocument:
    """``ingest`` in a child process (``run_isolated``): what a service calls on an upload.
    What the first bytes refuse (empty, too large, not a kind read here) is refused at once."""
    if not data:
        raise DocumentRefused("empty")
    if len(data) > limits.max_bytes:
        raise DocumentRefused("too_large", limit=limits.max_bytes, count=len(data))
    sniff(data)
    return run_isolated(
        limits.isolated_seconds, limits.isolated_memory_bytes, ingest, data, limits, tuple(widths)
    )

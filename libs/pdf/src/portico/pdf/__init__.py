"""Portico's document pipeline, bytes in and bytes out: inputs normalised to one clean PDF,
page previews, a PDF's form fields and text tags. No database, bus or HTTP."""

from portico.pdf.acroform import FormField, Widget, read_fields
from portico.pdf.blank import blank_pages
from portico.pdf.errors import DocumentRefused, RefusalCode
from portico.pdf.geometry import Box, relative_box
from portico.pdf.ingest import IngestedDocument, ingest, ingest_isolated
from portico.pdf.isolated import normalise_isolated, run_isolated
from portico.pdf.limits import Limits
from portico.pdf.normalise import NormalisedDocument, normalise
from portico.pdf.preview import PagePreview, render_page, render_pages
from portico.pdf.sniff import Kind, sniff
from portico.pdf.tags import (
    FoundTags,
    TagProblem,
    TagSpec,
    TextTag,
    find_tags,
    hide_tags,
    parse_tag,
)

__all__ = [
    "Box",
    "DocumentRefused",
    "FormField",
    "FoundTags",
    "IngestedDocument",
    "Kind",
    "Limits",
    "NormalisedDocument",
    "PagePreview",
    "RefusalCode",
    "TagProblem",
    "TagSpec",
    "TextTag",
    "Widget",
    "blank_pages",
    "find_tags",
    "hide_tags",
    "ingest",
    "ingest_isolated",
    "normalise",
    "normalise_isolated",
    "parse_tag",
    "read_fields",
    "relative_box",
    "render_page",
    "render_pages",
    "run_isolated",
    "sniff",
]

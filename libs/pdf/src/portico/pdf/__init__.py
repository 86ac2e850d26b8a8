"""Portico's document pipeline, bytes in and bytes out: inputs normalised to one clean PDF,
page previews, a PDF's form fields and text tags; for completed documents, values stamped in
place in every script, the completion certificate, the audit trail's hash chain, the seal
and its verification. No database, bus or HTTP."""

from portico.pdf.acroform import FormField, Widget, read_fields
from portico.pdf.blank import blank_pages
from portico.pdf.certificate import CertificateData, CertificateRecipient, render_certificate
from portico.pdf.completing import CompletedDocument, complete_document
from portico.pdf.errors import DocumentRefused, RefusalCode
from portico.pdf.geometry import Box, relative_box
from portico.pdf.ingest import IngestedDocument, ingest, ingest_isolated
from portico.pdf.isolated import normalise_isolated, run_isolated
from portico.pdf.limits import Limits
from portico.pdf.normalise import NormalisedDocument, normalise
from portico.pdf.preview import PagePreview, render_page, render_pages
from portico.pdf.sealing import (
    SealKey,
    SealKeyRefused,
    TimestampFailed,
    create_seal_key,
    load_seal_key,
    seal,
)
from portico.pdf.sniff import Kind, sniff
from portico.pdf.stamping import CheckMark, ImageMark, Mark, TextMark, stamp
from portico.pdf.tags import (
    FoundTags,
    TagProblem,
    TagSpec,
    TextTag,
    find_tags,
    hide_tags,
    parse_tag,
)
from portico.pdf.trail import GENESIS, TrailEntry, chain, entry_digest, first_broken, head
from portico.pdf.verify import SealReport, verify_pdf

__all__ = [
    "GENESIS",
    "Box",
    "CertificateData",
    "CertificateRecipient",
    "CheckMark",
    "CompletedDocument",
    "DocumentRefused",
    "FormField",
    "FoundTags",
    "ImageMark",
    "IngestedDocument",
    "Kind",
    "Limits",
    "Mark",
    "NormalisedDocument",
    "PagePreview",
    "RefusalCode",
    "SealKey",
    "SealKeyRefused",
    "SealReport",
    "TagProblem",
    "TagSpec",
    "TextMark",
    "TextTag",
    "TimestampFailed",
    "TrailEntry",
    "Widget",
    "blank_pages",
    "chain",
    "complete_document",
    "create_seal_key",
    "entry_digest",
    "find_tags",
    "first_broken",
    "head",
    "hide_tags",
    "ingest",
    "ingest_isolated",
    "load_seal_key",
    "normalise",
    "normalise_isolated",
    "parse_tag",
    "read_fields",
    "relative_box",
    "render_certificate",
    "render_page",
    "render_pages",
    "run_isolated",
    "seal",
    "sniff",
    "stamp",
    "verify_pdf",
]

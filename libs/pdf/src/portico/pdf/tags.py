"""Text tags written in a document, such as ``{{signature;role=Client}}`` or
``{{date;role=Company;required}}``: found where they stand, and hidden."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen.canvas import Canvas

from portico.pdf.errors import DocumentRefused
from portico.pdf.geometry import Box, relative_box

TAG_TYPES = frozenset(
    {
        "signature",
        "initials",
        "name",
        "text",
        "multiline",
        "cells",
        "date",
        "signing_date",
        "number",
        "email",
        "phone",
        "checkbox",
        "radio",
        "select",
        "multiple",
        "image",
        "file",
        "stamp",
        "readonly",
    }
)
_TAG = re.compile(r"\{\{([^{}]{1,300})\}\}")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class TagSpec:
    """A tag's content: its field type, its role, whether it is required, and its other
    options (``label=IBAN``; a bare word is an option set to ``"true"``)."""

    type: str
    role: str | None = None
    required: bool = False
    options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TagProblem:
    """A tag that is not one Portico reads, with why."""

    text: str
    reason: str


def parse_tag(text: str) -> TagSpec | TagProblem:
    """The content between ``{{`` and ``}}`` read as a tag; never raises."""
    parts = [part.strip() for part in text.split(";")]
    kind = parts[0].lower().replace("-", "_")
    if kind not in TAG_TYPES:
        return TagProblem(text, f"unknown field type {parts[0]!r}")
    options: dict[str, str] = {}
    for part in parts[1:]:
        if not part:
            continue
        key, equals, value = part.partition("=")
        key = key.strip().lower()
        if not _KEY.match(key):
            return TagProblem(text, f"unreadable option {part!r}")
        options[key] = value.strip() if equals else "true"
    role = options.pop("role", None) or None
    required = options.pop("required", "false").lower() in ("true", "yes", "1", "")
    return TagSpec(kind, role, required, options)


@dataclass(frozen=True)
class TextTag:
    spec: TagSpec
    page: int
    box: Box
    text: str
    # Where the tag's characters stand in the PDF's user space (left, bottom, right, top).
    rect: tuple[float, float, float, float]

    @property
    def type(self) -> str:
        return self.spec.type

    @property
    def role(self) -> str | None:
        return self.spec.role


@dataclass(frozen=True)
class FoundTags:
    tags: list[TextTag]
    problems: list[tuple[int, TagProblem]]


def find_tags(pdf: bytes) -> FoundTags:
    """Every tag in the PDF's text, in reading order, and the tags it could not read with
    their page; refused (``damaged``) when PDFium cannot open it."""
    tags: list[TextTag] = []
    problems: list[tuple[int, TagProblem]] = []
    try:
        document = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as error:
        raise DocumentRefused("damaged", detail=str(error)) from error
    try:
        for number in range(len(document)):
            page = document[number]
            try:
                view = page.get_cropbox()
                rotation = page.get_rotation()
                textpage = page.get_textpage()
                try:
                    text = _page_text(textpage)
                    for match in _TAG.finditer(text):
                        spec = parse_tag(match.group(1))
                        if isinstance(spec, TagProblem):
                            problems.append((number, spec))
                            continue
                        rect = _union(textpage, match.start(), match.end())
                        if rect is None:
                            continue
                        box = relative_box(rect, view, rotation)
                        tags.append(TextTag(spec, number, box, match.group(0), rect))
                finally:
                    textpage.close()
            finally:
                page.close()
    finally:
        document.close()
    return FoundTags(tags, problems)


def hide_tags(pdf: bytes, tags: list[TextTag], *, margin: float = 1.0) -> bytes:
    """``pdf`` with a white rectangle over each tag, where a field will be drawn."""
    reader = PdfReader(io.BytesIO(pdf), strict=False)
    writer = PdfWriter(clone_from=reader)
    by_page: dict[int, list[TextTag]] = {}
    for tag in tags:
        by_page.setdefault(tag.page, []).append(tag)
    for number, page_tags in by_page.items():
        page = writer.pages[number]
        buffer = io.BytesIO()
        box = page.mediabox
        canvas = Canvas(buffer, pagesize=(float(box.right), float(box.top)))
        canvas.setFillColorRGB(1, 1, 1)
        canvas.setStrokeColorRGB(1, 1, 1)
        for tag in page_tags:
            left, bottom, right, top = tag.rect
            canvas.rect(
                left - margin,
                bottom - margin,
                right - left + 2 * margin,
                top - bottom + 2 * margin,
                stroke=0,
                fill=1,
            )
        canvas.showPage()
        canvas.save()
        page.merge_page(PdfReader(io.BytesIO(buffer.getvalue())).pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _page_text(textpage: pdfium.PdfTextPage) -> str:
    """The page's characters, one string index per character index."""
    count = textpage.count_chars()
    return "".join(
        chr(code)
        if 0 < (code := pdfium_c.FPDFText_GetUnicode(textpage, index)) < 0x110000
        else "\ufffd"
        for index in range(count)
    )


def _union(
    textpage: pdfium.PdfTextPage, start: int, end: int
) -> tuple[float, float, float, float] | None:
    boxes = []
    for index in range(start, end):
        left, bottom, right, top = textpage.get_charbox(index)
        if right > left and top > bottom:
            boxes.append((left, bottom, right, top))
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )

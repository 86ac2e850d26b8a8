"""The AcroForm fields a PDF already has (text, checkbox, radio group, choice, signature),
each with its widgets' places relative to the page, to import as Portico fields."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Literal

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NumberObject, PdfObject

from portico.pdf.errors import DocumentRefused
from portico.pdf.geometry import Box, relative_box

FieldKind = Literal["text", "checkbox", "radio", "choice", "signature", "button"]

# Field flags (PDF 32000-1, 12.7.3 and 12.7.4).
_READ_ONLY, _REQUIRED = 1, 1 << 1
_MULTILINE, _COMB = 1 << 12, 1 << 24
_RADIO, _PUSHBUTTON = 1 << 15, 1 << 16
_COMBO, _MULTISELECT = 1 << 17, 1 << 21
_MAX_DEPTH = 32


@dataclass(frozen=True)
class Widget:
    """One place where a field shows: a radio group has one per option (``option`` is the
    value it sets), another field usually one."""

    page: int
    box: Box
    option: str | None = None


@dataclass(frozen=True)
class FormField:
    name: str
    kind: FieldKind
    widgets: tuple[Widget, ...]
    value: str | None = None
    options: tuple[str, ...] = ()
    required: bool = False
    read_only: bool = False
    multiline: bool = False
    # A choice field: a drop-down (combo) rather than a list; several values allowed.
    combo: bool = False
    multiple: bool = False
    max_length: int | None = None
    # A text field drawn as one box per character (an IBAN, a code).
    comb: bool = False

    @property
    def page(self) -> int:
        return self.widgets[0].page

    @property
    def box(self) -> Box:
        return self.widgets[0].box


def read_fields(pdf: bytes) -> list[FormField]:
    """The PDF's form fields in page order, each with its widgets; push buttons are left
    out (they hold no value). A PDF without a form gives an empty list; an unreadable
    one is refused (``damaged``)."""
    try:
        return _read_fields(pdf)
    except (Exception, RecursionError) as error:
        raise DocumentRefused("damaged", detail=repr(error)[:500]) from error


def _read_fields(pdf: bytes) -> list[FormField]:
    reader = PdfReader(io.BytesIO(pdf), strict=False)
    if reader.is_encrypted:
        reader.decrypt("")
    fields: dict[int, _Collected] = {}
    order: list[int] = []
    for number, page in enumerate(reader.pages):
        view = tuple(float(v) for v in page.cropbox)
        rotation = int(page.get("/Rotate", 0) or 0)
        annotations = page.get("/Annots")
        annotations = annotations.get_object() if annotations is not None else None
        if not isinstance(annotations, ArrayObject):
            continue
        for reference in annotations:
            widget = reference.get_object()
            if not isinstance(widget, DictionaryObject) or widget.get("/Subtype") != "/Widget":
                continue
            field = _field_of(widget)
            if field is None:
                continue
            rect = _rect(widget.get("/Rect"))
            if rect is None:
                continue
            key = id(field)
            if key not in fields:
                fields[key] = _Collected(field)
                order.append(key)
            box = relative_box(rect, _four(view), rotation)
            fields[key].widgets.append(Widget(number, box, _on_state(widget)))
    result = [fields[key].build() for key in order]
    return [field for field in result if field is not None]


class _Collected:
    def __init__(self, field: DictionaryObject) -> None:
        self.field = field
        self.widgets: list[Widget] = []

    def build(self) -> FormField | None:
        field = self.field
        field_type = _inherited(field, "/FT")
        flags = _int(_inherited(field, "/Ff")) or 0
        value = _text(_inherited(field, "/V"))
        name = _full_name(field)
        required, read_only = bool(flags & _REQUIRED), bool(flags & _READ_ONLY)
        widgets = tuple(self.widgets)
        if field_type == "/Tx":
            return FormField(
                name,
                "text",
                widgets,
                value=value,
                required=required,
                read_only=read_only,
                multiline=bool(flags & _MULTILINE),
                comb=bool(flags & _COMB),
                max_length=_int(_inherited(field, "/MaxLen")),
            )
        if field_type == "/Btn":
            if flags & _PUSHBUTTON:
                return None
            options = tuple(dict.fromkeys(w.option for w in widgets if w.option))
            kind: FieldKind = "radio" if flags & _RADIO else "checkbox"
            return FormField(
                name,
                kind,
                widgets,
                value=None if value == "Off" else value,
                options=options,
                required=required,
                read_only=read_only,
            )
        if field_type == "/Ch":
            return FormField(
                name,
                "choice",
                widgets,
                value=value,
                options=_options(_inherited(field, "/Opt")),
                required=required,
                read_only=read_only,
                combo=bool(flags & _COMBO),
                multiple=bool(flags & _MULTISELECT),
            )
        if field_type == "/Sig":
            return FormField(name, "signature", widgets, required=required, read_only=read_only)
        return None


def _field_of(widget: DictionaryObject) -> DictionaryObject | None:
    """The field a widget belongs to: itself when it carries the field's name, else its
    parent (a widget merged with its field, or one kid of a field)."""
    if "/T" in widget or "/Parent" not in widget:
        return widget if "/FT" in widget or "/T" in widget else None
    parent = widget["/Parent"].get_object()
    return parent if isinstance(parent, DictionaryObject) else None


def _inherited(field: DictionaryObject, key: str) -> PdfObject | None:
    node: DictionaryObject | None = field
    for _ in range(_MAX_DEPTH):
        if node is None:
            return None
        if key in node:
            return node[key].get_object()
        parent = node.get("/Parent")
        parent = parent.get_object() if parent is not None else None
        node = parent if isinstance(parent, DictionaryObject) else None
    return None


def _full_name(field: DictionaryObject) -> str:
    parts: list[str] = []
    node: DictionaryObject | None = field
    for _ in range(_MAX_DEPTH):
        if node is None:
            break
        if "/T" in node:
            parts.append(str(node["/T"]))
        parent = node.get("/Parent")
        parent = parent.get_object() if parent is not None else None
        node = parent if isinstance(parent, DictionaryObject) else None
    return ".".join(reversed(parts))


def _on_state(widget: DictionaryObject) -> str | None:
    appearances = widget.get("/AP")
    appearances = appearances.get_object() if appearances is not None else None
    if not isinstance(appearances, DictionaryObject):
        return None
    normal = appearances.get("/N")
    normal = normal.get_object() if normal is not None else None
    if not isinstance(normal, DictionaryObject):
        return None
    for state in normal:
        if state != "/Off":
            return str(state).removeprefix("/")
    return None


def _options(options: PdfObject | None) -> tuple[str, ...]:
    if not isinstance(options, ArrayObject):
        return ()
    result: list[str] = []
    for option in options:
        option = option.get_object()
        if isinstance(option, ArrayObject) and option:
            # [export value, shown text]: the export value is the one stored.
            option = option[0].get_object()
        text = _text(option)
        if text is not None:
            result.append(text)
    return tuple(result)


def _text(value: PdfObject | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, ArrayObject):
        return ", ".join(str(item.get_object()) for item in value)
    text = str(value)
    return text.removeprefix("/") if text.startswith("/") else text


def _rect(value: PdfObject | None) -> tuple[float, float, float, float] | None:
    value = value.get_object() if value is not None else None
    if not isinstance(value, ArrayObject) or len(value) != 4:
        return None
    try:
        left, bottom, right, top = (float(item.get_object()) for item in value)
    except (TypeError, ValueError):
        return None
    return left, bottom, right, top


def _int(value: PdfObject | None) -> int | None:
    if isinstance(value, (int, float, NumberObject, FloatObject)):
        return int(value)
    return None


def _four(values: tuple[float, ...]) -> tuple[float, float, float, float]:
    return values[0], values[1], values[2], values[3]

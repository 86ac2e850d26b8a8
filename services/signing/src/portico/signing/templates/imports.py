"""Fields a document brings with it: its PDF form fields and its text tags, as Portico fields.

A fillable PDF needs no re-placing: each form field becomes a field of the closest type at
its place. A tag written in the document (``{{signature;role=Company}}``) becomes a field
of its type and role where the tag stands. Nothing here reads or writes a file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from portico.pdf import Box, FormField, TextTag
from portico.signing.fields.spec import FieldSpec, FieldType
from portico.signing.templates.schemas import DEFAULT_ROLES

# The smallest field the editor lets one grab, as a fraction of the page.
MIN_SIZE = 0.01


def _placed(box: Box) -> dict[str, float]:
    w, h = max(box.w, MIN_SIZE), max(box.h, MIN_SIZE)
    x, y = min(max(box.x, 0.0), 1 - w), min(max(box.y, 0.0), 1 - h)
    return {"x": x, "y": y, "w": w, "h": h}


def _union(boxes: Iterable[Box]) -> Box:
    listed = list(boxes)
    left = min(box.x for box in listed)
    top = min(box.y for box in listed)
    right = max(box.x + box.w for box in listed)
    bottom = max(box.y + box.h for box in listed)
    return Box(left, top, right - left, bottom - top)


class _Names:
    """Field names unique in the template, readable in formulas (``{iban}``)."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def new(self, wanted: str, fallback: str) -> str:
        base = re.sub(r"\s+", " ", wanted).strip()[:90] or fallback
        name, number = base, 2
        while name.casefold() in self.taken:
            name, number = f"{base} {number}", number + 1
        self.taken.add(name.casefold())
        return name


def _form_field_type(field: FormField) -> FieldType | None:
    if field.read_only:
        return FieldType.READONLY
    if field.kind == "text":
        if field.comb and field.max_length:
            return FieldType.CELLS
        return FieldType.MULTILINE if field.multiline else FieldType.TEXT
    if field.kind == "choice":
        return FieldType.MULTIPLE if field.multiple else FieldType.SELECT
    return {
        "checkbox": FieldType.CHECKBOX,
        "radio": FieldType.RADIO,
        "signature": FieldType.SIGNATURE,
    }.get(field.kind)


def from_form_fields(fields: Sequence[FormField], names: _Names, role: str) -> list[FieldSpec]:
    specs = []
    for field in fields:
        kind = _form_field_type(field)
        if kind is None or not field.widgets:
            continue  # push buttons: nothing to fill in
        page = field.page
        box = _union(widget.box for widget in field.widgets if widget.page == page)
        options = [option for option in field.options if option.strip()][:100]
        if kind in {FieldType.RADIO, FieldType.SELECT, FieldType.MULTIPLE} and not options:
            options = [w.option for w in field.widgets if w.option] or ["Yes"]
        specs.append(
            FieldSpec(
                name=names.new(field.name, kind.value),
                type=kind,
                role=role,
                page=page,
                label=field.name[:200],
                required=field.required,
                options=[option[:200] for option in options],
                cells=min(field.max_length or 1, 100) if kind == FieldType.CELLS else None,
                prefill=(field.value or None)
                if kind in {FieldType.TEXT, FieldType.READONLY}
                else None,
                **_placed(box),
            )
        )
    return specs


def from_tags(tags: Sequence[TextTag], names: _Names, default_role: str) -> list[FieldSpec]:
    specs = []
    for tag in tags:
        kind = FieldType(tag.type)
        options = tag.spec.options
        label = options.get("label", "")[:200]
        choices = [item.strip() for item in re.split(r"[|,]", options.get("options", ""))]
        choices = [choice[:200] for choice in choices if choice][:100]
        if kind in {FieldType.RADIO, FieldType.SELECT, FieldType.MULTIPLE} and not choices:
            choices = ["Yes", "No"]
        cells = None
        if kind == FieldType.CELLS:
            cells = int(options["cells"]) if options.get("cells", "").isdigit() else 10
            cells = min(max(cells, 1), 100)
        specs.append(
            FieldSpec(
                name=names.new(options.get("name") or label, kind.value),
                type=kind,
                role=(tag.role or default_role)[:100],
                page=tag.page,
                label=label,
                required=tag.spec.required,
                options=choices,
                cells=cells,
                **_placed(tag.box),
            )
        )
    return specs


def imported_fields(
    form_fields: Sequence[FormField], tags: Sequence[TextTag]
) -> tuple[list[FieldSpec], list[str]]:
    """The fields a document brings, and the roles they name (in order of first use)."""
    names = _Names()
    default_role = DEFAULT_ROLES[0]
    specs = from_form_fields(form_fields, names, default_role) + from_tags(
        tags, names, default_role
    )
    roles = list(dict.fromkeys(spec.role for spec in specs)) or list(DEFAULT_ROLES)
    return specs, roles

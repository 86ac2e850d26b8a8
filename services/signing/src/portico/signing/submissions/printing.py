"""What the completed document prints where: each value at its field's place. Pure, no I/O.

Text is printed as given (the stamp shrinks it to fit its box), numbers and dates in the
signer's language, a ticked box as a tick, options chosen as their words, a typed signature
in a handwriting font, and images (drawn signatures, photos, stamps) from the blob store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from portico.pdf import Box, CheckMark, Mark, TextMark
from portico.signing.fields.spec import FieldSpec, FieldType


@dataclass(frozen=True)
class StoredImage:
    """An image to print from the blob store."""

    page: int
    box: Box
    key: str


def format_number(value: float, locale: str) -> str:
    text = f"{value:,.10f}".rstrip("0").rstrip(".")
    if locale == "fr":
        # 1 234,5: a narrow no-break space between thousands, a comma before decimals.
        return text.replace(",", "\u202f").replace(".", ",")
    return text


def format_date(value: str, locale: str) -> str:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return day.strftime("%d/%m/%Y") if locale == "fr" else day.isoformat()


def placements(
    specs: Sequence[FieldSpec], values: Mapping[str, Any], locales: Mapping[str, str]
) -> list[Mark | StoredImage]:
    """What to print for ``values`` (every field's value by name); ``locales`` gives each
    role's language."""
    printed: list[Mark | StoredImage] = []
    for spec in specs:
        value = values.get(spec.name)
        if value is None or value == "" or value is False or value == []:
            continue
        box = Box(spec.x, spec.y, spec.w, spec.h)
        locale = locales.get(spec.role, "en")
        kind = spec.type
        if kind == FieldType.CHECKBOX:
            printed.append(CheckMark(page=spec.page, box=box))
        elif isinstance(value, Mapping):
            if isinstance(value.get("typed"), str):
                printed.append(
                    TextMark(
                        page=spec.page,
                        box=box,
                        text=value["typed"],
                        size=max(spec.font_size, 18),
                        align="center",
                        handwriting=True,
                    )
                )
            elif isinstance(value.get("file"), str) and value.get("kind") != "pdf":
                printed.append(StoredImage(page=spec.page, box=box, key=value["file"]))
            elif isinstance(value.get("file"), str):
                label = "Fichier joint (PDF)" if locale == "fr" else "Attached file (PDF)"
                printed.append(TextMark(page=spec.page, box=box, text=label, size=spec.font_size))
        else:
            printed.append(
                TextMark(
                    page=spec.page,
                    box=box,
                    text=_text(spec, value, locale),
                    size=spec.font_size,
                    align=spec.align,
                    multiline=kind == FieldType.MULTILINE,
                    cells=spec.cells if kind == FieldType.CELLS else None,
                )
            )
    return printed


def _text(spec: FieldSpec, value: Any, locale: str) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if spec.type == FieldType.NUMBER and isinstance(value, int | float):
        return format_number(float(value), locale)
    if spec.type in (FieldType.DATE, FieldType.SIGNING_DATE) and isinstance(value, str):
        return format_date(value, locale)
    return str(value)

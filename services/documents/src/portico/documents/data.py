"""The extra data given with a document, checked against its type's fields: each value of
its kind, the required ones there, nothing the type does not ask for. No I/O."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

MAX_TEXT = 500


def check_data(
    fields: Sequence[Mapping[str, Any]], given: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The values to keep (dates as ISO text, numbers as numbers, blanks left out) and the
    refusals, by field key."""
    kept: dict[str, Any] = {}
    errors: dict[str, str] = {}
    known = {str(field["key"]): field for field in fields}
    for key in given:
        if key not in known:
            errors[str(key)] = "This document type asks for no such data."
    for key, field in known.items():
        value = given.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if field.get("required"):
                errors[key] = "Required."
            continue
        checked, problem = _value(field, value)
        if problem is not None:
            errors[key] = problem
        else:
            kept[key] = checked
    return kept, errors


def _value(field: Mapping[str, Any], value: Any) -> tuple[Any, str | None]:
    kind = field.get("kind", "text")
    if kind == "date":
        if not isinstance(value, str):
            return None, "A date, as YYYY-MM-DD."
        try:
            return date.fromisoformat(value.strip()).isoformat(), None
        except ValueError:
            return None, "A date, as YYYY-MM-DD."
    if kind == "number":
        number = _number(value)
        if number is None:
            return None, "A number."
        return number, None
    if not isinstance(value, str):
        return None, "Text."
    text = value.strip()
    if kind == "select":
        if text not in field.get("options", []):
            return None, "One of the choices offered."
        return text, None
    if len(text) > MAX_TEXT:
        return None, f"At most {MAX_TEXT} characters."
    return text, None


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            number: float = float(value)
        except OverflowError:  # a JSON integer of hundreds of digits
            return None
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", ".").replace(" ", ""))
        except ValueError:
            return None
    else:
        return None
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() else number


def expiry_of(fields: Sequence[Mapping[str, Any]], kept: Mapping[str, Any]) -> date | None:
    """The date in the field marked as the expiry date, when the data has it."""
    for field in fields:
        if field.get("is_expiry") and kept.get(str(field["key"])):
            return date.fromisoformat(str(kept[str(field["key"])]))
    return None

"""What a submitter may post for their fields, checked. Pure rules, no I/O.

The server checks again everything the signing page checks as the signer types: a value
of the right kind for each field, its pattern, limits and options, the template's
conditions (a hidden field's value is dropped) and formulas (a computed field holds what
its formula gives, whatever was posted). A draft is checked for kinds only; the final
submission also needs every required field that is shown. Signatures and initials are
always required when shown: a signer signs.

Images (a drawn or uploaded signature, a photo, a stamp) come as data URLs and leave as
``Upload``s for the caller to store; the value then names the stored file.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from portico.kit.problems import FieldError
from portico.signing.fields.conditions import Condition, Rule, is_empty
from portico.signing.fields.formulas import Formula, FormulaError, to_number
from portico.signing.fields.logic import FieldLogic, evaluate
from portico.signing.fields.spec import FieldSpec, FieldType

# Fields whose value is an image, and those a typed name may stand in for.
IMAGES = frozenset({FieldType.SIGNATURE, FieldType.INITIALS, FieldType.IMAGE, FieldType.STAMP})
TYPABLE = frozenset({FieldType.SIGNATURE, FieldType.INITIALS})
ALWAYS_REQUIRED = TYPABLE
# What each image field accepts, read from the content.
IMAGE_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
FILE_TYPES = IMAGE_TYPES | {"pdf": "application/pdf"}
_DATA_URL = re.compile(r"^data:[\w.+-]+/[\w.+-]+;base64,(?P<data>[A-Za-z0-9+/=\s]*)$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ().-]{4,30}$")
MAX_TYPED = 100


@dataclass(frozen=True)
class Upload:
    """An image or file posted for ``field``, to be stored; ``kind`` read from its bytes."""

    field: str
    data: bytes
    kind: str

    @property
    def content_type(self) -> str:
        return FILE_TYPES[self.kind]


@dataclass
class CheckedValues:
    values: dict[str, Any] = field(default_factory=dict)
    uploads: list[Upload] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)


def _error(name: str, message: str, code: str, **params: str | int) -> FieldError:
    return FieldError(
        field=f"values.{name}", location="body", message=message, code=code, params=params or None
    )


def logic_of(specs: Sequence[FieldSpec]) -> list[FieldLogic]:
    """The conditions and formulas of saved fields (checked when the template was saved)."""
    logic = []
    for spec in specs:
        rule = None
        if spec.condition is not None:
            rule = Rule(
                tuple(Condition(c.field, c.operator, c.value) for c in spec.condition.conditions),
                spec.condition.join,
            )
        formula = None
        if spec.formula is not None:
            try:
                formula = Formula.parse(spec.formula)
            except FormulaError:
                formula = None
        logic.append(FieldLogic(spec.name, rule=rule, formula=formula))
    return logic


def sniff_image(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    return None


def check_values(
    specs: Sequence[FieldSpec],
    role: str,
    posted: Mapping[str, Any],
    *,
    others: Mapping[str, Any],
    held: Mapping[str, Any],
    final: bool,
    max_image_bytes: int,
) -> CheckedValues:
    """``posted`` (field name to value) for the fields of ``role``, beside ``others`` (the
    values other submitters gave, which conditions and formulas may read) and ``held`` (the
    values already saved: a stored image posted back unchanged is kept as it is)."""
    result = CheckedValues()
    mine = {spec.name: spec for spec in specs if spec.role == role}
    for name in posted:
        if name not in mine:
            result.errors.append(
                _error(name, f"There is no field “{name}” for you to fill.", "unknown_field")
            )
    kept: dict[str, Any] = {}
    for name, value in posted.items():
        spec = mine.get(name)
        if spec is None or spec.type in (FieldType.READONLY, FieldType.SIGNING_DATE):
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if held.get(name) == value:
            kept[name] = value
            continue
        checked = _check_one(spec, value, max_image_bytes, result)
        if checked is not None:
            kept[name] = checked
    state = evaluate(logic_of(specs), {**others, **kept})
    for name, spec in mine.items():
        if not state.shown(name):
            continue
        if spec.formula is not None:
            computed = state.values.get(name)
            if computed is not None:
                result.values[name] = computed
            continue
        if name in kept:
            result.values[name] = kept[name]
        elif final and (spec.required or spec.type in ALWAYS_REQUIRED) and _fillable(spec):
            result.errors.append(_error(name, "This field is required.", "missing"))
    return result


def _fillable(spec: FieldSpec) -> bool:
    return spec.type not in (FieldType.READONLY, FieldType.SIGNING_DATE)


def _check_one(
    spec: FieldSpec, value: Any, max_image_bytes: int, result: CheckedValues
) -> Any | None:
    """The value to keep, or None with an error added."""
    name, kind = spec.name, spec.type
    errors = result.errors
    if kind in IMAGES or kind == FieldType.FILE:
        return _check_image(spec, value, max_image_bytes, result)
    if kind == FieldType.CHECKBOX:
        if not isinstance(value, bool):
            errors.append(_error(name, "Tick or untick the box.", "bool_type"))
            return None
        return value or None
    if kind == FieldType.MULTIPLE:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            errors.append(_error(name, "Choose among the options.", "list_type"))
            return None
        unknown = [item for item in value if item not in spec.options]
        if unknown:
            errors.append(_error(name, f"“{unknown[0]}” is not an option.", "not_an_option"))
            return None
        return [option for option in spec.options if option in value] or None
    if kind == FieldType.NUMBER:
        number = to_number(value) if not isinstance(value, bool) else None
        if number is None or not math.isfinite(number):
            errors.append(_error(name, "Enter a number.", "number_type"))
            return None
        return _check_number(spec, number, errors)
    if not isinstance(value, str):
        errors.append(_error(name, "Enter text.", "string_type"))
        return None
    text = value.strip()
    if kind in (FieldType.RADIO, FieldType.SELECT):
        if text not in spec.options:
            errors.append(_error(name, f"“{text}” is not an option.", "not_an_option"))
            return None
        return text
    if kind == FieldType.DATE:
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            errors.append(_error(name, "Enter a date as YYYY-MM-DD.", "date_type"))
            return None
    return _check_text(spec, text, errors)


def _check_number(spec: FieldSpec, number: float, errors: list[FieldError]) -> float | None:
    rules = spec.validation
    if rules is not None and rules.min is not None and number < rules.min:
        errors.append(
            _error(
                spec.name,
                f"The smallest allowed is {rules.min:g}.",
                "too_small",
                min=f"{rules.min:g}",
            )
        )
        return None
    if rules is not None and rules.max is not None and number > rules.max:
        errors.append(
            _error(
                spec.name,
                f"The largest allowed is {rules.max:g}.",
                "too_large",
                max=f"{rules.max:g}",
            )
        )
        return None
    return int(number) if number.is_integer() else number


def _check_text(spec: FieldSpec, text: str, errors: list[FieldError]) -> str | None:
    name = spec.name
    if spec.type == FieldType.EMAIL and not _EMAIL.match(text):
        errors.append(_error(name, "Enter an email address.", "email_type"))
        return None
    if spec.type == FieldType.PHONE and not _PHONE.match(text):
        errors.append(_error(name, "Enter a phone number.", "phone_type"))
        return None
    if spec.type == FieldType.CELLS and spec.cells is not None and len(text) > spec.cells:
        errors.append(
            _error(name, f"At most {spec.cells} characters.", "too_long", max_length=spec.cells)
        )
        return None
    rules = spec.validation
    if rules is None:
        return text
    if rules.min_length is not None and len(text) < rules.min_length:
        errors.append(
            _error(
                name,
                f"At least {rules.min_length} characters.",
                "too_short",
                min_length=rules.min_length,
            )
        )
        return None
    if rules.max_length is not None and len(text) > rules.max_length:
        errors.append(
            _error(
                name,
                f"At most {rules.max_length} characters.",
                "too_long",
                max_length=rules.max_length,
            )
        )
        return None
    if rules.pattern is not None and not re.fullmatch(rules.pattern, text):
        errors.append(
            _error(name, rules.message or "This value is not in the expected form.", "pattern")
        )
        return None
    return text


def _check_image(
    spec: FieldSpec, value: Any, max_image_bytes: int, result: CheckedValues
) -> Any | None:
    name = spec.name
    if not isinstance(value, Mapping):
        result.errors.append(_error(name, "Draw, type or upload it.", "image_type"))
        return None
    typed = value.get("typed")
    if spec.type in TYPABLE and isinstance(typed, str) and typed.strip():
        text = typed.strip()
        if len(text) > MAX_TYPED:
            result.errors.append(
                _error(name, f"At most {MAX_TYPED} characters.", "too_long", max_length=MAX_TYPED)
            )
            return None
        return {"typed": text}
    image = value.get("image")
    match = _DATA_URL.match(image) if isinstance(image, str) else None
    if match is None:
        result.errors.append(_error(name, "Draw, type or upload it.", "image_type"))
        return None
    try:
        data = base64.b64decode(match["data"], validate=False)
    except (binascii.Error, ValueError):
        result.errors.append(_error(name, "The image could not be read.", "image_unreadable"))
        return None
    if len(data) > max_image_bytes:
        result.errors.append(
            _error(
                name,
                f"The file is larger than {max_image_bytes // 1_000_000} MB.",
                "too_large",
                limit=max_image_bytes,
            )
        )
        return None
    accepted = FILE_TYPES if spec.type == FieldType.FILE else IMAGE_TYPES
    kind = sniff_image(data)
    if kind not in accepted:
        formats = ", ".join(kind.upper() for kind in accepted)
        result.errors.append(
            _error(name, f"Upload a {formats} file.", "unsupported_type", formats=formats)
        )
        return None
    result.uploads.append(Upload(field=name, data=data, kind=kind))
    return {"file": None, "kind": kind}


def is_filled(value: Any) -> bool:
    return not is_empty(value)

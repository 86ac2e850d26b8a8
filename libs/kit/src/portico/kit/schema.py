"""What a request body's OpenAPI schema says beyond what its pydantic model can."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BeforeValidator, StrictBool
from pydantic_core import PydanticCustomError

__all__ = ["JSON_INTEGER", "JsonBool", "JsonInt", "not_nullable"]


def _json_integer(value: object) -> object:
    # JSON has one number type: 3.0 is the integer 3 (the schema's "integer" takes it),
    # while "3" and true are not numbers at all, which pydantic's lax mode would take.
    if isinstance(value, bool | str):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# What a body's numbers and booleans take: JSON's own, nothing converted from text.
JSON_INTEGER = BeforeValidator(_json_integer)
JsonInt = Annotated[int, JSON_INTEGER]
JsonBool = StrictBool
# A list's items with bounds: ``Annotated[int, Field(ge=1), JSON_INTEGER]``, the Field
# first (after the validator, pydantic leaves the bounds out of the JSON schema).


def not_nullable(
    *names: str, examples: list[Any] | None = None
) -> Callable[[dict[str, Any]], None]:
    """A ``json_schema_extra`` for a PATCH body whose fields may be left out, not emptied.

    Such a field is ``X | None = None`` in Python (left out, it is None), and pydantic
    documents it as nullable; the service refuses a null for it ("cannot be empty", 422
    naming the field). This removes the null from the document, so that it says what the
    service takes. (``SkipJsonSchema[None]`` would too, but makes every error of the field
    name the union's member: ``name.constrained-str``.)
    """

    def edit(schema: dict[str, Any]) -> None:
        for name in names:
            field = schema["properties"][name]
            kept = [variant for variant in field.pop("anyOf", []) if variant != {"type": "null"}]
            field.pop("default", None)
            if len(kept) == 1:
                field.update(kept[0])
            elif kept:
                field["anyOf"] = kept
        if examples is not None:
            schema["examples"] = examples

    return edit

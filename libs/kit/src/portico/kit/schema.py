"""What a request body's OpenAPI schema says beyond what its pydantic model can."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


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

"""Why a document is refused: a stable code (for a service's English and French message)
with the numbers it needs, and a plain English message for logs."""

from __future__ import annotations

from typing import Any, Literal

RefusalCode = Literal[
    "encrypted",
    "damaged",
    "too_large",
    "too_many_pages",
    "too_many_pixels",
    "unsupported_type",
    "conversion_failed",
    "conversion_timeout",
    "converter_missing",
    "empty",
]

_MESSAGES: dict[str, str] = {
    "encrypted": "The document is protected by a password.",
    "damaged": "The document is damaged and cannot be read.",
    "too_large": "The document is larger than {limit} bytes.",
    "too_many_pages": "The document has {count} pages; at most {limit} are accepted.",
    "too_many_pixels": "An image has {count} pixels; at most {limit} are accepted.",
    "unsupported_type": "This kind of file is not accepted.",
    "conversion_failed": "The document could not be converted to PDF.",
    "conversion_timeout": "The conversion to PDF took longer than {limit} seconds.",
    "converter_missing": "Office documents cannot be converted here: LibreOffice is missing.",
    "empty": "The document has no pages.",
}


class DocumentRefused(Exception):
    """The input is not a usable document. ``code`` is stable; ``params`` holds the
    numbers the message names (``limit``, ``count``); ``detail`` says more, for logs."""

    def __init__(self, code: RefusalCode, *, detail: str = "", **params: Any) -> None:
        self.code: RefusalCode = code
        self.params: dict[str, Any] = params
        self.detail = detail
        super().__init__(self.message)

    @property
    def message(self) -> str:
        text = _MESSAGES[self.code].format_map(_Missing(self.params))
        return f"{text} ({self.detail})" if self.detail else text

    def __reduce__(self) -> tuple[Any, ...]:
        # Crosses process boundaries (normalise_isolated, a process pool) intact.
        return (_rebuild, (self.code, self.detail, self.params))


def _rebuild(code: RefusalCode, detail: str, params: dict[str, Any]) -> DocumentRefused:
    return DocumentRefused(code, detail=detail, **params)


class _Missing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"

"""Why an upload is refused, in words a person understands, with the limit it broke."""

from __future__ import annotations

from portico.kit.problems import (
    FieldError,
    PayloadTooLarge,
    Problem,
    UnsupportedMediaType,
    ValidationProblem,
)
from portico.pdf import DocumentRefused
from portico.signing.settings import SigningSettings


def _message(refusal: DocumentRefused, settings: SigningSettings) -> str:
    count = refusal.params.get("count")
    messages = {
        "encrypted": (
            "The file is protected by a password: remove the password and upload it again."
        ),
        "damaged": "The file is damaged or not what its type says, and cannot be read.",
        "too_large": f"The file is larger than {settings.max_upload_mib} MB.",
        "too_many_pages": (
            f"The document has {count} pages; at most {settings.max_pages} are accepted."
        ),
        "too_many_pixels": (
            f"An image is larger than {settings.max_image_megapixels} megapixels: make it smaller."
        ),
        "unsupported_type": (
            "This kind of file is not accepted: upload a PDF, an image (JPEG, PNG, TIFF, WebP, "
            "HEIC), a Word or OpenDocument text, an RTF or a CSV file."
        ),
        "conversion_failed": (
            "The document could not be converted to PDF: save it as a PDF and upload that."
        ),
        "conversion_timeout": (
            f"Converting the document took longer than {settings.conversion_seconds:g} seconds: "
            "save it as a PDF and upload that."
        ),
        "converter_missing": (
            "Word and OpenDocument files cannot be converted on this server (LibreOffice is not "
            "installed): upload a PDF instead."
        ),
        "empty": "The document has no pages.",
    }
    return messages[refusal.code]


def _limits(settings: SigningSettings) -> dict[str, int | float]:
    """The limit each refusal broke, for a client that words the refusal itself: bytes,
    pages, pixels, seconds."""
    return {
        "too_large": settings.max_upload_mib * 1024 * 1024,
        "too_many_pages": settings.max_pages,
        "too_many_pixels": settings.max_image_megapixels * 1_000_000,
        "conversion_timeout": settings.conversion_seconds,
    }


def refusal_problem(refusal: DocumentRefused, settings: SigningSettings) -> Problem:
    message = _message(refusal, settings)
    params = dict(refusal.params)
    limit = _limits(settings).get(refusal.code)
    if limit is not None:
        params.setdefault("limit", limit)
    error = FieldError(field="file", location="body", message=message, code=refusal.code)
    problem: type[Problem] = ValidationProblem
    if refusal.code == "too_large":
        problem = PayloadTooLarge
    elif refusal.code in {"unsupported_type", "converter_missing"}:
        problem = UnsupportedMediaType
    return problem(f"file: {message}", errors=[error], reason=refusal.code, **params)

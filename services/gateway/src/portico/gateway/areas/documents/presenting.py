"""How the documents pages name things, in the page's language: the states and their
badges, the formats and what a file chooser offers for them, and the service's refusals
of an upload or of a document's data (its messages are English, and ours say the limit
or the formats the type takes). One place for the staff's pages, the client portal's and
the client list."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from babel.lists import format_list

from portico.gateway.areas.documents.api import STATES, DataField, Document, DocumentType
from portico.gateway.web.forms import field_message, megabytes, too_long
from portico.gateway.web.i18n import N_, _, current_locale, pgettext

MIB = 1024 * 1024
# Each state's badge.
BADGES = {
    "missing": "badge badge-missing",
    "in_review": "badge badge-pending",
    "accepted": "badge badge-accepted",
    "rejected": "badge badge-expired",
    "expired": "badge badge-expired",
}
FORMAT_NAMES = {
    "pdf": "PDF",
    "jpeg": "JPEG",
    "png": "PNG",
    "webp": "WebP",
    "heic": "HEIC",
    "docx": N_("Word (.docx)"),
    "odt": N_("OpenDocument (.odt)"),
}
# What a file chooser offers for each format (the service reads the content anyway).
ACCEPT = {
    "pdf": ".pdf,application/pdf",
    "jpeg": ".jpg,.jpeg,image/jpeg",
    "png": ".png,image/png",
    "webp": ".webp,image/webp",
    "heic": ".heic,.heif,image/heic,image/heif",
    "docx": ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": ".odt,application/vnd.oasis.opendocument.text",
}
IMAGE_FORMATS = frozenset({"jpeg", "png", "webp", "heic"})
# The kinds of file the service draws a preview of; the others show an icon.
PREVIEWED = ("application/pdf", "image/")
# The service's longest text value.
MAX_TEXT = 500


def state_name(state: str) -> str:
    """A document's state in words (in French, a document's words are masculine)."""
    names = {
        "missing": pgettext("document state", "Missing"),
        "in_review": pgettext("document state", "In review"),
        "accepted": pgettext("document state", "Accepted"),
        "rejected": pgettext("document state", "Rejected"),
        "expired": pgettext("document state", "Expired"),
    }
    return names.get(state, state)


def state_options() -> list[tuple[str, str]]:
    return [(state, state_name(state)) for state in STATES]


def format_name(format_: str) -> str:
    name = FORMAT_NAMES.get(format_, format_.upper())
    return _(name) if format_ in ("docx", "odt") else name


def formats_text(kind: DocumentType) -> str:
    """The type's formats in words: "PDF, JPEG, or PNG"."""
    names = [format_name(format_) for format_ in kind.formats]
    return format_list(names, style="or", locale=current_locale()) if names else ""


def accept_attribute(kind: DocumentType) -> str:
    return ",".join(ACCEPT[format_] for format_ in kind.formats if format_ in ACCEPT)


def takes_photos(kind: DocumentType) -> bool:
    """A phone may take a photo for it: the type takes an image."""
    return bool(IMAGE_FORMATS & set(kind.formats))


def has_preview(document: Document) -> bool:
    return document.content_type.startswith(PREVIEWED)


def file_refusal(status: int, kind: DocumentType) -> str:
    """An upload's file refused: too large (413) or not a format the type takes (415)."""
    if status == 413:
        return _("This file is too large: at most %(size)s.") % {
            "size": megabytes(kind.max_size_mib * MIB)
        }
    if status == 415:
        return _("This file is not accepted here: send %(formats)s.") % {
            "formats": formats_text(kind)
        }
    return _("This file could not be saved.")


def data_refusal(field: DataField, value: str, error: Mapping[str, Any]) -> str:
    """A data field's refusal, from what was typed and the field's kind."""
    if not value:
        return _("This field is required.")
    if field.kind == "date":
        return _("Enter a valid date.")
    if field.kind == "number":
        return _("Enter a number.")
    if field.kind == "select":
        return _("Choose one of the options.")
    if len(value) > MAX_TEXT:
        return too_long(MAX_TEXT)
    return field_message(error)

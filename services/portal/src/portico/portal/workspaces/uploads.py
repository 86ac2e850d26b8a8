"""What a workspace accepts as a file: a short list of types, each known by its extension,
its declared content type and, for binary formats, its first bytes.

The extension decides the type because it is what the downloader's computer opens the
file with; the declared type and the content must agree with it, so an HTML page cannot
pass as a PDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

_ZIP = (b"PK\x03\x04", b"PK\x05\x06")


@dataclass(frozen=True)
class FileType:
    content_type: str
    # Content types browsers and systems also declare for it.
    aliases: frozenset[str] = frozenset()
    magic: tuple[bytes, ...] = ()


_OFFICE = "application/vnd.openxmlformats-officedocument"
_PDF = FileType("application/pdf", magic=(b"%PDF-",))
_JPEG = FileType("image/jpeg", frozenset({"image/jpg", "image/pjpeg"}), (b"\xff\xd8\xff",))
_CSV = FileType(
    "text/csv", frozenset({"application/csv", "application/vnd.ms-excel", "text/plain"})
)

TYPES_BY_EXTENSION: dict[str, FileType] = {
    ".pdf": _PDF,
    ".png": FileType("image/png", magic=(b"\x89PNG\r\n\x1a\n",)),
    ".jpg": _JPEG,
    ".jpeg": _JPEG,
    ".gif": FileType("image/gif", magic=(b"GIF87a", b"GIF89a")),
    ".webp": FileType("image/webp", magic=(b"RIFF",)),
    ".docx": FileType(f"{_OFFICE}.wordprocessingml.document", magic=_ZIP),
    ".xlsx": FileType(f"{_OFFICE}.spreadsheetml.sheet", magic=_ZIP),
    ".pptx": FileType(f"{_OFFICE}.presentationml.presentation", magic=_ZIP),
    ".odt": FileType("application/vnd.oasis.opendocument.text", magic=_ZIP),
    ".txt": FileType("text/plain"),
    ".csv": _CSV,
    ".zip": FileType("application/zip", frozenset({"application/x-zip-compressed"}), _ZIP),
}

# Declared when the sender does not know better: the extension and content decide then.
_GENERIC = frozenset({"", "application/octet-stream", "binary/octet-stream"})


def checked_type(name: str, declared: str | None, head: bytes) -> str | None:
    """The content type to store the file as, or None when it is not an accepted file."""
    file_type = TYPES_BY_EXTENSION.get(PurePosixPath(name).suffix.lower())
    if file_type is None:
        return None
    declared = (declared or "").split(";")[0].strip().lower()
    if declared not in _GENERIC | {file_type.content_type} | file_type.aliases:
        return None
    if file_type.magic and not head.startswith(file_type.magic):
        return None
    if file_type.content_type == "image/webp" and head[8:12] != b"WEBP":
        return None
    if file_type.content_type.startswith("text/") and b"\x00" in head:
        return None
    return file_type.content_type

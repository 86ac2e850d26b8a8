"""What a quote takes as an attachment, read from the file's content (magic bytes), never
from its name or the browser's word: PDF, PNG, JPEG, WebP, DOCX, XLSX and plain text."""

from __future__ import annotations

import io
import zipfile

from portico.pdf.errors import DocumentRefused
from portico.pdf.sniff import sniff

_OFFICE = "application/vnd.openxmlformats-officedocument"
# From ``portico.pdf.sniff``'s kinds. A text whose lines look like rows (a CSV) is still a
# text to read: both are kept as plain text.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "docx": f"{_OFFICE}.wordprocessingml.document",
    "text": "text/plain",
    "csv": "text/plain",
}
XLSX = f"{_OFFICE}.spreadsheetml.sheet"
# The sniffer knows no spreadsheet: an XLSX is a ZIP whose content types name a workbook.
_XLSX_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
ACCEPTED = "a PDF, a PNG, JPEG or WebP image, a DOCX or XLSX document or a plain text file"


def content_type_of(content: bytes) -> str | None:
    """The content type to keep ``content`` as, or None when a quote does not take it."""
    try:
        return CONTENT_TYPES.get(sniff(content))
    except DocumentRefused:
        return XLSX if _is_xlsx(content) else None


def _is_xlsx(content: bytes) -> bool:
    if not content.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if "[Content_Types].xml" not in archive.namelist():
                return False
            with archive.open("[Content_Types].xml") as entry:
                return _XLSX_MAIN in entry.read(1024 * 1024)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        return False

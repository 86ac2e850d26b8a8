"""What a file is, from its content (magic bytes), never from its name."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from typing import Literal

import charset_normalizer

from portico.pdf.errors import DocumentRefused

Kind = Literal[
    "pdf", "jpeg", "png", "tiff", "webp", "heic", "docx", "odt", "doc", "rtf", "csv", "text"
]
IMAGE_KINDS: frozenset[str] = frozenset({"jpeg", "png", "tiff", "webp", "heic"})
OFFICE_KINDS: frozenset[str] = frozenset({"docx", "odt", "doc", "rtf"})

_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_ODT = b"application/vnd.oasis.opendocument.text"
# How much of a text file is read to guess its encoding and dialect.
_TEXT_SAMPLE = 64 * 1024
_CHAOS_MARGIN = 0.2


def sniff(data: bytes) -> Kind:
    """The kind of ``data``; refused ``unsupported_type`` when it is none Portico reads."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "heic"
    if data.startswith(b"PK\x03\x04"):
        kind = _zip_kind(data)
        if kind is not None:
            return kind
    elif data.startswith(_OLE):
        if _WORD_STREAM in data:
            return "doc"
    elif data.lstrip()[:5] == b"{\\rtf":
        return "rtf"
    else:
        text = _text_kind(data)
        if text is not None:
            return text
    raise DocumentRefused("unsupported_type")


def _zip_kind(data: bytes) -> Kind | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    if entry.read(200).strip() == _ODT:
                        return "odt"
            if "[Content_Types].xml" in names:
                with archive.open("[Content_Types].xml") as entry:
                    if _DOCX_MAIN in entry.read(1024 * 1024):
                        return "docx"
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        return None
    return None


def decode_text(data: bytes, *, partial: bool = False) -> str | None:
    """``data`` as text, or None when it is not text (binary, or no encoding fits): UTF-8
    when it is, else Windows-1252 (Western Europe's spreadsheets) when it reads about as
    well as charset-normalizer's best guess, else that guess. ``partial``: ``data`` is the
    start of a file, perhaps cut inside a character."""
    if b"\x00" in data[:_TEXT_SAMPLE] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    try:
        decoder = codecs.getincrementaldecoder("utf-8")()
        return decoder.decode(data, final=not partial).removeprefix("\ufeff")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        return None
    if best.encoding != "cp1252" and not best.encoding.startswith("utf"):
        # Short Western texts have few telling letters: charset-normalizer may pick a
        # Central European or Mac code page that reads é as ť.
        western = charset_normalizer.from_bytes(data, cp_isolation=["cp1252"]).best()
        if western is not None and western.chaos <= best.chaos + _CHAOS_MARGIN:
            best = western
    return str(best).removeprefix("\ufeff")


def _text_kind(data: bytes) -> Kind | None:
    if not data.strip():
        return None
    sample = decode_text(data[:_TEXT_SAMPLE], partial=len(data) > _TEXT_SAMPLE)
    if sample is None:
        return None
    if sample.lstrip().startswith("<"):
        # HTML, XML, SVG: markup, not a document to show as its source.
        return None
    return "csv" if csv_dialect(sample) is not None else "text"


def csv_dialect(sample: str) -> type[csv.Dialect] | None:
    """The CSV dialect of ``sample`` when its lines are rows of two or more columns."""
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    if not lines:
        return None
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t|")
    except csv.Error:
        return None
    rows = list(csv.reader(lines, dialect))
    if len(rows[0]) < 2 or sum(len(row) >= 2 for row in rows) < len(rows) * 0.8:
        return None
    return dialect

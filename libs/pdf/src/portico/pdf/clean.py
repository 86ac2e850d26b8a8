"""A PDF as uploaded made into a clean one: opened without a password where it can be,
repaired where it can be, its scripts and launch actions removed, written anew."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pypdf import PdfReader, PdfWriter
from pypdf.errors import LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, PdfObject, StreamObject

from portico.pdf.errors import DocumentRefused
from portico.pdf.limits import Limits

# Actions that run code, open other files or programs, or send data away.
_HOSTILE_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/ImportData",
    "/SubmitForm",
    "/Rendition",
    "/GoToE",
    "/GoToR",
    "/RichMediaExecute",
}


def clean_pdf(data: bytes, limits: Limits) -> bytes:
    """``data`` rewritten as a clean PDF; refused ``encrypted`` when it needs a password,
    ``damaged`` when neither pypdf nor PDFium can read its pages, ``too_many_pages``."""
    repaired = _pdfium_copy(data, limits)
    try:
        return _rewrite(data)
    except DocumentRefused:
        raise
    except Exception as error:
        if repaired is None:
            raise DocumentRefused("damaged", detail=f"pypdf: {error!r}") from error
    # PDFium read what pypdf could not (a broken cross-reference table): its copy is the
    # repaired file, rewritten in turn.
    try:
        return _rewrite(repaired)
    except DocumentRefused:
        raise
    except Exception as error:
        raise DocumentRefused("damaged", detail=f"repaired copy: {error!r}") from error


def _pdfium_copy(data: bytes, limits: Limits) -> bytes | None:
    """PDFium's own copy of the document (it repairs as it reads), None when it cannot
    read it; refused when it needs a password or has too many pages."""
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if pdfium_c.FPDF_GetLastError() == pdfium_c.FPDF_ERR_PASSWORD:
            raise DocumentRefused("encrypted") from error
        return None
    try:
        pages = len(document)
        if pages > limits.max_pages:
            raise DocumentRefused("too_many_pages", count=pages, limit=limits.max_pages)
        if pages == 0:
            return None
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()
    except pdfium.PdfiumError:
        return None
    finally:
        document.close()


def _rewrite(data: bytes) -> bytes:
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise DocumentRefused("encrypted")
    writer = PdfWriter(clone_from=reader)
    if len(writer.pages) == 0:
        raise DocumentRefused("empty")
    _check_contents(writer)
    _strip_actions(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _check_contents(writer: PdfWriter) -> None:
    """Inflate each page's content streams, within pypdf's limit (75 MB a stream): a
    decompression bomb is refused here rather than when a page is first rendered."""
    for page in writer.pages:
        contents = _resolve(page.get("/Contents"))
        streams = _as_list(contents) if isinstance(contents, ArrayObject) else [contents]
        for stream in streams:
            if isinstance(stream, StreamObject):
                try:
                    stream.get_data()
                except LimitReachedError as error:
                    raise DocumentRefused("damaged", detail=str(error)) from error


def _strip_actions(writer: PdfWriter) -> None:
    root = writer.root_object
    for key in ("/OpenAction", "/AA"):
        root.pop(NameObject(key), None)
    names = _resolve(root.get("/Names"))
    if isinstance(names, DictionaryObject):
        for key in ("/JavaScript", "/EmbeddedFiles"):
            names.pop(NameObject(key), None)
    form = _resolve(root.get("/AcroForm"))
    if isinstance(form, DictionaryObject):
        form.pop(NameObject("/XFA"), None)
        seen: set[int] = set()
        for field in _as_list(form.get("/Fields")):
            _strip_field(field, seen)
    for page in writer.pages:
        page.pop(NameObject("/AA"), None)
        for annotation in _as_list(page.get("/Annots")):
            if isinstance(annotation, DictionaryObject):
                _strip_object(annotation)
                if annotation.get("/Subtype") == "/FileAttachment":
                    annotation.pop(NameObject("/FS"), None)


def _strip_field(field: PdfObject | None, seen: set[int]) -> None:
    field = _resolve(field)
    if not isinstance(field, DictionaryObject) or id(field) in seen:
        return
    seen.add(id(field))
    _strip_object(field)
    for kid in _as_list(field.get("/Kids")):
        _strip_field(kid, seen)


def _strip_object(item: DictionaryObject) -> None:
    item.pop(NameObject("/AA"), None)
    action = _resolve(item.get("/A"))
    if isinstance(action, DictionaryObject) and _hostile(action, set()):
        item.pop(NameObject("/A"), None)


def _hostile(action: DictionaryObject, seen: set[int]) -> bool:
    if id(action) in seen:
        return False
    seen.add(id(action))
    if action.get("/S") in _HOSTILE_ACTIONS:
        return True
    following = _resolve(action.get("/Next"))
    if isinstance(following, DictionaryObject):
        return _hostile(following, seen)
    return any(
        isinstance(step, DictionaryObject) and _hostile(step, seen) for step in _as_list(following)
    )


def _resolve(item: PdfObject | None) -> PdfObject | None:
    return item.get_object() if item is not None else None


def _as_list(item: PdfObject | None) -> list[PdfObject]:
    item = _resolve(item)
    if isinstance(item, ArrayObject):
        return [entry.get_object() for entry in item]
    return []

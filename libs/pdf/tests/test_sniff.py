from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from portico.pdf import DocumentRefused, sniff
from portico.pdf.testing import image_bytes, pdf_with_text


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (pdf_with_text("hello"), "pdf"),
        (b"garbage before\n" + pdf_with_text("hello"), "pdf"),
        (image_bytes(Image.new("RGB", (4, 4)), "JPEG"), "jpeg"),
        (image_bytes(Image.new("RGB", (4, 4)), "PNG"), "png"),
        (image_bytes(Image.new("RGB", (4, 4)), "TIFF"), "tiff"),
        (image_bytes(Image.new("RGB", (4, 4)), "WEBP"), "webp"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "heic"),
        (b"{\\rtf1\\ansi hello}", "rtf"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le"), "doc"),
        (b"name,amount\nAlice,10\nBob,20\n", "csv"),
        ("nom;montant\nÉlodie;10\nZoé;20\n".encode("cp1252"), "csv"),
        (b"Dear client,\nhere is the letter.\n", "text"),
    ],
)
def test_kinds_by_content(data: bytes, kind: str) -> None:
    assert sniff(data) == kind


def test_office_archives_by_their_content_types() -> None:
    docx = _zip(
        {
            "[Content_Types].xml": b'<Types><Override ContentType="application/vnd.openxmlformats-'
            b'officedocument.wordprocessingml.document.main+xml"/></Types>',
            "word/document.xml": b"<w:document/>",
        }
    )
    odt = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
    assert sniff(docx) == "docx"
    assert sniff(odt) == "odt"


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01\x02\x03binary\xff\xfe\x00",
        b"<html><body>hi</body></html>",
        b"PK\x03\x04 not really a zip",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 a spreadsheet",
        b"   \n  ",
    ],
)
def test_unknown_content_is_refused(data: bytes) -> None:
    with pytest.raises(DocumentRefused) as refused:
        sniff(data)
    assert refused.value.code == "unsupported_type"


def test_a_zip_of_other_things_is_refused() -> None:
    with pytest.raises(DocumentRefused):
        sniff(_zip({"a.txt": b"hello"}))

from __future__ import annotations

import io
import time
import zlib

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from portico.pdf import DocumentRefused, Limits, blank_pages, normalise
from portico.pdf.testing import bomb_pdf, image_bytes, page_texts, pdf_with_text, write


def _refusal(data: bytes, limits: Limits | None = None) -> DocumentRefused:
    with pytest.raises(DocumentRefused) as refused:
        normalise(data, limits)
    return refused.value


def test_a_pdf_is_rewritten_with_its_pages_and_sizes() -> None:
    document = normalise(pdf_with_text("one", "two", size=(600, 400)))
    assert document.source_kind == "pdf"
    assert document.page_count == 2
    assert document.page_sizes == ((600, 400), (600, 400))
    assert len(PdfReader(io.BytesIO(document.pdf)).pages) == 2


def test_rotated_pages_are_measured_as_shown() -> None:
    document = normalise(pdf_with_text("one", size=(600, 400), rotate=90))
    assert document.page_sizes == ((400, 600),)


def test_a_pdf_with_only_an_owner_password_is_accepted() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_with_text("secret"))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-256")
    document = normalise(write(writer))
    assert document.page_count == 1
    assert not PdfReader(io.BytesIO(document.pdf)).is_encrypted


def test_a_pdf_that_needs_a_password_is_refused() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_with_text("secret"))))
    writer.encrypt(user_password="user", owner_password="owner", algorithm="AES-128")
    assert _refusal(write(writer)).code == "encrypted"


def test_scripts_and_launch_actions_are_removed() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_with_text("hello"))))
    script = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hi');"),
        }
    )
    writer.root_object[NameObject("/Names")] = DictionaryObject(
        {
            NameObject("/JavaScript"): DictionaryObject(
                {NameObject("/Names"): ArrayObject([TextStringObject("hi"), script])}
            )
        }
    )
    launch = DictionaryObject(
        {
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject("calc.exe"),
        }
    )
    writer.root_object[NameObject("/OpenAction")] = launch
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): launch})
    hostile = write(writer)
    assert b"/JavaScript" in hostile
    cleaned = normalise(hostile).pdf
    for word in (b"/JavaScript", b"/OpenAction", b"/Launch", b"/AA"):
        assert word not in cleaned


def test_a_truncated_pdf_is_repaired_or_refused_as_damaged() -> None:
    data = pdf_with_text("one", "two")
    repaired = normalise(data[: data.rindex(b"xref")])  # the cross-reference table cut off
    assert repaired.page_count == 2
    assert _refusal(b"%PDF-1.7\n" + b"\x00garbage" * 100).code == "damaged"


def test_a_content_stream_bomb_is_refused_before_it_inflates() -> None:
    started = time.monotonic()
    assert _refusal(bomb_pdf(1024**3)).code == "damaged"
    assert time.monotonic() - started < 10


def test_limits_of_size_and_pages() -> None:
    data = pdf_with_text("a", "b", "c")
    refusal = _refusal(data, Limits(max_pages=2))
    assert (refusal.code, refusal.params) == ("too_many_pages", {"count": 3, "limit": 2})
    refusal = _refusal(data, Limits(max_bytes=100))
    assert refusal.code == "too_large"
    assert refusal.params["limit"] == 100
    assert "100 bytes" in refusal.message
    assert _refusal(b"").code == "empty"


def test_each_image_frame_is_a_page() -> None:
    frames = [Image.new("RGB", (200, 100), colour) for colour in ("red", "green", "blue")]
    tiff = image_bytes(frames[0], "TIFF", save_all=True, append_images=frames[1:])
    document = normalise(tiff)
    assert (document.source_kind, document.page_count) == ("tiff", 3)
    # At 96 dpi (none declared), 200 px are 150 pt.
    assert document.page_sizes[0] == (150, 75)


def test_exif_orientation_is_applied() -> None:
    image = Image.new("RGB", (300, 100), "white")
    exif = image.getexif()
    exif[0x0112] = 6  # shown turned 90° clockwise
    document = normalise(image_bytes(image, "JPEG", exif=exif.tobytes()))
    width, height = document.page_sizes[0]
    assert height > width


def test_heic_photos_are_read() -> None:
    document = normalise(image_bytes(Image.new("RGB", (64, 32), "red"), "HEIF"))
    assert (document.source_kind, document.page_sizes) == ("heic", ((48, 24),))
    assert b"ASCII85" not in document.pdf


def test_transparent_and_paletted_images_are_accepted() -> None:
    rgba = Image.new("RGBA", (50, 50), (255, 0, 0, 0))
    assert normalise(image_bytes(rgba, "PNG")).page_count == 1
    assert normalise(image_bytes(rgba.convert("P"), "PNG")).page_count == 1
    assert normalise(image_bytes(Image.new("I;16", (20, 20)), "PNG")).page_count == 1


def test_huge_photos_fit_an_a4_page() -> None:
    document = normalise(image_bytes(Image.new("RGB", (2000, 1500)), "WEBP", quality=10))
    width, height = document.page_sizes[0]
    assert width <= 842 and height == 595


def test_an_image_with_too_many_pixels_is_refused_before_decoding() -> None:
    data = image_bytes(Image.new("L", (4000, 3000)), "PNG")
    refusal = _refusal(data, Limits(max_image_pixels=1_000_000))
    assert refusal.code == "too_many_pixels"
    assert refusal.params == {"count": 12_000_000, "limit": 1_000_000}


def test_a_png_declaring_enormous_dimensions_is_refused() -> None:
    data = bytearray(image_bytes(Image.new("L", (10, 10)), "PNG"))
    # The IHDR's width and height, and its checksum.
    data[16:24] = (100_000).to_bytes(4, "big") + (100_000).to_bytes(4, "big")
    data[29:33] = zlib.crc32(data[12:29]).to_bytes(4, "big")
    refusal = _refusal(bytes(data))
    assert refusal.code == "too_many_pixels"


def test_a_damaged_image_is_refused() -> None:
    data = image_bytes(Image.new("RGB", (100, 100)), "JPEG")
    assert _refusal(data[:200]).code == "damaged"


def test_a_csv_becomes_a_table_with_its_header_on_every_page() -> None:
    rows = ["Référence;Client;Montant"] + [f"R{n};Société {n};{n},50 €" for n in range(400)]
    document = normalise("\n".join(rows).encode("cp1252"))
    assert document.source_kind == "csv"
    assert document.page_count > 3
    texts = page_texts(document.pdf)
    for text in texts:
        assert "Référence" in text
    assert "Société 399 399,50 €" in texts[-1]
    assert document.page_sizes[0] == (595.28, 841.89)  # few columns: portrait


def test_a_wide_csv_is_landscape_and_long_cells_are_cut() -> None:
    header = ",".join(f"column {n}" for n in range(12))
    row = ",".join(["x" * 2000] + ["y"] * 11)
    document = normalise(f"{header}\n{row}\n".encode("utf-16"))
    width, height = document.page_sizes[0]
    assert width > height
    text = "".join(page_texts(document.pdf))
    assert "column 11" in text
    assert text.count("x") < 400


def test_a_csv_too_long_for_the_page_limit_is_refused_before_rendering() -> None:
    data = ("a,b\n" + "1,2\n" * 20_000).encode()
    assert _refusal(data, Limits(max_pages=10)).code == "too_many_pages"


def test_plain_text_becomes_pages_of_lines() -> None:
    document = normalise(("Ligne numéro\n" * 150).encode("latin-1"))
    assert (document.source_kind, document.page_count) == ("text", 3)


def test_blank_pages_with_titles() -> None:
    pdf = blank_pages(3, "Letter", ["Identity", None, "Bank details"])
    document = normalise(pdf)
    assert document.page_count == 3
    assert document.page_sizes[0] == (612, 792)
    texts = page_texts(pdf)
    assert texts[0] == "Identity"
    assert texts[1] == ""
    assert normalise(blank_pages(1)).page_sizes == ((595.28, 841.89),)
    with pytest.raises(ValueError):
        blank_pages(0)


def test_refusals_survive_pickling() -> None:
    import pickle

    refusal = DocumentRefused("too_many_pages", count=3, limit=2)
    copy = pickle.loads(pickle.dumps(refusal))
    assert (copy.code, copy.params, copy.message) == (refusal.code, refusal.params, refusal.message)

from __future__ import annotations

import io
import unicodedata

import pytest
from PIL import Image, ImageChops, ImageDraw
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject

from portico.pdf.geometry import Box
from portico.pdf.pictures import Pictures
from portico.pdf.stamping import CheckMark, ImageMark, Mark, TextMark, stamp
from portico.pdf.testing import (
    corpus_path,
    form_pdf,
    image_bytes,
    ink_bounds,
    pdf_with_boxes,
    pdf_with_text,
    pdftotext,
    rendered,
)

SCALE = 2.0
BOX = Box(0.2, 0.3, 0.5, 0.08)


def _signature(width: int = 900, height: int = 300) -> bytes:
    """A drawn signature: dark strokes on a transparent background."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points = [(0.05, 0.8), (0.25, 0.15), (0.45, 0.85), (0.7, 0.1), (0.95, 0.7)]
    draw.line([(x * width, y * height) for x, y in points], fill=(10, 20, 90, 255), width=12)
    return image_bytes(image, "PNG")


def _ink(pdf: bytes, page: int = 0) -> tuple[float, float, float, float]:
    """Where the page's dark pixels are, as fractions of the page as shown."""
    image = rendered(pdf, page, scale=SCALE)
    bounds = ink_bounds(image)
    assert bounds is not None, "nothing was drawn"
    left, top, right, bottom = bounds
    return left / image.width, top / image.height, right / image.width, bottom / image.height


def _assert_inside(ink: tuple[float, float, float, float], box: Box, page: tuple[int, int]) -> None:
    # One pixel of anti-aliasing on each side.
    slack_x, slack_y = 1.5 / (page[0] * SCALE), 1.5 / (page[1] * SCALE)
    left, top, right, bottom = ink
    assert left >= box.x - slack_x
    assert top >= box.y - slack_y
    assert right <= box.x + box.w + slack_x
    assert bottom <= box.y + box.h + slack_y


def _shown_size(pdf: bytes) -> tuple[int, int]:
    image = rendered(pdf, scale=1)
    return image.width, image.height


MARKS: dict[str, Mark] = {
    "text": TextMark(0, BOX, "Éloïse Müller-Françoise", size=30),
    "arabic": TextMark(0, BOX, "محمد بن عبد الله", size=30, align="right"),
    "multiline": TextMark(0, BOX, "東京都渋谷区神南一丁目 二丁目 三丁目", size=30, multiline=True),
    "handwriting": TextMark(0, BOX, "Jean Dupont", size=40, handwriting=True, align="center"),
    "cells": TextMark(0, BOX, "FR7630006000011234567890189", cells=27),
    "check": CheckMark(0, BOX),
    "image": ImageMark(0, BOX, _signature()),
}
PAGES = {
    "portrait": {},
    "rotated 90": {"rotate": 90},
    "rotated 180": {"rotate": 180},
    "rotated 270": {"rotate": 270},
    "crop box offset": {"crop": (50.0, 80.0, 450.0, 700.0)},
    "negative media box": {"media": (-300.0, -400.0, 295.0, 442.0)},
    "negative media box, offset crop, rotated 90": {
        "media": (-300.0, -400.0, 295.0, 442.0),
        "crop": (-250.0, -350.0, 200.0, 300.0),
        "rotate": 90,
    },
}


@pytest.mark.parametrize("page_name", list(PAGES))
@pytest.mark.parametrize("mark_name", list(MARKS))
def test_a_mark_lands_in_its_box_on_any_page(page_name: str, mark_name: str) -> None:
    options = dict(PAGES[page_name])
    media = options.pop("media", (0.0, 0.0, 595.0, 842.0))
    pdf = pdf_with_boxes(media, **options)  # type: ignore[arg-type]
    stamped = stamp(pdf, [MARKS[mark_name]])
    ink = _ink(stamped)
    _assert_inside(ink, BOX, _shown_size(stamped))
    # And it fills a good part of it: the right box, not a corner of it.
    assert (ink[2] - ink[0]) > BOX.w * 0.3 or (ink[3] - ink[1]) > BOX.h * 0.6


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_text_stays_upright_as_the_page_is_shown(rotate: int) -> None:
    pdf = pdf_with_boxes(rotate=rotate)
    stamped = stamp(pdf, [TextMark(0, Box(0.1, 0.1, 0.8, 0.1), "Lorem ipsum", size=60)])
    ink = _ink(stamped)
    # Upright text is wider than it is tall, on the page as shown.
    width, height = _shown_size(stamped)
    assert (ink[2] - ink[0]) * width > 2 * (ink[3] - ink[1]) * height
    assert pdftotext(stamped).strip() == "Lorem ipsum"


def test_values_in_every_script_read_back() -> None:
    values = [
        ("Éloïse Müller-Françoise", False),
        ("محمد بن عبد الله", False),
        ("שלום עולם", False),
        ("東京都渋谷区神南", False),
        ("서울특별시 강남구", False),
        ("北京市朝阳区", False),
        ("عبد الرحمن", True),
        ("Jean Dupont", True),
    ]
    marks = [
        TextMark(0, Box(0.1, 0.2 + 0.08 * index, 0.6, 0.05), text, handwriting=handwriting)
        for index, (text, handwriting) in enumerate(values)
    ]
    stamped = stamp(pdf_with_text("Contract"), marks)
    lines = [" ".join(line.split()) for line in pdftotext(stamped).splitlines() if line.strip()]
    assert lines == ["Contract"] + [unicodedata.normalize("NFKC", text) for text, _ in values]
    # pypdf reads the scripts it can (not right-to-left ones, which it leaves in visual order).
    extracted = PdfReader(io.BytesIO(stamped)).pages[0].extract_text()
    for text in (
        "Éloïse Müller-Françoise",
        "東京都渋谷区神南",
        "서울특별시 강남구",
        "北京市朝阳区",
    ):
        assert text in extracted


def test_only_the_characters_drawn_are_embedded() -> None:
    """The stamped font holds the glyphs of "Jane Doe" (and the space), not all of ASCII
    with them; the value still reads back."""
    marks = [TextMark(0, Box(0.1, 0.5, 0.6, 0.05), "Jane Doe")]
    stamped = stamp(pdf_with_text("Contract"), marks)
    reader = PdfReader(io.BytesIO(stamped))
    objects = (reader.get_object(number) for number in range(1, int(reader.trailer["/Size"])))
    fonts = [
        item
        for item in objects
        if isinstance(item, DictionaryObject) and item.get("/Subtype") == "/TrueType"
    ]
    assert fonts
    assert all(int(font["/LastChar"]) - int(font["/FirstChar"]) < 40 for font in fonts)
    assert "Jane Doe" in reader.pages[0].extract_text()


def test_text_shrinks_to_fit_and_is_centred_vertically() -> None:
    box = Box(0.1, 0.5, 0.2, 0.02)
    long_value = "A value far too long for the small box it was given"
    stamped = stamp(pdf_with_boxes(), [TextMark(0, box, long_value, size=20)])
    ink = _ink(stamped)
    _assert_inside(ink, box, _shown_size(stamped))
    assert " ".join(pdftotext(stamped).split()) == long_value
    tall = Box(0.1, 0.2, 0.5, 0.2)
    stamped = stamp(pdf_with_boxes(), [TextMark(0, tall, "Centred", size=12)])
    top, bottom = _ink(stamped)[1], _ink(stamped)[3]
    assert (top + bottom) / 2 == pytest.approx(tall.y + tall.h / 2, abs=0.01)


def test_multiline_text_wraps_within_its_box() -> None:
    box = Box(0.1, 0.1, 0.3, 0.2)
    text = "Flat 4, 12 rue de la République, 69002 Lyon, France. Second floor, door on the left."
    stamped = stamp(pdf_with_boxes(), [TextMark(0, box, text, size=14, multiline=True)])
    _assert_inside(_ink(stamped), box, _shown_size(stamped))
    lines = [line for line in pdftotext(stamped).splitlines() if line.strip()]
    assert len(lines) >= 3
    assert " ".join(" ".join(lines).split()) == text


def test_cells_take_one_character_each() -> None:
    box = Box(0.05, 0.4, 0.9, 0.03)
    iban = "FR7630006000011234567890189"
    stamped = stamp(pdf_with_boxes(), [TextMark(0, box, iban, cells=len(iban))])
    image = rendered(stamped, scale=SCALE)
    cell = box.w * image.width / len(iban)
    top, bottom = round(box.y * image.height), round((box.y + box.h) * image.height)
    for index in range(len(iban)):
        left = box.x * image.width + cell * index
        inside = ink_bounds(image.crop((round(left), top, round(left + cell), bottom)))
        assert inside is not None, f"cell {index} is empty"
        # Each character centred in its cell, clear of its edges.
        assert inside[0] > 1 and inside[2] < cell - 1
        assert (inside[0] + inside[2]) / 2 == pytest.approx(cell / 2, abs=cell * 0.15)
    assert "".join(pdftotext(stamped).split()) == iban


def test_a_check_mark_is_drawn_with_lines_not_a_font() -> None:
    box = Box(0.5, 0.5, 0.04, 0.03)
    stamped = stamp(pdf_with_boxes(), [CheckMark(0, box)])
    _assert_inside(_ink(stamped), box, _shown_size(stamped))
    assert pdftotext(stamped).strip() == ""
    page = PdfReader(io.BytesIO(stamped)).pages[0]
    drawing = page["/Resources"]["/XObject"]["/PorticoStamp"].get_object().get_data()
    assert b"\nS\n" in drawing
    assert b"Tj" not in drawing and b"TJ" not in drawing


def _overlay_resources(pdf: bytes) -> DictionaryObject:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    stamp_form = page["/Resources"]["/XObject"]["/PorticoStamp"].get_object()
    resources = stamp_form["/Resources"].get_object()
    assert isinstance(resources, DictionaryObject)
    return resources


def _images(pdf: bytes) -> list[StreamObject]:
    xobjects = _overlay_resources(pdf)["/XObject"].get_object()
    return [
        xobjects[name].get_object()
        for name in xobjects
        if xobjects[name].get_object()["/Subtype"] == "/Image"
    ]


def test_a_signature_keeps_its_transparency() -> None:
    page = pdf_with_text("Signed here")
    box = Box(0.1, 0.05, 0.5, 0.1)
    stamped = stamp(page, [ImageMark(0, box, _signature())])
    [image] = _images(stamped)
    assert image["/Filter"] == "/FlateDecode" and "/SMask" in image
    # The page's own text, under the signature's transparent parts, still shows: every
    # pixel dark before is dark after.
    assert "Signed here" in pdftotext(stamped)
    text_area = tuple(round(v * SCALE) for v in (70, 100 - 12, 160, 100 + 4))
    before = rendered(page, scale=SCALE).crop(text_area).point(lambda v: v < 160 and 255)
    after = rendered(stamped, scale=SCALE).crop(text_area).point(lambda v: v < 160 and 255)
    assert before.getbbox() is not None
    assert ImageChops.subtract(before, after).getbbox() is None
    # Fitted keeping its proportions (3:1), centred in the box.
    signature = ImageChops.difference(rendered(page, scale=SCALE), rendered(stamped, scale=SCALE))
    width, height = signature.size
    left, top, right, bottom = ink_bounds(ImageChops.invert(signature)) or (0, 0, 0, 0)
    ink = (left / width, top / height, right / width, bottom / height)
    _assert_inside(ink, box, _shown_size(stamped))
    assert (ink[0] + ink[2]) / 2 == pytest.approx(box.x + box.w / 2, abs=0.01)
    # The box is 297 by 84 points: the 3:1 image takes its height, 252 points wide.
    assert (right - left) / SCALE == pytest.approx(252 * 0.9, rel=0.1)


def test_a_big_photo_is_downscaled_and_recompressed() -> None:
    photo = Image.effect_noise((4000, 3000), 40).convert("RGB")
    data = image_bytes(photo, "JPEG", quality=95)
    assert len(data) > 2_000_000
    page = pdf_with_boxes()
    # 5 cm wide.
    box = Box(0.2, 0.2, 141.7 / 595, 0.2)
    stamped = stamp(page, [ImageMark(0, box, data)])
    assert len(stamped) - len(page) < 200_000
    [image] = _images(stamped)
    assert image["/Filter"] == "/DCTDecode"
    assert int(image["/Width"]) <= 2 * 141.7 / 72 * 200
    _assert_inside(_ink(stamped), box, _shown_size(stamped))


def test_a_small_jpeg_is_kept_as_it_is() -> None:
    photo = Image.new("RGB", (300, 200), (40, 60, 90))
    data = image_bytes(photo, "JPEG", quality=80)
    stamped = stamp(pdf_with_boxes(), [ImageMark(0, Box(0.1, 0.1, 0.4, 0.2), data)])
    [image] = _images(stamped)
    assert image.get_data() == data


def _fields(pdf: bytes) -> list[DictionaryObject]:
    reader = PdfReader(io.BytesIO(pdf))
    widgets = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or ArrayObject():
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/Widget":
                widgets.append(annotation)
    return widgets


def test_form_fields_are_flattened() -> None:
    pdf = form_pdf()
    assert _fields(pdf) and "/AcroForm" in PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    stamped = stamp(pdf, [TextMark(0, Box(0.5, 0.1, 0.3, 0.05), "Signed in Lyon")])
    reader = PdfReader(io.BytesIO(stamped))
    assert "/AcroForm" not in reader.trailer["/Root"]
    assert _fields(stamped) == []
    assert reader.get_fields() in (None, {})
    # The field's value and the ticked box are now part of the page.
    text = pdftotext(stamped)
    assert "Lyon" in text.split("Signed in Lyon")[0] + text.split("Signed in Lyon")[-1]
    image = rendered(stamped, scale=1)
    check = image.crop((100, 800 - 520, 120, 800 - 500))
    assert ink_bounds(check) is not None


def test_a_corpus_form_is_flattened() -> None:
    source = corpus_path() / "sample-files" / "010-pdflatex-forms" / "pdflatex-forms.pdf"
    pdf = source.read_bytes()
    assert _fields(pdf)
    stamped = stamp(pdf, [])
    reader = PdfReader(io.BytesIO(stamped))
    assert _fields(stamped) == []
    assert "/AcroForm" not in reader.trailer["/Root"]
    assert len(reader.pages) == len(PdfReader(io.BytesIO(pdf)).pages)
    # The check box's appearance was drawn into the page.
    assert ink_bounds(rendered(stamped, scale=1)) is not None
    for word in ("Name", "Check", "Submit"):
        assert word in pdftotext(stamped)


def test_untouched_pages_stay_as_they_were() -> None:
    pdf = pdf_with_text("one", "two", "three")
    stamped = stamp(pdf, [TextMark(1, Box(0.1, 0.1, 0.5, 0.05), "Stamped")])
    before, after = PdfReader(io.BytesIO(pdf)), PdfReader(io.BytesIO(stamped))
    assert len(after.pages) == 3
    for index in (0, 2):
        assert after.pages[index].get_contents().get_data() == (
            before.pages[index].get_contents().get_data()
        )
        assert "/XObject" not in after.pages[index]["/Resources"]
    assert pdftotext(stamped, page=1).split() == ["two", "Stamped"]
    assert [pdftotext(stamped, page=index).strip() for index in (0, 2)] == ["one", "three"]


def test_the_original_content_keeps_its_place_and_state() -> None:
    # A page whose content leaves the graphics state changed (no closing Q): the stamp is
    # drawn from the page's own state all the same.
    pdf = pdf_with_boxes()
    reader = PdfReader(io.BytesIO(pdf))
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=reader)
    content = StreamObject()
    content.set_data(b"1 0 0 1 300 300 cm 0.5 g")
    writer.pages[0][NameObject("/Contents")] = writer._add_object(content)
    buffer = io.BytesIO()
    writer.write(buffer)
    box = Box(0.1, 0.1, 0.3, 0.05)
    stamped = stamp(buffer.getvalue(), [CheckMark(0, box)])
    _assert_inside(_ink(stamped), box, _shown_size(stamped))


def test_marks_on_missing_pages_are_refused() -> None:
    with pytest.raises(ValueError, match="page 3"):
        stamp(pdf_with_text("one"), [CheckMark(3, BOX)])


def test_several_marks_on_several_pages_in_one_pass() -> None:
    pdf = pdf_with_text("one", "two", rotate=90)
    marks: list[Mark] = [
        TextMark(page, Box(0.1, 0.1 + 0.1 * row, 0.5, 0.05), f"value {page}.{row}")
        for page in (0, 1)
        for row in range(5)
    ]
    marks += [
        ImageMark(1, Box(0.1, 0.8, 0.3, 0.1), _signature()),
        CheckMark(0, Box(0.8, 0.8, 0.05, 0.05)),
    ]
    stamped = stamp(pdf, marks)
    for page in (0, 1):
        values = [line for line in pdftotext(stamped, page=page).splitlines() if "value" in line]
        assert sorted(values) == [f"value {page}.{row}" for row in range(5)]


def test_a_signature_shared_with_the_certificate_is_decoded_once_and_left_as_it_was() -> None:
    signature = _signature()
    pictures = Pictures()
    decoded = pictures.decoded(signature)
    pixels = decoded.tobytes()
    page = pdf_with_text("Signed here")
    box = Box(0.1, 0.05, 0.5, 0.1)
    shared = stamp(page, [ImageMark(0, box, signature)], pictures=pictures)
    # The stamp drew the image it was given, and changed nothing in it.
    assert pictures.decoded(signature) is decoded
    assert decoded.mode == "RGBA" and decoded.tobytes() == pixels
    # Drawn from the shared image or from its own, the page is the same.
    alone = stamp(page, [ImageMark(0, box, signature)])
    assert _images(shared)[0].get_data() == _images(alone)[0].get_data()

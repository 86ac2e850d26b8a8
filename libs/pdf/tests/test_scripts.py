from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate

from portico.pdf import fonts, scripts
from portico.pdf.fonts import face_for, harfbuzz_font
from portico.pdf.scripts import (
    MIN_SIZE,
    draw_text,
    fit_text,
    layout,
    paragraph_markup,
    script_of,
    text_width,
)
from portico.pdf.testing import ink_bounds, page_texts, pdftotext, rendered

VALUES = {
    "french": "Éloïse Müller-Françoise, née à Orléans",
    "arabic": "محمد بن عبد الله",
    "hebrew": "שלום עולם",
    "japanese": "東京都渋谷区神南一丁目",
    "korean": "서울특별시 강남구 테헤란로",
    "chinese": "北京市朝阳区建国路",
    "greek": "Αθήνα",
    "russian": "Москва, Красная площадь",
}


def _pdf(lines: list[tuple[str, bool]], size: float = 14) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(500, 60 + 40 * len(lines)))
    y = 30 + 40 * len(lines)
    for text, handwriting in lines:
        draw_text(canvas, 30, y, text, size, handwriting=handwriting)
        y -= 40
    canvas.save()
    return buffer.getvalue()


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def test_each_script_takes_its_font() -> None:
    assert script_of("é") == script_of("Ж") == script_of("λ") == "latin"
    assert (script_of("م"), script_of("ש")) == ("arabic", "hebrew")
    assert script_of("東") == script_of("か") == script_of("カ") == "han"
    assert script_of("한") == "hangul"
    assert script_of("क") == "Devanagari"
    assert script_of("1") is script_of(" ") is script_of(",") is None

    def file(script: str, **options: bool) -> str:
        path = face_for(script, **options).path
        return path.name if path else ""

    assert file("latin") == "NotoSans-Regular.ttf"
    assert file("latin", bold=True) == "NotoSans-Bold.ttf"
    assert file("arabic") == "NotoSansArabic-Regular.ttf"
    assert file("arabic", handwriting=True) == "Amiri-Regular.ttf"
    assert file("hebrew") == "NotoSansHebrew-Regular.ttf"
    assert file("han") == "DroidSansFallbackFull.ttf"
    assert file("hangul") == "NanumGothic.ttf"
    assert file("Devanagari") == "NotoSansDevanagari-Regular.ttf"
    handwriting = face_for("latin", handwriting=True)
    assert handwriting.path is not None and handwriting.path.name == "DancingScript-Regular.otf"
    # Dancing Script's outlines are CFF, which reportlab cannot embed: drawn as paths.
    assert handwriting.outlined
    # Registered once: the same face, the same reportlab font, on every call.
    assert face_for("arabic") is face_for("arabic")


def test_every_script_reads_back_as_it_was_typed() -> None:
    lines = [(text, False) for text in VALUES.values()]
    lines += [("Jean-Éric Dupont", True), ("محمد بن عبد الله", True), ("שלום עולם", True)]
    pdf = _pdf(lines)
    extracted = [_normal(line) for line in pdftotext(pdf).splitlines() if line.strip()]
    assert extracted == [_normal(text) for text, _ in lines]


def test_latin_and_cjk_read_back_with_pypdf_and_pdfium() -> None:
    texts = [VALUES["french"], VALUES["japanese"], VALUES["chinese"], VALUES["korean"]]
    pdf = _pdf([(text, False) for text in texts])
    from_pypdf = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    from_pdfium = page_texts(pdf)[0]
    for text in texts:
        assert text in from_pypdf
        assert text in from_pdfium


def test_right_to_left_runs_are_in_visual_order() -> None:
    hebrew = layout("שלום abc 12")
    # Read left to right: the number, the Latin word, then the Hebrew one reversed.
    assert "".join(run.text for run in hebrew.runs) == "abc 12 םולש"
    mixed = layout("Client: שלום עולם.")
    assert "".join(run.text for run in mixed.runs) == "Client: םלוע םולש."
    # Brackets mirrored in right-to-left text.
    assert "".join(run.text for run in layout("שלום (א)").runs) == "(א) םולש"


def test_arabic_letters_are_joined_and_harakat_kept() -> None:
    [run] = layout("محمد").runs
    names = [unicodedata.name(char) for char in run.text]
    # Visual order: the final dal first, the initial meem last.
    assert names[0].endswith("FINAL FORM") and names[-1].endswith("INITIAL FORM")
    assert all("ARABIC LETTER" in name for name in names)
    vowelled = "مُحَمَّد"
    pdf = _pdf([(vowelled, False)])
    assert _normal(pdftotext(pdf)) == _normal(vowelled)
    # Lam-alef is the one ligature Arabic requires.
    [run] = layout("لا").runs
    assert run.text == "\ufefb"


def test_mixed_scripts_on_one_line_each_take_their_font() -> None:
    line = layout("Name: 山田 太郎 / 김민수 / محمد")
    fonts_used = {run.face.path.name for run in line.runs if run.face.path}
    assert {
        "NotoSans-Regular.ttf",
        "DroidSansFallbackFull.ttf",
        "NanumGothic.ttf",
        "NotoSansArabic-Regular.ttf",
    } <= fonts_used


def test_scripts_that_need_shaping_are_shaped_by_harfbuzz_and_read_back() -> None:
    # Devanagari's i vowel sign is written before the consonant it follows in the text.
    [run] = layout("कि").runs
    font = harfbuzz_font(run.face)
    assert run.face.outlined
    ka = font.get_nominal_glyph(ord("क"))
    assert [glyph for glyph, *_ in run.glyphs][1:] == [ka]
    hindi = "किताब हिन्दी"
    pdf = _pdf([(hindi, False)])
    assert _normal(pdftotext(pdf)) == hindi
    assert ink_bounds(rendered(pdf)) is not None


def test_handwriting_is_drawn_and_reads_back() -> None:
    pdf = _pdf([("Jean Dupont", True)], size=24)
    assert _normal(pdftotext(pdf)) == "Jean Dupont"
    image = rendered(pdf)
    left, _, right, _ = ink_bounds(image) or (0, 0, 0, 0)
    expected = text_width("Jean Dupont", 24, handwriting=True) * 2
    assert right - left == pytest.approx(expected, rel=0.15)


def test_text_width_scales_with_size_and_alignment_ends_where_asked() -> None:
    width = text_width("Portico", 10)
    assert width > 0
    assert text_width("Portico", 20) == pytest.approx(2 * width)
    assert text_width("Portico", 10, bold=True) > width
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(400, 100))
    draw_text(canvas, 300, 50, "Portico", 20, align="right")
    draw_text(canvas, 200, 20, "Portico", 20, align="center")
    canvas.save()
    image = rendered(buffer.getvalue(), scale=1)
    right = ink_bounds(image.crop((0, 0, 400, 60)))
    centred = ink_bounds(image.crop((0, 60, 400, 100)))
    assert right is not None and right[2] == pytest.approx(300, abs=3)
    assert centred is not None and (centred[0] + centred[2]) / 2 == pytest.approx(200, abs=3)


def test_single_line_text_shrinks_to_fit_its_box() -> None:
    text = "A rather long value that does not fit"
    fitted = fit_text(text, 100, 20, 12, multiline=False)
    assert fitted.lines == (text,)
    assert fitted.size < 12
    assert text_width(text, fitted.size) <= 100 + 1e-6
    assert fitted.height <= 20 + 1e-6
    roomy = fit_text("Short", 200, 30, 12, multiline=False)
    assert roomy.size == 12
    # A box lower than the text: the height decides.
    low = fit_text("Short", 200, 8, 12, multiline=False)
    assert low.height == pytest.approx(8)


def test_multiline_text_wraps_at_spaces_then_shrinks() -> None:
    text = "The quick brown fox jumps over the lazy dog " * 3
    fitted = fit_text(text, 120, 200, 11, multiline=True)
    assert fitted.size == 11 and len(fitted.lines) > 3
    assert all(text_width(line, 11) <= 120 for line in fitted.lines)
    assert " ".join(fitted.lines).split() == text.split()
    tight = fit_text(text, 120, 40, 11, multiline=True)
    assert MIN_SIZE <= tight.size < 11
    assert tight.height <= 40 + 1e-6
    assert all(text_width(line, tight.size) <= 120 + 1e-6 for line in tight.lines)
    # A line break of the text starts a new line.
    assert fit_text("one\ntwo", 200, 100, 11, multiline=True).lines == ("one", "two")


def test_cjk_wraps_between_characters_but_not_before_closing_punctuation() -> None:
    text = "東京都渋谷区神南一丁目、二丁目。北京市朝阳区建国路。"
    fitted = fit_text(text, 60, 300, 12, multiline=True)
    assert len(fitted.lines) > 2
    assert "".join(fitted.lines) == text
    assert all(text_width(line, 12) <= 60 for line in fitted.lines)
    assert not any(line.startswith(("、", "。")) for line in fitted.lines)


def test_a_value_is_never_cut_it_only_gets_smaller() -> None:
    text = "x" * 400
    fitted = fit_text(text, 50, 10, 12, multiline=False)
    assert fitted.size < MIN_SIZE and not fitted.legible
    assert text_width(text, fitted.size) <= 50 + 1e-6
    wrapped = fit_text(text, 50, 10, 12, multiline=True)
    assert "".join(wrapped.lines) == text
    assert wrapped.height <= 10 + 1e-6


def test_paragraph_markup_is_escaped_in_visual_order_and_builds() -> None:
    markup = paragraph_markup("Tom & Jerry <3 محمد")
    assert "&amp;" in markup and "&lt;3" in markup
    assert f'<font name="{face_for("arabic").font}">' in markup
    assert "\ufee3" in markup or "\ufee4" in markup or "\ufee1" in markup
    assert paragraph_markup("Bold", bold=True).startswith(
        f'<font name="{face_for("latin", bold=True).font}">'
    )
    buffer = io.BytesIO()
    style = ParagraphStyle("body", fontName=face_for("latin").font, fontSize=11)
    story = [
        Paragraph(paragraph_markup(text), style)
        for text in ("Tom & Jerry", VALUES["arabic"], VALUES["japanese"], VALUES["korean"])
    ]
    SimpleDocTemplate(buffer).build(story)
    extracted = _normal(pdftotext(buffer.getvalue()))
    for text in ("Tom & Jerry", VALUES["arabic"], VALUES["japanese"], VALUES["korean"]):
        assert _normal(text) in extracted


@pytest.fixture
def no_fonts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """A machine without the font packages: every font directory is empty."""

    def clear() -> None:
        for cached in (
            fonts._face_for,
            fonts._fallback_faces,
            fonts._plain,
            fonts._charset,
            scripts._layout,
            scripts.script_of,
            scripts._has_font,
            scripts._reshaper,
        ):
            cached.cache_clear()

    for name in ("_DEJAVU", "_NOTO", "_NANUM", "_DANCING", "_AMIRI"):
        monkeypatch.setattr(fonts, name, tmp_path / name)
    monkeypatch.setattr(fonts, "_DROID", tmp_path / "droid.ttf")
    clear()
    yield
    monkeypatch.undo()
    clear()


@pytest.mark.usefixtures("no_fonts")
def test_without_the_font_packages_text_still_draws() -> None:
    assert face_for("latin").font == "Helvetica"
    assert face_for("arabic").font == "Helvetica"
    assert face_for("latin", handwriting=True).font == "Helvetica-Oblique"
    pdf = _pdf([("Éloïse", False), ("محمد", False), ("東京", True), ("Jean", True)])
    assert "Éloïse" in pdftotext(pdf)
    fitted = fit_text("東京都 渋谷区", 40, 40, 12, multiline=True)
    assert fitted.lines
    assert paragraph_markup("Tom & Jerry").startswith('<font name="Helvetica">')

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, TextStringObject
from reportlab.pdfgen.canvas import Canvas

from portico.kit.testing.backends import unavailable
from portico.pdf import DocumentRefused, FormField, normalise, read_fields
from portico.pdf.testing import corpus_path, pdf_with_text, write


def _form(rotate: int = 0) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(600, 800))
    form = canvas.acroForm
    form.textfield(name="iban", x=100, y=600, width=200, height=20, maxlen=34, value="FR76")
    form.textfield(name="notes", x=100, y=500, width=200, height=60, fieldFlags="multiline")
    form.checkbox(name="agree", x=100, y=450, size=15, checked=True)
    form.radio(name="plan", value="basic", selected=False, x=100, y=400, size=15)
    form.radio(name="plan", value="premium", selected=True, x=150, y=400, size=15)
    form.choice(
        name="country", options=["France", "Belgium"], value="Belgium", x=100, y=300, width=100
    )
    canvas.showPage()
    canvas.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buffer.getvalue())))
    signature = DictionaryObject(
        {
            NameObject("/FT"): NameObject("/Sig"),
            NameObject("/T"): TextStringObject("client_signature"),
            NameObject("/Ff"): FloatObject(2),
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (300, 100, 500, 160)]),
        }
    )
    reference = writer._add_object(signature)
    writer.pages[0][NameObject("/Annots")].append(reference)
    writer.root_object["/AcroForm"]["/Fields"].append(reference)
    if rotate:
        writer.pages[0].rotate(rotate)
    return write(writer)


def _by_name(fields: list[FormField]) -> dict[str, FormField]:
    return {field.name: field for field in fields}


def test_each_kind_of_field_with_its_place_and_settings() -> None:
    fields = _by_name(read_fields(normalise(_form()).pdf))
    assert set(fields) == {"iban", "notes", "agree", "plan", "country", "client_signature"}
    iban = fields["iban"]
    assert (iban.kind, iban.value, iban.max_length, iban.multiline) == ("text", "FR76", 34, False)
    assert iban.page == 0
    assert iban.box.x == pytest.approx(100 / 600)
    assert iban.box.y == pytest.approx((800 - 620) / 800)
    assert (iban.box.w, iban.box.h) == (pytest.approx(200 / 600), pytest.approx(20 / 800))
    assert fields["notes"].multiline
    assert (fields["agree"].kind, fields["agree"].value) == ("checkbox", "Yes")
    plan = fields["plan"]
    assert (plan.kind, plan.value, plan.options) == ("radio", "premium", ("basic", "premium"))
    assert [widget.option for widget in plan.widgets] == ["basic", "premium"]
    country = fields["country"]
    assert (country.kind, country.value) == ("choice", "Belgium")
    assert country.options == ("France", "Belgium")
    signature = fields["client_signature"]
    assert (signature.kind, signature.required) == ("signature", True)
    assert signature.box.y == pytest.approx((800 - 160) / 800)


def test_places_follow_the_page_rotation() -> None:
    fields = _by_name(read_fields(_form(rotate=90)))
    box = fields["iban"].box
    # Turned clockwise: the field's bottom edge (y=600) is now its left one.
    assert box.x == pytest.approx(1 - (800 - 600) / 800)
    assert box.y == pytest.approx(100 / 600)
    assert (box.w, box.h) == (pytest.approx(20 / 800), pytest.approx(200 / 600))


def test_a_pdf_without_a_form_has_no_fields() -> None:
    assert read_fields(pdf_with_text("nothing to fill")) == []


def test_an_unreadable_pdf_is_refused() -> None:
    with pytest.raises(DocumentRefused):
        read_fields(b"%PDF-1.4 nothing else")


def test_a_libreoffice_form_from_the_corpus() -> None:
    path = corpus_path() / "sample-files" / "012-libreoffice-form" / "libreoffice-form.pdf"
    if not path.is_file():
        unavailable(f"the corpus is not at {corpus_path()}")
    fields = _by_name(read_fields(normalise(path.read_bytes()).pdf))
    assert fields["First Name"].value == "Alice"
    assert fields["Nationality"].kind == "choice"
    assert "French" in fields["Nationality"].options
    assert fields["female"].kind == "radio"
    assert len(fields["female"].widgets) == 2
    assert fields["First Name_2"].multiline

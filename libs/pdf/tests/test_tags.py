from __future__ import annotations

import io

import pytest
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from portico.pdf import TagProblem, TagSpec, find_tags, hide_tags, parse_tag, render_page
from portico.pdf.testing import page_texts


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("signature;role=Client", TagSpec("signature", "Client")),
        ("date;role=Company;required", TagSpec("date", "Company", required=True)),
        ("text;role=Client;label=IBAN", TagSpec("text", "Client", options={"label": "IBAN"})),
        (" Signing-Date ; role = Client ", TagSpec("signing_date", "Client")),
        ("checkbox;required=false", TagSpec("checkbox")),
        ("initials;;role=Client;", TagSpec("initials", "Client")),
    ],
)
def test_tags_are_read(text: str, spec: TagSpec) -> None:
    assert parse_tag(text) == spec


@pytest.mark.parametrize("text", ["", "client.name", "sign;role=A", "text;=x", "text;a b=c"])
def test_what_is_no_tag_is_reported_not_raised(text: str) -> None:
    assert isinstance(parse_tag(text), TagProblem)


def _tagged_pdf() -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(600, 800))
    canvas.setFont("Helvetica", 12)
    canvas.drawString(72, 700, "Signed by the client:")
    canvas.drawString(72, 600, "{{signature;role=Client}}")
    canvas.drawString(320, 600, "{{date;role=Company;required}}")
    canvas.drawString(72, 500, "Mustache {{client.name}} is a prefill, not a field.")
    canvas.showPage()
    canvas.drawString(72, 700, "IBAN: {{text;role=Client;label=IBAN}}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_tags_are_found_where_they_stand() -> None:
    found = find_tags(_tagged_pdf())
    assert [(tag.type, tag.role, tag.page) for tag in found.tags] == [
        ("signature", "Client", 0),
        ("date", "Company", 0),
        ("text", "Client", 1),
    ]
    signature, date, iban = found.tags
    assert signature.box.x == pytest.approx(72 / 600, abs=0.005)
    assert signature.box.y == pytest.approx((800 - 609) / 800, abs=0.01)
    assert 0.2 < signature.box.w < 0.4
    assert 0.01 < signature.box.h < 0.02
    assert date.spec.required
    assert iban.spec.options == {"label": "IBAN"}
    assert [(page, problem.text) for page, problem in found.problems] == [(0, "client.name")]


def test_hidden_tags_leave_the_rest_of_the_page() -> None:
    pdf = _tagged_pdf()
    found = find_tags(pdf)
    hidden = hide_tags(pdf, found.tags)
    image = Image.open(io.BytesIO(render_page(hidden, 0, 600))).convert("L")
    for tag in found.tags[:2]:
        left, top = int(tag.box.x * 600), int(tag.box.y * 800)
        right, bottom = left + int(tag.box.w * 600), top + int(tag.box.h * 800)
        assert image.crop((left, top, right, bottom)).getextrema() == (255, 255)
    assert "Signed by the client:" in page_texts(hidden)[0]
    # The tags' text is covered, not removed: it can still be found under the white.
    assert len(find_tags(hidden).tags) == 3

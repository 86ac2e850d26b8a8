"""An upload made ready in one isolated pass: its clean PDF, its fields and page 1."""

import io

import pytest
from PIL import Image

from portico.pdf import DocumentRefused, Limits, ingest_isolated, render_pages
from portico.pdf.testing import pdf_with_text


def test_an_upload_comes_back_with_its_tags_hidden_and_its_first_page_rendered() -> None:
    pdf = pdf_with_text("Sign here: {{signature;role=Company}}", "Page two")
    ingested = ingest_isolated(pdf, Limits(), (300, 1200))
    assert ingested.document.page_count == 2
    assert [tag.type for tag in ingested.tags] == ["signature"]
    assert ingested.pdf != ingested.document.pdf
    assert [(p.index, p.width_px) for p in ingested.first_previews] == [(0, 300), (0, 1200)]
    assert Image.open(io.BytesIO(ingested.first_previews[1].webp)).size[0] == 1200


@pytest.mark.parametrize(
    ("data", "code"), [(b"", "empty"), (b"\x00\x01 nothing known", "unsupported_type")]
)
def test_what_the_first_bytes_refuse_is_refused_without_a_child(data: bytes, code: str) -> None:
    with pytest.raises(DocumentRefused) as refused:
        ingest_isolated(data, Limits(isolated_seconds=0.001), (300,))
    assert refused.value.code == code


def test_previews_of_chosen_pages_only() -> None:
    pdf = pdf_with_text("one", "two", "three")
    rendered = [(p.index, p.width_px) for p in render_pages(pdf, (100,), pages=range(1, 3))]
    assert rendered == [(1, 100), (2, 100)]

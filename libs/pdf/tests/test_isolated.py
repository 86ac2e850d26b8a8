from __future__ import annotations

import io
import time
import zlib

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from portico.pdf import DocumentRefused, Limits, normalise, normalise_isolated, run_isolated
from portico.pdf.testing import bomb_pdf, image_bytes, pdf_with_text, write


def test_the_same_document_as_in_process() -> None:
    data = pdf_with_text("one", "two")
    isolated = normalise_isolated(data)
    local = normalise(data)
    assert (isolated.page_count, isolated.page_sizes) == (local.page_count, local.page_sizes)
    assert len(PdfReader(io.BytesIO(isolated.pdf)).pages) == 2


def test_refusals_come_back_with_their_code_and_numbers() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_with_text("secret"))))
    writer.encrypt(user_password="user", owner_password="owner")
    with pytest.raises(DocumentRefused) as refused:
        normalise_isolated(write(writer))
    assert refused.value.code == "encrypted"
    with pytest.raises(DocumentRefused) as refused:
        normalise_isolated(pdf_with_text("a", "b"), Limits(max_pages=1))
    assert (refused.value.code, refused.value.params) == (
        "too_many_pages",
        {"count": 2, "limit": 1},
    )


def test_a_decompression_bomb_is_refused_within_its_limits() -> None:
    data = bomb_pdf(1024**3)  # 2 MB inflating to twice 1 GB
    limits = Limits(isolated_seconds=30, isolated_memory_bytes=1024**3)
    started = time.monotonic()
    with pytest.raises(DocumentRefused) as refused:
        normalise_isolated(data, limits)
    assert refused.value.code == "damaged"
    assert time.monotonic() - started < limits.isolated_seconds


def test_a_png_declaring_enormous_dimensions_is_refused_in_isolation() -> None:
    data = bytearray(image_bytes(Image.new("L", (10, 10)), "PNG"))
    data[16:24] = (300_000).to_bytes(4, "big") * 2
    data[29:33] = zlib.crc32(data[12:29]).to_bytes(4, "big")
    with pytest.raises(DocumentRefused) as refused:
        normalise_isolated(bytes(data))
    assert refused.value.code == "too_many_pixels"


def test_work_past_its_time_is_ended() -> None:
    started = time.monotonic()
    with pytest.raises(DocumentRefused) as refused:
        run_isolated(0.5, 1024**3, time.sleep, 30)
    assert refused.value.code == "damaged"
    assert "0.5 s" in refused.value.detail
    assert time.monotonic() - started < 5


def test_work_past_its_memory_is_ended() -> None:
    with pytest.raises(DocumentRefused) as refused:
        run_isolated(30, 1024**3, bytes, 4 * 1024**3)
    assert (refused.value.code, refused.value.detail) == ("damaged", "out of memory")


def test_other_errors_are_refusals() -> None:
    with pytest.raises(DocumentRefused) as refused:
        run_isolated(30, 1024**3, int, "not a number")
    assert refused.value.code == "damaged"

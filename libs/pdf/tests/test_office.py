"""Office documents through LibreOffice: these tests need ``soffice`` (skipped without it,
failed when PORTICO_REQUIRE_INTEGRATION=1)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from portico.kit.testing.backends import unavailable
from portico.pdf import DocumentRefused, Limits, find_tags, normalise
from portico.pdf.office import soffice_path
from portico.pdf.testing import corpus_path, page_texts

RTF_WITH_TAGS = (
    rb"{\rtf1\ansi\deff0{\fonttbl{\f0 Helvetica;}}\f0\fs24 "
    rb"Contract between the parties.\par\par "
    rb"Client: \{\{signature;role=Client\}\}\par\par "
    rb"Date: \{\{date;role=Client;required\}\}\par}"
)


@pytest.fixture
def soffice() -> None:
    if soffice_path() is None:
        unavailable("LibreOffice (soffice) is not installed")


def _corpus_file(*parts: str) -> bytes:
    path = corpus_path().joinpath(*parts)
    if not path.is_file():
        unavailable(f"the corpus is not at {corpus_path()}")
    return path.read_bytes()


@pytest.mark.usefixtures("soffice")
def test_a_docx_from_the_corpus_is_converted() -> None:
    document = normalise(_corpus_file("docx", "par-known-paragraphs.docx"))
    assert document.source_kind == "docx"
    assert document.page_count >= 1
    assert any(text.strip() for text in page_texts(document.pdf))


@pytest.mark.usefixtures("soffice")
def test_an_odt_from_the_corpus_is_converted() -> None:
    data = _corpus_file("sample-files", "002-trivial-libre-office-writer", "source.odt")
    document = normalise(data)
    assert (document.source_kind, document.page_count) == ("odt", 1)


@pytest.mark.usefixtures("soffice")
def test_text_tags_written_in_a_word_processor_document_become_places() -> None:
    document = normalise(RTF_WITH_TAGS)
    assert document.source_kind == "rtf"
    found = find_tags(document.pdf)
    assert [(tag.type, tag.role, tag.spec.required) for tag in found.tags] == [
        ("signature", "Client", False),
        ("date", "Client", True),
    ]
    signature, date = found.tags
    assert signature.box.y < date.box.y


@pytest.mark.usefixtures("soffice")
def test_a_word_97_document_is_converted(tmp_path: Path) -> None:
    source = tmp_path / "letter.rtf"
    source.write_bytes(RTF_WITH_TAGS)
    subprocess.run(
        [
            str(soffice_path()),
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "doc",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    document = normalise((tmp_path / "letter.doc").read_bytes())
    assert (document.source_kind, document.page_count) == ("doc", 1)
    assert len(find_tags(document.pdf).tags) == 2


@pytest.mark.usefixtures("soffice")
def test_a_conversion_past_its_time_is_refused() -> None:
    with pytest.raises(DocumentRefused) as refused:
        normalise(RTF_WITH_TAGS, Limits(conversion_seconds=0.05))
    assert refused.value.code == "conversion_timeout"


def test_without_libreoffice_office_documents_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(DocumentRefused) as refused:
        normalise(RTF_WITH_TAGS)
    assert refused.value.code == "converter_missing"
    assert "LibreOffice" in refused.value.message

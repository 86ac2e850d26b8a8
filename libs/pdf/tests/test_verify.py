"""verify_pdf: what a seal proves, and a report or a clean refusal for anything else (no
PDF, no signature, someone else's, a damaged, huge or encrypted file, the corpus)."""

from __future__ import annotations

import hashlib
import io
import logging
import time

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner, SimpleSigner
from pypdf import PdfReader, PdfWriter

from portico.kit.testing.backends import unavailable
from portico.pdf.errors import DocumentRefused
from portico.pdf.limits import Limits
from portico.pdf.sealing import SealKey, create_seal_key, load_seal_key, seal
from portico.pdf.testing import bomb_pdf, corpus_path, pdf_with_text, pdfsig, write
from portico.pdf.timestamping import local_tsa
from portico.pdf.verify import SealReport, verify_pdf


@pytest.fixture(scope="module")
def key() -> SealKey:
    return load_seal_key(create_seal_key("Acme Accounting"))


@pytest.fixture(scope="module")
def other_key() -> SealKey:
    return load_seal_key(create_seal_key("Someone Else"))


@pytest.fixture(scope="module")
def document() -> bytes:
    return pdf_with_text("Pay 100 EUR to Acme", "Signed by both parties")


@pytest.fixture(scope="module")
def sealed(key: SealKey, document: bytes) -> bytes:
    return seal(document, key, reason="Completed in Portico")


@pytest.fixture(scope="module")
def sealed_lt(key: SealKey, document: bytes) -> bytes:
    with local_tsa() as url:
        return seal(document, key, reason="Completed in Portico", tsa_url=url)


def refusal(pdf: bytes, limits: Limits | None = None) -> str:
    with pytest.raises(DocumentRefused) as refused:
        verify_pdf(pdf, limits=limits)
    return refused.value.code


def updated(pdf: bytes, change: str) -> bytes:
    """``pdf`` with an incremental update, as an editor would save it after the seal."""
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    if change == "page":
        writer.add_blank_page(595, 842)
    else:
        contents = writer.pages[0].get_contents()
        assert contents is not None
        contents.set_data(contents.get_data().replace(b"Pay 100 EUR", b"Pay 900 EUR"))
        writer.pages[0].replace_contents(contents)
    return write(writer)


def test_a_seal_is_intact_valid_whole_and_trusted(key: SealKey, sealed: bytes) -> None:
    report = verify_pdf(sealed, trusted=[key.certificate])
    assert report.sha256 == hashlib.sha256(sealed).hexdigest()
    assert report.sealed and report.intact and report.valid
    assert report.covers_whole_file and not report.modified_after_seal
    assert report.trusted
    assert report.signer == "Acme Accounting — document seal"
    assert report.signer_fingerprint == key.fingerprint
    assert report.problem is None


def test_without_the_certificate_a_seal_is_not_trusted(sealed: bytes) -> None:
    report = verify_pdf(sealed)
    assert report.intact and report.valid and not report.trusted


def test_a_seal_by_another_key_is_valid_but_not_trusted(
    key: SealKey, other_key: SealKey, document: bytes
) -> None:
    report = verify_pdf(seal(document, other_key, reason="Done"), trusted=[key.certificate])
    assert report.intact and report.valid
    assert not report.trusted
    assert report.signer == "Someone Else — document seal"


def test_a_byte_changed_in_the_signed_range_breaks_the_seal(key: SealKey, sealed: bytes) -> None:
    where = sealed.index(b"ReportLab")
    tampered = sealed[:where] + b"X" + sealed[where + 1 :]
    report = verify_pdf(tampered, trusted=[key.certificate])
    assert report.sealed and not report.intact and not report.trusted
    assert "Digest Mismatch." in pdfsig(tampered)
    assert "Signature is Valid." not in pdfsig(tampered)


@pytest.mark.parametrize("change", ["page", "text"])
def test_an_update_after_the_seal_is_a_modification(
    key: SealKey, sealed: bytes, change: str
) -> None:
    modified = updated(sealed, change)
    assert modified.startswith(sealed)
    report = verify_pdf(modified, trusted=[key.certificate])
    # The signed bytes are untouched, which is why pdfsig alone is not enough.
    assert report.intact and report.valid and report.trusted
    assert report.modified_after_seal and not report.covers_whole_file
    assert "Signature is Valid." in pdfsig(modified)
    assert "Not total document signed" in pdfsig(modified)


def test_the_validation_data_added_after_a_timestamped_seal_is_no_modification(
    key: SealKey, sealed_lt: bytes
) -> None:
    report = verify_pdf(sealed_lt, trusted=[key.certificate])
    assert report.covers_whole_file and not report.modified_after_seal
    assert report.timestamp is not None and report.timestamp_valid
    assert report.signed_at is not None
    assert abs((report.timestamp - report.signed_at).total_seconds()) < 60
    # Anything else after it still is.
    assert verify_pdf(updated(sealed_lt, "page")).modified_after_seal


def test_a_signature_added_after_the_seal_is_reported_on_the_seal(
    key: SealKey, other_key: SealKey, sealed: bytes
) -> None:
    countersigned = seal(sealed, other_key, reason="Received", field_name="Countersignature")
    report = verify_pdf(countersigned, trusted=[key.certificate])
    assert report.field_name == "PorticoSeal"
    assert report.trusted and report.modified_after_seal
    # Without a trusted signer, the last signature is the one described.
    last = verify_pdf(countersigned)
    assert last.field_name == "Countersignature" and last.covers_whole_file


def test_a_signature_in_another_format_is_reported(
    key: SealKey, other_key: SealKey, document: bytes
) -> None:
    assert isinstance(other_key.signer, SimpleSigner)
    metadata = PdfSignatureMetadata(
        field_name="Approval", subfilter=SigSeedSubFilter.ADOBE_PKCS7_DETACHED
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(document))
    signed = PdfSigner(metadata, other_key.signer).sign_pdf(writer).getvalue()
    report = verify_pdf(signed, trusted=[key.certificate])
    assert report.sealed and report.intact and report.valid and not report.trusted
    assert report.field_name == "Approval"


def test_a_signature_that_cannot_be_read_is_reported(sealed: bytes) -> None:
    # The container replaced by bytes of the same length that are no CMS.
    start = sealed.index(b"/Contents <") + len(b"/Contents <")
    end = sealed.index(b">", start)
    broken = sealed[:start] + b"3082" + b"ab" * ((end - start - 4) // 2) + sealed[end:]
    report = verify_pdf(broken)
    assert report.sealed and not report.intact and not report.valid and not report.trusted
    assert report.problem


def test_an_unsigned_pdf_is_reported_unsealed(document: bytes) -> None:
    report = verify_pdf(document)
    assert report == SealReport(sha256=hashlib.sha256(document).hexdigest(), sealed=False)


def test_what_is_no_pdf_is_refused(document: bytes) -> None:
    assert refusal(b"") == "empty"
    assert refusal(b"hello, world") == "unsupported_type"
    assert refusal(b"\x89PNG\r\n\x1a\n" + bytes(100)) == "unsupported_type"
    assert refusal(document, Limits(max_bytes=1000)) == "too_large"


def test_a_damaged_or_encrypted_pdf_gives_a_report_or_a_refusal(
    sealed: bytes, document: bytes
) -> None:
    assert refusal(b"%PDF-1.7\n1 0 obj << /Type /Catalog") == "damaged"
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(document)))
    writer.encrypt(user_password="user", owner_password="owner", algorithm="AES-256")
    assert refusal(write(writer)) == "encrypted"
    for cut in (len(sealed) // 3, len(sealed) // 2, len(sealed) - 100):
        try:
            report = verify_pdf(sealed[:cut])
        except DocumentRefused as refused:
            assert refused.code == "damaged"
        else:
            assert not (report.intact and report.covers_whole_file)


def test_a_decompression_bomb_is_answered_at_once() -> None:
    started = time.monotonic()
    report = verify_pdf(bomb_pdf())
    assert not report.sealed
    assert time.monotonic() - started < 5


def test_every_corpus_pdf_gives_a_report_or_a_refusal(caplog: pytest.LogCaptureFixture) -> None:
    if not corpus_path().is_dir():
        unavailable(f"the corpus is not at {corpus_path()}")
    caplog.set_level(logging.CRITICAL)
    files = sorted(path for path in corpus_path().rglob("*.pdf") if path.is_file())
    assert len(files) > 50
    outcomes: dict[str, int] = {}
    for path in files:
        started = time.monotonic()
        try:
            report = verify_pdf(path.read_bytes())
            outcome = "sealed" if report.sealed else "unsealed"
            assert report.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        except DocumentRefused as refused:
            outcome = f"refused: {refused.code}"
        assert time.monotonic() - started < 10, path
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    print("corpus:", outcomes)
    assert outcomes.get("unsealed", 0) > 0.8 * len(files)

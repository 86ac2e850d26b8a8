"""The seal: the organisation's key (made, loaded, refused with a reason), an invisible
PAdES signature that pdfsig and verify_pdf accept, and the timestamp from a local
time-stamping authority that is never done without when one is asked for."""

from __future__ import annotations

import io
import pickle
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader, PdfWriter

from portico.pdf import sealing as seal_module
from portico.pdf.errors import DocumentRefused
from portico.pdf.sealing import (
    SealKey,
    SealKeyRefused,
    TimestampFailed,
    create_seal_key,
    load_seal_key,
    seal,
)
from portico.pdf.testing import pdf_with_text, pdfsig, write
from portico.pdf.timestamping import LocalTimestampAuthority, local_tsa, running_tsa
from portico.pdf.verify import verify_pdf

SigningKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey


@pytest.fixture(scope="module")
def key() -> SealKey:
    return load_seal_key(create_seal_key("Acme Accounting"))


@pytest.fixture(scope="module")
def document() -> bytes:
    return pdf_with_text("Engagement letter", "Fees: 1,200 EUR", "Signed by both parties")


@pytest.fixture(scope="module")
def tsa() -> Iterator[LocalTimestampAuthority]:
    with running_tsa() as authority:
        yield authority


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    # The retries still happen, without their pauses.
    monkeypatch.setattr(seal_module, "_RETRY_PAUSES", (0.0, 0.0))


def certificate(
    signing_key: SigningKey,
    *,
    common_name: str = "Test seal",
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    usage: x509.KeyUsage | None = None,
) -> x509.Certificate:
    now = datetime.now(UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(signing_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - timedelta(days=1))
        .not_valid_after(not_after or now + timedelta(days=30))
    )
    if usage is not None:
        builder = builder.add_extension(usage, critical=True)
    algorithm = None if isinstance(signing_key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(signing_key, algorithm)


def key_usage(*, digital_signature: bool, non_repudiation: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=non_repudiation,
        key_encipherment=True,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def p12(
    signing_key: SigningKey | None,
    cert: x509.Certificate | None,
    others: list[x509.Certificate] | None = None,
    password: bytes | None = None,
) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return pkcs12.serialize_key_and_certificates(b"test", signing_key, cert, others, encryption)


def refusal(data: bytes, password: bytes | None = None, now: datetime | None = None) -> str:
    with pytest.raises(SealKeyRefused) as refused:
        load_seal_key(data, password, now=now)
    assert refused.value.message
    return refused.value.code


# The key


def test_a_new_seal_key_is_a_self_signed_p256_certificate_for_signing() -> None:
    key_file = create_seal_key("Acme Accounting")
    private_key, cert, others = pkcs12.load_key_and_certificates(key_file, None)
    assert isinstance(private_key, ec.EllipticCurvePrivateKey)
    assert private_key.curve.name == "secp256r1"
    assert cert is not None and others == []
    assert cert.subject == cert.issuer
    common_name = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert common_name == "Acme Accounting — document seal"
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert usage.value.digital_signature and usage.value.content_commitment
    assert not usage.value.key_cert_sign
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert timedelta(days=3650) <= lifetime <= timedelta(days=3651)


def test_a_loaded_key_says_whose_it_is_and_until_when(key: SealKey) -> None:
    assert key.subject == "Acme Accounting — document seal"
    assert key.not_before < datetime.now(UTC) < key.not_after
    assert key.fingerprint == key.certificate.fingerprint(hashes.SHA256()).hex()
    assert len(key.fingerprint) == 64
    assert key.signer.signing_cert.sha256.hex() == key.fingerprint


def test_a_seal_key_may_have_a_password() -> None:
    key_file = create_seal_key("Acme", password=b"correct horse")
    assert load_seal_key(key_file, b"correct horse").subject == "Acme — document seal"
    assert refusal(key_file, b"wrong horse") == "wrong_password"
    assert refusal(key_file) == "wrong_password"


def test_a_long_organisation_name_is_cut_to_fit_a_certificate() -> None:
    key = load_seal_key(create_seal_key("The " + "Very " * 30 + "Long Partnership"))
    assert key.subject.endswith(" — document seal")
    assert len(key.subject) <= 64


def test_a_seal_key_needs_a_name_and_a_lifetime() -> None:
    with pytest.raises(ValueError):
        create_seal_key("   ")
    with pytest.raises(ValueError):
        create_seal_key("Acme", valid_days=0)


def test_bytes_that_are_no_pkcs12_file_are_refused() -> None:
    assert refusal(b"garbage bytes, not a key") == "not_pkcs12"
    assert refusal(b"") == "not_pkcs12"
    assert refusal(pdf_with_text("a PDF")) == "not_pkcs12"


def test_an_expired_certificate_is_refused_with_its_dates() -> None:
    signing_key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    expired = certificate(
        signing_key, not_before=now - timedelta(days=400), not_after=now - timedelta(days=35)
    )
    with pytest.raises(SealKeyRefused) as refused:
        load_seal_key(p12(signing_key, expired))
    assert refused.value.code == "expired"
    assert f"{expired.not_valid_after_utc:%Y-%m-%d}" in refused.value.message
    assert f"{expired.not_valid_before_utc:%Y-%m-%d}" in refused.value.message


def test_a_certificate_is_checked_at_the_time_given() -> None:
    key_file = create_seal_key("Acme", valid_days=30)
    assert refusal(key_file, now=datetime.now(UTC) + timedelta(days=31)) == "expired"
    assert refusal(key_file, now=datetime.now(UTC) - timedelta(days=1)) == "not_yet_valid"


def test_a_file_without_private_key_or_certificate_is_refused() -> None:
    signing_key = ec.generate_private_key(ec.SECP256R1())
    cert = certificate(signing_key)
    assert refusal(p12(None, None, [cert])) == "no_private_key"
    assert refusal(p12(signing_key, None)) == "no_certificate"


def test_a_certificate_of_another_key_is_refused() -> None:
    signing_key = ec.generate_private_key(ec.SECP256R1())
    other = certificate(ec.generate_private_key(ec.SECP256R1()))
    assert refusal(p12(signing_key, None, [other])) == "key_mismatch"


def test_a_key_usage_without_signing_is_refused() -> None:
    signing_key = ec.generate_private_key(ec.SECP256R1())
    encipher_only = certificate(
        signing_key, usage=key_usage(digital_signature=False, non_repudiation=False)
    )
    assert refusal(p12(signing_key, encipher_only)) == "key_usage"
    # Non-repudiation alone is how many signing certificates are issued: accepted.
    commitment = certificate(
        signing_key, usage=key_usage(digital_signature=False, non_repudiation=True)
    )
    assert load_seal_key(p12(signing_key, commitment)).subject == "Test seal"


def test_unsupported_key_types_are_refused() -> None:
    edwards = ed25519.Ed25519PrivateKey.generate()
    assert refusal(p12(edwards, certificate(edwards))) == "unsupported_key_type"
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    assert refusal(p12(weak, certificate(weak))) == "unsupported_key_type"


def test_a_refusal_crosses_process_boundaries() -> None:
    refused = SealKeyRefused("expired", "The seal certificate expired on 2020-01-01.")
    copy = pickle.loads(pickle.dumps(refused))
    assert (copy.code, copy.message) == (refused.code, refused.message)
    failed = pickle.loads(pickle.dumps(TimestampFailed("down", attempts=3)))
    assert (failed.message, failed.attempts) == ("down", 3)


# The seal


def test_a_seal_validates_in_pdfsig_and_in_verify_pdf(key: SealKey, document: bytes) -> None:
    sealed = seal(document, key, reason="Completed in Portico", location="Lyon")
    assert "Signature is Valid." in pdfsig(sealed)
    assert "ETSI.CAdES.detached" in pdfsig(sealed)
    report = verify_pdf(sealed, trusted=[key.certificate])
    assert report.sealed and report.intact and report.valid and report.trusted
    assert report.covers_whole_file and not report.modified_after_seal
    assert report.signer == key.subject
    assert report.signer_fingerprint == key.fingerprint
    assert report.field_name == "PorticoSeal"
    assert report.signed_at is not None
    assert abs(report.signed_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert report.timestamp is None and not report.timestamp_valid


def test_a_seal_is_an_invisible_incremental_update(key: SealKey, document: bytes) -> None:
    sealed = seal(document, key, reason="Completed", field_name="Seal1")
    # The finished PDF is kept byte for byte; the seal is appended.
    assert sealed.startswith(document)
    reader = PdfReader(io.BytesIO(sealed))
    assert len(reader.pages) == 3
    signature = reader.get_fields()["Seal1"]
    assert signature["/V"]["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signature["/V"]["/Reason"] == "Completed"
    widget = next(
        annotation.get_object()
        for annotation in reader.pages[0]["/Annots"]
        if annotation.get_object().get("/T") == "Seal1"
    )
    assert [float(value) for value in widget["/Rect"]] == [0, 0, 0, 0]


def test_an_rsa_2048_key_seals_too(document: bytes) -> None:
    signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    usage = key_usage(digital_signature=True, non_repudiation=True)
    key = load_seal_key(p12(signing_key, certificate(signing_key, usage=usage)))
    sealed = seal(document, key, reason="Completed")
    assert "Signature is Valid." in pdfsig(sealed)
    report = verify_pdf(sealed, trusted=[key.certificate])
    assert report.intact and report.valid and report.trusted


def test_a_key_with_its_chain_embeds_the_chain(document: bytes) -> None:
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = certificate(root_key, common_name="Acme root")
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Acme issued seal")]))
        .issuer_name(root.subject)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(root_key, hashes.SHA256())
    )
    key = load_seal_key(p12(leaf_key, leaf, [root]))
    assert key.subject == "Acme issued seal"
    sealed = seal(document, key, reason="Completed")
    assert "Signature is Valid." in pdfsig(sealed)
    assert verify_pdf(sealed, trusted=[leaf]).trusted


def test_each_key_seals_with_the_reference_to_its_own_certificate(document: bytes) -> None:
    """The signed attributes are a PAdES seal's, and the signing certificate's reference,
    encoded once per key, is the key's own: a renewed key seals with its new one."""
    for name in ("Acme Accounting", "Acme Accounting (renewed)"):
        key = load_seal_key(create_seal_key(name))
        sealed = seal(document, key, reason="Completed")
        signature = PdfFileReader(io.BytesIO(sealed)).embedded_signatures[0]
        signed_attrs = signature.signer_info["signed_attrs"]
        attributes = {attribute["type"].native: attribute for attribute in signed_attrs}
        assert set(attributes) == {"content_type", "message_digest", "signing_certificate_v2"}
        reference = attributes["signing_certificate_v2"]["values"][0]["certs"][0]
        assert reference["cert_hash"].native.hex() == key.fingerprint
        report = verify_pdf(sealed, trusted=[key.certificate])
        assert report.intact and report.valid and report.signer == key.subject


def test_one_key_seals_from_several_threads(key: SealKey, document: bytes) -> None:
    def seal_one(number: int) -> bytes:
        return seal(document, key, reason=f"Completed {number}")

    with ThreadPoolExecutor(max_workers=4) as pool:
        sealed = list(pool.map(seal_one, range(8)))
    for number, pdf in enumerate(sealed):
        report = verify_pdf(pdf, trusted=[key.certificate])
        assert report.intact and report.valid and report.trusted, number


async def test_sealing_on_the_event_loop_is_refused(key: SealKey, document: bytes) -> None:
    with pytest.raises(RuntimeError, match="off the event loop"):
        seal(document, key, reason="Completed")


def test_what_is_no_pdf_or_an_encrypted_one_is_refused(key: SealKey, document: bytes) -> None:
    with pytest.raises(DocumentRefused) as refused:
        seal(b"plain text", key, reason="Completed")
    assert refused.value.code == "unsupported_type"
    with pytest.raises(DocumentRefused) as refused:
        seal(b"%PDF-1.7\n1 0 obj garbage", key, reason="Completed")
    assert refused.value.code == "damaged"
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(document)))
    writer.encrypt(user_password="user", owner_password="owner", algorithm="AES-256")
    with pytest.raises(DocumentRefused) as refused:
        seal(write(writer), key, reason="Completed")
    assert refused.value.code == "encrypted"


# The timestamp


def test_a_timestamped_seal_carries_the_time_and_the_validation_data(
    key: SealKey, document: bytes, tsa: LocalTimestampAuthority
) -> None:
    before = tsa.requests
    sealed = seal(document, key, reason="Completed", tsa_url=tsa.url)
    # One request a seal: no trial timestamp to measure the space.
    assert tsa.requests == before + 1
    assert "Signature is Valid." in pdfsig(sealed)
    report = verify_pdf(sealed, trusted=[key.certificate])
    assert report.intact and report.valid and report.trusted
    assert report.timestamp is not None and report.timestamp_valid
    assert abs(report.timestamp - datetime.now(UTC)) < timedelta(minutes=1)
    # The DSS revision that B-LT adds after the seal is no modification.
    assert report.covers_whole_file and not report.modified_after_seal
    dss = PdfFileReader(io.BytesIO(sealed), strict=False).root["/DSS"]
    embedded = {
        x509.load_der_x509_certificate(stream.get_object().data).fingerprint(hashes.SHA256())
        for stream in dss["/Certs"]
    }
    assert key.certificate.fingerprint(hashes.SHA256()) in embedded
    assert tsa.certificate.fingerprint(hashes.SHA256()) in embedded


def test_an_authority_answering_500_fails_the_seal_after_retries(
    key: SealKey, document: bytes, quick_retries: None
) -> None:
    with running_tsa("error") as failing:
        with pytest.raises(TimestampFailed) as failed:
            seal(document, key, reason="Completed", tsa_url=failing.url)
        assert failing.requests == 3
    assert failed.value.attempts == 3
    assert "HTTP 500" in failed.value.message


def test_an_authority_with_nothing_listening_fails_the_seal(
    key: SealKey, document: bytes, quick_retries: None
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TimestampFailed) as failed:
        seal(document, key, reason="Completed", tsa_url=f"http://127.0.0.1:{port}/tsa")
    assert failed.value.attempts == 3


def test_an_answer_that_is_no_timestamp_fails_the_seal(
    key: SealKey, document: bytes, quick_retries: None
) -> None:
    with local_tsa("garbage") as url, pytest.raises(TimestampFailed) as failed:
        seal(document, key, reason="Completed", tsa_url=url)
    assert "invalid answer" in failed.value.message


def test_a_client_error_is_not_retried(key: SealKey, document: bytes) -> None:
    with running_tsa() as authority:
        with pytest.raises(TimestampFailed) as failed:
            seal(document, key, reason="Completed", tsa_url=authority.url + "/elsewhere")
        assert authority.requests == 1
    assert failed.value.attempts == 1
    assert "HTTP 404" in failed.value.message


def test_the_retries_are_quick_and_a_recovered_authority_seals(
    key: SealKey, document: bytes
) -> None:
    with running_tsa("error") as authority:
        started = datetime.now(UTC)
        with pytest.raises(TimestampFailed):
            seal(document, key, reason="Completed", tsa_url=authority.url)
        assert datetime.now(UTC) - started < timedelta(seconds=2)
        # The job's later retry, once the authority is back.
        authority.behaviour = "stamp"
        report = verify_pdf(seal(document, key, reason="Completed", tsa_url=authority.url))
        assert report.timestamp_valid


def test_a_time_stamping_url_must_be_http(key: SealKey, document: bytes) -> None:
    for url in ("ftp://tsa.example/", "file:///etc/passwd", "not a url"):
        with pytest.raises(ValueError):
            seal(document, key, reason="Completed", tsa_url=url)

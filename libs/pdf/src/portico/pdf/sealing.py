"""The seal of a completed document: an organisation's own key (EC P-256, self-signed) and an
invisible PAdES signature over the whole finished PDF, with a signature timestamp and the
long-term validation data when a time-stamping authority is configured.

Sealing is synchronous and CPU-bound (a few milliseconds for EC P-256): a service runs it off its
event loop (``asyncio.to_thread`` or a pool). One ``SealKey`` may be shared by threads
sealing at once: nothing in it changes while signing (each call has its own writer and
time-stamp client, and the private key object only signs)."""

from __future__ import annotations

import asyncio
import http.client
import io
import logging
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit

from asn1crypto import cms, keys, tsp
from asn1crypto import pkcs12 as asn1_pkcs12
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.attributes import CMSAttributeProvider, SignedAttributeProviderSpec
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.general import (
    as_signing_certificate_v2,
    extract_certificate_info,
    simple_cms_attribute,
)
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner, SimpleSigner
from pyhanko.sign.signers.pdf_byterange import BuildProps
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import handle_tsp_response
from pyhanko.sign.validation import DocumentSecurityStore
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from portico.pdf.errors import DocumentRefused

logger = logging.getLogger(__name__)

SealKeyProblem = Literal[
    "not_pkcs12",
    "wrong_password",
    "no_private_key",
    "no_certificate",
    "bad_certificate",
    "key_mismatch",
    "expired",
    "not_yet_valid",
    "key_usage",
    "unsupported_key_type",
]

_SEAL_SUFFIX = " — document seal"
# X.520's upper bound for a common name or an organisation name (checked in bytes).
_NAME_LIMIT = 64
_CURVES = frozenset({"secp256r1", "secp384r1", "secp521r1"})
_MIN_RSA_BITS = 2048
# Room for the CMS around the certificates (signed attributes, an RSA-4096 signature and
# the structure itself). The space is reserved up front, so pyHanko signs once instead of
# making a trial signature to measure it; it is written as hex, twice the bytes.
_CMS_OVERHEAD = 2048
# A time-stamp token is a few kilobytes (the authority's signature and certificates);
# larger ones are refused rather than overflowing the reserved space.
_TOKEN_ROOM = 16 * 1024
_MAX_TSA_ANSWER = 64 * 1024
# Quick retries only: a time-stamping authority that is down for longer is the job's to
# retry later, not this call's to wait for.
_RETRY_PAUSES = (0.2, 0.5)
_TSA_TIMEOUT = 10.0
_FIELD_NAME = "PorticoSeal"


class SealKeyRefused(Exception):
    """The seal key cannot be used. ``code`` is stable; ``message`` says why, with the
    dates when it is one of them."""

    def __init__(self, code: SealKeyProblem, message: str) -> None:
        self.code: SealKeyProblem = code
        self.message = message
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (SealKeyRefused, (self.code, self.message))


class TimestampFailed(Exception):
    """The time-stamping authority gave no usable timestamp after a few quick retries.
    Nothing was sealed: a document is never sealed without the timestamp asked for. The
    caller (a retried job) tries again later."""

    def __init__(self, message: str, *, attempts: int) -> None:
        self.message = message
        self.attempts = attempts
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_timestamp_failed, (self.message, self.attempts))


def _rebuild_timestamp_failed(message: str, attempts: int) -> TimestampFailed:
    return TimestampFailed(message, attempts=attempts)


class _SealSigner(SimpleSigner):
    """pyHanko's in-memory signer, with the private key object parsed once: pyHanko
    parses the PKCS#8 bytes again for every signature, which for RSA (its consistency
    check) takes longer than the whole rest of the seal.

    Its signed attributes are a PAdES seal's (no signing time: PAdES puts the time in the
    signature dictionary), through pyHanko's signed-attribute providers, with the one that
    depends on the key alone, the signing certificate's reference, encoded once here:
    pyHanko builds it anew from the parsed certificate at every seal, and asn1crypto then
    serialises it again at each of the container's levels, which was most of a seal's time
    (about 40 ms of 45). A new key is a new signer, with its own."""

    def __init__(
        self,
        private_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey,
        certificate: asn1_x509.Certificate,
        chain: list[asn1_x509.Certificate],
    ) -> None:
        pkcs8 = private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        registry = SimpleCertificateStore()
        registry.register_multiple(chain)
        super().__init__(
            signing_cert=certificate,
            signing_key=keys.PrivateKeyInfo.load(pkcs8),
            cert_registry=registry,
        )
        self._private_key = private_key
        reference = simple_cms_attribute(
            "signing_certificate_v2", as_signing_certificate_v2(certificate)
        )
        self.signed_attr_prov_spec = _SealAttributes(reference.dump())

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        digest = get_pyca_cryptography_hash(digest_algorithm)
        if isinstance(self._private_key, ec.EllipticCurvePrivateKey):
            return self._private_key.sign(data, ec.ECDSA(digest))
        return self._private_key.sign(data, PKCS1v15(), digest)


class _SealAttributes(SignedAttributeProviderSpec):
    """The signed attributes pyHanko adds to the content type and message digest it sets
    itself: the signing certificate's reference (ESS signing-certificate-v2, which PAdES
    requires), from its DER encoding."""

    def __init__(self, signing_certificate: bytes) -> None:
        self._signing_certificate = signing_certificate

    def signed_attr_providers(
        self, data_digest: bytes, digest_algorithm: str
    ) -> Iterable[CMSAttributeProvider]:
        yield _EncodedAttribute(self._signing_certificate)


class _EncodedAttribute(CMSAttributeProvider):
    """An attribute given encoded. Each seal loads its own object from the bytes, so
    threads sealing at once share nothing mutable, and an object loaded and left unchanged
    is written back as its bytes, without being serialised again."""

    def __init__(self, encoded: bytes) -> None:
        self._encoded = encoded

    async def get_attribute(self, dry_run: bool = False) -> cms.CMSAttribute:
        return cms.CMSAttribute.load(self._encoded)


@dataclass(frozen=True, eq=False)
class SealKey:
    """A usable seal key, loaded once and kept: loading parses and checks the key (for
    RSA, tens of milliseconds)."""

    subject: str
    not_before: datetime
    not_after: datetime
    # SHA-256 of the certificate (DER), lowercase hex: what a verifier compares.
    fingerprint: str
    certificate: x509.Certificate
    signer: SimpleSigner = field(repr=False)
    # Bytes reserved for the signature container without a timestamp (hex, so twice the
    # DER size of the certificates embedded and the rest of the CMS).
    signature_room: int = field(repr=False)


def create_seal_key(
    organisation_name: str, *, valid_days: int = 3650, password: bytes | None = None
) -> bytes:
    """A new seal key for an organisation: an EC P-256 key and a self-signed certificate
    (CN "<organisation> — document seal", key usage digitalSignature and nonRepudiation),
    as PKCS#12 bytes, encrypted with ``password`` when one is given (an empty one is
    none)."""
    organisation = " ".join(organisation_name.split())
    if not organisation:
        raise ValueError("a seal key needs the organisation's name")
    if valid_days < 1:
        raise ValueError("a seal key must be valid for at least a day")
    key = ec.generate_private_key(ec.SECP256R1())
    # Long names are cut to fit X.520's bounds rather than refused.
    suffix_size = len(_SEAL_SUFFIX.encode())
    common_name = _cut(organisation, _NAME_LIMIT - suffix_size) + _SEAL_SUFFIX
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _cut(organisation, _NAME_LIMIT)),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        # A few minutes back: a verifier whose clock is slightly behind still finds the
        # certificate valid at the first seal.
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return pkcs12.serialize_key_and_certificates(
        b"Portico document seal", key, certificate, None, encryption
    )


def _cut(text: str, size: int) -> str:
    """``text`` in at most ``size`` bytes of UTF-8 (the unit the bounds are checked in),
    never cutting a character in two."""
    return text.encode()[:size].decode(errors="ignore").rstrip()


def load_seal_key(
    pkcs12_data: bytes, password: bytes | None = None, *, now: datetime | None = None
) -> SealKey:
    """The seal key in ``pkcs12_data`` checked for use at ``now`` (default: now; a naive
    time is UTC); raises ``SealKeyRefused`` with the reason when it cannot seal."""
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    private_key, certificate, others = _open_pkcs12(pkcs12_data, password)
    if private_key is None:
        raise SealKeyRefused("no_private_key", "The seal key file holds no private key.")
    _check_key_type(private_key)
    assert isinstance(private_key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey)
    certificate = _certificate_of(private_key, certificate, others)
    _check_dates(certificate, moment)
    _check_key_usage(certificate)
    chain = [
        asn1_x509.Certificate.load(other.public_bytes(serialization.Encoding.DER))
        for other in others
        if other != certificate
    ]
    leaf = asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
    embedded = sum(len(cert.dump()) for cert in [leaf, *chain])
    return SealKey(
        subject=_common_name(certificate),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        fingerprint=certificate.fingerprint(hashes.SHA256()).hex(),
        certificate=certificate,
        signer=_SealSigner(private_key, leaf, chain),
        signature_room=2 * (embedded + _CMS_OVERHEAD),
    )


def _open_pkcs12(
    data: bytes, password: bytes | None
) -> tuple[Any, x509.Certificate | None, list[x509.Certificate]]:
    try:
        private_key, certificate, others = pkcs12.load_key_and_certificates(data, password or None)
    except (ValueError, TypeError) as error:
        if _is_pkcs12(data):
            raise SealKeyRefused(
                "wrong_password",
                "The seal key cannot be opened: its password is wrong or missing.",
            ) from error
        raise SealKeyRefused(
            "not_pkcs12", "The seal key is not a PKCS#12 file (.p12 or .pfx)."
        ) from error
    return private_key, certificate, list(others)


def _is_pkcs12(data: bytes) -> bool:
    """Whether ``data`` has a PKCS#12 file's structure, read without the password: what
    tells a wrong password from a file of another kind."""
    try:
        pfx = asn1_pkcs12.Pfx.load(data, strict=True)
        return bool(
            pfx["version"].native == "v3"
            and pfx["auth_safe"]["content_type"].native in ("data", "signed_data")
        )
    except (ValueError, TypeError, KeyError):
        return False


def _check_key_type(private_key: object) -> None:
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        if private_key.curve.name not in _CURVES:
            raise SealKeyRefused(
                "unsupported_key_type",
                f"The seal key is on the elliptic curve {private_key.curve.name}; "
                "P-256, P-384 or P-521 is needed.",
            )
    elif isinstance(private_key, rsa.RSAPrivateKey):
        if private_key.key_size < _MIN_RSA_BITS:
            raise SealKeyRefused(
                "unsupported_key_type",
                f"The seal key is an RSA key of {private_key.key_size} bits; "
                f"at least {_MIN_RSA_BITS} are needed.",
            )
    else:
        raise SealKeyRefused(
            "unsupported_key_type",
            f"The seal key is a {type(private_key).__name__.removeprefix('_')}; "
            "an EC (P-256, P-384, P-521) or RSA key is needed.",
        )


def _certificate_of(
    private_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey,
    certificate: x509.Certificate | None,
    others: list[x509.Certificate],
) -> x509.Certificate:
    """The key's own certificate: the one the file pairs with it, else (a file without
    the pairing) the one of the others with the key's public key."""
    public = _public_der(private_key.public_key())
    if certificate is None:
        if not others:
            raise SealKeyRefused("no_certificate", "The seal key file holds no certificate.")
        matching = [other for other in others if _public_der(other.public_key()) == public]
        if not matching:
            raise SealKeyRefused(
                "key_mismatch", "No certificate in the seal key file is the private key's."
            )
        return matching[0]
    if _public_der(certificate.public_key()) != public:
        raise SealKeyRefused(
            "key_mismatch", "The certificate in the seal key file is not the private key's."
        )
    return certificate


def _public_der(public_key: Any) -> bytes:
    return bytes(
        public_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def _check_dates(certificate: x509.Certificate, moment: datetime) -> None:
    start, end = certificate.not_valid_before_utc, certificate.not_valid_after_utc
    if moment > end:
        raise SealKeyRefused(
            "expired",
            f"The seal certificate expired on {end:%Y-%m-%d %H:%M} UTC "
            f"(valid from {start:%Y-%m-%d}).",
        )
    if moment < start:
        raise SealKeyRefused(
            "not_yet_valid",
            f"The seal certificate is valid only from {start:%Y-%m-%d %H:%M} UTC "
            f"(until {end:%Y-%m-%d}).",
        )


def _check_key_usage(certificate: x509.Certificate) -> None:
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        # No key usage extension: every use is allowed.
        return
    except ValueError as error:
        raise SealKeyRefused(
            "bad_certificate", f"The seal certificate's extensions cannot be read ({error})."
        ) from error
    if not (usage.digital_signature or usage.content_commitment):
        raise SealKeyRefused(
            "key_usage",
            "The seal certificate's key usage does not allow signing "
            "(digitalSignature or nonRepudiation is needed).",
        )


def _common_name(certificate: x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if names:
        return str(names[0].value)
    return certificate.subject.rfc4514_string()


def seal(
    pdf: bytes,
    key: SealKey,
    *,
    reason: str,
    location: str | None = None,
    tsa_url: str | None = None,
    tsa_timeout: float = _TSA_TIMEOUT,
    field_name: str = _FIELD_NAME,
) -> bytes:
    """``pdf`` with an invisible PAdES seal over the whole file, added as an incremental
    update. With ``tsa_url``: a signature timestamp from that RFC 3161 authority and the
    long-term validation data (PAdES B-LT), or ``TimestampFailed`` when the authority
    gives none after a few quick retries (``tsa_timeout`` seconds per attempt and socket
    operation). Raises ``DocumentRefused`` for a PDF that cannot be read (not a PDF,
    damaged, encrypted), and pyHanko's ``SigningError`` for one that forbids the seal
    (``field_name`` already sealed, a certification that allows no change)."""
    _check_call(tsa_url)
    return _sealed(
        open_for_update(pdf),
        key,
        reason=reason,
        location=location,
        tsa_url=tsa_url,
        tsa_timeout=tsa_timeout,
        field_name=field_name,
    )


def seal_update(
    writer: IncrementalPdfFileWriter,
    key: SealKey,
    *,
    reason: str,
    tsa_url: str | None = None,
) -> bytes:
    """The incremental update ``writer`` holds (from ``open_for_update``, with objects
    added to it) written with the seal in it: ``seal`` for a caller with more to add in
    the same update, which parses and writes the document once instead of twice. Raises
    what ``seal`` raises."""
    _check_call(tsa_url)
    return _sealed(
        writer,
        key,
        reason=reason,
        location=None,
        tsa_url=tsa_url,
        tsa_timeout=_TSA_TIMEOUT,
        field_name=_FIELD_NAME,
    )


def _check_call(tsa_url: str | None) -> None:
    _refuse_on_event_loop()
    if tsa_url is not None:
        _check_tsa_url(tsa_url)


def _sealed(
    writer: IncrementalPdfFileWriter,
    key: SealKey,
    *,
    reason: str,
    location: str | None,
    tsa_url: str | None,
    tsa_timeout: float,
    field_name: str,
) -> bytes:
    client = _TimestampClient(tsa_url, tsa_timeout) if tsa_url is not None else None
    metadata = PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location=location,
        subfilter=SigSeedSubFilter.PADES,
        app_build_props=BuildProps(name="Portico"),
    )
    signer = PdfSigner(metadata, key.signer, timestamper=client)
    room = key.signature_room + (2 * _TOKEN_ROOM if client is not None else 0)
    try:
        return asyncio.run(_seal(signer, writer, room, key, client, tsa_timeout))
    except TimestampFailed:
        raise
    except Exception as error:
        # pyHanko may wrap what the time-stamp client raised: the client's own account
        # of the failure is the one to give.
        if client is not None and client.failure is not None:
            raise client.failure from error
        raise


def _refuse_on_event_loop() -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError("seal() blocks: run it off the event loop (asyncio.to_thread)")


def _check_tsa_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"a time-stamping authority's URL is http or https: {url!r}")


def open_for_update(pdf: bytes) -> IncrementalPdfFileWriter:
    """A pyHanko writer of an incremental update to ``pdf``, for ``seal_update``. Raises
    ``DocumentRefused`` for a PDF that cannot be read or is encrypted."""
    if b"%PDF-" not in pdf[:1024]:
        raise DocumentRefused("unsupported_type")
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        encrypted = writer.prev.encrypted
    except Exception as error:
        raise DocumentRefused("damaged", detail=f"pyHanko: {error!r}"[:500]) from error
    if encrypted:
        # The pipeline seals the clean PDFs it wrote itself, never encrypted ones.
        raise DocumentRefused("encrypted")
    return writer


async def _seal(
    signer: PdfSigner,
    writer: IncrementalPdfFileWriter,
    room: int,
    key: SealKey,
    client: _TimestampClient | None,
    fetch_timeout: float,
) -> bytes:
    output = await signer.async_sign_pdf(writer, bytes_reserved=room)
    if client is not None:
        assert client.token is not None
        await _add_validation_data(output, key, client.token, fetch_timeout)
    return bytes(output.getvalue())


async def _add_validation_data(
    output: io.BytesIO, key: SealKey, token: cms.ContentInfo, fetch_timeout: float
) -> None:
    """PAdES B-LT: the certificates of the seal and of the time-stamping authority, and
    the revocation information that can be had for them, in the document security store
    (an incremental update after the signature, which verifiers accept).

    Path building needs trust anchors; the top of each chain as given (the seal's own
    certificate when self-signed, the last certificate the authority sent) serves here
    only to collect data, not to judge trust: that is the verifier's. A self-signed seal
    has no revocation information; for the authority, pyHanko fetches what its
    certificates point to (OCSP, CRL), in soft-fail mode."""
    seal_chain = [key.signer.signing_cert, *key.signer.cert_registry]
    token_info = extract_certificate_info(token["content"])
    token_certs = [token_info.signer_cert, *token_info.other_certs]
    context = ValidationContext(
        trust_roots=_chain_tops(seal_chain) + _chain_tops(token_certs),
        other_certs=seal_chain + token_certs,
        allow_fetching=True,
        revocation_mode="soft-fail",
        fetcher_backend=AIOHttpFetcherBackend(per_request_timeout=fetch_timeout),
    )
    paths = []
    try:
        for cert in (key.signer.signing_cert, token_info.signer_cert):
            validator = CertificateValidator(cert, validation_context=context)
            paths.append(await validator.async_validate_usage(set()))
    except (PathBuildingError, PathValidationError) as error:
        # The certificates still go in: a verifier may have what is missing here.
        logger.warning("seal: validation data incomplete (%s)", error)
        paths = []
    finally:
        await context.aclose()
    DocumentSecurityStore.add_dss(
        output,
        None,
        certs=seal_chain + token_certs,
        paths=paths,
        validation_context=context,
        force_write=True,
        strict=False,
    )


def _chain_tops(certs: list[asn1_x509.Certificate]) -> list[asn1_x509.Certificate]:
    subjects = {cert.subject.dump() for cert in certs}
    return [cert for cert in certs if cert.self_issued or cert.issuer.dump() not in subjects]


class _Unusable(Exception):
    """One attempt at a timestamp gave nothing usable; ``retry`` says whether another
    attempt may do better (a refused connection, HTTP 503) or not (HTTP 404)."""

    def __init__(self, reason: str, *, retry: bool) -> None:
        self.reason = reason
        self.retry = retry
        super().__init__(reason)


class _TimestampClient(TimeStamper):
    """An RFC 3161 client over the standard library's HTTP, one a seal: it retries
    quickly, checks the token it gets (status, nonce, imprint, the authority's signature)
    and keeps it for the validation data."""

    def __init__(self, url: str, timeout: float) -> None:
        super().__init__(include_nonce=True)
        self.url = url
        self.timeout = timeout
        self.token: cms.ContentInfo | None = None
        self.failure: TimestampFailed | None = None

    async def async_timestamp(self, message_digest: bytes, md_algorithm: str) -> cms.ContentInfo:
        attempts = 0
        reason = ""
        for pause in (0.0, *_RETRY_PAUSES):
            if pause:
                await asyncio.sleep(pause)
            attempts += 1
            try:
                self.token = await self._stamp(message_digest, md_algorithm)
                return self.token
            except _Unusable as problem:
                reason = problem.reason
                if not problem.retry:
                    break
        self.failure = TimestampFailed(
            f"The time-stamping authority at {self.url} gave no timestamp "
            f"({attempts} attempt{'s' if attempts > 1 else ''}): {reason}",
            attempts=attempts,
        )
        raise self.failure

    async def _stamp(self, message_digest: bytes, md_algorithm: str) -> cms.ContentInfo:
        nonce, request = self.request_cms(message_digest, md_algorithm)
        answer = await asyncio.to_thread(self._post, request.dump())
        try:
            token = handle_tsp_response(tsp.TimeStampResp.load(answer), nonce)
            info = token["content"]["encap_content_info"]["content"].parsed
            imprint = info["message_imprint"]
            signer_cert = extract_certificate_info(token["content"]).signer_cert
            size = len(token.dump())
        except Exception as error:
            # Whatever asn1crypto raises on bytes that are no time-stamp response.
            raise _Unusable(f"an invalid answer ({error})", retry=True) from error
        if (
            imprint["hashed_message"].native != message_digest
            or imprint["hash_algorithm"]["algorithm"].native != md_algorithm
        ):
            raise _Unusable("a timestamp of other data", retry=True)
        if size > _TOKEN_ROOM:
            raise _Unusable(f"a token of {size} bytes (at most {_TOKEN_ROOM})", retry=False)
        context = ValidationContext(trust_roots=[signer_cert])
        status = await validate_tst_signed_data(
            token["content"], context, lambda _algorithm: message_digest
        )
        if not (status["intact"] and status["valid"]):
            raise _Unusable("a token whose signature does not verify", retry=True)
        return token

    def _post(self, body: bytes) -> bytes:
        request = urllib.request.Request(  # noqa: S310 (the scheme is http(s), checked)
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/timestamp-query",
                "Accept": "application/timestamp-reply",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = bytes(response.read(_MAX_TSA_ANSWER + 1))
        except urllib.error.HTTPError as error:
            # Server errors and throttling may pass; a wrong URL or credentials will not.
            retry = error.code >= 500 or error.code in (408, 429)
            raise _Unusable(f"HTTP {error.code}", retry=retry) from error
        except (OSError, http.client.HTTPException) as error:
            # A refused connection, a timeout, a reset: all OSError (URLError included).
            raise _Unusable(f"no answer ({error})", retry=True) from error
        if len(answer) > _MAX_TSA_ANSWER:
            raise _Unusable(f"an answer over {_MAX_TSA_ANSWER} bytes", retry=False)
        return answer

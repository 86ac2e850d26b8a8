"""What a PDF's seal proves: whether the signed bytes are unchanged, the signature valid,
nothing but validation data added after it, who sealed it and when, and whether that
signer is one the caller trusts. Offline: nothing is fetched."""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.general import extract_certificate_info
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    PdfSignatureStatus,
    SignatureCoverageLevel,
    async_validate_pdf_signature,
)
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko_certvalidator import ValidationContext

from portico.pdf.errors import DocumentRefused
from portico.pdf.limits import Limits

# After a seal, only what long-term validation adds (the DSS, document timestamps) leaves
# the document as sealed.
_UNMODIFIED = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)


@dataclass(frozen=True)
class SealReport:
    """``sealed`` when the PDF carries a signature; the other fields describe its last
    one (the last by a trusted signer, when there is one) and keep their defaults when
    unsealed. ``problem`` says why a signature present could not be checked."""

    sha256: str
    sealed: bool
    intact: bool = False
    valid: bool = False
    covers_whole_file: bool = False
    modified_after_seal: bool = False
    signer: str | None = None
    signer_fingerprint: str | None = None
    signed_at: datetime | None = None
    timestamp: datetime | None = None
    timestamp_valid: bool = False
    trusted: bool = False
    field_name: str | None = None
    problem: str | None = None


def verify_pdf(
    pdf: bytes, *, trusted: Sequence[x509.Certificate] = (), limits: Limits | None = None
) -> SealReport:
    """The report on ``pdf``'s seal. ``trusted``: the certificates of the seals to trust
    (the organisation's, past and present); a signer is trusted when its certificate is
    one of them. Raises ``DocumentRefused`` (not a PDF, too large, encrypted, damaged)
    and nothing else."""
    limits = limits or Limits()
    if not pdf:
        raise DocumentRefused("empty")
    if len(pdf) > limits.max_bytes:
        raise DocumentRefused("too_large", limit=limits.max_bytes, count=len(pdf))
    if b"%PDF-" not in pdf[:1024]:
        raise DocumentRefused("unsupported_type")
    digest = hashlib.sha256(pdf).hexdigest()
    trusted_prints = frozenset(cert.fingerprint(hashes.SHA256()).hex() for cert in trusted)
    signatures, unreadable = _signatures(pdf)
    if not signatures:
        if unreadable:
            return SealReport(
                sha256=digest, sealed=True, field_name=unreadable[-1][0], problem=unreadable[-1][1]
            )
        return SealReport(sha256=digest, sealed=False)
    signature = _chosen(signatures, trusted_prints)
    signer = _signer_of(signature)
    try:
        status = asyncio.run(_validate(signature))
    except (Exception, RecursionError) as error:
        # A signature pyHanko cannot evaluate (an unknown format, a broken container):
        # the document is signed, and nothing about it is proven.
        return SealReport(
            sha256=digest,
            sealed=True,
            field_name=signature.field_name,
            problem=f"the signature cannot be checked: {error!r}"[:500],
            signer=signer.name,
            signer_fingerprint=signer.fingerprint,
        )
    return _report(digest, signature, signer, status, trusted_prints)


def _signatures(
    pdf: bytes,
) -> tuple[list[EmbeddedPdfSignature], list[tuple[str, str]]]:
    """The document's signatures (not document timestamps) in signing order, and the
    (field, reason) of those that cannot be read."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        if reader.encrypted:
            raise DocumentRefused("encrypted")
        fields = list(enumerate_sig_fields(reader, filled_status=True))
    except DocumentRefused:
        raise
    except (Exception, RecursionError) as error:
        raise DocumentRefused("damaged", detail=f"pyHanko: {error!r}"[:500]) from error
    signatures: list[EmbeddedPdfSignature] = []
    unreadable: list[tuple[str, str]] = []
    for name, value, field_ref in fields:
        try:
            if value.get_object().get("/Type") == "/DocTimeStamp":
                continue
            signatures.append(EmbeddedPdfSignature(reader, field_ref, name))
        except (Exception, RecursionError) as error:
            unreadable.append((name, f"the signature cannot be read: {error!r}"[:500]))
    try:
        signatures.sort(key=lambda signature: signature.signed_revision)
    except (Exception, RecursionError) as error:
        raise DocumentRefused("damaged", detail=f"pyHanko: {error!r}"[:500]) from error
    return signatures, unreadable


def _chosen(
    signatures: list[EmbeddedPdfSignature], trusted_prints: frozenset[str]
) -> EmbeddedPdfSignature:
    # A seal followed by someone else's signature is reported as a seal modified after,
    # not as the other signature.
    for signature in reversed(signatures):
        if _signer_of(signature).fingerprint in trusted_prints:
            return signature
    return signatures[-1]


async def _validate(signature: EmbeddedPdfSignature) -> PdfSignatureStatus:
    # Trust is judged here, by certificate: pyHanko checks the signatures alone. Its
    # signer and time-stamping authority are their own anchors (else pyHanko logs each
    # untrusted path as an error), and it neither uses the system's roots nor fetches.
    anchors = [signature.signer_cert]
    for token in extract_tst_data_iter(signature.signer_info, signed=False):
        anchors.append(extract_certificate_info(token).signer_cert)
    context = ValidationContext(trust_roots=anchors, allow_fetching=False)
    return await async_validate_pdf_signature(
        signature, signer_validation_context=context, ts_validation_context=context
    )


def _report(
    digest: str,
    signature: EmbeddedPdfSignature,
    signer: _Signer,
    status: PdfSignatureStatus,
    trusted_prints: frozenset[str],
) -> SealReport:
    covers = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level in _UNMODIFIED
    )
    timestamp = status.timestamp_validity
    return SealReport(
        sha256=digest,
        sealed=True,
        intact=status.intact,
        valid=status.valid,
        covers_whole_file=covers,
        modified_after_seal=not covers,
        signed_at=status.signer_reported_dt,
        timestamp=timestamp.timestamp if timestamp is not None else None,
        timestamp_valid=timestamp is not None and timestamp.intact and timestamp.valid,
        trusted=status.intact and status.valid and signer.fingerprint in trusted_prints,
        signer=signer.name,
        signer_fingerprint=signer.fingerprint,
        field_name=signature.field_name,
    )


@dataclass(frozen=True)
class _Signer:
    name: str | None = None
    fingerprint: str | None = None


def _signer_of(signature: EmbeddedPdfSignature) -> _Signer:
    """The signer's common name (else its whole name) and certificate fingerprint; none
    when the container holds no readable certificate."""
    try:
        cert = signature.signer_cert
        names = cert.subject.native
        common_name = names.get("common_name") if isinstance(names, dict) else None
        if isinstance(common_name, list):
            common_name = common_name[0] if common_name else None
        name = str(common_name) if common_name else cert.subject.human_friendly
        return _Signer(name=name, fingerprint=cert.sha256.hex())
    except (Exception, RecursionError):
        return _Signer()

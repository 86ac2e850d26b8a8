"""A completed document: what each signer gave stamped on the original pages, the
completion certificate appended after them, and the whole sealed. The signing service
completes its submissions with it (and quotes may complete theirs the same way).

The certificate states the SHA-256 of the original and of the stamped pages, so it is
rendered between the two: ``certificate_for`` is given both and returns its data. The
certificate's pages and the seal are added to the stamped PDF as one incremental update
(the document is parsed and written once, by pyHanko): the stamped PDF is the first bytes
of the completed one.
CPU-bound and blocking (the seal refuses the event loop): run it off the loop."""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader, PdfWriter

from portico.pdf.certificate import CertificateData, Locale, render_certificate
from portico.pdf.pictures import Pictures
from portico.pdf.sealing import SealKey, open_for_update, seal_update
from portico.pdf.stamping import Mark, stamp

STAGES = ("stamp", "certificate", "append", "seal")


@dataclass(frozen=True)
class CompletedDocument:
    """``pdf`` is the sealed document, ``certificate`` the certificate alone (every
    language of it, one after the other). ``timings`` holds each stage's seconds
    (``STAGES``), for logs and the benchmark."""

    pdf: bytes
    certificate: bytes
    original_sha256: str
    stamped_sha256: str
    timings: Mapping[str, float]


def complete_document(
    original: bytes,
    marks: Sequence[Mark],
    certificate_for: Callable[[str, str], CertificateData],
    key: SealKey,
    *,
    reason: str,
    locales: Sequence[Locale] = ("en",),
    tsa_url: str | None = None,
) -> CompletedDocument:
    """``original`` with ``marks`` stamped, the certificate appended once per language in
    ``locales``, sealed under ``key`` (with a timestamp from ``tsa_url`` when given).
    ``certificate_for(original_sha256, stamped_sha256)`` is the certificate's data.
    Raises what ``stamp``, ``render_certificate`` and ``seal`` raise."""
    if not locales:
        raise ValueError("a completed document has its certificate in one language at least")
    clock = _Clock()
    # A signature is stamped on its page and printed on the certificate: decoded once.
    pictures = Pictures()
    stamped = stamp(original, marks, pictures=pictures)
    clock.lap("stamp")
    original_sha256 = hashlib.sha256(original).hexdigest()
    stamped_sha256 = hashlib.sha256(stamped).hexdigest()
    data = certificate_for(original_sha256, stamped_sha256)
    certificates = [render_certificate(data, locale, pictures=pictures) for locale in locales]
    clock.lap("certificate")
    # An incremental update: the stamped PDF, whose SHA-256 the certificate prints, stays
    # byte for byte the start of the completed one, where anyone can check it.
    writer = open_for_update(stamped)
    for certificate in certificates:
        _append_pages(writer, certificate)
    clock.lap("append")
    sealed = seal_update(writer, key, reason=reason, tsa_url=tsa_url)
    clock.lap("seal")
    return CompletedDocument(
        pdf=sealed,
        certificate=certificates[0] if len(certificates) == 1 else _joined(certificates),
        original_sha256=original_sha256,
        stamped_sha256=stamped_sha256,
        timings=clock.laps,
    )


def _append_pages(writer: IncrementalPdfFileWriter, pdf: bytes) -> None:
    """``pdf``'s pages added after the last page of ``writer``'s document, at the top of
    its page tree. They are imported in one call, so that what they share (fonts, images)
    is imported once; each page's /Parent is dropped first, or the import would bring
    ``pdf``'s page tree along with them."""
    source = PdfFileReader(io.BytesIO(pdf), strict=False)
    kids = source.root["/Pages"]["/Kids"]
    for page in kids:
        del page.get_object()["/Parent"]
    imported = writer.import_object(kids)
    assert isinstance(imported, generic.ArrayObject)
    tree_ref = writer.root.raw_get("/Pages")
    tree = tree_ref.get_object()
    for page in imported:
        page.get_object()[generic.pdf_name("/Parent")] = tree_ref
    tree["/Kids"].extend(imported)
    tree[generic.pdf_name("/Count")] = generic.NumberObject(tree["/Count"] + len(imported))
    writer.update_container(tree["/Kids"])
    writer.update_container(tree)


class _Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.laps[stage] = now - self._last
        self._last = now


def _joined(documents: Sequence[bytes]) -> bytes:
    writer = PdfWriter()
    for document in documents:
        writer.append(PdfReader(io.BytesIO(document)))
    return _written(writer)


def _written(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import subprocess
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from portico.pdf import Box, TextMark, complete_document, create_seal_key, load_seal_key
from portico.pdf.certificate import (
    CertificateData,
    CertificateRecipient,
    VerificationQr,
    qr_modules,
    render_certificate,
)
from portico.pdf.preview import render_page
from portico.pdf.testing import pdf_with_text, pdfsig
from portico.pdf.trail import TrailEntry, chain, head

_START = datetime(2025, 3, 1, 9, 30, 0, tzinfo=UTC)
URL = "https://portal.example.fr/verify/7f3c2a9e-5b1d-4e8a-9c6f-2d0b8e4a1f37?code=K7PX-2M9Q"
DOCUMENT_ID = "7f3c2a9e-5b1d-4e8a-9c6f-2d0b8e4a1f37"
ORIGINAL = hashlib.sha256(b"original").hexdigest()
SIGNED = hashlib.sha256(b"signed").hexdigest()
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87"
)
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def scribble(width: int = 600, height: int = 200, seed: int = 1) -> bytes:
    """A signature-like stroke on a transparent background, as the signing page sends."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points = [
        (
            int(width * (0.05 + 0.9 * i / 40)),
            int(height * (0.5 + 0.3 * ((i * seed * 7) % 5 - 2) / 2)),
        )
        for i in range(41)
    ]
    draw.line(points, fill=(20, 40, 120, 255), width=max(3, width // 120), joint="curve")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def recipient(
    name: str,
    email: str,
    ip: str,
    *,
    values: int = 15,
    kind: str = "signer",
    extra_values: tuple[tuple[str, str], ...] = (),
) -> CertificateRecipient:
    return CertificateRecipient(
        role="Client" if kind == "signer" else "Direction",
        kind=kind,  # type: ignore[arg-type]
        name=name,
        email=email,
        phone="+33 6 12 34 56 78",
        channel="sms" if kind == "signer" else "email",
        identity_method="sms_code" if kind == "signer" else "email_code",
        identity_attempts=2,
        identity_verified_at=_START + timedelta(minutes=3),
        ip=ip,
        user_agent=CHROME if kind == "signer" else SAFARI,
        time_zone="Europe/Paris" if kind == "signer" else "America/Montreal",
        completed_at=_START + timedelta(minutes=12, seconds=41),
        values=[(f"Field {number}", f"Value {number} of {name}") for number in range(1, values + 1)]
        + list(extra_values),
        signature_png=scribble(seed=len(name)),
        initials_png=scribble(200, 120, seed=len(name) + 1),
        locale="fr",
    )


def trail_entries(count: int, actors: tuple[str, ...] = ("jane@example.com",)) -> list[TrailEntry]:
    actions = ["sent", "link_opened", "identity_checked", "viewed", "field_completed", "signed"]
    return [
        TrailEntry(
            _START + timedelta(seconds=17 * index),
            actions[index % len(actions)],
            actors[index % len(actors)],
            "2001:db8:85a3::8a2e:370:7334" if index % 3 else "198.51.100.7",
            CHROME,
            "Europe/Paris",
            {"field": f"Field {index}"} if index % len(actions) == 4 else {},
        )
        for index in range(count)
    ]


def certificate_data(
    *,
    entries: int = 40,
    values: int = 15,
    extra_values: tuple[tuple[str, str], ...] = (),
) -> CertificateData:
    trail = trail_entries(entries, ("Jane Doe <jane@example.com>", "Élodie Dufresne"))
    return CertificateData(
        document_name="Contrat de prestation — lettre de mission 2025",
        document_id=DOCUMENT_ID,
        organisation_name="Cabinet Lefèvre & Associés",
        verification_url=URL,
        original_sha256=ORIGINAL,
        signed_sha256=SIGNED,
        generated_at=_START + timedelta(minutes=30),
        recipients=[
            recipient("Jane Doe", "jane@example.com", "198.51.100.7", values=values),
            recipient(
                "Élodie Dufresne",
                "elodie.dufresne@example.fr",
                "2001:db8:85a3::8a2e:370:7334",
                values=values,
                kind="approver",
                extra_values=extra_values,
            ),
        ],
        trail=trail,
        digests=chain(trail),
    )


def pdftotext(pdf: bytes) -> list[str]:
    """Each page's text as poppler extracts it (what a reader copies)."""
    result = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode().split("\f")[:-1]


@pytest.fixture(scope="module")
def english() -> bytes:
    return render_certificate(certificate_data(), "en")


@pytest.fixture(scope="module")
def french() -> bytes:
    return render_certificate(certificate_data(), "fr")


def test_the_certificate_opens_and_states_what_it_certifies(english: bytes) -> None:
    reader = PdfReader(io.BytesIO(english))
    pages = pdftotext(english)
    assert len(reader.pages) == len(pages) >= 2
    assert all(page.mediabox.width == pytest.approx(595.28, abs=0.1) for page in reader.pages)
    text = "\n".join(pages)
    data = certificate_data()
    assert "Certificate of completion" in pages[0]
    assert DOCUMENT_ID in pages[0]
    assert ORIGINAL in text and SIGNED in text
    assert "before this certificate" in text
    for person in data.recipients:
        for part in (person.name, person.email, person.ip):
            assert part and part in text, part
        for label, value in person.values:
            assert label in text and value in text
    assert head(data.digests) in text
    for digest in data.digests:
        assert digest[:12] in text
    assert "Page 1 of" in pages[0] and f"Page {len(pages)} of {len(pages)}" in pages[-1]
    assert all(f"Document ID {DOCUMENT_ID}" in page for page in pages)


def test_the_words_are_those_of_the_locale(english: bytes, french: bytes) -> None:
    en, fr = "\n".join(pdftotext(english)), "\n".join(pdftotext(french))
    for word in ("Audit trail", "Recipients", "Identity check", "Field completed", "Signer"):
        assert word in en and word not in fr
    for word in ("Piste d’audit", "Destinataires", "Champ rempli", "Signataire", "Fuseau horaire"):
        assert word in fr and word not in en
    assert "Certificat d’achèvement" in fr
    assert "Page 1 sur" in fr
    # French dates, and each person's own time besides UTC.
    assert "1er mars 2025 à 09:42:41 UTC" in fr
    assert "1er mars 2025 à 10:42:41 Europe/Paris (UTC+01:00)" in fr
    assert "01/03/2025 09:30:00" in fr
    assert "1 March 2025, 09:42:41 UTC" in en
    assert "1 March 2025, 04:42:41 America/Montreal (UTC-05:00)" in en
    assert "2025-03-01 09:30:00" in en
    assert "passed on the 2nd attempt" in en and "réussie à la 2e tentative" in fr
    # No code is printed where a word belongs.
    assert "field_completed" not in en and "sms_code" not in fr


def test_a_long_trail_flows_onto_pages_with_its_header(english: bytes) -> None:
    data = certificate_data(entries=200)
    pdf = render_certificate(data, "en")
    pages = pdftotext(pdf)
    assert len(pages) >= 5
    trail_pages = [page for page in pages if "Time (UTC)" in page]
    assert len(trail_pages) >= 4
    for page in trail_pages:
        assert "Event" in page and "Digest" in page
    text = "\n".join(pages)
    assert all(digest[:12] in text for digest in data.digests)
    assert head(data.digests) in pages[-1]
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]


def test_a_recipients_name_is_never_left_alone_at_the_foot_of_a_page() -> None:
    # As many values as move the second recipient down the first page, through its foot.
    for values in range(4, 26, 3):
        pages = pdftotext(render_certificate(certificate_data(values=values), "en"))
        [page] = [page for page in pages if "2. Élodie Dufresne" in page]
        assert "elodie.dufresne@example.fr" in page, values


def test_the_qr_code_leads_to_the_verification_link(english: bytes) -> None:
    qr = VerificationQr(URL, 80)
    assert qr.value == URL
    assert qr.modules == qr_modules(URL)
    modules = qr.modules
    count = len(modules)
    # The three finder patterns: a dark ring of 7 by 7 modules around a dark square of 3 by 3.
    for top, left in ((0, 0), (0, count - 7), (count - 7, 0)):
        assert all(modules[top][left + c] and modules[top + 6][left + c] for c in range(7))
        assert not modules[top + 1][left + 1] and modules[top + 3][left + 3]
    # The code drawn on the first page is that of the URL, module by module: it stands in
    # the top right corner, inside the margins (18 mm), 27 mm wide.
    width = 2480  # 300 dpi
    image = Image.open(io.BytesIO(render_page(english, 0, width))).convert("L")
    pixels_per_mm = width / 210
    corner = (
        int((210 - 18 - 28) * pixels_per_mm),
        int(17 * pixels_per_mm),
        int((210 - 17) * pixels_per_mm),
        int((18 + 27) * pixels_per_mm),
    )
    box = image.crop(corner).point(lambda v: 255 if v < 128 else 0).getbbox()
    assert box is not None
    left, top, right, bottom = box
    side = right - left
    assert abs((bottom - top) - side) <= 2
    module = 27 * pixels_per_mm / (count + 2 * VerificationQr.QUIET)
    assert side == pytest.approx(count * module, abs=2)
    for row in range(count):
        for column in range(count):
            x = corner[0] + left + int((column + 0.5) * module)
            y = corner[1] + top + int((row + 0.5) * module)
            assert (image.getpixel((x, y)) < 128) == modules[row][column], (row, column)
    # And it is a link to the URL.
    page = PdfReader(io.BytesIO(english)).pages[0]
    uris = [annotation.get_object()["/A"]["/URI"] for annotation in page["/Annots"]]
    assert URL in uris


def _images(pdf: bytes) -> list[tuple[int, float]]:
    """Each page's image XObjects, as (page, width / height)."""
    found = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):
        for ref in page["/Resources"].get("/XObject", {}).values():
            image = ref.get_object()
            if image["/Subtype"] == "/Image":
                found.append((number, round(int(image["/Width"]) / int(image["/Height"]), 1)))
    return found


def test_each_signature_and_initials_is_an_image_on_the_page(english: bytes) -> None:
    # Two signatures (3:1) and two initials (5:3), the first person's on the first page.
    images = _images(english)
    assert sorted(ratio for _, ratio in images) == [1.7, 1.7, 3.0, 3.0]
    assert sorted(ratio for page, ratio in images if page == 0) == [1.7, 3.0]
    data = certificate_data()
    bare = dataclasses.replace(
        data,
        recipients=[
            dataclasses.replace(person, signature_png=None, initials_png=None)
            for person in data.recipients
        ],
    )
    assert _images(render_certificate(bare, "en")) == []


def test_a_broken_chain_is_never_printed() -> None:
    data = certificate_data(entries=5)
    tampered = list(data.trail)
    tampered[2] = dataclasses.replace(tampered[2], ip="203.0.113.66")
    with pytest.raises(ValueError, match="entry 2"):
        render_certificate(dataclasses.replace(data, trail=tampered), "en")
    with pytest.raises(ValueError, match="signed_sha256"):
        render_certificate(dataclasses.replace(data, signed_sha256="abc"), "en")
    with pytest.raises(ValueError, match="locale"):
        render_certificate(data, "de")  # type: ignore[arg-type]


def test_awkward_text_is_printed_not_interpreted() -> None:
    awkward = (
        ("Notes <b>&amp;</b>", "Line one\nline two & <three>"),
        ("IBAN", "FR7630006000011234567890189" * 3),
        ("Long", "word " * 400),
    )
    pdf = render_certificate(certificate_data(entries=3, values=1, extra_values=awkward), "en")
    text = "\n".join(pdftotext(pdf))
    assert "Notes <b>&amp;</b>" in text
    assert "line two & <three>" in text


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", "".join(text.split()))


def test_latin_greek_cyrillic_and_hebrew_values_come_back() -> None:
    values = (
        ("Nom", "Zoë Ångström-Łukasiewicz"),
        ("Όνομα", "Αλέξανδρος"),
        ("Имя", "Дмитрий Шостакович"),
    )
    pdf = render_certificate(certificate_data(entries=3, values=1, extra_values=values), "fr")
    text = _nfkc("\n".join(pdftotext(pdf)))
    for label, value in values:
        assert _nfkc(label) in text and _nfkc(value) in text


def test_a_completed_document_begins_with_the_stamped_pdf_whose_hash_it_prints() -> None:
    """The certificate and the seal are incremental updates of the stamped PDF: its SHA-256,
    printed on the certificate, can be checked on the completed file's first bytes."""
    original = pdf_with_text("Page one", "Page two")
    given: dict[str, str] = {}

    def certificate_for(original_sha256: str, stamped_sha256: str) -> CertificateData:
        given.update(original=original_sha256, stamped=stamped_sha256)
        return dataclasses.replace(
            certificate_data(entries=5, values=2),
            original_sha256=original_sha256,
            signed_sha256=stamped_sha256,
        )

    marks = [TextMark(page=1, box=Box(0.1, 0.5, 0.4, 0.05), text="Jane Doe")]
    completed = complete_document(
        original, marks, certificate_for, load_seal_key(create_seal_key("Studio")), reason="t"
    )
    assert given == {"original": completed.original_sha256, "stamped": completed.stamped_sha256}
    assert completed.original_sha256 == hashlib.sha256(original).hexdigest()
    prefix = re.search(rb"%%EOF\r?\n?", completed.pdf)
    assert prefix is not None
    stamped = completed.pdf[: prefix.end()]
    assert hashlib.sha256(stamped).hexdigest() == completed.stamped_sha256
    assert len(PdfReader(io.BytesIO(stamped)).pages) == 2
    pages = PdfReader(io.BytesIO(completed.pdf)).pages
    assert len(pages) == 2 + len(PdfReader(io.BytesIO(completed.certificate)).pages)
    assert completed.stamped_sha256 in "".join(pdftotext(completed.pdf)).replace("\n", "")


def test_the_certificates_and_the_seal_are_one_update_after_the_stamped_pdf() -> None:
    """Each language's certificate pages follow the document's, added with the seal in one
    incremental update: the stamped PDF and one update, each certificate's fonts imported
    once for all its pages, the whole valid."""
    original = pdf_with_text("Page one", "Page two")
    data = certificate_data(entries=60, values=3)
    certificates = [render_certificate(data, locale) for locale in ("en", "fr")]
    assert all(len(PdfReader(io.BytesIO(pdf)).pages) > 1 for pdf in certificates)

    def certificate_for(original_sha256: str, stamped_sha256: str) -> CertificateData:
        return data

    marks = [TextMark(page=0, box=Box(0.1, 0.5, 0.4, 0.05), text="Jane Doe")]
    completed = complete_document(
        original,
        marks,
        certificate_for,
        load_seal_key(create_seal_key("Studio")),
        reason="t",
        locales=("en", "fr"),
    )
    assert completed.pdf.count(b"%%EOF") == 2
    update = completed.pdf[completed.pdf.index(b"%%EOF") :]
    assert update.count(b"/FontFile2") == sum(pdf.count(b"/FontFile2") for pdf in certificates)
    pages = PdfReader(io.BytesIO(completed.pdf)).pages
    counts = [len(PdfReader(io.BytesIO(pdf)).pages) for pdf in certificates]
    assert len(pages) == 2 + sum(counts)
    assert "Certificate of completion" in pages[2].extract_text()
    assert "Certificat d’achèvement" in pages[2 + counts[0]].extract_text()
    assert "Signature is Valid." in pdfsig(completed.pdf)

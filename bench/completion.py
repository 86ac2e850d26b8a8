"""The `completion` benchmark: the PDF work of completing a signed document.

A 10-page contract (text on every page, `bench/inputs/completion-template.pdf`, made once
by `template()` and normalised as an upload is) completed as the signing service does it
(`portico.pdf.complete_document`): 30 values stamped (text, a few words accented, a date,
two check marks, two drawn signatures as 600x200 PNG), the certificate of two signers
with a trail of 40 events rendered and appended, the whole sealed under an EC P-256 key
without a time-stamping authority. The certificate's data (the recipients with their
drawn signatures, the trail and its digests) is made once before the runs, as the service
reads it before it completes. Fifty completions after five of warm-up, each followed
by the baseline: pypdf reading and writing the same 10-page document, so both see the
machine in the same state. Figures: the whole completion's p50 and p95 (target: p95 at
most 40 ms), and each stage's p50, each beside the baseline's.
"""

from __future__ import annotations

import asyncio
import gc
import io
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from bench.figures import Figure
from portico.pdf import (
    Box,
    CertificateData,
    CertificateRecipient,
    CheckMark,
    CompletedDocument,
    ImageMark,
    Mark,
    SealKey,
    TextMark,
    TrailEntry,
    chain,
    complete_document,
    create_seal_key,
    load_seal_key,
    normalise,
)
from portico.pdf.completing import STAGES

TEMPLATE = Path(__file__).parent / "inputs" / "completion-template.pdf"
PAGES = 10
WARM_UP = 5
RUNS = 50
TARGET_P95_MS = 40.0
BASELINE = "pypdf reading and writing the same 10-page document"

_CLAUSE = (
    "The Provider delivers the services described in the schedule with due care and skill, "
    "within the agreed time, and keeps the Client informed of any delay that may affect them."
)
_ACCEPT = "I have read this part and accept its terms."
_SIGNED_AT = datetime(2025, 3, 4, 14, 22, 5, tzinfo=UTC)
_BROWSER = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.3 Safari/605.1.15"
)


def template() -> bytes:
    """The 10-page contract: made and stored on first use, read from the repository after.
    Clauses on every page, with a labelled blank line where each value is stamped."""
    if TEMPLATE.is_file():
        return TEMPLATE.read_bytes()
    width, height = A4
    blanks: dict[int, list[tuple[str, Box]]] = {}
    labels = [label for label, _value in _VALUES] + ["Date"]
    for mark in marks():
        if isinstance(mark, TextMark):
            blanks.setdefault(mark.page, []).append((f"{labels.pop(0)}:", mark.box))
        elif isinstance(mark, CheckMark):
            blanks.setdefault(mark.page, []).append(("", mark.box))
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    for page in range(PAGES):
        canvas.setFont("Helvetica-Bold", 14)
        canvas.drawString(72, height - 72, f"Service agreement — part {page + 1} of {PAGES}")
        bands = []
        for label, box in blanks.get(page, []):
            bottom = height * (1 - box.y - box.h)
            bands.append((bottom - 8, bottom + box.h * height + 8))
            canvas.setFont("Helvetica", 9.5)
            if label:
                canvas.drawString(72, bottom + 4, label)
                canvas.line(box.x * width, bottom, (box.x + box.w) * width, bottom)
            else:
                canvas.rect(box.x * width, bottom, box.w * width, box.h * height)
                canvas.drawString((box.x + box.w) * width + 8, bottom + 3, _ACCEPT)
        canvas.setFont("Helvetica", 9.5)
        # The last page keeps its lower half for the date and the signatures.
        lowest = 300 if page == PAGES - 1 else 70
        y, clause = height - 100, 1
        while y > lowest:
            if not any(low <= y <= high for low, high in bands):
                canvas.drawString(72, y, f"{page + 1}.{clause}  {_CLAUSE}"[:112])
                clause += 1
            y -= 13
        canvas.setFont("Helvetica-Oblique", 8)
        canvas.drawString(72, 40, f"Initials: ________    Page {page + 1} / {PAGES}")
        canvas.drawRightString(width - 72, 40, "Atelier Lumière — Studio Nord")
        if page == PAGES - 1:
            canvas.setFont("Helvetica", 9.5)
            canvas.drawString(0.1 * width, height * 0.19 + 4, "For the Client")
            canvas.drawString(0.55 * width, height * 0.19 + 4, "For the Provider")
        canvas.showPage()
    canvas.save()
    # Stored as an upload is: normalised (rewritten clean by pypdf).
    pdf = normalise(buffer.getvalue()).pdf
    TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    TEMPLATE.write_bytes(pdf)
    return pdf


def signature_png(seed: int) -> bytes:
    """A drawn signature as the signing pad sends it: 600x200, transparent, dark strokes."""
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points = [(30 + 45 * step, 100 + (35 + seed * 7) * (-1) ** (step + seed)) for step in range(13)]
    draw.line(points, fill=(16, 24, 64, 255), width=5, joint="curve")
    draw.line([(60, 165), (540, 150)], fill=(16, 24, 64, 255), width=3)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


_VALUES = [
    ("Client", "Atelier Lumière SARL"),
    ("Registration", "RCS Paris 842 117 509"),
    ("Address", "12 rue de la Folie-Méricourt"),
    ("City", "75011 Paris"),
    ("Contact", "Inès Roy"),
    ("Email", "ines.roy@lumiere.example"),
    ("Phone", "+33 6 12 34 56 78"),
    ("IBAN", "FR76 3000 6000 0112 3456 7890 189"),
    ("Start date", "03/03/2025"),
    ("Fees", "12 400,00 EUR"),
    ("Deposit", "3 100,00 EUR"),
    ("Project", "Refonte de l’identité visuelle"),
    ("Deliverables", "Logo, charte, gabarits"),
    ("Provider", "Studio Nord"),
    ("Representative", "Léa Bernard"),
    ("Title", "Directrice de création"),
    ("Provider email", "lea@studio-nord.example"),
    ("Notice", "30 days"),
    ("Venue", "Tribunal de commerce de Paris"),
    ("Invoice to", "comptabilite@lumiere.example"),
    ("PO number", "PO-2025-0147"),
    ("Reference", "SN-2025-031"),
    ("Cost centre", "Marketing"),
    ("Approver", "Émile Garçon"),
    ("Signed at", "Paris"),
]


def marks() -> list[Mark]:
    """30 values: 25 lines of text, a date, two check marks and two signatures."""
    placed: list[Mark] = []
    for index, (_label, value) in enumerate(_VALUES):
        page = index % (PAGES - 1)
        row = index // (PAGES - 1)
        box = Box(0.3, 0.14 + 0.25 * row, 0.45, 0.022)
        placed.append(TextMark(page=page, box=box, text=value))
    last = PAGES - 1
    placed += [
        TextMark(page=last, box=Box(0.3, 0.7, 0.2, 0.022), text="04/03/2025"),
        CheckMark(page=3, box=Box(0.1, 0.5, 0.025, 0.018)),
        CheckMark(page=6, box=Box(0.1, 0.5, 0.025, 0.018)),
        ImageMark(page=last, box=Box(0.1, 0.8, 0.32, 0.08), image=signature_png(1)),
        ImageMark(page=last, box=Box(0.55, 0.8, 0.32, 0.08), image=signature_png(2)),
    ]
    return placed


def trail() -> list[TrailEntry]:
    """40 events: created, sent, each signer's visit, fields, signature, completion."""
    people = [("Inès Roy", "203.0.113.24"), ("Léa Bernard", "2001:db8:85a3::8a2e:370:7334")]
    at = _SIGNED_AT - timedelta(days=2)
    entries = [
        TrailEntry(at=at, action="created", actor="Léa Bernard", ip=people[1][1]),
        TrailEntry(at=at + timedelta(minutes=3), action="sent", details={"to": "Inès Roy"}),
    ]
    at += timedelta(days=1)
    for name, ip in people:
        entries += [
            _visit(at, name, ip, "link_opened"),
            _visit(at, name, ip, "identity_checked", channel="email"),
            _visit(at, name, ip, "viewed"),
        ]
        for field in range(14):
            at += timedelta(seconds=17)
            label = _VALUES[(field * 2) % len(_VALUES)][0]
            entries.append(_visit(at, name, ip, "field_completed", field=label))
        entries.append(_visit(at, name, ip, "signed"))
        at += timedelta(hours=3)
    entries.append(TrailEntry(at=at, action="completed"))
    return entries


def _visit(at: datetime, name: str, ip: str, action: str, **details: str) -> TrailEntry:
    return TrailEntry(
        at=at,
        action=action,
        actor=name,
        ip=ip,
        user_agent=_BROWSER,
        time_zone="Europe/Paris",
        details=details,
    )


def recipient(name: str, email: str, ip: str, signature: bytes, role: str) -> CertificateRecipient:
    return CertificateRecipient(
        role=role,
        kind="signer",
        name=name,
        email=email,
        phone="+33 6 12 34 56 78",
        channel="email",
        identity_method="email_code",
        identity_attempts=1,
        identity_verified_at=_SIGNED_AT - timedelta(minutes=4),
        ip=ip,
        user_agent=_BROWSER,
        time_zone="Europe/Paris",
        completed_at=_SIGNED_AT,
        values=[(label, value) for label, value in _VALUES[:13]],
        signature_png=signature,
        initials_png=None,
        locale="en",
    )


def certificate_maker() -> Callable[[str, str], CertificateData]:
    """``certificate_for`` as the signing service passes it: the recipients (their drawn
    signatures read from storage), the trail and its stored digests all made before the
    completion starts, only the two hashes filled in when it asks."""
    entries = trail()
    digests = chain(entries)
    recipients = [
        recipient(
            "Inès Roy", "ines.roy@lumiere.example", "203.0.113.24", signature_png(1), "Client"
        ),
        recipient(
            "Léa Bernard",
            "lea@studio-nord.example",
            "2001:db8::7334",
            signature_png(2),
            "Provider",
        ),
    ]

    def certificate_for(original_sha256: str, stamped_sha256: str) -> CertificateData:
        return CertificateData(
            document_name="Service agreement — Atelier Lumière",
            document_id=str(uuid.UUID(int=7)),
            organisation_name="Studio Nord",
            verification_url="https://portico.example/verify",
            original_sha256=original_sha256,
            signed_sha256=stamped_sha256,
            generated_at=_SIGNED_AT + timedelta(minutes=1),
            recipients=recipients,
            trail=entries,
            digests=digests,
        )

    return certificate_for


def _baseline(pdf: bytes) -> float:
    started = time.perf_counter()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.write(io.BytesIO())
    return time.perf_counter() - started


def _complete(
    pdf: bytes,
    placed: list[Mark],
    certificate_for: Callable[[str, str], CertificateData],
    key: SealKey,
) -> tuple[float, CompletedDocument]:
    started = time.perf_counter()
    completed = complete_document(pdf, placed, certificate_for, key, reason="Completed: bench")
    return time.perf_counter() - started, completed


def _percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (the value ``share`` of the runs take at most)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def _measure() -> dict[str, list[float]]:
    pdf = template()
    placed = marks()
    certificate_for = certificate_maker()
    key = load_seal_key(create_seal_key("Studio Nord"))
    measured: dict[str, list[float]] = {name: [] for name in ("total", "baseline", *STAGES)}
    for _ in range(WARM_UP):
        _complete(pdf, placed, certificate_for, key)
        _baseline(pdf)
    gc.collect()
    for _ in range(RUNS):
        elapsed, completed = _complete(pdf, placed, certificate_for, key)
        measured["total"].append(elapsed)
        for stage in STAGES:
            measured[stage].append(completed.timings[stage])
        measured["baseline"].append(_baseline(pdf))
    return measured


async def run() -> list[Figure]:
    # In a thread, as the service runs it: the seal refuses to block an event loop.
    measured = await asyncio.to_thread(_measure)

    def ms(values: list[float], share: float) -> float:
        return _percentile(values, share) * 1000

    baseline = measured["baseline"]
    figures = [
        Figure(
            "completion.total_p50", ms(measured["total"], 0.5), "ms", BASELINE, ms(baseline, 0.5)
        ),
        Figure(
            "completion.total_p95",
            ms(measured["total"], 0.95),
            "ms",
            BASELINE,
            ms(baseline, 0.95),
            maximum=TARGET_P95_MS,
        ),
    ]
    figures += [
        Figure(
            f"completion.{stage}_p50", ms(measured[stage], 0.5), "ms", BASELINE, ms(baseline, 0.5)
        )
        for stage in STAGES
    ]
    return figures

"""The `quote_pdf` benchmark: rendering a quote's PDF, as a send with `attach_pdf` and the
staff's download do (`portico.quotes.rendering.render_quote_pdf`).

The quote: 20 lines in two sections (descriptions of a sentence or two, one optional line,
one line discount, two VAT rates), a discount on the whole quote, an introduction, notes
and terms, in French: two A4 pages. Fifty renders after five of warm-up (the fonts are
loaded by the first), each followed by the baseline: reportlab alone laying out a document
of the same size with its built-in Helvetica (the same texts in a table of 20 rows with
its header repeated, the same paragraphs, "Page n of N" footers), so both see the machine
in the same state. What the difference pays for: Noto faces chosen per run of text, bidi
and wrapping through `portico.pdf.scripts`, and Babel's formatting of every amount.
"""

from __future__ import annotations

import asyncio
import gc
import io
import time
from datetime import date
from decimal import Decimal
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer

from bench.figures import Figure
from portico.quotes.rendering import PrintableQuote, Recipient, Sender, render_quote_pdf
from portico.quotes.totals import Discount, Line, Section, compute_totals

LINES = 20
WARM_UP = 5
RUNS = 50
# A send holds the quote's lock (on SQLite, the database's write lock) while its PDF
# renders, and staff wait for a download: a tenth of a second at most.
TARGET_P95_MS = 100.0
BASELINE = "reportlab alone, the same texts in Helvetica (2 pages)"

_INTRODUCTION = (
    "Suite à notre rencontre du 2 décembre, voici notre proposition pour la refonte de "
    "votre site et de vos supports imprimés."
)
_WORK = (
    "Atelier de conception {n} : entretiens, arborescence et maquettes des pages "
    "principales, relues ensemble avant validation."
)


def quote() -> PrintableQuote:
    sections = (Section("design", "Conception"), Section("build", "Réalisation"))
    lines = [
        Line(
            _WORK.format(n=index + 1),
            Decimal(2),
            Decimal("480.00"),
            Decimal(20) if index % 5 else Decimal("5.5"),
            unit="jour",
            section="design" if index < LINES // 2 else "build",
            discount=Discount.percent(10) if index == 3 else None,
            optional=index == LINES - 1,
        )
        for index in range(LINES)
    ]
    return PrintableQuote(
        number="DEV-2026-0042",
        title="Refonte du site et des supports imprimés",
        issue_date=date(2026, 12, 7),
        valid_until=date(2027, 1, 6),
        sender=Sender(
            "Studio Nord",
            "12 rue des Lilas, 75011 Paris\nSIRET 123 456 789 00012 · TVA FR12 123456789",
            "#2f5bea",
        ),
        recipient=Recipient("Atelier Lumière", "Inès Roy", "ines.roy@lumiere.example"),
        currency="EUR",
        decimals=2,
        locale="fr",
        lines=tuple(lines),
        totals=compute_totals(lines, sections=sections, discount=Discount.amount(150)),
        sections=sections,
        introduction=_INTRODUCTION,
        notes="Les déplacements en Île-de-France sont compris.",
        terms="30 % d’acompte à la signature, le solde à la livraison.",
    )


def bare_reportlab(printable: PrintableQuote) -> bytes:
    """The same texts laid out by reportlab alone: built-in font, no script handling, no
    locale formatting."""
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    rows: list[list[Any]] = [["Désignation", "Qté", "Prix unitaire HT", "TVA", "Montant HT"]]
    for line, amount in zip(printable.lines, printable.totals.lines, strict=True):
        rows.append(
            [
                Paragraph(line.description, body),
                f"{line.quantity} {line.unit}",
                str(line.unit_price),
                f"{line.vat_rate} %",
                str(amount.net),
            ]
        )
    story = [
        Paragraph(printable.sender.name, styles["Title"]),
        Paragraph(printable.sender.company_details, body),
        Paragraph(printable.title, styles["Heading2"]),
        Paragraph(printable.introduction, body),
        Spacer(1, 12),
        LongTable(rows, colWidths=[250, 50, 70, 40, 70], repeatRows=1),
        Paragraph(f"Total TTC {printable.totals.total_with_tax}", styles["Heading3"]),
        Paragraph(printable.notes, body),
        Paragraph(printable.terms, body),
    ]

    def footer(canvas: Any, document: Any) -> None:
        canvas.drawRightString(560, 30, f"Page {document.page}")

    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4).build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _timed(render: Any, printable: PrintableQuote) -> float:
    started = time.perf_counter()
    render(printable)
    return time.perf_counter() - started


def _percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (the value ``share`` of the runs take at most)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def _measure() -> dict[str, list[float]]:
    printable = quote()
    for _ in range(WARM_UP):
        render_quote_pdf(printable)
        bare_reportlab(printable)
    gc.collect()
    measured: dict[str, list[float]] = {"quote": [], "baseline": []}
    for _ in range(RUNS):
        measured["quote"].append(_timed(render_quote_pdf, printable))
        measured["baseline"].append(_timed(bare_reportlab, printable))
    return measured


async def run() -> list[Figure]:
    # In a thread, as the service runs it: off the event loop.
    measured = await asyncio.to_thread(_measure)

    def ms(values: list[float], share: float) -> float:
        return _percentile(values, share) * 1000

    quote_times, baseline = measured["quote"], measured["baseline"]
    return [
        Figure(
            "quote_pdf.render_20_lines_p50", ms(quote_times, 0.5), "ms", BASELINE, ms(baseline, 0.5)
        ),
        Figure(
            "quote_pdf.render_20_lines_p95",
            ms(quote_times, 0.95),
            "ms",
            BASELINE,
            ms(baseline, 0.95),
            maximum=TARGET_P95_MS,
        ),
    ]

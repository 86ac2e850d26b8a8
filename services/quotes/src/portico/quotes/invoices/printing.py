"""An invoice as printed: what it bills as kept when it was issued (its lines, sections and
totals, to the cent), its number and dates, the quote it bills as its reference, the
organisation and the client as the replicas know them now, in the quote's language; laid
out by ``portico.quotes.rendering`` as the quote is, off the event loop."""

from __future__ import annotations

import asyncio

from portico.kit.transaction import Transaction
from portico.quotes.currencies import decimals_of
from portico.quotes.invoices.schemas import BilledContent
from portico.quotes.models import Invoice
from portico.quotes.quotes.printing import recipient_of, sender_of
from portico.quotes.rendering import PrintableInvoice, render_invoice_pdf
from portico.quotes.totals import (
    Discount,
    Line,
    LineAmount,
    RateTax,
    Section,
    SectionSubtotal,
    Totals,
)


def billed_figures(
    billed: BilledContent,
) -> tuple[tuple[Line, ...], tuple[Section, ...], Totals]:
    """The lines, sections and totals an invoice bills, as the renderer takes them: the
    figures kept at issue, never computed again (an invoice prints what it bills even if
    the rounding rules changed since). Every line billed is counted."""
    lines = tuple(
        Line(
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
            discount=Discount(line.discount.kind, line.discount.value) if line.discount else None,
            unit=line.unit,
            section=line.section,
        )
        for line in billed.lines
    )
    sections = tuple(Section(section.key, section.title) for section in billed.sections)
    kept = billed.totals
    totals = Totals(
        lines=tuple(LineAmount(line.net, counted=True) for line in billed.lines),
        sections=tuple(SectionSubtotal(s.key, s.subtotal) for s in billed.sections),
        lines_total=kept.lines_total,
        discount=kept.discount,
        total_without_tax=kept.total_without_tax,
        taxes=tuple(RateTax(tax.rate, tax.base, tax.tax) for tax in kept.taxes),
        total_tax=kept.total_tax,
        total_with_tax=kept.total_with_tax,
    )
    return lines, sections, totals


async def printable_invoice(
    tx: Transaction, invoice: Invoice, quote_number: str | None
) -> PrintableInvoice:
    """``invoice`` as its PDF prints it, ``quote_number`` the quote it bills."""
    lines, sections, totals = billed_figures(BilledContent.model_validate(invoice.lines))
    return PrintableInvoice(
        number=invoice.number,
        title=invoice.title,
        issue_date=invoice.issue_date,
        due_on=invoice.due_on,
        sender=await sender_of(tx),
        recipient=await recipient_of(tx, invoice.client_id, invoice.contact_id),
        currency=invoice.currency,
        decimals=decimals_of(invoice.currency),
        locale="fr" if invoice.locale == "fr" else "en",
        lines=lines,
        sections=sections,
        totals=totals,
        quote_number=quote_number,
    )


async def invoice_pdf(tx: Transaction, invoice: Invoice, quote_number: str | None) -> bytes:
    """The invoice's PDF, rendered in a thread as a quote's is."""
    printable = await printable_invoice(tx, invoice, quote_number)
    return await asyncio.to_thread(render_invoice_pdf, printable)


def invoice_file_name(invoice: Invoice) -> str:
    """The name the PDF is saved under: its number."""
    return f"{invoice.number}.pdf"

"""An invoice's PDF: laid out as its quote (the organisation, the client, the lines by
section and the totals by VAT rate), titled "Invoice" / "Facture" with its number, issue
and due dates and the quote it bills as reference, in the quote's language, printing the
figures kept when it was issued to the cent; downloaded by staff and API keys
(``/v1/invoices/{id}/pdf``) and by the client's own contacts through the billing section,
another client's invoice being a 404 there."""

from __future__ import annotations

import io
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from pypdf import PdfReader

from portico.kit.testing.services import RunningPortico
from portico.quotes.invoices.printing import billed_figures
from portico.quotes.invoices.schemas import BilledContent
from portico.quotes.rendering import PrintableInvoice, Recipient, Sender, render_invoice_pdf
from portico.quotes.testing import INVOICES, QUOTES, accepted_quote, make_client

BILLING = "/api/quotes/v1/billing"

# What French prints: a narrow no-break space between thousands.
THIN = "\u202f"


def text_of(pdf: bytes) -> str:
    """Every page's text as pypdf extracts it, no-break spaces as spaces."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return "\n".join((page.extract_text() or "").replace("\u00a0", " ") for page in pages)


async def invoiced(
    portico: RunningPortico, client: dict[str, Any], body: dict[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A quote sent to the client's contact, accepted through its link and invoiced."""
    staff = portico.headers("staff")
    quote = await accepted_quote(portico, client, body)
    issued = await portico.http.post(f"{QUOTES}/{quote['id']}/invoice", json={}, headers=staff)
    assert issued.status_code == 201, issued.text
    quote = (await portico.http.get(f"{QUOTES}/{quote['id']}", headers=staff)).json()
    return quote, issued.json()


def contact_headers(portico: RunningPortico, client: dict[str, Any]) -> dict[str, str]:
    contact_id = client["contacts"][0]["id"]
    return portico.headers("client", client_id=client["id"], contact_id=contact_id)


# --- The renderer ----------------------------------------------------------------------


def an_invoice(locale: str, **kept: Any) -> PrintableInvoice:
    """An invoice billing two lines at two rates, its figures as kept at issue."""
    content = BilledContent.model_validate(
        {
            "sections": [{"key": "design", "title": "Design", "subtotal": "960.00"}],
            "lines": [
                {"section": "design", "description": "Design workshop", "quantity": "2",
                 "unit": "day", "unit_price": "480.00", "vat_rate": "20", "discount": None,
                 "net": "960.00"},
                {"section": None, "description": "Books", "quantity": "3", "unit": "",
                 "unit_price": "24.90", "vat_rate": "5.5", "discount": None, "net": "74.70"},
            ],
            "totals": {
                "lines_total": "1034.70", "discount": "0.00", "total_without_tax": "1034.70",
                "taxes": [{"rate": "20", "base": "960.00", "tax": "192.00"},
                          {"rate": "5.5", "base": "74.70", "tax": "4.11"}],
                "total_tax": "196.11", "total_with_tax": "1230.81",
                **kept,
            },
        }
    )  # fmt: skip
    lines, sections, totals = billed_figures(content)
    return PrintableInvoice(
        number="FAC-2026-00007",
        title="Identité visuelle",
        issue_date=date(2026, 12, 8),
        due_on=date(2027, 1, 7),
        sender=Sender("Studio Nord", "12 rue des Lilas, 75011 Paris", "#2f5bea"),
        recipient=Recipient("Atelier Lumière", "Inès Roy", "ines@lumiere.example"),
        currency="EUR",
        decimals=2,
        locale="fr" if locale == "fr" else "en",
        lines=lines,
        totals=totals,
        sections=sections,
        quote_number="DEV-2026-0042",
    )


def test_a_french_invoice_prints_its_number_dates_reference_lines_and_totals() -> None:
    text = text_of(render_invoice_pdf(an_invoice("fr")))
    for expected in (
        "Facture",
        "FAC-2026-00007",
        "Émise le",
        "8 décembre 2026",
        "Échéance",
        "7 janvier 2027",
        "Devis",
        "DEV-2026-0042",
        "Studio Nord",
        "Atelier Lumière",
        "Identité visuelle",
        "Design workshop",
        "Sous-total · Design",
        "Books",
        "Total HT",
        f"1{THIN}034,70 €",
        "TVA 20 % sur 960,00 €",
        "4,11 €",
        "Total TTC",
        f"1{THIN}230,81 €",
        "Page 1 sur 1",
    ):
        assert expected in text, expected
    # An invoice has no validity, and is no quote.
    assert "Valable" not in text and "Brouillon" not in text


def test_an_english_invoice_prints_in_english_and_the_figures_as_kept() -> None:
    # A figure kept at issue prints as kept, never computed again.
    text = text_of(render_invoice_pdf(an_invoice("en", total_with_tax="1230.82")))
    for expected in ("Invoice", "Issued on", "December 8, 2026", "Due on", "January 7, 2027"):
        assert expected in text, expected
    assert "Quote DEV-2026-0042" in text.replace("\n", " ")
    assert "€1,230.82" in text and "€1,230.81" not in text
    assert "Facture" not in text


# --- The endpoints ---------------------------------------------------------------------


async def test_staff_download_an_invoice_as_the_pdf_of_what_it_bills(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    quote, invoice = await invoiced(portico, client)
    staff = portico.headers("staff")

    answer = await portico.http.get(f"{INVOICES}/{invoice['id']}/pdf", headers=staff)

    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith(
        f'attachment; filename="{invoice["number"]}.pdf"'
    )
    text = text_of(answer.content)
    # The quote is French (its contact's language): so is its invoice.
    for expected in (
        "Facture",
        invoice["number"],
        "Échéance",
        quote["number"],
        "Atelier Lumière",
        "Inès Roy",
        "Rénovation de l'atelier",
        "Poster",
        "Remise",
        f"2{THIN}131,67 €",
        "411,35 €",
        "4,12 €",
        f"2{THIN}547,14 €",
    ):
        assert expected in text, expected
    # The optional line the client did not take is not billed.
    assert "An extra day" not in text and "Devis" in text
    reader = portico.headers("api_key", scopes=["quotes:read"])
    assert (await portico.http.get(f"{INVOICES}/{invoice['id']}/pdf", headers=reader)).is_success


async def test_the_staff_pdf_is_refused_to_clients_and_unknown_invoices(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    _, invoice = await invoiced(portico, client)
    url = f"{INVOICES}/{invoice['id']}/pdf"
    as_client = await portico.http.get(url, headers=contact_headers(portico, client))
    assert as_client.status_code == 403
    no_scope = portico.headers("api_key", scopes=["clients:read"])
    assert (await portico.http.get(url, headers=no_scope)).status_code == 403
    assert (await portico.http.get(url)).status_code == 401
    unknown = await portico.http.get(f"{INVOICES}/{uuid.uuid4()}/pdf", headers=admin)
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"


async def test_a_contact_downloads_their_clients_invoice_and_not_another_clients(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    other = await make_client(portico, admin, name="Boulangerie Martin")
    _, invoice = await invoiced(portico, client)
    _, theirs = await invoiced(portico, other)
    mine = contact_headers(portico, client)

    listed = (await portico.http.get(BILLING, headers=mine)).json()
    [row] = listed["invoices"]
    assert row["pdf_path"] == f"/v1/billing/invoices/{invoice['id']}/pdf"
    answer = await portico.http.get(f"/api/quotes{row['pdf_path']}", headers=mine)

    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert f'filename="{invoice["number"]}.pdf"' in answer.headers["content-disposition"]
    text = text_of(answer.content)
    assert invoice["number"] in text and f"2{THIN}547,14 €" in text
    refused = await portico.http.get(f"{BILLING}/invoices/{theirs['id']}/pdf", headers=mine)
    assert refused.status_code == 404
    assert refused.headers["content-type"] == "application/problem+json"
    unknown = await portico.http.get(f"{BILLING}/invoices/{uuid.uuid4()}/pdf", headers=mine)
    assert unknown.status_code == 404
    for headers in (portico.headers("staff"), admin):
        staff = await portico.http.get(f"{BILLING}/invoices/{invoice['id']}/pdf", headers=headers)
        assert staff.status_code == 403


def test_the_kept_figures_become_the_renderers_totals_to_the_cent() -> None:
    invoice = an_invoice("fr")
    assert [amount.net for amount in invoice.totals.lines] == [Decimal("960.00"), Decimal("74.70")]
    assert all(amount.counted for amount in invoice.totals.lines)
    assert [(tax.rate, tax.tax) for tax in invoice.totals.taxes] == [
        (Decimal(20), Decimal("192.00")),
        (Decimal("5.5"), Decimal("4.11")),
    ]
    assert invoice.totals.total_with_tax == Decimal("1230.81")
    assert [line.section for line in invoice.lines] == ["design", None]

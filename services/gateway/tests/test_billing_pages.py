"""The client portal's "Billing": the menu entry appears once a quote is sent to the
contact's client; the page lists the quotes sent (not the drafts) with their PDF and the
invoices, each read on its own page with its lines and totals and downloaded as a PDF; a
contact never reaches another client's invoice or quote; the page asks the service once
for the menu and the lists."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from portico.gateway.areas.quotes.api import QuotesApi
from portico.gateway.testing import Accounts, Site, text_of
from portico.kit.testing.services import RunningPortico
from portico.pdf.testing import page_texts
from portico.quotes.testing import ONLINE, QUOTES, known_to_quotes, sent_link

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

PAGE = "/portal/billing"
MENU_LINK = f'href="{PAGE}"'
ACCEPTANCE = {"name": "Inès Roy", "accept_terms": True, "time_zone": "Europe/Paris"}


def row(page: httpx.Response, row_id: str) -> str:
    start = page.text.index(f'id="{row_id}"')
    return text_of(httpx.Response(200, text=page.text[start : page.text.index("</tr>", start)]))


async def contact_of(
    portico: RunningPortico, accounts: Accounts, name: str = "Atelier Lumière"
) -> tuple[dict[str, Any], str]:
    """A client whose contact joined the portal, once the quotes service knows it."""
    client = await accounts.client_with_contact(name)
    email = await accounts.client_account(client)
    await known_to_quotes(portico, client["id"], name=name)
    return client, email


async def quote_for(portico: RunningPortico, client: dict[str, Any], title: str) -> dict[str, Any]:
    body = {
        "client_id": client["id"],
        "title": title,
        "sections": [{"key": "design", "title": "Design"}],
        "lines": [
            {"section": "design", "description": "Design workshop", "quantity": "2",
             "unit": "day", "unit_price": "480"},
            {"description": "Books", "quantity": "3", "unit_price": "24.90", "vat_rate": "5.5"},
        ],
    }  # fmt: skip
    made = await portico.http.post(QUOTES, json=body, headers=portico.headers("staff"))
    assert made.status_code == 201, made.text
    found: dict[str, Any] = made.json()
    return found


async def invoiced(
    portico: RunningPortico, client: dict[str, Any], title: str = "Identité visuelle"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A quote sent, accepted through its link and invoiced by staff."""
    staff = portico.headers("staff")
    quote = await quote_for(portico, client, title)
    token = await sent_link(portico, staff, quote)
    accepted = await portico.http.post(f"{ONLINE}/{token}/accept", json=ACCEPTANCE)
    assert accepted.status_code == 200, accepted.text
    issued = await portico.http.post(f"{QUOTES}/{quote['id']}/invoice", json={}, headers=staff)
    assert issued.status_code == 201, issued.text
    invoice: dict[str, Any] = issued.json()
    return quote, invoice


async def test_the_menu_entry_appears_once_a_quote_is_sent_and_lists_it(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    client, email = await contact_of(portico, accounts)
    await site.log_in(email)
    draft = await quote_for(portico, client, "Brouillon")
    home = await site.get("/portal")
    assert home.status_code == 200
    assert MENU_LINK not in home.text
    assert draft["id"] not in (await site.get(PAGE)).text

    sent = await quote_for(portico, client, "Site web")
    await sent_link(portico, portico.headers("staff"), sent)

    home = await site.get("/portal")
    assert MENU_LINK in home.text and "Billing" in text_of(home)
    page = await site.get(PAGE)
    assert page.status_code == 200
    listed = row(page, f"quote-{sent['id']}")
    number = (await portico.http.get(f"{QUOTES}/{sent['id']}", headers=portico.headers())).json()[
        "number"
    ]
    for shown in (number, "Site web", "Sent", "€1,230.81", "Download PDF"):
        assert shown in listed, (shown, listed)
    assert f'href="{PAGE}/quotes/{sent["id"]}/pdf"' in page.text
    assert "Brouillon" not in page.text
    assert "No invoice" in text_of(page)
    pdf = await site.get(f"{PAGE}/quotes/{sent['id']}/pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert (await site.get(f"{PAGE}/quotes/{draft['id']}/pdf")).status_code == 404


async def test_an_invoice_is_listed_and_read_with_its_lines_and_totals(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    client, email = await contact_of(portico, accounts)
    quote, invoice = await invoiced(portico, client)
    await site.log_in(email)

    page = await site.get(PAGE)
    listed = row(page, f"invoice-{invoice['id']}")
    for shown in (invoice["number"], "Awaiting payment", "€1,230.81"):
        assert shown in listed, (shown, listed)
    assert "Invoiced" in row(page, f"quote-{quote['id']}")
    assert f'href="{PAGE}/{invoice["id"]}"' in page.text

    read = await site.get(f"{PAGE}/{invoice['id']}")
    assert read.status_code == 200
    text = text_of(read)
    for shown in (
        f"Invoice {invoice['number']}",
        "Awaiting payment",
        "Identité visuelle",
        "Design workshop",
        "Subtotal · Design",
        "Books",
        "VAT 20% on €960.00",
        "VAT 5.5% on €74.70",
        "Total incl. VAT €1,230.81",
    ):
        assert shown in text, shown
    assert 'data-label="Amount excl. VAT"' in read.text


async def test_an_invoice_downloads_as_a_pdf_from_its_page_and_the_list(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    client, email = await contact_of(portico, accounts)
    _, invoice = await invoiced(portico, client)
    await site.log_in(email)
    pdf_path = f"{PAGE}/{invoice['id']}/pdf"

    read = await site.get(f"{PAGE}/{invoice['id']}")
    assert f'href="{pdf_path}"' in read.text
    assert f"Download PDF {invoice['number']}" in text_of(read)
    listed = await site.get(PAGE)
    assert "Download PDF" in row(listed, f"invoice-{invoice['id']}")
    assert f'href="{pdf_path}"' in listed.text

    pdf = await site.get(pdf_path)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert f'filename="{invoice["number"]}.pdf"' in pdf.headers["content-disposition"]
    assert pdf.headers["cache-control"] == "private, no-store"
    text = page_texts(pdf.content)[0]
    assert "Invoice" in text and invoice["number"] in text


async def test_a_contact_never_reaches_another_clients_invoice_or_quote(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    _client, email = await contact_of(portico, accounts)
    other, _other_email = await contact_of(portico, accounts, "Bureau Nord")
    quote, invoice = await invoiced(portico, other)
    await site.log_in(email)

    assert MENU_LINK not in (await site.get("/portal")).text
    for path in (
        f"{PAGE}/{invoice['id']}",
        f"{PAGE}/{invoice['id']}/pdf",
        f"{PAGE}/quotes/{quote['id']}/pdf",
        f"{PAGE}/nope",
        f"{PAGE}/nope/pdf",
    ):
        assert (await site.get(path)).status_code == 404, path


async def test_a_billing_page_asks_the_service_once(
    site: Site, accounts: Accounts, portico: RunningPortico, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The menu entry and the page read the same answer."""
    client, email = await contact_of(portico, accounts)
    await invoiced(portico, client)
    await site.log_in(email)
    calls: list[str] = []
    asked = QuotesApi.my_billing

    async def counted(self: QuotesApi) -> Any:
        calls.append("billing")
        return await asked(self)

    monkeypatch.setattr(QuotesApi, "my_billing", counted)
    assert (await site.get(PAGE)).status_code == 200
    assert calls == ["billing"]


async def test_a_french_contact_reads_billing_in_french(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    client = await accounts.client_with_contact("Atelier Lumière", locale="fr")
    email = await accounts.client_account(client)
    await known_to_quotes(portico, client["id"], name="Atelier Lumière")
    _, invoice = await invoiced(portico, client)
    await site.log_in(email)

    page = await site.get(PAGE)
    text = text_of(page)
    for shown in ("Facturation", "Factures", "À régler", "Échéance", "Facturé"):
        assert shown in text, shown
    read = text_of(await site.get(f"{PAGE}/{invoice['id']}"))
    assert f"Facture {invoice['number']}" in read

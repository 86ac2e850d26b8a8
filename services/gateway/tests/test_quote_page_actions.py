"""What a sent quote's page does beyond sending: a reminder with its PDF attached, the PDF
downloaded (the signed quote once accepted), the history of what the client did (a visit
with its browser), who accepted it and when, why it was declined, the invoice (and its PDF)
or the order made from it; the list's views and issue date; the settings' reminder days, a bad entry
refused beside its input."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from portico.contracts.events.quotes import QuoteReminded, QuoteSent
from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.quotes.quote_form import form_from_refusal
from portico.gateway.testing import Accounts, Site, field_error, input_value, text_of, toast
from portico.kit.testing.services import RunningPortico
from portico.pdf.testing import page_texts
from portico.quotes.testing import ONLINE, QUOTES, SETTINGS, known_to_quotes, sent_link

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"
ACCEPTANCE = {"name": "Inès Roy", "accept_terms": True, "time_zone": "Europe/Paris"}


# The page's words and messages, as test_quote_pages reads them.


async def api(
    portico: RunningPortico, method: str, path: str, expected: int = 200, **kwargs: Any
) -> Any:
    response = await portico.http.request(method, path, headers=portico.headers("admin"), **kwargs)
    assert response.status_code == expected, response.text
    return response.json() if response.content else None


async def quotes_client(accounts: Accounts, portico: RunningPortico) -> dict[str, Any]:
    """A client whose contact is Camille Durand, once the quotes service knows it."""
    client = await accounts.client_with_contact("Atelier Lumière")
    await known_to_quotes(portico, client["id"], name="Atelier Lumière")
    return client


async def made_quote(portico: RunningPortico, client: dict[str, Any], title: str) -> dict[str, Any]:
    body = {
        "client_id": client["id"],
        "title": title,
        "lines": [{"description": "Design workshop", "quantity": "2", "unit_price": "480"}],
    }
    return dict(await api(portico, "POST", QUOTES, 201, json=body))


async def opened_and_accepted(portico: RunningPortico, token: str) -> None:
    """The client opens the link, then accepts the quote (no signature asked)."""
    opened = await portico.http.get(f"{ONLINE}/{token}", headers={"User-Agent": BROWSER})
    assert opened.status_code == 200, opened.text
    accepted = await portico.http.post(f"{ONLINE}/{token}/accept", json=ACCEPTANCE)
    assert accepted.status_code == 200, accepted.text


async def test_a_sent_quote_is_reminded_with_its_pdf_and_its_pdf_downloaded(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    staff = await accounts.staff("staff")
    await site.log_in(staff["email"])
    client = await quotes_client(accounts, portico)
    contact_id = client["contacts"][0]["id"]
    quote = await made_quote(portico, client, "Site web")
    url = f"/quotes/{quote['id']}"

    draft = await site.get(url)
    assert f'action="{url}/send"' in draft.text and ">Send</button>" in draft.text
    assert 'name="attach_pdf" value="true"' in draft.text and "Attach the PDF" in draft.text
    assert "Download PDF" in draft.text and f'href="{url}/pdf"' in draft.text
    assert "Nothing has happened yet" in draft.text

    sent = await site.post(f"{url}/send", {"contact_id": contact_id, "attach_pdf": "true"})
    assert sent.status_code == 303, sent.text[:2000]
    [first] = await portico.events.wait_for(QuoteSent.event_type, subject=quote["id"])
    assert first.data["attach_pdf"] is True
    number = first.data["number"]

    # Once sent, the form reminds the contact, with its own email.
    page = await site.follow(sent)
    assert ">Send a reminder</h2>" in page.text and ">Send a reminder</button>" in page.text
    assert f'action="{url}/remind"' in page.text and f'action="{url}/send"' not in page.text
    reminded = await site.post(
        f"{url}/remind",
        {"contact_id": contact_id, "message": "Avez-vous pu le lire ?", "attach_pdf": "true"},
    )
    assert reminded.status_code == 303, reminded.text[:2000]
    [reminder] = await portico.events.wait_for(QuoteReminded.event_type, subject=quote["id"])
    assert reminder.data["reminder_number"] == 1 and reminder.data["attach_pdf"] is True
    assert len(portico.events.of_type(QuoteSent.event_type, subject=quote["id"])) == 1
    page = await site.follow(reminded)
    assert toast(page) == f"success: A reminder of the quote {number} is sent."
    words = text_of(page)
    assert "Reminder 1 sent to Camille Durand" in words and "PDF attached" in words
    assert "Avez-vous pu le lire ?" in words and "Sent to Camille Durand" in words
    assert (await api(portico, "GET", f"{QUOTES}/{quote['id']}"))["status"] == "sent"

    pdf = await site.get(f"{url}/pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert f"{number}.pdf" in pdf.headers["content-disposition"]
    assert (await site.get(f"/quotes/{uuid.uuid4()}/pdf")).status_code == 404


async def test_the_history_shows_the_visit_and_the_banner_who_accepted_then_the_invoice(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    staff = await accounts.staff("staff")
    await site.log_in(staff["email"])
    client = await quotes_client(accounts, portico)
    quote = await made_quote(portico, client, "Site web")
    url = f"/quotes/{quote['id']}"
    token = await sent_link(portico, portico.headers("staff"), quote)

    opened = await portico.http.get(f"{ONLINE}/{token}", headers={"User-Agent": BROWSER})
    assert opened.status_code == 200, opened.text
    page = await site.get(url)
    words = text_of(page)
    assert "Viewed by Camille Durand" in words
    # The client's steps say where they came from, in small.
    assert re.search(
        r'<small class="muted quote-history-origin">[^<]*' + re.escape(BROWSER), page.text
    )
    # Newest first: the visit, then the send.
    assert words.index("Viewed by Camille Durand") < words.index("Sent to Camille Durand")
    listed = await site.get("/quotes")
    assert ">Views</th>" in listed.text and ">Issued</th>" in listed.text
    assert re.search(r'class="quote-amount quote-cell-views">1</td>', listed.text)

    accepted = await portico.http.post(f"{ONLINE}/{token}/accept", json=ACCEPTANCE)
    assert accepted.status_code == 200, accepted.text
    page = await site.get(url)
    words = text_of(page)
    assert re.search(r"Accepted by Inès Roy on \w{3} \d{1,2}, \d{4}", words), words[:3000]
    assert "Download the signed quote" in words and "Download PDF" not in words
    assert f'action="{url}/remind"' not in page.text
    signed = await site.get(f"{url}/pdf")
    assert signed.status_code == 200 and signed.headers["content-type"] == "application/pdf"
    assert f'action="{url}/invoice"' in page.text and f'action="{url}/order"' in page.text

    invoiced = await site.post(f"{url}/invoice")
    assert invoiced.status_code == 303, invoiced.text[:2000]
    page = await site.follow(invoiced)
    invoice_number = re.search(r"The invoice (FAC-\d{4}-\d{5}) is made\.", toast(page))
    assert invoice_number, toast(page)
    words = text_of(page)
    assert f"Invoiced: {invoice_number.group(1)}" in words
    # The invoice's PDF, from the banner that names it.
    link = re.search(r'href="(/quotes/invoices/[0-9a-f-]{36}/pdf)"', page.text)
    assert link and f"Download PDF {invoice_number.group(1)}" in words
    pdf = await site.get(link.group(1))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert f'filename="{invoice_number.group(1)}.pdf"' in pdf.headers["content-disposition"]
    assert invoice_number.group(1) in page_texts(pdf.content)[0]
    assert (await site.get(f"/quotes/invoices/{uuid.uuid4()}/pdf")).status_code == 404
    assert (await site.get("/quotes/invoices/nope/pdf")).status_code == 404
    # Still the signed quote, and nothing more to invoice.
    assert "Accepted by Inès Roy" in words and f'action="{url}/invoice"' not in page.text
    again = await site.post(f"{url}/invoice")
    assert again.status_code == 409
    assert "This cannot be done now" in text_of(again)


async def test_an_accepted_quote_is_recorded_as_an_order_and_a_declined_one_says_why(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    staff = await accounts.staff("staff", locale="fr")
    await site.log_in(staff["email"])
    client = await quotes_client(accounts, portico)
    ordered = await made_quote(portico, client, "Commande")
    await opened_and_accepted(portico, await sent_link(portico, portico.headers("staff"), ordered))
    recorded = await site.post(f"/quotes/{ordered['id']}/order")
    assert recorded.status_code == 303, recorded.text[:2000]
    page = await site.follow(recorded)
    assert toast(page) == "success: Le devis est enregistré comme commande."
    assert "Enregistré comme commande" in text_of(page)
    assert (await api(portico, "GET", f"{QUOTES}/{ordered['id']}"))["status"] == "ordered"

    declined = await made_quote(portico, client, "Trop cher")
    token = await sent_link(portico, portico.headers("staff"), declined)
    answer = await portico.http.post(f"{ONLINE}/{token}/decline", json={"reason": "Trop cher."})
    assert answer.status_code == 200, answer.text
    page = await site.get(f"/quotes/{declined['id']}")
    words = text_of(page)
    # In the reader's language, with French punctuation.
    assert re.search(r"Refusé le .+?\u00a0: Trop cher\.", words), words[:3000]
    assert "Refusé par Camille Durand" in words


async def test_an_admin_sets_the_reminder_days_and_a_bad_entry_is_refused_beside_it(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    page = await site.get("/settings/quotes")
    assert "Remind before the last valid day (days)" in page.text
    assert input_value(page, "reminder_days_before") == ""
    values = {
        "number_pattern": "DEV-{YYYY}-{seq:4}",
        "invoice_number_pattern": "FAC-{YYYY}-{seq:5}",
        "validity_days": "30",
        "default_introduction": "",
        "default_terms": "",
    }
    saved = await site.post("/settings/quotes", values | {"reminder_days_before": "2, 7"})
    assert saved.status_code == 303, saved.text[:2000]
    assert (await api(portico, "GET", SETTINGS))["reminder_days_before"] == [7, 2]
    assert input_value(await site.get("/settings/quotes"), "reminder_days_before") == "7, 2"

    message = "Enter at most 5 numbers of days from 1 to 60, separated by commas, e.g. 7, 2."
    for typed in ("7, 90", "a week", "1, 2, 3, 4, 5, 6"):
        refused = await site.post("/settings/quotes", values | {"reminder_days_before": typed})
        assert refused.status_code == 422, typed
        assert field_error(refused, "reminder_days_before") == message
        assert input_value(refused, "reminder_days_before") == typed
    assert (await api(portico, "GET", SETTINGS))["reminder_days_before"] == [7, 2]

    # Saving the other settings keeps the days; emptied, there is no reminder.
    await site.post(
        "/settings/quotes", values | {"validity_days": "45", "reminder_days_before": "7, 2"}
    )
    kept = await api(portico, "GET", SETTINGS)
    assert (kept["validity_days"], kept["reminder_days_before"]) == (45, [7, 2])
    await site.post("/settings/quotes", values)
    assert (await api(portico, "GET", SETTINGS))["reminder_days_before"] == []


def test_the_services_refusal_of_a_reminder_day_lands_beside_its_input() -> None:
    problem = ApiProblem(
        status=422,
        title="Validation failed",
        errors=[
            {
                "field": "reminder_days_before.0",
                "code": "less_than_equal",
                "message": "Input should be less than or equal to 60",
            }
        ],
    )
    values: dict[str, Any] = {"validity_days": "30", "reminder_days_before": "90"}
    form = form_from_refusal(problem, values)
    assert form.error("reminder_days_before") == (
        "Enter at most 5 numbers of days from 1 to 60, separated by commas, e.g. 7, 2."
    )
    assert not form.message


async def test_the_send_form_requests_an_e_signature_by_default_where_the_organisation_asks(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    staff = await accounts.staff("staff")
    await site.log_in(staff["email"])
    client = await quotes_client(accounts, portico)
    contact_id = client["contacts"][0]["id"]
    settings = await api(portico, "GET", SETTINGS)
    settings.pop("updated_at")

    # Off: no box, and a send asks for no signature.
    await api(portico, "PUT", SETTINGS, json={**settings, "esignature": False})
    quiet = await made_quote(portico, client, "Sans signature")
    page = await site.get(f"/quotes/{quiet['id']}")
    assert 'name="request_esignature"' not in page.text
    sent = await site.post(f"/quotes/{quiet['id']}/send", {"contact_id": contact_id})
    assert sent.status_code == 303, sent.text[:2000]
    assert (await api(portico, "GET", f"{QUOTES}/{quiet['id']}"))["esignature_requested"] is False

    # On: the box is ticked; unticked, this quote is accepted without a signature.
    await api(portico, "PUT", SETTINGS, json={**settings, "esignature": True})
    quote = await made_quote(portico, client, "Avec ou sans")
    url = f"/quotes/{quote['id']}"
    page = await site.get(url)
    assert re.search(r'name="request_esignature" value="true"[^>]* checked', page.text)
    assert "Request an e-signature" in page.text
    sent = await site.post(f"{url}/send", {"contact_id": contact_id, "esignature_offered": "true"})
    assert sent.status_code == 303, sent.text[:2000]
    assert (await api(portico, "GET", f"{QUOTES}/{quote['id']}"))["esignature_requested"] is False
    ticked = await made_quote(portico, client, "Signé")
    sent = await site.post(
        f"/quotes/{ticked['id']}/send",
        {"contact_id": contact_id, "esignature_offered": "true", "request_esignature": "true"},
    )
    assert sent.status_code == 303, sent.text[:2000]
    assert (await api(portico, "GET", f"{QUOTES}/{ticked['id']}"))["esignature_requested"] is True

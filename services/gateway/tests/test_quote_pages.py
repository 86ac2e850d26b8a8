"""The staff's quote pages: a quote made through its form (sections, an optional line, three
VAT rates, the catalogue), refusals beside the input at fault with what was typed kept,
the form's buttons working without script, a draft edited, sent (it takes its number),
voided, reopened, duplicated and deleted, the list's filters and pages, a client's card,
the settings and the catalogue; members are refused the settings, clients the quotes."""

from __future__ import annotations

import html
import json
import random
import re
import shutil
import subprocess
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from portico.contracts.events.quotes import QuoteSent
from portico.gateway.testing import Accounts, Site, field_error, input_value, text_of, toast
from portico.kit.testing.backends import unavailable
from portico.kit.testing.services import RunningPortico
from portico.quotes.testing import PRODUCTS, QUOTES, SETTINGS, known_to_quotes, make_product
from portico.quotes.totals import (
    Discount,
    DiscountKind,
    InvalidQuote,
    Line,
    Section,
    compute_totals,
)

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

QUOTE_PAGE = re.compile(r"^/quotes/([0-9a-f-]{36})$")
TOTALS_JS = Path(__file__).parents[1] / "src/portico/gateway/areas/quotes/static/js/quote-totals.js"
LINE = {
    "section": "",
    "product_id": "",
    "description": "",
    "quantity": "1",
    "unit": "",
    "unit_price": "",
    "vat_rate": "20",
    "discount": "",
    "discount_kind": "percent",
}
# The service's own example, as typed in the form: 2,686.05 with tax, to the cent.
ATELIER_SECTIONS = [("design", "Design"), ("print", "Print")]
ATELIER_LINES: list[dict[str, Any]] = [
    {"description": "Catering", "quantity": "12", "unit_price": "18.35", "vat_rate": "10"},
    {
        "section": "design",
        "description": "Design workshop",
        "quantity": "2",
        "unit": "day",
        "unit_price": "480.00",
    },
    {"section": "design", "description": "Brand guide", "unit_price": "1250", "discount": "10"},
    {"section": "design", "description": "An extra day", "unit_price": "480", "optional": "true"},
    {
        "section": "print",
        "description": "Labels",
        "quantity": "333",
        "unit_price": "0,0125",
        "vat_rate": "5,5",
    },
    {
        "section": "print",
        "description": "Books",
        "quantity": "3",
        "unit_price": "24.90",
        "vat_rate": "5.5",
    },
]


def quote_form(
    client: dict[str, Any],
    *,
    title: str = "Rénovation de l'atelier",
    sections: list[tuple[str, str]] | None = None,
    lines: list[dict[str, Any]] | None = None,
    command: str = "save",
    **fields: str,
) -> dict[str, Any]:
    """The form as the page posts it: the quote's inputs, then its rows in order."""
    data: dict[str, Any] = {
        "client_id": client["id"],
        "contact_id": client["contacts"][0]["id"],
        "assignee_id": "",
        "title": title,
        "currency": "EUR",
        "locale": "",
        "issue_date": "",
        "valid_until": "",
        "introduction": "Following our visit, here is our proposal.",
        "notes": "",
        "terms": "30% on signature.",
        "discount": "",
        "discount_kind": "percent",
        **fields,
    }
    for index, (key, section_title) in enumerate(sections or []):
        data[f"sections-{index}-key"] = key
        data[f"sections-{index}-title"] = section_title
    for index, line in enumerate(lines or []):
        for name, value in (LINE | line).items():
            data[f"lines-{index}-{name}"] = value
    data["command"] = command
    return data


def textarea(page: httpx.Response, name: str) -> str:
    found = re.search(
        rf'<textarea id="field-{re.escape(name)}" name="{re.escape(name)}"[^>]*>([^<]*)</textarea>',
        page.text,
    )
    assert found, f"no textarea {name}"
    return html.unescape(found.group(1))


def alert(page: httpx.Response) -> str:
    found = re.search(r'<div class="alert alert-error" role="alert">([^<]*)</div>', page.text)
    assert found, "no alert on the page"
    return html.unescape(found.group(1))


async def quotes_client(
    accounts: Accounts, portico: RunningPortico, name: str = "Atelier Lumière"
) -> dict[str, Any]:
    """A client with a contact, once the quotes service knows it."""
    client = await accounts.client_with_contact(name)
    await known_to_quotes(portico, client["id"], name=name)
    return client


async def api(
    portico: RunningPortico, method: str, path: str, expected: int = 200, **kwargs: Any
) -> Any:
    response = await portico.http.request(method, path, headers=portico.headers("admin"), **kwargs)
    assert response.status_code == expected, response.text
    return response.json() if response.content else None


async def made_quote(
    portico: RunningPortico, client: dict[str, Any], **fields: Any
) -> dict[str, Any]:
    body = {
        "client_id": client["id"],
        "title": "Site web",
        "lines": [{"description": "Design workshop", "quantity": "2", "unit_price": "480"}],
        **fields,
    }
    return dict(await api(portico, "POST", QUOTES, 201, json=body))


async def test_staff_make_a_quote_with_sections_an_optional_line_and_three_rates(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    staff = await accounts.staff("staff")
    await site.log_in(staff["email"])
    client = await quotes_client(accounts, portico)

    empty = await site.get("/quotes")
    assert empty.status_code == 200
    assert '<a href="/quotes" aria-current="page">Quotes</a>' in empty.text
    assert "No quote yet" in empty.text and 'href="/quotes/new"' in empty.text

    chooser = await site.get("/quotes/new")
    assert chooser.status_code == 200 and "Who is it for?" in chooser.text
    assert f'<option value="{client["id"]}">Atelier Lumière</option>' in chooser.text

    form = await site.get(f"/quotes/new?client_id={client['id']}")
    assert form.status_code == 200
    contact = client["contacts"][0]
    assert f'<option value="{contact["id"]}" selected>' in form.text
    # One line to fill without script, and the row the script copies.
    assert (
        'name="lines-0-description"' in form.text and 'name="lines-1-description"' not in form.text
    )
    assert 'name="lines-__line__-description"' in form.text
    assert " style=" not in form.text and "<script>" not in form.text

    # Without script, the form's buttons rearrange it and save nothing.
    with_section = await site.post(
        "/quotes/new", quote_form(client, lines=[], command="add-section")
    )
    assert with_section.status_code == 200
    assert 'name="sections-0-title"' in with_section.text
    added = await site.post(
        "/quotes/new",
        quote_form(
            client,
            sections=[("s1", "Design")],
            lines=[{"description": "Workshop"}],
            command="add-line:s1",
        ),
    )
    assert 'name="lines-1-description"' in added.text
    # The new line goes under the section whose button added it.
    section_choice = r'name="lines-1-section"[^>]*>\s*<option value="">No section</option>\s*'
    assert re.search(section_choice + r'<option value="s1" selected>', added.text)
    assert (await api(portico, "GET", QUOTES))["total"] == 0

    # A refusal of the service lands beside the input it names; nothing typed is lost.
    refused_lines = [
        *ATELIER_LINES[:2],
        {**ATELIER_LINES[2], "discount": "150"},
        *ATELIER_LINES[3:],
    ]
    refused = await site.post(
        "/quotes/new", quote_form(client, sections=ATELIER_SECTIONS, lines=refused_lines)
    )
    assert refused.status_code == 422
    assert field_error(refused, "lines-2-discount") == "A percentage discount cannot exceed 100."
    assert input_value(refused, "lines-2-discount") == "150"
    assert textarea(refused, "lines-4-description") == "Labels"
    assert input_value(refused, "lines-4-unit_price") == "0,0125"
    assert input_value(refused, "sections-1-title") == "Print"
    # What the page tells before asking: a number that is not one.
    typo = [{**ATELIER_LINES[0], "quantity": "douze"}]
    not_a_number = await site.post("/quotes/new", quote_form(client, lines=typo))
    assert not_a_number.status_code == 422
    assert field_error(not_a_number, "lines-0-quantity") == "Enter a number."
    assert (await api(portico, "GET", QUOTES))["total"] == 0

    created = await site.post(
        "/quotes/new",
        quote_form(client, sections=ATELIER_SECTIONS, lines=[*ATELIER_LINES, LINE], discount="5"),
    )
    assert created.status_code == 303, created.text[:3000]
    found = QUOTE_PAGE.match(created.headers["location"])
    assert found
    page = await site.follow(created)
    assert toast(page) == "success: The draft is made: check it, then send it."
    words = text_of(page)
    for shown in (
        "Rénovation de l'atelier",
        "Draft",
        "No number yet",
        "Subtotal · Design €2,085.00",
        "Subtotal · Print €78.86",
        "Optional",
        "not in the totals",
        "€0.0125",
        "Discount (5%) −€119.20",
        "Total excl. VAT €2,264.86",
        "VAT 20% on €1,980.75 €396.15",
        "VAT 10% on €209.19 €20.92",
        "VAT 5.5% on €74.92 €4.12",
        "Total incl. VAT €2,686.05",
        "Camille Durand",
        "Following our visit, here is our proposal.",
    ):
        assert shown in words, shown
    quote = await api(portico, "GET", f"{QUOTES}/{found.group(1)}")
    # Lines out of sections first, then each section's, as the form showed them; the blank
    # row offered was not sent.
    assert [line["description"] for line in quote["lines"]] == [
        "Catering",
        "Design workshop",
        "Brand guide",
        "An extra day",
        "Labels",
        "Books",
    ]
    assert quote["lines"][3]["optional"] is True and quote["lines"][2]["discount"] == {
        "kind": "percent",
        "value": "10",
    }
    assert quote["totals"]["total_with_tax"] == "2686.05"

    listed = await site.get("/quotes")
    row = text_of(listed)
    for shown in ("1 quote", "Draft", "Rénovation de l'atelier", "Atelier Lumière", "€2,686.05"):
        assert shown in row, shown


async def test_a_draft_is_edited_its_lines_moved_and_a_product_fills_a_line(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    staff = await accounts.staff("staff")
    await site.log_in(staff["email"])
    client = await quotes_client(accounts, portico)
    product = await make_product(
        portico,
        portico.headers("admin"),
        {
            "name": "Printed brochure",
            "description": "A5, 24 pages.",
            "unit": "piece",
            "unit_price": "1.25",
            "vat_rate": "5.5",
        },
    )
    quote = await made_quote(
        portico,
        client,
        sections=[{"key": "design", "title": "Design"}],
        lines=[
            {"section": "design", "description": "Workshop", "quantity": "2", "unit_price": "480"},
            {"section": "design", "description": "Brand guide", "unit_price": "1250.5"},
        ],
    )
    url = f"/quotes/{quote['id']}/edit"
    form = await site.get(url)
    assert form.status_code == 200
    assert input_value(form, "title") == "Site web"
    assert input_value(form, "sections-0-title") == "Design"
    assert input_value(form, "lines-1-unit_price") == "1250.50"
    assert 'data-unit-price="1.25"' in form.text and ">Printed brochure</option>" in form.text

    lines = [
        {"section": "design", "description": "Workshop", "quantity": "2", "unit_price": "480"},
        {"section": "design", "description": "Brand guide", "unit_price": "1250,50"},
    ]
    moved = await site.post(
        url,
        quote_form(
            client,
            title="Site web",
            sections=[("design", "Design")],
            lines=lines,
            command="move-line:1:up",
        ),
    )
    assert moved.status_code == 200
    assert textarea(moved, "lines-0-description") == "Brand guide"
    removed = await site.post(
        url,
        quote_form(
            client,
            title="Site web",
            sections=[("design", "Design")],
            lines=lines,
            command="remove-section:0",
        ),
    )
    # The section goes; its lines stay, out of any section.
    assert (
        'name="sections-0-title"' not in removed.text
        and textarea(removed, "lines-1-description") == "Brand guide"
    )

    saved = await site.post(
        url,
        quote_form(
            client,
            title="Site web, second version",
            sections=[("design", "Design")],
            lines=[
                *reversed(lines),
                {"product_id": product["id"], "quantity": "100", "vat_rate": ""},
            ],
        ),
    )
    assert saved.status_code == 303, saved.text[:3000]
    assert saved.headers["location"] == f"/quotes/{quote['id']}"
    page = await site.follow(saved)
    assert toast(page) == "success: The draft is saved."
    again = await api(portico, "GET", f"{QUOTES}/{quote['id']}")
    assert again["title"] == "Site web, second version"
    assert [
        (line["description"], line["unit_price"], line["vat_rate"]) for line in again["lines"]
    ] == [
        ("Printed brochure\nA5, 24 pages.", "1.25", "5.5"),
        ("Brand guide", "1250.50", "20"),
        ("Workshop", "480.00", "20"),
    ]

    # A long quote (well past the 1,000 inputs a form is read with by default) is saved whole.
    many = [{"description": f"Item {n}", "unit_price": "1"} for n in range(150)]
    long_quote = await site.post(url, quote_form(client, title="Site web", lines=many))
    assert long_quote.status_code == 303, long_quote.text[:2000]
    assert len((await api(portico, "GET", f"{QUOTES}/{quote['id']}"))["lines"]) == 150


async def test_sending_numbers_the_quote_and_the_form_then_sends_a_reminder(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    staff = await accounts.staff("staff")
    await site.log_in(staff["email"])
    client = await quotes_client(accounts, portico)
    quote = await made_quote(portico, client)
    url = f"/quotes/{quote['id']}"
    page = await site.get(url)
    assert "Send by email" in page.text and ">Send</button>" in page.text
    assert f'action="/quotes/{quote["id"]}/edit"' not in page.text
    assert f'href="/quotes/{quote["id"]}/edit"' in page.text

    too_long = await site.post(
        f"{url}/send", {"contact_id": client["contacts"][0]["id"], "message": "x" * 5001}
    )
    assert too_long.status_code == 422
    assert field_error(too_long, "message") == "This is too long: at most 5,000 characters."
    assert not portico.events.of_type(QuoteSent.event_type)

    sent = await site.post(
        f"{url}/send", {"contact_id": client["contacts"][0]["id"], "message": "Bonjour Camille"}
    )
    assert sent.status_code == 303, sent.text[:2000]
    [event] = await portico.events.wait_for(QuoteSent.event_type)
    number = event.data["number"]
    assert re.fullmatch(r"DEV-\d{4}-0001", number)
    page = await site.follow(sent)
    assert toast(page) == f"success: The quote is sent as {number}."
    words = text_of(page)
    assert f"No. {number}" in words and "Sent" in words
    assert ">Send a reminder</h2>" in page.text and ">Send a reminder</button>" in page.text
    # A sent quote is not edited: its page says so.
    edit = await site.get(f"{url}/edit")
    assert edit.status_code == 303 and edit.headers["location"] == url
    assert (
        toast(await site.follow(edit)) == "info: Only a draft is changed: reopen the quote first."
    )

    again = await site.post(
        f"{url}/send", {"contact_id": client["contacts"][0]["id"], "message": ""}
    )
    assert toast(await site.follow(again)) == f"success: The quote {number} is sent again."

    # A quote whose validity has ended is refused, saying what to do.
    lapsed = await made_quote(portico, client, issue_date="2020-01-01", valid_until="2020-01-31")
    refused = await site.post(
        f"/quotes/{lapsed['id']}/send", {"contact_id": client["contacts"][0]["id"]}
    )
    assert refused.status_code == 409
    assert "This quote's validity has ended" in text_of(refused)


async def test_a_quote_is_voided_reopened_duplicated_and_a_draft_deleted(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    staff = await accounts.staff("staff")
    await site.log_in(staff["email"])
    client = await quotes_client(accounts, portico)
    draft = await made_quote(portico, client, title="Never sent")
    page = await site.get(f"/quotes/{draft['id']}")
    assert f'action="/quotes/{draft["id"]}/delete"' in page.text
    assert f'action="/quotes/{draft["id"]}/void"' not in page.text
    deleted = await site.post(f"/quotes/{draft['id']}/delete")
    assert deleted.headers["location"] == "/quotes"
    assert toast(await site.follow(deleted)) == "success: The draft “Never sent” is deleted."
    assert (await site.get(f"/quotes/{draft['id']}")).status_code == 404

    quote = await made_quote(portico, client)
    url = f"/quotes/{quote['id']}"
    await api(portico, "POST", f"{QUOTES}/{quote['id']}/send", json={})
    sent = await site.get(url)
    assert f'action="{url}/reopen"' in sent.text and f'action="{url}/void"' in sent.text
    assert f'action="{url}/delete"' not in sent.text

    reopened = await site.post(f"{url}/reopen")
    assert toast(await site.follow(reopened)) == (
        "success: The quote is a draft again and keeps its number: change it, then send it again."
    )
    draft_again = await site.get(url)
    # A numbered draft is voided, never deleted: its number stays in the sequence.
    assert (
        f'action="{url}/void"' in draft_again.text
        and f'action="{url}/delete"' not in draft_again.text
    )
    refused_delete = await site.post(f"{url}/delete")
    assert refused_delete.status_code == 409
    assert (
        alert(refused_delete)
        == "This quote was sent with its number: void it instead, so that its number stays."
    )

    voided = await site.post(f"{url}/void")
    assert (
        toast(await site.follow(voided))
        == "success: The quote is void: its links no longer open it."
    )
    assert (await api(portico, "GET", f"{QUOTES}/{quote['id']}"))["status"] == "void"
    # Another tab's button, now refused: said on the page.
    refused = await site.post(f"{url}/reopen")
    assert refused.status_code == 409
    assert alert(refused) == "This cannot be done now: the quote's status is “Void”."

    copied = await site.post(f"{url}/duplicate")
    assert copied.status_code == 303
    copy_id = re.fullmatch(r"/quotes/([0-9a-f-]{36})/edit", copied.headers["location"])
    assert copy_id and copy_id.group(1) != quote["id"]
    edit = await site.follow(copied)
    assert (
        toast(edit) == "success: This is a copy, a new draft issued today: change it, then send it."
    )
    assert input_value(edit, "title") == "Site web"
    copy = await api(portico, "GET", f"{QUOTES}/{copy_id.group(1)}")
    assert (copy["status"], copy["number"]) == ("draft", None)


async def test_the_list_filters_by_status_and_search_and_turns_pages(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    staff = await accounts.staff("staff", locale="fr")
    await site.log_in(staff["email"])
    atelier = await quotes_client(accounts, portico)
    bakery = await quotes_client(accounts, portico, "Boulangerie Dupont")
    for number in range(25):
        await made_quote(portico, atelier, title=f"Atelier {number:02}")
    bread = await made_quote(portico, bakery, title="Four à pain")
    await api(portico, "POST", f"{QUOTES}/{bread['id']}/send", json={})

    first = await site.get("/quotes")
    words = text_of(first)
    assert "26 devis" in words and "1–25 sur 26" in words
    assert 'rel="next"' in first.text and "offset=25" in first.text
    # Amounts in the reader's language and the quote's currency.
    assert "1\u202f152,00\u00a0€" in words and "Brouillon" in words
    second = await site.get("/quotes?offset=25")
    assert len(re.findall(r'<a class="client-name[^"]*" href="/quotes/', second.text)) == 1

    sent = await site.get("/quotes?status=sent")
    assert "Four à pain" in sent.text and "Atelier 01" not in sent.text
    assert '<option value="sent" selected>Envoyé</option>' in sent.text
    searched = await site.get("/quotes", params={"q": "boulangerie"})
    assert "Four à pain" in searched.text and "Atelier 01" not in searched.text
    nothing = await site.get("/quotes", params={"q": "nothing like it", "status": "void"})
    assert "Aucun devis ne correspond" in nothing.text
    # A hand-edited address is a page, not an error.
    odd = await site.get("/quotes", params={"status": "lost", "offset": "-3", "client_id": "x"})
    assert odd.status_code == 200

    # The client's page has a card of its quotes, and a new one for it.
    client_page = await site.get(f"/clients/{bakery['id']}")
    assert f'hx-get="/quotes/clients/{bakery["id"]}/panel"' in client_page.text
    panel = await site.get(f"/quotes/clients/{bakery['id']}/panel")
    assert "Four à pain" in panel.text
    assert f'href="/quotes/new?client_id={bakery["id"]}"' in panel.text
    mine = await site.get(f"/quotes?client_id={bakery['id']}")
    assert "Four à pain" in mine.text and "Atelier 01" not in mine.text


async def test_an_admin_sets_the_numbers_texts_and_catalogue(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    home = await site.get("/settings")
    assert 'href="/settings/quotes"' in home.text
    page = await site.get("/settings/quotes")
    assert page.status_code == 200
    assert '<a href="/settings/quotes" aria-current="page">Quotes</a>' in page.text
    assert input_value(page, "number_pattern") == "DEV-{YYYY}-{seq:4}"

    values = {
        "number_pattern": "DEV-{YYYY}",
        "invoice_number_pattern": "FAC-{YYYY}-{seq:5}",
        "validity_days": "45",
        "default_introduction": "Thank you for your interest.",
        "default_terms": "Payable in 30 days.",
    }
    refused = await site.post("/settings/quotes", values)
    assert refused.status_code == 422
    assert field_error(refused, "number_pattern").startswith("This pattern is not valid")
    assert input_value(refused, "validity_days") == "45"
    days = await site.post("/settings/quotes", values | {"validity_days": "400"})
    assert field_error(days, "validity_days") == "Enter a number of days from 1 to 365."
    details = "12 rue des Lilas, 75011 Paris\nSIRET 123 456 789 00012"
    saved = await site.post(
        "/settings/quotes",
        values
        | {"number_pattern": "Q{YY}-{seq:3}", "company_details": details, "esignature": "true"},
    )
    assert saved.status_code == 303
    assert (
        toast(await site.follow(saved))
        == "success: The quotes' settings are saved: new quotes follow them."
    )
    settings = await api(portico, "GET", SETTINGS)
    assert (settings["number_pattern"], settings["validity_days"], settings["default_terms"]) == (
        "Q{YY}-{seq:3}",
        45,
        "Payable in 30 days.",
    )
    assert (settings["company_details"], settings["esignature"]) == (details, True)
    shown = await site.get("/settings/quotes")
    assert textarea(shown, "company_details") == details
    assert 'name="esignature" value="true" checked' in shown.text
    # Unticked, it goes off; the details stay as they were.
    await site.post(
        "/settings/quotes", values | {"number_pattern": "Q{YY}-{seq:3}", "company_details": details}
    )
    assert (await api(portico, "GET", SETTINGS))["esignature"] is False
    # A new quote starts with the settings' texts.
    client = await quotes_client(accounts, portico)
    form = await site.get(f"/quotes/new?client_id={client['id']}")
    assert textarea(form, "terms") == "Payable in 30 days."
    assert "Left empty: 45 days after the issue date." in form.text

    catalogue = await site.get("/settings/quotes/products")
    assert "No product yet" in catalogue.text
    new = {
        "name": "Design workshop",
        "description": "Half a day.",
        "unit": "day",
        "unit_price": "480,505",
        "vat_rate": "20",
    }
    too_precise = await site.post("/settings/quotes/products/new", new)
    assert too_precise.status_code == 422
    assert field_error(too_precise, "unit_price") == "Too many decimals: at most 2."
    assert input_value(too_precise, "name") == "Design workshop"
    made = await site.post("/settings/quotes/products/new", new | {"unit_price": "480,50"})
    assert made.status_code == 303
    listed = await site.follow(made)
    assert toast(listed) == "success: “Design workshop” is in the catalogue."
    [product] = await api(portico, "GET", PRODUCTS)
    assert (product["unit_price"], product["vat_rate"]) == ("480.50", "20.00")
    assert "480.50" in text_of(listed) and "20%" in text_of(listed)

    edit = await site.get(f"/settings/quotes/products/{product['id']}")
    assert input_value(edit, "unit_price") == "480.50"
    changed = await site.post(
        f"/settings/quotes/products/{product['id']}", new | {"unit_price": "520", "vat_rate": "5.5"}
    )
    assert toast(await site.follow(changed)) == (
        "success: “Design workshop” is saved: quotes made from it keep their lines."
    )
    assert (await api(portico, "GET", f"{PRODUCTS}/{product['id']}"))["unit_price"] == "520.00"

    archived = await site.post(
        f"/settings/quotes/products/{product['id']}/archive", {"archived": "true"}
    )
    shown = await site.follow(archived)
    assert toast(shown) == "success: “Design workshop” is archived: quotes no longer offer it."
    assert "Design workshop" not in text_of(shown).replace("“Design workshop”", "")
    with_archived = await site.get("/settings/quotes/products?archived=1")
    assert "Design workshop" in with_archived.text and "Archived" in with_archived.text
    restored = await site.post(
        f"/settings/quotes/products/{product['id']}/archive", {"archived": "false"}
    )
    assert (
        toast(await site.follow(restored)) == "success: “Design workshop” is back in the catalogue."
    )
    assert (await site.get(f"/settings/quotes/products/{uuid.uuid4()}")).status_code == 404


async def test_members_are_refused_the_quotes_settings_and_clients_the_quotes(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    member = await accounts.staff("staff")
    await site.log_in(member["email"])
    assert 'href="/settings/quotes"' not in (await site.get("/settings")).text
    for path in ("/settings/quotes", "/settings/quotes/products", "/settings/quotes/products/new"):
        page = await site.get(path)
        assert page.status_code == 404, path
    refused = await site.post(
        "/settings/quotes", {"number_pattern": "X{seq}", "validity_days": "3"}
    )
    assert refused.status_code == 404
    assert (await api(portico, "GET", SETTINGS))["number_pattern"] == "DEV-{YYYY}-{seq:4}"
    # Members make quotes all the same.
    assert (await site.get("/quotes")).status_code == 200

    client = await accounts.client_with_contact()
    email = await accounts.client_account(client)
    contact_site = Site(portico)
    try:
        await contact_site.log_in(email)
        for path in ("/quotes", "/quotes/new", f"/quotes/{uuid.uuid4()}"):
            page = await contact_site.get(path)
            assert page.status_code == 303, path
            assert page.headers["location"].startswith("/login"), path
    finally:
        await contact_site.close()


# --- The form's live totals ---------------------------------------------------------------------

TOTALS_CHECK = """
import { readFileSync } from "node:fs";
import { computeTotals, parseDecimal as d, toNumberString as s } from "SCRIPT";
const cases = JSON.parse(readFileSync("CASES", "utf8"));
const out = cases.map((item) => {
  const lines = item.lines.map((line) => ({
    quantity: d(line.quantity), unitPrice: d(line.unit_price), vatRate: d(line.vat_rate),
    discount: line.discount && { kind: line.discount.kind, value: d(line.discount.value) },
    counted: line.counted, section: line.section,
  }));
  const discount = item.discount && { kind: item.discount.kind, value: d(item.discount.value) };
  const t = computeTotals(lines, { sections: item.sections, discount, places: item.places });
  return {
    nets: t.nets.map(s), subtotals: item.sections.map((key) => s(t.subtotals.get(key))),
    lines_total: s(t.linesTotal), discount: s(t.discount), without_tax: s(t.withoutTax),
    taxes: t.taxes.map((tax) => [tax.rate, s(tax.base), s(tax.tax)]),
    total_tax: s(t.totalTax), with_tax: s(t.withTax),
  };
});
console.log(JSON.stringify(out));
"""


def random_quote(chance: random.Random) -> dict[str, Any]:
    """A quote of a few lines in sections or not, with discounts, credits and optional lines."""
    sections = ["a", "b"][: chance.randint(0, 2)]

    def discount(percent_at_most: int, amount_at_most: str) -> dict[str, str] | None:
        roll = chance.random()
        if roll < 0.5:
            return None
        if roll < 0.8:
            return {"kind": "percent", "value": str(chance.randint(0, percent_at_most * 100) / 100)}
        return {"kind": "amount", "value": amount_at_most}

    lines = []
    for _ in range(chance.randint(1, 7)):
        quantity = Decimal(chance.randint(1, 400_000)) / 1000
        price = Decimal(chance.randint(-2000, 900_000)) / Decimal(chance.choice([1, 100, 10_000]))
        lines.append(
            {
                "quantity": str(quantity),
                "unit_price": str(price),
                "vat_rate": chance.choice(["20", "10", "5.5", "2.1", "0", "20.00", "8.5"]),
                "discount": discount(100, str(max(Decimal(0), quantity * price / 3))[:8])
                if price > 0
                else None,
                "counted": chance.random() > 0.2,
                "section": chance.choice([None, *sections]),
            }
        )
    return {
        "lines": lines,
        "sections": sections,
        "discount": discount(30, "1.5"),
        "places": chance.choice([2, 2, 0, 3]),
    }


def service_totals(case: dict[str, Any]) -> dict[str, Any] | None:
    """What the quotes service computes for the case; None for a quote it refuses."""

    def discount(given: dict[str, str] | None) -> Discount | None:
        return Discount(DiscountKind(given["kind"]), Decimal(given["value"])) if given else None

    lines = [
        Line(
            description="x",
            quantity=Decimal(line["quantity"]),
            unit_price=Decimal(line["unit_price"]),
            vat_rate=Decimal(line["vat_rate"]),
            discount=discount(line["discount"]),
            optional=not line["counted"],
            section=line["section"],
        )
        for line in case["lines"]
    ]
    try:
        totals = compute_totals(
            lines,
            sections=[Section(key, key) for key in case["sections"]],
            discount=discount(case["discount"]),
            decimals=case["places"],
        )
    except InvalidQuote:
        return None
    return {
        "nets": [amount.net for amount in totals.lines],
        "subtotals": [section.subtotal for section in totals.sections],
        "lines_total": totals.lines_total,
        "discount": totals.discount,
        "without_tax": totals.total_without_tax,
        "taxes": [[tax.rate, tax.base, tax.tax] for tax in totals.taxes],
        "total_tax": totals.total_tax,
        "with_tax": totals.total_with_tax,
    }


def as_decimals(value: Any) -> Any:
    if isinstance(value, list):
        return [as_decimals(item) for item in value]
    if isinstance(value, dict):
        return {key: as_decimals(item) for key, item in value.items()}
    return Decimal(value)


def test_the_forms_live_totals_agree_with_the_services_to_the_cent(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        unavailable("Node.js is not installed")
        return
    chance = random.Random(20261207)
    cases = []
    expected = []
    while len(cases) < 300:
        case = random_quote(chance)
        if (totals := service_totals(case)) is not None:
            cases.append(case)
            expected.append(totals)
    # As an ES module whatever Node makes of a plain .js file outside a "type": "module".
    module = tmp_path / "quote-totals.mjs"
    module.write_text(TOTALS_JS.read_text())
    cases_file = tmp_path / "cases.json"
    cases_file.write_text(json.dumps(cases))
    script = TOTALS_CHECK.replace("SCRIPT", module.as_uri()).replace("CASES", str(cases_file))
    ran = subprocess.run(
        [node, "--input-type=module", "-e", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    for case, browser, service in zip(cases, json.loads(ran.stdout), expected, strict=True):
        assert as_decimals(browser) == service, case

"""A quote's story in a real browser: staff, on a desktop, make a quote for a client with a
line from the catalogue, two sections, an optional line, a discount and three VAT rates,
see its totals to the cent as they type and once saved, and send it (it takes its number);
on a phone, the quotes list shows it. Every page passes axe-core."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from portico.gateway.testing import RunningSite, assert_accessible

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

NewContext = Callable[..., BrowserContext]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
CLIENT = "Atelier Lumière"
QUOTE_PAGE = re.compile(r"/quotes/[0-9a-f-]{36}$")


def log_in(page: Page, site: RunningSite) -> None:
    page.goto(f"{site.url}/login")
    page.get_by_label("Email").fill(site.admin_email)
    page.get_by_label("Password").fill(site.admin_password)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def client_known_to_quotes(site: RunningSite) -> dict[str, Any]:
    """A client with a contact, and a product, once the quotes service knows the client (it
    learns it from the portal's event: a draft for it is accepted, then deleted)."""
    admin = site.admin_headers()
    contact = {"first_name": "Camille", "last_name": "Durand", "email": "camille@atelier.example"}
    made = httpx.post(
        f"{site.url}/api/portal/v1/clients",
        json={"name": CLIENT, "contacts": [contact]},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    client: dict[str, Any] = made.json()
    quotes = f"{site.url}/api/quotes/v1/quotes"
    probe = {"client_id": client["id"], "title": "Probe"}
    deadline = time.monotonic() + 30
    while (answer := httpx.post(quotes, json=probe, headers=admin)).status_code != 201:
        assert time.monotonic() < deadline, answer.text
        time.sleep(0.1)
    httpx.delete(f"{quotes}/{answer.json()['id']}", headers=admin).raise_for_status()
    product = {"name": "Catering", "unit": "meal", "unit_price": "18.35", "vat_rate": "10"}
    added = httpx.post(f"{site.url}/api/quotes/v1/products", json=product, headers=admin)
    assert added.status_code == 201, added.text
    return client


def fill_line(row: Locator, description: str, quantity: str, price: str, **more: str) -> None:
    row.get_by_label("Description").fill(description)
    row.get_by_label("Quantity").fill(quantity)
    row.get_by_label("Unit price excl. VAT").fill(price)
    if "unit" in more:
        row.get_by_label("Unit", exact=True).fill(more["unit"])
    if "vat" in more:
        row.get_by_label("VAT rate (%)").fill(more["vat"])
    if "discount" in more:
        row.get_by_label("Discount", exact=True).fill(more["discount"])
    if more.get("optional"):
        row.get_by_label("Optional: the client chooses to take it").check()


def add_section(page: Page, title: str, key: str) -> Locator:
    page.get_by_role("button", name="Add a section").click()
    section = page.locator(f'[data-group="{key}"]')
    expect(section.get_by_label("Section title")).to_be_focused()
    section.get_by_label("Section title").fill(title)
    return section


def add_line(section: Locator) -> Locator:
    section.get_by_role("button", name="Add a line").click()
    return section.locator("[data-line]").last


def test_staff_make_a_quote_see_its_totals_to_the_cent_send_it_and_find_it_on_a_phone(
    new_context: NewContext, live_site: RunningSite
) -> None:
    client_known_to_quotes(live_site)
    staff = new_context(locale="en-GB", viewport=DESKTOP).new_page()
    log_in(staff, live_site)

    staff.get_by_role("navigation", name="Main").get_by_role("link", name="Quotes").click()
    expect(staff.get_by_role("heading", name="Quotes", level=1)).to_be_visible()
    assert_accessible(staff)
    staff.get_by_role("link", name="+ Quote").click()
    expect(staff.get_by_role("heading", name="Who is it for?")).to_be_visible()
    assert_accessible(staff)
    staff.get_by_label("Client").select_option(label=CLIENT)
    staff.get_by_role("button", name="Continue").click()
    expect(staff.get_by_role("heading", name="New quote", level=1)).to_be_visible()
    expect(staff.get_by_text(CLIENT, exact=True)).to_be_visible()
    staff.get_by_label("Title").fill("Rénovation de l’atelier")

    # A line from the catalogue: the product fills it.
    first = staff.locator("[data-line]").first
    first.get_by_label("From the catalogue").select_option(label="Catering")
    expect(first.get_by_label("Unit price excl. VAT")).to_have_value("18.35")
    expect(first.get_by_label("VAT rate (%)")).to_have_value("10")
    first.get_by_label("Quantity").fill("12")

    design = add_section(staff, "Design", "s1")
    fill_line(add_line(design), "Design workshop", "2", "480.00", unit="day")
    fill_line(add_line(design), "Brand guide", "1", "1250", discount="10")
    fill_line(add_line(design), "An extra day", "1", "480", optional="yes")
    printing = add_section(staff, "Print", "s2")
    fill_line(add_line(printing), "Labels", "333", "0.0125", vat="5.5")
    fill_line(add_line(printing), "Books", "3", "24.90", vat="5.5")
    staff.get_by_label("Discount on the whole quote").fill("5")

    # The totals follow what is typed, to the cent.
    totals = staff.locator("[data-live-totals]")
    expect(totals).to_contain_text("Total incl. VAT€2,686.05")
    expect(design.locator("[data-section-subtotal]")).to_have_text("Subtotal · Design €2,085.00")
    expect(staff.locator("[data-line]").nth(3).locator("[data-line-net]")).to_have_text(
        "€480.00 · optional, not in the totals"
    )
    assert_accessible(staff)

    staff.get_by_role("button", name="Save the draft").first.click()
    expect(staff).to_have_url(QUOTE_PAGE)
    expect(staff.get_by_text("The draft is made: check it, then send it.")).to_be_visible()
    document = staff.locator(".quote-document")
    expect(document.locator(".quote-section-row")).to_have_text(["Design", "Print"])
    expect(document.locator(".quote-totals tr")).to_have_text(
        [
            "Total of the lines€2,384.06",
            "Discount (5%)−€119.20",
            "Total excl. VAT€2,264.86",
            "VAT 20% on €1,980.75€396.15",
            "VAT 10% on €209.19€20.92",
            "VAT 5.5% on €74.92€4.12",
            "Total incl. VAT€2,686.05",
        ]
    )
    expect(document.get_by_text("Optional", exact=True)).to_be_visible()
    assert_accessible(staff)

    send = staff.locator("#send")
    expect(send.get_by_role("heading", name="Send by email")).to_be_visible()
    send.get_by_label("Message").fill("Bonjour Camille, voici notre proposition.")
    send.get_by_role("button", name="Send", exact=True).click()
    expect(staff.get_by_text(re.compile(r"The quote is sent as DEV-\d{4}-0001\."))).to_be_visible()
    number = staff.locator(".quote-number").inner_text()
    expect(send.get_by_role("button", name="Send a reminder")).to_be_visible()
    assert_accessible(staff)

    # On a phone, the list shows it, each row a card naming its cells.
    phone = new_context(locale="en-GB", viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    log_in(phone, live_site)
    phone.goto(f"{live_site.url}/quotes")
    row = phone.locator("#quotes-results tbody tr").first
    expect(row.get_by_role("link", name=number)).to_be_visible()
    expect(row.locator("td[data-label='Total incl. VAT']")).to_have_text("€2,686.05")
    expect(row.locator("td[data-label='Status']")).to_have_text("Sent")
    box = row.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert not phone.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert_accessible(phone)
    row.get_by_role("link", name=number).click()
    expect(phone.get_by_role("heading", name="Rénovation de l’atelier", level=1)).to_be_visible()
    assert not phone.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert_accessible(phone)

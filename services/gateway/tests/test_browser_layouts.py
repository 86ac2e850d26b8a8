"""In a real browser: the pages fit a laptop (1,366 px) and a phone (390 px), and forms speak
up before and after sending."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from portico.gateway.testing import RunningSite, assert_accessible

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

NewContext = Callable[..., BrowserContext]
PASSWORD = "the-client-passphrase"
LONG_EMAIL = (
    "camille.durand-de-la-fontaine.responsable-administrative-et-financiere-"
    f"{uuid.uuid4().hex[:8]}@atelier-lumiere-architecture-interieure.example"
)
WIDTHS = [(1366, 768), (390, 844)]


def log_in(page: Page, site: RunningSite, email: str, password: str) -> None:
    page.goto(f"{site.url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def assert_nothing_overflows(page: Page) -> None:
    """No sideways scrolling of the page, and no table scrolling inside its frame."""
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('.table-wrap')].flatMap((wrap) => {
            const frame = wrap.getBoundingClientRect();
            return [...wrap.querySelectorAll('th, td, a, button, .badge')]
              .filter((element) => {
                // A phone's table hides its head visually (each cell names its column).
                const head = element.closest('thead');
                if (head && head.getBoundingClientRect().width <= 1) return false;
                const box = element.getBoundingClientRect();
                return box.width > 0 && (box.right > frame.right + 1 || box.left < frame.left - 1);
              })
              .map((element) => element.outerHTML.slice(0, 120));
        })"""
    )
    assert clipped == [], clipped


def client_with_account(site: RunningSite, name: str, email: str) -> dict[str, Any]:
    api = f"{site.url}/api/portal/v1"
    admin = site.admin_headers()
    contacts = [
        {"first_name": "Camille", "last_name": "Durand", "email": email},
        {
            "first_name": "Jean",
            "last_name": "Martin",
            "email": f"jean-{uuid.uuid4().hex[:6]}@x.example",
        },
    ]
    created = httpx.post(f"{api}/clients", json={"name": name, "contacts": contacts}, headers=admin)
    assert created.status_code == 201, created.text
    client: dict[str, Any] = created.json()
    for contact in client["contacts"]:
        invited = httpx.post(
            f"{api}/clients/{client['id']}/contacts/{contact['id']}/invitation", headers=admin
        )
        assert invited.status_code == 201, invited.text
    [token] = site.invitation_tokens(email)
    accepted = httpx.post(f"{api}/invitations/accept", json={"token": token, "password": PASSWORD})
    assert accepted.status_code == 200, accepted.text
    return client


def workspace(site: RunningSite, client: dict[str, Any], name: str) -> str:
    contact_ids = [client["contacts"][0]["id"]]
    created = httpx.post(
        f"{site.url}/api/portal/v1/clients/{client['id']}/workspaces",
        json={"name": name, "contact_ids": contact_ids},
        headers=site.admin_headers(),
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_staff_and_client_pages_fit_a_laptop_and_a_phone(
    width: int, height: int, new_context: NewContext, live_site: RunningSite
) -> None:
    client = client_with_account(live_site, "Atelier Lumière", LONG_EMAIL)
    first = workspace(live_site, client, "Rénovation de l’atelier et de la verrière")
    workspace(live_site, client, "Extension côté jardin")
    phone = width < 500
    options: dict[str, Any] = {"viewport": {"width": width, "height": height}}
    if phone:
        options |= {"is_mobile": True, "has_touch": True}

    staff = new_context(**options).new_page()
    log_in(staff, live_site, live_site.admin_email, live_site.admin_password)
    staff.goto(f"{live_site.url}/clients/{client['id']}")
    expect(staff.get_by_role("link", name=LONG_EMAIL)).to_be_visible()
    assert_nothing_overflows(staff)
    for name in ("Resend invitation", "Revoke invitation"):
        button = staff.get_by_role("button", name=name).first
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, name

    portal = new_context(**options).new_page()
    log_in(portal, live_site, LONG_EMAIL, PASSWORD)
    # Two workspaces: the home lists them once, and says nothing twice.
    expect(portal).to_have_url(f"{live_site.url}/portal")
    expect(portal.locator("a[href^='/portal/workspaces/']")).to_have_count(2)
    assert_nothing_overflows(portal)
    assert_accessible(portal)

    portal.get_by_role("link", name="Rénovation de l’atelier et de la verrière").click()
    expect(portal.get_by_role("heading", level=1)).to_have_text(
        "Rénovation de l’atelier et de la verrière"
    )
    menu = portal.get_by_role("navigation", name="Your workspaces")
    current = menu.locator(".portal-menu-current")
    if phone:
        # Folded under the current workspace's whole name; opened, every name on its line.
        expect(current).to_have_text("Rénovation de l’atelier et de la verrière")
        expect(current).to_be_in_viewport(ratio=1)
        expect(menu.get_by_role("link")).to_have_count(0)
        current.click()
    expect(menu.get_by_role("link")).to_have_count(2)
    expect(menu.get_by_role("link", name="Extension côté jardin")).to_be_in_viewport(ratio=1)
    assert menu.locator("[aria-current='page']").get_attribute("href") == (
        f"/portal/workspaces/{first}"
    )
    assert_nothing_overflows(portal)
    assert_accessible(portal)


def test_forms_speak_up_before_and_after_sending(
    new_context: NewContext, live_site: RunningSite
) -> None:
    client = client_with_account(
        live_site, "Atelier Lumière", f"c-{uuid.uuid4().hex[:8]}@x.example"
    )
    ws = workspace(live_site, client, "Rénovation")
    page = new_context(viewport={"width": 1366, "height": 900}).new_page()
    refused_styles: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused_styles.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    log_in(page, live_site, live_site.admin_email, live_site.admin_password)

    # The dashboard's cards share the width: no empty third column.
    cards = page.locator(".grid-2 > .card")
    boxes = [cards.nth(index).bounding_box() for index in range(cards.count())]
    first, second, third = (box["width"] for box in boxes if box is not None)
    assert first == pytest.approx(second, abs=2)
    assert first + second == pytest.approx(third, rel=0.05)

    base = f"{live_site.url}/workspaces/{ws}"
    page.goto(base)
    # A file over the limit is refused at once, and nothing is sent.
    posts: list[str] = []
    page.on(
        "request", lambda request: posts.append(request.url) if request.method == "POST" else None
    )
    upload = page.get_by_label("Add a file")
    expect(
        page.get_by_text("PDF, images, office documents, text, CSV or ZIP; at most 25 MB.")
    ).to_be_visible()
    upload.set_input_files(
        {"name": "plans.pdf", "mimeType": "application/pdf", "buffer": b"\0" * (26 * 1024 * 1024)}
    )
    expect(page.get_by_text("This file is too large: at most 25 MB.")).to_be_visible()
    expect(upload).to_have_attribute("aria-invalid", "true")
    page.get_by_role("button", name="Upload").click()
    page.wait_for_timeout(300)
    assert posts == []

    # The sending indicator shows only while a message is on its way.
    indicator = page.locator("#messages .htmx-indicator")
    expect(indicator).to_have_count(1)
    expect(indicator).to_be_hidden()
    page.get_by_label("Your message").fill("Les plans : https://example.com/plans.")
    page.get_by_role("button", name="Send", exact=True).click()
    link = page.locator(".ws-message-body a")
    expect(link).to_have_attribute("href", "https://example.com/plans")
    expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")
    expect(indicator).to_be_hidden()

    # A refused link comes back under the page's address, not the form's.
    page.get_by_text("Add a link", exact=True).click()
    links = page.locator("#links")
    links.get_by_label("Title").fill("Plans")
    links.get_by_label("Address").fill("https://example.com/" + "a" * 2100)
    page.get_by_role("button", name="Add the link").click()
    expect(page.get_by_text("This is too long: at most 2,000 characters.")).to_be_visible()
    expect(page).to_have_url(base)
    page.reload()
    expect(page.get_by_role("heading", name="Rénovation")).to_be_visible()
    assert refused_styles == []

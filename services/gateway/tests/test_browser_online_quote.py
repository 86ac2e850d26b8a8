"""The online quote in a real browser, on a phone: the client opens the email's link, ticks
the optional line (the total follows), signs on the pad with a finger, accepts and sees the
banner; the quote's assignee hears of the visit by email and, as they chose, by SMS. The
page passes axe-core and never scrolls sideways."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, expect

from portico.gateway.testing import RunningSite, assert_accessible

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

NewContext = Callable[..., BrowserContext]
EMAIL = "camille@atelier.example"
ASSIGNEE_PHONE = "+33612345678"
OFFER: dict[str, Any] = {
    "title": "Rénovation de l’atelier",
    "sections": [{"key": "design", "title": "Design"}],
    "lines": [
        {"section": "design", "description": "Design workshop", "quantity": "2",
         "unit_price": "480.00", "vat_rate": "20"},
        {"section": "design", "description": "An extra day", "unit_price": "480",
         "vat_rate": "20", "optional": True},
        {"description": "Catering", "quantity": "12", "unit_price": "18.35", "vat_rate": "10"},
    ],
}  # fmt: skip


def assignee_texted_of_views(site: RunningSite) -> str:
    """The admin, with a phone, asks for an SMS when a quote is viewed; answers their id."""
    login = httpx.post(
        f"{site.url}/api/portal/v1/auth/login",
        json={"email": site.admin_email, "password": site.admin_password},
    )
    assert login.status_code == 200, login.text
    admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
    me = httpx.patch(
        f"{site.url}/api/portal/v1/me", json={"phone": "+33 6 12 34 56 78"}, headers=admin
    )
    assert me.status_code == 200, me.text
    chosen = httpx.put(
        f"{site.url}/api/notifier/v1/preferences/quote_viewed",
        json={"email": True, "sms": True, "in_app": True},
        headers=admin,
    )
    assert chosen.status_code == 200, chosen.text
    return str(me.json()["id"])


def sent_quote_link(site: RunningSite, assignee_id: str) -> str:
    """A quote sent to a client's contact, signatures asked for: the link of its email."""
    admin = site.admin_headers()
    api = f"{site.url}/api/quotes/v1"
    settings = httpx.get(f"{api}/quote-settings", headers=admin).json()
    settings.pop("updated_at")
    saved = httpx.put(f"{api}/quote-settings", json={**settings, "esignature": True}, headers=admin)
    assert saved.status_code == 200, saved.text
    contact = {"first_name": "Camille", "last_name": "Durand", "email": EMAIL, "locale": "en"}
    made = httpx.post(
        f"{site.url}/api/portal/v1/clients",
        json={"name": "Atelier Lumière", "contacts": [contact]},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    body = {"client_id": made.json()["id"], "assignee_id": assignee_id, **OFFER}
    deadline = time.monotonic() + 30
    # The quotes service learns the client from the portal's event.
    while (quote := httpx.post(f"{api}/quotes", json=body, headers=admin)).status_code != 201:
        assert time.monotonic() < deadline, quote.text
        time.sleep(0.1)
    sent = httpx.post(f"{api}/quotes/{quote.json()['id']}/send", json={}, headers=admin)
    assert sent.status_code == 200, sent.text
    while time.monotonic() < deadline:
        for text in site.texts_sent_to(EMAIL):
            if found := re.search(r"/q/[\w-]+", text):
                return f"{site.url}{found.group(0)}"
        time.sleep(0.1)
    raise AssertionError("the quote's email never came")


def test_on_a_phone_the_client_takes_an_option_signs_with_a_finger_and_accepts(
    new_context: NewContext, live_site: RunningSite
) -> None:
    link = sent_quote_link(live_site, assignee_texted_of_views(live_site))
    page = new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=3,
        locale="en-GB",
    ).new_page()
    page.goto(link)
    expect(page.get_by_role("heading", name="Rénovation de l’atelier", level=1)).to_be_visible()
    # The assignee hears of the visit by email and, as they chose, by SMS.
    deadline = time.monotonic() + 30
    while not (
        (
            emails := [
                t for t in live_site.texts_sent_to(live_site.admin_email) if "opened quote" in t
            ]
        )
        and (texts := live_site.texts_sent_to(ASSIGNEE_PHONE))
    ):
        assert time.monotonic() < deadline, "the assignee was not told of the visit"
        time.sleep(0.1)
    assert "Atelier Lumière" in emails[0]
    [sms] = texts
    assert "Atelier Lumière" in sms and "/quotes/" in sms
    total = page.locator(".quote-grand-total td")
    expect(total).to_have_text("€1,394.22")
    # With script, ticking submits: the button for browsers without it is hidden.
    expect(page.get_by_role("button", name="Update the total")).to_be_hidden()

    page.get_by_label("An extra day").check()
    expect(total).to_have_text("€1,970.22")
    expect(page.get_by_label("An extra day")).to_be_checked()
    expect(page.get_by_role("status").filter(has_text="Total incl. VAT")).to_have_count(1)

    expect(page.get_by_label("Your full name")).to_have_value("Camille Durand")
    canvas = page.get_by_role("img", name="Signature pad: draw with a mouse, a finger or a pen")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    cdp = page.context.new_cdp_session(page)
    points = [(0.1, 0.6), (0.2, 0.3), (0.35, 0.7), (0.5, 0.25), (0.65, 0.65), (0.85, 0.3)]
    for index, (fx, fy) in enumerate(points):
        kind = "touchStart" if index == 0 else "touchMove"
        cdp.send(
            "Input.dispatchTouchEvent",
            {"type": kind, "touchPoints": [{"x": x + w * fx, "y": y + h * fy}]},
        )
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()
    page.get_by_label("I accept the terms of this quote").check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)

    page.get_by_role("button", name="Accept the quote").click()
    banner = page.get_by_role(
        "heading", level=1, name=re.compile(r"^Accepted by Camille Durand on ")
    )
    expect(banner).to_be_visible()
    expect(page.get_by_role("link", name="Download the signed quote")).to_be_visible()
    expect(total).to_have_text("€1,970.22")
    expect(page.get_by_role("button", name="Accept the quote")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
    kept = httpx.get(
        link.replace("/q/", "/api/quotes/v1/online/"), headers={"User-Agent": "test"}
    ).json()
    assert kept["decision"]["method"] == "drawn"

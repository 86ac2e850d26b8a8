"""In a real browser: a contact adds a file in the client portal, and the staff member hears
of it (the bell, the notifications page) and sees the client move up the dashboard's recent
activity, though the client's record did not change."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from portico.gateway.testing import CLIENT_PASSWORD, RunningSite, assert_accessible

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

NewContext = Callable[..., BrowserContext]


def log_in(page: Page, site: RunningSite, email: str, password: str) -> None:
    page.goto(f"{site.url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def recent_activity(page: Page, site: RunningSite) -> list[str]:
    page.goto(f"{site.url}/")
    card = page.locator("section", has=page.get_by_role("heading", name="Recent client activity"))
    return [text.strip() for text in card.get_by_role("listitem").all_inner_texts()]


def test_a_contacts_upload_reaches_the_staff_and_moves_the_client_up(
    new_context: NewContext, live_site: RunningSite
) -> None:
    api = f"{live_site.url}/api/portal/v1"
    admin = live_site.admin_headers()
    client = live_site.client_in_the_portal("Atelier Lumière")
    workspace = httpx.post(
        f"{api}/clients/{client['id']}/workspaces",
        json={"name": "Rénovation", "contact_ids": [client["contacts"][0]["id"]]},
        headers=admin,
    )
    assert workspace.status_code == 201, workspace.text
    # Another client changed since: it leads the recent activity.
    other = httpx.post(f"{api}/clients", json={"name": "Bureau Nord"}, headers=admin)
    assert other.status_code == 201, other.text

    staff = new_context(locale="en-GB").new_page()
    log_in(staff, live_site, live_site.admin_email, live_site.admin_password)
    expect(staff.get_by_role("heading", name="Recent client activity")).to_be_visible()
    before = recent_activity(staff, live_site)
    assert before[0].startswith("Bureau Nord"), before
    assert "changed" in before[1] and before[1].startswith("Atelier Lumière"), before

    contact = new_context(locale="en-GB").new_page()
    log_in(contact, live_site, client["contacts"][0]["email"], CLIENT_PASSWORD)
    expect(contact.get_by_role("heading", name="Rénovation")).to_be_visible()
    pdf = b"%PDF-1.7\n" + b"0" * 900
    contact.get_by_label("Add a file").set_input_files(
        {"name": "plans-v3.pdf", "mimeType": "application/pdf", "buffer": pdf}
    )
    contact.get_by_role("button", name="Upload").click()
    expect(contact.locator("#files").get_by_text("plans-v3.pdf")).to_be_visible()

    # The bell counts it (it asks every 30 s: a page load asks at once).
    bell = staff.locator(".bell-count")
    deadline = time.monotonic() + 20
    while not bell.count():
        assert time.monotonic() < deadline, "the bell never rang"
        staff.reload()
        staff.wait_for_timeout(300)
    expect(bell).to_have_text("1")
    staff.get_by_role("link", name="Notifications", exact=True).last.click()
    unread = staff.locator(".notification:has(.notification-title.unread)")
    expect(unread).to_have_count(1)
    expect(unread.locator(".notification-title")).to_contain_text(
        "Camille Durand added a file to “Rénovation”"
    )
    expect(unread.locator(".notification-excerpt")).to_have_text("plans-v3.pdf")
    assert_accessible(staff)

    # The dashboard's recent activity: the client moved up, with the moment of its activity.
    after = recent_activity(staff, live_site)
    assert after[0].startswith("Atelier Lumière") and "active" in after[0], after
    assert after[1].startswith("Bureau Nord"), after
    assert_accessible(staff)

    # The notification leads to the workspace, where the file is.
    staff.get_by_role("link", name="Notifications", exact=True).last.click()
    staff.locator(".notification-title").first.click()
    expect(staff).to_have_url(f"{live_site.url}/workspaces/{workspace.json()['id']}")
    expect(staff.get_by_role("link", name="plans-v3.pdf")).to_be_visible()

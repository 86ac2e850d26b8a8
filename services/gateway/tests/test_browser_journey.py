"""In a real browser: the journeys of the issue, end to end, on both backends."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from portico.gateway.testing import RunningSite, assert_accessible


def log_in(page: Page, site: RunningSite, email: str, password: str) -> None:
    page.goto(f"{site.url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_the_admin_logs_in_and_is_welcomed(page: Page, live_site: RunningSite) -> None:
    page.goto(f"{live_site.url}/")
    expect(page).to_have_url(f"{live_site.url}/login")
    assert_accessible(page)
    log_in(page, live_site, live_site.admin_email, live_site.admin_password)
    expect(page.get_by_role("heading", name="Welcome to your client portal")).to_be_visible()
    assert_accessible(page)

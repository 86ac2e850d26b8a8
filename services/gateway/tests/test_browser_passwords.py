"""In a real browser: the forms that set a password say the rules before anything is typed,
and a "Show password" button (a module under the strict CSP) shows what was typed."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from portico.gateway.testing import RunningSite, assert_accessible

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

NewContext = Callable[..., BrowserContext]
RULES = "At least 10 characters, and not easy to guess"


def test_the_reset_form_shows_the_rules_and_shows_the_password_on_demand(
    new_context: NewContext, live_site: RunningSite
) -> None:
    page = new_context().new_page()
    page.goto(f"{live_site.url}/password/reset?token=checked-when-sent")
    password = page.get_by_label("New password")
    expect(page.get_by_text(RULES)).to_be_visible()
    expect(password).to_have_attribute("aria-describedby", "hint-password")
    password.fill("Lune-vélo-42-pivoine")

    toggle = page.get_by_role("button", name="Show password")
    expect(password).to_have_attribute("type", "password")
    toggle.click()
    expect(password).to_have_attribute("type", "text")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(password).to_have_value("Lune-vélo-42-pivoine")
    assert_accessible(page)
    toggle.click()
    expect(password).to_have_attribute("type", "password")
    expect(toggle).to_have_attribute("aria-pressed", "false")


def test_the_password_change_form_shows_the_rules_and_its_three_passwords(
    new_context: NewContext, live_site: RunningSite
) -> None:
    page = new_context().new_page()
    page.goto(f"{live_site.url}/login")
    page.get_by_label("Email").fill(live_site.admin_email)
    page.get_by_label("Password").fill(live_site.admin_password)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/login"))

    page.goto(f"{live_site.url}/settings/profile")
    expect(page.get_by_text(RULES)).to_be_visible()
    fields = [
        page.locator(f"#field-{name}")
        for name in ("current_password", "new_password", "confirm_password")
    ]
    for field in fields:
        expect(field).to_have_attribute("type", "password")
    page.get_by_role("button", name="Show password").click()
    for field in fields:
        expect(field).to_have_attribute("type", "text")


def test_the_rules_and_the_button_speak_french(
    new_context: NewContext, live_site: RunningSite
) -> None:
    page = new_context(locale="fr-FR").new_page()
    page.goto(f"{live_site.url}/password/reset?token=checked-when-sent")
    expect(page.get_by_text("Au moins 10 caractères, et difficile à deviner")).to_be_visible()
    page.get_by_role("button", name="Afficher le mot de passe").click()
    expect(page.get_by_label("Nouveau mot de passe")).to_have_attribute("type", "text")

"""In a real browser: one person, a contact of two clients (an accountant), accepts both
invitations, logs in once and switches between the clients, seeing each one's workspaces
only. In English on a laptop and in French on a phone."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from babel.support import Translations
from playwright.sync_api import BrowserContext, Page, expect

from portico.gateway.testing import RunningSite, assert_accessible
from portico.gateway.web.i18n import CATALOGS

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

NewContext = Callable[..., BrowserContext]
PASSWORD = "the-accountant-passphrase"


def translator(code: str) -> Callable[[str], str]:
    if code == "en":
        return lambda text: text
    return Translations.load(str(CATALOGS), [code]).gettext


def client_with_anne(site: RunningSite, name: str, email: str, locale: str) -> dict[str, Any]:
    """A client whose first contact is Anne, invited to the portal."""
    api = f"{site.url}/api/portal/v1"
    contacts = [
        {"first_name": "Anne", "last_name": "Moreau", "email": email, "locale": locale},
        {
            "first_name": "Jean",
            "last_name": "Martin",
            "email": f"j-{uuid.uuid4().hex[:6]}@x.example",
        },
    ]
    created = httpx.post(
        f"{api}/clients",
        json={"name": name, "contacts": contacts},
        headers=site.admin_headers(),
    )
    assert created.status_code == 201, created.text
    client: dict[str, Any] = created.json()
    invited = httpx.post(
        f"{api}/clients/{client['id']}/contacts/{client['contacts'][0]['id']}/invitation",
        headers=site.admin_headers(),
    )
    assert invited.status_code == 201, invited.text
    return client


def workspace(site: RunningSite, client: dict[str, Any], name: str) -> str:
    created = httpx.post(
        f"{site.url}/api/portal/v1/clients/{client['id']}/workspaces",
        json={"name": name, "contact_ids": [client["contacts"][0]["id"]]},
        headers=site.admin_headers(),
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def assert_nothing_overflows(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, page.evaluate("[document.documentElement.scrollWidth, innerWidth]")


def accept(page: Page, link: str, label: str, button: str, password: str) -> None:
    page.goto(link)
    page.get_by_role("textbox", name=label, exact=True).fill(password)
    page.get_by_role("button", name=button).click()


@pytest.mark.parametrize(("code", "width", "height"), [("en", 1366, 768), ("fr", 390, 844)])
def test_one_person_joins_two_clients_logs_in_once_and_switches(
    code: str, width: int, height: int, new_context: NewContext, live_site: RunningSite
) -> None:
    _ = translator(code)
    email = f"anne-{uuid.uuid4().hex[:8]}@compta.example"
    lumiere = client_with_anne(live_site, "Atelier Lumière", email, code)
    boreal = client_with_anne(live_site, "Boréal Menuiserie", email, code)
    first, second = (
        f"{live_site.url}/invitations/accept?token={token}"
        for token in live_site.invitation_tokens(email, 2)
    )
    options: dict[str, Any] = {
        "viewport": {"width": width, "height": height},
        "locale": "fr-FR" if code == "fr" else "en-GB",
    }
    if width < 500:
        options |= {"is_mobile": True, "has_touch": True}
    page = new_context(**options).new_page()

    # The first invitation: she chooses her password.
    accept(page, first, _("Password"), _("Open my account"), PASSWORD)
    expect(page).to_have_url(f"{live_site.url}/portal")
    # The second: the page knows her address and asks for the password she has.
    page.goto(second)
    expect(page.get_by_text("Boréal Menuiserie").first).to_be_visible()
    accept(page, second, _("Your password"), _("Add this client"), "not-her-password-at-all")
    expect(page.get_by_text(_("The password is incorrect."))).to_be_visible()
    assert_accessible(page)
    accept(page, second, _("Your password"), _("Add this client"), PASSWORD)
    expect(page).to_have_url(f"{live_site.url}/portal")

    at_lumiere = workspace(live_site, lumiere, "Bilan 2026 Lumière")
    at_boreal = workspace(live_site, boreal, "Bilan 2026 Boréal")

    # One login: it lands on the client she used last, Boréal, and its one workspace.
    page.get_by_role("button", name=_("Log out")).click()
    page.goto(f"{live_site.url}/login")
    page.get_by_label(_("Email")).fill(email)
    page.get_by_label(_("Password")).fill(PASSWORD)
    page.get_by_role("button", name=_("Log in")).click()
    expect(page).to_have_url(f"{live_site.url}/portal/workspaces/{at_boreal}")
    menu = page.get_by_role("navigation", name=_("Your workspaces"))
    switcher = menu.get_by_label(_("Client"), exact=True)
    expect(switcher).to_be_visible()
    expect(switcher).to_have_value(boreal["id"])
    expect(switcher.locator("option")).to_have_text(["Atelier Lumière", "Boréal Menuiserie"])
    assert page.locator("a[href^='/portal/workspaces/']").evaluate_all(
        "links => [...new Set(links.map((link) => link.getAttribute('href')))]"
    ) == [f"/portal/workspaces/{at_boreal}"]
    assert_nothing_overflows(page)
    assert_accessible(page)

    # Switching: Lumière's workspace, and nothing of Boréal's.
    switcher.select_option(lumiere["id"])
    menu.get_by_role("button", name=_("Switch")).click()
    expect(page).to_have_url(f"{live_site.url}/portal/workspaces/{at_lumiere}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bilan 2026 Lumière")
    expect(menu.get_by_label(_("Client"), exact=True)).to_have_value(lumiere["id"])
    assert "Bilan 2026 Boréal" not in page.content()
    assert_nothing_overflows(page)
    # Boréal's workspace is not reachable from Lumière's session.
    refused = page.goto(f"{live_site.url}/portal/workspaces/{at_boreal}")
    assert refused is not None and refused.status == 404
    assert "Bilan 2026 Boréal" not in page.content()

    # And back.
    page.goto(f"{live_site.url}/portal")
    page.get_by_label(_("Client"), exact=True).select_option(boreal["id"])
    page.get_by_role("button", name=_("Switch")).click()
    expect(page).to_have_url(f"{live_site.url}/portal/workspaces/{at_boreal}")
    assert "Bilan 2026 Lumière" not in page.content()

"""In a real browser, end to end, on both backends: a staff member invites a client, the
client joins, ticks a task and writes; the staff member sees it. In English and French."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from babel.support import Translations
from playwright.sync_api import BrowserContext, Page, expect

from portico.gateway.testing import CLIENT_PASSWORD, RunningSite, assert_accessible
from portico.gateway.web.i18n import CATALOGS
from portico.kit.testing.smtp import text_and_html

NewContext = Callable[..., BrowserContext]


@dataclass
class Language:
    code: str
    browser_locale: str
    gettext: Callable[[str], str]

    def __call__(self, text: str, **values: object) -> str:
        translated = self.gettext(text)
        return translated % values if values else translated


def language(code: str) -> Language:
    if code == "en":
        return Language("en", "en-GB", lambda text: text)
    catalog = Translations.load(str(CATALOGS), [code])
    return Language(code, "fr-FR", catalog.gettext)


def log_in(page: Page, site: RunningSite, _: Language, email: str, password: str) -> None:
    page.goto(f"{site.url}/login")
    page.get_by_label(_("Email")).fill(email)
    page.get_by_label(_("Password")).fill(password)
    page.get_by_role("button", name=_("Log in")).click()


def invitation_link(page: Page, site: RunningSite, _: Language, email: str) -> str:
    """The accept link of the invitation email: from the development inbox (embedded, as a
    newcomer would read it) or from the SMTP server (distributed)."""
    deadline = time.monotonic() + 20
    if site.mailbox is not None:
        while time.monotonic() < deadline:
            for message in site.mailbox.messages:
                if email in str(message["To"]):
                    text, _html = text_and_html(message)
                    found = re.search(r"http\S+/invitations/accept\?token=[\w-]+", text)
                    assert found, text
                    return found.group(0)
            time.sleep(0.1)
        raise AssertionError(f"no invitation email reached the SMTP server for {email}")
    page.get_by_role("link", name=_("Development inbox")).click()
    inbox = page.url
    while time.monotonic() < deadline:
        rows = page.get_by_role("row").filter(has_text=email)
        messages = [
            rows.nth(index).get_by_role("link").first.get_attribute("href")
            for index in range(rows.count())
        ]
        for message in messages:
            page.goto(f"{site.url}{message}")
            accept = page.locator("a[href*='/invitations/accept?token=']")
            if accept.count():
                href = accept.first.get_attribute("href")
                assert href is not None
                return href
        page.goto(inbox)
    raise AssertionError(f"no invitation email in the development inbox for {email}")


def staff_invites_a_client(
    page: Page, site: RunningSite, _: Language, client_name: str, email: str
) -> str:
    """Creates the client with its contact, invites it, shares a workspace with a task for
    the contact; answers the workspace's address."""
    log_in(page, site, _, site.admin_email, site.admin_password)
    if _.code != "en":
        # The admin's own setting is English: they switch, and it becomes their setting.
        page.get_by_role("button", name="Français").click()
        expect(page.locator("html")).to_have_attribute("lang", _.code)
    page.get_by_role("link", name=_("New client")).first.click()
    page.get_by_role("textbox", name=_("Name"), exact=True).fill(client_name)
    page.get_by_label(_("First name")).fill("Camille")
    page.get_by_label(_("Last name")).fill("Durand")
    page.get_by_label(_("Email")).fill(email)
    page.get_by_label(_("Language")).select_option(value=_.code)
    expect(page.get_by_label(_("Invite this contact to the client portal now"))).to_be_checked()
    page.get_by_role("button", name=_("Create the client")).click()
    expect(page.get_by_role("heading", name=client_name)).to_be_visible()
    expect(page.get_by_text(_("Invited")).first).to_be_visible()
    assert_accessible(page)

    page.get_by_text(_("New workspace"), exact=True).click()
    page.get_by_role("textbox", name=_("Name"), exact=True).fill("Rénovation")
    page.get_by_label(re.compile("Camille Durand")).check()
    page.get_by_role("button", name=_("Create the workspace")).click()
    expect(page.get_by_role("heading", name="Rénovation")).to_be_visible()
    workspace_url = page.url

    page.get_by_text(_("Add a task"), exact=True).click()
    page.get_by_role("textbox", name=_("Task"), exact=True).fill("Envoyer le Kbis")
    page.get_by_label(_("Assigned to")).select_option(label="Camille Durand")
    page.get_by_role("button", name=_("Add the task")).click()
    expect(page.locator(".ws-task-title", has_text="Envoyer le Kbis")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=_("Clients"), exact=True).click()
    expect(page.get_by_role("link", name=client_name)).to_be_visible()
    assert_accessible(page)
    return workspace_url


def client_joins_ticks_and_writes(
    page: Page, link: str, _: Language, workspace_name: str, message: str
) -> None:
    page.goto(link)
    page.get_by_role("textbox", name=_("Password"), exact=True).fill(CLIENT_PASSWORD)
    page.get_by_role("button", name=_("Open my account")).click()
    # One workspace shared: the portal opens it, and the menu lists exactly that one.
    expect(page.get_by_role("heading", name=workspace_name)).to_be_visible()
    menu = page.get_by_role("navigation", name=_("Your workspaces"))
    expect(menu.get_by_role("link")).to_have_count(1)
    expect(menu.get_by_role("link")).to_have_text(workspace_name)

    tick = page.get_by_role("button", name=_("Mark “%(title)s” as done", title="Envoyer le Kbis"))
    tick.click()
    expect(
        page.get_by_role("button", name=_("Mark “%(title)s” as not done", title="Envoyer le Kbis"))
    ).to_be_visible()
    page.get_by_label(_("Your message")).fill(message)
    page.get_by_role("button", name=_("Send"), exact=True).click()
    expect(page.get_by_text(message)).to_be_visible()
    assert_accessible(page)


def staff_sees_the_message_and_a_notification(
    page: Page, workspace_url: str, _: Language, message: str
) -> None:
    page.goto(workspace_url)
    expect(page.get_by_text(message)).to_be_visible()
    deadline = time.monotonic() + 20
    bell = page.locator(".bell-count")
    # The task the client ticked, then their message: the bell asks on each page load.
    while time.monotonic() < deadline and not (bell.count() and bell.inner_text() == "2"):
        page.reload()
        page.wait_for_timeout(300)
    expect(bell).to_have_text("2")
    page.get_by_role("link", name=_("Notifications"), exact=True).last.click()
    # Unread: its title stands out, not its excerpt (the client's words) nor its time.
    unread = page.locator(".notification:has(.notification-title.unread)")
    expect(unread).to_have_count(2)
    newest, ticked = unread.nth(0), unread.nth(1)
    expect(newest.locator(".notification-excerpt")).to_have_text(message)
    expect(newest.locator(".notification-excerpt")).to_have_css("font-weight", "400")
    expect(ticked.locator(".notification-title")).to_contain_text("Envoyer le Kbis")


def test_the_first_admin_is_welcomed_towards_the_settings(
    page: Page, live_site: RunningSite
) -> None:
    page.goto(f"{live_site.url}/")
    expect(page).to_have_url(f"{live_site.url}/login")
    assert_accessible(page)
    log_in(page, live_site, language("en"), live_site.admin_email, live_site.admin_password)
    expect(page.get_by_role("heading", name="Welcome to your client portal")).to_be_visible()
    page.get_by_role("link", name="Open the settings").click()
    expect(page).to_have_url(re.compile(r"/settings"))
    assert_accessible(page)
    for name in ("Organisation", "Staff users", "API keys", "Email templates"):
        page.get_by_role("navigation").get_by_role("link", name=name, exact=True).first.click()
        assert_accessible(page)


@pytest.mark.parametrize("code", ["en", "fr"])
def test_a_client_is_invited_joins_and_works_with_the_staff(
    code: str, new_context: NewContext, live_site: RunningSite
) -> None:
    _ = language(code)
    staff = new_context(locale=_.browser_locale).new_page()
    client = new_context(locale=_.browser_locale).new_page()
    email = f"camille-{uuid.uuid4().hex[:6]}@atelier.example"
    message = "Voici le Kbis, bonne journée !" if code == "fr" else "Here is the document."

    if code == "fr":
        staff.goto(f"{live_site.url}/login")
        expect(staff.get_by_label("E-mail")).to_be_visible()
        expect(staff.get_by_label("Mot de passe")).to_be_visible()
        expect(staff.locator("html")).to_have_attribute("lang", "fr")

    workspace_url = staff_invites_a_client(staff, live_site, _, "Atelier Lumière", email)
    link = invitation_link(staff, live_site, _, email)
    client_joins_ticks_and_writes(client, link, _, "Rénovation", message)
    staff_sees_the_message_and_a_notification(staff, workspace_url, _, message)


def test_another_client_sees_none_of_the_first_ones_pages(
    new_context: NewContext, live_site: RunningSite
) -> None:
    _ = language("en")
    admin = live_site.admin_headers()
    api = f"{live_site.url}/api/portal/v1"
    first, second = (live_site.client_in_the_portal(name) for name in ("Atelier", "Boulangerie"))
    workspace = httpx.post(
        f"{api}/clients/{first['id']}/workspaces",
        json={"name": "Plans", "contact_ids": [first["contacts"][0]["id"]]},
        headers=admin,
    ).json()
    page = new_context(locale="en-GB").new_page()
    log_in(page, live_site, _, second["contacts"][0]["email"], CLIENT_PASSWORD)
    expect(page.get_by_text(_("Nothing shared with you yet")).first).to_be_visible()
    for path in (
        f"/portal/workspaces/{workspace['id']}",
        f"/portal/workspaces/{workspace['id']}/messages",
        f"/workspaces/{workspace['id']}",
        f"/clients/{first['id']}",
    ):
        response = page.goto(f"{live_site.url}{path}")
        assert response is not None
        assert response.status == 404 or page.url.startswith(f"{live_site.url}/login"), path
        expect(page.get_by_text("Plans")).to_have_count(0)
        expect(page.get_by_text("Atelier")).to_have_count(0)


def test_the_client_pages_fit_a_phone(new_context: NewContext, live_site: RunningSite) -> None:
    _ = language("en")
    admin = live_site.admin_headers()
    api = f"{live_site.url}/api/portal/v1"
    client = live_site.client_in_the_portal("Atelier Lumière")
    workspace = httpx.post(
        f"{api}/clients/{client['id']}/workspaces",
        json={"name": "Rénovation de l’atelier", "contact_ids": [client["contacts"][0]["id"]]},
        headers=admin,
    ).json()
    base = f"{api}/workspaces/{workspace['id']}"
    httpx.post(
        f"{base}/links",
        json={
            "title": "Plans",
            "url": "https://example.com/a/very/long/address/that/should/wrap/nicely/on/a/phone/screen",
        },
        headers=admin,
    )
    httpx.post(f"{base}/messages", json={"body": "Bonjour ! " * 40}, headers=admin)
    httpx.post(
        f"{base}/tasks",
        json={
            "title": "Signer le devis",
            "assignee": {"kind": "contact", "id": client["contacts"][0]["id"]},
        },
        headers=admin,
    )
    page = new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    ).new_page()
    log_in(page, live_site, _, client["contacts"][0]["email"], CLIENT_PASSWORD)
    expect(page.get_by_role("heading", name="Rénovation de l’atelier")).to_be_visible()
    assert_fits(page)
    assert_accessible(page)


def assert_fits(page: Page) -> None:
    """Nothing wider than the screen, and every control on it once scrolled to."""
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    controls = page.locator("main a, main button, main input, main textarea, main select, nav a")
    for index in range(controls.count()):
        control = controls.nth(index)
        if not control.is_visible():
            continue
        control.scroll_into_view_if_needed()
        box = control.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, control.evaluate(
            "e => e.outerHTML.slice(0, 200)"
        )

"""In a real browser: a staff member drops a PDF on the new smart document's page, watches it
upload and convert, and lands in the editor; the list and the template's page are accessible
and fit a phone. In English and French."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from babel.support import Translations
from playwright.sync_api import BrowserContext, Page, expect

from portico.gateway.testing import RunningSite, assert_accessible
from portico.gateway.web.i18n import CATALOGS
from portico.pdf.testing import pdf_with_text

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

NewContext = Callable[..., BrowserContext]
EDITOR = re.compile(r"/smart-documents/[0-9a-f-]{36}/edit$")
TEMPLATE = re.compile(r"/smart-documents/[0-9a-f-]{36}$")

# Tells the test (on the console) every text the upload's status shows, however briefly.
WATCH_STATUS = """() => {
  const status = document.querySelector("[data-status]");
  new MutationObserver(() => console.log(`status: ${status.textContent}`)).observe(status, {
    childList: true, characterData: true, subtree: true,
  });
}"""

# A drop of one file, as the browser makes it when a file is dragged from the desktop.
DROP = """([zone, bytes]) => {
  const transfer = new DataTransfer();
  transfer.items.add(new File([new Uint8Array(bytes)], "Engagement letter.pdf", {
    type: "application/pdf",
  }));
  for (const type of ["dragenter", "dragover", "drop"]) {
    const options = { dataTransfer: transfer, bubbles: true, cancelable: true };
    zone.dispatchEvent(new DragEvent(type, options));
  }
}"""


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
    return Language(code, "fr-FR", Translations.load(str(CATALOGS), [code]).gettext)


def log_in(page: Page, site: RunningSite, _: Language) -> None:
    page.goto(f"{site.url}/login")
    page.get_by_label(_("Email")).fill(site.admin_email)
    page.get_by_label(_("Password")).fill(site.admin_password)
    page.get_by_role("button", name=_("Log in")).click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def assert_fits(page: Page) -> None:
    """Nothing wider than the screen."""
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


@pytest.mark.parametrize("code", ["en", "fr"])
def test_staff_drop_a_pdf_and_land_in_the_editor(
    code: str, new_context: NewContext, live_site: RunningSite
) -> None:
    _ = language(code)
    page = new_context(locale=_.browser_locale).new_page()
    log_in(page, live_site, _)
    if code == "fr":
        # The first admin's profile says English: they switch, as anyone would.
        page.get_by_role("button", name="Français").click()
        expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_role("navigation", name=_("Main")).get_by_role(
        "link", name=_("Smart documents")
    ).click()
    expect(page.get_by_text(_("No smart document yet"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=_("Create your first smart document")).click()
    expect(page.get_by_role("heading", name=_("New smart document"))).to_be_visible()
    expect(page.get_by_text(_("Choose a file"), exact=True)).to_be_visible()
    assert_accessible(page)

    # A slow line, so that the upload takes a moment and its progress shows.
    pdf = pdf_with_text(*(f"Clause {number}. " + "Lorem ipsum " * 80 for number in range(40)))
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 20,
            "downloadThroughput": -1,
            "uploadThroughput": max(len(pdf) // 2, 20_000),
        },
    )
    statuses: list[str] = []
    page.on(
        "console",
        lambda message: (
            statuses.append(message.text.removeprefix("status: "))
            if message.text.startswith("status: ")
            else None
        ),
    )
    page.evaluate(WATCH_STATUS)
    page.evaluate(DROP, [page.locator("[data-drop]").element_handle(), list(pdf)])
    expect(page.locator("[data-drop-file]")).to_contain_text("Engagement letter.pdf")
    page.locator("form[data-upload]").get_by_label(_("Name")).fill("Engagement letter")
    page.get_by_role("button", name=_("Upload and place the fields")).click()
    expect(page.locator("progress")).to_be_visible()
    expect(page).to_have_url(EDITOR, timeout=30_000)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    # The upload's percentages, then the conversion while the server reads the document.
    assert any(re.search(r"\d\s?%", status) for status in statuses), statuses
    assert statuses[-1] == _("Converting the document… This can take a few seconds."), statuses

    page.goto(f"{live_site.url}/smart-documents")
    row = page.get_by_role("row").filter(has_text="Engagement letter")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(_("Not sendable"))
    expect(row.get_by_role("link", name=re.compile(_("Edit the fields")))).to_have_attribute(
        "href", EDITOR
    )
    assert_accessible(page)
    row.get_by_role("link", name="Engagement letter", exact=True).click()
    expect(page).to_have_url(TEMPLATE)
    thumbnail = page.get_by_role(
        "img", name=_("The first page of %(name)s", name="Engagement letter")
    )
    expect(thumbnail).to_be_visible()
    expect(thumbnail).to_have_js_property("naturalWidth", 300)
    assert_accessible(page)

    page.set_viewport_size({"width": 390, "height": 844})
    assert_fits(page)
    page.goto(f"{live_site.url}/smart-documents")
    assert_fits(page)
    page.goto(f"{live_site.url}/smart-documents/new")
    assert_fits(page)

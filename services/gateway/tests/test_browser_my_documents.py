"""In a real browser, on a phone: a new client whose portal waits for two required documents
sees only "My documents", gives both (one through the file chooser with its data), watches
the upload's progress and each card turn "In review", and once staff accept them reaches
the portal's home."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect

from portico.gateway.testing import CLIENT_PASSWORD, RunningSite, assert_accessible
from portico.pdf.testing import pdf_with_text

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

NewContext = Callable[..., BrowserContext]
PHONE = {"width": 390, "height": 844}

# Tells the test (on the console) whenever the upload's progress shows, however briefly.
WATCH_PROGRESS = """(form) => {
  const progress = form.querySelector("[data-progress]");
  const status = progress.querySelector("[data-status]");
  new MutationObserver(() => {
    if (!progress.hidden) console.log(`progress: ${status.textContent}`);
  }).observe(progress, { attributes: true, childList: true, characterData: true, subtree: true });
}"""


def png_file() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (600, 380), (30, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def document_type(site: RunningSite, body: dict[str, Any]) -> dict[str, Any]:
    made = httpx.post(
        f"{site.url}/api/documents/v1/document-types", json=body, headers=site.admin_headers()
    )
    assert made.status_code == 201, made.text
    found: dict[str, Any] = made.json()
    return found


def assert_fits(page: Page) -> None:
    """Nothing wider than the screen."""
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_a_new_client_gives_the_required_documents_on_a_phone_then_reaches_the_portal(
    new_context: NewContext, live_site: RunningSite
) -> None:
    id_card = document_type(
        live_site,
        {
            "name_en": "ID card",
            "name_fr": "Carte d'identité",
            "description_en": "Both sides, readable.",
            "upload_mode": "required",
            "formats": ["pdf", "jpeg", "png"],
            "max_size_mib": 2,
            "expires": True,
            "fields": [
                {
                    "key": "number",
                    "label_en": "Card number",
                    "label_fr": "Numéro",
                    "required": True,
                },
                {
                    "key": "valid_until",
                    "label_en": "Valid until",
                    "label_fr": "Valable jusqu'au",
                    "kind": "date",
                    "required": True,
                    "is_expiry": True,
                },
            ],
        },
    )
    proof = document_type(
        live_site,
        {
            "name_en": "Proof of address",
            "name_fr": "Justificatif de domicile",
            "upload_mode": "required",
            "formats": ["pdf"],
            "max_size_mib": 5,
        },
    )
    section = httpx.put(
        f"{live_site.url}/api/documents/v1/section",
        json={
            "shown": True,
            "introduction": "<p>Welcome! We need <strong>two documents</strong> first.</p>",
            "required_for_access": True,
            "review": True,
            "reminder_days": 30,
        },
        headers=live_site.admin_headers(),
    )
    assert section.status_code == 200, section.text
    client = live_site.client_in_the_portal("Atelier Lumière", known_to_documents=True)

    page = new_context(locale="en-GB", viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"{live_site.url}/login")
    page.get_by_label("Email").fill(client["contacts"][0]["email"])
    page.get_by_label("Password").fill(CLIENT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    mine = re.compile(r"/portal/my-documents(#.*)?$")
    expect(page).to_have_url(mine)
    expect(page.get_by_role("heading", name="My documents", level=1)).to_be_visible()
    expect(
        page.get_by_text("Your portal opens once the required documents are given.")
    ).to_be_visible()
    expect(page.get_by_text("We need two documents first.")).to_be_visible()
    # Every other page of the portal leads back here.
    page.goto(f"{live_site.url}/portal")
    expect(page).to_have_url(mine)
    assert_fits(page)
    assert_accessible(page)

    # The ID card: its data, and the file through the chooser (the big button on a phone).
    card = page.locator(f"#document-{id_card['id']}")
    expect(card.locator(".badge-missing")).to_have_text("Missing")
    chooser_button = card.get_by_text("Choose a file or take a photo")
    expect(chooser_button).to_be_visible()
    assert chooser_button.bounding_box()["width"] > PHONE["width"] * 0.6  # type: ignore[index]
    card.get_by_label("Card number").fill("X4RTBPFW4")
    card.get_by_label("Valid until").fill("2031-05-02")
    with page.expect_file_chooser() as chosen:
        chooser_button.click()
    chosen.value.set_files({"name": "id-card.png", "mimeType": "image/png", "buffer": png_file()})
    expect(card.locator("[data-drop-file]")).to_contain_text("id-card.png")
    page.evaluate(WATCH_PROGRESS, card.locator("form").element_handle())
    card.get_by_role("button", name="Send ID card").click()
    expect(page.get_by_text("ID card is sent: we will review it shortly.")).to_be_visible()
    assert any(text.startswith("progress: Sending") for text in console), console
    card = page.locator(f"#document-{id_card['id']}")
    expect(card.locator(".badge-pending")).to_have_text("In review")
    expect(card.locator(".md-file-name")).to_have_text("id-card.png")
    preview = card.get_by_role("img", name="Preview of id-card.png")
    preview.scroll_into_view_if_needed()
    # The first preview starts the service's renderer: it may take a few seconds.
    expect(preview).to_have_js_property("complete", True, timeout=30_000)
    assert preview.evaluate("image => image.naturalWidth") > 0

    # The proof of address: a wrong file first, refused beside its card without a reload.
    card = page.locator(f"#document-{proof['id']}")
    card.locator("input[type=file]").set_input_files(
        {"name": "bill.png", "mimeType": "image/png", "buffer": png_file()}
    )
    page.evaluate("window.stayed = true")
    card.get_by_role("button", name="Send Proof of address").click()
    expect(card.locator(".field-error:not([hidden])")).to_have_text(
        "This file is not accepted here: send PDF."
    )
    assert page.evaluate("window.stayed") is True
    console.clear()
    page.evaluate(WATCH_PROGRESS, card.locator("form").element_handle())
    card.locator("input[type=file]").set_input_files(
        {"name": "bill.pdf", "mimeType": "application/pdf", "buffer": pdf_with_text("A bill")}
    )
    expect(card.locator(".field-error:not([hidden])")).to_have_count(0)
    card.get_by_role("button", name="Send Proof of address").click()
    expect(page.get_by_text("Proof of address is sent: we will review it shortly.")).to_be_visible()
    assert any(text.startswith("progress: Sending") for text in console), console
    card = page.locator(f"#document-{proof['id']}")
    expect(card.locator(".badge-pending")).to_have_text("In review")
    assert_fits(page)
    assert_accessible(page)

    # Given, not yet accepted: the portal still waits. Staff accept both.
    page.goto(f"{live_site.url}/portal")
    expect(page).to_have_url(mine)
    documents = f"{live_site.url}/api/documents/v1/clients/{client['id']}/documents"
    checklist = httpx.get(documents, headers=live_site.admin_headers()).json()
    for item in checklist["items"]:
        accepted = httpx.post(
            f"{documents}/{item['document']['id']}/review",
            json={"decision": "accepted"},
            headers=live_site.admin_headers(),
        )
        assert accepted.status_code == 200, accepted.text
    page.reload()
    expect(
        page.get_by_text("Your portal opens once the required documents are given.")
    ).to_have_count(0)
    expect(page.locator(".badge-accepted")).to_have_count(2)
    page.locator("a.brand").click()
    expect(page).to_have_url(re.compile(r"/portal$"))
    expect(page.get_by_role("heading", name="Hello, Camille")).to_be_visible()
    expect(page.get_by_role("link", name="My documents")).to_be_visible()
    assert_fits(page)

"""The documents feature's story, in a real browser: an administrator defines the document
types (an ID card with its number and expiry date, a Kbis for companies, a staff-only
contract) and turns the gate on with review; staff find the new company client missing its
ID card in the client list; its contact, on a phone, is held on "My documents" and sends
both; staff reject the Kbis with a reason and accept the ID card; the contact reads the
reason, sends another Kbis, and once it is accepted reaches the portal's home while the
client list counts the client complete. Last, an API key with the documents' permissions
adds the staff-only contract and lists the client's documents, and a key without them is
refused and stores nothing."""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from babel.dates import format_date
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect

from portico.gateway.testing import CLIENT_PASSWORD, RunningSite, assert_accessible
from portico.pdf.testing import pdf_with_text

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

NewContext = Callable[..., BrowserContext]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
REASON = "The Kbis is older than three months."
# "Accept" and, for screen readers, the document's name (a hidden span, read as a block).
ACCEPT = re.compile(r"^Accept\b")
# An upload waits for the service, which may be rendering previews on a busy machine.
UPLOAD_MS = 30_000
MY_DOCUMENTS = re.compile(r"/portal/my-documents(#.*)?$")


def png_file() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (600, 380), (30, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def log_in(page: Page, site: RunningSite, email: str, password: str) -> None:
    page.goto(f"{site.url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def listed_eventually(page: Page, url: str, name: str, *, listed: bool = True) -> None:
    """The client list at ``url`` lists (or no longer lists) the client: the portal keeps
    the documents' states from events, a moment after each change."""
    row = page.locator("#clients-results a.client-name", has_text=name)
    deadline = time.monotonic() + 20
    while True:
        page.goto(url)
        expect(page.get_by_role("heading", name="Clients", level=1)).to_be_visible()
        if (row.count() > 0) is listed:
            return
        assert time.monotonic() < deadline, f"{name} is {'not ' if listed else ''}listed: {url}"
        page.wait_for_timeout(300)


def preview_shows(page: Page, card: str, name: str) -> None:
    """The card's preview is drawn. The service renders it when asked, in a child process
    that may be slow on a busy machine: a preview it gave up on is asked again."""
    deadline = time.monotonic() + 90
    while True:
        image = page.locator(card).get_by_role("img", name=name)
        if image.count():
            image.scroll_into_view_if_needed(timeout=5_000)
            try:
                expect(image).to_have_js_property("complete", True, timeout=30_000)
            except AssertionError:
                pass
            else:
                if image.count() and image.evaluate("image => image.naturalWidth") > 0:
                    return
        assert time.monotonic() < deadline, f"no preview in {card}"
        page.reload()


def new_type(page: Page, site: RunningSite) -> None:
    page.goto(f"{site.url}/settings/documents")
    page.get_by_role("link", name="New document type").first.click()
    expect(page).to_have_url(f"{site.url}/settings/documents/types/new")
    expect(page.get_by_role("heading", name="New document type", level=1)).to_be_visible()


def row_input(page: Page, index: int, name: str) -> Any:
    return page.locator(f'[id="field-fields.{index}.{name}"]')


def define_the_document_types(page: Page, site: RunningSite) -> None:
    # The ID card: required, expires, with its number and the date it is valid until.
    new_type(page, site)
    page.get_by_label("Name (English)").fill("ID card")
    page.get_by_label("Name (French)").fill("Carte d'identité")
    page.get_by_label("Description (English)").fill("Both sides, readable.")
    page.locator("#field-upload_mode-required").check()
    for format_ in ("pdf", "jpeg", "png"):
        expect(page.locator(f"#field-formats-{format_}")).to_be_checked()
    page.get_by_label("Documents of this type expire").check()
    row_input(page, 0, "label_en").fill("Card number")
    row_input(page, 0, "label_fr").fill("Numéro de carte")
    # The key the label makes, as a placeholder (document-types.js).
    expect(row_input(page, 0, "key")).to_have_attribute("placeholder", "card_number")
    row_input(page, 0, "required").check()
    # The expiry box belongs to date fields only: hidden on a text field.
    expect(row_input(page, 0, "is_expiry")).to_be_hidden()
    page.get_by_role("button", name="Add a field").click()
    expect(page.get_by_role("group", name="Field 2")).to_be_visible()
    row_input(page, 1, "label_en").fill("Valid until")
    row_input(page, 1, "label_fr").fill("Valable jusqu'au")
    row_input(page, 1, "kind").select_option("date")
    row_input(page, 1, "required").check()
    row_input(page, 1, "is_expiry").check()
    assert_accessible(page)
    page.get_by_role("button", name="Create the document type").click()
    expect(page).to_have_url(f"{site.url}/settings/documents")
    expect(
        page.get_by_text("“ID card” is created: clients are asked for it from now on.")
    ).to_be_visible()

    # The Kbis: required of companies only, a PDF.
    new_type(page, site)
    page.get_by_label("Name (English)").fill("Kbis")
    page.get_by_label("Name (French)").fill("Extrait Kbis")
    page.locator("#field-upload_mode-required").check()
    page.locator("#field-formats-jpeg").uncheck()
    page.locator("#field-formats-png").uncheck()
    page.get_by_label("Only clients with the tag").fill("company")
    page.get_by_role("button", name="Create the document type").click()
    expect(
        page.get_by_text("“Kbis” is created: clients are asked for it from now on.")
    ).to_be_visible()

    # The contract: the client sees it, only staff give it.
    new_type(page, site)
    page.get_by_label("Name (English)").fill("Internal contract")
    page.get_by_label("Name (French)").fill("Contrat interne")
    page.locator("#field-upload_mode-admin_only").check()
    page.locator("#field-formats-jpeg").uncheck()
    page.locator("#field-formats-png").uncheck()
    page.get_by_role("button", name="Create the document type").click()
    expect(
        page.get_by_text("“Internal contract” is created: clients are asked for it from now on.")
    ).to_be_visible()

    # The list, in the order clients see them.
    rows = page.locator(".dt-table tbody tr")
    expect(rows.locator(".dt-name")).to_have_text(["ID card", "Kbis", "Internal contract"])
    expect(rows.nth(0).locator(".dt-mode")).to_have_text("Required")
    expect(rows.nth(0).get_by_role("cell", name="Yes", exact=True)).to_be_visible()
    expect(rows.nth(0).locator("td[data-label=Fields]")).to_have_text("2")
    expect(rows.nth(1).locator(".dt-tag")).to_have_text("company")
    expect(rows.nth(1).locator("td[data-label=Files]")).to_contain_text("PDF")
    expect(rows.nth(1).locator("td[data-label=Files]")).not_to_contain_text("PNG")
    expect(rows.nth(2).locator(".dt-mode")).to_have_text("Staff only")
    assert_accessible(page)

    # The section: shown, introduced, the gate on, uploads waiting for review.
    page.get_by_role("link", name="Section settings").click()
    expect(page).to_have_url(f"{site.url}/settings/documents/section")
    page.get_by_label("Show the “My documents” section in the client portal").check()
    # The formatted-text editor replaces the textarea once its script has run: typing
    # before that would go into the textarea the editor then hides and overwrites.
    expect(page.get_by_role("toolbar", name="Formatting")).to_be_visible()
    introduction = page.get_by_role("textbox", name="Introduction")
    introduction.fill("We need your ID card and your Kbis first.")
    page.get_by_label("Open the rest of the portal only once the required documents are in").check()
    page.get_by_label("Uploads wait for staff review").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The “My documents” section is saved.")).to_be_visible()
    expect(
        page.get_by_label("Open the rest of the portal only once the required documents are in")
    ).to_be_checked()
    expect(page.get_by_label("Uploads wait for staff review")).to_be_checked()
    expect(page.get_by_role("textbox", name="Introduction")).to_have_text(
        "We need your ID card and your Kbis first."
    )
    page.goto(f"{site.url}/settings/documents")
    expect(page.locator(".dt-section-card")).to_contain_text(
        "Shown in the client portal · uploads wait for review · required documents open the portal"
    )


def test_documents_from_their_settings_to_a_complete_client_and_the_api(
    new_context: NewContext, live_site: RunningSite
) -> None:
    url = live_site.url
    admin = live_site.admin_headers()

    # 1. The administrator, on a desktop, defines the types and the section.
    staff = new_context(locale="en-GB", viewport=DESKTOP).new_page()
    log_in(staff, live_site, live_site.admin_email, live_site.admin_password)
    expect(staff).not_to_have_url(re.compile(r"/login"))
    define_the_document_types(staff, live_site)
    types = httpx.get(f"{url}/api/documents/v1/document-types", headers=admin).json()
    by_name = {kind["name_en"]: kind for kind in types}
    id_card, kbis, contract = by_name["ID card"], by_name["Kbis"], by_name["Internal contract"]
    assert [(field["key"], field["kind"], field["is_expiry"]) for field in id_card["fields"]] == [
        ("card_number", "text", False),
        ("valid_until", "date", True),
    ]
    assert id_card["expires"] and id_card["upload_mode"] == "required"
    assert kbis["formats"] == ["pdf"] and kbis["client_tag"] == "company"
    assert contract["upload_mode"] == "admin_only"
    section = httpx.get(f"{url}/api/documents/v1/section", headers=admin).json()
    assert section["shown"] and section["required_for_access"] and section["review"], section

    # 2. A company whose contact joined the portal.
    client = live_site.client_in_the_portal(
        "Atelier Lumière SAS", tags=["company"], locale="en", known_to_documents=True
    )
    name = client["name"]

    # 3. Staff find it missing its ID card, with the list's own filters.
    staff.goto(f"{url}/clients")
    staff.get_by_label("Document", exact=True).select_option(label="ID card")
    staff.get_by_label("Its state").select_option(label="Missing")
    staff.get_by_role("button", name="Filter").click()
    expect(staff).to_have_url(re.compile(r"document_state=missing"))
    id_card_missing = f"{url}/clients?" + urlencode(
        {"document_type": id_card["id"], "document_state": "missing"}
    )
    listed_eventually(staff, id_card_missing, name)
    row = staff.locator("#clients-results tr", has=staff.get_by_role("link", name=name))
    expect(row.locator("td[data-label=Documents]")).to_have_text("Incomplete")

    # 4. The contact, on a phone: held on "My documents" until the documents are accepted.
    phone = new_context(locale="en-GB", viewport=PHONE, is_mobile=True, has_touch=True)
    contact = phone.new_page()
    log_in(contact, live_site, client["contacts"][0]["email"], CLIENT_PASSWORD)
    expect(contact).to_have_url(MY_DOCUMENTS)
    expect(contact.get_by_role("heading", name="My documents", level=1)).to_be_visible()
    gate_note = contact.get_by_text("Your portal opens once the required documents are given.")
    expect(gate_note).to_be_visible()
    expect(contact.get_by_text("We need your ID card and your Kbis first.")).to_be_visible()
    contact.goto(f"{url}/portal")
    expect(contact).to_have_url(MY_DOCUMENTS)
    expect(contact.locator(".md-name")).to_have_text(["ID card", "Kbis", "Internal contract"])
    contract_card = contact.locator(f"#document-{contract['id']}")
    expect(contract_card.locator(".badge").first).to_have_text("Missing")
    expect(contract_card.locator("form")).to_have_count(0)
    expect(contract_card.locator("input[type=file]")).to_have_count(0)
    expect(contract_card.locator(".md-provided")).to_contain_text("you have nothing to send")
    assert_accessible(contact)

    # The ID card, through the file chooser, with its number and date.
    valid_until = date.today() + timedelta(days=365)
    card = contact.locator(f"#document-{id_card['id']}")
    expect(card.locator(".badge-missing")).to_have_text("Missing")
    card.get_by_label("Card number").fill("X4RTBPFW4")
    card.get_by_label("Valid until").fill(valid_until.isoformat())
    with contact.expect_file_chooser() as chosen:
        card.get_by_text("Choose a file or take a photo").click()
    chosen.value.set_files({"name": "id-card.png", "mimeType": "image/png", "buffer": png_file()})
    expect(card.locator("[data-drop-file]")).to_contain_text("id-card.png")
    card.get_by_role("button", name="Send ID card").click()
    expect(contact.get_by_text("ID card is sent: we will review it shortly.")).to_be_visible(
        timeout=UPLOAD_MS
    )
    card = contact.locator(f"#document-{id_card['id']}")
    expect(card.locator(".badge-pending")).to_have_text("In review")
    expect(card.locator(".md-file-name")).to_have_text("id-card.png")
    expect(card.locator(".md-file")).to_contain_text(
        f"Valid until {format_date(valid_until, 'medium', locale='en')}"
    )

    # The Kbis: a PDF only, so no photo.
    kbis_card = contact.locator(f"#document-{kbis['id']}")
    expect(kbis_card.get_by_text("Choose a file", exact=True)).to_be_visible()
    kbis_card.locator("input[type=file]").set_input_files(
        {"name": "kbis-2019.pdf", "mimeType": "application/pdf", "buffer": pdf_with_text("Kbis")}
    )
    kbis_card.get_by_role("button", name="Send Kbis").click()
    expect(contact.get_by_text("Kbis is sent: we will review it shortly.")).to_be_visible(
        timeout=UPLOAD_MS
    )
    kbis_card = contact.locator(f"#document-{kbis['id']}")
    expect(kbis_card.locator(".badge-pending")).to_have_text("In review")
    preview_shows(contact, f"#document-{kbis['id']}", "Preview of kbis-2019.pdf")
    # Given but not accepted: the portal still waits.
    contact.goto(f"{url}/portal")
    expect(contact).to_have_url(MY_DOCUMENTS)

    # 5. Staff reject the Kbis with a reason and accept the ID card.
    staff.goto(f"{url}/clients/{client['id']}/documents")
    expect(staff.get_by_role("heading", name="Documents", level=1)).to_be_visible()
    expect(staff.locator(".cd-summary")).to_have_text("2 required documents outstanding.")
    staff_kbis = staff.locator(f"#type-{kbis['id']}")
    expect(staff_kbis.locator(".badge")).to_have_text("In review")
    staff_kbis.locator("summary", has_text="Reject").click()
    staff_kbis.get_by_label("Reason").fill(REASON)
    staff_kbis.get_by_role("button", name="Reject the document").click()
    expect(staff.get_by_text("Kbis is rejected; the client is told why.")).to_be_visible()
    staff_kbis = staff.locator(f"#type-{kbis['id']}")
    expect(staff_kbis.locator(".badge")).to_have_text("Rejected")
    expect(staff_kbis.locator(".cd-reason")).to_contain_text(REASON)

    staff_card = staff.locator(f"#type-{id_card['id']}")
    expect(staff_card.locator(".badge")).to_have_text("In review")
    expect(staff_card.locator(".cd-file-name")).to_contain_text("id-card.png")
    expect(staff_card.locator(".cd-facts")).to_contain_text("X4RTBPFW4")
    expect(staff_card.locator(f"time[datetime='{valid_until.isoformat()}']")).to_have_count(1)
    staff_card.get_by_role("button", name=ACCEPT).click()
    expect(staff.get_by_text("ID card is accepted.")).to_be_visible()
    staff_card = staff.locator(f"#type-{id_card['id']}")
    expect(staff_card.locator(".badge")).to_have_text("Accepted")
    expect(staff.locator(".cd-summary")).to_have_text("1 required document outstanding.")
    assert_accessible(staff)
    listed_eventually(staff, id_card_missing, name, listed=False)
    id_card_accepted = f"{url}/clients?" + urlencode(
        {"document_type": id_card["id"], "document_state": "accepted"}
    )
    listed_eventually(staff, id_card_accepted, name)

    # 6. The contact reads why the Kbis was rejected, still held; sends another.
    contact.goto(f"{url}/portal/my-documents")
    kbis_card = contact.locator(f"#document-{kbis['id']}")
    expect(kbis_card.locator(".badge").first).to_have_text("Rejected")
    expect(kbis_card.locator(".md-reason")).to_contain_text(f"Reason: {REASON}")
    expect(contact.locator(f"#document-{id_card['id']} .badge-accepted")).to_have_text("Accepted")
    expect(gate_note).to_be_visible()
    contact.goto(f"{url}/portal")
    expect(contact).to_have_url(MY_DOCUMENTS)
    kbis_card = contact.locator(f"#document-{kbis['id']}")
    kbis_card.locator("input[type=file]").set_input_files(
        {"name": "kbis-2025.pdf", "mimeType": "application/pdf", "buffer": pdf_with_text("Kbis")}
    )
    kbis_card.get_by_role("button", name="Replace Kbis").click()
    expect(contact.get_by_text("Kbis is sent: we will review it shortly.")).to_be_visible(
        timeout=UPLOAD_MS
    )
    kbis_card = contact.locator(f"#document-{kbis['id']}")
    expect(kbis_card.locator(".badge-pending")).to_have_text("In review")
    expect(kbis_card.locator(".md-file-name")).to_have_text("kbis-2025.pdf")
    expect(kbis_card.locator(".md-reason")).to_have_count(0)

    staff.goto(f"{url}/clients/{client['id']}/documents")
    staff_kbis = staff.locator(f"#type-{kbis['id']}")
    expect(staff_kbis.locator(".cd-file-name")).to_contain_text("kbis-2025.pdf")
    staff_kbis.get_by_role("button", name=ACCEPT).click()
    expect(staff.get_by_text("Kbis is accepted.")).to_be_visible()
    expect(staff.locator(".cd-summary")).to_have_text("All required documents are accepted.")

    contact.goto(f"{url}/portal")
    expect(contact).to_have_url(f"{url}/portal")
    expect(contact.get_by_role("heading", name="Hello, Camille")).to_be_visible()
    contact.goto(f"{url}/portal/my-documents")
    expect(gate_note).to_have_count(0)
    expect(contact.locator(".badge-accepted")).to_have_count(2)
    complete = f"{url}/clients?documents=complete"
    listed_eventually(staff, complete, name)
    row = staff.locator("#clients-results tr", has=staff.get_by_role("link", name=name))
    expect(row.locator("td[data-label=Documents]")).to_have_text("Complete")

    # 7. An integration: a key with the documents' permissions, made in the settings.
    staff.goto(f"{url}/settings/api-keys/new")
    staff.get_by_label("Name").fill("ERP sync")
    staff.locator("input[name=scopes][value='documents:read']").check()
    staff.locator("input[name=scopes][value='documents:write']").check()
    staff.get_by_role("button", name="Create the key").click()
    expect(staff.get_by_role("heading", name="API key created")).to_be_visible()
    key = staff.locator("#api-key-secret").input_value()
    assert key.startswith("ptk_"), key
    exchanged = httpx.post(f"{url}/api/portal/v1/auth/token", json={"api_key": key})
    assert exchanged.status_code == 200, exchanged.text
    erp = {"Authorization": f"Bearer {exchanged.json()['access_token']}"}
    documents = f"{url}/api/documents/v1/clients/{client['id']}/documents"
    added = httpx.post(
        documents,
        data={"document_type_id": contract["id"], "data": json.dumps({})},
        files={"file": ("contract.pdf", pdf_with_text("Our contract"), "application/pdf")},
        headers=erp,
        timeout=30,
    )
    assert added.status_code == 201, added.text
    stored = added.json()
    assert stored["state"] == "accepted" and stored["uploaded_by_kind"] == "api_key", stored
    listed = httpx.get(documents, headers=erp)
    assert listed.status_code == 200, listed.text
    checklist = listed.json()
    states = {item["document_type"]["name_en"]: item["state"] for item in checklist["items"]}
    assert states == {"ID card": "accepted", "Kbis": "accepted", "Internal contract": "accepted"}
    assert checklist["complete"] is True and checklist["outstanding"] == []
    files = {item["document_type"]["name_en"]: item["document"] for item in checklist["items"]}
    assert files["ID card"]["data"] == {
        "card_number": "X4RTBPFW4",
        "valid_until": valid_until.isoformat(),
    }
    assert files["ID card"]["expires_on"] == valid_until.isoformat()
    assert files["Kbis"]["file_name"] == "kbis-2025.pdf"
    assert files["Internal contract"]["file_name"] == "contract.pdf"

    # A key for the clients only is refused, and stores nothing.
    other = httpx.post(
        f"{url}/api/portal/v1/api-keys",
        json={"name": "CRM", "scopes": ["clients:read"]},
        headers=admin,
    )
    assert other.status_code == 201, other.text
    crm_token = httpx.post(f"{url}/api/portal/v1/auth/token", json={"api_key": other.json()["key"]})
    assert crm_token.status_code == 200, crm_token.text
    crm = {"Authorization": f"Bearer {crm_token.json()['access_token']}"}
    assert httpx.get(documents, headers=crm).status_code == 403
    refused = httpx.post(
        documents,
        data={"document_type_id": contract["id"], "data": "{}"},
        files={"file": ("forged.pdf", pdf_with_text("Not ours"), "application/pdf")},
        headers=crm,
        timeout=30,
    )
    assert refused.status_code == 403, refused.text
    after = httpx.get(documents, headers=erp).json()
    assert after == checklist

    # Staff see who gave the contract; the contact sees it, accepted.
    staff.goto(f"{url}/clients/{client['id']}/documents")
    staff_contract = staff.locator(f"#type-{contract['id']}")
    expect(staff_contract.locator(".badge")).to_have_text("Accepted")
    expect(staff_contract.locator(".cd-facts")).to_contain_text("(integration)")
    contact.goto(f"{url}/portal/my-documents")
    contract_card = contact.locator(f"#document-{contract['id']}")
    expect(contract_card.locator(".badge-accepted")).to_have_text("Accepted")
    expect(contract_card.locator(".md-file-name")).to_have_text("contract.pdf")

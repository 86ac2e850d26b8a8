"""The whole journey of a two-signer document, in a real browser: staff send a template to
a client's contact and to a staff member who countersigns; the contact opens the link from
their email on a phone and fills a field of every type (text, several lines, boxes, a date,
a number, an email, a phone, a tick, a choice, a list, several choices, a photo, a stamp, a
file), draws their signature with a finger and reuses it for their initials; the staff
member countersigns from their own email on a desk. The completed PDF carries every value
at its place (read back out of its text, and the drawn signature seen on the rendered
page), its seal validates in pdfsig and pyHanko, the mapped value lands on the client's
profile, and both signers get their copy by email."""

from __future__ import annotations

import io
import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from portico.gateway.testing import RunningSite, assert_accessible
from portico.pdf.testing import ink_bounds, pdfsig, pdftotext, rendered, text_in_box
from portico.pdf.verify import verify_pdf
from portico.signing.testing import pdf_document

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

API = "/api/signing/v1"
SIGN_LINK = re.compile(r"/sign/([A-Za-z0-9_-]{20,100})\b")
COPY_LINK = re.compile(r"/sign/copy/([A-Za-z0-9_-]{20,100})\b")
CONTACT = "ines-journey@lumiere.example"
STAFF = "lea-journey@studio.example"


def place(name: str, type_: str, y: float, *, page: int = 0, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "type": type_,
        "role": "Client",
        "page": page,
        "x": 0.1,
        "y": y,
        "w": 0.4,
        "h": 0.035,
    } | extra


FIELDS = [
    place("Full name", "name", 0.06, required=True, label="Your full name"),
    place("City", "text", 0.11, required=True, mapping="client.address.city"),
    place("Notes", "multiline", 0.16, h=0.06),
    place("Postcode", "cells", 0.24, cells=5),
    place("Start date", "date", 0.29),
    place("Seats", "number", 0.34),
    place("Email", "email", 0.39),
    place("Phone", "phone", 0.44),
    place("Agree", "checkbox", 0.49, w=0.03, h=0.025, required=True, label="I agree"),
    place("Plan", "radio", 0.53, h=0.06, options=["Basic", "Pro"]),
    place("Colour", "select", 0.61, options=["Indigo", "Saffron"]),
    place("Extras", "multiple", 0.66, h=0.06, options=["Parking", "Storage"]),
    place("Signature", "signature", 0.80, h=0.08, required=True),
    place("Photo", "image", 0.10, page=1, h=0.12),
    place("Company stamp", "stamp", 0.26, page=1, h=0.12),
    place("Kbis", "file", 0.42, page=1),
    place("Signed on", "signing_date", 0.50, page=1),
    place("Initials", "initials", 0.58, page=1, w=0.12, h=0.05),
    place("Countersignature", "signature", 0.80, page=1, h=0.08) | {"role": "Company"},
]


def api(site: RunningSite, method: str, path: str, **kwargs: Any) -> Any:
    answer = httpx.request(
        method, f"{site.url}{path}", headers=site.admin_headers(), timeout=60, **kwargs
    )
    assert answer.status_code < 300, answer.text
    return answer.json() if answer.content else None


def eventually(check: Any, seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.3)


def link_in_email(site: RunningSite, email: str, pattern: re.Pattern[str]) -> str:
    def find() -> str | None:
        for text in reversed(site.texts_sent_to(email)):
            if found := pattern.search(text):
                return found.group(1)
        return None

    token: str = eventually(find)
    return token


def png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), colour).save(buffer, "PNG")
    return buffer.getvalue()


def draw_with_finger(page: Page) -> None:
    canvas = page.locator("[data-sign-dialog] canvas")
    box = canvas.bounding_box()
    assert box is not None
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    cdp = page.context.new_cdp_session(page)
    points = [(0.1, 0.6), (0.25, 0.25), (0.4, 0.7), (0.55, 0.3), (0.7, 0.7), (0.9, 0.3)]
    for kind, (fx, fy) in zip(
        ["touchStart", *["touchMove"] * (len(points) - 1)], points, strict=True
    ):
        cdp.send(
            "Input.dispatchTouchEvent",
            {"type": kind, "touchPoints": [{"x": x + w * fx, "y": y + h * fy}]},
        )
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def test_a_two_signer_document_is_signed_on_a_phone_countersigned_and_completed(
    new_context: Any, page: Page, live_site: RunningSite
) -> None:
    client = api(
        live_site,
        "POST",
        "/api/portal/v1/clients",
        json={
            "name": "Atelier Lumière",
            "contacts": [
                {"first_name": "Inès", "last_name": "Roy", "email": CONTACT, "locale": "en"}
            ],
        },
    )
    template = api(
        live_site,
        "POST",
        f"{API}/templates",
        files={"file": ("agreement.pdf", pdf_document(2), "application/pdf")},
        data={"name": "Studio agreement"},
    )
    roles = {"roles": [{"name": "Client"}, {"name": "Company"}], "ordered": True}
    api(live_site, "PATCH", f"{API}/templates/{template['id']}", json=roles)
    api(live_site, "PUT", f"{API}/templates/{template['id']}/fields", json={"fields": FIELDS})

    def sent() -> dict[str, Any] | None:
        # The signing service learns of the new client from the portal's event.
        answer = httpx.post(
            f"{live_site.url}{API}/submissions",
            json={
                "template_id": template["id"],
                "client_id": client["id"],
                "recipients": [
                    {"role": "Client", "contact_id": client["contacts"][0]["id"]},
                    {
                        "role": "Company",
                        "staff_user_id": "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
                        "name": "Léa Bernard",
                        "email": STAFF,
                    },
                ],
            },
            headers=live_site.admin_headers(),
            timeout=30,
        )
        return answer.json() if answer.status_code == 201 else None

    submission = eventually(sent, 30)
    token = link_in_email(live_site, CONTACT, SIGN_LINK)

    # The contact, on a phone: one field at a time.
    phone = new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="en-GB"
    ).new_page()
    problems: list[str] = []
    phone.on("pageerror", lambda error: problems.append(str(error)))
    phone.goto(f"{live_site.url}/sign/{token}")
    guide = phone.locator("[data-guide]")
    step = guide.locator("[data-guide-step]")
    expect(step).to_contain_text("Field 1 of")
    assert_accessible(phone)

    def forward() -> None:
        phone.get_by_role("button", name="Next").tap()

    guide.get_by_label("Your full name").fill("Inès Roy")
    forward()
    guide.get_by_label("City").fill("Lyon")
    forward()
    guide.get_by_label("Notes").fill("Deliveries by the courtyard")
    forward()
    guide.get_by_label("Postcode").fill("69002")
    forward()
    guide.get_by_label("Start date").fill("2027-01-15")
    forward()
    guide.get_by_label("Seats").fill("12")
    forward()
    guide.get_by_label("Email").fill("accounts@lumiere.example")
    forward()
    guide.get_by_label("Phone").fill("+33 6 12 34 56 78")
    forward()
    guide.get_by_text("I agree").tap()
    forward()
    guide.get_by_text("Pro").tap()
    forward()
    guide.get_by_label("Colour").select_option("Saffron")
    forward()
    guide.get_by_text("Parking").tap()
    guide.get_by_text("Storage").tap()
    forward()
    guide.get_by_role("button", name=re.compile("Signature")).tap()
    dialog = phone.locator("[data-sign-dialog]")
    expect(dialog).to_be_visible()
    draw_with_finger(phone)
    dialog.get_by_role("button", name="Adopt and sign").tap()
    expect(dialog).to_be_hidden()
    expect(guide.locator(".sg-sign-button img")).to_be_visible()
    forward()
    expect(step).to_contain_text("Page 2 of 2")
    guide.locator("input[type=file]").set_input_files(
        {"name": "photo.png", "mimeType": "image/png", "buffer": png((40, 90, 160))}
    )
    expect(guide.locator(".sg-upload-button img")).to_be_visible()
    forward()
    guide.locator("input[type=file]").set_input_files(
        {"name": "stamp.png", "mimeType": "image/png", "buffer": png((170, 30, 40))}
    )
    expect(guide.locator(".sg-upload-button img")).to_be_visible()
    forward()
    guide.locator("input[type=file]").set_input_files(
        {"name": "kbis.pdf", "mimeType": "application/pdf", "buffer": pdf_document(1)}
    )
    expect(guide.locator(".sg-upload-button")).to_contain_text("kbis.pdf")
    forward()
    guide.get_by_role("button", name=re.compile("Initials")).tap()
    dialog.get_by_role("button", name="Use the same as my signature").tap()
    expect(guide.locator(".sg-sign-button img")).to_be_visible()
    phone.get_by_role("button", name="Finish", exact=True).tap()
    done = phone.locator("[data-panel='done']")
    expect(done.get_by_role("heading", name="Signed")).to_be_visible()
    assert not problems, problems

    # The staff member, from their own email, on a desk.
    company = link_in_email(live_site, STAFF, SIGN_LINK)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_site.url}/sign/{company}")
    # The contact's values are there to read, not to change.
    expect(page.locator(".sg-field[data-field='City']")).to_contain_text("Lyon")
    page.get_by_role("button", name=re.compile("^Countersignature")).click()
    sign_dialog = page.locator("[data-sign-dialog]")
    sign_dialog.get_by_role("tab", name="Type").click()
    sign_dialog.get_by_label("Type your name").fill("Léa Bernard")
    sign_dialog.get_by_role("button", name="Adopt and sign").click()
    page.get_by_role("button", name="Finish", exact=True).click()
    expect(
        page.locator("[data-panel='done']").get_by_role("heading", name="Signed")
    ).to_be_visible()
    assert_accessible(page)

    def completed() -> dict[str, Any] | None:
        detail: dict[str, Any] = api(live_site, "GET", f"{API}/submissions/{submission['id']}")
        return detail if detail["completion"] == "done" else None

    detail = eventually(completed, 90)
    assert detail["status"] == "completed"
    pdf = httpx.get(
        f"{live_site.url}{API}/submissions/{submission['id']}/completed.pdf",
        headers=live_site.admin_headers(),
        timeout=60,
    ).content
    # Every value at its place: the text read inside each field's box.
    expected = {
        "Full name": "Inès Roy",
        "City": "Lyon",
        "Notes": "Deliveries by the courtyard",
        "Postcode": "69002",
        "Start date": "2027-01-15",
        "Seats": "12",
        "Email": "accounts@lumiere.example",
        "Phone": "+33 6 12 34 56 78",
        "Plan": "Pro",
        "Colour": "Saffron",
        "Extras": "Parking, Storage",
        "Kbis": "Attached file (PDF)",
        "Countersignature": "Léa Bernard",
    }
    for field in FIELDS:
        if field["name"] in expected:
            box = (field["x"], field["y"], field["w"], field["h"])
            found = re.sub(r"\s+", " ", text_in_box(pdf, field["page"], box)).strip()
            wanted = expected[field["name"]]
            assert found.replace(" ", "") == wanted.replace(" ", ""), (field["name"], found)
    assert str(time.gmtime().tm_year) in pdftotext(pdf, page=1)  # the signing date
    # The drawn signature is ink at its place on the first page; the photo and the stamp
    # are their images at theirs on the second.
    first_page = rendered(pdf, 0)
    width, height = first_page.size
    signature_box = first_page.crop(
        (int(0.1 * width), int(0.80 * height), int(0.5 * width), int(0.88 * height))
    )
    assert ink_bounds(signature_box) is not None
    second_page = rendered(pdf, 1)
    width, height = second_page.size
    for name, y in (("photo", 0.16), ("stamp", 0.32)):
        grey = second_page.getpixel((int(0.3 * width), int(y * height)))
        assert isinstance(grey, int) and grey < 120, (name, grey)
    # Sealed: pdfsig and pyHanko both find the seal valid over the whole file.
    assert "Signature is Valid." in pdfsig(pdf)
    # pyHanko runs an event loop of its own: not in Playwright's thread, which has one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        report = pool.submit(verify_pdf, pdf).result()
    assert report.sealed and report.intact and report.valid and report.covers_whole_file

    # The mapped value on the client's profile; the copies in both signers' mailboxes.
    def city_written_back() -> bool:
        found = api(live_site, "GET", f"/api/portal/v1/clients/{client['id']}")
        return bool((found.get("address") or {}).get("city") == "Lyon")

    eventually(city_written_back, 30)
    for email in (CONTACT, STAFF):
        copy = link_in_email(live_site, email, COPY_LINK)
        download = httpx.get(f"{live_site.url}/sign/copy/{copy}/completed.pdf", timeout=30)
        assert download.status_code == 200 and download.content == pdf

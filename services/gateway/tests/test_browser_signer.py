"""In a real browser: a signer follows the link from their email. On a desktop they go
from field to field with Next, see a formula computed and a condition show a field, draw
their signature with the mouse, reuse it for their initials, find their draft after a
reload, finish, and download the completed PDF. On a phone the document comes one field
at a time with Next always in reach; they sign with their finger, turn the phone, and the
drawing and the layout stay. A long document (100 pages, 60 fields) opens and signs on a
phone too. Where the template allows it, someone else is named to sign instead, from a
phone."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from portico.gateway.testing import RunningSite, assert_accessible
from portico.signing.testing import pdf_document

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

API = "/api/signing/v1"
SIGN_LINK = re.compile(r"/sign/([A-Za-z0-9_-]{20,100})\b")


def place(name: str, type_: str, page: int, y: float, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "type": type_,
        "role": "Client",
        "page": page,
        "x": 0.1,
        "y": y,
        "w": 0.35,
        "h": 0.035,
    } | extra


FIELDS = [
    place("Full name", "name", 0, 0.10, required=True, label="Your full name"),
    place("Quantity", "number", 0, 0.16, validation={"min": 1, "max": 50}),
    place("Unit price", "number", 0, 0.22),
    place("Total", "number", 0, 0.28, formula="{Quantity} * {Unit price}"),
    place("Plan", "radio", 0, 0.34, h=0.06, options=["Basic", "Pro"], required=True),
    place(
        "PO number",
        "text",
        0,
        0.42,
        required=True,
        condition={"conditions": [{"field": "Plan", "operator": "equals", "value": "Pro"}]},
    ),
    place("Agree", "checkbox", 0, 0.48, w=0.03, h=0.025, required=True, label="I agree"),
    place("Signature", "signature", 0, 0.70, h=0.08),
    place("Initials", "initials", 1, 0.80, w=0.12, h=0.05),
]


def upload_template(
    site: RunningSite, fields: list[dict[str, Any]], pages: int = 2, name: str = "Service agreement"
) -> dict[str, Any]:
    headers = site.admin_headers()
    made = httpx.post(
        f"{site.url}{API}/templates",
        files={"file": ("agreement.pdf", pdf_document(pages), "application/pdf")},
        data={"name": name},
        headers=headers,
        timeout=120,
    )
    assert made.status_code == 201, made.text
    template: dict[str, Any] = made.json()
    saved = httpx.put(
        f"{site.url}{API}/templates/{template['id']}/fields",
        json={"fields": fields},
        headers=headers,
        timeout=30,
    )
    assert saved.status_code == 200, saved.text
    return template


def send(site: RunningSite, template: dict[str, Any], email: str) -> tuple[str, str]:
    """Sends the template to a person by email; answers the submission's id and the token
    of the link in the email they receive."""
    body = {
        "template_id": template["id"],
        "recipients": [{"role": "Client", "name": "Inès Roy", "email": email, "locale": "en"}],
    }
    sent = httpx.post(
        f"{site.url}{API}/submissions", json=body, headers=site.admin_headers(), timeout=30
    )
    assert sent.status_code == 201, sent.text
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for text in site.texts_sent_to(email):
            if found := SIGN_LINK.search(text):
                return str(sent.json()["id"]), found.group(1)
        time.sleep(0.2)
    raise AssertionError(f"no signing link emailed to {email}")


def submission(site: RunningSite, submission_id: str) -> dict[str, Any]:
    answer = httpx.get(
        f"{site.url}{API}/submissions/{submission_id}", headers=site.admin_headers(), timeout=30
    )
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def wait_completed(site: RunningSite, submission_id: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while submission(site, submission_id)["completion"] != "done":
        assert time.monotonic() < deadline, submission(site, submission_id)
        time.sleep(0.3)


def box_of(page: Page, name: str) -> Locator:
    return page.locator(f".sg-field[data-field='{name}']")


def draw_with_mouse(page: Page, canvas: Locator) -> None:
    box = canvas.bounding_box()
    assert box is not None
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + w * 0.1, y + h * 0.7)
    page.mouse.down()
    for fx, fy in [(0.25, 0.2), (0.4, 0.75), (0.55, 0.3), (0.7, 0.7), (0.9, 0.25)]:
        page.mouse.move(x + w * fx, y + h * fy, steps=6)
    page.mouse.up()


def draw_with_finger(page: Page, canvas: Locator) -> None:
    """Touches as a phone's screen sends them (the pad reads pointer events)."""
    box = canvas.bounding_box()
    assert box is not None
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    cdp = page.context.new_cdp_session(page)
    points = [(0.1, 0.6), (0.2, 0.3), (0.35, 0.7), (0.5, 0.25), (0.65, 0.65), (0.85, 0.3)]

    def touch(kind: str, fx: float, fy: float) -> None:
        touches = [] if kind == "touchEnd" else [{"x": x + w * fx, "y": y + h * fy}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": touches})

    touch("touchStart", *points[0])
    for fx, fy in points[1:]:
        touch("touchMove", fx, fy)
    touch("touchEnd", *points[-1])
    cdp.detach()


def ink(canvas: Locator) -> int:
    """How many of the pad's pixels are drawn."""
    count: int = canvas.evaluate(
        """(canvas) => {
          const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
          let drawn = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i] > 0) drawn += 1;
          return drawn;
        }"""
    )
    return count


def in_viewport(page: Page, locator: Locator) -> bool:
    box = locator.bounding_box()
    viewport = page.viewport_size
    assert box is not None and viewport is not None
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= viewport["width"] + 0.5
        and box["y"] + box["height"] <= viewport["height"] + 0.5
    )


def assert_fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_on_a_desktop_next_leads_through_the_fields_and_the_signed_pdf_downloads(
    page: Page, live_site: RunningSite
) -> None:
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.set_viewport_size({"width": 1366, "height": 900})
    template = upload_template(live_site, FIELDS)
    submission_id, token = send(live_site, template, "ines-desktop@lumiere.example")

    page.goto(f"{live_site.url}/sign/{token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Service agreement")
    # The address bar keeps the link as it was sent.
    expect(page).to_have_url(f"{live_site.url}/sign/{token}")
    progress = page.locator("[data-progress]")
    expect(progress).to_have_text("0 of 5 required fields")
    expect(page.locator(".sg-page img[data-page='0']")).to_have_js_property("complete", True)
    assert_accessible(page)

    # Start leads to the first required field, Next to the next one.
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_label("Your full name *")).to_be_focused()
    page.keyboard.type("Inès Roy")
    page.get_by_role("button", name="Next").click()
    expect(box_of(page, "Plan").get_by_role("radio", name="Basic")).to_be_focused()
    box_of(page, "Plan").get_by_text("Pro").click()
    # The condition shows the PO number, now required too.
    expect(box_of(page, "PO number")).to_be_visible()
    expect(progress).to_have_text("2 of 6 required fields")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_label("PO number *")).to_be_focused()
    page.keyboard.type("PO-4471")

    # A formula computes as one types; a limit is said at once.
    page.get_by_label("Quantity", exact=True).fill("80")
    page.get_by_label("Quantity", exact=True).blur()
    expect(box_of(page, "Quantity").locator(".sg-field-error")).to_have_text(
        "The largest allowed is 50."
    )
    page.get_by_label("Quantity", exact=True).fill("3")
    expect(box_of(page, "Quantity").locator(".sg-field-error")).to_be_hidden()
    page.get_by_label("Unit price").fill("12,5")
    expect(page.get_by_label("Total (Computed)")).to_have_value("37.5")

    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("checkbox", name="I agree *")).to_be_focused()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Next").click()
    signature = page.get_by_role("button", name=re.compile(r"^Signature \*"))
    expect(signature).to_be_focused()

    # The signature drawn with the mouse.
    signature.click()
    dialog = page.locator("[data-sign-dialog]")
    expect(dialog).to_be_visible()
    canvas = dialog.locator("canvas")
    draw_with_mouse(page, canvas)
    assert ink(canvas) > 200
    dialog.get_by_role("button", name="Adopt and sign").click()
    expect(dialog).to_be_hidden()
    expect(box_of(page, "Signature").locator("img")).to_be_visible()

    # The initials: the same as the signature, offered.
    page.get_by_role("button", name="Next").click()
    initials = page.get_by_role("button", name=re.compile(r"^Initials \*"))
    expect(initials).to_be_focused()
    initials.click()
    dialog.get_by_role("button", name="Use the same as my signature").click()
    expect(box_of(page, "Initials").locator("img")).to_be_visible()
    expect(progress).to_have_text("6 of 6 required fields")
    expect(page.locator("[data-save-status]")).to_have_text("Draft saved", timeout=10_000)

    # The draft is found again on reload.
    page.reload()
    expect(page.get_by_label("Your full name *")).to_have_value("Inès Roy")
    expect(page.get_by_label("PO number *")).to_have_value("PO-4471")
    expect(page.get_by_label("Total (Computed)")).to_have_value("37.5")
    expect(box_of(page, "Signature")).to_contain_text("Signature saved")
    expect(progress).to_have_text("6 of 6 required fields")

    page.get_by_role("button", name="Finish", exact=True).click()
    done = page.locator("[data-panel='done']")
    expect(done.get_by_role("heading", name="Signed")).to_be_visible()
    wait_completed(live_site, submission_id)
    download_link = done.get_by_role("link", name="Download the signed PDF")
    expect(download_link).to_be_visible(timeout=30_000)
    with page.expect_download() as downloaded:
        download_link.click()
    path = downloaded.value.path()
    assert path is not None
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert downloaded.value.suggested_filename.endswith(".pdf")
    detail = submission(live_site, submission_id)
    assert detail["status"] == "completed"
    assert detail["submitters"][0]["status"] == "completed"
    assert_accessible(page)
    assert not problems, problems


def phone_context(new_context: Any) -> BrowserContext:
    context: BrowserContext = new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=3,
        locale="en-GB",
    )
    return context


def test_on_a_phone_one_field_at_a_time_a_finger_signs_and_turning_keeps_the_drawing(
    new_context: Any, live_site: RunningSite
) -> None:
    page = phone_context(new_context).new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    template = upload_template(live_site, FIELDS)
    submission_id, token = send(live_site, template, "ines-phone@lumiere.example")
    page.goto(f"{live_site.url}/sign/{token}")

    guide = page.locator("[data-guide]")
    next_button = page.get_by_role("button", name="Next")
    step = guide.locator("[data-guide-step]")
    expect(step).to_have_text(re.compile(r"^Field 1 of 7 · Page 1 of 2$"))
    expect(page.locator(".sg-pages")).to_be_hidden()
    expect(guide.locator("[data-guide-crop] img")).to_have_js_property("complete", True)
    assert_fits(page)
    assert_accessible(page)

    def forward() -> None:
        assert in_viewport(page, next_button)
        next_button.tap()

    # One field at a time: required ones must be filled to go on.
    forward()
    expect(guide.locator(".sg-field-error")).to_have_text("This field is required.")
    guide.get_by_label("Your full name").fill("Inès Roy")
    forward()
    expect(step).to_contain_text("Field 2 of 7")
    guide.get_by_label("Quantity").fill("2")
    forward()
    guide.get_by_label("Unit price").fill("10")
    forward()
    guide.get_by_text("Pro").tap()
    forward()
    # The condition held: the PO number is asked.
    expect(step).to_contain_text("Field 5 of 8")
    guide.get_by_label("PO number").fill("PO-1")
    forward()
    guide.get_by_text("I agree").tap()
    forward()
    guide.get_by_role("button", name=re.compile("Signature")).tap()

    dialog = page.locator("[data-sign-dialog]")
    expect(dialog).to_be_visible()
    canvas = dialog.locator("canvas")
    draw_with_finger(page, canvas)
    drawn = ink(canvas)
    assert drawn > 200
    apply = dialog.get_by_role("button", name="Adopt and sign")
    assert in_viewport(page, apply)

    # Turned sideways: the drawing is drawn again at the new width, the buttons in reach.
    portrait_width = canvas.evaluate("(c) => c.width")
    page.set_viewport_size({"width": 844, "height": 390})
    page.wait_for_function(
        "(width) => document.querySelector('[data-pad]').width !== width", arg=portrait_width
    )
    assert ink(canvas) > 200
    apply.scroll_into_view_if_needed()
    apply.tap()
    expect(dialog).to_be_hidden()
    expect(guide.locator(".sg-sign-button img")).to_be_visible()
    assert_fits(page)
    expect(step).to_contain_text("Field 7 of 8")
    forward()
    expect(step).to_contain_text("Field 8 of 8 · Page 2 of 2")
    guide.get_by_role("button", name=re.compile("Initials")).tap()
    dialog.get_by_role("button", name="Use the same as my signature").tap()
    expect(guide.locator(".sg-sign-button img")).to_be_visible()

    # Back to portrait: the guide is still the layout, Finish in reach on the last step.
    page.set_viewport_size({"width": 390, "height": 844})
    assert_fits(page)
    expect(guide).to_be_visible()
    finish = page.get_by_role("button", name="Finish", exact=True)
    assert in_viewport(page, finish)
    finish.tap()
    expect(
        page.locator("[data-panel='done']").get_by_role("heading", name="Signed")
    ).to_be_visible()
    wait_completed(live_site, submission_id)
    assert not problems, problems


def test_a_long_document_opens_and_signs_on_a_phone(
    new_context: Any, live_site: RunningSite
) -> None:
    fields = [
        place(f"Line {number}", "text", number, 0.2 + (number % 3) * 0.2, required=number % 2 == 0)
        for number in range(1, 100, 2)
    ][:50]
    fields += [
        place(f"Tick {number}", "checkbox", number, 0.9, w=0.03, h=0.02) for number in range(9)
    ]
    fields.append(place("Signature", "signature", 99, 0.75, h=0.08))
    assert len(fields) == 60
    template = upload_template(live_site, fields, pages=100, name="Long agreement")
    submission_id, token = send(live_site, template, "ines-long@lumiere.example")

    page = phone_context(new_context).new_page()
    started = time.monotonic()
    page.goto(f"{live_site.url}/sign/{token}")
    guide = page.locator("[data-guide]")
    step = guide.locator("[data-guide-step]")
    expect(step).to_contain_text("Field 1 of 60")
    # Whole document: a hundred pages, their images loaded as they come into view.
    page.get_by_role("button", name="Show the whole document").tap()
    expect(page.locator(".sg-page")).to_have_count(100)
    loaded = page.evaluate("document.querySelectorAll('.sg-page img[src]').length")
    assert loaded < 30, loaded
    page.get_by_role("button", name="One field at a time").tap()

    next_button = page.get_by_role("button", name="Next")
    for _ in range(59):
        control = guide.locator("input:not([type=file]), button.sg-sign-button").first
        kind = control.get_attribute("type")
        if kind == "checkbox":
            pass  # optional
        else:
            control.fill("x")
        next_button.tap()
    guide.get_by_role("button", name=re.compile("Signature")).tap()
    dialog = page.locator("[data-sign-dialog]")
    dialog.get_by_role("tab", name="Type").tap()
    expect(dialog.get_by_label("Type your name")).to_have_value("Inès Roy")
    dialog.get_by_role("button", name="Adopt and sign").tap()
    expect(guide.locator(".sg-sign-button .sg-handwriting")).to_have_text("Inès Roy")
    page.get_by_role("button", name="Finish", exact=True).tap()
    expect(
        page.locator("[data-panel='done']").get_by_role("heading", name="Signed")
    ).to_be_visible()
    assert time.monotonic() - started < 60
    detail = submission(live_site, submission_id)
    assert detail["submitters"][0]["status"] == "completed"


def test_on_a_phone_someone_else_is_named_to_sign_and_the_link_says_it_was_sent(
    new_context: Any, live_site: RunningSite
) -> None:
    template = upload_template(live_site, FIELDS[:1], pages=1)
    allowed = httpx.patch(
        f"{live_site.url}{API}/templates/{template['id']}",
        json={"allow_forwarding": True},
        headers=live_site.admin_headers(),
        timeout=30,
    )
    assert allowed.status_code == 200, allowed.text
    _, token = send(live_site, template, "ines-forward@lumiere.example")
    page = phone_context(new_context).new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{live_site.url}/sign/{token}")

    page.get_by_role("button", name="Someone else should sign").tap()
    dialog = page.get_by_role("dialog", name="Someone else should sign")
    expect(dialog).to_be_visible()
    name = dialog.get_by_label("Their name")
    expect(name).to_be_focused()
    # Sent by email, the address is needed: said beside it, and the focus goes there.
    name.fill("Paul Martin")
    dialog.get_by_role("button", name="Send").tap()
    email = dialog.get_by_label("Their email")
    expect(email).to_be_focused()
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(dialog.locator("[data-forward-error='email']")).to_have_text(
        "Give their email address to send it by email."
    )
    email.fill("paul-forward@lumiere.example")
    dialog.get_by_label("Their language").select_option("fr")
    dialog.get_by_label("Why").fill("Paul signs for the company.")
    assert_fits(page)
    assert_accessible(page)
    send_button = dialog.get_by_role("button", name="Send")
    assert in_viewport(page, send_button)
    send_button.tap()

    done = page.locator("[data-panel='forwarded']")
    heading = done.get_by_role("heading", name="Sent to Paul Martin. Your link no longer works.")
    expect(heading).to_be_visible()
    expect(heading).to_be_focused()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="Finish", exact=True)).to_be_hidden()
    assert_fits(page)
    # Paul receives his own link; Inès's is gone.
    deadline = time.monotonic() + 30
    while not any(
        SIGN_LINK.search(text) for text in live_site.texts_sent_to("paul-forward@lumiere.example")
    ):
        assert time.monotonic() < deadline, "no link sent to Paul"
        time.sleep(0.2)
    page.reload()
    expect(page.get_by_text("This link has expired. Ask the sender for a new one.")).to_be_visible()
    assert not problems, problems

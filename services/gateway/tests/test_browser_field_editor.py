"""In a real browser: staff place fields on an uploaded PDF by drawing and by dragging,
resize one, copy two with a multi-selection, undo a move, set the roles, reload and find
them where they were, and open the client's preview; in English and French, axe-clean. On a
phone the pages show, with a notice."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from babel.support import Translations
from playwright.sync_api import ConsoleMessage, Locator, Page, expect

from portico.gateway.testing import RunningSite, assert_accessible
from portico.gateway.web.i18n import CATALOGS
from portico.signing.testing import pdf_document

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

Gettext = Callable[[str], str]


def gettext_of(code: str) -> Gettext:
    if code == "en":
        return lambda text: text
    return Translations.load(str(CATALOGS), [code]).gettext


def make_template(site: RunningSite, pages: int = 2) -> dict[str, Any]:
    """A PDF uploaded through the signing API, with two roles, its previews rendered."""
    api = f"{site.url}/api/signing/v1/templates"
    made = httpx.post(
        api,
        files={"file": ("contract.pdf", pdf_document(pages), "application/pdf")},
        data={"name": "Engagement letter"},
        headers=site.admin_headers(),
        timeout=60,
    )
    assert made.status_code == 201, made.text
    template: dict[str, Any] = made.json()
    roles = {"roles": [{"name": "Client"}, {"name": "Company"}]}
    patched = httpx.patch(
        f"{api}/{template['id']}", json=roles, headers=site.admin_headers(), timeout=30
    )
    assert patched.status_code == 200, patched.text
    deadline = time.monotonic() + 30
    while template["previews_ready"] < template["page_count"]:
        assert time.monotonic() < deadline, "the previews were never rendered"
        time.sleep(0.2)
        template = httpx.get(
            f"{api}/{template['id']}", headers=site.admin_headers(), timeout=30
        ).json()
    return template


def log_in(page: Page, site: RunningSite, code: str) -> None:
    page.goto(f"{site.url}/login")
    # The login page speaks the browser's language (English here); the admin then switches.
    page.get_by_label("Email").fill(site.admin_email)
    page.get_by_label("Password").fill(site.admin_password)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/login"))
    if code != "en":
        page.get_by_role("button", name="Français").click()
        expect(page.locator("html")).to_have_attribute("lang", code)


def rect(field: Locator) -> list[float]:
    values: list[float] = field.evaluate(
        "e => ['--x', '--y', '--w', '--h'].map((p) => parseFloat(e.style.getPropertyValue(p)))"
    )
    return values


def at(page_box: dict[str, float], fx: float, fy: float) -> tuple[float, float]:
    return page_box["x"] + page_box["width"] * fx, page_box["y"] + page_box["height"] * fy


def drag(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=8)
    page.mouse.up()


def centre(locator: Locator) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def wait_saved(page: Page, _: Gettext) -> None:
    expect(page.locator("[data-save-status]")).to_have_text(_("Saved"), timeout=10_000)
    expect(page.locator("[data-save-status]")).to_have_attribute("data-state", "saved")


@pytest.mark.parametrize("code", ["en", "fr"])
def test_staff_upload_place_fields_and_preview_the_document(
    page: Page, live_site: RunningSite, code: str
) -> None:
    _ = gettext_of(code)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))

    def console(message: ConsoleMessage) -> None:
        if message.type == "error" and "404" not in message.text:
            problems.append(message.text)

    page.on("console", console)
    page.set_viewport_size({"width": 1600, "height": 1000})
    log_in(page, live_site, code)
    # Uploaded through the page, two signers set on the template's page, then the editor.
    page.goto(f"{live_site.url}/smart-documents/new")
    page.locator("#field-file").set_input_files(
        files=[{"name": "contract.pdf", "mimeType": "application/pdf", "buffer": pdf_document(2)}]
    )
    page.get_by_label(_("Name"), exact=True).first.fill("Engagement letter")
    page.get_by_role("button", name=_("Upload and place the fields")).click()
    expect(page).to_have_url(re.compile(r"/smart-documents/[0-9a-f-]{36}/edit$"), timeout=60_000)
    editor_url = page.url
    page.goto(editor_url.removesuffix("/edit"))
    page.get_by_label(_("Signers' roles")).fill("Client\nCompany")
    page.get_by_role("button", name=_("Save the settings")).click()
    expect(page.get_by_label(_("Signers' roles"))).to_have_value("Client\nCompany")
    page.goto(editor_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Engagement letter")
    first = page.locator("[data-page='0'] [data-layer]")
    first.scroll_into_view_if_needed()
    expect(page.locator("[data-page='0'] img")).to_have_js_property("complete", True)
    fields = page.locator(".ed-field")
    palette = page.locator("[data-palette]")

    # A signature drawn after choosing its type.
    signature_type = palette.get_by_role("button", name=_("Signature"), exact=True)
    signature_type.click()
    expect(signature_type).to_have_attribute("aria-pressed", "true")
    box = first.bounding_box()
    assert box is not None
    drag(page, at(box, 0.1, 0.7), at(box, 0.4, 0.78))
    expect(fields).to_have_count(1)
    signature = page.locator(".ed-field[data-type='signature']")
    signature = page.locator(f".ed-field[data-key='{signature.get_attribute('data-key')}']")
    x, y, w, h = rect(signature)
    assert x == pytest.approx(0.1, abs=0.01) and y == pytest.approx(0.7, abs=0.01)
    assert w == pytest.approx(0.3, abs=0.01) and h == pytest.approx(0.08, abs=0.01)
    expect(signature).to_be_focused()
    expect(page.get_by_label(_("Name"), exact=True)).to_have_value(_("Signature"))

    # A text field dragged from the palette onto the page.
    text_type = palette.get_by_role("button", name=_("Text"), exact=True)
    box = first.bounding_box()
    assert box is not None
    drag(page, centre(text_type), at(box, 0.6, 0.2))
    expect(fields).to_have_count(2)
    text = page.locator(".ed-field[data-type='text']")
    x, y, w, h = rect(text)
    assert x + w / 2 == pytest.approx(0.6, abs=0.01)
    assert y + h / 2 == pytest.approx(0.2, abs=0.01)

    # A checkbox: chosen, then a click on the page gives it its usual size there.
    palette.get_by_role("button", name=_("Checkbox"), exact=True).click()
    box = first.bounding_box()
    assert box is not None
    page.mouse.click(*at(box, 0.1, 0.4))
    expect(fields).to_have_count(3)
    checkbox = page.locator(".ed-field[data-type='checkbox']")
    checkbox = page.locator(f".ed-field[data-key='{checkbox.get_attribute('data-key')}']")
    assert rect(checkbox)[2] == pytest.approx(14 / 595.28, abs=0.002)

    # The text field resized by its bottom-right handle.
    text.click()
    before = rect(text)
    handle = text.locator("[data-handle='se']")
    start = centre(handle)
    drag(page, start, (start[0] + 120, start[1] + 30))
    after = rect(text)
    assert after[0] == pytest.approx(before[0], abs=0.001)
    assert after[2] > before[2] + 0.05 and after[3] > before[3] + 0.01

    # Two fields selected with shift, copied and pasted: copies with new names.
    signature.click()
    checkbox.click(modifiers=["Shift"])
    expect(page.locator(".ed-field.is-selected")).to_have_count(2)
    expect(page.locator("[data-selection-count]")).to_contain_text("2")
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    expect(fields).to_have_count(5)
    expect(page.locator(".ed-field[data-type='signature']")).to_have_count(2)
    copy = page.locator(".ed-field[data-type='signature']").nth(1)
    expect(copy).to_have_attribute("aria-label", re.compile(_("Signature") + " 2"))
    assert rect(copy)[0] == pytest.approx(rect(signature)[0] + 0.02, abs=0.002)

    # A move, undone.
    wait_saved(page, _)
    before = rect(text)
    drag(page, centre(text), (centre(text)[0] - 150, centre(text)[1] + 80))
    assert rect(text)[0] < before[0] - 0.05
    page.get_by_role("button", name=_("Undo")).click()
    assert rect(text) == pytest.approx(before, abs=0.0005)
    page.get_by_role("button", name=_("Redo")).click()
    assert rect(text)[0] < before[0] - 0.05
    page.keyboard.press("Control+z")
    assert rect(text) == pytest.approx(before, abs=0.0005)

    # Roles: the signature is the company's; the new fields' role is chosen in the palette.
    signature.click(position={"x": 4, "y": 4})
    page.get_by_label(_("Role"), exact=True).select_option("Company")
    expect(signature).to_have_attribute("data-role", "1")
    expect(signature).to_have_attribute("aria-label", re.compile("Company"))
    page.get_by_label(_("Label"), exact=True).fill("Signed for the studio")
    wait_saved(page, _)
    assert_accessible(page)

    # Keyboard: a nudge by one point to the right.
    signature.focus()
    before = rect(signature)
    page.keyboard.press("ArrowRight")
    assert rect(signature)[0] == pytest.approx(before[0] + 1 / 595.28, abs=0.0002)
    wait_saved(page, _)
    placed = {field.get_attribute("aria-label"): rect(field) for field in fields.all()}
    assert len(placed) == 5

    page.reload()
    expect(fields).to_have_count(5)
    for field in fields.all():
        label = field.get_attribute("aria-label")
        assert label in placed, (label, list(placed))
        assert rect(field) == pytest.approx(placed[label], abs=0.0005)
    expect(page.locator(".ed-field[data-type='signature']").first).to_have_attribute(
        "data-role", "1"
    )
    assert_accessible(page)

    page.get_by_role("link", name=_("Preview as the client sees it")).click()
    banner = _(
        "Preview: sample values. This is the document as the client will get it; "
        "nothing here is saved."
    )
    expect(page.get_by_role("note")).to_have_text(banner)
    expect(page.locator(".pv-field")).to_have_count(5)
    expect(page.locator(".pv-box", has_text="Signed for the studio")).to_be_visible()
    assert_accessible(page)
    assert problems == []


def test_on_a_laptop_the_editor_fits_and_on_a_phone_the_pages_show_with_a_notice(
    page: Page, live_site: RunningSite
) -> None:
    template = make_template(live_site, pages=2)
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, live_site, "en")
    page.goto(f"{live_site.url}/smart-documents/{template['id']}/edit")
    expect(page.locator("[data-palette]")).to_be_visible()
    expect(page.locator("[data-page='0'] img")).to_be_visible()
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    expect(page.get_by_text("Editing fields works best on a larger screen")).to_be_hidden()

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.get_by_text("Editing fields works best on a larger screen")).to_be_visible()
    expect(page.locator("[data-page='0'] img")).to_be_visible()
    expect(page.locator("[data-palette]")).to_be_hidden()
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert_accessible(page)


def test_keyboard_repeat_align_distribute_and_the_service_refusals(
    page: Page, live_site: RunningSite
) -> None:
    """From the keyboard, initials repeated on every page; three fields placed in mm, chosen
    with a rubber band, aligned and distributed, duplicated and deleted; a formula the
    service refuses shows on its field until it is fixed; a condition is added."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.set_viewport_size({"width": 1600, "height": 1000})
    template = make_template(live_site, pages=3)
    log_in(page, live_site, "en")
    page.goto(f"{live_site.url}/smart-documents/{template['id']}/edit")
    fields = page.locator(".ed-field")
    palette = page.locator("[data-palette]")

    # The thumbnails say which page is in view.
    expect(page.locator(".ed-thumbs a[href='#ed-page-0']")).to_have_attribute(
        "aria-current", "true"
    )
    page.locator("[data-page='2']").scroll_into_view_if_needed()
    expect(page.locator(".ed-thumbs a[href='#ed-page-2']")).to_have_attribute(
        "aria-current", "true"
    )
    page.locator("[data-page='0']").scroll_into_view_if_needed()
    expect(page.locator(".ed-thumbs a[href='#ed-page-0']")).to_have_attribute(
        "aria-current", "true"
    )

    palette.get_by_role("button", name="Initials", exact=True).press("Enter")
    expect(fields).to_have_count(1)
    expect(fields.first).to_be_focused()
    page.get_by_role("button", name="Repeat on every page").click()
    expect(fields).to_have_count(3)
    for index in (1, 2):
        copy = page.locator(f"[data-page='{index}'] .ed-field")
        expect(copy).to_have_attribute("aria-label", re.compile(f"Initials {index + 1}"))
        assert rect(copy) == pytest.approx(rect(fields.first), abs=1e-4)
    page.keyboard.press("Escape")
    expect(page.locator(".ed-field.is-selected")).to_have_count(0)

    # Zoomed in, the page is larger and its fields with it.
    before_zoom = page.locator("[data-page='0']").bounding_box()
    page.get_by_label("Zoom").select_option("1.5")
    after_zoom = page.locator("[data-page='0']").bounding_box()
    assert before_zoom is not None and after_zoom is not None
    assert after_zoom["width"] == pytest.approx(before_zoom["width"] * 1.5, rel=0.02)
    page.get_by_label("Zoom").select_option("1")

    # Three text fields, placed by their position in millimetres.
    for x_mm, y_mm in [(20, 40), (35, 70), (28, 130)]:
        palette.get_by_role("button", name="Text", exact=True).press("Enter")
        page.get_by_label("From the left").fill(str(x_mm))
        page.get_by_label("From the top").fill(str(y_mm))
    texts = page.locator("[data-page='0'] .ed-field[data-type='text']")
    expect(texts).to_have_count(3)
    assert rect(texts.nth(1))[0] == pytest.approx(35 / 210, abs=0.001)
    assert rect(texts.nth(2))[1] == pytest.approx(130 / 297, abs=0.001)

    # A rubber band around them selects the three.
    layer = page.locator("[data-page='0'] [data-layer]")
    layer.scroll_into_view_if_needed()
    box = layer.bounding_box()
    assert box is not None
    page.keyboard.press("Escape")
    drag(page, at(box, 0.05, 0.1), at(box, 0.6, 0.47))
    expect(page.locator(".ed-field.is-selected")).to_have_count(3)
    page.get_by_role("button", name="Align left").click()
    assert {round(rect(texts.nth(i))[0], 4) for i in range(3)} == {round(20 / 210, 4)}
    page.get_by_role("button", name="Distribute vertically").click()
    tops = sorted(rect(texts.nth(i)) for i in range(3))
    tops.sort(key=lambda r: r[1])
    gaps = [tops[1][1] - (tops[0][1] + tops[0][3]), tops[2][1] - (tops[1][1] + tops[1][3])]
    assert gaps[0] == pytest.approx(gaps[1], abs=1e-4)

    # Duplicated, then deleted: the duplicates are what is selected.
    layer.locator(".ed-field.is-selected").first.focus()
    page.keyboard.press("Control+d")
    expect(fields).to_have_count(9)
    page.keyboard.press("Delete")
    expect(fields).to_have_count(6)
    wait_saved(page, lambda text: text)

    # A formula reading a field that does not exist: refused, shown on the field.
    total = page.locator(f".ed-field[data-key='{texts.first.get_attribute('data-key')}']")
    total.click(position={"x": 4, "y": 4})
    page.get_by_label("Type", exact=True).select_option("number")
    page.get_by_label("Formula").fill("{Nothing} * 2")
    status = page.locator("[data-save-status]")
    expect(status).to_have_attribute("data-state", "error", timeout=10_000)
    expect(status).to_contain_text("Nothing")
    expect(total).to_have_class(re.compile("is-invalid"))
    expect(page.locator("[data-props-errors]")).to_contain_text("Nothing")
    page.get_by_label("Formula").fill("2 * 3")
    wait_saved(page, lambda text: text)
    expect(page.locator(".ed-field.is-invalid")).to_have_count(0)

    # Shown only when another field is filled in.
    page.get_by_role("button", name="Add a condition").click()
    condition = page.locator("[data-condition]")
    expect(condition).to_have_count(1)
    condition.get_by_label("Test").select_option("not_empty")
    expect(condition.get_by_label("Field")).to_have_value("Initials")
    # The field it reads is renamed: the condition follows.
    page.locator("[data-page='0'] .ed-field[data-type='initials']").click(position={"x": 3, "y": 3})
    page.get_by_label("Name", exact=True).fill("Client initials")
    wait_saved(page, lambda text: text)
    total.click(position={"x": 4, "y": 4})
    expect(condition.get_by_label("Field")).to_have_value("Client initials")
    assert_accessible(page)
    saved = httpx.get(
        f"{live_site.url}/api/signing/v1/templates/{template['id']}",
        headers=live_site.admin_headers(),
    ).json()["fields"]
    number = next(field for field in saved if field["type"] == "number")
    assert number["formula"] == "2 * 3"
    assert number["condition"]["conditions"][0] == {
        "field": "Client initials",
        "operator": "not_empty",
        "value": "",
    }
    assert sorted(field["page"] for field in saved) == [0, 0, 0, 0, 1, 2]

    # Copied here, pasted into another template: on its page in view, with the same name.
    total.focus()
    page.keyboard.press("Control+c")
    other = make_template(live_site, pages=1)
    page.goto(f"{live_site.url}/smart-documents/{other['id']}/edit")
    expect(fields).to_have_count(0)
    expect(page.get_by_role("button", name="Paste")).to_be_enabled()
    page.get_by_role("button", name="Paste").click()
    expect(fields).to_have_count(1)
    expect(fields.first).to_have_attribute("aria-label", re.compile("“Text”"))
    # Its condition read a field this template has not: it is dropped, and the copy saves.
    wait_saved(page, lambda text: text)
    pasted = httpx.get(
        f"{live_site.url}/api/signing/v1/templates/{other['id']}",
        headers=live_site.admin_headers(),
    ).json()["fields"]
    assert [(field["name"], field["formula"], field.get("condition")) for field in pasted] == [
        ("Text", "2 * 3", None)
    ]
    assert problems == []

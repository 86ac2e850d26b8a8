"""Settings → Client documents: an administrator defines the document types clients are
asked for through the pages (the fields editor's rows, keys made from the labels, blank
rows ignored), edits, reorders and deletes them; the service's refusals land beside the
input at fault with what was typed kept; the "My documents" section's settings are saved;
other staff get the not-found page."""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

import httpx
import pytest

from portico.gateway.testing import Accounts, Site
from portico.kit.testing.services import RunningPortico

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

API = "/api/documents/v1"
LIST = "/settings/documents"
NEW = "/settings/documents/types/new"
SECTION = "/settings/documents/section"

ID_CARD_FORM: dict[str, Any] = {
    "name_en": "ID card",
    "name_fr": "Carte d'identité",
    "description_en": "Both sides, readable.",
    "description_fr": "Recto et verso, lisibles.",
    "upload_mode": "required",
    "formats": ["pdf", "jpeg"],
    "max_size_mib": "10",
    "expires": "true",
    # The key left empty: made from the English label.
    "fields.0.key": "",
    "fields.0.label_en": "Card number",
    "fields.0.label_fr": "Numéro de la carte",
    "fields.0.kind": "number",
    "fields.0.required": "true",
    "fields.1.key": "valid_until",
    "fields.1.label_en": "Valid until",
    "fields.1.label_fr": "Valable jusqu'au",
    "fields.1.kind": "date",
    "fields.1.required": "true",
    "fields.1.is_expiry": "true",
    # The blank row the page always offers, sent as it is.
    "fields.2.key": "",
    "fields.2.label_en": "",
    "fields.2.label_fr": "",
    "fields.2.kind": "text",
    "fields.2.options": "",
}


async def api(
    portico: RunningPortico, method: str, path: str, expected: int = 200, **kwargs: Any
) -> Any:
    response = await portico.http.request(
        method, f"{API}{path}", headers=portico.headers("admin"), **kwargs
    )
    assert response.status_code == expected, response.text
    return response.json() if response.content else None


def toast(page: httpx.Response) -> str:
    found = re.search(r'<div class="toast toast-(\w+)">([^<]*)</div>', page.text)
    assert found, "no toast on the page"
    return f"{found.group(1)}: {html.unescape(found.group(2))}"


def field_error(page: httpx.Response, name: str) -> str:
    found = re.search(
        rf'<p class="field-error" id="error-{re.escape(name)}"[^>]*>([^<]*)</p>', page.text
    )
    assert found, f"no error beside {name}"
    return html.unescape(found.group(1))


def listed(page: httpx.Response) -> list[str]:
    """The document types' names, in the list's order."""
    return [
        html.unescape(name)
        for name in re.findall(r'<a class="dt-name" href="[^"]+">([^<]*)</a>', page.text)
    ]


def row_of(page: httpx.Response, type_id: str) -> str:
    found = re.search(rf'<tr id="type-{type_id}">(.*?)</tr>', page.text, re.S)
    assert found, f"no row for {type_id}"
    return re.sub(r"\s+", " ", html.unescape(found.group(1)))


def input_value(page: httpx.Response, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}" type="[^"]+"\s+value="([^"]*)"', page.text)
    assert found, f"no input {name}"
    return html.unescape(found.group(1))


async def test_an_admin_defines_edits_reorders_and_deletes_document_types(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    empty = await site.get(LIST)
    assert empty.status_code == 200
    assert "No document type yet" in empty.text
    assert f'href="{NEW}"' in empty.text
    assert f'href="{SECTION}"' in empty.text
    assert '<a href="/settings/documents" aria-current="page">Client documents</a>' in empty.text

    form = await site.get(NEW)
    assert form.status_code == 200
    # One blank row without JavaScript, and the row the script copies.
    assert 'name="fields.0.label_en"' in form.text and 'name="fields.1.label_en"' not in form.text
    assert 'name="fields.__index__.kind"' in form.text

    created = await site.post(NEW, ID_CARD_FORM)
    assert created.status_code == 303, created.text[:3000]
    assert created.headers["location"] == LIST
    page = await site.follow(created)
    assert toast(page) == "success: “ID card” is created: clients are asked for it from now on."
    [id_card] = await api(portico, "GET", "/document-types")
    assert {
        key: id_card[key]
        for key in ("name_fr", "description_en", "upload_mode", "formats", "max_size_mib")
    } == {
        "name_fr": "Carte d'identité",
        "description_en": "Both sides, readable.",
        "upload_mode": "required",
        "formats": ["pdf", "jpeg"],
        "max_size_mib": 10,
    }
    assert id_card["expires"] is True and id_card["client_tag"] is None
    assert [(f["key"], f["kind"], f["required"], f["is_expiry"]) for f in id_card["fields"]] == [
        ("card_number", "number", True, False),
        ("valid_until", "date", True, True),
    ]
    row = row_of(page, id_card["id"])
    for shown in ("ID card", "Required", "PDF, JPEG", "up to 10 MiB", "Yes", "All clients"):
        assert shown in row, (shown, row)
    assert re.search(r'data-label="Fields">2</td>', row)

    edit_url = f"/settings/documents/types/{id_card['id']}"
    edit = await site.get(edit_url)
    assert edit.status_code == 200
    assert input_value(edit, "name_en") == "ID card"
    assert input_value(edit, "fields.0.key") == "card_number"
    assert input_value(edit, "fields.2.label_en") == ""  # the blank row after the two
    assert 'name="fields.3.label_en"' not in edit.text

    changed = {
        **ID_CARD_FORM,
        "name_en": "Identity card",
        "client_tag": "Person",
        "fields.0.key": "card_number",
        "fields.0.required": "",
        "fields.2.label_en": "Document kind",
        "fields.2.label_fr": "Type de pièce",
        "fields.2.kind": "select",
        "fields.2.options": "Passport\r\nID card\r\n\r\n",
    }
    saved = await site.post(edit_url, changed)
    assert saved.status_code == 303, saved.text[:3000]
    page = await site.follow(saved)
    assert toast(page) == "success: “Identity card” is saved."
    stored = await api(portico, "GET", f"/document-types/{id_card['id']}")
    assert stored["name_en"] == "Identity card" and stored["client_tag"] == "Person"
    assert [(f["key"], f["required"], f["options"]) for f in stored["fields"]] == [
        ("card_number", False, []),
        ("valid_until", True, []),
        ("document_kind", False, ["Passport", "ID card"]),
    ]
    assert "Person" in row_of(page, id_card["id"])

    # A field removed with its checkbox (the page without JavaScript).
    removed = await site.post(edit_url, {**changed, "fields.2.remove": "true"})
    assert removed.status_code == 303
    stored = await api(portico, "GET", f"/document-types/{id_card['id']}")
    assert [f["key"] for f in stored["fields"]] == ["card_number", "valid_until"]

    kbis_body = {"name_en": "Kbis", "name_fr": "Extrait Kbis", "upload_mode": "admin_only"}
    kbis = await api(portico, "POST", "/document-types", 201, json=kbis_body)
    page = await site.get(LIST)
    assert listed(page) == ["Identity card", "Kbis"]
    assert "Staff only" in row_of(page, kbis["id"])
    moved = await site.post(f"/settings/documents/types/{kbis['id']}/move", {"direction": "up"})
    assert moved.headers["location"] == f"{LIST}#type-{kbis['id']}"
    assert listed(await site.get(LIST)) == ["Kbis", "Identity card"]
    order = [item["name_en"] for item in await api(portico, "GET", "/document-types")]
    assert order == ["Kbis", "Identity card"]
    # Past the end, nothing moves.
    await site.post(f"/settings/documents/types/{id_card['id']}/move", {"direction": "down"})
    assert listed(await site.get(LIST)) == ["Kbis", "Identity card"]

    page = await site.get(LIST)
    assert (
        "Delete “Kbis”? The documents clients gave for it are deleted too, for good."
        in html.unescape(page.text)
    )
    deleted = await site.post(f"/settings/documents/types/{kbis['id']}/delete")
    assert deleted.headers["location"] == LIST
    page = await site.follow(deleted)
    assert toast(page) == "success: “Kbis” is deleted, with the documents clients gave for it."
    assert listed(page) == ["Identity card"]
    assert [item["id"] for item in await api(portico, "GET", "/document-types")] == [id_card["id"]]

    for missing in (f"/settings/documents/types/{uuid.uuid4()}", "/settings/documents/types/x"):
        page = await site.get(missing)
        assert page.status_code == 404 and "Page not found" in page.text
    gone = await site.post(f"/settings/documents/types/{kbis['id']}/delete")
    assert gone.status_code == 404


async def test_refusals_are_shown_beside_their_inputs_and_nothing_is_stored(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    no_choices = {
        **ID_CARD_FORM,
        "fields.2.label_en": "Document kind",
        "fields.2.label_fr": "Type de pièce",
        "fields.2.kind": "select",
        "fields.2.options": " \r\n",
    }
    refused = await site.post(NEW, no_choices)
    assert refused.status_code == 422
    assert field_error(refused, "fields.2.options") == "Write the choices, one a line."
    assert 'aria-invalid="true" aria-describedby="error-fields.2.options"' in refused.text
    # What was typed is kept, the key made from the label shown, a blank row offered again.
    assert input_value(refused, "name_en") == "ID card"
    assert input_value(refused, "fields.0.key") == "card_number"
    assert input_value(refused, "fields.2.label_en") == "Document kind"
    assert input_value(refused, "fields.3.label_en") == ""
    assert '<option value="select" selected>' in refused.text
    assert await api(portico, "GET", "/document-types") == []

    no_expiry_field = {**ID_CARD_FORM, "fields.1.is_expiry": ""}
    refused = await site.post(NEW, no_expiry_field)
    assert refused.status_code == 422
    assert field_error(refused, "expires") == (
        "A type that expires needs a date field marked as its expiry date."
    )

    expiry_on_text = {**ID_CARD_FORM, "fields.1.kind": "text"}
    refused = await site.post(NEW, expiry_on_text)
    assert refused.status_code == 422
    assert field_error(refused, "fields.1.is_expiry") == (
        "Only a date field can be the expiry date."
    )

    too_large = await site.post(NEW, {**ID_CARD_FORM, "max_size_mib": "500"})
    assert too_large.status_code == 422
    assert field_error(too_large, "max_size_mib") == "Files are at most 25 MiB on this server."

    no_name = await site.post(NEW, {**ID_CARD_FORM, "name_fr": " "})
    assert no_name.status_code == 422
    assert field_error(no_name, "name_fr") == "This field is required."

    same_key = {**ID_CARD_FORM, "fields.0.key": "valid_until"}
    refused = await site.post(NEW, same_key)
    assert refused.status_code == 422
    assert field_error(refused, "fields.1.key") == "Another field has this key already."

    own = await site.post(NEW, {**ID_CARD_FORM, "formats": [], "max_size_mib": "ten"})
    assert own.status_code == 422
    assert field_error(own, "formats") == "Choose at least one format."
    assert field_error(own, "max_size_mib") == "Enter a whole number of MiB, at least 1."
    assert await api(portico, "GET", "/document-types") == []


async def test_other_staff_get_the_not_found_page_for_the_document_settings(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    kbis = await api(
        portico, "POST", "/document-types", 201, json={"name_en": "Kbis", "name_fr": "Kbis"}
    )
    staff = await accounts.staff("staff")
    await site.log_in(staff["email"])
    home = await site.get("/settings")
    assert 'href="/settings/profile"' in home.text
    assert f'href="{LIST}"' not in home.text
    for path in (LIST, NEW, SECTION, f"/settings/documents/types/{kbis['id']}"):
        page = await site.get(path)
        assert page.status_code == 404, path
        assert "Page not found" in page.text
    for path, form in (
        (NEW, ID_CARD_FORM),
        (f"/settings/documents/types/{kbis['id']}/delete", {}),
        (f"/settings/documents/types/{kbis['id']}/move", {"direction": "down"}),
        (SECTION, {"reminder_days": "3", "review": "true"}),
    ):
        refused = await site.post(path, form)
        assert refused.status_code == 404, path
    assert [item["name_en"] for item in await api(portico, "GET", "/document-types")] == ["Kbis"]
    assert (await api(portico, "GET", "/section"))["reminder_days"] == 30


async def test_the_section_settings_are_saved_and_read_back(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    page = await site.get(SECTION)
    assert page.status_code == 200
    # The portal's formatted-text editor, and the service's defaults.
    assert 'name="introduction" rows="6" data-editor' in page.text
    assert "/static/portal/js/editor.js" in page.text
    assert re.search(
        r'id="field-shown" type="checkbox" name="shown" value="true" checked', page.text
    )
    assert input_value(page, "reminder_days") == "30"

    form = {
        "introduction": '<p>Please give us <strong>these</strong>.</p><script>alert("x")</script>',
        "required_for_access": "true",
        "review": "true",
        "reminder_days": "14",
    }
    saved = await site.post(SECTION, form)
    assert saved.status_code == 303 and saved.headers["location"] == SECTION
    shown = await site.follow(saved)
    assert toast(shown) == "success: The “My documents” section is saved."
    stored = await api(portico, "GET", "/section")
    assert stored["introduction"] == "<p>Please give us <strong>these</strong>.</p>"
    assert (stored["shown"], stored["required_for_access"], stored["review"]) == (
        False,
        True,
        True,
    )
    assert stored["reminder_days"] == 14
    assert input_value(shown, "reminder_days") == "14"
    assert "&lt;strong&gt;these&lt;/strong&gt;" in shown.text and "alert" not in shown.text
    assert not re.search(r'name="shown" value="true" checked', shown.text)
    assert re.search(r'name="required_for_access" value="true" checked', shown.text)
    assert "Hidden from the client portal" in (await site.get(LIST)).text

    for days in ("0", "366", "soon"):
        refused = await site.post(SECTION, {**form, "reminder_days": days, "shown": "true"})
        assert refused.status_code == 422
        assert field_error(refused, "reminder_days") == "Enter a number of days from 1 to 365."
        assert input_value(refused, "reminder_days") == days
        assert re.search(r'name="shown" value="true" checked', refused.text)
    assert (await api(portico, "GET", "/section"))["reminder_days"] == 14

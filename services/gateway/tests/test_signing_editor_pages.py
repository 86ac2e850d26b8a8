"""The field editor's pages: the editor with its data, saving fields (and refusing bad ones
with the field at fault), the pages' images, the client's preview, and who may use them."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest

from portico.gateway.testing import Accounts, Site
from portico.kit.testing.services import RunningPortico
from portico.signing.testing import pdf_document, upload

EMBEDDED = pytest.mark.backends("embedded")
pytestmark = EMBEDDED
DATA = re.compile(r'<script type="application/json" id="editor-data">(.*?)</script>', re.S)


def field(name: str, type_: str = "text", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "type": type_,
        "role": "Client",
        "page": 0,
        "x": 0.1,
        "y": 0.2,
        "w": 0.3,
        "h": 0.04,
    } | extra


async def template_of(portico: RunningPortico, pages: int = 2) -> dict[str, Any]:
    made = await upload(portico, pdf_document(pages), "contract.pdf", name="Engagement letter")
    assert made.status_code == 201, made.text
    return dict(made.json())


async def staff_site(site: Site, accounts: Accounts, locale: str = "en") -> None:
    staff = await accounts.staff("staff", locale=locale)
    await site.log_in(staff["email"])


def editor_data(page_text: str) -> dict[str, Any]:
    found = DATA.search(page_text)
    assert found, "no editor data on the page"
    data: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return data


async def save(site: Site, template_id: str, fields: list[dict[str, Any]], **headers: str) -> Any:
    return await site.http.post(
        f"/smart-documents/{template_id}/edit/fields",
        json={"fields": fields},
        headers={"X-CSRF-Token": site.csrf} | headers,
    )


async def test_the_editor_shows_the_template_with_its_data(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    template = await template_of(portico)
    await staff_site(site, accounts)
    page = await site.get(f"/smart-documents/{template['id']}/edit")
    assert page.status_code == 200, page.text[:500]
    data = editor_data(page.text)
    assert data["id"] == template["id"]
    assert [p["index"] for p in data["pages"]] == [0, 1]
    assert data["pages"][0]["width"] == pytest.approx(595.28, abs=0.1)
    assert data["roles"] == ["Client"]
    assert data["fields"] == []
    assert len(data["types"]) == 19
    assert data["saveUrl"] == f"/smart-documents/{template['id']}/edit/fields"
    assert data["strings"]["saved"] == "Saved"
    # The palette, the pages with their lazy images, the tools and the properties' form.
    assert page.text.count('data-type="') == 19
    assert page.text.count('loading="lazy"') == 4
    assert 'data-action="undo"' in page.text and 'data-action="repeat"' in page.text
    assert 'role="status" aria-live="polite"' in page.text
    assert '<form class="ed-props-form"' in page.text
    assert "style=" not in page.text
    assert f"/smart-documents/{template['id']}/preview" in page.text


async def test_the_editor_speaks_french(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    template = await template_of(portico)
    await staff_site(site, accounts, locale="fr")
    page = await site.get(f"/smart-documents/{template['id']}/edit")
    data = editor_data(page.text)
    assert data["strings"]["saved"] == "Enregistré"
    assert {t["value"]: t["label"] for t in data["types"]}["checkbox"] == "Case à cocher"
    assert "Annuler" in page.text


async def test_fields_are_saved_and_come_back_with_their_ids(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    template = await template_of(portico)
    await staff_site(site, accounts)
    await site.get(f"/smart-documents/{template['id']}/edit")
    fields = [field("Signature", "signature"), field("Agree", "checkbox", y=0.5, w=0.03, h=0.02)]
    saved = await save(site, template["id"], fields)
    assert saved.status_code == 200, saved.text
    answer = saved.json()["fields"]
    assert [f["name"] for f in answer] == ["Signature", "Agree"]
    assert all(f["id"] for f in answer)

    # Saved again with their ids, they keep them; the editor shows them on reload.
    moved = [answer[0] | {"x": 0.5}, answer[1]]
    again = await save(site, template["id"], moved)
    assert [f["id"] for f in again.json()["fields"]] == [f["id"] for f in answer]
    page = await site.get(f"/smart-documents/{template['id']}/edit")
    data = editor_data(page.text)
    assert data["fields"][0]["x"] == 0.5
    assert data["fields"][0]["id"] == answer[0]["id"]


async def test_bad_fields_are_refused_naming_the_field_at_fault(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    template = await template_of(portico)
    await staff_site(site, accounts)
    await site.get(f"/smart-documents/{template['id']}/edit")
    fields = [
        field("Quantity", "number"),
        field("Total", "number", formula="{Quantity} * {Nothing}"),
        field("Quantity", "text", y=0.6),
    ]
    refused = await save(site, template["id"], fields)
    assert refused.status_code == 422, refused.text
    errors = refused.json()["errors"]
    assert {key: errors[0][key] for key in ("index", "name", "property")} == {
        "index": 2,
        "name": "Quantity",
        "property": "name",
    }
    assert "Quantity" in errors[0]["message"]

    # A field off its page is refused by its schema, named the same way.
    off = await save(site, template["id"], [field("Wide", x=0.9, w=0.3)])
    assert off.status_code == 422
    assert off.json()["errors"][0]["index"] == 0
    assert off.json()["errors"][0]["name"] == "Wide"

    # Nothing was saved.
    page = await site.get(f"/smart-documents/{template['id']}/edit")
    assert editor_data(page.text)["fields"] == []


async def test_a_refused_field_is_explained_in_french(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    template = await template_of(portico)
    await staff_site(site, accounts, locale="fr")
    await site.get(f"/smart-documents/{template['id']}/edit")
    fields = [
        field("Quantité", "number"),
        field("Total", "number", formula="{Quantité} * {Prix}", y=0.3),
        field("Accord", "radio", y=0.5),
        field("Société", prefill="{{client.nom}}", y=0.7),
    ]
    refused = await save(site, template["id"], fields)
    assert refused.status_code == 422, refused.text
    messages = {error["name"]: error["message"] for error in refused.json()["errors"]}
    assert messages == {
        "Accord": "Donnez au moins une option.",
        "Société": "Valeur inconnue : {{client.nom}}",
    }
    # Once those are right, the formula's unknown field is the one left, in French too.
    fields[2] |= {"options": ["Oui", "Non"]}
    fields[3] |= {"prefill": "{{client.name}}"}
    refused = await save(site, template["id"], fields)
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    assert (error["name"], error["message"]) == ("Total", "Aucun champ ne s’appelle « Prix ».")


async def test_saving_without_the_csrf_token_is_refused(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    template = await template_of(portico)
    await staff_site(site, accounts)
    refused = await site.http.post(
        f"/smart-documents/{template['id']}/edit/fields", json={"fields": [field("Name")]}
    )
    assert refused.status_code == 403
    wrong = await save(site, template["id"], [field("Name")], **{"X-CSRF-Token": "nope"})
    assert wrong.status_code == 403


async def test_a_client_cannot_open_the_editor_nor_save(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    template = await template_of(portico)
    client = await accounts.client_with_contact()
    email = await accounts.client_account(client)
    await site.log_in(email)
    page = await site.get(f"/smart-documents/{template['id']}/edit")
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login")
    refused = await save(site, template["id"], [field("Name")])
    assert refused.status_code == 303
    preview = await site.get(f"/smart-documents/{template['id']}/preview")
    assert preview.status_code == 303


async def test_a_page_not_rendered_yet_says_when_to_ask_again(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    # The last of 200 pages: the job renders ten at a time, seconds after the upload.
    template = await template_of(portico, pages=200)
    await staff_site(site, accounts)
    answer = await site.get(f"/smart-documents/{template['id']}/pages/199/preview?width=1200")
    assert answer.status_code == 404
    assert answer.headers["retry-after"] == "2"


async def test_the_preview_shows_fields_with_sample_values(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    template = await template_of(portico)
    await staff_site(site, accounts)
    await site.get(f"/smart-documents/{template['id']}/edit")
    fields = [
        field("Company", prefill="{{client.name}}"),
        field("Agree", "checkbox", y=0.5, w=0.03, h=0.02),
        field("Signature", "signature", page=1),
    ]
    assert (await save(site, template["id"], fields)).status_code == 200
    samples = (
        await portico.http.get(
            f"/api/signing/v1/templates/{template['id']}/prefills",
            headers=portico.headers("staff"),
        )
    ).json()
    preview = await site.get(f"/smart-documents/{template['id']}/preview")
    assert preview.status_code == 200, preview.text[:500]
    assert "Preview: sample values" in preview.text
    assert samples["Company"]
    assert f'value="{html.escape(samples["Company"])}"' in preview.text
    assert preview.text.count('class="pv-field"') == 3
    assert 'aria-label="Agree"' in preview.text
    assert "style=" not in preview.text

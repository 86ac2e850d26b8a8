"""The staff's smart-document pages: the list and its filters, a new one from a file or from
blank pages (and the refusals, in the user's language), a template's page and its settings,
duplicate, archive, restore, delete, the previews, and who may see them."""

from __future__ import annotations

import asyncio
import html
import io
import re
from typing import Any

import httpx
import pytest
from pypdf import PdfReader, PdfWriter

from portico.gateway.areas.signing.pages import templates as pages
from portico.gateway.areas.signing.pages.templates import refusal_text
from portico.gateway.testing import Accounts, Site
from portico.gateway.web.i18n import reset_locale, use_locale
from portico.kit.testing.services import RunningPortico
from portico.pdf.testing import pdf_with_text, write

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

API = "/api/signing/v1"
EDITOR = re.compile(r"^/smart-documents/([0-9a-f-]{36})/edit$")
TEMPLATE = re.compile(r"^/smart-documents/([0-9a-f-]{36})$")


async def api(
    portico: RunningPortico, method: str, path: str, expected: int = 200, **kwargs: Any
) -> Any:
    response = await portico.http.request(
        method, f"{API}{path}", headers=portico.headers("admin"), **kwargs
    )
    assert response.status_code == expected, response.text
    return response.json() if response.content else None


async def make_template(portico: RunningPortico, name: str, pages: int = 1) -> dict[str, Any]:
    body = {"name": name, "pages": pages, "size": "A4", "titles": []}
    return dict(await api(portico, "POST", "/blank-templates", 201, json=body))


def toast(page: httpx.Response) -> str:
    found = re.search(r'<div class="toast toast-(\w+)">([^<]*)</div>', page.text)
    assert found, "no toast on the page"
    return f"{found.group(1)}: {html.unescape(found.group(2))}"


def results(page: httpx.Response) -> str:
    return page.text.split('id="sd-results"', 1)[1]


def names(page: httpx.Response) -> list[str]:
    return [
        html.unescape(name)
        for name in re.findall(r'<a class="client-name" href="[^"]+">([^<]*)</a>', results(page))
    ]


def field_error(page: httpx.Response, name: str) -> str:
    found = re.search(rf'<p class="field-error" id="error-{name}"[^>]*>([^<]*)</p>', page.text)
    assert found, f"no error beside {name}"
    return html.unescape(found.group(1))


async def upload(
    site: Site, content: bytes, filename: str = "contract.pdf", **extra: Any
) -> httpx.Response:
    if not site.csrf:
        await site.get("/smart-documents/new")
    return await site.http.post(
        "/smart-documents/new",
        data={"csrf_token": site.csrf, **extra},
        files={"file": (filename, content, "application/pdf")},
    )


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_with_text("secret"))))
    writer.encrypt(user_password="user", owner_password="owner")
    return write(writer)


async def test_the_list_searches_and_switches_to_the_archived_ones(
    site: Site, accounts: Accounts, portico: RunningPortico, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff = await accounts.staff("staff")
    await site.log_in(staff["email"])
    empty = await site.get("/smart-documents")
    assert empty.status_code == 200
    assert "No smart document yet" in empty.text
    assert 'href="/smart-documents/new"' in empty.text

    letter = await make_template(portico, "Engagement letter", pages=2)
    await make_template(portico, "Onboarding form")
    old = await make_template(portico, "Old mandate")
    await api(portico, "POST", f"/templates/{old['id']}/archive")
    await api(portico, "PATCH", f"/templates/{letter['id']}", json={"auto_assign": True})

    listed = await site.get("/smart-documents")
    assert listed.status_code == 200
    assert sorted(names(listed)) == ["Engagement letter", "Onboarding form"]
    region = results(listed)
    assert f'href="/smart-documents/{letter["id"]}"' in region
    assert f'href="/smart-documents/{letter["id"]}/edit"' in region
    assert "Blank pages" in region
    assert "Not sendable" in region
    assert "It has no field for a signer to fill in or sign yet." in region
    assert "Assigned to new clients" in region
    assert "2 smart documents" in region

    searched = await site.get("/smart-documents", params={"q": "letter"})
    assert names(searched) == ["Engagement letter"]
    nothing = await site.get("/smart-documents", params={"q": "invoice"})
    assert "No smart document matches" in nothing.text

    archived = await site.get("/smart-documents", params={"archived": "1"})
    assert names(archived) == ["Old mandate"]
    assert re.search(r'href="/smart-documents\?archived=1" aria-current="page"', archived.text)

    # Pages of the list, the search kept from one to the next.
    monkeypatch.setattr(pages, "PAGE_SIZE", 1)
    first = await site.get("/smart-documents", params={"q": "n"})
    assert len(names(first)) == 1
    found = re.search(r'<a class="button" href="\?([^"]+)" rel="next">', first.text)
    assert found
    second = await site.get(f"/smart-documents?{html.unescape(found.group(1))}")
    assert len(names(second)) == 1 and names(second) != names(first)
    assert 'rel="prev"' in second.text
    assert "q=n" in found.group(1)
    monkeypatch.undo()

    # A hand-edited address is a page, never an error.
    for params in ({"offset": "-3"}, {"offset": "many"}, {"q": "x" * 500}, {"archived": "maybe"}):
        assert (await site.get("/smart-documents", params=params)).status_code == 200


async def test_a_document_uploaded_opens_in_the_editor(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    staff = await accounts.staff("staff")
    await site.log_in(staff["email"])
    form = await site.get("/smart-documents/new")
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in form.text
    assert f'data-max-bytes="{25 * 1_048_576}"' in form.text
    assert "/static/js/upload.js?v=" in form.text
    ids = re.findall(r'\bid="([^"]+)"', form.text)
    assert len(ids) == len(set(ids)), "two elements share an id"

    sent = await upload(site, pdf_with_text("one", "two"), name="Engagement letter")
    assert sent.status_code == 303, sent.text[:2000]
    found = EDITOR.match(sent.headers["location"])
    assert found
    template = await api(portico, "GET", f"/templates/{found.group(1)}")
    assert template["name"] == "Engagement letter"
    assert template["page_count"] == 2
    assert template["source_kind"] == "pdf"

    # As upload.js sends it: the answer is where to go.
    answer = await site.http.post(
        "/smart-documents/new",
        data={"name": ""},
        files={"file": ("Mandate.pdf", pdf_with_text("mandate"), "application/pdf")},
        headers={"Accept": "application/json", "X-CSRF-Token": site.csrf},
    )
    assert answer.status_code == 200, answer.text
    found = EDITOR.match(answer.json()["redirect"])
    assert found
    assert (await api(portico, "GET", f"/templates/{found.group(1)}"))["name"] == "Mandate"


async def test_a_refused_document_says_why_beside_the_file(site: Site, accounts: Accounts) -> None:
    staff = await accounts.staff("staff")
    await site.log_in(staff["email"])

    nothing = await site.post("/smart-documents/new", {"name": "Nothing"})
    assert nothing.status_code == 422
    assert field_error(nothing, "file") == "Choose a document to upload."

    # The type is read from the content, not the name: a text named .pdf is a text (a
    # table), but bytes of nothing known, or a broken PDF, are refused.
    unknown = await upload(site, bytes(range(256)) * 8, "archive.pdf")
    assert unknown.status_code == 415
    assert field_error(unknown, "file") == (
        "This kind of file is not accepted: upload a PDF, an image (JPEG, PNG, TIFF, WebP, "
        "HEIC), a Word or OpenDocument text, an RTF or a CSV file."
    )
    broken = await upload(site, pdf_with_text("cut")[:300], "cut.pdf")
    assert broken.status_code == 422
    assert field_error(broken, "file") == (
        "The file is damaged or not what its type says, and cannot be read."
    )

    locked = await upload(site, encrypted_pdf(), "locked.pdf")
    assert locked.status_code == 422
    assert field_error(locked, "file") == (
        "The file is protected by a password: remove the password and upload it again."
    )
    assert 'aria-invalid="true"' in locked.text

    answer = await site.http.post(
        "/smart-documents/new",
        files={"file": ("locked.pdf", encrypted_pdf(), "application/pdf")},
        headers={"Accept": "application/json", "X-CSRF-Token": site.csrf},
    )
    assert answer.status_code == 422
    assert answer.json()["errors"]["file"].startswith("The file is protected by a password")


async def test_refusals_are_in_french_for_a_french_speaker(site: Site, accounts: Accounts) -> None:
    staff = await accounts.staff("staff", locale="fr")
    await site.log_in(staff["email"])
    form = await site.get("/smart-documents/new")
    assert '<html lang="fr">' in form.text
    locked = await upload(site, encrypted_pdf(), "verrouillé.pdf")
    assert locked.status_code == 422
    assert field_error(locked, "file") == (
        "Le fichier est protégé par un mot de passe\u00a0: retirez le mot de passe, puis "
        "envoyez-le de nouveau."
    )


async def test_a_blank_template_opens_in_the_editor(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    staff = await accounts.staff("staff")
    await site.log_in(staff["email"])
    refused = await site.post(
        "/smart-documents/new/blank", {"blank_name": "", "pages": "80", "size": "A5", "titles": ""}
    )
    assert refused.status_code == 422
    assert field_error(refused, "blank_name") == "This field is required."
    assert field_error(refused, "pages") == "Enter a number of pages from 1 to 50."
    assert field_error(refused, "size") == "Choose one of the options."
    too_many = await site.post(
        "/smart-documents/new/blank",
        {"blank_name": "Form", "pages": "1", "size": "A4", "titles": "One\nTwo"},
    )
    assert too_many.status_code == 422
    assert "more titles than pages" in field_error(too_many, "titles")

    made = await site.post(
        "/smart-documents/new/blank",
        {
            "blank_name": "Onboarding form",
            "pages": "2",
            "size": "Letter",
            "titles": "About you\r\n\r\n",
        },
    )
    assert made.status_code == 303, made.text[:2000]
    found = EDITOR.match(made.headers["location"])
    assert found
    template = await api(portico, "GET", f"/templates/{found.group(1)}")
    assert (template["name"], template["page_count"]) == ("Onboarding form", 2)
    assert template["pages"][0]["width"] == 612  # Letter, in points


async def test_the_settings_are_saved_and_refused_beside_their_inputs(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    staff = await accounts.staff("staff")
    await site.log_in(staff["email"])
    template = await make_template(portico, "Engagement letter")
    path = f"/smart-documents/{template['id']}"
    page = await site.get(path)
    assert page.status_code == 200
    assert "<h1>Engagement letter</h1>" in page.text
    assert f'href="{path}/edit"' in page.text
    assert f'src="{path}/pages/0/preview?width=300"' in page.text
    assert "cannot be sent yet" in page.text

    saved = await site.post(
        path,
        {
            "name": "Letter of engagement",
            "roles": "Client\r\nCompany\r\nclient\r\n",
            "ordered": "true",
            "auto_assign": "true",
            "allow_forwarding": "true",
            "identity_check": "sms_code",
        },
    )
    assert saved.status_code == 303, saved.text[:2000]
    shown = await site.follow(saved)
    assert toast(shown) == "success: The settings are saved."
    stored = await api(portico, "GET", f"/templates/{template['id']}")
    assert stored["name"] == "Letter of engagement"
    assert [role["name"] for role in stored["roles"]] == ["Client", "Company"]
    assert stored["ordered"] is True and stored["auto_assign"] is True
    assert stored["allow_forwarding"] is True and stored["identity_check"] == "sms_code"
    assert re.search(r'name="auto_assign" value="true" checked', shown.text)
    assert re.search(r'<option value="sms_code" selected', shown.text)

    unticked = await site.post(path, {"name": "Letter of engagement", "roles": "Client"})
    assert unticked.status_code == 303
    stored = await api(portico, "GET", f"/templates/{template['id']}")
    assert stored["ordered"] is False and stored["auto_assign"] is False
    assert stored["allow_forwarding"] is False and stored["identity_check"] == "none"

    no_role = await site.post(path, {"name": "Letter", "roles": " \n "})
    assert no_role.status_code == 422
    assert field_error(no_role, "roles") == "Name at least one role."
    no_name = await site.post(path, {"name": "", "roles": "Client"})
    assert no_name.status_code == 422
    assert field_error(no_name, "name") == "This field is required."
    long_name = await site.post(path, {"name": "x" * 201, "roles": "Client"})
    assert long_name.status_code == 422
    assert field_error(long_name, "name") == "This is too long: at most 200 characters."
    long_role = await site.post(path, {"name": "Letter", "roles": "r" * 101})
    assert long_role.status_code == 422
    assert "at most 100 characters" in field_error(long_role, "roles")


async def test_duplicate_archive_restore_and_delete(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    staff = await accounts.staff("staff")
    await site.log_in(staff["email"])
    template = await make_template(portico, "Mandate")
    path = f"/smart-documents/{template['id']}"

    copied = await site.post(f"{path}/duplicate")
    assert copied.status_code == 303
    found = TEMPLATE.match(copied.headers["location"])
    assert found and found.group(1) != template["id"]
    copy = await site.follow(copied)
    assert "<h1>Mandate (copy)</h1>" in copy.text

    archived = await site.post(f"{path}/archive")
    assert archived.status_code == 303
    page = await site.follow(archived)
    assert "is archived" in toast(page)
    assert f'action="{path}/restore"' in page.text
    assert (await api(portico, "GET", f"/templates/{template['id']}"))["archived"] is True
    restored = await site.follow(await site.post(f"{path}/restore"))
    assert toast(restored) == "success: Mandate is restored."
    assert (await api(portico, "GET", f"/templates/{template['id']}"))["archived"] is False

    deleted = await site.post(f"{path}/delete")
    assert deleted.status_code == 303
    assert deleted.headers["location"] == "/smart-documents"
    listed = await site.follow(deleted)
    assert toast(listed) == "success: Mandate is deleted."
    assert names(listed) == ["Mandate (copy)"]
    assert (await site.get(path)).status_code == 404
    assert (await site.post(f"{path}/archive")).status_code == 404
    assert (await site.get("/smart-documents/not-an-id")).status_code == 404


async def test_previews_come_as_webp_once_rendered(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    staff = await accounts.staff("staff")
    await site.log_in(staff["email"])
    sent = await upload(site, pdf_with_text("one", "two", "three"))
    found = EDITOR.match(sent.headers["location"])
    assert found
    base = f"/smart-documents/{found.group(1)}/pages"
    first = await site.get(f"{base}/0/preview?width=300")
    assert first.status_code == 200
    assert first.headers["content-type"] == "image/webp"
    assert first.headers["cache-control"] == "private, max-age=31536000, immutable"
    assert first.content[:4] == b"RIFF" and first.content[8:12] == b"WEBP"

    last: httpx.Response | None = None
    for _attempt in range(100):
        last = await site.get(f"{base}/2/preview?width=1200")
        if last.status_code == 200:
            break
        assert last.status_code == 404 and last.headers["retry-after"]
        await asyncio.sleep(0.1)
    assert last is not None and last.status_code == 200
    assert last.headers["content-type"] == "image/webp"

    for wrong in ("3/preview?width=300", "0/preview?width=64", "x/preview?width=300"):
        assert (await site.get(f"{base}/{wrong}")).status_code == 404


async def test_clients_cannot_open_the_smart_documents(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    template = await make_template(portico, "Mandate")
    client = await accounts.client_with_contact()
    email = await accounts.client_account(client)
    await site.log_in(email)
    for path in (
        "/smart-documents",
        "/smart-documents/new",
        f"/smart-documents/{template['id']}",
        f"/smart-documents/{template['id']}/pages/0/preview?width=300",
    ):
        response = await site.get(path)
        assert response.status_code in {303, 403, 404}, path
        assert "Mandate" not in response.text
    refused = await site.post(f"/smart-documents/{template['id']}/delete")
    assert refused.status_code in {303, 403, 404}
    assert (await api(portico, "GET", f"/templates/{template['id']}"))["name"] == "Mandate"


def refusal(code: str, **members: Any) -> str:
    return refusal_text({"field": "file", "code": code, "message": "English"}, members)


def test_each_refusal_states_the_limit_it_broke_in_english_and_french() -> None:
    token = use_locale("en")
    try:
        assert refusal("too_large", limit=25 * 1_048_576) == "The file is larger than 25 MB."
        assert refusal("too_many_pages", limit=200, count=250) == (
            "The document has 250 pages; at most 200 are accepted."
        )
        assert refusal("too_many_pages", limit=200) == (
            "The document has too many pages: at most 200 are accepted."
        )
        assert refusal("too_many_pixels", limit=50_000_000) == (
            "An image is larger than 50 megapixels: make it smaller."
        )
        assert refusal("conversion_timeout", limit=60.0).startswith(
            "Converting the document took longer than 60 seconds"
        )
        assert "LibreOffice is not installed" in refusal("converter_missing")
        assert refusal("conversion_failed").startswith("The document could not be converted")
        assert refusal("something_new") == "English"
    finally:
        reset_locale(token)
    token = use_locale("fr")
    try:
        assert refusal("too_large", limit=25 * 1_048_576) == "Le fichier dépasse 25\u00a0Mo."
        assert refusal("too_many_pages", limit=200, count=1_250) == (
            "Le document a 1\u202f250 pages\u00a0; 200 au plus sont acceptées."
        )
        assert refusal("conversion_timeout", limit=60) == (
            "La conversion du document a duré plus de 60 secondes\u00a0: enregistrez-le en PDF "
            "et envoyez ce PDF."
        )
        assert refusal("converter_missing").startswith(
            "Les fichiers Word et OpenDocument ne peuvent pas être convertis"
        )
    finally:
        reset_locale(token)


async def test_the_service_states_the_limit_of_a_refused_upload(portico: RunningPortico) -> None:
    response = await portico.http.post(
        f"{API}/templates",
        files={"file": ("locked.pdf", encrypted_pdf(), "application/pdf")},
        headers=portico.headers("admin"),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "encrypted"
    big = await portico.http.post(
        f"{API}/templates",
        files={"file": ("big.pdf", b"%PDF-1.7\n" + b"0" * (25 * 1_048_576 + 1), "application/pdf")},
        headers=portico.headers("admin"),
    )
    assert big.status_code == 413
    assert big.json()["limit"] == 25 * 1_048_576

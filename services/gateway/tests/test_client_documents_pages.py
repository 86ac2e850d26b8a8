"""A client's documents, for staff: the page lists every type asked of the client with its
state; staff upload (admin-only types too), accept, reject with the reason the client
reads, change the data, download, preview and delete; each refusal of the documents
service is shown beside its input; the client's page has a card that sums it up; a client
contact reaches none of it."""

from __future__ import annotations

import asyncio
import html
import json
import re
import time
import uuid
from typing import Any

import httpx
import pytest

from portico.documents.testing import CONTRACT, DOCUMENTS, KBIS, make_type, pdf_file, png_file
from portico.documents.testing import ID_CARD as ANY_ID_CARD
from portico.gateway.testing import Accounts, Site
from portico.kit.testing.services import RunningPortico

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

# Its formats said in the refusals' words: "PDF or PNG".
ID_CARD = {**ANY_ID_CARD, "formats": ["pdf", "png"]}
INSURANCE = {
    "name_en": "Insurance certificate",
    "name_fr": "Attestation d'assurance",
    "upload_mode": "required",
    "formats": ["pdf"],
    "max_size_mib": 5,
}
VALID = {"number": "X4RTBPFW4", "valid_until": "2031-05-02"}


async def known_to_documents(portico: RunningPortico, client: dict[str, Any]) -> None:
    """Waits until the documents service has learnt of the client from the portal."""
    deadline = time.monotonic() + 30
    while (await service_checklist(portico, client, expected=None)).status_code == 404:
        assert time.monotonic() < deadline, "the documents service never learnt of the client"
        await asyncio.sleep(0.05)


async def service_checklist(
    portico: RunningPortico, client: dict[str, Any], expected: int | None = 200
) -> Any:
    response = await portico.http.get(
        f"{DOCUMENTS}/clients/{client['id']}/documents", headers=portico.headers("staff")
    )
    if expected is None:
        return response
    assert response.status_code == expected, response.text
    return response.json()


async def service_document(
    portico: RunningPortico, client: dict[str, Any], document_type: dict[str, Any]
) -> dict[str, Any] | None:
    checklist = await service_checklist(portico, client)
    [item] = [i for i in checklist["items"] if i["document_type"]["id"] == document_type["id"]]
    document: dict[str, Any] | None = item["document"]
    return document


async def contact_upload(
    portico: RunningPortico,
    client: dict[str, Any],
    document_type: dict[str, Any],
    content: bytes,
    data: dict[str, Any],
) -> dict[str, Any]:
    headers = portico.headers(
        "client", client_id=client["id"], contact_id=client["contacts"][0]["id"]
    )
    response = await portico.http.post(
        f"{DOCUMENTS}/my-documents",
        data={"document_type_id": document_type["id"], "data": json.dumps(data)},
        files={"file": ("carte.pdf", content, "application/pdf")},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    uploaded: dict[str, Any] = response.json()
    return uploaded


async def staff_site(site: Site, accounts: Accounts) -> Site:
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    return site


async def new_client(accounts: Accounts, portico: RunningPortico) -> dict[str, Any]:
    client = await accounts.client_with_contact("Atelier Lumière")
    await known_to_documents(portico, client)
    return client


def page_of(client: dict[str, Any]) -> str:
    return f"/clients/{client['id']}/documents"


def card(page: httpx.Response, document_type: dict[str, Any]) -> str:
    """The section of the page about one document type."""
    found = re.search(
        rf'<section class="card cd-item[^"]*" id="type-{document_type["id"]}".*?</section>',
        page.text,
        re.S,
    )
    assert found, f"no card for {document_type['name_en']}"
    return html.unescape(found.group(0))


def state(page: httpx.Response, document_type: dict[str, Any]) -> str:
    found = re.search(r'<span class="badge[^"]*">([^<]+)</span>', card(page, document_type))
    assert found
    return found.group(1)


def field_error(section: str, name: str) -> str:
    """The error shown beside an input of a card (its ``aria-describedby`` target)."""
    found = re.search(rf'name="{re.escape(name)}"[^>]*aria-invalid="true"', section, re.S)
    assert found, f"no error on {name}"
    error = re.search(
        r'<p class="field-error" id="[^"]*">([^<]+)</p>', section[found.end() :], re.S
    )
    assert error
    return error.group(1)


def text_of(fragment: str) -> str:
    """What a reader sees of some HTML: its text, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def toast(page: httpx.Response) -> str:
    found = re.search(r'<div class="toast toast-(\w+)">([^<]*)</div>', page.text)
    assert found, "no toast on the page"
    return f"{found.group(1)}: {html.unescape(found.group(2))}"


def summary(page: httpx.Response) -> str:
    found = re.search(r'<p class="cd-summary[^"]*">\s*(.*?)\s*</p>', page.text, re.S)
    assert found
    return html.unescape(found.group(1))


async def test_the_page_shows_each_type_asked_and_staff_upload_an_admin_only_one(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    id_card = await make_type(portico, portico.headers("admin"), ID_CARD)
    kbis = await make_type(portico, portico.headers("admin"), KBIS)
    insurance = await make_type(portico, portico.headers("admin"), INSURANCE)
    contract = await make_type(portico, portico.headers("admin"), CONTRACT)
    client = await new_client(accounts, portico)
    await contact_upload(portico, client, insurance, pdf_file(), {})
    await staff_site(site, accounts)

    page = await site.get(page_of(client))
    assert page.status_code == 200
    assert "Atelier Lumière" in page.text
    assert f'<a href="/clients/{client["id"]}">Atelier Lumière</a>' in page.text
    assert summary(page) == "2 required documents outstanding."
    assert state(page, id_card) == "Missing"
    assert state(page, insurance) == "In review"
    assert state(page, contract) == "Missing"
    assert "required" in card(page, id_card) and "staff only" in card(page, contract)
    assert "Both sides, readable." in card(page, id_card)
    # The Kbis is asked only of companies.
    assert f'id="type-{kbis["id"]}"' not in page.text
    assert "Company registration" not in page.text

    uploaded = await site.post(
        page_of(client),
        {"document_type_id": contract["id"]},
        files={"file": ("contrat.pdf", pdf_file(), "application/pdf")},
    )
    assert uploaded.status_code == 303, uploaded.text[:2000]
    assert uploaded.headers["location"] == f"{page_of(client)}#type-{contract['id']}"
    after = await site.follow(uploaded)
    assert toast(after) == "success: Internal contract is uploaded and accepted."
    assert state(after, contract) == "Accepted"
    assert "contrat.pdf" in card(after, contract)
    assert "Léa Martin (staff)" in card(after, contract)
    document = await service_document(portico, client, contract)
    assert document is not None
    assert document["state"] == "accepted" and document["uploaded_by_kind"] == "staff"
    assert document["file_name"] == "contrat.pdf"


async def test_a_contacts_document_is_accepted_then_another_rejected_with_the_reason(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    id_card = await make_type(portico, portico.headers("admin"), ID_CARD)
    client = await new_client(accounts, portico)
    await staff_site(site, accounts)
    first = await contact_upload(portico, client, id_card, pdf_file(), VALID)
    base = f"{page_of(client)}/{first['id']}"

    page = await site.get(page_of(client))
    assert state(page, id_card) == "In review"
    assert summary(page) == "1 required document outstanding."
    assert "Camille Durand (client)" in card(page, id_card)
    assert "X4RTBPFW4" in card(page, id_card)
    accepted = await site.follow(await site.post(f"{base}/accept"))
    assert toast(accepted) == "success: ID card is accepted."
    assert state(accepted, id_card) == "Accepted"
    assert summary(accepted) == "All required documents are accepted."
    assert (await service_document(portico, client, id_card) or {})["state"] == "accepted"

    # The contact sends another: it replaces the first (same document), waiting for review.
    second = await contact_upload(portico, client, id_card, pdf_file(), VALID)
    assert second["id"] == first["id"]
    waiting = await site.get(page_of(client))
    assert state(waiting, id_card) == "In review"

    # A rejection needs the reason the client reads: refused beside the input, nothing changes.
    refused = await site.post(f"{base}/reject", {"reason": "  "})
    assert refused.status_code == 422
    section = card(refused, id_card)
    assert field_error(section, "reason") == (
        "Say why it is rejected: the client reads the reason to send a better one."
    )
    assert '<details class="client-disclosure" open>' in section
    assert (await service_document(portico, client, id_card) or {})["state"] == "in_review"

    reason = "The back of the card is missing."
    rejected = await site.follow(await site.post(f"{base}/reject", {"reason": reason}))
    assert toast(rejected) == "success: ID card is rejected; the client is told why."
    assert state(rejected, id_card) == "Rejected"
    assert f"Rejected: {reason}" in text_of(card(rejected, id_card))
    document = await service_document(portico, client, id_card)
    assert document is not None
    assert document["state"] == "rejected" and document["reason"] == reason


async def test_staff_uploads_are_checked_then_data_changed_downloaded_previewed_and_deleted(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    id_card = await make_type(portico, portico.headers("admin"), ID_CARD)
    client = await new_client(accounts, portico)
    await staff_site(site, accounts)
    image = png_file()

    # Refusals of the documents service, beside the input at fault.
    wrong = await site.post(
        page_of(client),
        {"document_type_id": id_card["id"], "data.number": "X4", "data.valid_until": "2031-05-02"},
        files={"file": ("notes.txt", b"just some text", "text/plain")},
    )
    assert wrong.status_code == 422
    section = card(wrong, id_card)
    assert field_error(section, "file") == "This file is not accepted here: send PDF or PNG."
    assert 'value="X4"' in section  # what was typed stays
    too_big = await site.post(
        page_of(client),
        {"document_type_id": id_card["id"], **{f"data.{k}": v for k, v in VALID.items()}},
        files={"file": ("big.pdf", b"%PDF-1.7\n" + b"0" * (2 * 1024 * 1024), "application/pdf")},
    )
    assert too_big.status_code == 422
    assert field_error(card(too_big, id_card), "file") == "This file is too large: at most 2 MB."
    no_number = await site.post(
        page_of(client),
        {"document_type_id": id_card["id"], "data.valid_until": "2031-05-02"},
        files={"file": ("card.png", image, "image/png")},
    )
    assert no_number.status_code == 422
    assert field_error(card(no_number, id_card), "data.number") == "This field is required."
    no_file = await site.post(page_of(client), {"document_type_id": id_card["id"]})
    assert no_file.status_code == 422
    assert field_error(card(no_file, id_card), "file") == "Choose a file to upload."
    assert await service_document(portico, client, id_card) is None

    uploaded = await site.post(
        page_of(client),
        {"document_type_id": id_card["id"], **{f"data.{k}": v for k, v in VALID.items()}},
        files={"file": ("card.png", image, "image/png")},
    )
    assert uploaded.status_code == 303, uploaded.text[:2000]
    page = await site.follow(uploaded)
    assert state(page, id_card) == "Accepted"
    document = await service_document(portico, client, id_card)
    assert document is not None and document["expires_on"] == "2031-05-02"
    base = f"{page_of(client)}/{document['id']}"
    assert f'src="{base}/preview' in card(page, id_card)
    assert "May 2, 2031" in card(page, id_card)

    # The data: a bad date is refused beside its input, and nothing changes.
    bad = await site.post(f"{base}/data", {"data.number": "X4", "data.valid_until": "2031-13-02"})
    assert bad.status_code == 422
    assert field_error(card(bad, id_card), "data.valid_until") == "Enter a valid date."
    unchanged = await service_document(portico, client, id_card)
    assert unchanged is not None and unchanged["data"] == VALID
    saved = await site.follow(
        await site.post(f"{base}/data", {"data.number": "Y777", "data.valid_until": "2032-01-15"})
    )
    assert toast(saved) == "success: The data of ID card is saved."
    assert "Y777" in card(saved, id_card) and "Jan 15, 2032" in card(saved, id_card)
    changed = await service_document(portico, client, id_card)
    assert changed is not None
    assert changed["data"] == {"number": "Y777", "valid_until": "2032-01-15"}
    assert changed["expires_on"] == "2032-01-15"

    # The file, saved or opened in the browser, and its preview.
    downloaded = await site.get(f"{base}/file")
    assert downloaded.status_code == 200 and downloaded.content == image
    assert downloaded.headers["content-type"] == "image/png"
    assert downloaded.headers["content-disposition"].startswith("attachment")
    assert "card.png" in downloaded.headers["content-disposition"]
    viewed = await site.get(f"{base}/view")
    assert viewed.content == image and viewed.headers["content-disposition"].startswith("inline")
    preview = await site.get(f"{base}/preview")
    assert preview.status_code == 200 and preview.headers["content-type"] == "image/webp"
    assert preview.content[:4] == b"RIFF" and preview.content[8:12] == b"WEBP"

    deleted = await site.post(f"{base}/delete")
    assert deleted.status_code == 303
    after = await site.follow(deleted)
    assert toast(after) == "success: The document ID card is deleted."
    assert state(after, id_card) == "Missing"
    assert await service_document(portico, client, id_card) is None
    assert (await site.get(f"{base}/file")).status_code == 404


async def test_the_client_page_card_counts_what_is_outstanding(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    await make_type(portico, portico.headers("admin"), ID_CARD)
    insurance = await make_type(portico, portico.headers("admin"), INSURANCE)
    contract = await make_type(portico, portico.headers("admin"), CONTRACT)
    client = await new_client(accounts, portico)
    await staff_site(site, accounts)
    panel_url = f"/clients/{client['id']}/documents/panel"
    client_page = await site.get(f"/clients/{client['id']}")
    assert f'hx-get="{panel_url}"' in client_page.text

    panel = await site.get(panel_url, headers={"HX-Request": "true"})
    assert panel.status_code == 200
    assert "2 required documents outstanding" in panel.text
    for name in ("ID card", "Insurance certificate", "Internal contract"):
        assert name in panel.text
    assert "<html" not in panel.text  # a fragment, not a page

    await contact_upload(portico, client, insurance, pdf_file(), {})
    uploaded = await site.post(
        page_of(client),
        {"document_type_id": contract["id"]},
        files={"file": ("contrat.pdf", pdf_file(), "application/pdf")},
    )
    assert uploaded.status_code == 303
    panel = await site.get(panel_url, headers={"HX-Request": "true"})
    # What waits for staff comes first.
    items = re.findall(
        r'<li>\s*<a href="[^"]+">([^<]+)</a>\s*<span class="[^"]+">([^<]+)</span>', panel.text
    )
    assert items[0] == ("Insurance certificate", "In review")
    assert ("Internal contract", "Accepted") in items and ("ID card", "Missing") in items

    # A client the documents service does not know (yet): an empty card, not an error.
    unknown = await site.get(f"/clients/{uuid.uuid4()}/documents/panel")
    assert unknown.status_code == 200
    assert "No document is asked of this client" in unknown.text
    assert (await site.get("/clients/nope/documents/panel")).status_code == 404


async def test_a_client_asked_for_nothing_says_so_and_an_unknown_one_is_not_found(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    client = await new_client(accounts, portico)
    await staff_site(site, accounts)
    # Nothing is asked of clients yet: the page says so, and where types are defined.
    empty = await site.get(page_of(client))
    assert empty.status_code == 200
    assert "No document is asked of this client" in empty.text
    assert 'href="/settings/documents"' in empty.text
    for path in (f"/clients/{uuid.uuid4()}/documents", "/clients/not-an-id/documents"):
        page = await site.get(path)
        assert page.status_code == 404, path
        assert "Page not found" in page.text


async def test_a_client_contact_reaches_none_of_these_pages(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    id_card = await make_type(portico, portico.headers("admin"), ID_CARD)
    client = await new_client(accounts, portico)
    document = await contact_upload(portico, client, id_card, pdf_file(), VALID)
    await site.log_in(await accounts.client_account(client))
    base = f"{page_of(client)}/{document['id']}"

    for path in (page_of(client), f"{page_of(client)}/panel", f"{base}/file", f"{base}/preview"):
        page = await site.get(path)
        assert page.status_code == 303, path
        assert page.headers["location"].startswith("/login"), path
        assert "X4RTBPFW4" not in page.text
    for path, body in (
        (f"{base}/accept", {}),
        (f"{base}/reject", {"reason": "no"}),
        (f"{base}/data", {"data.number": "HACKED", "data.valid_until": "2031-05-02"}),
        (f"{base}/delete", {}),
    ):
        posted = await site.post(path, body)
        assert posted.status_code == 303, path
        assert posted.headers["location"].startswith("/login"), path
    kept = await service_document(portico, client, id_card)
    assert kept is not None
    assert kept["state"] == "in_review" and kept["data"] == VALID


async def test_type_names_are_in_french_for_a_french_speaking_staff_member(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    id_card = await make_type(portico, portico.headers("admin"), ID_CARD)
    client = await new_client(accounts, portico)
    french = await accounts.staff("staff", locale="fr")
    await site.log_in(french["email"])

    page = await site.get(page_of(client))
    assert page.status_code == 200
    assert "<h2" in card(page, id_card) and "Carte d'identité" in card(page, id_card)
    assert "Recto et verso, lisibles." in card(page, id_card)
    assert "Valable jusqu'au" in card(page, id_card)
    panel = await site.get(f"{page_of(client)}/panel", headers={"HX-Request": "true"})
    assert "Carte d'identité" in html.unescape(panel.text)

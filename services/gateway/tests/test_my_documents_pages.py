"""The client portal's "My documents": a contact sees what is asked of their client with each
document's state, gives a file with its data (refusals beside the card or the field at
fault), downloads and previews what was given, reads why one was rejected; the gate keeps
the rest of the portal closed until the required documents are accepted; a contact never
reaches another client's documents."""

from __future__ import annotations

import asyncio
import html
import re
import time
from typing import Any

import httpx
import pytest

from portico.documents.testing import CONTRACT, ID_CARD, make_type, png_file
from portico.gateway.areas.documents.api import DocumentsApi
from portico.gateway.testing import Accounts, Site
from portico.kit.testing.services import RunningPortico
from portico.pdf.testing import pdf_with_text

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

DOCUMENTS = "/api/documents/v1"
PAGE = "/portal/my-documents"
PROOF = {
    "name_en": "Proof of address",
    "name_fr": "Justificatif de domicile",
    "upload_mode": "required",
    "formats": ["pdf"],
    "max_size_mib": 5,
}
INSURANCE = {
    "name_en": "Insurance certificate",
    "name_fr": "Attestation d'assurance",
    "upload_mode": "optional",
    "formats": ["pdf", "docx"],
    "max_size_mib": 5,
}
VALID = {"data.number": "X4RTBPFW4", "data.valid_until": "2031-05-02"}


async def set_section(portico: RunningPortico, **changes: Any) -> None:
    body = {
        "shown": True,
        "introduction": "<p>Please give us <strong>these documents</strong> first.</p>",
        "required_for_access": False,
        "review": True,
        "reminder_days": 30,
    } | changes
    answered = await portico.http.put(
        f"{DOCUMENTS}/section", json=body, headers=portico.headers("admin")
    )
    assert answered.status_code == 200, answered.text


async def contact_of(
    portico: RunningPortico, accounts: Accounts, name: str = "Atelier Lumière"
) -> tuple[dict[str, Any], str]:
    """A client whose contact joined the portal, once the documents service knows it."""
    client = await accounts.client_with_contact(name)
    email = await accounts.client_account(client)
    deadline = time.monotonic() + 30
    while (await checklist(portico, client, expected=None)).status_code == 404:
        assert time.monotonic() < deadline, "the documents service never learnt of the client"
        await asyncio.sleep(0.05)
    return client, email


async def checklist(
    portico: RunningPortico, client: dict[str, Any], expected: int | None = 200
) -> Any:
    answered = await portico.http.get(
        f"{DOCUMENTS}/clients/{client['id']}/documents", headers=portico.headers("staff")
    )
    if expected is None:
        return answered
    assert answered.status_code == expected, answered.text
    return answered.json()


def state_of(found: dict[str, Any], kind: dict[str, Any]) -> str:
    [item] = [i for i in found["items"] if i["document_type"]["id"] == kind["id"]]
    return str(item["state"])


def card(page: httpx.Response, kind: dict[str, Any]) -> str:
    """One document's card on the page."""
    start = page.text.index(f'id="document-{kind["id"]}"')
    return html.unescape(page.text[start : page.text.index("</li>", start)])


def toast(page: httpx.Response) -> str:
    found = re.search(r'<div class="toast toast-(\w+)">([^<]*)</div>', page.text)
    assert found, "no toast on the page"
    return f"{found.group(1)}: {html.unescape(found.group(2))}"


async def give(
    site: Site,
    kind: dict[str, Any],
    content: bytes,
    name: str = "document.pdf",
    data: dict[str, str] | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """The card's upload form, posted as the browser posts it."""
    return await site.http.post(
        f"{PAGE}/upload",
        data={"csrf_token": site.csrf, "document_type_id": kind["id"], **(data or {})},
        files={"file": (name, content, "application/octet-stream")},
        **kwargs,
    )


async def test_the_page_lists_what_is_asked_and_an_upload_waits_for_review(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    id_card = await make_type(portico, portico.headers("admin"), ID_CARD)
    insurance = await make_type(portico, portico.headers("admin"), INSURANCE)
    contract = await make_type(portico, portico.headers("admin"), CONTRACT)
    await set_section(portico)
    client, email = await contact_of(portico, accounts)
    await site.log_in(email)

    page = await site.get(PAGE)
    assert page.status_code == 200
    assert '<a href="/portal/my-documents" aria-current="page">My documents</a>' in page.text
    assert "<p>Please give us <strong>these documents</strong> first.</p>" in page.text
    first = card(page, id_card)
    assert "ID card" in first and "Both sides, readable." in first
    assert '<span class="badge badge-missing">Missing</span>' in first
    assert '<span class="badge md-required">Required</span>' in first
    assert "PDF, JPEG, or PNG; at most 2 MB." in first
    assert 'accept=".pdf,application/pdf,.jpg,.jpeg,image/jpeg,.png,image/png"' in first
    assert 'name="data.number"' in first and 'type="date"' in first
    assert "Choose a file or take a photo" in first
    assert ">Send<" in first
    second = card(page, insurance)
    assert "Required" not in second and "PDF or Word (.docx); at most 5 MB." in second
    assert "Choose a file or take a photo" not in second
    admin_only = card(page, contract)
    assert "Provided by" in admin_only and "<form" not in admin_only
    # The upload module is the core's, shared with the smart documents' page.
    assert "/static/js/upload.js?v=" in page.text

    pdf = pdf_with_text("Camille Durand, ID card")
    sent = await give(site, id_card, pdf, "carte.pdf", VALID)
    assert sent.status_code == 303, sent.text[:2000]
    assert sent.headers["location"] == f"{PAGE}#document-{id_card['id']}"
    page = await site.follow(sent)
    assert toast(page) == "success: ID card is sent: we will review it shortly."
    given = card(page, id_card)
    assert '<span class="badge badge-pending">In review</span>' in given
    assert "carte.pdf" in given and ">Replace<" in given
    # A replacement starts from the data given.
    assert 'value="X4RTBPFW4"' in given and 'value="2031-05-02"' in given
    assert state_of(await checklist(portico, client), id_card) == "in_review"
    [item] = [i for i in (await checklist(portico, client))["items"] if i["document"]]
    document_id = item["document"]["id"]
    assert item["document"]["data"] == {"number": "X4RTBPFW4", "valid_until": "2031-05-02"}

    download = await site.get(f"{PAGE}/{document_id}/file")
    assert download.status_code == 200
    assert download.content == pdf
    assert download.headers["content-type"] == "application/pdf"
    assert "carte.pdf" in download.headers["content-disposition"]
    preview = await site.get(f"{PAGE}/{document_id}/preview")
    assert preview.status_code == 200, preview.text[:500]
    assert preview.headers["content-type"] == "image/webp"
    assert preview.content[:4] == b"RIFF"
    assert f'src="/portal/my-documents/{document_id}/preview?v=' in given

    # As upload.js sends it: the answer is where to go next.
    again = await give(site, id_card, png_file(), "card.png", VALID, headers=json_headers(site))
    assert again.status_code == 200, again.text
    assert again.json() == {"redirect": f"{PAGE}#document-{id_card['id']}"}


def json_headers(site: Site) -> dict[str, str]:
    return {"Accept": "application/json", "X-CSRF-Token": site.csrf}


async def test_refusals_are_shown_beside_the_card_or_the_field_at_fault(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    id_card = await make_type(portico, portico.headers("admin"), ID_CARD)
    proof = await make_type(portico, portico.headers("admin"), PROOF)
    await set_section(portico)
    client, email = await contact_of(portico, accounts)
    await site.log_in(email)
    await site.get(PAGE)

    # The wrong format: beside the proof's file input, with the formats it takes.
    refused = await give(site, proof, png_file(), "proof.png")
    assert refused.status_code == 415
    mentioned = card(refused, proof)
    error = f'<p class="field-error" id="upload-{proof["id"]}-error-file">'
    assert error + "This file is not accepted here: send PDF.</p>" in mentioned
    assert "error-file" not in card(refused, id_card)
    as_json = await give(site, proof, png_file(), "proof.png", headers=json_headers(site))
    assert as_json.status_code == 415
    assert as_json.json()["errors"] == {"file": "This file is not accepted here: send PDF."}

    # Too large for its type: the limit said.
    large = b"%PDF-1.7\n" + b"0" * (2 * 1024 * 1024 + 10)
    too_large = await give(site, id_card, large, "card.pdf", VALID, headers=json_headers(site))
    assert too_large.status_code == 413
    assert too_large.json()["errors"] == {"file": "This file is too large: at most 2 MB."}

    # A required field left blank: beside that field, what was typed kept.
    blank = await give(site, id_card, pdf_with_text("ID"), "card.pdf", {**VALID, "data.number": ""})
    assert blank.status_code == 422
    shown = card(blank, id_card)
    field_error = f'id="upload-{id_card["id"]}-error-data.number">This field is required.</p>'
    assert field_error in shown
    assert 'value="2031-05-02"' in shown
    as_json = await give(
        site,
        id_card,
        pdf_with_text("ID"),
        "card.pdf",
        {"data.number": "X4"},
        headers=json_headers(site),
    )
    assert as_json.status_code == 422
    assert as_json.json()["errors"] == {"data.valid_until": "This field is required."}
    no_file = await site.http.post(
        f"{PAGE}/upload", data={"csrf_token": site.csrf, "document_type_id": proof["id"]}
    )
    assert no_file.status_code == 422
    assert "Choose the file to send." in card(no_file, proof)
    # Nothing was kept.
    found = await checklist(portico, client)
    assert {item["state"] for item in found["items"]} == {"missing"}


async def test_the_gate_keeps_the_portal_closed_until_the_required_documents_are_accepted(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    id_card = await make_type(portico, portico.headers("admin"), ID_CARD)
    proof = await make_type(portico, portico.headers("admin"), PROOF)
    await make_type(portico, portico.headers("admin"), INSURANCE)
    await set_section(portico, required_for_access=True, review=True)
    client, email = await contact_of(portico, accounts)
    await site.log_in(email)

    for path in ["/portal", "/portal/documents", "/"]:
        held = await site.get(path)
        while held.status_code == 303 and held.headers["location"] != PAGE:
            held = await site.follow(held)
        assert held.status_code == 303 and held.headers["location"] == PAGE, path
    fragment = await site.get("/portal", headers={"HX-Request": "true"})
    assert fragment.status_code == 204 and fragment.headers["hx-redirect"] == PAGE
    page = await site.get(PAGE)
    assert page.status_code == 200
    assert "Your portal opens once the required documents are given." in page.text
    # The gate keeps the way out open, and the pages a person may always open.
    assert (await site.get("/static/js/upload.js")).status_code == 200

    assert (await give(site, id_card, pdf_with_text("ID"), "card.pdf", VALID)).status_code == 303
    assert (await give(site, proof, pdf_with_text("Bill"), "bill.pdf")).status_code == 303
    # Given, not yet accepted: still closed.
    assert (await site.get("/portal")).headers["location"] == PAGE

    # Staff reject one with the reason the client reads, and accept the other.
    found = await checklist(portico, client)
    documents = {
        i["document_type"]["id"]: i["document"]["id"] for i in found["items"] if i["document"]
    }
    path = f"{DOCUMENTS}/clients/{client['id']}/documents"
    staff = portico.headers("admin")
    rejected = await portico.http.post(
        f"{path}/{documents[proof['id']]}/review",
        json={"decision": "rejected", "reason": "The bill is more than three months old."},
        headers=staff,
    )
    assert rejected.status_code == 200, rejected.text
    accepted = await portico.http.post(
        f"{path}/{documents[id_card['id']]}/review", json={"decision": "accepted"}, headers=staff
    )
    assert accepted.status_code == 200, accepted.text
    page = await site.get(PAGE)
    shown = card(page, proof)
    assert '<span class="badge badge-expired">Rejected</span>' in shown
    assert "Reason: The bill is more than three months old." in shown
    assert '<span class="badge badge-accepted">Accepted</span>' in card(page, id_card)
    assert (await site.get("/portal")).headers["location"] == PAGE

    assert (await give(site, proof, pdf_with_text("New bill"), "bill.pdf")).status_code == 303
    again = await portico.http.post(
        f"{path}/{documents[proof['id']]}/review", json={"decision": "accepted"}, headers=staff
    )
    assert again.status_code == 200, again.text
    opened = await site.get("/portal")
    assert opened.status_code == 200, opened.headers
    page = await site.get(PAGE)
    assert "Your portal opens once" not in page.text


async def test_with_review_off_the_gate_opens_once_the_files_are_given(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    proof = await make_type(portico, portico.headers("admin"), PROOF)
    await set_section(portico, required_for_access=True, review=False)
    _client, email = await contact_of(portico, accounts)
    await site.log_in(email)
    assert (await site.get("/portal")).headers["location"] == PAGE
    sent = await give(site, proof, pdf_with_text("Bill"), "bill.pdf")
    page = await site.follow(sent)
    assert toast(page) == "success: Proof of address is saved. Thank you."
    assert '<span class="badge badge-accepted">Accepted</span>' in card(page, proof)
    assert (await site.get("/portal")).status_code == 200


async def test_a_documents_service_down_locks_no_one_out(
    site: Site, accounts: Accounts, portico: RunningPortico, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_type(portico, portico.headers("admin"), PROOF)
    await set_section(portico, required_for_access=True)
    _client, email = await contact_of(portico, accounts)
    await site.log_in(email)
    assert (await site.get("/portal")).headers["location"] == PAGE

    async def unreachable(self: DocumentsApi) -> Any:
        raise httpx.ConnectError("the documents service is down")

    monkeypatch.setattr(DocumentsApi, "my_documents", unreachable)
    home = await site.get("/portal")
    assert home.status_code == 200
    assert 'href="/portal/my-documents"' not in home.text


async def test_a_hidden_section_has_no_page_no_menu_and_no_gate(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    await make_type(portico, portico.headers("admin"), PROOF)
    await set_section(portico, shown=False, required_for_access=True)
    _client, email = await contact_of(portico, accounts)
    await site.log_in(email)
    home = await site.get("/portal")
    assert home.status_code == 200
    assert 'href="/portal/my-documents"' not in home.text
    assert (await site.get(PAGE)).status_code == 404


async def test_a_contact_never_reaches_another_clients_documents(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    proof = await make_type(portico, portico.headers("admin"), PROOF)
    await set_section(portico)
    first, first_email = await contact_of(portico, accounts)
    await site.log_in(first_email)
    await site.get(PAGE)
    assert (await give(site, proof, pdf_with_text("Bill"), "lumiere-bill.pdf")).status_code == 303
    found = await checklist(portico, first)
    [document_id] = [i["document"]["id"] for i in found["items"] if i["document"]]

    _other, other_email = await contact_of(portico, accounts, "Bureau Nord")
    other = Site(portico)
    try:
        await other.log_in(other_email)
        page = await other.get(PAGE)
        assert page.status_code == 200
        assert "lumiere-bill.pdf" not in page.text
        assert '<span class="badge badge-missing">Missing</span>' in card(page, proof)
        for path in [f"{PAGE}/{document_id}/file", f"{PAGE}/{document_id}/preview"]:
            assert (await other.get(path)).status_code == 404, path
        assert (await other.get(f"{PAGE}/not-an-id/file")).status_code == 404
    finally:
        await other.close()
    # Staff do not reach the client portal's files either: their login is another kind.
    assert (await site.get(f"{PAGE}/{document_id}/file")).status_code == 200


async def test_a_client_page_asks_for_the_checklist_once(
    site: Site, accounts: Accounts, portico: RunningPortico, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gate, the menu entry and the page read the same answer."""
    await make_type(portico, portico.headers("admin"), PROOF)
    await set_section(portico, required_for_access=True)
    _client, email = await contact_of(portico, accounts)
    await site.log_in(email)
    calls: list[str] = []
    asked = DocumentsApi.my_documents

    async def counted(self: DocumentsApi) -> Any:
        calls.append("my-documents")
        return await asked(self)

    monkeypatch.setattr(DocumentsApi, "my_documents", counted)
    assert (await site.get(PAGE)).status_code == 200
    assert calls == ["my-documents"]

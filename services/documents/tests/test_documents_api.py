"""The documents asked of clients, through the API: an admin defines an ID card (required,
with an expiry date), a Kbis (required, companies only) and an internal contract
(admin-only); a client's contact gives what is asked of them, each file checked by size,
content and format with its data; staff reject one with the reason the client reads,
then accept; the client is complete once, told once; another client sees nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from portico.contracts.events.documents import (
    ClientDocumentReviewed,
    ClientDocumentsComplete,
    ClientDocumentUploaded,
)
from portico.documents.testing import (
    CONTRACT,
    DOCUMENTS,
    ID_CARD,
    KBIS,
    TYPES,
    contact_headers,
    make_client,
    make_type,
    pdf_file,
    png_file,
    upload,
)
from portico.kit.testing.services import RunningPortico

MINE = f"{DOCUMENTS}/my-documents"
SELECT = {"key": "kind", "label_en": "Kind", "label_fr": "Type", "kind": "select"}
VALID = {"number": "X4RTBPFW4", "valid_until": "2031-05-02"}


def client_path(client: dict[str, Any]) -> str:
    return f"{DOCUMENTS}/clients/{client['id']}/documents"


def field_of(response: Any) -> str:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return str(response.json()["errors"][0]["field"])


async def test_an_admin_defines_the_types_each_refusal_beside_its_field(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    id_card = await make_type(portico, admin, ID_CARD)
    assert id_card["upload_mode"] == "required" and id_card["expires"] is True
    assert [f["key"] for f in id_card["fields"]] == ["number", "valid_until"]

    refusals = [
        ({**ID_CARD, "fields": ID_CARD["fields"][:1]}, "expires"),
        ({**ID_CARD, "expires": False}, "expires"),
        ({**ID_CARD, "fields": [ID_CARD["fields"][0]] * 2}, "fields"),
        ({**ID_CARD, "formats": ["pdf", "pdf"]}, "formats"),
        ({**ID_CARD, "formats": ["exe"]}, "formats.0"),
        ({**ID_CARD, "max_size_mib": 4096}, "max_size_mib"),
        ({**ID_CARD, "name_en": ""}, "name_en"),
        (
            {
                **CONTRACT,
                "fields": [{"key": "kind", "label_en": "K", "label_fr": "K", "kind": "select"}],
            },
            "fields.0",
        ),
    ]
    for body, field in refusals:
        refused = await portico.http.post(TYPES, json=body, headers=admin)
        assert refused.status_code == 422, (field, refused.text)
        assert field_of(refused) == field
    # A change is checked as a whole: the type still expires, so it keeps its expiry field.
    changed = await portico.http.patch(
        f"{TYPES}/{id_card['id']}", json={"fields": ID_CARD["fields"][:1]}, headers=admin
    )
    assert changed.status_code == 422 and field_of(changed) == "expires"
    renamed = await portico.http.patch(
        f"{TYPES}/{id_card['id']}", json={"name_fr": "Pièce d'identité"}, headers=admin
    )
    assert renamed.status_code == 200 and renamed.json()["name_fr"] == "Pièce d'identité"
    listed = await portico.http.get(TYPES, headers=portico.headers("staff"))
    assert [t["id"] for t in listed.json()] == [id_card["id"]]
    # Staff read the types; only admins define them.
    staff_made = await portico.http.post(TYPES, json=KBIS, headers=portico.headers("staff"))
    assert staff_made.status_code == 403


async def test_a_client_gives_what_is_asked_staff_reject_then_accept_and_it_is_complete_once(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    id_card = await make_type(portico, admin, ID_CARD)
    kbis = await make_type(portico, admin, KBIS)
    contract = await make_type(portico, admin, CONTRACT)
    company = await make_client(portico, admin, tags=["Company"])
    person = await make_client(portico, admin, name="Paul Martin")
    mine = contact_headers(portico, company)
    staff = portico.headers("staff")

    asked = (await portico.http.get(MINE, headers=mine)).json()
    assert [item["document_type"]["id"] for item in asked["items"]] == [
        id_card["id"],
        kbis["id"],
        contract["id"],
    ]
    assert {item["state"] for item in asked["items"]} == {"missing"}
    assert asked["complete"] is False and set(asked["outstanding"]) == {id_card["id"], kbis["id"]}
    # A person is not asked for a Kbis.
    theirs = (await portico.http.get(client_path(person), headers=staff)).json()
    assert kbis["id"] not in [item["document_type"]["id"] for item in theirs["items"]]

    # Refused, and nothing kept: the wrong format, too large, missing data, admin-only,
    # a type not asked of the client.
    wrong_format = await upload(portico, MINE, mine, kbis, png_file(), name="kbis.png")
    assert wrong_format.status_code == 415 and field_of(wrong_format) == "file"
    assert "PDF" in wrong_format.json()["errors"][0]["message"]
    too_large = await upload(portico, MINE, mine, id_card, b"%PDF-1.7\n" + b"0" * (2 * 1024 * 1024))
    assert too_large.status_code == 413 and field_of(too_large) == "file"
    assert "2 MiB" in too_large.json()["errors"][0]["message"]
    no_date = await upload(portico, MINE, mine, id_card, pdf_file(), data={"number": "X4"})
    assert no_date.status_code == 422 and field_of(no_date) == "data.valid_until"
    bad_date = await upload(
        portico, MINE, mine, id_card, pdf_file(), data={**VALID, "valid_until": "2031-13-02"}
    )
    assert bad_date.status_code == 422 and field_of(bad_date) == "data.valid_until"
    not_json = await portico.http.post(
        MINE,
        data={"document_type_id": id_card["id"], "data": "{not json"},
        files={"file": ("id.pdf", pdf_file(), "application/pdf")},
        headers=mine,
    )
    assert not_json.status_code == 422 and field_of(not_json) == "data"
    admin_only = await upload(portico, MINE, mine, contract, pdf_file())
    assert admin_only.status_code == 422 and field_of(admin_only) == "document_type_id"
    not_asked = await upload(portico, MINE, contact_headers(portico, person), kbis, pdf_file())
    assert not_asked.status_code == 422 and field_of(not_asked) == "document_type_id"
    still = (await portico.http.get(MINE, headers=mine)).json()
    assert {item["state"] for item in still["items"]} == {"missing"}
    assert portico.events.of_type(ClientDocumentUploaded.event_type) == []

    # The ID card, in review; staff are told.
    given = await upload(portico, MINE, mine, id_card, png_file(), name="carte.png", data=VALID)
    assert given.status_code == 201, given.text
    document = given.json()
    assert document["state"] == "in_review" and document["expires_on"] == "2031-05-02"
    assert document["content_type"] == "image/png" and document["uploaded_by_name"] == "Inès Roy"
    [uploaded] = await portico.events.wait_for(
        ClientDocumentUploaded.event_type, subject=document["id"]
    )
    assert uploaded.data["uploaded_by_kind"] == "contact"
    downloaded = await portico.http.get(f"{MINE}/{document['id']}/file", headers=mine)
    assert downloaded.status_code == 200 and downloaded.content == png_file()
    assert "carte.png" in downloaded.headers["content-disposition"]

    # Rejected with a reason (a rejection without one is refused), which the client reads.
    no_reason = await portico.http.post(
        f"{client_path(company)}/{document['id']}/review",
        json={"decision": "rejected"},
        headers=staff,
    )
    assert no_reason.status_code == 422 and field_of(no_reason) == "reason"
    rejected = await portico.http.post(
        f"{client_path(company)}/{document['id']}/review",
        json={"decision": "rejected", "reason": "The back of the card is missing."},
        headers=staff,
    )
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
    [told] = await portico.events.wait_for(
        ClientDocumentReviewed.event_type, subject=document["id"]
    )
    assert told.data["contact"]["name"] == "Inès Roy" and told.data["contact"]["locale"] == "fr"
    seen = (await portico.http.get(MINE, headers=mine)).json()
    card = next(item for item in seen["items"] if item["document_type"]["id"] == id_card["id"])
    assert card["state"] == "rejected"
    assert card["document"]["reason"] == "The back of the card is missing."

    # Given again (it replaces the first), accepted; the Kbis too, uploaded by staff; the
    # internal contract is staff's to give and does not hold the client back.
    again = await upload(portico, MINE, mine, id_card, pdf_file("Both sides"), data=VALID)
    assert again.status_code == 201 and again.json()["id"] == document["id"]
    assert again.json()["state"] == "in_review"
    accepted = await portico.http.post(
        f"{client_path(company)}/{document['id']}/review",
        json={"decision": "accepted"},
        headers=staff,
    )
    assert accepted.json()["state"] == "accepted"
    assert portico.events.of_type(ClientDocumentsComplete.event_type) == []
    by_staff = await upload(portico, client_path(company), staff, kbis, pdf_file("Kbis"))
    assert by_staff.status_code == 201 and by_staff.json()["state"] == "accepted"
    [complete] = await portico.events.wait_for(
        ClientDocumentsComplete.event_type, subject=company["id"]
    )
    assert complete.data["client_name"] == "Atelier Lumière"
    done = (await portico.http.get(MINE, headers=mine)).json()
    assert done["complete"] is True and done["outstanding"] == []
    # Changing the data keeps it complete, and says nothing again.
    changed = await portico.http.patch(
        f"{client_path(company)}/{document['id']}",
        json={"data": {**VALID, "valid_until": "2032-01-31"}},
        headers=staff,
    )
    assert changed.status_code == 200 and changed.json()["expires_on"] == "2032-01-31"
    assert len(portico.events.of_type(ClientDocumentsComplete.event_type)) == 1


async def test_a_client_sees_none_of_another_clients_documents(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    id_card = await make_type(portico, admin, ID_CARD)
    first = await make_client(portico, admin)
    second = await make_client(portico, admin, name="Boulangerie Dupont")
    given = await upload(
        portico, MINE, contact_headers(portico, first), id_card, pdf_file(), data=VALID
    )
    document_id = given.json()["id"]
    other = contact_headers(portico, second)
    theirs = (await portico.http.get(MINE, headers=other)).json()
    assert [item["state"] for item in theirs["items"]] == ["missing"]
    assert (await portico.http.get(f"{MINE}/{document_id}/file", headers=other)).status_code == 404
    # Nor through the staff API, which a contact cannot call.
    for path in (client_path(first), f"{client_path(first)}/{document_id}/file"):
        assert (await portico.http.get(path, headers=other)).status_code == 403
    # A document is reached through its own client only.
    crossed = await portico.http.get(
        f"{client_path(second)}/{document_id}", headers=portico.headers("staff")
    )
    assert crossed.status_code == 404


@pytest.mark.backends("embedded")
async def test_an_api_key_adds_and_lists_documents_and_one_without_the_scope_is_refused(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    id_card = await make_type(portico, admin, ID_CARD)
    client = await make_client(portico, admin)
    writer = portico.headers("api_key", scopes=["documents:write", "documents:read"])
    reader = portico.headers("api_key", scopes=["documents:read"])
    unrelated = portico.headers("api_key", scopes=["clients:read"])

    refused = await upload(portico, client_path(client), reader, id_card, pdf_file(), data=VALID)
    assert refused.status_code == 403
    assert "documents:write" in refused.json()["detail"]
    added = await upload(portico, client_path(client), writer, id_card, pdf_file(), data=VALID)
    assert added.status_code == 201, added.text
    assert added.json()["state"] == "accepted" and added.json()["uploaded_by_kind"] == "api_key"
    listed = await portico.http.get(client_path(client), headers=reader)
    assert listed.status_code == 200 and listed.json()["items"][0]["state"] == "accepted"
    file = await portico.http.get(
        f"{client_path(client)}/{added.json()['id']}/file", headers=reader
    )
    assert file.status_code == 200 and file.content.startswith(b"%PDF-")
    assert (await portico.http.get(client_path(client), headers=unrelated)).status_code == 403
    unknown_type = await upload(
        portico,
        client_path(client),
        writer,
        {"id": "8d1e4c52-0000-4000-8000-000000000000"},
        pdf_file(),
    )
    assert unknown_type.status_code == 422 and field_of(unknown_type) == "document_type_id"


async def test_two_uploads_of_the_same_document_at_once_keep_one_the_last(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    id_card = await make_type(portico, admin, ID_CARD)
    client = await make_client(portico, admin)
    mine = contact_headers(portico, client)
    one, other = pdf_file("First"), pdf_file("Second")
    first, second = await asyncio.gather(
        upload(portico, MINE, mine, id_card, one, data=VALID),
        upload(portico, MINE, mine, id_card, other, data=VALID),
    )
    assert (first.status_code, second.status_code) == (201, 201), (first.text, second.text)
    assert first.json()["id"] == second.json()["id"]
    [item] = (await portico.http.get(MINE, headers=mine)).json()["items"]
    kept = await portico.http.get(f"{MINE}/{item['document']['id']}/file", headers=mine)
    assert kept.content in (one, other)

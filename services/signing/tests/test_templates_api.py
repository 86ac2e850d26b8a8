"""Templates through the API: made from each kind of input, their fields saved and read back,
duplicated, archived and deleted, and who may do what."""

from __future__ import annotations

import io
import shutil
import uuid
from typing import Any

import pytest
from PIL import Image

from portico.contracts.events.portal import ClientCreated
from portico.kit.testing.backends import unavailable
from portico.kit.testing.polling import wait_until
from portico.kit.testing.services import RunningPortico
from portico.pdf.testing import corpus_path, docx_with_paragraphs
from portico.signing.testing import all_previews_ready, pdf_document, upload

TEMPLATES = "/api/signing/v1/templates"
EMBEDDED = pytest.mark.backends("embedded")


def field(name: str, type_: str = "text", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "type": type_,
        "role": "Client",
        "page": 0,
        "x": 0.1,
        "y": 0.1,
        "w": 0.3,
        "h": 0.04,
    } | extra


EVERY_TYPE = [
    field("Signature", "signature"),
    field("Initials", "initials"),
    field("Full name", "name"),
    field("Company", "text", prefill="{{client.name}}", mapping="client.name"),
    field("Notes", "multiline", validation={"max_length": 500}),
    field("IBAN", "cells", cells=27, validation={"pattern": "[A-Z0-9 ]+", "message": "Letters"}),
    field("Start", "date"),
    field("Signed on", "signing_date"),
    field("Quantity", "number", validation={"min": 1, "max": 100}),
    field("Price", "number"),
    field("Total", "number", formula="round({Quantity} * {Price}, 2)"),
    field("Email", "email", prefill="{{contact.email}}"),
    field("Phone", "phone"),
    field("Agree", "checkbox", required=True),
    field("Plan", "radio", options=["Basic", "Pro"]),
    field("Country", "select", options=["France", "Belgium"]),
    field("Services", "multiple", options=["Audit", "Payroll"]),
    field(
        "PO number",
        "text",
        condition={
            "join": "all",
            "conditions": [{"field": "Total", "operator": "at_least", "value": "1000"}],
        },
    ),
    field("Photo", "image"),
    field("Attachment", "file"),
    field("Stamp", "stamp"),
    field("Heading", "readonly", prefill="Engagement letter"),
]


async def test_a_blank_template_has_its_pages_and_its_previews(portico: RunningPortico) -> None:
    made = await portico.http.post(
        "/api/signing/v1/blank-templates",
        json={"name": "Onboarding", "pages": 3, "size": "Letter", "titles": ["About you"]},
        headers=portico.headers("staff"),
    )
    assert made.status_code == 201, made.text
    template = made.json()
    assert template["source_kind"] == "blank"
    assert template["page_count"] == 3
    assert template["pages"][0]["width"] == pytest.approx(612)
    assert template["pages"][0]["height"] == pytest.approx(792)
    # Page 1 is ready with the answer; the others follow from a job.
    assert template["previews_ready"] >= 1
    assert set(template["pages"][0]["previews"]) == {"300", "1200"}
    assert template["sendable"] is False
    assert template["not_sendable_reason"] == (
        "The template has no field for a signer to fill in or sign."
    )
    template = await all_previews_ready(portico, template["id"])
    for page in template["pages"]:
        image = await portico.http.get(page["previews"]["1200"], headers=portico.headers("staff"))
        assert image.status_code == 200
        assert image.headers["content-type"] == "image/webp"
        assert "immutable" in image.headers["cache-control"]
        assert Image.open(io.BytesIO(image.content)).size[0] == 1200
    pdf = await portico.http.get(
        f"{TEMPLATES}/{template['id']}/document", headers=portico.headers("staff")
    )
    assert pdf.content.startswith(b"%PDF")


@EMBEDDED
@pytest.mark.parametrize(
    ("filename", "content", "pages", "kind"),
    [
        ("letter.pdf", pdf_document(2), 2, "pdf"),
        ("scan.png", None, 1, "png"),
        ("prices.csv", "Item;Price\nAudit;1200\nPayroll;300\n".encode("cp1252"), 1, "csv"),
    ],
)
async def test_a_template_is_made_from_each_kind_of_document(
    portico: RunningPortico, filename: str, content: bytes | None, pages: int, kind: str
) -> None:
    if content is None:
        buffer = io.BytesIO()
        Image.new("RGB", (800, 1100), "white").save(buffer, "PNG")
        content = buffer.getvalue()
    made = await upload(portico, content, filename)
    assert made.status_code == 201, made.text
    template = made.json()
    assert (template["page_count"], template["source_kind"]) == (pages, kind)
    assert template["name"] == filename.rsplit(".", 1)[0]
    assert template["original_name"] == filename
    await all_previews_ready(portico, template["id"])


@EMBEDDED
@pytest.mark.parametrize(
    "name", ["docx/having-images.docx", "sample-files/002-trivial-libre-office-writer/source.odt"]
)
async def test_office_documents_are_converted(portico: RunningPortico, name: str) -> None:
    if shutil.which("soffice") is None:
        unavailable("LibreOffice (soffice) is not installed")
    path = corpus_path() / name
    if not path.exists():
        unavailable(f"{name} is not in the corpus at {corpus_path()}")
    made = await upload(portico, path.read_bytes(), path.name, name="Converted")
    assert made.status_code == 201, made.text
    assert made.json()["source_kind"] == path.suffix.lstrip(".")
    assert made.json()["page_count"] >= 1


@EMBEDDED
@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"", 422, "empty"),
        (b"MZ\x90\x00 not a document at all" * 10, 415, "unsupported_type"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer <<>>\n%%EOF", 422, "damaged"),
    ],
)
async def test_an_unusable_file_is_refused_saying_why(
    portico: RunningPortico, content: bytes, status: int, code: str
) -> None:
    refused = await upload(portico, content, "upload.pdf")
    assert refused.status_code == status, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["reason"] == code
    assert problem["errors"][0]["field"] == "file"
    assert problem["errors"][0]["code"] == code
    listed = await portico.http.get(TEMPLATES, headers=portico.headers("staff"))
    assert listed.json()["total"] == 0


async def test_fields_of_every_type_are_saved_and_read_back(portico: RunningPortico) -> None:
    template = (await upload(portico, pdf_document(1), "order.pdf")).json()
    saved = await portico.http.put(
        f"{TEMPLATES}/{template['id']}/fields",
        json={"fields": EVERY_TYPE},
        headers=portico.headers("staff"),
    )
    assert saved.status_code == 200, saved.text
    read = (
        await portico.http.get(f"{TEMPLATES}/{template['id']}", headers=portico.headers("staff"))
    ).json()
    assert [f["type"] for f in read["fields"]] == [f["type"] for f in EVERY_TYPE]
    assert read["fields"][10]["formula"] == "round({Quantity} * {Price}, 2)"
    assert read["fields"][5]["cells"] == 27
    assert read["sendable"] is True
    ids = [f["id"] for f in read["fields"]]
    assert all(ids)
    # Saving again what was read keeps each field's id.
    again = await portico.http.put(
        f"{TEMPLATES}/{template['id']}/fields",
        json={"fields": read["fields"]},
        headers=portico.headers("staff"),
    )
    assert [f["id"] for f in again.json()["fields"]] == ids


@EMBEDDED
async def test_invalid_fields_are_refused_naming_the_field_and_keep_what_was_saved(
    portico: RunningPortico,
) -> None:
    template = (await upload(portico, pdf_document(1), "order.pdf")).json()
    address = f"{TEMPLATES}/{template['id']}/fields"
    staff = portico.headers("staff")
    assert (
        await portico.http.put(address, json={"fields": EVERY_TYPE[:3]}, headers=staff)
    ).status_code == 200
    cases = [
        ([field("a", page=1)], "fields.0.page", "The document has 1 page(s)."),
        ([field("a"), field("b", "number", formula="{a} +")], "fields.1.formula", None),
        ([field("a", role="Witness")], "fields.0.role", None),
        ([field("a", x=0.9, w=0.2)], "fields.0", None),
        ([field("a", type="hologram")], "fields.0.type", None),
    ]
    for fields, location, message in cases:
        refused = await portico.http.put(address, json={"fields": fields}, headers=staff)
        assert refused.status_code == 422, refused.text
        errors = refused.json()["errors"]
        assert any(str(error["field"]).startswith(location) for error in errors), errors
        if message:
            assert errors[0]["message"] == message
    kept = (await portico.http.get(f"{TEMPLATES}/{template['id']}", headers=staff)).json()
    assert [f["name"] for f in kept["fields"]] == ["Signature", "Initials", "Full name"]


@EMBEDDED
async def test_a_fillable_pdf_brings_its_form_fields(portico: RunningPortico) -> None:
    made = await upload(portico, pdf_document(1, form=True), "form.pdf")
    assert made.status_code == 201, made.text
    fields = {f["name"]: f for f in made.json()["fields"]}
    assert fields["Company"]["type"] == "text"
    assert fields["Agree"]["type"] == "checkbox"
    company = fields["Company"]
    # At x=72pt, y=500pt from the bottom of an A4 page (595 x 842 points).
    assert company["x"] == pytest.approx(72 / 595.28, abs=0.01)
    assert company["y"] == pytest.approx((842 - 520) / 841.89, abs=0.01)
    assert company["role"] == "Client"


@EMBEDDED
async def test_text_tags_become_fields_and_roles(portico: RunningPortico) -> None:
    lines = ["Signed: {{signature;role=Company}}", "Date: {{date;role=Client;required}}"]
    made = await upload(portico, pdf_document(1, lines=lines), "tags.pdf")
    assert made.status_code == 201, made.text
    template = made.json()
    assert [(f["type"], f["role"], f["required"]) for f in template["fields"]] == [
        ("signature", "Company", False),
        ("date", "Client", True),
    ]
    assert [role["name"] for role in template["roles"]] == ["Company", "Client"]
    signature = template["fields"][0]
    assert signature["y"] == pytest.approx((842 - 712) / 841.89, abs=0.02)


@EMBEDDED
async def test_text_tags_in_a_word_document_become_fields(portico: RunningPortico) -> None:
    if shutil.which("soffice") is None:
        unavailable("LibreOffice (soffice) is not installed")
    docx = docx_with_paragraphs(
        ["Engagement letter", "The client: {{signature;role=Client;required}}"],
        ["Initials: {{initials;role=Client}}", "For the studio: {{signature;role=Company}}"],
    )
    made = await upload(portico, docx, "engagement.docx")
    assert made.status_code == 201, made.text
    template = made.json()
    assert template["source_kind"] == "docx"
    assert [(f["type"], f["role"], f["page"], f["required"]) for f in template["fields"]] == [
        ("signature", "Client", 0, True),
        ("initials", "Client", 1, False),
        ("signature", "Company", 1, False),
    ]
    assert [role["name"] for role in template["roles"]] == ["Client", "Company"]
    # Each field stands where its tag stood: on the page, below the line before it.
    first, initials, company = template["fields"]
    assert 0 < first["x"] < 0.5 and 0 < first["y"] < 0.5
    assert company["y"] > initials["y"]


async def test_a_duplicate_carries_every_field(portico: RunningPortico) -> None:
    staff = portico.headers("staff")
    template = (await upload(portico, pdf_document(2), "terms.pdf", name="Terms")).json()
    await portico.http.put(
        f"{TEMPLATES}/{template['id']}/fields", json={"fields": EVERY_TYPE}, headers=staff
    )
    copy = await portico.http.post(f"{TEMPLATES}/{template['id']}/duplicate", headers=staff)
    assert copy.status_code == 201, copy.text
    duplicate = copy.json()
    assert duplicate["name"] == "Terms (copy)"
    assert duplicate["id"] != template["id"]
    strip = lambda fields: [{k: v for k, v in f.items() if k != "id"} for f in fields]  # noqa: E731
    original = (await portico.http.get(f"{TEMPLATES}/{template['id']}", headers=staff)).json()
    assert strip(duplicate["fields"]) == strip(original["fields"])
    assert not {f["id"] for f in duplicate["fields"]} & {f["id"] for f in original["fields"]}
    # Deleting the original leaves the copy whole: they share the document's files.
    assert (
        await portico.http.delete(f"{TEMPLATES}/{template['id']}", headers=staff)
    ).status_code == 204
    assert (
        await portico.http.get(f"{TEMPLATES}/{template['id']}", headers=staff)
    ).status_code == 404
    await all_previews_ready(portico, duplicate["id"])
    page = await portico.http.get(duplicate["pages"][0]["previews"]["300"], headers=staff)
    assert page.status_code == 200


async def test_a_template_without_fields_is_duplicated(portico: RunningPortico) -> None:
    staff = portico.headers("staff")
    blank = await portico.http.post(
        "/api/signing/v1/blank-templates", json={"name": "Intake"}, headers=staff
    )
    assert blank.status_code == 201, blank.text
    copy = await portico.http.post(f"{TEMPLATES}/{blank.json()['id']}/duplicate", headers=staff)
    assert copy.status_code == 201, copy.text
    assert (copy.json()["fields"], copy.json()["field_count"]) == ([], 0)
    assert copy.json()["not_sendable_reason"]


@EMBEDDED
async def test_templates_are_listed_searched_renamed_and_archived(portico: RunningPortico) -> None:
    staff = portico.headers("staff")
    first = (await upload(portico, pdf_document(1), "nda.pdf", name="Mutual NDA")).json()
    await upload(portico, pdf_document(1), "letter.pdf", name="Engagement letter")
    found = (await portico.http.get(TEMPLATES, params={"q": "nda"}, headers=staff)).json()
    assert [t["name"] for t in found["items"]] == ["Mutual NDA"]
    renamed = await portico.http.patch(
        f"{TEMPLATES}/{first['id']}",
        json={"name": "NDA", "roles": [{"name": "Client"}, {"name": "Company"}], "ordered": True},
        headers=staff,
    )
    assert renamed.status_code == 200, renamed.text
    assert [r["name"] for r in renamed.json()["roles"]] == ["Client", "Company"]
    archived = await portico.http.post(f"{TEMPLATES}/{first['id']}/archive", headers=staff)
    assert archived.json()["archived"] is True
    listed = (await portico.http.get(TEMPLATES, headers=staff)).json()
    assert [t["name"] for t in listed["items"]] == ["Engagement letter"]
    old = (await portico.http.get(TEMPLATES, params={"archived": "true"}, headers=staff)).json()
    assert [t["name"] for t in old["items"]] == ["NDA"]
    await portico.http.post(f"{TEMPLATES}/{first['id']}/restore", headers=staff)
    assert (await portico.http.get(TEMPLATES, headers=staff)).json()["total"] == 2
    # A role still given fields cannot go.
    await portico.http.put(
        f"{TEMPLATES}/{first['id']}/fields",
        json={"fields": [field("Countersignature", "signature", role="Company")]},
        headers=staff,
    )
    refused = await portico.http.patch(
        f"{TEMPLATES}/{first['id']}", json={"roles": [{"name": "Client"}]}, headers=staff
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "roles"


@EMBEDDED
async def test_only_staff_and_keys_with_the_scope_reach_templates(portico: RunningPortico) -> None:
    template = (await upload(portico, pdf_document(1), "nda.pdf")).json()
    client = portico.headers("client", client_id=uuid.uuid4())
    assert (await portico.http.get(TEMPLATES, headers=client)).status_code == 403
    assert (await upload(portico, pdf_document(1), "x.pdf", headers=client)).status_code == 403
    reader = portico.headers("api_key", scopes=["signing:read"])
    assert (
        await portico.http.get(f"{TEMPLATES}/{template['id']}", headers=reader)
    ).status_code == 200
    assert (await upload(portico, pdf_document(1), "x.pdf", headers=reader)).status_code == 403
    writer = portico.headers("api_key", scopes=["signing:write", "signing:read"])
    assert (await upload(portico, pdf_document(1), "x.pdf", headers=writer)).status_code == 201
    assert (await portico.http.get(TEMPLATES)).status_code == 401


async def test_prefills_resolve_from_the_clients_the_portal_announced(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    staff = portico.headers("staff")
    template = (await upload(portico, pdf_document(1), "order.pdf")).json()
    await portico.http.put(
        f"{TEMPLATES}/{template['id']}/fields",
        json={
            "fields": [
                field("Company", prefill="{{client.name}} ({{client.legal_id}})"),
                field("City", prefill="{{client.address.city}}", y=0.2),
                field("Signer", prefill="{{contact.full_name}} <{{contact.email}}>", y=0.3),
                field("Signature", "signature", y=0.4),
            ]
        },
        headers=staff,
    )
    address = f"{TEMPLATES}/{template['id']}/prefills"
    sample = (await portico.http.get(address, headers=staff)).json()
    assert sample["Company"] == "Dupont & Fils SARL (FR 123 456 789)"
    made = await portico.http.post(
        "/api/portal/v1/clients",
        json={
            "name": "Atelier Lumière",
            "legal_id": "FR 987 654 321",
            "address": {"city": "Lyon", "country": "FR"},
            "contacts": [
                {"first_name": "Inès", "last_name": "Roy", "email": "ines@lumiere.example"}
            ],
        },
        headers=admin,
    )
    assert made.status_code == 201, made.text
    client = made.json()
    await portico.events.wait_for(ClientCreated.event_type, subject=client["id"])
    contact_id = client["contacts"][0]["id"]
    params = {"client_id": client["id"], "contact_id": contact_id}

    # The spy has the event; the signing service's consumer may handle it a little later.
    # Until it has, every placeholder resolves empty (the City field is then "").
    async def resolved() -> dict[str, str] | None:
        values = (await portico.http.get(address, params=params, headers=staff)).json()
        return values if values["City"] else None

    values = await wait_until(resolved)
    assert values == {
        "Company": "Atelier Lumière (FR 987 654 321)",
        "City": "Lyon",
        "Signer": "Inès Roy <ines@lumiere.example>",
    }

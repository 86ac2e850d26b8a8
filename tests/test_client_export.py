"""A client's data export (a GDPR access request, docs/exports.md), across every service,
on both backends: a client with data in the portal (a workspace file), signing (a
document sent to sign), documents (an upload), quotes (a quote sent with its PDF) and the
notifier (the emails that told them); an admin asks for the export, it becomes ready, and
its archive holds each service's rows and files for that client, and nothing of another
client's. A redelivered request changes nothing."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import text

from portico.contracts.events.exports import ClientExportPartReady, ClientExportRequested
from portico.documents.testing import DOCUMENTS, TYPES, contact_headers, pdf_file
from portico.documents.testing import upload as upload_document
from portico.kit.host import discover_services
from portico.kit.service import Service
from portico.kit.testing.polling import wait_until
from portico.kit.testing.services import RunningPortico
from portico.kit.testing.smtp import Mailbox
from portico.quotes.testing import known_to_quotes, make_quote, send, simple_quote
from portico.signing.testing import make_template, replica_ready, send_to

PORTAL = "/api/portal/v1"
SERVICES = ["portal", "signing", "documents", "quotes", "notifier"]
LUMIERE = {
    "name": "Atelier Lumière",
    "contacts": [
        {"first_name": "Inès", "last_name": "Roy", "email": "ines@lumiere.example", "locale": "fr"}
    ],
}
HUGO = "hugo@boreal.example"
BOREAL = {
    "name": "Boréal Conseil",
    "contacts": [{"first_name": "Hugo", "last_name": "Petit", "email": HUGO}],
}
PROOF_OF_ADDRESS = {
    "name_en": "Proof of address",
    "name_fr": "Justificatif de domicile",
    "upload_mode": "optional",
    "formats": ["pdf"],
    "max_size_mib": 5,
}


@pytest.fixture
def portico_services() -> Sequence[Service]:
    return [service for service in discover_services() if service.name in SERVICES]


@pytest.fixture
def portico_uses_s3() -> bool:
    # Each part is read from its own service's store: one bucket, a prefix per service.
    return True


async def make_client(
    portico: RunningPortico, admin: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    made = await portico.http.post(f"{PORTAL}/clients", json=body, headers=admin)
    assert made.status_code == 201, made.text
    client: dict[str, Any] = made.json()
    await known_to_quotes(portico, client["id"], name=body["name"])

    async def known_to_documents() -> bool:
        path = f"{DOCUMENTS}/clients/{client['id']}/documents"
        found = await portico.http.get(path, headers=portico.headers("staff"))
        return found.status_code == 200

    await wait_until(known_to_documents)
    return client


async def workspace_file(
    portico: RunningPortico, admin: dict[str, str], client: dict[str, Any], content: bytes
) -> dict[str, Any]:
    workspace = await portico.http.post(
        f"{PORTAL}/clients/{client['id']}/workspaces", json={"name": "Chantier"}, headers=admin
    )
    assert workspace.status_code == 201, workspace.text
    uploaded = await portico.http.post(
        f"{PORTAL}/workspaces/{workspace.json()['id']}/files",
        files={"file": ("plans.pdf", content, "application/pdf")},
        headers=admin,
    )
    assert uploaded.status_code == 201, uploaded.text
    found: dict[str, Any] = uploaded.json()
    return found


async def sent_quote(
    portico: RunningPortico, admin: dict[str, str], client: dict[str, Any], title: str
) -> dict[str, Any]:
    quote = await make_quote(portico, admin, simple_quote(client, title=title))
    sent = await send(portico, admin, quote, {"attach_pdf": True})
    assert sent.status_code == 200, sent.text
    found: dict[str, Any] = sent.json()
    return found


def entries(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return {name: opened.read(name) for name in opened.namelist()}


async def export_jobs(portico: RunningPortico, service: str) -> int:
    async with portico.runtime(service).database.sessions() as session:
        found = await session.scalar(
            text("SELECT count(*) FROM jobs WHERE kind = :kind"),
            {"kind": f"{service}.export_client"},
        )
        return int(found or 0)


@pytest.mark.usefixtures("notifier_smtp")  # configured before the services start
async def test_an_export_holds_the_clients_data_from_every_service_and_nothing_else(
    portico: RunningPortico, admin: dict[str, str], notifier_smtp: Mailbox
) -> None:
    lumiere = await make_client(portico, admin, LUMIERE)
    boreal = await make_client(portico, admin, BOREAL)
    ines = lumiere["contacts"][0]
    # The portal: a workspace file of each client.
    plans = b"%PDF-1.7\nthe plans of the workshop"
    lumiere_file = await workspace_file(portico, admin, lumiere, plans)
    await workspace_file(portico, admin, boreal, b"%PDF-1.7\nBoreal's own plans")
    # Signing: a document sent to Inès to sign.
    template = await make_template(portico)
    await replica_ready(portico, template, lumiere)
    submitted = await send_to(portico, template, lumiere)
    assert submitted.status_code == 201, submitted.text
    submission = submitted.json()
    # Documents: Inès uploads a proof of address.
    kind = await portico.http.post(TYPES, json=PROOF_OF_ADDRESS, headers=admin)
    assert kind.status_code == 201, kind.text
    proof = pdf_file("Inès Roy, 3 rue des Lilas")
    given = await upload_document(
        portico,
        f"{DOCUMENTS}/my-documents",
        contact_headers(portico, lumiere),
        kind.json(),
        proof,
        name="justificatif.pdf",
    )
    assert given.status_code == 201, given.text
    # Quotes: one sent to each client, with its PDF; the notifier emails each.
    quote = await sent_quote(portico, admin, lumiere, "Rénovation de l'atelier")
    other_quote = await sent_quote(portico, admin, boreal, "Audit Boréal")
    received = await notifier_smtp.wait_for(3, timeout=60)
    assert {"ines@lumiere.example", "hugo@boreal.example"} <= {
        address for email in received for address in [str(email["To"]).split("<")[-1][:-1]]
    }

    asked = await portico.http.post(f"{PORTAL}/clients/{lumiere['id']}/exports", headers=admin)
    assert asked.status_code == 202, asked.text
    export = asked.json()
    assert export["status"] == "pending"
    assert [s["service"] for s in export["services"]] == SERVICES
    path = f"{PORTAL}/clients/{lumiere['id']}/exports/{export['id']}"
    early = await portico.http.get(f"{path}/archive", headers=admin)
    if early.status_code != 200:  # the export may be quicker than this request
        assert early.status_code == 409, early.text

    async def ready() -> dict[str, Any] | None:
        found: dict[str, Any] = (await portico.http.get(path, headers=admin)).json()
        assert found["status"] != "failed", found
        return found if found["status"] == "ready" else None

    done = await wait_until(ready, seconds=60)
    assert done["missing"] == [] and all(s["answered"] for s in done["services"])
    assert done["ready_at"] is not None
    listed = await portico.http.get(f"{PORTAL}/clients/{lumiere['id']}/exports", headers=admin)
    assert [item["id"] for item in listed.json()["items"]] == [export["id"]]

    downloaded = await portico.http.get(f"{path}/archive", headers=admin)
    assert downloaded.status_code == 200, downloaded.text
    assert downloaded.headers["content-type"] == "application/zip"
    assert "attachment" in downloaded.headers["content-disposition"]
    files = entries(downloaded.content)
    readme = files["README.txt"].decode()
    assert "Atelier Lumière" in readme and "RGPD" in readme and "GDPR" in readme
    data = {service: json.loads(files[f"{service}/data.json"])["tables"] for service in SERVICES}
    # The portal: the client, Inès, and the workspace's file itself.
    assert [row["id"] for row in data["portal"]["clients"]] == [lumiere["id"]]
    assert [row["email"] for row in data["portal"]["contacts"]] == [ines["email"]]
    [stored] = data["portal"]["workspace_files"]
    assert stored["id"] == lumiere_file["id"]
    [plans_entry] = [name for name in files if name.startswith("portal/files/workspaces/")]
    assert plans_entry.endswith("/plans.pdf") and files[plans_entry] == plans
    # Signing: the submission, Inès as its signer, the document sent.
    assert [row["id"] for row in data["signing"]["submissions"]] == [submission["id"]]
    signers = [row["contact_id"] for row in data["signing"]["submitters"] if row["contact_id"]]
    assert signers == [ines["id"]]
    assert data["signing"]["audit_events"]
    sent_pdf = files[f"signing/files/submissions/{submission['id']}/document-sent.pdf"]
    assert sent_pdf.startswith(b"%PDF-")
    # Documents: the upload, its type, and the file as uploaded.
    [document] = data["documents"]["client_documents"]
    assert document["file_name"] == "justificatif.pdf" and document["client_id"] == lumiere["id"]
    assert files[f"documents/files/documents/{document['id']}/justificatif.pdf"] == proof
    # Quotes: the quote with its lines and history (amounts as decimal strings), its PDF.
    [row] = data["quotes"]["quotes"]
    assert row["id"] == quote["id"] and row["number"] == quote["number"]
    assert isinstance(row["total_with_tax"], str) and "." in row["total_with_tax"]
    assert data["quotes"]["quote_lines"] and data["quotes"]["quote_events"]
    quote_files = [name for name in files if name.startswith(f"quotes/files/quotes/{quote['id']}/")]
    assert any(files[name].startswith(b"%PDF-") for name in quote_files), quote_files
    # The notifier: the emails to Inès (the document to sign, the quote), none to Hugo.
    recipients = {row["recipient"] for row in data["notifier"]["deliveries"]}
    assert recipients == {ines["email"]}
    assert len(data["notifier"]["deliveries"]) >= 2
    assert all("content" not in row for row in data["notifier"]["deliveries"])
    # Nothing of Boréal's anywhere, and no token's hash.
    for name, content in files.items():
        for other in (boreal["id"], HUGO, other_quote["id"], b"Boreal"):
            needle = other if isinstance(other, bytes) else other.encode()
            assert needle not in content, (name, other)
        assert b"token_hash" not in content and b"password_hash" not in content, name

    # A redelivered request enqueues nothing: each service made its part once.
    parts = portico.events.of_type(ClientExportPartReady.event_type, subject=export["id"])
    assert sorted(part.source for part in parts) == sorted(SERVICES[1:])
    [request] = portico.events.of_type(ClientExportRequested.event_type, subject=export["id"])
    await portico.host.bus.publish([request])
    await asyncio.sleep(2)
    for service in SERVICES:
        assert await export_jobs(portico, service) == 1, service
    again = portico.events.of_type(ClientExportPartReady.event_type, subject=export["id"])
    assert len(again) == len(parts)
    after = (await portico.http.get(path, headers=admin)).json()
    assert after["archive_sha256"] == done["archive_sha256"]

    # Once in the archive, no part is left in its service's store; the archive goes with
    # the client, so that an erasure leaves no copy behind.
    for service in SERVICES[1:]:
        assert await portico.runtime(service).store.keys(f"exports/{export['id']}/") == []
    portal_store = portico.runtime("portal").store
    assert await portal_store.keys(f"exports/{export['id']}/")
    erased = await portico.http.delete(
        f"{PORTAL}/clients/{lumiere['id']}", params={"erase": "true"}, headers=admin
    )
    assert erased.status_code == 204, erased.text

    async def archive_gone() -> bool | None:
        return True if not await portal_store.keys(f"exports/{export['id']}/") else None

    assert await wait_until(archive_gone)


async def test_only_an_admin_exports_and_another_clients_export_is_not_found(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    made = await portico.http.post(f"{PORTAL}/clients", json=BOREAL, headers=admin)
    client = made.json()
    exports = f"{PORTAL}/clients/{client['id']}/exports"
    staff = await portico.http.post(exports, headers=portico.headers("staff"))
    assert staff.status_code == 403
    assert staff.headers["content-type"] == "application/problem+json"
    unknown = await portico.http.post(
        f"{PORTAL}/clients/{'0' * 8}-0000-4000-8000-{'0' * 12}/exports", headers=admin
    )
    assert unknown.status_code == 404
    asked = await portico.http.post(exports, headers=admin)
    assert asked.status_code == 202
    other = await portico.http.post(f"{PORTAL}/clients", json=LUMIERE, headers=admin)
    elsewhere = f"{PORTAL}/clients/{other.json()['id']}/exports/{asked.json()['id']}"
    assert (await portico.http.get(elsewhere, headers=admin)).status_code == 404
    assert (await portico.http.get(f"{elsewhere}/archive", headers=admin)).status_code == 404

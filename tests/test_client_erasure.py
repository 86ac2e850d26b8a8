"""Erasing a client, end to end (docs/erasure.md): a client with data in every service — a
portal login and a workspace file, a document signed, a document requested and uploaded, a
quote sent, signed and invoiced, and the messages that told them and staff — is erased by
an admin; then no table of any service (every table of each service's models) and no blob
store holds the client's id, the contact's id or the contact's address, but the tombstones
of the client's id; and no store holds a file made since the client existed."""

from __future__ import annotations

import asyncio
import base64
import io
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import func, select

from portico.contracts.events.documents import ClientDocumentUploaded
from portico.contracts.events.portal import (
    ClientCreated,
    ClientDeleted,
    ClientInvited,
    FileUploaded,
)
from portico.contracts.events.quotes import InvoiceIssued, QuoteSent, QuoteSigned
from portico.contracts.events.signing import DocumentCompleted, SubmissionSent
from portico.documents.testing import pdf_file
from portico.kit.testing.leftovers import Leftover, handled, leftovers, store_keys
from portico.kit.testing.polling import wait_until
from portico.kit.testing.services import RunningPortico
from portico.notifier.models import Delivery
from portico.signing.testing import (
    SIGNING,
    SUBMISSIONS,
    all_previews_ready,
    drawn_signature,
    field,
    link_of,
    make_template,
    send_to,
)

PORTAL = "/api/portal/v1"
QUOTES = "/api/quotes/v1/quotes"
DOCUMENTS = "/api/documents/v1"
PASSWORD = "Lumiere-Portal-2026!"
SERVICES = ("portal", "signing", "documents", "quotes", "notifier")
PROOF_OF_ADDRESS = {
    "name_en": "Proof of address",
    "name_fr": "Justificatif de domicile",
    "upload_mode": "required",
    "formats": ["pdf"],
    "max_size_mib": 5,
}


@pytest.fixture
def portico_uses_s3() -> bool:
    return True


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTICO_JOBS_RETRY_DELAYS", "[0.1, 0.2]")


def drawn_png() -> str:
    image = Image.new("RGBA", (400, 150), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 130), (390, 20)], fill="navy", width=4)
    output = io.BytesIO()
    image.save(output, "PNG")
    return base64.b64encode(output.getvalue()).decode()


async def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def known_everywhere(portico: RunningPortico, client: dict[str, Any]) -> None:
    [created] = await portico.events.wait_for(ClientCreated.event_type, subject=client["id"])
    for service in SERVICES[1:]:
        await handled(portico, service, created)


async def heard(portico: RunningPortico, event_type: str, service: str = "notifier") -> None:
    """Every event of the type seen so far (at least one) is handled by the service."""
    for envelope in await portico.events.wait_for(event_type, timeout=60):
        await handled(portico, service, envelope)


async def joined(portico: RunningPortico, admin: dict[str, str], client: dict[str, Any]) -> str:
    """The contact accepts the invitation; answers their access token (a real login)."""
    contact = client["contacts"][0]
    await ok(
        await portico.http.post(
            f"{PORTAL}/clients/{client['id']}/contacts/{contact['id']}/invitation", headers=admin
        ),
        201,
    )
    [envelope] = await portico.events.wait_for(ClientInvited.event_type, subject=client["id"])
    token = parse_qs(urlsplit(str(envelope.data["accept_url"])).query)["token"][0]
    accepted = await ok(
        await portico.http.post(
            f"{PORTAL}/invitations/accept", json={"token": token, "password": PASSWORD}
        )
    )
    return str(accepted["access_token"])


async def in_the_portal(
    portico: RunningPortico, admin: dict[str, str], client: dict[str, Any]
) -> None:
    """A workspace shared with the contact, who adds a file to it."""
    access = {"Authorization": f"Bearer {await joined(portico, admin, client)}"}
    contact_id = client["contacts"][0]["id"]
    workspace = await ok(
        await portico.http.post(
            f"{PORTAL}/clients/{client['id']}/workspaces",
            json={"name": "Rénovation atelier", "contact_ids": [contact_id]},
            headers=admin,
        ),
        201,
    )
    await ok(
        await portico.http.post(
            f"{PORTAL}/workspaces/{workspace['id']}/files",
            files={"file": ("plans.pdf", pdf_file("Plans"), "application/pdf")},
            headers=access,
        ),
        201,
    )


async def in_signing(
    portico: RunningPortico, template: dict[str, Any], client: dict[str, Any]
) -> None:
    """A document sent to the contact, signed and completed."""
    submission = await ok(await send_to(portico, template, client), 201)
    token = await link_of(portico, submission["id"], client["contacts"][0]["email"])
    values = {"Signature": {"image": drawn_signature()}}
    await ok(await portico.http.post(f"{SIGNING}/{token}/submit", json={"values": values}))

    async def completed() -> bool:
        found = await portico.http.get(
            f"{SUBMISSIONS}/{submission['id']}", headers=portico.headers("staff")
        )
        return bool(found.json()["completion"] == "done")

    await wait_until(completed, 90)


async def in_documents(portico: RunningPortico, client: dict[str, Any], type_id: str) -> None:
    """The document asked of every client, uploaded by the contact."""
    contact = client["contacts"][0]
    headers = portico.headers("client", client_id=client["id"], contact_id=contact["id"])
    await ok(
        await portico.http.post(
            f"{DOCUMENTS}/my-documents",
            data={"document_type_id": type_id, "data": "{}"},
            files={"file": ("address.pdf", pdf_file("12 rue des Arts"), "application/pdf")},
            headers=headers,
        ),
        201,
    )


async def in_quotes(portico: RunningPortico, client: dict[str, Any]) -> None:
    """A quote with an attachment, sent with its PDF, signed by the contact, invoiced."""
    staff = portico.headers("staff")
    quote = await ok(
        await portico.http.post(
            QUOTES,
            json={
                "client_id": client["id"],
                "title": "Rénovation",
                "lines": [{"description": "Workshop", "quantity": "2", "unit_price": "480"}],
            },
            headers=staff,
        ),
        201,
    )
    await ok(
        await portico.http.post(
            f"{QUOTES}/{quote['id']}/attachments",
            files={"file": ("plan.pdf", pdf_file("Plan"), "application/pdf")},
            headers=staff,
        ),
        201,
    )
    await ok(
        await portico.http.post(
            f"{QUOTES}/{quote['id']}/send", json={"attach_pdf": True}, headers=staff
        )
    )
    [sent] = await portico.events.wait_for(QuoteSent.event_type, subject=quote["id"])
    token = str(sent.data["quote_url"]).rsplit("/", 1)[1]
    signature = {"kind": "drawn", "image_png_base64": drawn_png()}
    await ok(
        await portico.http.post(
            f"/api/quotes/v1/online/{token}/accept",
            json={
                "name": "Camille Durand",
                "accept_terms": True,
                "time_zone": "Europe/Paris",
                "signature": signature,
            },
        )
    )
    await ok(
        await portico.http.post(f"{QUOTES}/{quote['id']}/invoice", json={}, headers=staff), 201
    )


async def settled(portico: RunningPortico) -> None:
    """Every message the notifier recorded is sent (or failed for good)."""
    database = portico.runtime("notifier").database
    for _ in range(600):
        async with database.sessions() as session:
            pending = await session.scalar(
                select(func.count()).select_from(Delivery).where(Delivery.status == "pending")
            )
        if not pending:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("messages still waiting to be sent")


async def keys_of(portico: RunningPortico) -> dict[str, set[str]]:
    return {name: await store_keys(portico.runtime(name).store) for name in SERVICES}


def remaining(found: Sequence[Leftover]) -> list[str]:
    return [str(item) for item in found if not item.is_tombstone]


async def test_an_erased_client_leaves_nothing_in_any_service(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    # What is no one's data, made first: a template, a document type, e-signatures on.
    template = await make_template(portico, [field("Signature", "signature", y=0.6, h=0.08)])
    await all_previews_ready(portico, template["id"])
    document_type = await ok(
        await portico.http.post(
            f"{DOCUMENTS}/document-types", json=PROOF_OF_ADDRESS, headers=admin
        ),
        201,
    )
    settings = await ok(await portico.http.get("/api/quotes/v1/quote-settings", headers=admin))
    settings.pop("updated_at")
    await ok(
        await portico.http.put(
            "/api/quotes/v1/quote-settings", json={**settings, "esignature": True}, headers=admin
        )
    )
    email = f"camille.{uuid.uuid4().hex[:8]}@lumiere.example"
    client = await ok(
        await portico.http.post(
            f"{PORTAL}/clients",
            json={
                "name": "Atelier Lumière",
                "contacts": [
                    {
                        "first_name": "Camille",
                        "last_name": "Durand",
                        "email": email,
                        "phone": "+33 6 12 34 56 78",
                        "locale": "fr",
                    }
                ],
            },
            headers=admin,
        ),
        201,
    )
    await known_everywhere(portico, client)
    before = await keys_of(portico)

    await in_the_portal(portico, admin, client)
    await in_signing(portico, template, client)
    await in_documents(portico, client, document_type["id"])
    await in_quotes(portico, client)
    for event_type in (
        FileUploaded.event_type,
        SubmissionSent.event_type,
        DocumentCompleted.event_type,
        ClientDocumentUploaded.event_type,
        QuoteSent.event_type,
        QuoteSigned.event_type,
        InvoiceIssued.event_type,
    ):
        await heard(portico, event_type)
    await settled(portico)
    values = [client["id"], client["contacts"][0]["id"], email]
    held = await leftovers(portico, values)
    # Every service holds something of them, rows and files.
    assert {item.service for item in held if item.table} == set(SERVICES)
    made = await keys_of(portico)
    assert {name for name in SERVICES if made[name] - before[name]} == {
        "portal",
        "signing",
        "documents",
        "quotes",
    }

    erased = await portico.http.delete(
        f"{PORTAL}/clients/{client['id']}", params={"erase": "true"}, headers=admin
    )
    assert erased.status_code == 204, erased.text
    [event] = await portico.events.wait_for(ClientDeleted.event_type, subject=client["id"])
    for service in SERVICES[1:]:
        await handled(portico, service, event)
    # Files go by jobs the erasing transactions enqueued.
    for _ in range(400):
        now = await keys_of(portico)
        if all(now[name] <= before[name] for name in SERVICES):
            break
        await asyncio.sleep(0.05)

    now = await keys_of(portico)
    assert {name: now[name] - before[name] for name in SERVICES} == {n: set() for n in SERVICES}
    found = await leftovers(portico, values)
    assert remaining(found) == [], "\n".join(remaining(found))
    # The tombstones: one per service keeping a replica of the clients.
    assert sorted(item.service for item in found) == ["documents", "notifier", "quotes", "signing"]

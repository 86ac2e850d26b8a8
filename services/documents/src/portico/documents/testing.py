"""Test helpers of the documents service: clients made through the portal (and known to
the documents service), the three document types of the issue's story, and uploads."""

from __future__ import annotations

import asyncio
import io
import json
import time
import uuid
from typing import Any

from PIL import Image

from portico.contracts.events.portal import ClientCreated
from portico.kit.testing.services import RunningPortico
from portico.pdf.testing import pdf_with_text

DOCUMENTS = "/api/documents/v1"
TYPES = f"{DOCUMENTS}/document-types"

ID_CARD = {
    "name_en": "ID card",
    "name_fr": "Carte d'identité",
    "description_en": "Both sides, readable.",
    "description_fr": "Recto et verso, lisibles.",
    "upload_mode": "required",
    "formats": ["pdf", "jpeg", "png"],
    "max_size_mib": 2,
    "expires": True,
    "fields": [
        {"key": "number", "label_en": "Card number", "label_fr": "Numéro", "required": True},
        {
            "key": "valid_until",
            "label_en": "Valid until",
            "label_fr": "Valable jusqu'au",
            "kind": "date",
            "required": True,
            "is_expiry": True,
        },
    ],
}
KBIS = {
    "name_en": "Company registration (Kbis)",
    "name_fr": "Extrait Kbis",
    "upload_mode": "required",
    "formats": ["pdf"],
    "max_size_mib": 5,
    "client_tag": "company",
}
CONTRACT = {
    "name_en": "Internal contract",
    "name_fr": "Contrat interne",
    "upload_mode": "admin_only",
    "formats": ["pdf"],
    "max_size_mib": 5,
}


def pdf_file(text: str = "A document") -> bytes:
    return pdf_with_text(text)


def png_file() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 40), (30, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


async def make_type(
    portico: RunningPortico, admin: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    made = await portico.http.post(TYPES, json=body, headers=admin)
    assert made.status_code == 201, made.text
    found: dict[str, Any] = made.json()
    return found


async def make_client(
    portico: RunningPortico,
    admin: dict[str, str],
    *,
    name: str = "Atelier Lumière",
    tags: list[str] | None = None,
    email: str | None = None,
) -> dict[str, Any]:
    """A client with one contact, once the documents service knows it."""
    made = await portico.http.post(
        "/api/portal/v1/clients",
        json={
            "name": name,
            "tags": tags or [],
            "contacts": [
                {
                    "first_name": "Inès",
                    "last_name": "Roy",
                    "email": email or f"ines.{uuid.uuid4().hex[:8]}@lumiere.example",
                    "locale": "fr",
                }
            ],
        },
        headers=admin,
    )
    assert made.status_code == 201, made.text
    client: dict[str, Any] = made.json()
    await portico.events.wait_for(ClientCreated.event_type, subject=client["id"])
    deadline = time.monotonic() + 30
    while (
        await portico.http.get(
            f"{DOCUMENTS}/clients/{client['id']}/documents", headers=portico.headers("staff")
        )
    ).status_code == 404:
        assert time.monotonic() < deadline, "the documents service never learnt of the client"
        await asyncio.sleep(0.05)
    return client


def contact_headers(portico: RunningPortico, client: dict[str, Any]) -> dict[str, str]:
    contact_id = client["contacts"][0]["id"]
    return portico.headers("client", client_id=client["id"], contact_id=contact_id)


async def upload(
    portico: RunningPortico,
    path: str,
    headers: dict[str, str],
    document_type: dict[str, Any],
    content: bytes,
    *,
    name: str = "document.pdf",
    data: dict[str, Any] | None = None,
) -> Any:
    return await portico.http.post(
        path,
        data={"document_type_id": document_type["id"], "data": json.dumps(data or {})},
        files={"file": (name, content, "application/octet-stream")},
        headers=headers,
    )

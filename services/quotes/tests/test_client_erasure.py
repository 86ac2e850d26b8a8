"""An erased client's quotes and invoices go, with their files (docs/erasure.md): sent or
not, accepted and signed, invoiced; nothing of the client is left in the quotes service
but the tombstone of its id; another client's stay; the same ClientDeleted again changes
nothing more. A plain deletion keeps, as before, every quote sent and every invoice."""

from __future__ import annotations

import asyncio
import base64
import io
import uuid
from typing import Any

import pytest
from PIL import Image, ImageDraw

from portico.contracts import Envelope
from portico.contracts.events.portal import ClientDeleted
from portico.kit.testing.leftovers import handled, leftovers, store_keys
from portico.kit.testing.services import RunningPortico
from portico.quotes.testing import (
    CLIENTS,
    ONLINE,
    QUOTES,
    SETTINGS,
    contact,
    make_client,
    make_quote,
    sent_link,
    simple_quote,
)

INVOICES = "/api/quotes/v1/invoices"
ACCEPT = {"name": "Inès Roy", "accept_terms": True, "time_zone": "Europe/Paris"}


def drawn_png() -> str:
    """A signature as a pad draws it: a line on a transparent canvas, in base64."""
    image = Image.new("RGBA", (400, 150), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 130), (390, 20)], fill="navy", width=4)
    output = io.BytesIO()
    image.save(output, "PNG")
    return base64.b64encode(output.getvalue()).decode()


@pytest.fixture
def portico_uses_s3() -> bool:
    # The files' removal is what differs between the stores: S3 in the distributed runs.
    return True


async def esignature_on(portico: RunningPortico, admin: dict[str, str]) -> None:
    settings = (await portico.http.get(SETTINGS, headers=admin)).json()
    settings.pop("updated_at")
    saved = await portico.http.put(SETTINGS, json={**settings, "esignature": True}, headers=admin)
    assert saved.status_code == 200, saved.text


async def client_with_records(
    portico: RunningPortico, admin: dict[str, str], name: str
) -> dict[str, Any]:
    """A client with a draft, a quote sent with its PDF and an attachment, accepted with a
    drawn signature and invoiced; answers the client with the ids made."""
    client = await make_client(portico, admin, name=name, contacts=[contact()])
    staff = portico.headers("staff")
    draft = await make_quote(portico, staff, simple_quote(client, title="Brouillon"))
    quote = await make_quote(portico, staff, simple_quote(client, title="Accepté"))
    attached = await portico.http.post(
        f"{QUOTES}/{quote['id']}/attachments",
        files={"file": ("plan.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
        headers=staff,
    )
    assert attached.status_code == 201, attached.text
    token = await sent_link(portico, staff, quote, {"attach_pdf": True})
    signature = {"kind": "drawn", "image_png_base64": drawn_png()}
    accepted = await portico.http.post(
        f"{ONLINE}/{token}/accept", json={**ACCEPT, "signature": signature}
    )
    assert accepted.status_code == 200, accepted.text
    bill = await portico.http.post(f"{QUOTES}/{quote['id']}/invoice", json={}, headers=staff)
    assert bill.status_code == 201, bill.text
    return client | {"draft": draft["id"], "quote": quote["id"], "invoice": bill.json()["id"]}


async def what_is_left(portico: RunningPortico, client: dict[str, Any]) -> list[Any]:
    person = client["contacts"][0]
    return [
        item
        for item in await leftovers(
            portico, [client["id"], person["id"], person["email"]], services=["quotes"]
        )
        if not item.is_tombstone
    ]


async def files_of(portico: RunningPortico, quote_id: str) -> set[str]:
    keys = await store_keys(portico.runtime("quotes").store)
    return {key for key in keys if key.startswith(f"quotes/{quote_id}/")}


async def delete(
    portico: RunningPortico, admin: dict[str, str], client: dict[str, Any], **params: str
) -> Envelope:
    deleted = await portico.http.delete(f"{CLIENTS}/{client['id']}", params=params, headers=admin)
    assert deleted.status_code == 204, deleted.text
    [event] = await portico.events.wait_for(ClientDeleted.event_type, subject=client["id"])
    await handled(portico, "quotes", event)
    return event


async def reads(portico: RunningPortico, *paths: str) -> list[int]:
    staff = portico.headers("staff")
    return [(await portico.http.get(path, headers=staff)).status_code for path in paths]


async def test_an_erased_client_leaves_no_quote_no_invoice_and_no_file(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    await esignature_on(portico, admin)
    client = await client_with_records(portico, admin, "Atelier Lumière")
    kept = await client_with_records(portico, admin, "Boulangerie Dupont")
    files = await files_of(portico, client["quote"])
    # The PDF sent, the signature, the signed quote and the attachment.
    assert len(files) >= 4, files
    assert len(await what_is_left(portico, client)) >= 4
    kept_before = {
        path: (await portico.http.get(path, headers=portico.headers("staff"))).json()
        for path in (f"{QUOTES}/{kept['quote']}", f"{INVOICES}/{kept['invoice']}")
    }

    event = await delete(portico, admin, client, erase="true")
    for _ in range(200):
        if not await files_of(portico, client["quote"]):
            break
        await asyncio.sleep(0.05)
    assert await files_of(portico, client["quote"]) == set()
    assert await what_is_left(portico, client) == []
    assert await reads(
        portico,
        f"{QUOTES}/{client['quote']}",
        f"{QUOTES}/{client['draft']}",
        f"{INVOICES}/{client['invoice']}",
    ) == [404, 404, 404]
    listed = await portico.http.get(
        INVOICES, params={"client_id": client["id"]}, headers=portico.headers("staff")
    )
    assert listed.json()["items"] == []

    # The other client keeps everything; the same event again changes nothing more.
    again = event.model_copy(update={"id": uuid.uuid4()})
    await portico.host.bus.publish([event, again])
    await handled(portico, "quotes", again)
    assert await what_is_left(portico, client) == []
    for path, before in kept_before.items():
        assert (await portico.http.get(path, headers=portico.headers("staff"))).json() == before
    assert len(await files_of(portico, kept["quote"])) >= 4


async def test_a_plain_deletion_keeps_the_quotes_sent_and_the_invoices(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    await esignature_on(portico, admin)
    client = await client_with_records(portico, admin, "Atelier Lumière")
    files = await files_of(portico, client["quote"])

    event = await delete(portico, admin, client)
    assert event.data["erase"] is False
    assert await reads(
        portico,
        f"{QUOTES}/{client['quote']}",
        f"{QUOTES}/{client['draft']}",
        f"{INVOICES}/{client['invoice']}",
    ) == [200, 404, 200]
    assert await files_of(portico, client["quote"]) == files
    kept = await portico.http.get(f"{QUOTES}/{client['quote']}", headers=portico.headers("staff"))
    assert kept.json()["client_name"] == "Atelier Lumière"
    left = {item.table for item in await what_is_left(portico, client)}
    assert left >= {"quotes", "invoices", "quote_events"}

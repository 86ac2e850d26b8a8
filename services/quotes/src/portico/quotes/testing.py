"""Test helpers of the quotes service: clients made through the portal (and known to the
quotes service), products, quotes and sends through the API."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from portico.contracts.events.quotes import QuoteSent
from portico.kit.testing.services import RunningPortico
from portico.quotes.models import ClientReplica
from portico.quotes.quotes.sending import QUOTE_PATH

QUOTES = "/api/quotes/v1/quotes"
PRODUCTS = "/api/quotes/v1/products"
SETTINGS = "/api/quotes/v1/quote-settings"
CLIENTS = "/api/portal/v1/clients"
ONLINE = "/api/quotes/v1/online"
INVOICES = "/api/quotes/v1/invoices"
ACCEPTANCE = {"name": "Inès Roy", "accept_terms": True, "time_zone": "Europe/Paris"}
# Two VAT rates, a line's discount, an optional line chosen and one not, a discount on the
# whole quote: what an invoice of it bills is 2,547.14 with tax (test_invoices proves it).
MIXED_OFFER: dict[str, Any] = {
    "title": "Rénovation de l'atelier",
    "sections": [
        {"key": "design", "title": "Design"},
        {"key": "print", "title": "Print"},
        {"key": "extras", "title": "Extras"},
    ],
    "lines": [
        {"section": "design", "description": "Design workshop", "quantity": "2",
         "unit": "day", "unit_price": "480.00", "vat_rate": "20"},
        {"section": "design", "description": "Brand guide", "unit_price": "1250",
         "vat_rate": 20, "discount": {"kind": "percent", "value": "10"}},
        {"section": "print", "description": "Labels", "quantity": 333,
         "unit_price": "0.0125", "vat_rate": "5.5"},
        {"section": "print", "description": "Books", "quantity": "3",
         "unit_price": "24.90", "vat_rate": "5.5"},
        {"section": "print", "description": "Poster", "unit_price": "80",
         "vat_rate": "20", "optional": True, "chosen": True},
        {"section": "extras", "description": "An extra day", "unit_price": "480",
         "vat_rate": "20", "optional": True},
    ],
    "discount": {"kind": "percent", "value": "5"},
}  # fmt: skip


def contact(first_name: str = "Inès", last_name: str = "Roy", **fields: Any) -> dict[str, Any]:
    return {
        "first_name": first_name,
        "last_name": last_name,
        "email": f"{first_name.lower()}.{uuid.uuid4().hex[:8]}@lumiere.example",
        "locale": "fr",
        **fields,
    }


async def replica_of(portico: RunningPortico, client_id: str) -> ClientReplica | None:
    async with portico.runtime("quotes").database.sessions() as session:
        return await session.get(ClientReplica, uuid.UUID(client_id))


async def known_to_quotes(portico: RunningPortico, client_id: str, **expected: Any) -> None:
    """Waits until the quotes service's replica of the client has ``expected``."""
    deadline = time.monotonic() + 30
    while True:
        held = await replica_of(portico, client_id)
        if held is not None and all(getattr(held, k) == v for k, v in expected.items()):
            return
        assert time.monotonic() < deadline, f"the quotes service never learnt {expected}"
        await asyncio.sleep(0.05)


async def make_client(
    portico: RunningPortico,
    admin: dict[str, str],
    *,
    name: str = "Atelier Lumière",
    contacts: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A client (one contact by default), once the quotes service knows it."""
    made = await portico.http.post(
        CLIENTS,
        json={"name": name, "contacts": [contact()] if contacts is None else contacts, **fields},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    client: dict[str, Any] = made.json()
    await known_to_quotes(portico, client["id"], name=name)
    return client


async def make_product(
    portico: RunningPortico, headers: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    made = await portico.http.post(PRODUCTS, json=body, headers=headers)
    assert made.status_code == 201, made.text
    found: dict[str, Any] = made.json()
    return found


def simple_quote(client: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "client_id": client["id"],
        "title": "Site web",
        "lines": [{"description": "Design workshop", "quantity": "2", "unit_price": "480"}],
        **fields,
    }


async def make_quote(
    portico: RunningPortico, headers: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    made = await portico.http.post(QUOTES, json=body, headers=headers)
    assert made.status_code == 201, made.text
    found: dict[str, Any] = made.json()
    return found


async def accepted_quote(
    portico: RunningPortico, client: dict[str, Any], body: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A quote (``MIXED_OFFER`` unless ``body``) sent to the client's first contact and
    accepted through its link."""
    staff = portico.headers("staff")
    quote = await make_quote(portico, staff, {"client_id": client["id"], **(body or MIXED_OFFER)})
    token = await sent_link(portico, staff, quote)
    answer = await portico.http.post(f"{ONLINE}/{token}/accept", json=ACCEPTANCE)
    assert answer.status_code == 200, answer.text
    return quote


async def send(
    portico: RunningPortico,
    headers: dict[str, str],
    quote: dict[str, Any],
    body: dict[str, Any] | None = None,
) -> Any:
    return await portico.http.post(f"{QUOTES}/{quote['id']}/send", json=body or {}, headers=headers)


def field_of(response: Any) -> str:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return str(response.json()["errors"][0]["field"])


async def sent_link(
    portico: RunningPortico,
    headers: dict[str, str],
    quote: dict[str, Any],
    body: dict[str, Any] | None = None,
) -> str:
    """Sends ``quote`` and answers the token of the link that went out (QuoteSent's URL)."""
    subject = str(quote["id"])
    before = len(portico.events.of_type(QuoteSent.event_type, subject=subject))
    sent = await send(portico, headers, quote, body)
    assert sent.status_code == 200, sent.text
    envelopes = await portico.events.wait_for(QuoteSent.event_type, before + 1, subject=subject)
    url = str(envelopes[-1].data["quote_url"])
    prefix = portico.host.settings.link(QUOTE_PATH)
    assert url.startswith(prefix), url
    return url.removeprefix(prefix)

"""Invoices and orders from accepted quotes, through the API: an accepted quote is invoiced
once (two requests at the same moment give one invoice and a 409), numbered from the
settings' invoice pattern without gaps, billing the lines the client took to the cent and
announced by InvoiceIssued; a quote not accepted is refused, saying why; an accepted quote
may be confirmed as an order instead; an invoice is then paid or voided, once. Invoices are
listed and filtered, read by staff and API keys only, and outlive their client.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from portico.contracts.events.portal import ClientDeleted
from portico.contracts.events.quotes import InvoiceIssued
from portico.kit.db import utcnow
from portico.kit.testing.services import RunningPortico
from portico.quotes.testing import (
    CLIENTS,
    INVOICES,
    MIXED_OFFER,
    ONLINE,
    QUOTES,
    accepted_quote,
    known_to_quotes,
    make_client,
    make_quote,
    sent_link,
    simple_quote,
)


def year() -> int:
    return utcnow().date().year


async def accepted(
    portico: RunningPortico,
    admin: dict[str, str],
    client: dict[str, Any] | None = None,
    body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A quote sent to a client's contact and accepted through its link."""
    return await accepted_quote(portico, client or await make_client(portico, admin), body)


async def invoice(
    portico: RunningPortico, quote: dict[str, Any], body: dict[str, Any] | None = None
) -> Any:
    return await portico.http.post(
        f"{QUOTES}/{quote['id']}/invoice", json=body or {}, headers=portico.headers("staff")
    )


async def history_kinds(portico: RunningPortico, quote_id: str) -> list[dict[str, Any]]:
    answer = await portico.http.get(
        f"{QUOTES}/{quote_id}/history", headers=portico.headers("staff")
    )
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def test_an_accepted_quote_is_invoiced_with_the_lines_taken_to_the_cent(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    quote = await accepted(portico, admin, client)
    as_accepted = (
        await portico.http.get(f"{QUOTES}/{quote['id']}", headers=portico.headers("staff"))
    ).json()

    issued = await invoice(portico, quote)

    assert issued.status_code == 201, issued.text
    bill = issued.json()
    today = utcnow().date()
    assert (bill["number"], bill["status"], bill["allowed_actions"]) == (
        f"FAC-{year()}-00001",
        "issued",
        ["paid", "void"],
    )
    assert (bill["quote_id"], bill["client_id"], bill["client_name"]) == (
        quote["id"],
        client["id"],
        "Atelier Lumière",
    )
    assert (bill["contact_id"], bill["title"], bill["currency"], bill["locale"]) == (
        client["contacts"][0]["id"],
        MIXED_OFFER["title"],
        "EUR",
        "fr",
    )
    assert (bill["issue_date"], bill["due_on"]) == (
        today.isoformat(),
        (today + timedelta(days=30)).isoformat(),
    )
    # The optional line not chosen is not billed, nor its section; the one chosen is.
    assert [line["description"] for line in bill["lines"]] == [
        "Design workshop",
        "Brand guide",
        "Labels",
        "Books",
        "Poster",
    ]
    assert [s["key"] for s in bill["sections"]] == ["design", "print"]
    nets = [line["net"] for line in bill["lines"]]
    assert nets == ["960.00", "1125.00", "4.16", "74.70", "80.00"]
    assert bill["lines"][0] == {
        "section": "design",
        "description": "Design workshop",
        "quantity": "2",
        "unit": "day",
        "unit_price": "480.00",
        "vat_rate": "20",
        "discount": None,
        "net": "960.00",
    }
    assert bill["totals"] == {
        "lines_total": "2243.86",
        "discount": "112.19",
        "total_without_tax": "2131.67",
        "taxes": [
            {"rate": "20", "base": "2056.75", "tax": "411.35"},
            {"rate": "5.5", "base": "74.92", "tax": "4.12"},
        ],
        "total_tax": "415.47",
        "total_with_tax": "2547.14",
    }
    # Exactly what the accepted quote says.
    assert bill["totals"] == as_accepted["totals"]
    assert bill["sections"] == as_accepted["sections"][:2]

    now = (await portico.http.get(f"{QUOTES}/{quote['id']}", headers=admin)).json()
    assert now["status"] == "invoiced"
    [step] = [s for s in await history_kinds(portico, quote["id"]) if s["kind"] == "invoiced"]
    assert step["detail"]["number"] == bill["number"]
    assert step["staff_id"] is not None

    [envelope] = await portico.events.wait_for(InvoiceIssued.event_type, subject=bill["id"])
    event = InvoiceIssued.model_validate(envelope.data)
    assert (event.number, str(event.quote_id), str(event.client_id)) == (
        bill["number"],
        quote["id"],
        client["id"],
    )
    assert (event.total_including_tax, event.currency, event.due_on) == (
        Decimal("2547.14"),
        "EUR",
        today + timedelta(days=30),
    )
    assert event.invoice_url == portico.host.settings.link(f"/portal/billing/{bill['id']}")
    assert event.contact is not None
    assert (str(event.contact.id), event.contact.name, event.contact.email) == (
        client["contacts"][0]["id"],
        "Inès Roy",
        client["contacts"][0]["email"],
    )
    assert event.contact.locale == "fr"

    # What the invoice bills stays as issued, read again.
    again = await portico.http.get(f"{INVOICES}/{bill['id']}", headers=portico.headers("staff"))
    assert again.status_code == 200 and again.json() == bill


async def test_invoices_are_numbered_consecutively_and_a_due_date_may_be_given(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    first = await accepted(portico, admin, client, simple_quote(client))
    second = await accepted(portico, admin, client, simple_quote(client, title="Suite"))
    due = (utcnow().date() + timedelta(days=45)).isoformat()

    one = await invoice(portico, first)
    two = await invoice(portico, second, {"due_on": due})

    assert [one.status_code, two.status_code] == [201, 201], [one.text, two.text]
    assert [one.json()["number"], two.json()["number"]] == [
        f"FAC-{year()}-00001",
        f"FAC-{year()}-00002",
    ]
    assert two.json()["due_on"] == due
    assert two.json()["totals"]["total_with_tax"] == "1152.00"


async def test_a_due_date_before_the_issue_date_is_refused_and_issues_no_number(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    quote = await accepted(portico, admin)
    yesterday = (utcnow().date() - timedelta(days=1)).isoformat()

    refused = await invoice(portico, quote, {"due_on": yesterday})

    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "due_on"
    issued = await invoice(portico, quote)
    assert issued.json()["number"] == f"FAC-{year()}-00001"


async def test_two_invoices_of_one_quote_at_the_same_moment_make_one(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    quote = await accepted(portico, admin)

    answers = await asyncio.gather(invoice(portico, quote), invoice(portico, quote))

    assert sorted(answer.status_code for answer in answers) == [201, 409], [
        answer.text for answer in answers
    ]
    [refused] = [answer for answer in answers if answer.status_code == 409]
    assert "already accepted and invoiced" in refused.json()["detail"]
    listed = (await portico.http.get(INVOICES, headers=admin)).json()
    assert listed["total"] == 1
    assert listed["items"][0]["number"] == f"FAC-{year()}-00001"
    steps = [s for s in await history_kinds(portico, quote["id"]) if s["kind"] == "invoiced"]
    assert len(steps) == 1
    # Again later: still refused, still one invoice.
    assert (await invoice(portico, quote)).status_code == 409
    assert (await portico.http.get(INVOICES, headers=admin)).json()["total"] == 1


async def test_only_an_accepted_quote_is_invoiced_or_ordered(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    staff = portico.headers("staff")
    draft = await make_quote(portico, staff, simple_quote(client))
    sent = await make_quote(portico, staff, simple_quote(client))
    await sent_link(portico, staff, sent)
    declined = await make_quote(portico, staff, simple_quote(client))
    token = await sent_link(portico, staff, declined)
    no = await portico.http.post(f"{ONLINE}/{token}/decline", json={"reason": "Too dear"})
    assert no.status_code == 200, no.text

    for quote, why in [
        (draft, "it has not been accepted"),
        (sent, "it has not been accepted"),
        (declined, "it was declined"),
    ]:
        for action, verb in [("invoice", "invoiced"), ("order", "ordered")]:
            refused = await portico.http.post(
                f"{QUOTES}/{quote['id']}/{action}", json={}, headers=staff
            )
            assert refused.status_code == 409, (action, refused.text)
            assert refused.json()["detail"] == f"This quote cannot be {verb}: {why}."
    assert (await portico.http.get(INVOICES, headers=admin)).json()["total"] == 0
    # No number was drawn by the refusals.
    quote = await accepted(portico, admin, client, simple_quote(client))
    assert (await invoice(portico, quote)).json()["number"] == f"FAC-{year()}-00001"


async def test_an_accepted_quote_confirmed_as_an_order_is_not_invoiced(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    quote = await accepted(portico, admin)
    staff = portico.headers("staff")

    ordered = await portico.http.post(f"{QUOTES}/{quote['id']}/order", headers=staff)

    assert ordered.status_code == 200, ordered.text
    assert (ordered.json()["status"], ordered.json()["allowed_actions"]) == ("ordered", [])
    [step] = [s for s in await history_kinds(portico, quote["id"]) if s["kind"] == "ordered"]
    assert step["staff_id"] is not None
    assert (await portico.http.get(INVOICES, headers=admin)).json()["total"] == 0
    again = await portico.http.post(f"{QUOTES}/{quote['id']}/order", headers=staff)
    assert again.status_code == 409
    assert "already accepted and ordered" in again.json()["detail"]
    late = await invoice(portico, quote)
    assert late.status_code == 409
    assert "already accepted and ordered" in late.json()["detail"]


async def test_an_issued_invoice_is_paid_or_voided_once(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    paid = (await invoice(portico, await accepted(portico, admin, client))).json()
    void = (
        await invoice(portico, await accepted(portico, admin, client, simple_quote(client)))
    ).json()
    staff = portico.headers("staff")

    marked = await portico.http.post(f"{INVOICES}/{paid['id']}/paid", headers=staff)
    voided = await portico.http.post(f"{INVOICES}/{void['id']}/void", headers=staff)

    assert marked.status_code == 200, marked.text
    assert (marked.json()["status"], marked.json()["allowed_actions"]) == ("paid", [])
    assert marked.json()["totals"] == paid["totals"]
    assert voided.status_code == 200, voided.text
    assert (voided.json()["status"], voided.json()["number"]) == ("void", void["number"])
    for invoice_id, action, why in [
        (paid["id"], "paid", "This invoice cannot be marked paid: it is already paid."),
        (paid["id"], "void", "This invoice cannot be voided: it is already paid."),
        (void["id"], "paid", "This invoice cannot be marked paid: it is void."),
        (void["id"], "void", "This invoice cannot be voided: it is void."),
    ]:
        refused = await portico.http.post(f"{INVOICES}/{invoice_id}/{action}", headers=staff)
        assert (refused.status_code, refused.json()["detail"]) == (409, why)


async def test_invoices_are_listed_last_issued_first_and_filtered(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    one = await make_client(portico, admin)
    other = await make_client(portico, admin, name="Boulangerie Dupont")
    first = (await invoice(portico, await accepted(portico, admin, one, simple_quote(one)))).json()
    second = (
        await invoice(portico, await accepted(portico, admin, other, simple_quote(other)))
    ).json()
    third = (await invoice(portico, await accepted(portico, admin, one, simple_quote(one)))).json()
    staff = portico.headers("staff")
    await portico.http.post(f"{INVOICES}/{third['id']}/paid", headers=staff)

    async def numbers(**query: Any) -> list[str]:
        listed = await portico.http.get(INVOICES, params=query, headers=staff)
        assert listed.status_code == 200, listed.text
        return [item["number"] for item in listed.json()["items"]]

    assert await numbers() == [third["number"], second["number"], first["number"]]
    assert await numbers(client_id=one["id"]) == [third["number"], first["number"]]
    assert await numbers(status="paid") == [third["number"]]
    assert await numbers(status="issued", client_id=one["id"]) == [first["number"]]
    assert await numbers(limit=1, offset=1) == [second["number"]]
    row = await portico.http.get(INVOICES, params={"client_id": other["id"]}, headers=staff)
    assert row.json()["items"][0] == {
        "id": second["id"],
        "number": second["number"],
        "status": "issued",
        "quote_id": second["quote_id"],
        "client_id": other["id"],
        "client_name": "Boulangerie Dupont",
        "title": "Site web",
        "total_with_tax": "1152.00",
        "currency": "EUR",
        "issue_date": second["issue_date"],
        "due_on": second["due_on"],
        "created_at": second["created_at"],
    }
    unknown = await portico.http.get(INVOICES, params={"status": "overdue"}, headers=staff)
    assert unknown.status_code == 422


async def test_clients_and_keys_without_the_scope_are_refused_and_unknown_ids_are_404(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    quote = await accepted(portico, admin, client)
    bill = (await invoice(portico, quote)).json()
    theirs = portico.headers(
        "client", client_id=client["id"], contact_id=client["contacts"][0]["id"]
    )
    reader = portico.headers("api_key", scopes=["quotes:read"])
    for method, path in [
        ("GET", INVOICES),
        ("GET", f"{INVOICES}/{bill['id']}"),
        ("POST", f"{INVOICES}/{bill['id']}/paid"),
        ("POST", f"{INVOICES}/{bill['id']}/void"),
        ("POST", f"{QUOTES}/{quote['id']}/invoice"),
        ("POST", f"{QUOTES}/{quote['id']}/order"),
    ]:
        body = {} if path.endswith("/invoice") else None
        refused = await portico.http.request(method, path, json=body, headers=theirs)
        assert refused.status_code == 403, (method, path)
        if method == "POST":
            by_reader = await portico.http.request(method, path, json=body, headers=reader)
            assert by_reader.status_code == 403, (method, path)
            assert "quotes:write" in by_reader.json()["detail"]
    assert (await portico.http.get(f"{INVOICES}/{bill['id']}", headers=reader)).status_code == 200

    staff = portico.headers("staff")
    nobody = uuid.uuid4()
    for method, path in [
        ("GET", f"{INVOICES}/{nobody}"),
        ("POST", f"{INVOICES}/{nobody}/paid"),
        ("POST", f"{INVOICES}/{nobody}/void"),
        ("POST", f"{QUOTES}/{nobody}/invoice"),
        ("POST", f"{QUOTES}/{nobody}/order"),
    ]:
        body = {} if path.endswith("/invoice") else None
        missing = await portico.http.request(method, path, json=body, headers=staff)
        assert missing.status_code == 404, (method, path, missing.text)
    # An API key invoices too; it is no staff member.
    writer = portico.headers("api_key", scopes=["quotes:read", "quotes:write"])
    by_key = await portico.http.post(
        f"{QUOTES}/{(await accepted(portico, admin, client, simple_quote(client)))['id']}/invoice",
        json={},
        headers=writer,
    )
    assert by_key.status_code == 201 and by_key.json()["created_by"] is None


async def test_a_deleted_clients_invoices_are_kept(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    bill = (await invoice(portico, await accepted(portico, admin, client))).json()
    ordered = await accepted(portico, admin, client, simple_quote(client))
    staff = portico.headers("staff")
    assert (await portico.http.post(f"{QUOTES}/{ordered['id']}/order", headers=staff)).is_success

    deleted = await portico.http.delete(f"{CLIENTS}/{client['id']}", headers=admin)
    assert deleted.status_code == 204, deleted.text
    await portico.events.wait_for(ClientDeleted.event_type, subject=client["id"])
    await known_to_quotes(portico, client["id"], deleted=True)

    kept = await portico.http.get(f"{INVOICES}/{bill['id']}", headers=staff)
    assert kept.status_code == 200, kept.text
    assert kept.json() == bill
    listed = await portico.http.get(INVOICES, params={"client_id": client["id"]}, headers=staff)
    assert [item["number"] for item in listed.json()["items"]] == [bill["number"]]
    for quote_id, status in [(bill["quote_id"], "invoiced"), (ordered["id"], "ordered")]:
        quote = await portico.http.get(f"{QUOTES}/{quote_id}", headers=staff)
        assert quote.json()["status"] == status
    # A paid invoice of a deleted client is still marked paid.
    paid = await portico.http.post(f"{INVOICES}/{bill['id']}/paid", headers=staff)
    assert paid.json()["status"] == "paid"

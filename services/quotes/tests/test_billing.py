"""The client portal's billing section through the API: a client's contact reads the
quotes sent to their client (not its drafts, not a voided one) and its invoices, an
invoice with what it bills, and a sent quote's PDF (the sealed signed quote once
accepted); another client's invoice or quote is not found; staff and API keys are refused.
"""

from __future__ import annotations

from typing import Any

from portico.contracts.events.quotes import QuoteDownloaded
from portico.kit.testing.services import RunningPortico
from portico.quotes.testing import (
    ONLINE,
    QUOTES,
    make_client,
    make_quote,
    send,
    sent_link,
    simple_quote,
)

BILLING = "/api/quotes/v1/billing"
ACCEPT = {"name": "Inès Roy", "accept_terms": True, "time_zone": "Europe/Paris"}


def contact_headers(portico: RunningPortico, client: dict[str, Any]) -> dict[str, str]:
    """A token of the client's first contact, as the portal issues it when they log in."""
    contact_id = client["contacts"][0]["id"]
    return portico.headers("client", client_id=client["id"], contact_id=contact_id)


async def invoiced(portico: RunningPortico, client: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """A quote sent to the client, accepted through its link and invoiced by staff."""
    staff = portico.headers("staff")
    quote = await make_quote(portico, staff, simple_quote(client, title="Identité visuelle"))
    token = await sent_link(portico, staff, quote)
    accepted = await portico.http.post(f"{ONLINE}/{token}/accept", json=ACCEPT)
    assert accepted.status_code == 200, accepted.text
    issued = await portico.http.post(f"{QUOTES}/{quote['id']}/invoice", json={}, headers=staff)
    assert issued.status_code == 201, issued.text
    return quote, issued.json()


async def billing(portico: RunningPortico, client: dict[str, Any]) -> dict[str, Any]:
    answer = await portico.http.get(BILLING, headers=contact_headers(portico, client))
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


async def test_a_contact_reads_the_quotes_sent_and_the_invoices_of_their_client_only(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    other = await make_client(portico, admin, name="Boulangerie Martin")
    staff = portico.headers("staff")
    assert await billing(portico, client) == {"quotes": [], "invoices": []}

    await make_quote(portico, staff, simple_quote(client, title="Brouillon"))
    voided = await make_quote(portico, staff, simple_quote(client, title="Retiré"))
    assert (await send(portico, staff, voided)).status_code == 200
    void = await portico.http.post(f"{QUOTES}/{voided['id']}/void", headers=staff)
    assert void.status_code == 200, void.text
    sent = await make_quote(portico, staff, simple_quote(client, title="Site web"))
    assert (await send(portico, staff, sent)).status_code == 200
    accepted, invoice = await invoiced(portico, client)
    await invoiced(portico, other)

    found = await billing(portico, client)

    assert {q["title"]: q["status"] for q in found["quotes"]} == {
        "Site web": "sent",
        "Identité visuelle": "invoiced",
    }
    [row] = [q for q in found["quotes"] if q["id"] == sent["id"]]
    assert row["number"] and row["currency"] == "EUR"
    assert (row["total_with_tax"], row["valid_until"]) == ("1152.00", sent["valid_until"])
    assert row["pdf_path"] == f"/v1/billing/quotes/{sent['id']}/pdf"
    [bill] = found["invoices"]
    assert (bill["id"], bill["number"], bill["status"]) == (
        invoice["id"],
        invoice["number"],
        "issued",
    )
    assert (bill["total_with_tax"], bill["due_on"]) == ("1152.00", invoice["due_on"])
    numbers = [q["number"] for q in found["quotes"] if q["id"] == accepted["id"]]
    assert bill["quote_number"] == numbers[0]


async def test_an_invoice_is_read_with_its_lines_and_another_clients_is_not_found(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    other = await make_client(portico, admin, name="Boulangerie Martin")
    _, invoice = await invoiced(portico, client)
    _, theirs = await invoiced(portico, other)
    mine = contact_headers(portico, client)

    answer = await portico.http.get(f"{BILLING}/invoices/{invoice['id']}", headers=mine)

    assert answer.status_code == 200, answer.text
    read = answer.json()
    assert (read["number"], read["client_name"], read["title"]) == (
        invoice["number"],
        "Atelier Lumière",
        "Identité visuelle",
    )
    assert [line["description"] for line in read["lines"]] == ["Design workshop"]
    assert read["totals"] == invoice["totals"]
    assert "allowed_actions" not in read and "created_by" not in read
    refused = await portico.http.get(f"{BILLING}/invoices/{theirs['id']}", headers=mine)
    assert refused.status_code == 404, refused.text


async def test_a_sent_quote_downloads_as_a_pdf_but_not_a_draft_nor_another_clients(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    other = await make_client(portico, admin, name="Boulangerie Martin")
    staff = portico.headers("staff")
    sent = await make_quote(portico, staff, simple_quote(client))
    assert (await send(portico, staff, sent)).status_code == 200
    draft = await make_quote(portico, staff, simple_quote(client))
    theirs = await make_quote(portico, staff, simple_quote(other))
    assert (await send(portico, staff, theirs)).status_code == 200
    accepted, _ = await invoiced(portico, client)
    mine = contact_headers(portico, client)

    pdf = await portico.http.get(f"{BILLING}/quotes/{sent['id']}/pdf", headers=mine)
    signed = await portico.http.get(f"{BILLING}/quotes/{accepted['id']}/pdf", headers=mine)

    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert signed.status_code == 200, signed.text
    assert "-signed.pdf" in signed.headers["content-disposition"]
    for quote in (draft, theirs):
        refused = await portico.http.get(f"{BILLING}/quotes/{quote['id']}/pdf", headers=mine)
        assert refused.status_code == 404, refused.text

    # A download from the portal is one of the quote's history, as through its link, and
    # the salesperson hears of the contact's first.
    steps = (await portico.http.get(f"{QUOTES}/{sent['id']}/history", headers=staff)).json()
    [downloaded] = [step for step in steps["items"] if step["kind"] == "downloaded"]
    assert downloaded["contact_id"] == client["contacts"][0]["id"]
    [announced] = await portico.events.wait_for(QuoteDownloaded.event_type, subject=sent["id"])
    [sent_step] = [step for step in steps["items"] if step["kind"] == "sent"]
    assert announced.data["number"] == sent_step["detail"]["number"]


async def test_staff_and_api_keys_are_refused(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    _, invoice = await invoiced(portico, client)
    for headers in (
        portico.headers("staff"),
        admin,
        portico.headers("api_key", scopes=["quotes:read"]),
    ):
        for path in (BILLING, f"{BILLING}/invoices/{invoice['id']}"):
            answer = await portico.http.get(path, headers=headers)
            assert answer.status_code == 403, answer.text
    assert (await portico.http.get(BILLING)).status_code == 401

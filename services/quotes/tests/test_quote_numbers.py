"""A quote's number comes at its first send, from the settings' pattern and its issue date,
without gaps and without repeats: the next quote takes the next number, quotes sent at the
same moment take consecutive ones, a send refused or rolled back takes none, sending again
keeps the number. Each send emits QuoteSent with a link of its own, kept only as a hash."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from portico.contracts.events.quotes import QuoteSent
from portico.kit.auth.capabilities import hash_capability
from portico.kit.testing.services import RunningPortico
from portico.quotes.models import Quote, QuoteLink
from portico.quotes.numbers import QUOTE_NUMBERS, next_number
from portico.quotes.testing import (
    CLIENTS,
    QUOTES,
    SETTINGS,
    contact,
    field_of,
    make_client,
    make_quote,
    replica_of,
    send,
    simple_quote,
)


def year() -> int:
    return date.today().year


async def links_kept(portico: RunningPortico, token: str) -> list[QuoteLink]:
    async with portico.runtime("quotes").database.sessions() as session:
        return list(
            await session.scalars(
                select(QuoteLink).where(QuoteLink.token_hash == hash_capability(token))
            )
        )


async def test_the_first_send_numbers_the_quote_and_sending_again_keeps_its_number(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    staff = portico.headers("staff")
    first = await make_quote(portico, staff, simple_quote(client))
    second = await make_quote(portico, staff, simple_quote(client, title="Brochure"))

    sent = await send(portico, staff, first, {"message": "Bonjour Inès, voici notre devis."})
    assert sent.status_code == 200, sent.text
    assert (sent.json()["number"], sent.json()["status"]) == (f"DEV-{year()}-0001", "sent")
    assert sent.json()["sent_at"] is not None
    [envelope] = await portico.events.wait_for(QuoteSent.event_type, subject=first["id"])
    event = envelope.event()
    assert isinstance(event, QuoteSent)
    assert (event.number, event.title, event.currency) == (f"DEV-{year()}-0001", "Site web", "EUR")
    assert (event.total_excluding_tax, event.total_including_tax) == (960, 1152)
    assert event.contact.email == client["contacts"][0]["email"]
    assert (event.contact.name, event.contact.locale) == ("Inès Roy", "fr")
    assert event.message == "Bonjour Inès, voici notre devis."
    assert event.valid_until == date.fromisoformat(first["valid_until"])
    assert event.attach_pdf is False
    prefix = portico.host.settings.link("/q/")
    assert event.quote_url.startswith(prefix)
    token = event.quote_url.removeprefix(prefix)
    # The link's token is kept only as its hash, for the contact it went to.
    [link] = await links_kept(portico, token)
    assert str(link.contact_id) == client["contacts"][0]["id"] and link.revoked_at is None

    other = await send(portico, staff, second)
    assert other.json()["number"] == f"DEV-{year()}-0002"

    # Sent again: a new link, the same number and status.
    again = await send(portico, staff, first)
    assert again.status_code == 200, again.text
    assert (again.json()["number"], again.json()["status"]) == (f"DEV-{year()}-0001", "sent")
    envelopes = await portico.events.wait_for(QuoteSent.event_type, 2, subject=first["id"])
    urls = {str(e.data["quote_url"]) for e in envelopes}
    assert len(urls) == 2

    # Reopened, its link stops working; sent again, it keeps its number.
    await portico.http.post(f"{QUOTES}/{first['id']}/reopen", headers=staff)
    [withdrawn] = await links_kept(portico, token)
    assert withdrawn.revoked_at is not None
    resent = await send(portico, staff, first)
    assert resent.json()["number"] == f"DEV-{year()}-0001"


async def test_quotes_sent_at_the_same_moment_take_consecutive_distinct_numbers(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    staff = portico.headers("staff")
    quotes = [
        await make_quote(portico, staff, simple_quote(client, title=f"Devis {n}")) for n in range(4)
    ]
    # The same quote twice at once, too: it is numbered once.
    answers = await asyncio.gather(*(send(portico, staff, quote) for quote in [*quotes, quotes[0]]))
    assert [answer.status_code for answer in answers] == [200] * 5, [a.text for a in answers]
    numbers = sorted({answer.json()["number"] for answer in answers})
    assert numbers == [f"DEV-{year()}-{n:04d}" for n in range(1, 5)]


async def test_a_refused_send_takes_no_number(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin, contacts=[contact(), contact("Paul", "Martin")])
    other = await make_client(portico, admin, name="Boulangerie Dupont")
    staff = portico.headers("staff")
    quote = await make_quote(portico, staff, simple_quote(client))
    paul = client["contacts"][1]["id"]
    to_paul = await make_quote(portico, staff, simple_quote(client, contact_id=paul))
    empty = await make_quote(portico, staff, simple_quote(client, lines=[]))
    lapsed = await make_quote(
        portico, staff, simple_quote(client, issue_date="2020-01-01", valid_until="2020-01-31")
    )
    voided = await make_quote(portico, staff, simple_quote(client))
    await portico.http.post(f"{QUOTES}/{voided['id']}/void", headers=staff)
    # Paul leaves the client: the quote addressed to him has no one to go to.
    left = await portico.http.delete(f"{CLIENTS}/{client['id']}/contacts/{paul}", headers=admin)
    assert left.status_code == 204, left.text
    for _ in range(600):
        replica = await replica_of(portico, client["id"])
        if replica is not None and len(replica.contacts) == 1:
            break
        await asyncio.sleep(0.05)

    refusals: list[tuple[dict[str, Any], dict[str, Any], int, str | None]] = [
        (quote, {"contact_id": other["contacts"][0]["id"]}, 422, "contact_id"),
        (quote, {"message": "x" * 5001}, 422, "message"),
        (to_paul, {}, 422, "contact_id"),
        (empty, {}, 409, None),
        (lapsed, {}, 409, None),
        (voided, {}, 409, None),
    ]
    for refused_quote, body, status, field in refusals:
        refused = await send(portico, staff, refused_quote, body)
        assert refused.status_code == status, (body, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
        if field is not None:
            assert field_of(refused) == field
    assert "no longer" in (await send(portico, staff, to_paul)).json()["errors"][0]["message"]
    assert "void" in (await send(portico, staff, voided)).json()["detail"]
    assert portico.events.of_type(QuoteSent.event_type) == []

    # Sent to the contact who is still there, it takes the first number after all that.
    sent = await send(portico, staff, to_paul, {"contact_id": client["contacts"][0]["id"]})
    assert sent.status_code == 200, sent.text
    assert sent.json()["number"] == f"DEV-{year()}-0001"
    assert (await send(portico, staff, quote)).json()["number"] == f"DEV-{year()}-0002"


async def test_a_number_drawn_in_a_rolled_back_transaction_is_drawn_again(
    portico: RunningPortico,
) -> None:
    database = portico.runtime("quotes").database
    pattern = "T-{YYYY}-{seq:3}"

    async def drawn(on: date) -> str:
        async with database.transaction() as tx:
            return await next_number(tx, QUOTE_NUMBERS, pattern, on, unique_in=Quote.number)

    with pytest.raises(RuntimeError):
        async with database.transaction() as tx:
            number = await next_number(
                tx, QUOTE_NUMBERS, pattern, date(2031, 5, 1), unique_in=Quote.number
            )
            assert number == "T-2031-001"
            raise RuntimeError("the send failed after its number was drawn")
    assert await drawn(date(2031, 5, 1)) == "T-2031-001"
    assert await drawn(date(2031, 12, 31)) == "T-2031-002"
    # A yearly pattern restarts with the year.
    assert await drawn(date(2032, 1, 1)) == "T-2032-001"


async def test_the_pattern_numbers_the_next_send_and_a_number_held_is_skipped(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    staff = portico.headers("staff")
    settings = (await portico.http.get(SETTINGS, headers=staff)).json()
    settings.pop("updated_at")

    async def pattern(value: str) -> None:
        saved = await portico.http.put(
            SETTINGS, json={**settings, "number_pattern": value}, headers=admin
        )
        assert saved.status_code == 200, saved.text

    async def sent_number(**fields: Any) -> str:
        quote = await make_quote(portico, staff, simple_quote(client, **fields))
        answer = await send(portico, staff, quote)
        assert answer.status_code == 200, answer.text
        return str(answer.json()["number"])

    await pattern("Q{YY}{MM}-{seq:3}")
    today = date.today()
    assert await sent_number() == f"Q{today:%y%m}-001"
    # The number follows the quote's issue date, not the day it is sent.
    assert await sent_number(issue_date="2030-03-10", valid_until="2999-01-01") == "Q3003-001"
    # The year written out by hand: the same numbers as the yearly pattern, from another
    # counter. The one already held is skipped, never issued twice.
    await pattern("{YYYY}-{seq}")
    assert await sent_number() == f"{today.year}-1"
    await pattern(f"{today.year}-{{seq}}")
    assert await sent_number() == f"{today.year}-2"

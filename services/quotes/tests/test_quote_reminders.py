"""Reminding a client of a quote awaiting their answer: a new link in the reminder's own
email (QuoteReminded), numbered 1, 2…, each a step of the history; a quote not awaiting
an answer is not reminded."""

from __future__ import annotations

from typing import Any

from portico.contracts.events.quotes import QuoteReminded
from portico.kit.testing.services import RunningPortico
from portico.quotes.testing import (
    ONLINE,
    QUOTES,
    make_client,
    make_quote,
    sent_link,
    simple_quote,
)


async def remind(portico: RunningPortico, quote: dict[str, Any], **body: Any) -> Any:
    return await portico.http.post(
        f"{QUOTES}/{quote['id']}/remind", json=body, headers=portico.headers("staff")
    )


async def test_a_reminder_sends_a_new_link_with_its_own_email_and_is_counted(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    staff = portico.headers("staff")
    quote = await make_quote(portico, staff, simple_quote(client))

    # A draft awaits no answer.
    draft = await remind(portico, quote)
    assert draft.status_code == 409 and "awaiting" in draft.json()["detail"]

    first_token = await sent_link(portico, staff, quote)
    for expected in (1, 2):
        answer = await remind(portico, quote, message="Avez-vous pu le lire ?", attach_pdf=True)
        assert answer.status_code == 200, answer.text
        # A reminder moves nothing: the first link opened below made it "viewed".
        assert answer.json()["status"] == ("sent" if expected == 1 else "viewed")
        envelopes = await portico.events.wait_for(
            QuoteReminded.event_type, expected, subject=quote["id"]
        )
        event = envelopes[-1].event()
        assert isinstance(event, QuoteReminded)
        assert event.reminder_number == expected
        assert event.message == "Avez-vous pu le lire ?" and event.attach_pdf
        assert event.contact.email == client["contacts"][0]["email"]
        assert event.pdf_key is not None
        assert (await portico.runtime("quotes").store.read(event.pdf_key)).startswith(b"%PDF")
        token = str(event.quote_url).rsplit("/", 1)[1]
        assert token != first_token
        # The reminder's link opens the quote, as the first one still does.
        assert (await portico.http.get(f"{ONLINE}/{token}")).status_code == 200
    assert (await portico.http.get(f"{ONLINE}/{first_token}")).status_code == 200

    steps = (await portico.http.get(f"{QUOTES}/{quote['id']}/history", headers=staff)).json()
    reminders = [step for step in steps["items"] if step["kind"] == "reminded"]
    assert [step["detail"]["reminder"] for step in reminders] == [2, 1]

    # Once answered, no more reminders.
    declined = await portico.http.post(f"{ONLINE}/{first_token}/decline", json={})
    assert declined.status_code == 200, declined.text
    late = await remind(portico, quote)
    assert late.status_code == 409 and "declined" in late.json()["detail"]

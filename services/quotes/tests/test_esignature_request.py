"""Each send says whether the client must sign to accept: "Request an e-signature" is on
by default where the organisation asks for signatures, and staff may send a quote without
asking for one, or ask for one where the setting is off; a reminder keeps the send's
choice."""

from __future__ import annotations

import pytest

from portico.kit.testing.services import RunningPortico
from portico.quotes.testing import ONLINE, QUOTES, make_client, make_quote, sent_link

from .test_online_quotes import ACCEPT, BROWSER, OFFER, esignature, field_of


async def sent_with(
    portico: RunningPortico, admin: dict[str, str], body: dict[str, object]
) -> tuple[str, str]:
    client = await make_client(portico, admin)
    staff = portico.headers("staff")
    quote = await make_quote(portico, staff, {"client_id": client["id"], **OFFER})
    return str(quote["id"]), await sent_link(portico, staff, quote, body)


async def required(portico: RunningPortico, token: str) -> bool:
    shown = await portico.http.get(f"{ONLINE}/{token}", headers=BROWSER)
    assert shown.status_code == 200, shown.text
    return bool(shown.json()["esignature_required"])


@pytest.mark.parametrize(
    ("setting", "asked", "expected"),
    [(True, None, True), (True, False, False), (False, None, False), (False, True, True)],
)
async def test_the_send_decides_whether_accepting_needs_a_signature(
    portico: RunningPortico,
    admin: dict[str, str],
    setting: bool,
    asked: bool | None,
    expected: bool,
) -> None:
    await esignature(portico, admin, on=setting)
    body = {} if asked is None else {"request_esignature": asked}
    quote_id, token = await sent_with(portico, admin, body)
    kept = await portico.http.get(f"{QUOTES}/{quote_id}", headers=portico.headers("staff"))
    assert kept.json()["esignature_requested"] is expected
    assert await required(portico, token) is expected
    # The organisation changing its mind later does not change what the send asked.
    await esignature(portico, admin, on=not setting)
    assert await required(portico, token) is expected

    unsigned = await portico.http.post(f"{ONLINE}/{token}/accept", json=ACCEPT, headers=BROWSER)
    if expected:
        assert unsigned.status_code == 422 and field_of(unsigned) == "signature"
        typed = {**ACCEPT, "signature": {"kind": "typed", "text": "Inès Roy"}}
        signed = await portico.http.post(f"{ONLINE}/{token}/accept", json=typed, headers=BROWSER)
        assert signed.status_code == 200, signed.text
    else:
        assert unsigned.status_code == 200, unsigned.text


async def test_a_reminder_keeps_the_sends_choice(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    await esignature(portico, admin, on=True)
    quote_id, token = await sent_with(portico, admin, {"request_esignature": False})
    reminded = await portico.http.post(
        f"{QUOTES}/{quote_id}/remind",
        json={"request_esignature": True},
        headers=portico.headers("staff"),
    )
    assert reminded.status_code == 200, reminded.text
    assert await required(portico, token) is False

"""A quote's history for staff: each step with when, who (the client's contact or the staff
member) and, for the client's, from where; the newest first, a page at a time. Staff's
voids and reopenings are in it with who did them; reading it needs ``quotes:read``."""

from __future__ import annotations

import uuid

from portico.kit.testing.services import RunningPortico
from portico.quotes.testing import (
    ONLINE,
    QUOTES,
    make_client,
    make_quote,
    sent_link,
    simple_quote,
)


async def test_the_history_lists_the_client_s_and_staff_s_steps_newest_first(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    me = (await portico.http.get("/api/portal/v1/me", headers=admin)).json()
    quote = await make_quote(portico, admin, simple_quote(client))
    token = await sent_link(portico, admin, quote)
    browser = {"User-Agent": "Phone browser"}
    assert (await portico.http.get(f"{ONLINE}/{token}", headers=browser)).status_code == 200
    posted = await portico.http.post(
        f"{ONLINE}/{token}/feedback", json={"message": "Une question."}, headers=browser
    )
    assert posted.status_code == 200
    assert (await portico.http.post(f"{QUOTES}/{quote['id']}/reopen", headers=admin)).is_success
    assert (await portico.http.post(f"{QUOTES}/{quote['id']}/void", headers=admin)).is_success

    read = await portico.http.get(f"{QUOTES}/{quote['id']}/history", headers=admin)
    assert read.status_code == 200, read.text
    steps = read.json()["items"]
    assert [step["kind"] for step in steps] == ["voided", "reopened", "feedback", "viewed", "sent"]
    voided, reopened, feedback, viewed, sent = steps
    number = (await portico.http.get(f"{QUOTES}/{quote['id']}", headers=admin)).json()["number"]
    assert (sent["staff_id"], sent["contact_id"]) == (me["id"], client["contacts"][0]["id"])
    assert sent["detail"] == {
        "number": number,
        "with_pdf": False,
        "message": None,
        "esignature": False,
    }
    for step in (voided, reopened):
        assert (step["staff_id"], step["contact_id"], step["ip"]) == (me["id"], None, None)
    contact_id = client["contacts"][0]["id"]
    for step in (feedback, viewed):
        assert (step["contact_id"], step["staff_id"]) == (contact_id, None)
        assert (step["ip"], step["user_agent"]) == ("127.0.0.1", "Phone browser")
    assert feedback["detail"] == {"message": "Une question."} and viewed["detail"] == {}
    assert voided["at"] >= reopened["at"] >= feedback["at"] >= viewed["at"]

    # A page at a time, the newest first.
    page = await portico.http.get(
        f"{QUOTES}/{quote['id']}/history", params={"limit": 1}, headers=admin
    )
    assert page.json()["total"] == read.json()["total"]
    assert [step["kind"] for step in page.json()["items"]] == ["voided"]


async def test_the_history_needs_quotes_read_and_a_quote_that_exists(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    quote = await make_quote(portico, admin, simple_quote(client))
    path = f"{QUOTES}/{quote['id']}/history"
    reader = portico.headers("api_key", scopes=["quotes:read"])
    assert (await portico.http.get(path, headers=reader)).status_code == 200
    assert (await portico.http.get(path, headers=portico.headers("staff"))).status_code == 200
    for refused in (
        portico.headers("api_key", scopes=["quotes:write"]),
        portico.headers("client", client_id=client["id"], contact_id=client["contacts"][0]["id"]),
    ):
        assert (await portico.http.get(path, headers=refused)).status_code == 403
    assert (await portico.http.get(path)).status_code == 401
    unknown = await portico.http.get(f"{QUOTES}/{uuid.uuid4()}/history", headers=admin)
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"

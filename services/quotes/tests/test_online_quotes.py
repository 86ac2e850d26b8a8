"""The online quote through its link, without an account: each visit is recorded (the
history, the count, sent → viewed) and the first through a link tells the staff member in
charge; the client chooses optional lines and the totals follow to the cent, leaves a
comment, declines, or accepts — with a drawn or typed signature when the organisation asks
for one, the PNG checked — exactly once even from two tabs at the same moment. A link opens
its own quote only; an unknown, expired or withdrawn link gets one and the same 404; a quote
past its date reads expired, takes no answer, and the hourly job expires it once.
"""

from __future__ import annotations

import asyncio
import base64
import io
import os
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from PIL import Image, ImageDraw
from sqlalchemy import select, update

from portico.contracts.events.quotes import (
    QuoteDeclined,
    QuoteFeedbackPosted,
    QuoteSigned,
    QuoteViewed,
)
from portico.kit.auth.capabilities import hash_capability
from portico.kit.db import utcnow
from portico.kit.jobs import Job
from portico.kit.testing.services import RunningPortico
from portico.quotes.models import Quote, QuoteEvent, QuoteLink
from portico.quotes.online.links import NOT_OPEN
from portico.quotes.quotes.expiry import EXPIRE, expire_quotes
from portico.quotes.testing import (
    ONLINE,
    QUOTES,
    SETTINGS,
    field_of,
    make_client,
    make_quote,
    send,
    sent_link,
    simple_quote,
)

OFFER = {
    "title": "Rénovation de l'atelier",
    "sections": [{"key": "design", "title": "Design"}, {"key": "print", "title": "Print"}],
    "lines": [
        {"section": "design", "description": "Design workshop", "quantity": "2",
         "unit_price": "480.00", "vat_rate": "20"},
        {"section": "design", "description": "Brand guide", "unit_price": "1250",
         "vat_rate": 20, "discount": {"kind": "percent", "value": "10"}},
        {"section": "print", "description": "Labels", "quantity": 333,
         "unit_price": "0.0125", "vat_rate": "5.5"},
        {"section": "print", "description": "Books", "quantity": "3",
         "unit_price": "24.90", "vat_rate": "5.5"},
        {"description": "Catering", "quantity": "12", "unit_price": "18.35", "vat_rate": "10"},
        {"section": "design", "description": "An extra day", "unit_price": "480",
         "vat_rate": "20", "optional": True},
    ],
    "discount": {"kind": "percent", "value": "5"},
}  # fmt: skip
BROWSER = {"User-Agent": "Mozilla/5.0 (Phone; the client's browser)"}
ACCEPT = {"name": "Inès Roy", "accept_terms": True, "time_zone": "Europe/Paris"}


async def offered(
    portico: RunningPortico, admin: dict[str, str], body: dict[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, Any], str]:
    """A client, a quote sent to their contact, and the token of the link that went out."""
    client = await make_client(portico, admin)
    staff = portico.headers("staff")
    quote = await make_quote(portico, staff, {"client_id": client["id"], **(body or OFFER)})
    return client, quote, await sent_link(portico, staff, quote)


async def kept(portico: RunningPortico, quote_id: str) -> Quote:
    async with portico.runtime("quotes").database.sessions() as session:
        found = await session.get(Quote, uuid.UUID(quote_id))
        assert found is not None
        return found


async def history(portico: RunningPortico, quote_id: str) -> list[dict[str, Any]]:
    answer = await portico.http.get(
        f"{QUOTES}/{quote_id}/history", headers=portico.headers("staff")
    )
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def change(portico: RunningPortico, statement: Any) -> None:
    async with portico.runtime("quotes").database.transaction() as tx:
        await tx.execute(statement)


def png(width: int = 400, height: int = 150, *, stroke: bool = True) -> str:
    """A signature as a pad draws it: a line on a transparent canvas, in base64."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    if stroke:
        ImageDraw.Draw(image).line([(10, height - 20), (width - 10, 20)], fill="navy", width=4)
    output = io.BytesIO()
    image.save(output, "PNG")
    return base64.b64encode(output.getvalue()).decode()


def noise_png(side: int) -> str:
    """A PNG that compresses to nothing: random pixels, about 3 bytes each."""
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    output = io.BytesIO()
    image.save(output, "PNG")
    return base64.b64encode(output.getvalue()).decode()


async def esignature(portico: RunningPortico, admin: dict[str, str], on: bool) -> None:
    settings = (await portico.http.get(SETTINGS, headers=admin)).json()
    settings.pop("updated_at")
    saved = await portico.http.put(SETTINGS, json={**settings, "esignature": on}, headers=admin)
    assert saved.status_code == 200, saved.text


async def test_a_visit_is_recorded_counted_moves_sent_to_viewed_and_tells_the_assignee(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client, quote, token = await offered(portico, admin)

    opened = await portico.http.get(f"{ONLINE}/{token}", headers=BROWSER)
    assert opened.status_code == 200, opened.text
    assert opened.headers["cache-control"] == "no-store"
    page = opened.json()
    number = (await kept(portico, quote["id"])).number
    assert (page["status"], page["title"], page["number"]) == ("viewed", OFFER["title"], number)
    assert (page["client_name"], page["contact_name"]) == ("Atelier Lumière", "Inès Roy")
    assert (page["can_accept"], page["esignature_required"], page["decision"]) == (
        True,
        False,
        None,
    )
    assert page["organisation"] is None  # the portal has not announced it in this test
    assert page["totals"]["total_with_tax"] == "2686.05"
    assert [(line["description"], line["optional"]) for line in page["lines"]][-1] == (
        "An extra day",
        True,
    )
    assert "product_id" not in page["lines"][0] and "client_id" not in page

    # The staff member in charge is told once, with where the visit came from.
    [envelope] = await portico.events.wait_for(QuoteViewed.event_type, subject=quote["id"])
    viewed = envelope.event()
    assert isinstance(viewed, QuoteViewed)
    assert (viewed.client_name, viewed.ip, viewed.user_agent) == (
        "Atelier Lumière",
        "127.0.0.1",
        BROWSER["User-Agent"],
    )
    assert viewed.quote_admin_url and viewed.quote_admin_url.endswith(f"/quotes/{quote['id']}")
    staff_view = await portico.http.get(f"{QUOTES}/{quote['id']}", headers=portico.headers("staff"))
    assert staff_view.json()["status"] == "viewed"

    # A second visit, from a browser that says too much: counted and recorded, announced
    # no more (the comment's event comes after it on the bus, the visit's would before).
    chatty = {"User-Agent": "x" * 1000}
    again = await portico.http.get(f"{ONLINE}/{token}", headers=chatty)
    assert again.status_code == 200 and again.json()["status"] == "viewed"
    await portico.http.post(f"{ONLINE}/{token}/feedback", json={"message": "Merci !"})
    await portico.events.wait_for(QuoteFeedbackPosted.event_type, subject=quote["id"])
    assert len(portico.events.of_type(QuoteViewed.event_type, subject=quote["id"])) == 1
    assert (await kept(portico, quote["id"])).view_count == 2
    steps = await history(portico, quote["id"])
    visits = [step for step in steps if step["kind"] == "viewed"]
    assert len(visits) == 2
    newest, first = visits
    assert first["user_agent"] == BROWSER["User-Agent"] and first["ip"] == "127.0.0.1"
    assert newest["user_agent"] == "x" * 400
    assert first["contact_id"] == client["contacts"][0]["id"] and first["staff_id"] is None


async def test_the_organisation_s_name_and_colour_head_the_page_once_announced(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    branding = {"name": "Studio Lumière", "brand_colour": "#2f5bea", "default_locale": "fr"}
    saved = await portico.http.put("/api/portal/v1/organisation", json=branding, headers=admin)
    assert saved.status_code == 200, saved.text
    settings = (await portico.http.get(SETTINGS, headers=admin)).json()
    settings.pop("updated_at")
    details = {**settings, "company_details": "12 rue des Lilas, 75011 Paris"}
    assert (await portico.http.put(SETTINGS, json=details, headers=admin)).status_code == 200
    _, _, token = await offered(portico, admin)
    for _ in range(200):
        page = (await portico.http.get(f"{ONLINE}/{token}")).json()
        if page["organisation"] is not None:
            break
        await asyncio.sleep(0.05)
    assert page["organisation"] == {
        "name": "Studio Lumière",
        "brand_colour": "#2f5bea",
        "logo_url": None,
    }
    assert page["company_details"] == "12 rue des Lilas, 75011 Paris"


async def test_choosing_optional_lines_moves_the_totals_to_the_cent(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    _, quote, token = await offered(portico, admin)
    page = (await portico.http.get(f"{ONLINE}/{token}")).json()
    extra_day = page["lines"][-1]
    workshop = page["lines"][0]
    assert (extra_day["chosen"], extra_day["counted"]) == (False, False)

    chosen = await portico.http.put(f"{ONLINE}/{token}/choices", json={"chosen": [extra_day["id"]]})
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["lines"][-1]["chosen"] is True
    assert chosen.json()["totals"] == {
        "lines_total": "2864.06",
        "discount": "143.20",
        "total_without_tax": "2720.86",
        "taxes": [
            {"rate": "20", "base": "2436.75", "tax": "487.35"},
            {"rate": "10", "base": "209.19", "tax": "20.92"},
            {"rate": "5.5", "base": "74.92", "tax": "4.12"},
        ],
        "total_tax": "512.39",
        "total_with_tax": "3233.25",
    }
    assert chosen.json()["sections"][0]["subtotal"] == "2565.00"
    # Kept on the quote as a staff save keeps it: staff's page and list read the same.
    staff = portico.headers("staff")
    assert (await portico.http.get(f"{QUOTES}/{quote['id']}", headers=staff)).json()["totals"][
        "total_with_tax"
    ] == "3233.25"
    listed = (await portico.http.get(QUOTES, headers=staff)).json()["items"]
    assert [row["total_with_tax"] for row in listed] == ["3233.25"]

    # The same choice again changes nothing; none taken puts the totals back.
    same = await portico.http.put(f"{ONLINE}/{token}/choices", json={"chosen": [extra_day["id"]]})
    assert same.json()["totals"]["total_with_tax"] == "3233.25"
    none = await portico.http.put(f"{ONLINE}/{token}/choices", json={"chosen": []})
    assert none.json()["totals"]["total_with_tax"] == "2686.05"

    # A line that is not the quote's, or not optional, is named.
    for wrong, said in [(str(uuid.uuid4()), "No such line"), (workshop["id"], "not optional")]:
        refused = await portico.http.put(
            f"{ONLINE}/{token}/choices", json={"chosen": [extra_day["id"], wrong]}
        )
        assert refused.status_code == 422 and field_of(refused) == "chosen.1"
        assert said in refused.json()["errors"][0]["message"]
    not_an_id = await portico.http.put(f"{ONLINE}/{token}/choices", json={"chosen": ["x"]})
    assert not_an_id.status_code == 422 and field_of(not_an_id) == "chosen.0"
    assert (await kept(portico, quote["id"])).total_with_tax == Decimal("2686.05")


async def test_a_comment_is_kept_and_announced_once(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client, quote, token = await offered(portico, admin)
    for body, field in [({"message": "   "}, "message"), ({"message": "x" * 5001}, "message")]:
        refused = await portico.http.post(f"{ONLINE}/{token}/feedback", json=body)
        assert refused.status_code == 422 and field_of(refused) == field

    words = "Peut-on décaler le chantier d'une semaine ? " * 20
    posted = await portico.http.post(
        f"{ONLINE}/{token}/feedback", json={"message": words}, headers=BROWSER
    )
    assert posted.status_code == 200, posted.text
    assert posted.json()["message"] == words.strip()
    # Sent again (a retry, a double click): the same comment, not a second one.
    retried = await portico.http.post(f"{ONLINE}/{token}/feedback", json={"message": words})
    assert retried.status_code == 200 and retried.json() == posted.json()

    [envelope] = await portico.events.wait_for(QuoteFeedbackPosted.event_type, subject=quote["id"])
    event = envelope.event()
    assert isinstance(event, QuoteFeedbackPosted)
    assert event.author_name == "Inès Roy"
    assert len(event.excerpt) == 500 and event.excerpt.endswith("…")
    comments = [step for step in await history(portico, quote["id"]) if step["kind"] == "feedback"]
    assert len(comments) == 1
    assert comments[0]["detail"] == {"message": words.strip()}
    assert comments[0]["contact_id"] == client["contacts"][0]["id"]
    assert comments[0]["user_agent"] == BROWSER["User-Agent"]
    assert (await kept(portico, quote["id"])).status == "sent"  # a comment is no visit


async def test_a_declined_quote_keeps_the_reason_and_takes_no_other_answer(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    _, quote, token = await offered(portico, admin)
    too_long = await portico.http.post(f"{ONLINE}/{token}/decline", json={"reason": "x" * 2001})
    assert too_long.status_code == 422 and field_of(too_long) == "reason"

    declined = await portico.http.post(
        f"{ONLINE}/{token}/decline", json={"reason": "Budget dépassé."}, headers=BROWSER
    )
    assert declined.status_code == 200, declined.text
    page = declined.json()
    assert (page["status"], page["can_accept"]) == ("declined", False)
    assert page["decision"]["status"] == "declined"
    assert page["decision"]["reason"] == "Budget dépassé."
    held = await kept(portico, quote["id"])
    assert (held.status, held.decline_reason) == ("declined", "Budget dépassé.")
    assert held.decided_at is not None
    [envelope] = await portico.events.wait_for(QuoteDeclined.event_type, subject=quote["id"])
    event = envelope.event()
    assert isinstance(event, QuoteDeclined)
    assert event.reason == "Budget dépassé." and event.signer and event.signer.name == "Inès Roy"
    [step] = [s for s in await history(portico, quote["id"]) if s["kind"] == "declined"]
    assert step["detail"] == {"reason": "Budget dépassé."} and step["ip"] == "127.0.0.1"

    # Declined, it takes no other answer: each says why, in statuses' words.
    for method, path, body in [
        ("POST", "decline", {}),
        ("POST", "accept", ACCEPT),
        ("PUT", "choices", {"chosen": []}),
        ("POST", "feedback", {"message": "Finalement ?"}),
    ]:
        refused = await portico.http.request(method, f"{ONLINE}/{token}/{path}", json=body)
        assert refused.status_code == 409, (path, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
        assert "declined" in refused.json()["detail"], refused.json()["detail"]
    # It can still be read.
    assert (await portico.http.get(f"{ONLINE}/{token}")).json()["status"] == "declined"


async def test_accepting_with_a_drawn_signature_keeps_the_evidence(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    await esignature(portico, admin, on=True)
    client, quote, token = await offered(portico, admin)
    assert (await portico.http.get(f"{ONLINE}/{token}")).json()["esignature_required"] is True
    extra_day = (await portico.http.get(f"{ONLINE}/{token}")).json()["lines"][-1]["id"]
    chosen = await portico.http.put(f"{ONLINE}/{token}/choices", json={"chosen": [extra_day]})
    assert chosen.status_code == 200

    accept = f"{ONLINE}/{token}/accept"
    drawn = {"kind": "drawn", "image_png_base64": png()}
    for body, field, said in [
        (ACCEPT, "signature", "signature"),
        ({**ACCEPT, "signature": drawn, "accept_terms": False}, "accept_terms", "terms"),
        ({**ACCEPT, "signature": {"kind": "drawn"}}, "signature.image_png_base64", "Draw"),
        ({**ACCEPT, "signature": {"kind": "typed"}}, "signature.text", "Type"),
        (
            {**ACCEPT, "signature": {"kind": "drawn", "image_png_base64": "bm90IGEgUE5H"}},
            "signature.image_png_base64",
            "must be a PNG image",
        ),
        (
            {**ACCEPT, "signature": {"kind": "drawn", "image_png_base64": png(3000, 1200)}},
            "signature.image_png_base64",
            "2000 × 1000 pixels",
        ),
        (
            {**ACCEPT, "signature": {"kind": "drawn", "image_png_base64": noise_png(600)}},
            "signature.image_png_base64",
            "500 KB",
        ),
        (
            {**ACCEPT, "signature": {"kind": "drawn", "image_png_base64": png(stroke=False)}},
            "signature.image_png_base64",
            "empty",
        ),
        ({**ACCEPT, "signature": drawn, "time_zone": "Mars/Olympus"}, "time_zone", "IANA"),
        ({**ACCEPT, "signature": drawn, "name": " "}, "name", ""),
    ]:
        refused = await portico.http.post(accept, json=body)
        assert refused.status_code == 422, (field, refused.text)
        assert field_of(refused) == field
        assert said in refused.json()["errors"][0]["message"], refused.json()
    assert (await kept(portico, quote["id"])).status == "viewed"  # refused: nothing moved

    # A canvas's data URL is taken as it comes.
    data_url = {"kind": "drawn", "image_png_base64": "data:image/png;base64," + png()}
    signed = await portico.http.post(
        accept, json={**ACCEPT, "signature": data_url}, headers=BROWSER
    )
    assert signed.status_code == 200, signed.text
    page = signed.json()
    assert (page["status"], page["can_accept"]) == ("accepted", False)
    assert page["decision"]["signer_name"] == "Inès Roy"
    assert page["decision"]["method"] == "drawn"

    held = await kept(portico, quote["id"])
    assert held.status == "accepted" and held.decided_at is not None
    assert held.proof_key is not None  # the signed quote, sealed: test_signed_quote.py
    signer = held.signer
    assert signer is not None
    contact = client["contacts"][0]
    assert {k: signer[k] for k in ("contact_id", "name", "email", "ip", "time_zone", "method")} == {
        "contact_id": contact["id"],
        "name": "Inès Roy",
        "email": contact["email"],
        "ip": "127.0.0.1",
        "time_zone": "Europe/Paris",
        "method": "drawn",
    }
    assert signer["user_agent"] == BROWSER["User-Agent"] and signer["at"]
    key = signer["signature_key"]
    assert key.startswith(f"quotes/{quote['id']}/signature-") and key.endswith(".png")
    stored = await portico.runtime("quotes").store.read(key)
    with Image.open(io.BytesIO(stored)) as image:
        assert (image.format, image.size) == ("PNG", (400, 150))

    [envelope] = await portico.events.wait_for(QuoteSigned.event_type, subject=quote["id"])
    event = envelope.event()
    assert isinstance(event, QuoteSigned)
    assert (event.signer.name, event.signer.email, event.signer.locale) == (
        "Inès Roy",
        contact["email"],
        "fr",
    )
    assert (event.total_including_tax, event.currency) == (Decimal("3233.25"), "EUR")
    assert event.copy_url == portico.host.settings.link(f"/q/{token}")
    [step] = [s for s in await history(portico, quote["id"]) if s["kind"] == "accepted"]
    assert step["detail"]["method"] == "drawn" and step["detail"]["total_with_tax"] == "3233.25"
    assert step["detail"]["chosen"] == [extra_day]

    # Accepted once: again, it is refused and nothing moves.
    again = await portico.http.post(accept, json={**ACCEPT, "signature": drawn})
    assert again.status_code == 409 and "already accepted" in again.json()["detail"]
    staff_view = await portico.http.get(f"{QUOTES}/{quote['id']}", headers=portico.headers("staff"))
    assert staff_view.json()["status"] == "accepted"


async def test_accepting_with_a_typed_signature_or_without_one_when_none_is_asked(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    await esignature(portico, admin, on=True)
    _, typed_quote, typed_token = await offered(portico, admin)
    typed = await portico.http.post(
        f"{ONLINE}/{typed_token}/accept",
        json={**ACCEPT, "signature": {"kind": "typed", "text": "Inès Roy"}},
    )
    assert typed.status_code == 200, typed.text
    assert typed.json()["decision"]["method"] == "typed"
    signer = (await kept(portico, typed_quote["id"])).signer
    assert signer is not None
    assert (signer["signature_text"], signer["signature_key"]) == ("Inès Roy", None)

    await esignature(portico, admin, on=False)
    _, plain_quote, plain_token = await offered(portico, admin)
    plain = await portico.http.post(f"{ONLINE}/{plain_token}/accept", json={**ACCEPT})
    assert plain.status_code == 200, plain.text
    assert plain.json()["decision"]["method"] == "none"
    assert (await kept(portico, plain_quote["id"])).status == "accepted"


async def test_two_tabs_accepting_at_the_same_moment_accept_once(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    _, quote, token = await offered(portico, admin)
    drawn = {"kind": "drawn", "image_png_base64": png()}
    answers = await asyncio.gather(
        *(
            portico.http.post(f"{ONLINE}/{token}/accept", json={**ACCEPT, "signature": drawn})
            for _ in range(2)
        )
    )
    assert sorted(answer.status_code for answer in answers) == [200, 409], [
        answer.text for answer in answers
    ]
    [refused] = [answer for answer in answers if answer.status_code == 409]
    assert "already accepted" in refused.json()["detail"]
    accepted = [s for s in await history(portico, quote["id"]) if s["kind"] == "accepted"]
    assert len(accepted) == 1
    await portico.events.wait_for(QuoteSigned.event_type, subject=quote["id"])
    # The loser stored nothing: the files are the signature and the proof the quote names.
    held = await kept(portico, quote["id"])
    assert held.signer is not None and held.proof_key is not None
    stored = await portico.runtime("quotes").store.keys(f"quotes/{quote['id']}")
    assert stored == sorted([held.signer["signature_key"], held.proof_key])


async def test_a_link_opens_its_own_quote_only(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    staff = portico.headers("staff")
    mine = await make_quote(portico, staff, simple_quote(client, title="Mine"))
    theirs = await make_quote(portico, staff, simple_quote(client, title="Theirs"))
    my_token = await sent_link(portico, staff, mine)
    their_token = await sent_link(portico, staff, theirs)

    assert (await portico.http.get(f"{ONLINE}/{my_token}")).json()["title"] == "Mine"
    assert (await portico.http.get(f"{ONLINE}/{their_token}")).json()["title"] == "Theirs"
    declined = await portico.http.post(f"{ONLINE}/{my_token}/decline", json={})
    assert declined.status_code == 200 and declined.json()["title"] == "Mine"
    assert (await kept(portico, theirs["id"])).status == "viewed"
    # No path names a quote: a token is all there is, and a made-up one opens nothing.
    made_up = await portico.http.get(f"{ONLINE}/{'A' * 43}")
    assert made_up.status_code == 404 and made_up.json()["detail"] == NOT_OPEN


async def test_an_unknown_an_expired_and_a_withdrawn_link_get_the_same_404(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    _, voided, voided_token = await offered(portico, admin)
    _, lapsed, lapsed_token = await offered(portico, admin)
    staff = portico.headers("staff")
    assert (await portico.http.post(f"{QUOTES}/{voided['id']}/void", headers=staff)).is_success
    await change(
        portico,
        update(QuoteLink)
        .where(QuoteLink.token_hash == hash_capability(lapsed_token))
        .values(expires_at=utcnow() - timedelta(seconds=1)),
    )
    answers: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", "", None),
        ("POST", "/accept", ACCEPT),
        ("POST", "/decline", {}),
        ("PUT", "/choices", {"chosen": []}),
        ("POST", "/feedback", {"message": "Allô ?"}),
    ]
    for token in (voided_token, lapsed_token, "B" * 43):
        for method, path, body in answers:
            answer = await portico.http.request(method, f"{ONLINE}/{token}{path}", json=body)
            assert answer.status_code == 404, (path, answer.text)
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.json()["detail"] == NOT_OPEN
    # Nothing was recorded through them.
    for quote in (voided, lapsed):
        kinds = {step["kind"] for step in await history(portico, quote["id"])}
        assert not kinds & {"viewed", "accepted", "declined", "feedback"}, kinds
    assert (await kept(portico, lapsed["id"])).status == "sent"

    # Reopened to be changed, a quote's links stop too; sent again, the new one works.
    _, reopened, old_token = await offered(portico, admin)
    assert (await portico.http.post(f"{QUOTES}/{reopened['id']}/reopen", headers=staff)).is_success
    assert (await portico.http.get(f"{ONLINE}/{old_token}")).status_code == 404
    new_token = await sent_link(portico, staff, reopened)
    assert (await portico.http.get(f"{ONLINE}/{new_token}")).status_code == 200


async def test_a_quote_past_its_last_day_reads_expired_and_takes_no_answer(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    _, quote, token = await offered(portico, admin)
    yesterday = utcnow().date() - timedelta(days=1)
    await change(
        portico,
        update(Quote).where(Quote.id == uuid.UUID(quote["id"])).values(valid_until=yesterday),
    )
    for method, path, body, said in [
        ("POST", "accept", ACCEPT, "it has expired; it can be sent again"),
        ("POST", "decline", {}, "it has expired"),
        ("PUT", "choices", {"chosen": []}, "it has expired"),
        ("POST", "feedback", {"message": "Encore valable ?"}, "it has expired"),
    ]:
        refused = await portico.http.request(method, f"{ONLINE}/{token}/{path}", json=body)
        assert refused.status_code == 409, (path, refused.text)
        assert said in refused.json()["detail"]

    # Read, it is expired at once (the hourly job need not have come), and still readable.
    page = await portico.http.get(f"{ONLINE}/{token}")
    assert page.status_code == 200
    assert (page.json()["status"], page.json()["can_accept"]) == ("expired", False)
    kinds = [step["kind"] for step in await history(portico, quote["id"])]
    assert kinds[:2] == ["viewed", "expired"]  # newest first


async def run_expiry(portico: RunningPortico) -> None:
    """One run of the scheduled job, as the runner starts it."""
    jobs = portico.runtime("quotes").jobs
    assert jobs is not None
    job = Job(
        id=str(uuid.uuid4()), kind=EXPIRE, payload={}, tries=1, is_last_try=False, run_at=utcnow()
    )
    await expire_quotes(jobs.context, job)


async def test_the_expiry_job_expires_quotes_past_their_date_once(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    staff = portico.headers("staff")
    lapsed = await make_quote(portico, staff, simple_quote(client, title="Lapsed"))
    current = await make_quote(portico, staff, simple_quote(client, title="Current"))
    old_draft = await make_quote(
        portico, staff, simple_quote(client, issue_date="2020-01-01", title="Old draft")
    )
    for quote in (lapsed, current):
        assert (await send(portico, staff, quote)).status_code == 200
    yesterday = utcnow().date() - timedelta(days=1)
    await change(
        portico,
        update(Quote).where(Quote.id == uuid.UUID(lapsed["id"])).values(valid_until=yesterday),
    )

    await run_expiry(portico)
    await run_expiry(portico)  # idempotent: a second run changes nothing

    statuses = {
        q["id"]: (await kept(portico, q["id"])).status for q in (lapsed, current, old_draft)
    }
    assert statuses == {lapsed["id"]: "expired", current["id"]: "sent", old_draft["id"]: "draft"}
    async with portico.runtime("quotes").database.sessions() as session:
        expired = list(
            await session.scalars(select(QuoteEvent).where(QuoteEvent.kind == "expired"))
        )
    assert [str(step.quote_id) for step in expired] == [lapsed["id"]]
    assert expired[0].detail == {"valid_until": yesterday.isoformat()}
    listed = await portico.http.get(QUOTES, params={"status": "expired"}, headers=staff)
    assert [row["title"] for row in listed.json()["items"]] == ["Lapsed"]

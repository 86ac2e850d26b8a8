"""The online quote a client opens from the email's link (``/q/<token>``, no account), as a
browser asks for it (no browser here): the quote's lines and totals in the client's
language, an optional line ticked moves the total, a question sent, a decline with its
reason closing the answers, an acceptance with a typed signature giving the banner and the
signed PDF, a refusal beside the field with what was typed kept; an unknown link is the
friendly 404 page, and a link opens its own quote only."""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

import httpx
import pytest

from portico.contracts.events.quotes import QuoteFeedbackPosted
from portico.gateway.testing import Site, field_error, text_of
from portico.kit.testing.services import RunningPortico
from portico.quotes.testing import (
    ONLINE,
    SETTINGS,
    contact,
    make_client,
    make_quote,
    sent_link,
)

# What a page shows is the same on both backends (the services' tests prove each one).
pytestmark = pytest.mark.backends("embedded")

OFFER: dict[str, Any] = {
    "title": "Rénovation de l'atelier",
    "sections": [{"key": "design", "title": "Design"}],
    "lines": [
        {"section": "design", "description": "Design workshop", "quantity": "2",
         "unit_price": "480.00", "vat_rate": "20"},
        {"section": "design", "description": "An extra day", "unit_price": "480",
         "vat_rate": "20", "optional": True},
        {"description": "Catering", "quantity": "12", "unit_price": "18.35", "vat_rate": "10"},
    ],
    "terms": "30% on signature.",
}  # fmt: skip


async def offered(
    portico: RunningPortico,
    *,
    name: str = "Atelier Lumière",
    locale: str = "en",
    body: dict[str, Any] | None = None,
) -> str:
    """A client whose contact (Inès Roy) is sent a quote: the token of their link."""
    admin = portico.headers("admin")
    person = contact(locale=locale, email=f"ines.{uuid.uuid4().hex[:8]}@lumiere.example")
    client = await make_client(portico, admin, name=name, contacts=[person])
    staff = portico.headers("staff")
    quote = await make_quote(portico, staff, {"client_id": client["id"], **(body or OFFER)})
    return await sent_link(portico, staff, quote)


async def esignature(portico: RunningPortico, on: bool) -> None:
    admin = portico.headers("admin")
    settings = (await portico.http.get(SETTINGS, headers=admin)).json()
    settings.pop("updated_at")
    saved = await portico.http.put(SETTINGS, json={**settings, "esignature": on}, headers=admin)
    assert saved.status_code == 200, saved.text


def grand_total(page: httpx.Response) -> str:
    found = re.search(
        r'<tr class="quote-grand-total"><th scope="row">[^<]*</th><td>([^<]*)</td>', page.text
    )
    assert found, "no total on the page"
    return html.unescape(found.group(1))


def option_id(page: httpx.Response, description: str) -> str:
    found = re.search(
        r'<input type="checkbox" name="chosen" value="([0-9a-f-]{36})"[^>]*>\s*'
        rf'<span class="quote-text">{re.escape(description)}</span>',
        page.text,
    )
    assert found, f"no option {description}"
    return found.group(1)


def answer_forms(page: httpx.Response, token: str) -> set[str]:
    return set(re.findall(rf'action="/q/{re.escape(token)}/(\w+)"', page.text))


async def test_the_link_shows_the_lines_and_totals_and_an_option_ticked_moves_the_total(
    site: Site, portico: RunningPortico
) -> None:
    token = await offered(portico)
    page = await site.get(f"/q/{token}")
    assert page.status_code == 200, page.text[:2000]
    assert '<html lang="en">' in page.text
    words = text_of(page)
    assert "Rénovation de l'atelier" in words and "Atelier Lumière · Inès Roy" in words
    assert "Design workshop" in words and "Catering" in words and "Subtotal · Design" in words
    assert "30% on signature." in words and "Download PDF" in words
    # 960 + 220.20 without tax; 192 + 22.02 of VAT.
    assert grand_total(page) == "€1,394.22"
    assert answer_forms(page, token) == {"choices", "accept", "feedback", "decline"}
    # Without script, the options' form has its button.
    assert "Update the total" in words

    extra = option_id(page, "An extra day")
    chosen = await site.post(f"/q/{token}/choices", {"chosen": extra})
    assert chosen.status_code == 200, chosen.text[:2000]
    assert grand_total(chosen) == "€1,970.22"
    assert re.search(rf'value="{extra}"[^>]*data-option checked', chosen.text)
    left_out = await site.post(f"/q/{token}/choices", {})
    assert grand_total(left_out) == "€1,394.22"

    # The page is in the quote's language unless the visitor chose one.
    french = await offered(portico, name="Studio Nord", locale="fr")
    page = await site.get(f"/q/{french}")
    assert '<html lang="fr">' in page.text and grand_total(page) == "1\u202f394,22\xa0€"


async def test_a_question_is_sent_and_an_empty_one_is_refused_beside_the_field(
    site: Site, portico: RunningPortico
) -> None:
    token = await offered(portico)
    await site.get(f"/q/{token}")
    empty = await site.post(f"/q/{token}/feedback", {"message": "  "})
    assert empty.status_code == 422
    assert field_error(empty, "message") == "Write your question."

    sent = await site.post(f"/q/{token}/feedback", {"message": "Can we start a week later?"})
    page = await site.follow(sent)
    assert "Your question is sent. The answer will come by email." in page.text
    [posted] = await portico.events.wait_for(QuoteFeedbackPosted.event_type)
    assert posted.data["excerpt"] == "Can we start a week later?"
    assert posted.data["author_name"] == "Inès Roy"


async def test_a_declined_quote_shows_its_reason_and_takes_no_more_answers(
    site: Site, portico: RunningPortico
) -> None:
    token = await offered(portico)
    await site.get(f"/q/{token}")
    declined = await site.post(f"/q/{token}/decline", {"reason": "Over our budget."})
    assert declined.status_code == 200, declined.text[:2000]
    words = text_of(declined)
    assert "Declined on" in words and "The reason given: Over our budget." in words
    assert answer_forms(declined, token) == set()
    assert answer_forms(await site.get(f"/q/{token}"), token) == set()

    # An answer from a tab opened before is refused with the reason, nothing recorded.
    late = await site.post(f"/q/{token}/accept", {"name": "Inès Roy", "accept_terms": "true"})
    assert late.status_code == 409
    assert "This quote has been declined: it can no longer be answered." in text_of(late)


async def test_accepting_with_a_typed_signature_shows_the_banner_and_the_signed_pdf(
    site: Site, portico: RunningPortico
) -> None:
    await esignature(portico, on=True)
    token = await offered(portico)
    page = await site.get(f"/q/{token}")
    # The name is the contact's, ready; the signature is asked for.
    assert re.search(r'name="name"[^>]*value="Inès Roy"', page.text)
    assert "Your signature" in page.text and "online-quote.js" in page.text

    # Refused beside the field at fault, with what was typed kept.
    refused = await site.post(
        f"/q/{token}/accept",
        {
            "name": " ",
            "accept_terms": "true",
            "signature_text": "I. Roy",
            "time_zone": "Mars/Olympus",
        },
    )
    assert refused.status_code == 422
    assert field_error(refused, "name") == "This field is required."
    assert re.search(r'name="signature_text" value="I. Roy"', refused.text)
    assert re.search(r'name="accept_terms" value="true"\s+checked', refused.text)
    unsigned = await site.post(f"/q/{token}/accept", {"name": "Inès Roy", "accept_terms": "true"})
    assert field_error(unsigned, "signature") == "Draw your signature, or type it."
    unticked = await site.post(f"/q/{token}/accept", {"name": "Inès Roy", "signature_text": "x"})
    assert field_error(unticked, "accept_terms") == "Tick the box to accept the quote's terms."

    accepted = await site.post(
        f"/q/{token}/accept",
        {
            "name": "Inès Roy",
            "accept_terms": "true",
            "signature_text": "Inès Roy",
            "time_zone": "Europe/Paris",
        },
    )
    assert accepted.status_code == 200, accepted.text[:2000]
    words = text_of(accepted)
    assert re.search(r"Accepted by Inès Roy on \w+ \d+, \d{4}", words), words[:800]
    assert "Download the signed quote" in words and answer_forms(accepted, token) == set()
    assert "Accepted by Inès Roy" in text_of(await site.get(f"/q/{token}"))

    pdf = await site.get(f"/q/{token}/pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and "attachment" in pdf.headers["content-disposition"]
    kept = (await portico.http.get(f"{ONLINE}/{token}")).json()
    assert kept["decision"]["method"] == "typed"


async def test_an_unknown_link_is_a_friendly_404_and_a_link_opens_its_own_quote_only(
    site: Site, portico: RunningPortico
) -> None:
    for token in ("x" * 43, "short", "x" * 43 + "/pdf"):
        gone = await site.get(f"/q/{token}")
        assert gone.status_code == 404
        assert "Ask the sender for a new link." in text_of(gone)
    assert (await site.post(f"/q/{'x' * 43}/decline", {"reason": ""})).status_code == 404

    mine = await offered(portico)
    other_body = {**OFFER, "title": "Site web de Studio Nord"}
    theirs = await offered(portico, name="Studio Nord", body=other_body)
    words = text_of(await site.get(f"/q/{mine}"))
    assert "Rénovation de l'atelier" in words and "Studio Nord" not in words
    # Another quote's option, named through this link, is refused and changes nothing.
    their_option = option_id(await site.get(f"/q/{theirs}"), "An extra day")
    refused = await site.post(f"/q/{mine}/choices", {"chosen": their_option})
    assert refused.status_code == 422
    assert "The options have changed: reload the page and choose again." in text_of(refused)
    assert grand_total(await site.get(f"/q/{theirs}")) == "€1,394.22"

"""The signed quote's certificate, from the quote's history: pure, no database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from portico.pdf import first_broken, render_certificate
from portico.pdf.testing import pdftotext
from portico.quotes.models import QuoteEvent
from portico.quotes.online.certificate import certificate_data, trail_of
from portico.quotes.rendering import Acceptance

CONTACT = uuid.uuid4()
STAFF = uuid.uuid4()


def step(kind: str, minute: int, **fields: object) -> QuoteEvent:
    return QuoteEvent(
        quote_id=uuid.uuid4(),
        kind=kind,
        at=datetime(2026, 12, 7, 10, minute, tzinfo=UTC),
        detail=fields.pop("detail", {}),
        **fields,
    )


STEPS = [
    step("sent", 0, staff_id=STAFF, detail={"number": "DEV-2026-0001", "message": "Hello"}),
    step("viewed", 5, contact_id=CONTACT, ip="203.0.113.9", user_agent="Firefox"),
    step("declined", 6, contact_id=CONTACT, detail={"reason": "Too dear"}),
    step("reopened", 7, staff_id=STAFF),
    step("feedback", 8, contact_id=CONTACT, detail={"message": "Private question"}),
    step("accepted", 9, contact_id=CONTACT, ip="203.0.113.9", detail={"time_zone": "Europe/Paris"}),
]


def test_the_history_becomes_the_trail_in_the_certificates_words() -> None:
    trail = trail_of(STEPS, {CONTACT: "Inès Roy", STAFF: "Léa Martin"})
    assert [entry.action for entry in trail] == [
        "sent",
        "viewed",
        "declined",
        "reopened",
        "feedback",
        "signed",
    ]
    assert trail[0].actor == "Léa Martin" and trail[1].actor == "Inès Roy"
    assert trail[1].ip == "203.0.113.9" and trail[1].user_agent == "Firefox"
    # A refusal's reason is evidence; a message or question is correspondence, left out.
    assert dict(trail[2].details) == {"reason": "Too dear"}
    assert dict(trail[0].details) == {} and dict(trail[4].details) == {}
    assert trail[5].time_zone == "Europe/Paris" and trail[1].time_zone is None


def test_an_unknown_actor_is_left_unnamed() -> None:
    assert trail_of(STEPS[:1], {})[0].actor is None


def test_the_certificate_states_the_signer_their_choices_and_a_chain_that_holds() -> None:
    trail = trail_of(STEPS, {CONTACT: "Inès Roy", STAFF: "Léa Martin"})
    acceptance = Acceptance(
        name="Inès Roy",
        signed_at=datetime(2026, 12, 7, 10, 9, tzinfo=UTC),
        email="ines@client.example",
        time_zone="Europe/Paris",
        ip="203.0.113.9",
        signature_text="I. Roy",
    )
    data = certificate_data(
        number="DEV-2026-0001",
        title="Refonte du site",
        quote_id=uuid.uuid4(),
        organisation_name="Studio Nord",
        client_name="Atelier Lumière",
        verification_url="https://portico.example/quotes/1",
        acceptance=acceptance,
        user_agent="Firefox",
        options_chosen=["Maintenance annuelle"],
        total_with_tax="1 234,56 €",
        locale="fr",
        trail=trail,
        generated_at=datetime(2026, 12, 7, 10, 9, tzinfo=UTC),
        original_sha256="a" * 64,
        signed_sha256="b" * 64,
    )
    assert data.document_name == "DEV-2026-0001 — Refonte du site"
    assert first_broken(data.trail, data.digests) is None
    [signer] = data.recipients
    assert list(signer.values) == [
        ("Options retenues", "Maintenance annuelle"),
        ("Total TTC", "1 234,56 €"),
        ("Signature saisie", "I. Roy"),
    ]
    words = pdftotext(render_certificate(data, "fr"))
    for expected in ("Certificat d’achèvement", "Question posée", "Rouvert", "Refusé", "Signé"):
        assert expected in words, expected
    assert "Private question" not in words

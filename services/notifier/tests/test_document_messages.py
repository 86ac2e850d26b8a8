"""Messages about requested documents, from the documents service's events to the inbox
and the bell: staff hear of uploads, complete files and expiring documents; contacts are
asked for new documents and told how their uploads were reviewed."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any, Literal

import pytest

from portico.contracts import Envelope, Event
from portico.contracts.events.common import Locale, Person
from portico.contracts.events.documents import (
    ClientDocumentExpiring,
    ClientDocumentReviewed,
    ClientDocumentsComplete,
    ClientDocumentUploaded,
)
from portico.kit.testing.smtp import Mailbox, text_and_html

if TYPE_CHECKING:
    from conftest import Publish, StaffMember

NOTIFICATIONS = "/api/notifier/v1/notifications"
DELIVERIES = "/api/notifier/v1/deliveries"
ADMIN = "Admin Portico <admin@studio.example>"
UPLOAD_URL = "http://127.0.0.1:8000/portal/documents?type=urssaf"
DOCUMENT_KINDS = (
    "document_uploaded",
    "documents_complete",
    "document_expiring",
    "document_expiring_staff",
    "document_reviewed",
)
STAFF_KINDS = ("document_uploaded", "documents_complete", "document_expiring_staff")


pytestmark = pytest.mark.usefixtures("notifier_smtp")


def contact(name: str, email: str | None, locale: Locale) -> Person:
    return Person(id=uuid.uuid4(), name=name, email=email, locale=locale)


def document(staff_id: uuid.UUID | None) -> dict[str, Any]:
    return {
        "document_id": uuid.uuid4(),
        "client_id": uuid.uuid4(),
        "client_name": "Atelier Lumière",
        "document_type_id": uuid.uuid4(),
        "document_type_name": "Attestation URSSAF",
        "assigned_staff_id": staff_id,
    }


def uploaded(
    staff_id: uuid.UUID | None, *, by_staff: uuid.UUID | None = None
) -> ClientDocumentUploaded:
    fields = document(staff_id)
    return ClientDocumentUploaded(
        **fields,
        uploaded_by_kind="staff" if by_staff else "contact",
        uploaded_by_id=by_staff or uuid.uuid4(),
        uploaded_by_name="Admin Portico" if by_staff else "Camille Durand",
        file_name="urssaf-2026.pdf",
        size_bytes=184233,
        uploaded_at=datetime(2026, 11, 25, 10, tzinfo=UTC),
        document_url=f"http://127.0.0.1:8000/documents/{fields['document_id']}",
    )


def complete(staff_id: uuid.UUID | None, client_name: str = "Atelier Lumière") -> Event:
    return ClientDocumentsComplete(
        client_id=uuid.uuid4(),
        client_name=client_name,
        assigned_staff_id=staff_id,
        completed_at=datetime(2026, 11, 25, 12, tzinfo=UTC),
    )


def expiring(staff_id: uuid.UUID | None, who: Person | None) -> ClientDocumentExpiring:
    return ClientDocumentExpiring(
        **document(staff_id), expires_on=date(2026, 12, 31), contact=who, upload_url=UPLOAD_URL
    )


def reviewed(
    reviewer_id: uuid.UUID,
    who: Person | None,
    decision: Literal["accepted", "rejected"],
    *,
    reason: str | None = None,
    upload_url: str | None = UPLOAD_URL,
) -> ClientDocumentReviewed:
    return ClientDocumentReviewed(
        **document(reviewer_id),
        decision=decision,
        reason=reason,
        reviewer_id=reviewer_id,
        reviewed_at=datetime(2026, 11, 25, 12, tzinfo=UTC),
        contact=who,
        upload_url=upload_url,
    )


async def notifications(staff: StaffMember, count: int) -> dict[str, dict[str, Any]]:
    """The staff member's notifications by kind, once there are ``count`` of them."""
    return {item["kind"]: item for item in await staff.notifications(count)}


async def delivery_kinds(staff: StaffMember) -> list[str]:
    return sorted(delivery["kind"] for delivery in await staff.deliveries())


def by_recipient(messages: list[EmailMessage]) -> dict[str, EmailMessage]:
    received = {str(message["To"]): message for message in messages}
    assert len(received) == len(messages), "two emails went to the same person"
    return received


def subject(message: EmailMessage) -> str:
    return str(message["Subject"])


def has_link(message: EmailMessage, link: str) -> bool:
    text, html = text_and_html(message)
    return link in text and f'href="{link}"' in html


UPLOAD_WORDING = {
    "en": {
        "uploaded": "Document to review: Attestation URSSAF (Atelier Lumière)",
        "uploaded_body": "Camille Durand uploaded “Attestation URSSAF” for Atelier Lumière "
        "(urssaf-2026.pdf). It is waiting for your review.",
        "complete": "Documents complete: Atelier Lumière",
        "complete_body": "Every document required from Atelier Lumière is now uploaded and "
        "accepted: their file is complete.",
        "uploaded_excerpt": "urssaf-2026.pdf, uploaded by Camille Durand.",
        "complete_excerpt": "Every required document is uploaded and accepted.",
        "hello": "Hello Admin Portico,",
    },
    "fr": {
        "uploaded": "Document à vérifier : Attestation URSSAF (Atelier Lumière)",
        "uploaded_body": "Camille Durand a déposé « Attestation URSSAF » pour Atelier Lumière "
        "(urssaf-2026.pdf). Le document attend votre vérification.",
        "complete": "Dossier complet : Atelier Lumière",
        "complete_body": "Tous les documents demandés à Atelier Lumière sont déposés et "
        "acceptés : le dossier est complet.",
        "uploaded_excerpt": "urssaf-2026.pdf, déposé par Camille Durand.",
        "complete_excerpt": "Tous les documents demandés sont déposés et acceptés.",
        "hello": "Bonjour Admin Portico,",
    },
}


@pytest.mark.parametrize("locale", ["en", "fr"])
async def test_staff_hear_of_uploads_but_their_own_and_of_complete_files(
    staff: StaffMember, publish: Publish, notifier_smtp: Mailbox, locale: Locale
) -> None:
    words = UPLOAD_WORDING[locale]
    await staff.change(locale=locale)
    staff_id = staff.id
    by_contact = uploaded(staff_id)
    await publish(
        "documents", uploaded(staff_id, by_staff=staff_id), by_contact, complete(staff_id)
    )

    # Both later events are in the bell: the admin's own upload, handled first, made nothing.
    bell = await notifications(staff, 2)
    assert bell["document_uploaded"]["title"] == words["uploaded"]
    assert bell["document_uploaded"]["excerpt"] == words["uploaded_excerpt"]
    assert bell["document_uploaded"]["link"] == by_contact.document_url
    assert bell["documents_complete"]["title"] == words["complete"]
    assert bell["documents_complete"]["excerpt"] == words["complete_excerpt"]
    assert bell["documents_complete"]["link"] is None
    assert await delivery_kinds(staff) == ["document_uploaded", "documents_complete"]

    emails = {subject(message): message for message in await notifier_smtp.wait_for(2)}
    assert set(emails) == {words["uploaded"], words["complete"]}
    assert [message["To"] for message in emails.values()] == [ADMIN, ADMIN]
    upload_email = emails[words["uploaded"]]
    assert by_contact.document_url is not None and has_link(upload_email, by_contact.document_url)
    text, html = text_and_html(upload_email)
    assert text.startswith(words["hello"])
    assert words["uploaded_body"] in text
    assert "Atelier Lumière" in html
    text, _ = text_and_html(emails[words["complete"]])
    assert words["complete_body"] in text


EXPIRING_WORDING = {
    "en": {
        "contact_subject": "Your Attestation URSSAF expires on December 31, 2026",
        "contact_hello": "Hello Camille Durand,",
        "contact_ask": "Please upload a new one before that date",
        "staff_subject": "Document expiring: Attestation URSSAF (Atelier Lumière)",
        "staff_body": "The “Attestation URSSAF” of Atelier Lumière expires on December 31, "
        "2026.\n\nWe have asked Camille Durand to upload a new one.",
        "staff_excerpt": "Expires on December 31, 2026. Camille Durand was asked for a new one.",
    },
    "fr": {
        "contact_subject": "Votre document « Attestation URSSAF » expire le 31 décembre 2026",
        "contact_hello": "Bonjour Camille Durand,",
        "contact_ask": "Merci d\u2019en déposer un nouveau avant cette date",
        "staff_subject": "Document arrivant à expiration : Attestation URSSAF (Atelier Lumière)",
        "staff_body": "Le document « Attestation URSSAF » du client Atelier Lumière expire le "
        "31 décembre 2026.\n\nNous avons demandé à Camille Durand d\u2019en déposer un nouveau.",
        "staff_excerpt": "Expire le 31 décembre 2026. Un nouveau document a été demandé à "
        "Camille Durand.",
    },
}


@pytest.mark.parametrize("locale", ["en", "fr"])
async def test_an_expiring_document_asks_the_contact_for_a_new_one_and_tells_the_staff(
    staff: StaffMember, publish: Publish, notifier_smtp: Mailbox, locale: Locale
) -> None:
    words = EXPIRING_WORDING[locale]
    await staff.change(locale=locale)
    staff_id = staff.id
    camille = contact("Camille Durand", "camille@atelier-lumiere.example", locale)
    await publish("documents", expiring(staff_id, camille))

    emails = by_recipient(await notifier_smtp.wait_for(2))
    asked = emails["Camille Durand <camille@atelier-lumiere.example>"]
    assert subject(asked) == words["contact_subject"]
    # Questions about the new document go to the staff user in charge of the client.
    assert asked["Reply-To"] == "admin@studio.example"
    assert has_link(asked, UPLOAD_URL)
    text, _ = text_and_html(asked)
    assert text.startswith(words["contact_hello"])
    assert words["contact_ask"] in text

    told = emails[ADMIN]
    assert subject(told) == words["staff_subject"]
    assert words["staff_body"] in text_and_html(told)[0]
    bell = await notifications(staff, 1)
    assert bell["document_expiring_staff"]["title"] == words["staff_subject"]
    assert bell["document_expiring_staff"]["excerpt"] == words["staff_excerpt"]


REVIEW_WORDING = {
    "en": {
        "rejected": "New document needed: Attestation URSSAF",
        "rejected_body": "We could not accept the “Attestation URSSAF” you sent for Atelier "
        "Lumière, for this reason:\n\n> Scan illisible, merci de renvoyer le document original.",
        "accepted": "Document accepted: Attestation URSSAF",
        "accepted_body": "Thank you: your “Attestation URSSAF” for Atelier Lumière has been "
        "checked and accepted.",
        "no_link": "Please send us a new one. If you have a question, simply reply to this email.",
    },
    "fr": {
        "rejected": "Document à renvoyer : Attestation URSSAF",
        "rejected_body": "Nous n\u2019avons pas pu accepter le document « Attestation URSSAF » que "
        "vous avez envoyé pour Atelier Lumière, pour la raison suivante :\n\n"
        "> Scan illisible, merci de renvoyer le document original.",
        "accepted": "Document accepté : Attestation URSSAF",
        "accepted_body": "Merci : votre document « Attestation URSSAF » pour Atelier Lumière a "
        "été vérifié et accepté.",
        "no_link": "Merci de nous en envoyer un nouveau. Pour toute question, répondez "
        "simplement à cet e-mail.",
    },
}


@pytest.mark.parametrize("locale", ["en", "fr"])
async def test_a_review_tells_the_contact_once_with_the_reason_and_the_upload_link(
    staff: StaffMember, publish: Publish, notifier_smtp: Mailbox, locale: Locale
) -> None:
    words = REVIEW_WORDING[locale]
    await staff.change(locale="en")
    staff_id = staff.id
    camille = contact("Camille Durand", "camille@atelier-lumiere.example", locale)
    hugo = contact("Hugo Martin", "hugo@atelier-lumiere.example", locale)
    lea = contact("Léa Petit", "lea@atelier-lumiere.example", locale)
    reason = "Scan illisible, merci de renvoyer le document original."
    rejected = Envelope.wrap(
        reviewed(staff_id, camille, "rejected", reason=reason), source="documents"
    )
    await publish(
        "documents",
        rejected,
        rejected,
        reviewed(staff_id, hugo, "accepted"),
        reviewed(staff_id, lea, "rejected", upload_url=None),
    )

    emails = by_recipient(await notifier_smtp.wait_for(3))
    assert len(emails) == 3
    # Léa's email was recorded after the duplicate was handled: the log is complete.
    assert await delivery_kinds(staff) == ["document_reviewed"] * 3
    assert {message["Reply-To"] for message in emails.values()} == {"admin@studio.example"}

    to_camille = emails["Camille Durand <camille@atelier-lumiere.example>"]
    assert subject(to_camille) == words["rejected"]
    assert has_link(to_camille, UPLOAD_URL)
    text, html = text_and_html(to_camille)
    assert words["rejected_body"] in text
    assert "Scan illisible, merci de renvoyer le document original." in html

    to_hugo = emails["Hugo Martin <hugo@atelier-lumiere.example>"]
    assert subject(to_hugo) == words["accepted"]
    text, html = text_and_html(to_hugo)
    assert words["accepted_body"] in text
    assert UPLOAD_URL not in text and "href" not in html

    to_lea = emails["Léa Petit <lea@atelier-lumiere.example>"]
    assert subject(to_lea) == words["rejected"]
    text, html = text_and_html(to_lea)
    assert words["no_link"] in text
    assert "href" not in html


async def test_nobody_to_tell_sends_nothing_and_a_duplicate_notifies_once(
    staff: StaffMember, publish: Publish, notifier_smtp: Mailbox
) -> None:
    preferences = (
        await staff.portico.http.get("/api/notifier/v1/preferences", headers=staff.headers)
    ).json()
    defaults = {
        p["kind"]: (p["email"], p["sms"], p["in_app"], p["customised"]) for p in preferences
    }
    for kind in STAFF_KINDS:
        assert defaults[kind] == (True, False, True, False)
    assert "document_expiring" not in defaults and "document_reviewed" not in defaults
    await staff.choose("documents_complete", email=False, sms=False, in_app=True)

    await staff.change(locale="en")
    staff_id = staff.id
    no_email = contact("Camille Durand", None, "fr")
    twice = Envelope.wrap(complete(staff_id), source="documents")
    await publish(
        "documents",
        uploaded(None),
        expiring(None, None),
        expiring(None, no_email),
        reviewed(staff_id, None, "rejected", reason="Illisible"),
        reviewed(staff_id, no_email, "accepted"),
        complete(None),
        twice,
        twice,
        complete(staff_id, client_name="Boulangerie Martin"),
    )

    # The last event's notification proves every earlier one was handled.
    titles = {notification["title"] for notification in await staff.notifications(2)}
    assert titles == {
        "Documents complete: Atelier Lumière",
        "Documents complete: Boulangerie Martin",
    }
    assert await staff.deliveries() == []
    assert notifier_smtp.messages == []

"""Messages about documents to sign, from the signing service's events to the inbox, the
phone and the bell: the signing link by the channel the sender chose, reminders and last
calls, each signer's copy, and what the sender hears of."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from portico.contracts.events.common import Locale, Person
from portico.contracts.events.signing import (
    DocumentCompleted,
    SignedCopy,
    SigningCodeSent,
    SubmissionDeclined,
    SubmissionExpiring,
    SubmissionReminded,
    SubmissionSent,
    SubmissionViewed,
)
from portico.kit.testing.smtp import Mailbox, text_and_html
from portico.notifier.testing import FakeProvider

if TYPE_CHECKING:
    from conftest import Publish, StaffMember

SIGNING_URL = "http://127.0.0.1:8000/sign/Zm9vYmFy-secret?step=1&lang=fr"
SUBMISSION_URL = "http://127.0.0.1:8000/documents/submissions/2b3c4d5e"
EXPIRES_AT = datetime(2026, 12, 24, 9, 0, tzinfo=UTC)
SUBJECTS = {
    "fr": (
        "Portico vous invite à signer « Mandat de prélèvement »",
        "Rappel : « Mandat de prélèvement » attend votre signature",
        "Derniers jours pour signer « Mandat de prélèvement »",
    ),
    "en": (
        "Portico asks you to sign “Mandat de prélèvement”",
        "Reminder: “Mandat de prélèvement” is waiting for your signature",
        "Last days to sign “Mandat de prélèvement”",
    ),
}
EXPIRY = {"fr": "24 décembre 2026", "en": "December 24, 2026"}


def submitter(locale: Locale = "fr", **fields: Any) -> Person:
    values = {
        "id": uuid.uuid4(),
        "name": "Camille Durand",
        "email": "camille@lumiere.example",
        "locale": locale,
        **fields,
    }
    return Person(**values)


def submission(staff_id: uuid.UUID) -> dict[str, Any]:
    return {
        "submission_id": uuid.uuid4(),
        "template_id": uuid.uuid4(),
        "document_name": "Mandat de prélèvement",
        "sent_by": staff_id,
    }


@pytest.mark.usefixtures("notifier_smtp")
@pytest.mark.parametrize("locale", ["fr", "en"])
async def test_the_signing_link_its_reminder_and_its_last_call_by_email(
    locale: Locale, staff: StaffMember, publish: Publish, notifier_smtp: Mailbox
) -> None:
    who = submitter(locale)
    common = {**submission(staff.id), "submitter": who, "signing_url": SIGNING_URL}
    sent = SubmissionSent(**common, expires_at=EXPIRES_AT, message="Merci de signer avant Noël.")
    reminded_fields = {k: v for k, v in common.items() if k != "sent_by"}
    [envelope] = await publish("signing", sent)
    # The same envelope delivered twice (the bus redelivers): still one email. The events
    # after it are handled after it, so their emails prove the duplicate was seen.
    await staff.portico.host.bus.publish([envelope])
    await publish(
        "signing",
        SubmissionReminded(**reminded_fields, expires_at=EXPIRES_AT, reminder_number=1),
        SubmissionExpiring(**reminded_fields, expires_at=EXPIRES_AT),
    )
    await notifier_smtp.wait_for(3)
    await staff.portico.events.wait_for("portico.notifier.notification_delivered.v1", 3)
    messages = {str(message["Subject"]): message for message in notifier_smtp.messages}
    assert len(notifier_smtp.messages) == 3
    assert set(messages) == set(SUBJECTS[locale])
    first, reminder, last_call = (messages[subject] for subject in SUBJECTS[locale])
    assert first["To"] == "Camille Durand <camille@lumiere.example>"
    assert first["Reply-To"] == "admin@studio.example"
    for message in messages.values():
        assert message["To"] == "Camille Durand <camille@lumiere.example>"
        text, html = text_and_html(message)
        assert SIGNING_URL in text
        assert SIGNING_URL.replace("&", "&amp;") in html
        assert EXPIRY[locale] in text
    text, html = text_and_html(first)
    assert "Merci de signer avant Noël." in text and "Merci de signer avant Noël." in html
    greeting = {"fr": "Bonjour Camille Durand,", "en": "Hello Camille Durand,"}[locale]
    assert text.startswith(greeting)
    reminder_text = text_and_html(reminder)[0]
    assert "Merci de signer avant Noël." not in reminder_text
    # Reminders come without the sender's Reply-To: a rule may send them, not a person.
    assert reminder["Reply-To"] is None
    again = {"fr": "Petit rappel", "en": "A quick reminder"}[locale]
    assert again in reminder_text and again not in text
    last = {
        "fr": f"expire le {EXPIRY['fr']}. Passé cette date",
        "en": f"expires on {EXPIRY['en']}. Once it has expired",
    }[locale]
    assert last in text_and_html(last_call)[0]
    assert len(await staff.deliveries(kind="submission_sent")) == 1


# Before the services start (usefixtures come first): they read the provider's settings then.
@pytest.mark.usefixtures("sms_provider", "notifier_smtp")
async def test_a_signing_link_by_sms_goes_to_the_normalised_number_whole(
    staff: StaffMember, publish: Publish, sms_provider: FakeProvider
) -> None:
    who = submitter("fr", phone="06 12 34 56 78", email=None)
    await publish(
        "signing",
        SubmissionSent(
            **submission(staff.id), submitter=who, channel="sms", signing_url=SIGNING_URL
        ),
    )
    await staff.portico.events.wait_for("portico.notifier.notification_delivered.v1")
    [request] = sms_provider.received
    assert request.form["To"] == "+33612345678"
    assert request.form["Body"].startswith("Portico : merci de signer « Mandat de prélèvement »")
    assert SIGNING_URL in request.form["Body"]
    [delivery] = await staff.deliveries(kind="submission_sent")
    assert (delivery["channel"], delivery["status"]) == ("sms", "sent")
    assert "Zm9vYmFy" not in str(delivery)  # the link's secret stays out of the log


@pytest.mark.usefixtures("sms_provider", "notifier_smtp")
async def test_an_identity_code_goes_by_sms_or_email_and_stays_out_of_the_log(
    staff: StaffMember, publish: Publish, sms_provider: FakeProvider, notifier_smtp: Mailbox
) -> None:
    expires = datetime.now(UTC) + timedelta(minutes=10)
    common = {k: v for k, v in submission(staff.id).items() if k != "sent_by"}
    by_phone = submitter("fr", phone="06 12 34 56 78", email=None)
    await publish(
        "signing",
        SigningCodeSent(
            **common,
            submitter=by_phone,
            channel="sms",
            code="482913",
            expires_at=expires,
            valid_minutes=10,
        ),
    )
    by_mail = submitter("en")
    await publish(
        "signing",
        SigningCodeSent(
            **common,
            submitter=by_mail,
            channel="email",
            code="731605",
            expires_at=expires,
            valid_minutes=10,
        ),
    )
    [email] = await notifier_smtp.wait_for(1)
    assert email["Subject"] == "Your code to open “Mandat de prélèvement”"
    assert "731605" in text_and_html(email)[0]
    assert "It works for 10 minutes" in text_and_html(email)[0]
    [request] = sms_provider.received
    assert request.form["To"] == "+33612345678"
    assert request.form["Body"].startswith("482913 est votre code pour ouvrir")
    deliveries = await staff.deliveries(kind="signing_code")
    assert {d["channel"] for d in deliveries} == {"sms", "email"}
    assert "482913" not in str(deliveries) and "731605" not in str(deliveries)


@pytest.mark.usefixtures("notifier_smtp")
async def test_signers_get_their_copies_and_the_sender_hears_of_the_outcome(
    staff: StaffMember, publish: Publish, notifier_smtp: Mailbox
) -> None:
    camille = SignedCopy(
        **submitter("fr").model_dump(), copy_url="http://127.0.0.1:8000/sign/aaa111/copy"
    )
    hugo = SignedCopy(
        id=uuid.uuid4(),
        name="Hugo Martin",
        email="hugo@lumiere.example",
        locale="en",
        copy_url="http://127.0.0.1:8000/sign/bbb222/copy",
    )
    no_email = SignedCopy(
        id=uuid.uuid4(), name="Léa Petit", phone="+33698765432", copy_url=camille.copy_url
    )
    base = submission(staff.id)
    await publish(
        "signing",
        DocumentCompleted(
            **base,
            completed_at=datetime(2026, 11, 25, 10, 30, tzinfo=UTC),
            submitters=[camille, hugo, no_email],
            completed_pdf_key="submissions/x/completed.pdf",
            completed_pdf_sha256="9f" * 32,
            certificate_key="submissions/x/certificate.pdf",
            submission_url=SUBMISSION_URL,
        ),
        SubmissionDeclined(
            **submission(staff.id),
            submitter=submitter("fr"),
            reason="Le montant est erroné.",
            declined_at=datetime.now(UTC),
            submission_url=SUBMISSION_URL,
        ),
        SubmissionViewed(
            **{k: v for k, v in submission(staff.id).items() if k != "sent_by"},
            sent_by=staff.id,
            submitter=submitter("en", name="Hugo Martin"),
            viewed_at=datetime.now(UTC) - timedelta(minutes=5),
        ),
    )
    viewed, declined, completed = await staff.notifications(3)
    assert completed["title"] == "Signed by everyone: Mandat de prélèvement"
    assert completed["excerpt"] == "Signed by Camille Durand, Hugo Martin, Léa Petit."
    assert completed["link"] == SUBMISSION_URL
    assert declined["title"] == "Camille Durand declined to sign “Mandat de prélèvement”"
    assert declined["excerpt"] == "Le montant est erroné."
    assert viewed["title"] == "Hugo Martin opened “Mandat de prélèvement”"
    assert viewed["link"] is None

    # Two copies, and the sender's emails of the completion and the decline (a view is
    # in-app only until the sender asks for more).
    messages = {str(m["To"]): m for m in await notifier_smtp.wait_for(4)}
    camille_copy = messages["Camille Durand <camille@lumiere.example>"]
    assert camille_copy["Subject"] == "Votre exemplaire signé de « Mandat de prélèvement »"
    assert camille.copy_url in text_and_html(camille_copy)[0]
    assert hugo.copy_url not in text_and_html(camille_copy)[0]
    hugo_copy = messages["Hugo Martin <hugo@lumiere.example>"]
    assert hugo_copy["Subject"] == "Your signed copy of “Mandat de prélèvement”"
    assert hugo.copy_url in text_and_html(hugo_copy)[1]
    sender_emails = [m for m in notifier_smtp.messages if "admin@studio.example" in m["To"]]
    assert sorted(m["Subject"] for m in sender_emails) == [
        "Camille Durand declined to sign “Mandat de prélèvement”",
        "Signed by everyone: Mandat de prélèvement",
    ]
    for message in sender_emails:
        text, html = text_and_html(message)
        assert SUBMISSION_URL in text and SUBMISSION_URL in html
        assert "/copy" not in text and "/copy" not in html  # no signer's link in staff mail
        if "declined" in message["Subject"]:
            assert "Their reason:\n\n> Le montant est erroné." in text
            assert "Le montant est erroné." in html
    await staff.portico.events.wait_for("portico.notifier.notification_delivered.v1", 4)
    assert len(notifier_smtp.messages) == 4

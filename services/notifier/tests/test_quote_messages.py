"""The quotes service's events as people receive them: the client's contact gets the quote
(with its PDF), reminders, the signed copy and invoices by email; the quote's assignee hears
of what the client does, in the app, by email and by SMS, as their preferences say."""

from __future__ import annotations

import asyncio
import html as html_lib
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

import pytest

from portico.contracts.events.common import Person
from portico.contracts.events.quotes import (
    InvoiceIssued,
    QuoteDeclined,
    QuoteDownloaded,
    QuoteFeedbackPosted,
    QuoteReminded,
    QuoteSent,
    QuoteSigned,
    QuoteViewed,
)
from portico.kit.testing.services import RunningPortico
from portico.kit.testing.smtp import Mailbox, text_and_html
from portico.notifier.testing import FakeProvider

if TYPE_CHECKING:
    from conftest import Publish, StaffMember

NOTIFICATIONS = "/api/notifier/v1/notifications"
PREFERENCES = "/api/notifier/v1/preferences"
ADMIN = "Admin Portico <admin@studio.example>"
CONTACT = "Camille Durand <camille@lumiere.example>"
NUMBER = "D-2026-0042"
TITLE = "Rénovation de l\u2019atelier"
# A capability link as the quotes service makes them: the "&" must survive HTML escaping.
QUOTE_URL = "http://127.0.0.1:8000/q/4d5e6f7a?token=t0k3n&lang=fr"
COPY_URL = "http://127.0.0.1:8000/q/4d5e6f7a/signed.pdf?token=c0py&download=1"
INVOICE_URL = "http://127.0.0.1:8000/portal/billing/5e6f7a8b"
AMOUNT = {"en": "€12,500.00", "fr": "12\u202f500,00\u00a0€"}
GREETING = {"en": "Hello Camille Durand,", "fr": "Bonjour Camille Durand,"}
NOTE = {
    "en": "As agreed, here is our proposal for the workshop.",
    "fr": "Comme convenu, voici notre proposition pour l\u2019atelier.",
}

pytestmark = pytest.mark.usefixtures("notifier_smtp")


def small_pdf() -> bytes:
    """A one-page PDF that readers open (neither reportlab nor pypdf is a dependency here)."""
    text = f"BT /F1 18 Tf 72 720 Td (Devis {NUMBER}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(pdf)


def contact(locale: str) -> Person:
    return Person(
        id=uuid.uuid4(), name="Camille Durand", email="camille@lumiere.example", locale=locale
    )


def quote_ids(assignee_id: str) -> dict[str, Any]:
    quote_id = uuid.uuid4()
    return {
        "quote_id": quote_id,
        "number": NUMBER,
        "client_id": uuid.uuid4(),
        "assignee_id": uuid.UUID(assignee_id),
        "quote_admin_url": f"http://127.0.0.1:8000/quotes/{quote_id}",
    }


def quote_message(assignee_id: str, locale: str, **fields: Any) -> dict[str, Any]:
    """The fields QuoteSent and QuoteReminded share."""
    return {
        **quote_ids(assignee_id),
        "title": TITLE,
        "contact": contact(locale),
        "total_excluding_tax": Decimal("10416.67"),
        "total_including_tax": Decimal("12500.00"),
        "currency": "EUR",
        "quote_url": QUOTE_URL,
        "valid_until": date(2026, 12, 31),
        "sent_by": uuid.UUID(assignee_id),
        **fields,
    }


async def store_pdf(portico: RunningPortico, key: str) -> bytes:
    """A PDF where the quotes service keeps the ones its events name: its own store."""
    pdf = small_pdf()
    await portico.runtime("quotes").store.put(key, pdf, content_type="application/pdf")
    return pdf


async def notifications(staff: StaffMember, count: int) -> dict[str, list[dict[str, Any]]]:
    """The staff member's notifications by kind, once there are ``count`` of them."""
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for item in await staff.notifications(count):
        by_kind.setdefault(item["kind"], []).append(item)
    return by_kind


async def delivered_kinds(staff: StaffMember) -> list[str]:
    return sorted(f"{d['kind']}:{d['channel']}" for d in await staff.deliveries())


def by_subject(messages: list[EmailMessage]) -> dict[str, EmailMessage]:
    return {str(message["Subject"]): message for message in messages}


def assert_link(link: str, text: str, html: str) -> None:
    assert link in text
    assert link.replace("&", "&amp;") in html


@pytest.mark.parametrize("locale", ["en", "fr"])
async def test_a_sent_quote_brings_its_link_its_amount_and_its_pdf(
    portico: RunningPortico,
    admin: dict[str, str],
    staff: StaffMember,
    publish: Publish,
    notifier_smtp: Mailbox,
    locale: str,
) -> None:
    staff_id = str(staff.id)
    key = f"quotes/{uuid.uuid4()}/{NUMBER}.pdf"
    pdf = await store_pdf(portico, key)
    sent = QuoteSent(
        **quote_message(staff_id, locale, attach_pdf=True, pdf_key=key, message=NOTE[locale])
    )
    await publish("quotes", sent)

    [message] = await notifier_smtp.wait_for()
    assert message["To"] == CONTACT
    assert message["Reply-To"] == "admin@studio.example"
    assert (
        message["Subject"]
        == {
            "en": f"Quote {NUMBER} from Portico: {TITLE}",
            "fr": f"Portico vous envoie le devis {NUMBER} : {TITLE}",
        }[locale]
    )
    text, html = text_and_html(message)
    assert text.startswith(GREETING[locale])
    assert_link(QUOTE_URL, text, html)
    assert AMOUNT[locale] in text and AMOUNT[locale] in html_lib.unescape(html)
    valid = {"en": "It is valid until December 31, 2026.", "fr": "jusqu\u2019au 31 décembre 2026"}
    assert valid[locale] in text
    assert NOTE[locale] in text and NOTE[locale] in html_lib.unescape(html)
    joined = {"en": "attached to this email as a PDF", "fr": "au format PDF en pièce jointe"}
    assert joined[locale] in text
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == f"{NUMBER}.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == pdf


@pytest.mark.parametrize("locale", ["en", "fr"])
async def test_a_quote_once_even_if_sent_twice_then_its_reminder_then_the_invoice(
    portico: RunningPortico,
    admin: dict[str, str],
    staff: StaffMember,
    publish: Publish,
    notifier_smtp: Mailbox,
    locale: str,
) -> None:
    staff_id = str(staff.id)
    key = f"quotes/{uuid.uuid4()}/{NUMBER}.pdf"
    pdf = await store_pdf(portico, key)
    [sent] = await publish("quotes", QuoteSent(**quote_message(staff_id, locale)))
    await notifier_smtp.wait_for()
    await portico.host.bus.publish([sent])
    reminder = QuoteReminded(
        **quote_message(staff_id, locale, attach_pdf=True, pdf_key=key), reminder_number=1
    )
    invoice = InvoiceIssued(
        invoice_id=uuid.uuid4(),
        number="F-2026-0107",
        client_id=uuid.uuid4(),
        contact=contact(locale),
        total_including_tax=Decimal("12500.00"),
        currency="EUR",
        due_on=date(2027, 1, 10),
        invoice_url=INVOICE_URL,
    )
    await publish("quotes", reminder, invoice)

    messages = await notifier_smtp.wait_for(3)
    # Recorded in order, inside each event's transaction: the invoice's delivery proves the
    # duplicate was handled before it.
    assert await delivered_kinds(staff) == [
        "invoice_issued:email",
        "quote_reminded:email",
        "quote_sent:email",
    ]
    assert len(messages) == 3
    subjects = {
        "en": (
            f"Quote {NUMBER} from Portico: {TITLE}",
            f"Reminder: quote {NUMBER} “{TITLE}” awaits your answer",
            "Invoice F-2026-0107 from Portico",
        ),
        "fr": (
            f"Portico vous envoie le devis {NUMBER} : {TITLE}",
            f"Rappel : le devis {NUMBER} « {TITLE} » attend votre réponse",
            "Portico : votre facture F-2026-0107",
        ),
    }[locale]
    received = by_subject(messages)
    assert set(received) == set(subjects)
    first, again, billed = (received[subject] for subject in subjects)

    assert list(first.iter_attachments()) == []
    first_text, _ = text_and_html(first)
    assert "PDF" not in first_text

    assert again["To"] == CONTACT and again["Reply-To"] == "admin@studio.example"
    text, html = text_and_html(again)
    assert text.startswith(GREETING[locale])
    assert_link(QUOTE_URL, text, html)
    assert AMOUNT[locale] in text
    polite = {
        "en": ("A gentle reminder", "is still awaiting your answer", "disregard this reminder"),
        "fr": ("Nous nous permettons de vous rappeler", "attend toujours votre réponse", "rappel"),
    }[locale]
    assert all(phrase in text for phrase in polite)
    assert polite[0] not in first_text
    [attachment] = list(again.iter_attachments())
    assert (attachment.get_filename(), attachment.get_content()) == (f"{NUMBER}.pdf", pdf)

    assert billed["To"] == CONTACT and billed["Reply-To"] is None
    text, html = text_and_html(billed)
    assert_link(INVOICE_URL, text, html)
    due = {
        "en": f"{AMOUNT['en']} including tax, payable by January 10, 2027.",
        "fr": f"{AMOUNT['fr']} TTC, à régler au plus tard le 10 janvier 2027.",
    }[locale]
    assert due in text and due in html_lib.unescape(html)


async def test_views_and_downloads_reach_the_assignee_on_the_channels_they_choose(
    portico: RunningPortico,
    admin: dict[str, str],
    staff: StaffMember,
    publish: Publish,
    notifier_smtp: Mailbox,
) -> None:
    staff_id = str(staff.id)
    defaults = {
        p["kind"]: (p["email"], p["sms"], p["in_app"])
        for p in (await portico.http.get(PREFERENCES, headers=admin)).json()
    }
    assert defaults["quote_viewed"] == defaults["quote_downloaded"] == (True, False, True)
    assert defaults["quote_signed"] == (True, True, True)
    ids = quote_ids(staff_id)
    moment = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    client = {"client_name": "Atelier Lumière", "ip": "203.0.113.7"}
    await publish(
        "quotes",
        QuoteViewed(**ids, **client, viewed_at=moment),
        QuoteDownloaded(**ids, **client, downloaded_at=moment),
    )

    seen = await notifications(staff, 2)
    [viewed], [downloaded] = seen["quote_viewed"], seen["quote_downloaded"]
    assert viewed["title"] == f"Atelier Lumière opened quote {NUMBER}"
    assert viewed["excerpt"] == f"Quote {NUMBER} is being read: a good moment to follow up."
    assert downloaded["excerpt"] == f"Quote {NUMBER} was downloaded as a PDF."
    assert downloaded["title"] == f"Atelier Lumière downloaded quote {NUMBER}"
    assert viewed["link"] == downloaded["link"] == ids["quote_admin_url"]
    received = by_subject(await notifier_smtp.wait_for(2))
    assert set(received) == {viewed["title"], downloaded["title"]}
    email = received[downloaded["title"]]
    assert email["To"] == ADMIN
    text, html = text_and_html(email)
    assert "downloaded the PDF of quote D-2026-0042 on November 25, 2026" in text
    assert_link(ids["quote_admin_url"], text, html)
    assert "203.0.113.7" not in text

    chosen = await portico.http.put(
        f"{PREFERENCES}/quote_viewed",
        json={"email": False, "sms": False, "in_app": True},
        headers=admin,
    )
    assert chosen.status_code == 200
    await publish(
        "quotes",
        QuoteViewed(**ids, **client, viewed_at=moment),
        QuoteDownloaded(**ids, **client, downloaded_at=moment),
    )
    seen = await notifications(staff, 4)
    assert (len(seen["quote_viewed"]), len(seen["quote_downloaded"])) == (2, 2)
    messages = await notifier_smtp.wait_for(3)
    # The second download, published after the second view, was recorded after it.
    assert await delivered_kinds(staff) == [
        "quote_downloaded:email",
        "quote_downloaded:email",
        "quote_viewed:email",
    ]
    assert [m["Subject"] for m in messages].count(viewed["title"]) == 1


@pytest.mark.usefixtures("sms_provider")  # configured before the services start
async def test_a_signed_quote_tells_the_assignee_everywhere_and_sends_the_signer_a_copy(
    portico: RunningPortico,
    admin: dict[str, str],
    staff: StaffMember,
    publish: Publish,
    notifier_smtp: Mailbox,
    sms_provider: FakeProvider,
) -> None:
    await staff.change(locale="fr", phone="+33 6 12 34 56 78")
    staff_id = str(staff.id)
    ids = quote_ids(staff_id)
    signer = Person(id=uuid.uuid4(), name="Hugo Martin", email="hugo@lumiere.example")
    await publish(
        "quotes",
        QuoteSigned(
            **ids,
            signer=signer,
            signed_at=datetime(2026, 11, 25, 11, 0, tzinfo=UTC),
            total_including_tax=Decimal("12500.00"),
            currency="EUR",
            signed_pdf_key="quotes/4d5e6f7a/signed.pdf",
            copy_url=COPY_URL,
        ),
    )

    received = {str(m["To"]): m for m in await notifier_smtp.wait_for(2)}
    assert set(received) == {ADMIN, "Hugo Martin <hugo@lumiere.example>"}
    confirmation = received[ADMIN]
    assert confirmation["Subject"] == f"Devis {NUMBER} signé par Hugo Martin"
    text, html = text_and_html(confirmation)
    assert text.startswith("Bonjour Admin Portico,")
    assert f"Bonne nouvelle : Hugo Martin a signé le devis {NUMBER} le 25 novembre 2026" in text
    assert AMOUNT["fr"] in text
    assert_link(ids["quote_admin_url"], text, html)
    assert "c0py" not in text and "c0py" not in html

    copy = received["Hugo Martin <hugo@lumiere.example>"]
    assert copy["Subject"] == f"Thank you for signing quote {NUMBER}"
    assert copy["Reply-To"] == "admin@studio.example"
    text, html = text_and_html(copy)
    assert text.startswith("Hello Hugo Martin,")
    assert f"signing quote {NUMBER} on November 25, 2026, for {AMOUNT['en']} including tax" in text
    assert_link(COPY_URL, text, html)
    assert "Download my signed copy" in html

    [notification] = (await notifications(staff, 1))["quote_signed"]
    assert notification["title"] == f"Devis {NUMBER} signé par Hugo Martin"
    assert notification["link"] == ids["quote_admin_url"]
    assert notification["excerpt"] == f"Montant accepté : {AMOUNT['fr']}."
    assert "c0py" not in str(notification)
    for _ in range(200):
        if sms_provider.received:
            break
        await asyncio.sleep(0.05)
    [sms] = sms_provider.received
    assert sms.form["To"] == "+33612345678"
    assert sms.form["Body"] == (
        f"Bonne nouvelle : Hugo Martin a signé le devis {NUMBER}. {ids['quote_admin_url']}"
    )


@pytest.mark.parametrize("locale", ["en", "fr"])
async def test_feedback_and_a_decline_reach_the_assignee_with_the_clients_words(
    portico: RunningPortico,
    admin: dict[str, str],
    staff: StaffMember,
    publish: Publish,
    notifier_smtp: Mailbox,
    locale: str,
) -> None:
    await staff.change(locale=locale)
    staff_id = str(staff.id)
    ids = quote_ids(staff_id)
    moment = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
    excerpt = "Peut-on décaler le chantier à mars ?"
    reason = "Budget dépassé"
    await publish(
        "quotes",
        QuoteFeedbackPosted(**ids, author_name="Camille Durand", excerpt=excerpt, posted_at=moment),
        QuoteDeclined(**ids, declined_at=moment, reason=reason, signer=contact(locale)),
    )

    expected = {
        "en": {
            "quote_feedback_posted": f"New comment from Camille Durand on quote {NUMBER}",
            "quote_declined": f"Quote {NUMBER} was declined",
        },
        "fr": {
            "quote_feedback_posted": f"Nouveau commentaire de Camille Durand sur le devis {NUMBER}",
            "quote_declined": f"Le devis {NUMBER} a été refusé",
        },
    }[locale]
    words = {"quote_feedback_posted": excerpt, "quote_declined": reason}
    seen = await notifications(staff, 2)
    received = by_subject(await notifier_smtp.wait_for(2))
    for kind, subject in expected.items():
        [notification] = seen[kind]
        assert notification["title"] == subject
        assert words[kind] in notification["excerpt"]
        assert notification["link"] == ids["quote_admin_url"]
        email = received[subject]
        assert email["To"] == ADMIN
        text, html = text_and_html(email)
        assert text.startswith({"en": "Hello", "fr": "Bonjour"}[locale] + " Admin Portico,")
        assert f"> {words[kind]}" in text and words[kind] in html
        assert_link(ids["quote_admin_url"], text, html)
    declined = {
        "en": f"Camille Durand declined quote {NUMBER} on November 25, 2026. Their reason:",
        "fr": f"Camille Durand a refusé le devis {NUMBER} le 25 novembre 2026. Motif indiqué :",
    }[locale]
    assert declined in text_and_html(received[expected["quote_declined"]])[0]
    colon = {"en": ": ", "fr": " : "}[locale]
    assert seen["quote_declined"][0]["excerpt"] == f"Camille Durand{colon}{reason}"

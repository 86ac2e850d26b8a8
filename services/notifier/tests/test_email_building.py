"""The MIME message of an email, parsed back as a mail client would read it."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

from portico.kit.testing.smtp import text_and_html
from portico.notifier.channels.base import EmailContent
from portico.notifier.channels.email import build_email

CONTENT = EmailContent(
    to="camille@lumiere.example",
    to_name="Camille Lumière",
    subject="Devis D-2026-0042 — Rénovation de l'atelier",
    html="<p>Bonjour Camille Lumière,</p><p>Voici le devis : 12 500,00 €</p>",
    text="Bonjour Camille Lumière,\n\nVoici le devis : 12 500,00 €",
    from_address="bonjour@studio.example",
    from_name="Studio Portico",
    reply_to="admin@studio.example",
    message_id="<5c1a8e52-4c62-5d8e-9f1e-1b2c3d4e5f60@studio.example>",
)


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_non_ascii_headers_and_parts_read_back_unchanged() -> None:
    raw = build_email(CONTENT, [])
    assert raw.isascii()  # every 8-bit character is encoded for any SMTP server
    message = parse(raw)
    assert message["Subject"] == CONTENT.subject
    assert message["To"] == "Camille Lumière <camille@lumiere.example>"
    assert message["Reply-To"] == "admin@studio.example"
    assert message["Message-ID"] == CONTENT.message_id
    text, html = text_and_html(message)
    assert text.strip() == CONTENT.text
    assert html.strip() == CONTENT.html


def test_an_attachment_comes_back_byte_for_byte() -> None:
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
    message = parse(build_email(CONTENT, [("Devis D-2026-0042.pdf", "application/pdf", pdf)]))
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "Devis D-2026-0042.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == pdf
    assert text_and_html(message)[0].strip() == CONTENT.text


def test_the_same_delivery_builds_the_same_structure() -> None:
    # The boundaries derive from the Message-ID: a resend differs only by its Date.
    first, second = parse(build_email(CONTENT, [])), parse(build_email(CONTENT, []))
    assert first.get_boundary() == second.get_boundary()
    other = parse(build_email(EmailContent(**{**CONTENT.__dict__, "message_id": "<x@y>"}), []))
    assert other.get_boundary() != first.get_boundary()


def test_a_line_break_in_a_name_starts_no_header_of_its_own() -> None:
    forged = EmailContent(**{**CONTENT.__dict__, "to_name": "Camille\r\nBcc: someone@else.example"})
    message = parse(build_email(forged, []))
    assert message["Bcc"] is None
    assert message["To"].addresses[0].addr_spec == "camille@lumiere.example"


def test_long_headers_are_folded_and_read_back_whole() -> None:
    subject = "A long subject that goes on " * 6
    raw = build_email(EmailContent(**{**CONTENT.__dict__, "subject": subject.strip()}), [])
    head = raw.split(b"\n\n", 1)[0]
    assert max(len(line) for line in head.split(b"\n")) <= 78
    assert parse(raw)["Subject"] == subject.strip()


def test_an_attachment_named_in_any_language_keeps_its_name() -> None:
    name = "Facture été « n° 7 ».pdf"
    message = parse(build_email(CONTENT, [(name, "application/pdf", b"%PDF")]))
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == name
    assert attachment.get_content() == b"%PDF"

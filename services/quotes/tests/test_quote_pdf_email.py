"""A quote sent with its PDF reaches the client's inbox with the PDF attached: the quotes
service renders and stores it in its own blob store, and the notifier reads it from there
(the attachment names that store) when it sends the email. On both backends: a local
folder per service embedded, one S3 bucket with a prefix per service distributed."""

from __future__ import annotations

import io
from collections.abc import Sequence

import pytest
from pypdf import PdfReader

from portico.kit.host import discover_services
from portico.kit.service import Service
from portico.kit.testing.services import RunningPortico
from portico.kit.testing.smtp import Mailbox, text_and_html
from portico.quotes.testing import contact, make_client, make_quote, send, simple_quote


@pytest.fixture
def portico_services() -> Sequence[Service]:
    # The notifier too: it is the one that emails the quote.
    return [s for s in discover_services() if s.name in {"portal", "quotes", "notifier"}]


@pytest.fixture
def portico_uses_s3() -> bool:
    return True


@pytest.mark.usefixtures("notifier_smtp")  # configured before the services start
async def test_a_quote_sent_with_its_pdf_arrives_with_the_pdf_attached(
    portico: RunningPortico, admin: dict[str, str], notifier_smtp: Mailbox
) -> None:
    camille = contact("Camille", "Durand", locale="en")
    client = await make_client(portico, admin, name="Atelier Lumière", contacts=[camille])
    quote = await make_quote(portico, admin, simple_quote(client, title="Website redesign"))

    sent = await send(portico, admin, quote, {"attach_pdf": True, "message": "Here it is."})
    assert sent.status_code == 200, sent.text
    number = sent.json()["number"]

    [email] = await notifier_smtp.wait_for(1, timeout=30)
    assert email["To"] == f"Camille Durand <{camille['email']}>"
    text, _ = text_and_html(email)
    assert "attached to this email as a PDF" in text
    [attachment] = list(email.iter_attachments())
    assert attachment.get_filename() == f"{number}.pdf"
    assert attachment.get_content_type() == "application/pdf"
    pdf = attachment.get_content()
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF-")
    printed = PdfReader(io.BytesIO(pdf)).pages[0].extract_text() or ""
    for expected in (number, "Website redesign", "Atelier Lumière", "Camille Durand"):
        assert expected in printed

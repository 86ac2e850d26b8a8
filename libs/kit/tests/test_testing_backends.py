"""The test backends themselves: what later services' tests will stand on."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest

from portico.kit.testing import backends
from portico.kit.testing.smtp import Mailbox


def test_the_smtp_server_receives_utf8_mail(smtp_server: Mailbox) -> None:
    message = EmailMessage()
    message["From"] = "Studio <bonjour@studio.example>"
    message["To"] = "camille@atelier.example"
    message["Subject"] = "Votre espace client est prêt"
    message.set_content("Bonjour Camille, voici votre lien.")
    message.add_alternative("<p>Bonjour Camille</p>", subtype="html")
    with smtplib.SMTP(smtp_server.host, smtp_server.port) as client:
        client.send_message(message)
    [received] = smtp_server.messages
    assert received["Subject"] == "Votre espace client est prêt"
    assert (
        received.get_body(("plain",)).get_content().strip() == "Bonjour Camille, voici votre lien."
    )


def test_a_missing_backend_fails_the_run_when_integration_is_required(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PORTICO_REQUIRE_INTEGRATION", "1")
    with pytest.raises(pytest.fail.Exception, match="integration backend required"):
        backends.unavailable("PostgreSQL is not there")
    monkeypatch.setenv("PORTICO_REQUIRE_INTEGRATION", "0")
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL is not there"):
        backends.unavailable("PostgreSQL is not there")

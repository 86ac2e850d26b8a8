"""A document sent by SMS and opened with a code texted to the signer, end to end: the
signing service asks, the notifier texts the link and the code through the SMS provider,
the signer types the code. A wrong code is refused, the right one opens the document, and
the certificate says how the signer was reached and identified."""

from __future__ import annotations

import re
from typing import Any

import pytest

from portico.contracts.events.portal import ClientCreated
from portico.kit.testing.polling import wait_until
from portico.kit.testing.services import RunningPortico
from portico.notifier.testing import FakeProvider
from portico.pdf.testing import pdftotext
from portico.signing.testing import (
    CLIENT_VALUES,
    FIELDS,
    SIGNING,
    SUBMISSIONS,
    make_template,
    replica_ready,
)

SIGN_LINK = re.compile(r"/sign/([A-Za-z0-9_-]{20,100})")
CODE = re.compile(r"^(\d{6}) ")


@pytest.fixture(autouse=True)
def no_resend_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTICO_SIGNING_IDENTITY_RESEND_SECONDS", "0")


async def texts(provider: FakeProvider, count: int) -> list[str]:
    """The bodies of the texts the provider received, once there are ``count``."""

    async def received() -> list[str] | None:
        bodies = [request.form["Body"] for request in provider.received]
        return bodies if len(bodies) >= count else None

    found: list[str] = await wait_until(received, 30)
    return found


@pytest.mark.usefixtures("sms_provider", "notifier_smtp")
async def test_the_code_texted_to_the_signer_opens_the_document_and_a_wrong_one_does_not(
    portico: RunningPortico, admin: dict[str, str], sms_provider: FakeProvider
) -> None:
    made = await portico.http.post(
        "/api/portal/v1/clients",
        json={
            "name": "Atelier Lumière",
            "contacts": [
                {
                    "first_name": "Inès",
                    "last_name": "Roy",
                    "email": "ines@lumiere.example",
                    "phone": "06 12 34 56 78",
                    "locale": "fr",
                }
            ],
        },
        headers=admin,
    )
    assert made.status_code == 201, made.text
    client: dict[str, Any] = made.json()
    await portico.events.wait_for(ClientCreated.event_type, subject=client["id"])
    template = await make_template(portico, [f for f in FIELDS if f["role"] == "Client"])
    await replica_ready(portico, template, client)

    sent = await portico.http.post(
        SUBMISSIONS,
        json={
            "template_id": template["id"],
            "client_id": client["id"],
            "recipients": [
                {"role": "Client", "contact_id": client["contacts"][0]["id"], "channel": "sms"}
            ],
            "identity_check": "sms_code",
        },
        headers=portico.headers("staff"),
    )
    assert sent.status_code == 201, sent.text
    submission_id = sent.json()["id"]

    [link_text] = await texts(sms_provider, 1)
    assert sms_provider.received[0].form["To"] == "+33612345678"
    found = SIGN_LINK.search(link_text)
    assert found, link_text
    token = found.group(1)

    closed = (await portico.http.get(f"{SIGNING}/{token}")).json()
    assert closed["identity"]["method"] == "sms_code"
    assert closed["identity"]["verified"] is False
    assert closed["identity"]["sent_to"].endswith("78")
    assert "12 34 56" not in closed["identity"]["sent_to"]
    assert closed["pages"] == [] and closed["fields"] == []

    asked = await portico.http.post(f"{SIGNING}/{token}/code", json={})
    assert asked.status_code == 200, asked.text
    code_text = (await texts(sms_provider, 2))[1]
    assert sms_provider.received[1].form["To"] == "+33612345678"
    code_found = CODE.match(code_text)
    assert code_found, code_text
    code = code_found.group(1)

    wrong = "000000" if code != "000000" else "111111"
    refused = await portico.http.post(f"{SIGNING}/{token}/code/check", json={"code": wrong})
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"][0]["field"] == "code"
    assert (await portico.http.get(f"{SIGNING}/{token}")).json()["pages"] == []

    opened = await portico.http.post(f"{SIGNING}/{token}/code/check", json={"code": code})
    assert opened.status_code == 200, opened.text
    assert opened.json()["identity"]["verified"] is True
    assert opened.json()["pages"] and opened.json()["fields"]

    values = CLIENT_VALUES | {"Signature": {"typed": "Inès Roy"}}
    submitted = await portico.http.post(f"{SIGNING}/{token}/submit", json={"values": values})
    assert submitted.status_code == 200, submitted.text

    async def completed() -> dict[str, Any] | None:
        found = await portico.http.get(
            f"{SUBMISSIONS}/{submission_id}", headers=portico.headers("staff")
        )
        view: dict[str, Any] = found.json()
        return view if view["completion"] == "done" else None

    done = await wait_until(completed, 60)
    actions = [event["action"] for event in done["trail"]]
    assert actions.count("identity_failed") == 1 and "identity_checked" in actions
    certificate = await portico.http.get(
        f"{SUBMISSIONS}/{submission_id}/certificate.pdf", headers=portico.headers("staff")
    )
    text = pdftotext(certificate.content)
    # The signer's language, French: reached by SMS, identified by a code sent by SMS.
    assert "Code envoyé par SMS" in text
    assert "+33612345678" in text or "06 12 34 56 78" in text

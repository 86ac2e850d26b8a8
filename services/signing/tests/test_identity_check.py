"""The identity check by a one-time code: the document stays closed until the code sent to
the signer's email is entered; wrong codes are counted (and kept, though refused), a code
is asked for no faster than the resend wait, every link proves it anew, and the trail and
the certificate record the check."""

from __future__ import annotations

from typing import Any

import pytest

from portico.contracts.events.signing import SigningCodeSent, SubmissionReminded
from portico.kit.testing.polling import wait_until
from portico.kit.testing.services import RunningPortico
from portico.pdf.testing import pdftotext
from portico.signing.testing import (
    CLIENT_VALUES,
    FIELDS,
    SIGNING,
    SUBMISSIONS,
    link_of,
    make_client,
    make_template,
    replica_ready,
    send_to,
)

EMBEDDED = pytest.mark.backends("embedded")
ONE_SIGNER = [f for f in FIELDS if f["role"] == "Client"]


@pytest.fixture(autouse=True)
def no_resend_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTICO_SIGNING_IDENTITY_RESEND_SECONDS", "0")


async def last_code(portico: RunningPortico, submission_id: str, count: int) -> str:
    """The code of the ``count``-th SigningCodeSent of the submission."""
    sent = await portico.events.wait_for(
        SigningCodeSent.event_type, subject=submission_id, count=count
    )
    return str(sent[count - 1].data["code"])


async def staff_view(portico: RunningPortico, submission_id: str) -> dict[str, Any]:
    found = await portico.http.get(
        f"{SUBMISSIONS}/{submission_id}", headers=portico.headers("staff")
    )
    result: dict[str, Any] = found.json()
    return result


@EMBEDDED
async def test_the_document_opens_only_with_the_code_sent_to_the_signer(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    template = await make_template(portico, ONE_SIGNER)
    await replica_ready(portico, template, client)

    # The contact has no phone: an SMS check is refused beside the recipient.
    by_sms = await send_to(portico, template, client, identity_check="sms_code")
    assert by_sms.status_code == 422
    assert by_sms.json()["errors"][0]["field"] == "recipients.0.phone"

    sent = await send_to(portico, template, client, identity_check="email_code")
    assert sent.status_code == 201, sent.text
    submission_id = sent.json()["id"]
    token = await link_of(portico, submission_id, "ines@lumiere.example")

    closed = (await portico.http.get(f"{SIGNING}/{token}")).json()
    assert closed["identity"] == {
        "method": "email_code",
        "verified": False,
        "sent_to": "i•••@lumiere.example",
        "code_sent": False,
    }
    assert closed["pages"] == [] and closed["fields"] == []
    preview = await portico.http.get(f"{SIGNING}/{token}/pages/0/preview")
    assert preview.status_code == 403
    assert preview.json()["code"] == "identity_required"
    draft = await portico.http.put(f"{SIGNING}/{token}/draft", json={"values": {}})
    assert draft.status_code == 403

    asked = await portico.http.post(f"{SIGNING}/{token}/code", json={})
    assert asked.status_code == 200, asked.text
    assert asked.json()["identity"]["code_sent"] is True
    code = await last_code(portico, submission_id, 1)
    [event] = portico.events.of_type(SigningCodeSent.event_type, subject=submission_id)
    assert event.data["submitter"]["email"] == "ines@lumiere.example"
    assert event.data["channel"] == "email"

    wrong = "000000" if code != "000000" else "111111"
    first = await portico.http.post(f"{SIGNING}/{token}/code/check", json={"code": wrong})
    assert first.status_code == 422
    assert first.headers["content-type"] == "application/problem+json"
    assert first.json()["errors"][0]["field"] == "code"
    assert first.json()["errors"][0]["params"] == {"left": 4}
    # The refusal was kept: the next wrong entry has one try less.
    second = await portico.http.post(f"{SIGNING}/{token}/code/check", json={"code": wrong})
    assert second.json()["errors"][0]["params"] == {"left": 3}

    opened = await portico.http.post(f"{SIGNING}/{token}/code/check", json={"code": code})
    assert opened.status_code == 200, opened.text
    document = opened.json()
    assert document["identity"]["verified"] is True
    assert len(document["pages"]) == 2 and document["fields"]
    assert (await portico.http.get(f"{SIGNING}/{token}")).json()["pages"]
    # A code opens once.
    again = await portico.http.post(f"{SIGNING}/{token}/code/check", json={"code": code})
    assert again.json()["errors"][0]["code"] == "no_code"

    # A reminder's link proves it anew.
    reminded = await portico.http.post(
        f"{SUBMISSIONS}/{submission_id}/remind", headers=portico.headers("staff")
    )
    assert reminded.status_code == 200, reminded.text
    [reminder] = await portico.events.wait_for(SubmissionReminded.event_type, subject=submission_id)
    fresh = str(reminder.data["signing_url"]).rsplit("/", 1)[1]
    assert (await portico.http.get(f"{SIGNING}/{fresh}")).json()["identity"]["verified"] is False

    values = CLIENT_VALUES | {"Signature": {"typed": "Inès Roy"}}
    submitted = await portico.http.post(f"{SIGNING}/{token}/submit", json={"values": values})
    assert submitted.status_code == 200, submitted.text

    async def completed() -> dict[str, Any] | None:
        found = await staff_view(portico, submission_id)
        return found if found["completion"] == "done" else None

    done = await wait_until(completed, 60)
    actions = [event["action"] for event in done["trail"]]
    assert actions.count("identity_failed") == 2
    assert "code_sent" in actions and "identity_checked" in actions
    certificate = await portico.http.get(
        f"{SUBMISSIONS}/{submission_id}/certificate.pdf", headers=portico.headers("staff")
    )
    text = pdftotext(certificate.content)
    assert "Identité vérifiée" in text or "Identity checked" in text


@EMBEDDED
async def test_too_many_wrong_codes_end_the_code(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    template = await make_template(portico, ONE_SIGNER)
    await replica_ready(portico, template, client)
    sent = await send_to(portico, template, client, identity_check="email_code")
    submission_id = sent.json()["id"]
    token = await link_of(portico, submission_id, "ines@lumiere.example")
    await portico.http.post(f"{SIGNING}/{token}/code", json={})
    code = await last_code(portico, submission_id, 1)
    wrong = "000000" if code != "000000" else "111111"
    answers = [
        (await portico.http.post(f"{SIGNING}/{token}/code/check", json={"code": wrong})).json()
        for _ in range(5)
    ]
    assert [a["errors"][0]["code"] for a in answers] == ["wrong_code"] * 4 + ["code_exhausted"]
    # The right code no longer works: a new one must be asked for.
    late = await portico.http.post(f"{SIGNING}/{token}/code/check", json={"code": code})
    assert late.status_code == 422
    await portico.http.post(f"{SIGNING}/{token}/code", json={})
    fresh = await last_code(portico, submission_id, 2)
    opened = await portico.http.post(f"{SIGNING}/{token}/code/check", json={"code": fresh})
    assert opened.status_code == 200


@EMBEDDED
async def test_codes_are_not_sent_faster_than_the_resend_wait(
    portico: RunningPortico, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTICO_SIGNING_IDENTITY_RESEND_SECONDS", "60")
    client = await make_client(portico, admin)
    template = await make_template(portico, ONE_SIGNER)
    await replica_ready(portico, template, client)
    sent = await send_to(portico, template, client, identity_check="email_code")
    token = await link_of(portico, sent.json()["id"], "ines@lumiere.example")
    assert (await portico.http.post(f"{SIGNING}/{token}/code", json={})).status_code == 200
    soon = await portico.http.post(f"{SIGNING}/{token}/code", json={})
    assert soon.status_code == 429
    assert 0 < int(soon.headers["retry-after"]) <= 61

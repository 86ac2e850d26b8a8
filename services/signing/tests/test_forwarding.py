"""A signer passes the request on, where the template allows it: the new person gets their
own link and signs, the forwarder's link stops working, and the trail says who passed it
to whom. The template also sets the identity check a send asks for by default."""

from __future__ import annotations

from typing import Any

import pytest

from portico.contracts.events.signing import SubmissionSent
from portico.kit.testing.polling import wait_until
from portico.kit.testing.services import RunningPortico
from portico.signing.testing import (
    CLIENT_VALUES,
    FIELDS,
    SIGNING,
    SUBMISSIONS,
    TEMPLATES,
    link_of,
    make_client,
    make_template,
    replica_ready,
    send_to,
)

EMBEDDED = pytest.mark.backends("embedded")
ONE_SIGNER = [f for f in FIELDS if f["role"] == "Client"]
PAUL = {"name": "Paul Martin", "email": "paul@lumiere.example", "locale": "fr"}


async def allow(portico: RunningPortico, template: dict[str, Any], **settings: Any) -> None:
    patched = await portico.http.patch(
        f"{TEMPLATES}/{template['id']}", json=settings, headers=portico.headers("staff")
    )
    assert patched.status_code == 200, patched.text
    for name, value in settings.items():
        assert patched.json()[name] == value


@EMBEDDED
async def test_a_signer_passes_the_document_on_and_the_new_person_signs_it(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    template = await make_template(portico, ONE_SIGNER)
    await replica_ready(portico, template, client)
    first = (await send_to(portico, template, client)).json()
    token = await link_of(portico, first["id"], "ines@lumiere.example")
    assert (await portico.http.get(f"{SIGNING}/{token}")).json()["allow_forwarding"] is False
    refused = await portico.http.post(f"{SIGNING}/{token}/forward", json=PAUL)
    assert refused.status_code == 403
    assert refused.json()["code"] == "forwarding_not_allowed"

    await allow(portico, template, allow_forwarding=True)
    submission = (await send_to(portico, template, client)).json()
    token = await link_of(portico, submission["id"], "ines@lumiere.example")
    assert (await portico.http.get(f"{SIGNING}/{token}")).json()["allow_forwarding"] is True
    to_self = await portico.http.post(
        f"{SIGNING}/{token}/forward", json=PAUL | {"email": "INES@lumiere.example"}
    )
    assert to_self.status_code == 422
    assert to_self.json()["errors"][0] == {
        "field": "email",
        "location": "body",
        "message": "This is your own address: name someone else.",
        "code": "same_person",
    }
    by_sms = await portico.http.post(
        f"{SIGNING}/{token}/forward", json={"name": "Paul Martin", "channel": "sms"}
    )
    assert by_sms.json()["errors"][0]["field"] == "phone"

    passed = await portico.http.post(
        f"{SIGNING}/{token}/forward", json=PAUL | {"reason": "Paul signs for the company."}
    )
    assert passed.status_code == 200, passed.text
    assert passed.json() == {"forwarded_to": "Paul Martin"}
    assert (await portico.http.get(f"{SIGNING}/{token}")).status_code == 410
    pauls = await link_of(portico, submission["id"], "paul@lumiere.example")
    document = (await portico.http.get(f"{SIGNING}/{pauls}")).json()
    assert document["submitter"]["name"] == "Paul Martin"
    assert document["may_act"] is True
    values = CLIENT_VALUES | {"Signature": {"typed": "Paul Martin"}}
    signed = await portico.http.post(f"{SIGNING}/{pauls}/submit", json={"values": values})
    assert signed.status_code == 200, signed.text

    async def completed() -> dict[str, Any] | None:
        found = await portico.http.get(
            f"{SUBMISSIONS}/{submission['id']}", headers=portico.headers("staff")
        )
        return found.json() if found.json()["completion"] == "done" else None

    done = await wait_until(completed, 60)
    [forwarded] = [event for event in done["trail"] if event["action"] == "forwarded"]
    assert forwarded["details"]["to"] == "Paul Martin <paul@lumiere.example>"
    assert forwarded["details"]["reason"] == "Paul signs for the company."
    assert [s["name"] for s in done["submitters"]] == ["Paul Martin"]
    sent_to = [
        e.data["submitter"]["email"]
        for e in portico.events.of_type(SubmissionSent.event_type, subject=submission["id"])
    ]
    assert sent_to == ["ines@lumiere.example", "paul@lumiere.example"]


@EMBEDDED
async def test_the_templates_identity_check_applies_unless_the_send_says_otherwise(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    template = await make_template(portico, ONE_SIGNER)
    await replica_ready(portico, template, client)
    await allow(portico, template, identity_check="email_code", allow_forwarding=True)
    checked = (await send_to(portico, template, client)).json()
    assert checked["identity_check"] == "email_code"
    token = await link_of(portico, checked["id"], "ines@lumiere.example")
    # Passing it on needs the identity proved first.
    forwarded = await portico.http.post(f"{SIGNING}/{token}/forward", json=PAUL)
    assert forwarded.status_code == 403
    assert forwarded.json()["code"] == "identity_required"
    unchecked = (await send_to(portico, template, client, identity_check="none")).json()
    assert unchecked["identity_check"] == "none"

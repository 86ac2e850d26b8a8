"""An approver approves without signing, after the signer, and a copy (CC) receives the
completed document: the submission completes once both who act have acted, the trail says
"approved", and the completed document's links go to everyone, the copy included."""

from __future__ import annotations

from typing import Any

import pytest

from portico.contracts.events.signing import DocumentCompleted, SubmissionSent
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
)

EMBEDDED = pytest.mark.backends("embedded")
ONE_SIGNER = [f for f in FIELDS if f["role"] == "Client"]


@EMBEDDED
async def test_an_approver_approves_after_the_signer_and_a_copy_gets_the_result(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    template = await make_template(portico, ONE_SIGNER)
    await portico.http.patch(
        f"{TEMPLATES}/{template['id']}",
        json={"roles": [{"name": "Client"}, {"name": "Manager"}], "ordered": True},
        headers=portico.headers("staff"),
    )
    await replica_ready(portico, template, client)
    sent = await portico.http.post(
        SUBMISSIONS,
        json={
            "template_id": template["id"],
            "client_id": client["id"],
            "recipients": [
                {"role": "Client", "contact_id": client["contacts"][0]["id"]},
                {
                    "role": "Manager",
                    "kind": "approver",
                    "name": "Hugo Petit",
                    "email": "hugo@lumiere.example",
                },
            ],
            "copies": [{"name": "Cabinet Comptable", "email": "compta@cabinet.example"}],
        },
        headers=portico.headers("staff"),
    )
    assert sent.status_code == 201, sent.text
    submission: dict[str, Any] = sent.json()
    kinds = [(s["role"], s["kind"], s["status"]) for s in submission["submitters"]]
    assert kinds == [
        ("Client", "signer", "sent"),
        ("Manager", "approver", "waiting"),
        ("Copy", "cc", "waiting"),
    ]

    signer = await link_of(portico, submission["id"], "ines@lumiere.example")
    values = CLIENT_VALUES | {"Signature": {"typed": "Inès Roy"}}
    signed = await portico.http.post(f"{SIGNING}/{signer}/submit", json={"values": values})
    assert signed.json()["status"] == "partially_signed"

    approver = await link_of(portico, submission["id"], "hugo@lumiere.example")
    document = (await portico.http.get(f"{SIGNING}/{approver}")).json()
    assert document["submitter"]["kind"] == "approver" and document["may_act"] is True
    assert not any(f["mine"] for f in document["fields"])
    approved = await portico.http.post(f"{SIGNING}/{approver}/submit", json={"values": {}})
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "completed"

    [completed] = await portico.events.wait_for(
        DocumentCompleted.event_type, subject=submission["id"], timeout=60
    )
    copies = {c["email"] for c in completed.data["submitters"]}
    assert copies == {"ines@lumiere.example", "hugo@lumiere.example", "compta@cabinet.example"}
    # The copy never had a link to sign.
    asked = {
        e.data["submitter"]["email"]
        for e in portico.events.of_type(SubmissionSent.event_type, subject=submission["id"])
    }
    assert asked == {"ines@lumiere.example", "hugo@lumiere.example"}
    detail = (
        await portico.http.get(
            f"{SUBMISSIONS}/{submission['id']}", headers=portico.headers("staff")
        )
    ).json()
    approvals = [e for e in detail["trail"] if e["action"] == "approved"]
    assert len(approvals) == 1 and "Hugo Petit" in (approvals[0]["actor"] or "")

"""Submissions through the API: a template sent to a client's contact and a staff member,
filled and signed through their links in turn, completed into a sealed PDF with its
certificate; and what is refused along the way."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from portico.contracts.envelope import Envelope
from portico.contracts.events.portal import ClientJoined
from portico.contracts.events.signing import (
    DocumentCompleted,
    SubmissionDeclined,
    SubmissionViewed,
)
from portico.kit.testing.polling import wait_until
from portico.kit.testing.services import RunningPortico
from portico.pdf.testing import pdftotext
from portico.pdf.trail import first_broken
from portico.pdf.verify import verify_pdf
from portico.signing.testing import (
    CLIENT_VALUES,
    FIELDS,
    SIGNING,
    SUBMISSIONS,
    TEMPLATES,
    drawn_signature,
    link_of,
    make_client,
    make_template,
    pdf_document,
    replica_ready,
    send_to,
    sent_and_ready,
    upload,
)

EMBEDDED = pytest.mark.backends("embedded")


async def test_a_two_signer_document_is_filled_signed_in_turn_and_completed_sealed(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    _, submission, token = await sent_and_ready(portico, admin)
    assert submission["status"] == "sent"
    assert [s["status"] for s in submission["submitters"]] == ["sent", "waiting"]

    opened = await portico.http.get(
        f"{SIGNING}/{token}",
        params={"time_zone": "Europe/Paris"},
        headers={"User-Agent": "Phone browser"},
    )
    assert opened.status_code == 200, opened.text
    document = opened.json()
    assert document["may_act"] is True and document["status"] == "opened"
    mine = {f["spec"]["name"] for f in document["fields"] if f["mine"]}
    assert "Countersignature" not in mine and "Signature" in mine
    prefilled = next(f for f in document["fields"] if f["spec"]["name"] == "Company")
    assert prefilled["value"] == "Atelier Lumière"
    await portico.events.wait_for(SubmissionViewed.event_type, subject=submission["id"])
    page = await portico.http.get(document["pages"][0]["preview_path"].removeprefix(""))
    assert page.status_code == 200 and page.headers["content-type"] == "image/webp"

    draft = await portico.http.put(f"{SIGNING}/{token}/draft", json={"values": {"City": "Lyon"}})
    assert draft.status_code == 204, draft.text
    again = (await portico.http.get(f"{SIGNING}/{token}")).json()
    assert next(f for f in again["fields"] if f["spec"]["name"] == "City")["value"] == "Lyon"

    submitted = await portico.http.post(
        f"{SIGNING}/{token}/submit",
        json={
            "values": CLIENT_VALUES | {"Signature": {"image": drawn_signature()}},
            "time_zone": "Europe/Paris",
        },
    )
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "partially_signed"

    company = await link_of(portico, submission["id"], "lea@studio.example")
    countersigned = await portico.http.post(
        f"{SIGNING}/{company}/submit",
        json={"values": {"Countersignature": {"typed": "Léa Bernard"}}, "time_zone": "UTC"},
    )
    assert countersigned.status_code == 200, countersigned.text
    assert countersigned.json()["status"] == "completed"

    [completed] = await portico.events.wait_for(
        DocumentCompleted.event_type, subject=submission["id"], timeout=60
    )
    assert completed.data["mapped_fields"] == [
        {"target": "client.address.city", "contact_id": None, "value": "Lyon"}
    ]
    copies = {c["email"]: c["copy_url"] for c in completed.data["submitters"]}
    assert set(copies) == {"ines@lumiere.example", "lea@studio.example"}

    staff = portico.headers("staff")
    pdf = await portico.http.get(f"{SUBMISSIONS}/{submission['id']}/completed.pdf", headers=staff)
    assert pdf.status_code == 200
    text = pdftotext(pdf.content)
    for value in ("Atelier Lumière", "Lyon", "37,5", "PO-4471", "Pro", "Léa Bernard"):
        assert value in text, value
    # The formula's result, not what was posted, on the stamped page (the certificate's
    # trail prints digests, in which any digits may appear).
    assert "999" not in pdftotext(pdf.content, page=0)
    report = await asyncio.to_thread(verify_pdf, pdf.content)
    assert report.sealed and report.intact and report.valid and not report.modified_after_seal

    detail = (await portico.http.get(f"{SUBMISSIONS}/{submission['id']}", headers=staff)).json()
    assert detail["completion"] == "done"
    assert detail["completed_sha256"] == completed.data["completed_pdf_sha256"]
    actions = [event["action"] for event in detail["trail"]]
    for action in (
        "created",
        "sent",
        "viewed",
        "field_completed",
        "signed",
        "submitted",
        "document_sealed",
    ):
        assert action in actions, action
    viewed = next(event for event in detail["trail"] if event["action"] == "viewed")
    assert viewed["user_agent"] == "Phone browser" and viewed["time_zone"] == "Europe/Paris"
    # The certificate prints the chain's head as it was when it was made.
    certificate = await portico.http.get(
        f"{SUBMISSIONS}/{submission['id']}/certificate.pdf", headers=staff
    )
    printed = pdftotext(certificate.content).replace("\n", "")
    sealed_at = actions.index("document_sealed")
    assert detail["trail"][sealed_at - 1]["digest"] in printed.replace(" ", "")
    for value in ("Inès Roy", "ines@lumiere.example", "Léa Bernard", str(submission["id"])):
        assert value in pdftotext(certificate.content), value

    copy_token = copies["ines@lumiere.example"].rsplit("/", 1)[1]
    copy = await portico.http.get(f"{SIGNING}/{copy_token}/completed.pdf")
    assert copy.status_code == 200 and copy.content == pdf.content
    # A copy link opens nothing else.
    assert (await portico.http.get(f"{SIGNING}/{copy_token}")).status_code == 404


@EMBEDDED
async def test_the_trail_is_a_chain_that_a_change_breaks(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    from portico.pdf.trail import TrailEntry

    _, submission, token = await sent_and_ready(portico, admin)
    await portico.http.get(f"{SIGNING}/{token}")
    detail = (
        await portico.http.get(
            f"{SUBMISSIONS}/{submission['id']}", headers=portico.headers("staff")
        )
    ).json()
    entries = [
        TrailEntry(
            at=datetime.fromisoformat(e["at"]),
            action=e["action"],
            actor=e["actor"],
            ip=e["ip"],
            user_agent=e["user_agent"],
            time_zone=e["time_zone"],
            details=e["details"],
        )
        for e in detail["trail"]
    ]
    digests = [e["digest"] for e in detail["trail"]]
    assert len(entries) >= 3 and first_broken(entries, digests) is None
    entries[1] = TrailEntry(**{**vars(entries[1]), "ip": "198.51.100.9"})
    assert first_broken(entries, digests) == 1


@EMBEDDED
async def test_the_second_signer_waits_for_the_first(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    template = await make_template(portico, ordered=False)
    await replica_ready(portico, template, client)
    # Unordered: both links go out at once.
    submission = (await send_to(portico, template, client)).json()
    assert [s["status"] for s in submission["submitters"]] == ["sent", "sent"]
    ordered = await make_template(portico)
    submission = (await send_to(portico, ordered, client)).json()
    # Ordered: the company's link does not exist yet, so it cannot act; its turn comes.
    assert [s["status"] for s in submission["submitters"]] == ["sent", "waiting"]


@EMBEDDED
async def test_values_are_checked_again_by_the_server_naming_the_field(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    _, submission, token = await sent_and_ready(portico, admin)
    await portico.http.put(f"{SIGNING}/{token}/draft", json={"values": {"City": "Lyon"}})
    cases = [
        ({"Quantity": 500}, "values.Quantity", "too_large"),
        ({"Quantity": "many"}, "values.Quantity", "number_type"),
        ({"Plan": "Gold"}, "values.Plan", "not_an_option"),
        ({"Countersignature": {"typed": "X"}}, "values.Countersignature", "unknown_field"),
        (
            {"Signature": {"image": "data:image/png;base64,AAAA"}},
            "values.Signature",
            "unsupported_type",
        ),
    ]
    for values, where, code in cases:
        response = await portico.http.put(f"{SIGNING}/{token}/draft", json={"values": values})
        assert response.status_code == 422, values
        assert response.headers["content-type"] == "application/problem+json"
        errors = response.json()["errors"]
        assert any(e["field"] == where and e["code"] == code for e in errors), errors
    # Submitting without the required fields names each.
    missing = await portico.http.post(
        f"{SIGNING}/{token}/submit", json={"values": {"City": "Lyon"}}
    )
    assert missing.status_code == 422
    named = {e["field"] for e in missing.json()["errors"] if e["code"] == "missing"}
    assert named == {"values.Agree", "values.Signature"}
    # A hidden field's value is dropped: PO number shows only for the Pro plan.
    saved = await portico.http.put(
        f"{SIGNING}/{token}/draft",
        json={"values": {"City": "Lyon", "Plan": "Basic", "PO number": "PO-1"}},
    )
    assert saved.status_code == 204
    fields = (await portico.http.get(f"{SIGNING}/{token}")).json()["fields"]
    values = {f["spec"]["name"]: f["value"] for f in fields}
    assert values["City"] == "Lyon" and values["Plan"] == "Basic" and values["PO number"] is None
    # Nothing refused was lost.
    assert submission["id"]


@EMBEDDED
async def test_a_declined_document_tells_the_sender_why_and_closes(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    _, submission, token = await sent_and_ready(portico, admin)
    declined = await portico.http.post(
        f"{SIGNING}/{token}/decline", json={"reason": "Le montant est erroné."}
    )
    assert declined.status_code == 200, declined.text
    assert declined.json()["status"] == "declined"
    [event] = await portico.events.wait_for(SubmissionDeclined.event_type, subject=submission["id"])
    assert event.data["reason"] == "Le montant est erroné."
    assert event.data["submission_url"].endswith(f"/smart-documents/submissions/{submission['id']}")
    again = await portico.http.post(f"{SIGNING}/{token}/submit", json={"values": {}})
    assert again.status_code == 409
    listed = await portico.http.get(
        SUBMISSIONS, params={"status": "declined"}, headers=portico.headers("staff")
    )
    assert [s["id"] for s in listed.json()["items"]] == [submission["id"]]


@EMBEDDED
async def test_a_link_opens_its_own_document_only_and_staff_endpoints_need_staff(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    _, submission, token = await sent_and_ready(portico, admin)
    assert (await portico.http.get(f"{SIGNING}/{'x' * 43}")).status_code == 404
    assert (await portico.http.get(f"{SIGNING}/{token}/pages/5/preview")).status_code == 404
    client = portico.headers("client", client_id=uuid.uuid4())
    assert (await portico.http.get(SUBMISSIONS, headers=client)).status_code == 403
    assert (await portico.http.get(SUBMISSIONS)).status_code == 401
    cancelled = await portico.http.post(
        f"{SUBMISSIONS}/{submission['id']}/cancel", headers=portico.headers("staff")
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    closed = await portico.http.post(f"{SIGNING}/{token}/submit", json={"values": {}})
    assert closed.status_code == 409


@EMBEDDED
async def test_sending_is_refused_while_the_template_has_no_field_to_fill(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    template = (await upload(portico, pdf_document(1), "empty.pdf")).json()
    refused = await send_to(portico, template, client)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "template_id"
    assert refused.json()["errors"][0]["code"] == "not_sendable"
    filled = await make_template(portico)
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    refused = await send_to(portico, filled, client, expires_at=past)
    assert {e["field"] for e in refused.json()["errors"]} >= {"expires_at"}


@EMBEDDED
async def test_a_template_for_every_new_client_is_sent_once_when_a_contact_joins(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    onboarding = await make_template(portico, [f for f in FIELDS if f["role"] == "Client"])
    await portico.http.patch(
        f"{TEMPLATES}/{onboarding['id']}",
        json={"auto_assign": True},
        headers=portico.headers("staff"),
    )
    await replica_ready(portico, onboarding, client)
    contact_id = client["contacts"][0]["id"]
    joined = Envelope.wrap(
        ClientJoined(
            client_id=client["id"],
            contact_id=contact_id,
            account_id=uuid.uuid4(),
            joined_at=datetime.now(UTC),
        ),
        source="portal",
    )
    # Delivered twice, and a second join of the same contact: one document.
    await portico.host.bus.publish([joined])
    await portico.host.bus.publish([joined])
    await portico.host.bus.publish(
        [
            Envelope.wrap(
                ClientJoined(**{**joined.data, "account_id": uuid.uuid4()}), source="portal"
            )
        ]
    )

    async def sent_once() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = (
            await portico.http.get(
                SUBMISSIONS,
                params={"client_id": client["id"], "template_id": onboarding["id"]},
                headers=portico.headers("staff"),
            )
        ).json()["items"]
        return items

    [submission] = await wait_until(sent_once)
    await asyncio.sleep(0.5)
    assert len(await sent_once()) == 1
    assert submission["submitters"][0]["email"] == "ines@lumiere.example"


@EMBEDDED
async def test_a_contact_finds_their_documents_in_the_portal_and_no_one_elses(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client, submission, _ = await sent_and_ready(portico, admin)
    contact_id = client["contacts"][0]["id"]
    mine = portico.headers("client", client_id=client["id"], contact_id=contact_id)
    [document] = (await portico.http.get("/api/signing/v1/my-documents", headers=mine)).json()
    assert document["submission_id"] == submission["id"] and document["to_sign"] is True
    link = await portico.http.post(
        f"/api/signing/v1/my-documents/{submission['id']}/link", headers=mine
    )
    assert link.status_code == 200
    opened = await portico.http.get(f"{SIGNING}/{link.json()['token']}")
    assert opened.json()["submitter"]["email"] == "ines@lumiere.example"

    # Another client's contact, and another contact of the same client, see nothing.
    for other in (
        portico.headers("client", client_id=uuid.uuid4(), contact_id=contact_id),
        portico.headers("client", client_id=client["id"], contact_id=uuid.uuid4()),
    ):
        assert (await portico.http.get("/api/signing/v1/my-documents", headers=other)).json() == []
        refused = await portico.http.post(
            f"/api/signing/v1/my-documents/{submission['id']}/link", headers=other
        )
        assert refused.status_code == 404
        download = await portico.http.get(
            f"/api/signing/v1/my-documents/{submission['id']}/completed.pdf", headers=other
        )
        assert download.status_code == 404
    staff = portico.headers("staff")
    assert (
        await portico.http.get("/api/signing/v1/my-documents", headers=staff)
    ).status_code == 403

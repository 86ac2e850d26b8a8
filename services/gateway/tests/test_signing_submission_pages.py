"""Sending a smart document from its page and following it: the send form (a client's
contact, the staff member for the company), refusals beside their inputs, the list of sent
documents with its filters, a submission's page with its trail, reminders and cancelling."""

from __future__ import annotations

import asyncio
import html
import io
import re
import time
from typing import Any

import pytest
from pypdf import PdfWriter

from portico.contracts.events.signing import SubmissionReminded, SubmissionSent
from portico.gateway.testing import Accounts, Site
from portico.kit.testing.services import RunningPortico
from portico.pdf import create_seal_key

API = "/api/signing/v1"
EMBEDDED = pytest.mark.backends("embedded")
SUBMISSION = re.compile(r"^/smart-documents/submissions/([0-9a-f-]{36})$")


def place(name: str, type_: str, role: str, y: float) -> dict[str, Any]:
    return {
        "name": name,
        "type": type_,
        "role": role,
        "page": 0,
        "x": 0.1,
        "y": y,
        "w": 0.3,
        "h": 0.05,
    }


async def sendable_template(portico: RunningPortico) -> dict[str, Any]:
    headers = portico.headers("admin")
    made = await portico.http.post(
        f"{API}/blank-templates", json={"name": "Engagement letter", "pages": 1}, headers=headers
    )
    template = made.json()
    await portico.http.patch(
        f"{API}/templates/{template['id']}",
        json={"roles": [{"name": "Client"}, {"name": "Company"}], "ordered": True},
        headers=headers,
    )
    saved = await portico.http.put(
        f"{API}/templates/{template['id']}/fields",
        json={
            "fields": [
                place("City", "text", "Client", 0.2) | {"prefill": "{{client.name}}"},
                place("Signature", "signature", "Client", 0.4),
                place("Countersignature", "signature", "Company", 0.6),
            ]
        },
        headers=headers,
    )
    assert saved.status_code == 200, saved.text
    return dict(saved.json())


async def replica_has(portico: RunningPortico, template_id: str, client_id: str) -> None:
    """The signing service has the client (its City field's prefill names the client)."""
    deadline = time.monotonic() + 30
    while True:
        found = await portico.http.get(
            f"{API}/templates/{template_id}/prefills",
            params={"client_id": client_id},
            headers=portico.headers("admin"),
        )
        if found.json().get("City"):
            return
        assert time.monotonic() < deadline, "the signing service never heard of the client"
        await asyncio.sleep(0.05)


def field_error(page: Any, name: str) -> str:
    found = re.search(rf'<p class="field-error" id="error-{name}"[^>]*>([^<]*)</p>', page.text)
    assert found, f"no error beside {name}"
    return html.unescape(found.group(1))


@EMBEDDED
async def test_staff_send_a_document_to_a_clients_contact_and_follow_it(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    staff = await accounts.staff("staff")
    await site.log_in(staff["email"])
    client = await accounts.client_with_contact()
    contact = client["contacts"][0]
    template = await sendable_template(portico)
    await replica_has(portico, template["id"], client["id"])

    page = await site.get(f"/smart-documents/{template['id']}")
    assert f'href="/smart-documents/{template["id"]}/send"' in page.text
    search = await site.get(f"/smart-documents/{template['id']}/send", params={"q": "Lumière"})
    assert f"send?client_id={client['id']}" in search.text
    form = await site.get(f"/smart-documents/{template['id']}/send?client_id={client['id']}")
    assert form.status_code == 200
    assert f'value="contact:{contact["id"]}" selected' in form.text

    # Someone else without an email is refused beside the input; nothing is sent.
    refused = await site.post(
        f"/smart-documents/{template['id']}/send",
        {
            "client_id": client["id"],
            "role0": "other",
            "name0": "Paul",
            "channel0": "email",
            "role1": "me",
            "channel1": "email",
        },
    )
    assert refused.status_code == 422
    assert field_error(refused, "email0") == "This field is required."
    assert not portico.events.of_type(SubmissionSent.event_type)
    # A check by SMS needs the contact's mobile phone, which they have not given.
    no_phone = await site.post(
        f"/smart-documents/{template['id']}/send",
        {
            "client_id": client["id"],
            "role0": f"contact:{contact['id']}",
            "channel0": "email",
            "role1": "me",
            "channel1": "email",
            "identity_check": "sms_code",
        },
    )
    assert no_phone.status_code == 422
    assert "mobile phone" in field_error(no_phone, "phone0")

    sent = await site.post(
        f"/smart-documents/{template['id']}/send",
        {
            "client_id": client["id"],
            "role0": f"contact:{contact['id']}",
            "channel0": "email",
            "role1": "me",
            "channel1": "email",
            "message": "Merci !",
            "expires_on": "2099-01-31",
            "identity_check": "email_code",
        },
    )
    assert sent.status_code == 303
    found = SUBMISSION.match(sent.headers["location"])
    assert found
    submission_id = found.group(1)
    [event] = await portico.events.wait_for(SubmissionSent.event_type, subject=submission_id)
    assert event.data["submitter"]["email"] == contact["email"]
    assert event.data["message"] == "Merci !"

    detail = await site.follow(sent)
    assert "The document is sent." in detail.text
    assert "Engagement letter" in detail.text
    assert "Camille Durand" in detail.text and "Léa Martin" in detail.text
    assert "Waiting for their turn" in detail.text
    assert "Identity checked by a code sent by email" in detail.text
    assert "Link sent" in detail.text  # the trail

    # The client's page holds a card of what was sent to them.
    client_page = await site.get(f"/clients/{client['id']}")
    panel_url = f"/smart-documents/clients/{client['id']}/panel"
    assert f'hx-get="{panel_url}"' in client_page.text
    panel = await site.get(panel_url, headers={"HX-Request": "true"})
    assert f'href="/smart-documents/submissions/{submission_id}"' in panel.text
    assert "Engagement letter" in panel.text
    assert (await site.get("/smart-documents/clients/nope/panel")).status_code == 404

    listed = await site.get("/smart-documents/submissions", params={"status": "sent"})
    assert f'href="/smart-documents/submissions/{submission_id}"' in listed.text
    none = await site.get("/smart-documents/submissions", params={"status": "completed"})
    assert "No sent document matches" in none.text
    for params in ({"status": "nope"}, {"sent_from": "yesterday"}, {"offset": "-1"}):
        assert (await site.get("/smart-documents/submissions", params=params)).status_code == 200

    reminded = await site.post(f"/smart-documents/submissions/{submission_id}/remind", {})
    assert reminded.status_code == 303
    await portico.events.wait_for(SubmissionReminded.event_type, subject=submission_id)
    cancelled = await site.follow(
        await site.post(f"/smart-documents/submissions/{submission_id}/cancel", {})
    )
    assert "its links no longer work" in cancelled.text
    assert "Cancelled" in cancelled.text
    again = await site.follow(
        await site.post(f"/smart-documents/submissions/{submission_id}/remind", {})
    )
    assert "no one to remind" in again.text
    assert (await site.get("/smart-documents/submissions/not-an-id")).status_code == 404


async def client_only_template(portico: RunningPortico) -> dict[str, Any]:
    headers = portico.headers("admin")
    made = await portico.http.post(
        f"{API}/blank-templates",
        json={"name": "Mandat de prélèvement", "pages": 1},
        headers=headers,
    )
    template = made.json()
    saved = await portico.http.put(
        f"{API}/templates/{template['id']}/fields",
        json={
            "fields": [
                place("City", "text", "Client", 0.2) | {"prefill": "{{client.name}}"},
                place("Signature", "signature", "Client", 0.4),
            ]
        },
        headers=headers,
    )
    assert saved.status_code == 200, saved.text
    return dict(saved.json())


@EMBEDDED
async def test_a_client_finds_the_documents_addressed_to_them_and_no_one_elses(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    template = await client_only_template(portico)
    mine = await accounts.client_with_contact("Atelier Lumière")
    other = await accounts.client_with_contact("Maison Voisine")
    for client in (mine, other):
        await replica_has(portico, template["id"], client["id"])
    await site.log_in(await accounts.client_account(mine))
    neighbour = Site(portico)
    await neighbour.log_in(await accounts.client_account(other))

    # The section exists only once something is addressed to them.
    assert 'href="/portal/documents"' not in (await site.get("/portal")).text
    sent = await portico.http.post(
        f"{API}/submissions",
        json={
            "template_id": template["id"],
            "client_id": mine["id"],
            "recipients": [{"role": "Client", "contact_id": mine["contacts"][0]["id"]}],
        },
        headers=portico.headers("staff"),
    )
    assert sent.status_code == 201, sent.text
    submission_id = sent.json()["id"]
    assert 'href="/portal/documents"' in (await site.get("/portal")).text
    listed = await site.get("/portal/documents")
    assert "Mandat de prélèvement" in listed.text and "Open and sign" in listed.text

    opened = await site.post(f"/portal/documents/{submission_id}/sign", {})
    assert opened.status_code == 303
    token = opened.headers["location"].removeprefix("/sign/")
    document = await portico.http.get(f"{API}/signing/{token}")
    assert document.status_code == 200, document.text
    assert document.json()["submitter"]["email"] == mine["contacts"][0]["email"]
    early = await site.get(f"/portal/documents/{submission_id}/completed.pdf")
    assert early.status_code == 404

    # The neighbouring client's contact sees no entry, no document, and opens nothing.
    assert 'href="/portal/documents"' not in (await neighbour.get("/portal")).text
    assert "Mandat" not in (await neighbour.get("/portal/documents")).text
    refused = await neighbour.post(f"/portal/documents/{submission_id}/sign", {})
    assert refused.status_code == 404
    theirs = await neighbour.get(f"/portal/documents/{submission_id}/completed.pdf")
    assert theirs.status_code == 404
    await neighbour.close()

    signed = await portico.http.post(
        f"{API}/signing/{token}/submit",
        json={"values": {"City": "Lyon", "Signature": {"typed": "Camille Durand"}}},
    )
    assert signed.status_code == 200, signed.text
    deadline = time.monotonic() + 60
    while True:
        state = await portico.http.get(
            f"{API}/submissions/{submission_id}", headers=portico.headers("staff")
        )
        if state.json()["completion"] == "done":
            break
        assert time.monotonic() < deadline, state.json()
        await asyncio.sleep(0.1)
    done = await site.get("/portal/documents")
    assert "Nothing to sign" in done.text
    assert f'href="/portal/documents/{submission_id}/completed.pdf"' in done.text
    pdf = await site.get(f"/portal/documents/{submission_id}/completed.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert "Mandat de pr" in pdf.headers["content-disposition"]

    # Anyone checks the completed PDF on the public page the certificate links to.
    visitor = Site(portico)
    await visitor.get("/verify")
    genuine = await visitor.post(
        "/verify", files={"file": ("signed.pdf", pdf.content, "application/pdf")}
    )
    assert genuine.status_code == 200, genuine.text[:2000]
    assert "Authentic and unchanged" in genuine.text
    assert "Camille Durand" in genuine.text
    foreign = await visitor.post(
        "/verify", files={"file": ("other.pdf", blank_pdf(), "application/pdf")}
    )
    assert "Not a document completed here" in foreign.text
    not_pdf = await visitor.post("/verify", files={"file": ("notes.txt", b"hello", "text/plain")})
    assert not_pdf.status_code == 422
    assert "PDF" in field_error(not_pdf, "file")
    # The API behind it takes an anonymous upload through the gateway too.
    api = await visitor.http.post(
        f"{API}/verify", files={"file": ("signed.pdf", pdf.content, "application/pdf")}
    )
    assert api.status_code == 200 and api.json()["verdict"] == "genuine"
    await visitor.close()


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@EMBEDDED
async def test_an_admin_sees_the_seal_and_uploads_the_organisations_own(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    staff = Site(portico)
    await staff.log_in((await accounts.staff("staff"))["email"])
    assert (await staff.get("/settings/seal")).status_code == 404
    await staff.close()

    await site.log_in((await accounts.staff("admin"))["email"])
    page = await site.get("/settings/seal")
    assert page.status_code == 200
    assert "Portico" in page.text and 'href="/settings/seal"' in page.text
    p12 = await asyncio.to_thread(create_seal_key, "Studio Lumière", password=b"s3cret pass")
    wrong = await site.post(
        "/settings/seal",
        {"password": "guess"},
        files={"file": ("seal.p12", p12, "application/x-pkcs12")},
    )
    assert wrong.status_code == 422
    assert field_error(wrong, "password")
    done = await site.post(
        "/settings/seal",
        {"password": "s3cret pass"},
        files={"file": ("seal.p12", p12, "application/x-pkcs12")},
    )
    assert done.status_code == 303
    shown = await site.follow(done)
    assert "Studio Lumière" in shown.text
    assert "The new seal is in use" in shown.text


@EMBEDDED
async def test_an_admin_sets_the_reminder_schedule_and_a_wrong_day_is_refused_beside_it(
    site: Site, accounts: Accounts, portico: RunningPortico
) -> None:
    staff = Site(portico)
    await staff.log_in((await accounts.staff("staff"))["email"])
    assert (await staff.get("/settings/reminders")).status_code == 404
    await staff.close()

    await site.log_in((await accounts.staff("admin", locale="fr"))["email"])
    page = await site.get("/settings/reminders")
    assert page.status_code == 200
    assert "<h1>Relances de signature</h1>" in page.text
    assert 'href="/settings/reminders"' in page.text
    assert 'value="3, 7"' in page.text and 'value="2"' in page.text

    not_numbers = await site.post(
        "/settings/reminders", {"reminder_days": "trois", "last_call_days": "2"}
    )
    assert not_numbers.status_code == 422
    assert field_error(not_numbers, "reminder_days")
    too_late = await site.post(
        "/settings/reminders", {"reminder_days": "1, 400", "last_call_days": "2"}
    )
    assert too_late.status_code == 422
    assert field_error(too_late, "reminder_days")
    assert 'value="1, 400"' in too_late.text
    assert (await site.get("/settings/reminders")).text.count('value="3, 7"') == 1

    saved = await site.post("/settings/reminders", {"reminder_days": "5 2", "last_call_days": "1"})
    assert saved.status_code == 303
    shown = await site.follow(saved)
    assert 'value="2, 5"' in shown.text and 'value="1"' in shown.text
    kept = await portico.http.get(f"{API}/reminder-settings", headers=portico.headers("admin"))
    assert kept.json()["reminder_days"] == [2, 5] and kept.json()["last_call_days"] == 1

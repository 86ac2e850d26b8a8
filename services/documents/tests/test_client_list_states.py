"""The portal's client list knows where each client stands for their documents, from the
documents service's ClientDocumentStates: a "documents complete" column and filters by a
type's state ("who has not given their ID card"), kept as things change (uploads, reviews,
a new type, new tags, an expiry), never computed per row. A stale or redelivered picture
changes nothing."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from portico.contracts import Envelope
from portico.contracts.events.documents import ClientDocumentStates, DocumentState
from portico.documents.expiry import ANNOUNCE_EXPIRED, announce_expired
from portico.documents.models import ClientDocument
from portico.documents.testing import (
    DOCUMENTS,
    ID_CARD,
    KBIS,
    contact_headers,
    make_client,
    make_type,
    pdf_file,
    upload,
)
from portico.kit.db import utcnow
from portico.kit.jobs import Job
from portico.kit.testing.services import RunningPortico

CLIENTS = "/api/portal/v1/clients"
MINE = f"{DOCUMENTS}/my-documents"


async def listed(portico: RunningPortico, admin: dict[str, str], **filters: Any) -> set[str]:
    answer = await portico.http.get(CLIENTS, params={"limit": 100, **filters}, headers=admin)
    assert answer.status_code == 200, answer.text
    return {client["name"] for client in answer.json()["items"]}


async def eventually(
    portico: RunningPortico, admin: dict[str, str], expected: set[str], **filters: Any
) -> None:
    """The list with these filters comes to name exactly ``expected`` (events travel)."""
    deadline = time.monotonic() + 30
    while (found := await listed(portico, admin, **filters)) != expected:
        assert time.monotonic() < deadline, f"{filters}: {found} never became {expected}"
        await asyncio.sleep(0.05)


async def complete_column(portico: RunningPortico, admin: dict[str, str], client_id: str) -> Any:
    answer = await portico.http.get(f"{CLIENTS}/{client_id}", headers=admin)
    return answer.json()["documents_complete"]


async def run_expiry_announcements(portico: RunningPortico) -> None:
    jobs = portico.runtime("documents").jobs
    assert jobs is not None
    job = Job(
        id=str(uuid.uuid4()),
        kind=ANNOUNCE_EXPIRED,
        payload={},
        tries=1,
        is_last_try=False,
        run_at=utcnow(),
    )
    await announce_expired(jobs.context, job)


async def test_the_client_list_filters_by_a_types_state_and_shows_completeness(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    await portico.http.put(f"{DOCUMENTS}/section", json={"review": True}, headers=admin)
    company = await make_client(portico, admin, name="Atelier Lumière", tags=["company"])
    person = await make_client(portico, admin, name="Inès Roy")
    id_card = await make_type(portico, admin, ID_CARD)
    # A new type is announced for every client: both lack the ID card.
    await eventually(
        portico,
        admin,
        {"Atelier Lumière", "Inès Roy"},
        document_type_id=id_card["id"],
        document_state="missing",
    )
    kbis = await make_type(portico, admin, KBIS)
    # The Kbis is asked of companies only: the other client is not listed for it at all.
    await eventually(portico, admin, {"Atelier Lumière"}, document_type_id=kbis["id"])
    assert await listed(portico, admin, documents_complete="false") == {
        "Atelier Lumière",
        "Inès Roy",
    }

    # The person gives their ID card: in review, then accepted and complete.
    valid = (utcnow().date() + timedelta(days=400)).isoformat()
    given = await upload(
        portico,
        MINE,
        contact_headers(portico, person),
        id_card,
        pdf_file(),
        data={"number": "X4", "valid_until": valid},
    )
    assert given.status_code == 201, given.text
    await eventually(
        portico, admin, {"Inès Roy"}, document_type_id=id_card["id"], document_state="in_review"
    )
    await eventually(
        portico,
        admin,
        {"Atelier Lumière"},
        document_type_id=id_card["id"],
        document_state="missing",
    )
    accepted = await portico.http.post(
        f"{DOCUMENTS}/clients/{person['id']}/documents/{given.json()['id']}/review",
        json={"decision": "accepted"},
        headers=admin,
    )
    assert accepted.status_code == 200, accepted.text
    await eventually(portico, admin, {"Inès Roy"}, documents_complete="true")
    assert await complete_column(portico, admin, person["id"]) is True
    assert await complete_column(portico, admin, company["id"]) is False

    # The person becomes a company: the Kbis now applies, and they are no longer complete.
    retagged = await portico.http.patch(
        f"{CLIENTS}/{person['id']}", json={"tags": ["company"]}, headers=admin
    )
    assert retagged.status_code == 200, retagged.text
    await eventually(
        portico,
        admin,
        {"Atelier Lumière", "Inès Roy"},
        document_type_id=kbis["id"],
        document_state="missing",
    )
    assert await complete_column(portico, admin, person["id"]) is False

    # A state without its type is refused, naming the missing parameter.
    refused = await portico.http.get(CLIENTS, params={"document_state": "missing"}, headers=admin)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "document_type_id"


async def test_an_expired_document_is_announced_once(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    await portico.http.put(f"{DOCUMENTS}/section", json={"review": False}, headers=admin)
    id_card = await make_type(portico, admin, ID_CARD)
    client = await make_client(portico, admin, name="Inès Roy")
    soon = (utcnow().date() + timedelta(days=3)).isoformat()
    given = await upload(
        portico,
        MINE,
        contact_headers(portico, client),
        id_card,
        pdf_file(),
        data={"number": "X4", "valid_until": soon},
    )
    assert given.status_code == 201, given.text
    await eventually(
        portico, admin, {"Inès Roy"}, document_type_id=id_card["id"], document_state="accepted"
    )

    # Nothing has expired yet: the job announces nothing.
    before = len(portico.events.of_type(ClientDocumentStates.event_type, subject=client["id"]))
    await run_expiry_announcements(portico)
    await asyncio.sleep(0.2)
    assert (
        len(portico.events.of_type(ClientDocumentStates.event_type, subject=client["id"])) == before
    )

    # The date passes (written straight to the row, as time would make it so).
    runtime = portico.runtime("documents")
    async with runtime.database.transaction() as tx:
        document = await tx.get(ClientDocument, uuid.UUID(given.json()["id"]))
        assert document is not None
        document.expires_on = utcnow().date() - timedelta(days=1)
    await asyncio.gather(run_expiry_announcements(portico), run_expiry_announcements(portico))
    await run_expiry_announcements(portico)
    await eventually(
        portico, admin, {"Inès Roy"}, document_type_id=id_card["id"], document_state="expired"
    )
    await asyncio.sleep(0.2)
    announced = portico.events.of_type(ClientDocumentStates.event_type, subject=client["id"])
    assert len(announced) == before + 1
    assert announced[-1].data["complete"] is False


async def test_a_stale_or_repeated_picture_changes_nothing(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin, name="Inès Roy")
    other = await make_client(portico, admin, name="Atelier Lumière")
    type_id = uuid.uuid4()
    now = datetime.now(UTC)

    def picture(about: dict[str, Any], state: DocumentState, as_of: datetime) -> Envelope:
        event = ClientDocumentStates(
            client_id=uuid.UUID(about["id"]),
            complete=state == "accepted",
            states={type_id: state},
            as_of=as_of,
        )
        return Envelope.wrap(event, source="documents")

    newest = picture(client, "accepted", now)
    await portico.host.bus.publish([newest])
    await eventually(
        portico, admin, {"Inès Roy"}, document_type_id=str(type_id), document_state="accepted"
    )
    # An older picture arriving late, then the newest again; then one about another client,
    # which, once listed, proves the two before it were handled.
    await portico.host.bus.publish([picture(client, "missing", now - timedelta(minutes=1))])
    await portico.host.bus.publish([newest])
    await portico.host.bus.publish([picture(other, "rejected", now)])
    await eventually(
        portico,
        admin,
        {"Atelier Lumière"},
        document_type_id=str(type_id),
        document_state="rejected",
    )
    assert await listed(
        portico, admin, document_type_id=str(type_id), document_state="accepted"
    ) == {"Inès Roy"}
    assert await complete_column(portico, admin, client["id"]) is True

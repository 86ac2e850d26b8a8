"""What happens to documents over time: a document nearing its expiry date is reminded of
once (however often the job runs, and again only for a new date), one past it reads as
expired and the client is no longer complete; a deleted client leaves no row and no file."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy import func, select

from portico.contracts.events.documents import ClientDocumentExpiring
from portico.contracts.events.portal import ClientDeleted
from portico.documents.expiry import REMIND, remind_expiring
from portico.documents.models import ClientDocument, ClientReplica
from portico.documents.storage import client_prefix
from portico.documents.testing import (
    DOCUMENTS,
    ID_CARD,
    contact_headers,
    make_client,
    make_type,
    pdf_file,
    upload,
)
from portico.kit.db import utcnow
from portico.kit.jobs import Job
from portico.kit.testing.services import RunningPortico

MINE = f"{DOCUMENTS}/my-documents"


async def run_reminders(portico: RunningPortico) -> None:
    """One run of the scheduled job, as the runner starts it."""
    jobs = portico.runtime("documents").jobs
    assert jobs is not None
    job = Job(
        id=str(uuid.uuid4()), kind=REMIND, payload={}, tries=1, is_last_try=False, run_at=utcnow()
    )
    await remind_expiring(jobs.context, job)


async def test_a_document_near_its_expiry_is_reminded_of_once_and_past_it_reads_expired(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    section = await portico.http.put(
        f"{DOCUMENTS}/section", json={"reminder_days": 20, "review": False}, headers=admin
    )
    assert section.status_code == 200, section.text
    id_card = await make_type(portico, admin, ID_CARD)
    client = await make_client(portico, admin)
    mine = contact_headers(portico, client)
    today = utcnow().date()
    far = {"number": "X4", "valid_until": (today + timedelta(days=60)).isoformat()}
    given = await upload(portico, MINE, mine, id_card, pdf_file(), data=far)
    assert given.status_code == 201 and given.json()["state"] == "accepted"  # review off
    document_id = given.json()["id"]
    path = f"{DOCUMENTS}/clients/{client['id']}/documents/{document_id}"

    await run_reminders(portico)
    assert portico.events.of_type(ClientDocumentExpiring.event_type) == []

    # Within the 20 days: reminded once, however often the job runs.
    soon = (today + timedelta(days=10)).isoformat()
    changed = await portico.http.patch(
        path, json={"data": {"number": "X4", "valid_until": soon}}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    await asyncio.gather(run_reminders(portico), run_reminders(portico))
    await run_reminders(portico)
    [reminder] = await portico.events.wait_for(
        ClientDocumentExpiring.event_type, subject=document_id
    )
    assert reminder.data["expires_on"] == soon
    assert reminder.data["contact"]["name"] == "Inès Roy"
    assert reminder.data["upload_url"].endswith("/portal/my-documents")
    await asyncio.sleep(0.2)
    assert len(portico.events.of_type(ClientDocumentExpiring.event_type)) == 1

    # A new date (the client gave a renewed card) is reminded of again when it nears.
    later = (today + timedelta(days=15)).isoformat()
    await portico.http.patch(
        path, json={"data": {"number": "X5", "valid_until": later}}, headers=admin
    )
    await run_reminders(portico)
    reminders = await portico.events.wait_for(
        ClientDocumentExpiring.event_type, subject=document_id, count=2
    )
    assert [r.data["expires_on"] for r in reminders] == [soon, later]

    # Past its date: expired, and the client is no longer complete.
    past = (today - timedelta(days=1)).isoformat()
    await portico.http.patch(
        path, json={"data": {"number": "X5", "valid_until": past}}, headers=admin
    )
    seen = (await portico.http.get(MINE, headers=mine)).json()
    assert seen["items"][0]["state"] == "expired" and seen["complete"] is False
    await run_reminders(portico)
    assert len(portico.events.of_type(ClientDocumentExpiring.event_type)) == 2


async def test_a_deleted_client_leaves_no_row_and_no_file(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    id_card = await make_type(portico, admin, ID_CARD)
    client = await make_client(portico, admin)
    kept = await make_client(portico, admin, name="Boulangerie Dupont")
    data = {"number": "X4", "valid_until": "2031-05-02"}
    for who in (client, kept):
        given = await upload(
            portico, MINE, contact_headers(portico, who), id_card, pdf_file(), data=data
        )
        assert given.status_code == 201, given.text
    store = portico.runtime("documents").store
    assert len(await store.keys(client_prefix(uuid.UUID(client["id"])))) == 1

    deleted = await portico.http.delete(f"/api/portal/v1/clients/{client['id']}", headers=admin)
    assert deleted.status_code == 204, deleted.text
    [event] = await portico.events.wait_for(ClientDeleted.event_type, subject=client["id"])

    database = portico.runtime("documents").database

    async def rows_of(client_id: str) -> int:
        async with database.sessions() as session:
            counted = await session.scalar(
                select(func.count())
                .select_from(ClientDocument)
                .where(ClientDocument.client_id == uuid.UUID(client_id))
            )
        return int(counted or 0)

    for _ in range(200):
        if not await rows_of(client["id"]) and not await store.keys(
            client_prefix(uuid.UUID(client["id"]))
        ):
            break
        await asyncio.sleep(0.05)
    assert await rows_of(client["id"]) == 0
    assert await store.keys(client_prefix(uuid.UUID(client["id"]))) == []
    async with database.sessions() as session:
        tombstone = await session.get(ClientReplica, uuid.UUID(client["id"]))
    assert tombstone is not None and tombstone.deleted and tombstone.contacts == []
    # The other client keeps theirs; the deleted one's contact reaches nothing.
    assert await rows_of(kept["id"]) == 1
    assert len(await store.keys(client_prefix(uuid.UUID(kept["id"])))) == 1
    gone = await portico.http.get(MINE, headers=contact_headers(portico, client))
    assert gone.status_code == 404
    # A redelivered ClientDeleted changes nothing more.
    await portico.host.bus.publish([event])
    await asyncio.sleep(0.3)
    assert await rows_of(kept["id"]) == 1

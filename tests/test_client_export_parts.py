"""No part of a client's export outlives it (docs/exports.md, "Limits"): a part is a copy
of everything a service holds about the client, kept in that service's own store until
the portal puts it in the archive. Here the portal waits for the documents service,
which answers, and for signing, which does not run: the export stays pending with one
part given. When it fails at its deadline, or when its client is erased, that part is
removed from the documents service's store; a part announced afterwards (late, or again
by a repeated job) is removed as soon as it arrives. On both backends."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from portico.contracts.events.exports import ClientExportPartReady
from portico.documents.testing import make_client
from portico.kit.db import utcnow
from portico.kit.host import discover_services
from portico.kit.service import Service
from portico.kit.testing.polling import wait_until
from portico.kit.testing.services import RunningPortico
from portico.portal.exports.models import ClientExport
from portico.portal.exports.service import FAIL_LATE

PORTAL = "/api/portal/v1"


@pytest.fixture
def portico_services() -> Sequence[Service]:
    return [service for service in discover_services() if service.name in ("portal", "documents")]


@pytest.fixture
def portico_uses_s3() -> bool:
    # Each service keeps its part in its own store: one bucket, a prefix per service.
    return True


@pytest.fixture(autouse=True)
def waits_for_a_service_that_never_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTICO_PORTAL_EXPORT_SERVICES", '["documents", "signing"]')


async def export_with_one_part(
    portico: RunningPortico, admin: dict[str, str], client: dict[str, Any]
) -> str:
    """An export of ``client`` whose documents part is in the documents service's store,
    pending (signing never answers)."""
    asked = await portico.http.post(f"{PORTAL}/clients/{client['id']}/exports", headers=admin)
    assert asked.status_code == 202, asked.text
    export_id: str = asked.json()["id"]
    path = f"{PORTAL}/clients/{client['id']}/exports/{export_id}"

    async def portal_and_documents_answered() -> bool:
        # The portal's own part is written by a job of its own: it may land after documents'.
        found = (await portico.http.get(path, headers=admin)).json()
        answered = {item["service"] for item in found["services"] if item["answered"]}
        return {"portal", "documents"} <= answered

    await wait_until(portal_and_documents_answered)
    status = (await portico.http.get(path, headers=admin)).json()
    assert status["status"] == "pending" and status["missing"] == ["signing"]
    assert await part_keys(portico, export_id) == [f"exports/{export_id}/documents.zip"]
    return export_id


async def part_keys(
    portico: RunningPortico, export_id: str, service: str = "documents"
) -> list[str]:
    return await portico.runtime(service).store.keys(f"exports/{export_id}/")


async def removed(portico: RunningPortico, export_id: str, service: str = "documents") -> None:
    async def gone() -> bool:
        return await part_keys(portico, export_id, service) == []

    await wait_until(gone)


async def announced_again(portico: RunningPortico, export_id: str) -> None:
    """The documents part written and announced once more, as a repeated job does: the
    same bytes at the same key, a new event."""
    [first, *_] = portico.events.of_type(ClientExportPartReady.event_type, subject=export_id)
    part = ClientExportPartReady.model_validate(first.data)
    documents = portico.runtime("documents")
    await documents.store.put(part.blob_key, b"PK\x05\x06" + bytes(18))
    assert await part_keys(portico, export_id) == [part.blob_key]
    async with documents.database.transaction() as tx:
        tx.emit(part.model_copy(update={"written_at": utcnow()}))
    await portico.events.wait_for(
        ClientExportPartReady.event_type, count=2, timeout=30, subject=export_id
    )


async def test_a_failed_exports_parts_are_removed_and_so_is_one_announced_late(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin, name="Atelier Lumière")
    export_id = await export_with_one_part(portico, admin, client)
    portal = portico.runtime("portal")
    # Asked two days ago: the hourly check finds it past its deadline (24 hours).
    async with portal.database.transaction() as tx:
        await tx.execute(
            update(ClientExport)
            .where(ClientExport.id == uuid.UUID(export_id))
            .values(created_at=utcnow() - timedelta(days=2))
        )
        await tx.enqueue(FAIL_LATE, {})
    path = f"{PORTAL}/clients/{client['id']}/exports/{export_id}"

    async def failed() -> dict[str, Any] | None:
        found: dict[str, Any] = (await portico.http.get(path, headers=admin)).json()
        return found if found["status"] == "failed" else None

    status = await wait_until(failed)
    assert status["failure"] == "No answer from: signing"
    await removed(portico, export_id)
    # The portal's own part went too; no archive was ever built.
    await removed(portico, export_id, "portal")

    await announced_again(portico, export_id)
    await removed(portico, export_id)
    status = (await portico.http.get(path, headers=admin)).json()
    assert status["status"] == "failed"


async def test_an_erased_clients_pending_export_leaves_no_part_behind(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin, name="Boréal Conseil")
    other = await make_client(portico, admin, name="Studio Nord")
    export_id = await export_with_one_part(portico, admin, client)
    kept = await export_with_one_part(portico, admin, other)

    erased = await portico.http.delete(
        f"{PORTAL}/clients/{client['id']}", params={"erase": "true"}, headers=admin
    )
    assert erased.status_code == 204, erased.text
    await removed(portico, export_id)
    await removed(portico, export_id, "portal")

    await announced_again(portico, export_id)
    await removed(portico, export_id)
    # Another client's export is left as it was.
    assert await part_keys(portico, kept) == [f"exports/{kept}/documents.zip"]
    path = f"{PORTAL}/clients/{other['id']}/exports/{kept}"
    assert (await portico.http.get(path, headers=admin)).json()["status"] == "pending"

"""A deleted client's submissions go with their files (docs/erasure.md): on an erasure
nothing is left of the client in the signing service but the tombstone of its id, and on a
plain deletion too, the submissions being about its people; another client's stay; the
same ClientDeleted again changes nothing more."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from portico.contracts import Envelope
from portico.contracts.events.portal import ClientCreated, ClientDeleted
from portico.kit.testing.leftovers import handled, leftovers, store_keys
from portico.kit.testing.polling import wait_until
from portico.kit.testing.services import RunningPortico
from portico.signing.testing import (
    SIGNING,
    SUBMISSIONS,
    drawn_signature,
    field,
    link_of,
    make_template,
    send_to,
)

ONE_SIGNATURE = [field("Signature", "signature", y=0.6, h=0.08)]


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTICO_JOBS_RETRY_DELAYS", "[0.1, 0.2]")


async def make_client(portico: RunningPortico, admin: dict[str, str], name: str) -> dict[str, Any]:
    email = f"ines.{uuid.uuid4().hex[:8]}@lumiere.example"
    made = await portico.http.post(
        "/api/portal/v1/clients",
        json={
            "name": name,
            "contacts": [{"first_name": "Inès", "last_name": "Roy", "email": email}],
        },
        headers=admin,
    )
    assert made.status_code == 201, made.text
    client: dict[str, Any] = made.json()
    [created] = await portico.events.wait_for(ClientCreated.event_type, subject=client["id"])
    await handled(portico, "signing", created)
    return client


async def sent(
    portico: RunningPortico, template: dict[str, Any], client: dict[str, Any]
) -> tuple[str, str]:
    """A submission to the client's contact: its id and the contact's link."""
    response = await send_to(portico, template, client)
    assert response.status_code == 201, response.text
    submission_id = response.json()["id"]
    return submission_id, await link_of(portico, submission_id, client["contacts"][0]["email"])


async def detail(portico: RunningPortico, submission_id: str) -> Any:
    return await portico.http.get(
        f"{SUBMISSIONS}/{submission_id}", headers=portico.headers("staff")
    )


async def what_is_left(portico: RunningPortico, client: dict[str, Any]) -> list[str]:
    contact = client["contacts"][0]
    found = await leftovers(
        portico, [client["id"], contact["id"], contact["email"]], services=["signing"]
    )
    return [str(item) for item in found if not item.is_tombstone]


async def delete(
    portico: RunningPortico, admin: dict[str, str], client: dict[str, Any], **params: str
) -> Envelope:
    deleted = await portico.http.delete(
        f"/api/portal/v1/clients/{client['id']}", params=params, headers=admin
    )
    assert deleted.status_code == 204, deleted.text
    [event] = await portico.events.wait_for(ClientDeleted.event_type, subject=client["id"])
    await handled(portico, "signing", event)
    return event


async def files_of(portico: RunningPortico, submission_id: str) -> set[str]:
    keys = await store_keys(portico.runtime("signing").store)
    return {key for key in keys if key.startswith(f"submissions/{submission_id}/")}


async def test_an_erased_client_leaves_no_submission_and_no_file(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    template = await make_template(portico, ONE_SIGNATURE)
    client = await make_client(portico, admin, "Atelier Lumière")
    kept = await make_client(portico, admin, "Boulangerie Dupont")
    signed_id, token = await sent(portico, template, client)
    kept_id, _ = await sent(portico, template, kept)
    values = {"Signature": {"image": drawn_signature()}}
    submitted = await portico.http.post(f"{SIGNING}/{token}/submit", json={"values": values})
    assert submitted.status_code == 200, submitted.text

    async def completed() -> bool:
        return bool((await detail(portico, signed_id)).json()["completion"] == "done")

    await wait_until(completed, 60)
    assert any("completed" in key for key in await files_of(portico, signed_id))
    assert await what_is_left(portico, client)
    kept_before = (await detail(portico, kept_id)).json()

    event = await delete(portico, admin, client, erase="true")
    # Its files go by a job, once the rows' deletion is committed.
    for _ in range(200):
        if not await files_of(portico, signed_id):
            break
        await asyncio.sleep(0.05)
    assert await files_of(portico, signed_id) == set()
    assert await what_is_left(portico, client) == []
    assert (await detail(portico, signed_id)).status_code == 404
    opened = await portico.http.get(f"{SIGNING}/{token}")
    assert opened.status_code in (404, 410), opened.text
    # The template (no one's data) and the other client's submission stay as they were.
    templates = await portico.http.get(
        f"/api/signing/v1/templates/{template['id']}", headers=portico.headers("staff")
    )
    assert templates.status_code == 200
    assert (await detail(portico, kept_id)).json() == kept_before
    assert await what_is_left(portico, kept)

    # Delivered again, or published again: nothing more changes, nothing fails.
    again = event.model_copy(update={"id": uuid.uuid4()})
    await portico.host.bus.publish([event, again])
    await handled(portico, "signing", again)
    assert await what_is_left(portico, client) == []
    assert (await detail(portico, kept_id)).json() == kept_before


async def test_a_plain_deletion_removes_the_clients_submissions_too(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    template = await make_template(portico, ONE_SIGNATURE)
    client = await make_client(portico, admin, "Atelier Lumière")
    kept = await make_client(portico, admin, "Boulangerie Dupont")
    submission_id, token = await sent(portico, template, client)
    kept_id, _ = await sent(portico, template, kept)
    assert (await portico.http.get(f"{SIGNING}/{token}")).status_code == 200

    event = await delete(portico, admin, client)
    assert event.data["erase"] is False
    assert (await detail(portico, submission_id)).status_code == 404
    # The link in the contact's mailbox opens nothing any more.
    opened = await portico.http.get(f"{SIGNING}/{token}")
    assert opened.status_code in (404, 410), opened.text
    assert await what_is_left(portico, client) == []
    assert (await detail(portico, kept_id)).status_code == 200

"""A staff member the portal deactivates is refused by the signing service once it hears of
it (the kit's staff status, ``portico.kit.auth.staff``), and a late copy of an older change
does not let them back in."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta

from portico.contracts import Envelope
from portico.contracts.events.portal import StaffUserChanged
from portico.kit.testing.services import RunningPortico
from portico.portal.testing import LogIn, bearer

TEMPLATES = "/api/signing/v1/templates"
LEA = {
    "email": "lea@studio.example",
    "first_name": "Léa",
    "last_name": "Bernard",
    "locale": "fr",
    "role": "staff",
    "password": "Lea-Strong-Password-1",
}


async def refused_soon(portico: RunningPortico, headers: dict[str, str]) -> None:
    deadline = time.monotonic() + 10
    while (await portico.http.get(TEMPLATES, headers=headers)).status_code != 401:
        assert time.monotonic() < deadline, "the deactivated member's token still works"
        await asyncio.sleep(0.05)


async def test_a_deactivated_staff_members_token_is_refused(
    portico: RunningPortico, admin: dict[str, str], log_in: LogIn
) -> None:
    user = (await portico.http.post("/api/portal/v1/staff", json=LEA, headers=admin)).json()
    lea = bearer(await log_in(LEA["email"], LEA["password"]))
    await portico.events.wait_for(StaffUserChanged.event_type, subject=user["id"])
    blank = {"name": "Onboarding form"}
    made = await portico.http.post("/api/signing/v1/blank-templates", json=blank, headers=lea)
    assert made.status_code == 201, made.text

    off = await portico.http.patch(
        f"/api/portal/v1/staff/{user['id']}", json={"active": False}, headers=admin
    )
    assert off.status_code == 200, off.text
    await refused_soon(portico, lea)
    refused = await portico.http.post(f"{TEMPLATES}/{made.json()['id']}/duplicate", headers=lea)
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert refused.json()["detail"] == "This account is deactivated; its sessions have ended."
    # Nothing was copied, and everyone else goes on as before.
    listed = await portico.http.get(TEMPLATES, headers=admin)
    assert listed.status_code == 200
    assert listed.json()["total"] == 1

    # Reactivated: let back in once the signing service hears of it.
    on = await portico.http.patch(
        f"/api/portal/v1/staff/{user['id']}", json={"active": True}, headers=admin
    )
    assert on.status_code == 200
    lea = bearer(await log_in(LEA["email"], LEA["password"]))
    deadline = time.monotonic() + 10
    while (await portico.http.get(TEMPLATES, headers=lea)).status_code != 200:
        assert time.monotonic() < deadline, "the reactivated member is still refused"
        await asyncio.sleep(0.05)


async def test_a_late_copy_of_an_older_change_does_not_reactivate_them(
    portico: RunningPortico,
) -> None:
    user_id = uuid.uuid4()
    token = portico.headers("staff", subject=str(user_id))
    change = {
        "user_id": user_id,
        "email": "lea@studio.example",
        "first_name": "Léa",
        "last_name": "Bernard",
        "locale": "fr",
        "role": "staff",
    }
    deactivated = Envelope.wrap(StaffUserChanged(**change, active=False), source="portal")
    await portico.host.bus.publish([deactivated])
    await refused_soon(portico, token)

    # The change before it (still active), retried and delivered after it.
    older = Envelope.wrap(StaffUserChanged(**change, active=True), source="portal")
    older = older.model_copy(update={"time": deactivated.time - timedelta(minutes=1)})
    await portico.host.bus.publish([older])
    # A later event of the same queue is handled after it: then the older one was too.
    marker_id = uuid.uuid4()
    marker = StaffUserChanged(**(change | {"user_id": marker_id}), active=False)
    await portico.host.bus.publish([Envelope.wrap(marker, source="portal")])
    await refused_soon(portico, portico.headers("staff", subject=str(marker_id)))
    assert (await portico.http.get(TEMPLATES, headers=token)).status_code == 401

"""A staff member the portal deactivates is refused by the notifier once it hears of it."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from portico.contracts import Envelope
from portico.contracts.events.portal import StaffUserChanged
from portico.kit.testing.services import RunningPortico
from portico.portal.testing import LogIn, bearer

if TYPE_CHECKING:
    from conftest import Publish, StaffMember

LEA = {
    "email": "lea@studio.example",
    "first_name": "Léa",
    "last_name": "Bernard",
    "locale": "fr",
    "role": "staff",
    "password": "Lea-Strong-Password-1",
}
ENDPOINTS = (
    "/api/notifier/v1/notifications",
    "/api/notifier/v1/notifications/unread-count",
    "/api/notifier/v1/preferences",
)


async def test_a_deactivated_staff_members_token_is_refused_on_every_endpoint(
    portico: RunningPortico, admin: dict[str, str], log_in: LogIn
) -> None:
    user = (await portico.http.post("/api/portal/v1/staff", json=LEA, headers=admin)).json()
    lea = bearer(await log_in(LEA["email"], LEA["password"]))
    await portico.events.wait_for(StaffUserChanged.event_type, subject=user["id"])
    for path in ENDPOINTS:
        assert (await portico.http.get(path, headers=lea)).status_code == 200, path

    off = await portico.http.patch(
        f"/api/portal/v1/staff/{user['id']}", json={"active": False}, headers=admin
    )
    assert off.status_code == 200, off.text
    # The notifier learns it from StaffUserChanged; from then on the token is worthless.
    deadline = time.monotonic() + 10
    while (await portico.http.get(ENDPOINTS[0], headers=lea)).status_code != 401:
        assert time.monotonic() < deadline, "the deactivated member's token still works"
        await asyncio.sleep(0.05)
    for path in ENDPOINTS:
        refused = await portico.http.get(path, headers=lea)
        assert refused.status_code == 401, path
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["www-authenticate"] == 'Bearer error="invalid_token"'
        assert refused.json()["detail"] == "This account is deactivated; its sessions have ended."
    put = await portico.http.put(
        "/api/notifier/v1/preferences/message_posted",
        json={"email": False, "sms": False, "in_app": False},
        headers=lea,
    )
    assert put.status_code == 401
    # Everyone else goes on as before.
    assert (await portico.http.get(ENDPOINTS[0], headers=admin)).status_code == 200


async def test_a_late_copy_of_an_older_change_does_not_reactivate_them(
    portico: RunningPortico,
    staff: StaffMember,
    publish: Publish,
    message_posted: Callable[[str], Envelope],
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
    [deactivated] = await publish("portal", StaffUserChanged(**change, active=False))
    deadline = time.monotonic() + 10
    while (await portico.http.get(ENDPOINTS[0], headers=token)).status_code != 401:
        assert time.monotonic() < deadline, "the deactivation never reached the notifier"
        await asyncio.sleep(0.05)

    # The change before it (still active), retried and delivered after it.
    older = Envelope.wrap(StaffUserChanged(**change, active=True), source="portal")
    older = older.model_copy(update={"time": deactivated.time - timedelta(minutes=1)})
    await publish("portal", older)
    # The notifier reads its queue in order: once this reaches the bell, so did the older.
    await publish("portal", message_posted(str(staff.id)))
    await staff.notifications(1)
    assert (await portico.http.get(ENDPOINTS[0], headers=token)).status_code == 401

"""SMS from an event to the provider's API (a local server speaking it), through the
dispatcher: the number normalised, a 503 retried, an invalid number failed at once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from portico.contracts import Envelope
from portico.contracts.events.notifier import NotificationFailed
from portico.kit.testing.services import RunningPortico
from portico.notifier.testing import FakeProvider

if TYPE_CHECKING:
    from conftest import StaffMember


pytestmark = pytest.mark.usefixtures("sms_provider")


async def texted_by_sms(staff: StaffMember, phone: str) -> str:
    """Gives the admin a phone and SMS-only preferences; answers the admin's id."""
    await staff.choose("message_posted", email=False, sms=True, in_app=False)
    await staff.change(phone=phone)
    return str(staff.id)


async def deliveries(portico: RunningPortico, admin: dict[str, str], status: str) -> list[dict]:
    for _ in range(200):
        page = (
            await portico.http.get(f"/api/notifier/v1/deliveries?status={status}", headers=admin)
        ).json()
        if page["items"]:
            return list(page["items"])
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {status} delivery")


async def test_an_sms_is_sent_to_the_normalised_number_with_its_link(
    portico: RunningPortico,
    admin: dict[str, str],
    staff: StaffMember,
    provider: FakeProvider,
    message_posted: Callable[[str], Envelope],
) -> None:
    staff_id = await texted_by_sms(staff, "06 12 34 56 78")
    envelope = message_posted(staff_id)
    await portico.host.bus.publish([envelope])
    [sent] = await deliveries(portico, admin, "sent")
    assert (sent["channel"], sent["recipient"]) == ("sms", "+33612345678")
    assert sent["provider_id"].startswith("SM")
    [request] = provider.received
    assert request.form["To"] == "+33612345678"
    assert request.form["From"] == provider.from_number
    assert str(envelope.event().workspace_url) in request.form["Body"]  # type: ignore[attr-defined]
    assert len(request.form["Body"]) <= 306


async def test_a_provider_answering_503_gets_the_sms_on_a_later_try(
    portico: RunningPortico,
    admin: dict[str, str],
    staff: StaffMember,
    provider: FakeProvider,
    message_posted: Callable[[str], Envelope],
) -> None:
    staff_id = await texted_by_sms(staff, "+33 6 12 34 56 78")
    provider.answer(503, {"message": "busy"})
    await portico.host.bus.publish([message_posted(staff_id)])
    for _ in range(200):
        if provider.received:
            break
        await asyncio.sleep(0.02)
    provider.answer(201)
    [sent] = await deliveries(portico, admin, "sent")
    assert sent["attempts"] == 2
    assert len(provider.received) == 2


async def test_an_invalid_number_fails_without_calling_the_provider(
    portico: RunningPortico,
    admin: dict[str, str],
    staff: StaffMember,
    provider: FakeProvider,
    message_posted: Callable[[str], Envelope],
) -> None:
    staff_id = await texted_by_sms(staff, "12")
    await portico.host.bus.publish([message_posted(staff_id)])
    [failed] = await portico.events.wait_for(NotificationFailed.event_type)
    event = failed.event()
    assert isinstance(event, NotificationFailed)
    assert event.permanent and "not a valid phone number" in event.reason
    [delivery] = await deliveries(portico, admin, "failed")
    assert delivery["channel"] == "sms"
    assert provider.received == []

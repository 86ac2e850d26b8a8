"""Test helpers of the notifier: events published as their services do, and the admin as a
staff member who hears of them (the SMTP server and the SMS provider are
``portico.notifier.testing``'s)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from portico.contracts import Envelope, Event
from portico.contracts.events.portal import MessagePosted, MessageRecipient, StaffUserChanged
from portico.kit.testing.services import RunningPortico

Publish = Callable[..., Awaitable[list[Envelope]]]


@pytest.fixture
def publish(portico: RunningPortico) -> Publish:
    """``await publish("signing", *events)``: published as that service does; answers the
    envelopes."""

    async def publish_as(source: str, *events: Event | Envelope) -> list[Envelope]:
        # An envelope is published as it is: the same event delivered once more.
        envelopes = [
            event if isinstance(event, Envelope) else Envelope.wrap(event, source=source)
            for event in events
        ]
        await portico.host.bus.publish(envelopes)
        return envelopes

    return publish_as


@dataclass
class StaffMember:
    """The admin, as the notifier knows them, and what reaches them in the app."""

    portico: RunningPortico
    headers: dict[str, str]
    id: uuid.UUID

    async def change(self, **fields: str) -> None:
        """Changes the profile (locale, phone) and waits until the change is on the bus."""
        me = (await self.portico.http.get("/api/portal/v1/me", headers=self.headers)).json()
        if all(me[name] == value for name, value in fields.items()):
            return  # nothing changes: the portal emits nothing
        changed = await self.portico.http.patch(
            "/api/portal/v1/me", json=fields, headers=self.headers
        )
        assert changed.status_code == 200, changed.text
        now = {name: changed.json()[name] for name in fields}  # as the portal stored them
        # The notifier reads its queue in order: events published next reach it after the
        # change. Matched by content, as the admin's creation is a StaffUserChanged too.
        deadline = time.monotonic() + 10
        while not any(
            all(getattr(envelope.event(), name) == value for name, value in now.items())
            for envelope in self.portico.events.of_type(
                StaffUserChanged.event_type, subject=str(self.id)
            )
        ):
            assert time.monotonic() < deadline, "the change never reached the bus"
            await asyncio.sleep(0.05)

    async def choose(self, kind: str, *, email: bool, sms: bool, in_app: bool) -> None:
        chosen = await self.portico.http.put(
            f"/api/notifier/v1/preferences/{kind}",
            json={"email": email, "sms": sms, "in_app": in_app},
            headers=self.headers,
        )
        assert chosen.status_code == 200, chosen.text

    async def notifications(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The in-app notifications, newest first, once there are ``count`` of them."""
        deadline = time.monotonic() + timeout
        while True:
            page = await self.portico.http.get(
                "/api/notifier/v1/notifications", headers=self.headers
            )
            items: list[dict[str, Any]] = page.json()["items"]
            if len(items) >= count:
                assert len(items) == count, [item["title"] for item in items]
                return items
            assert time.monotonic() < deadline, f"expected {count} notification(s)"
            await asyncio.sleep(0.05)

    async def deliveries(self, **filters: str) -> list[dict[str, Any]]:
        """The delivery log (admins), filtered as the API allows."""
        log = await self.portico.http.get(
            "/api/notifier/v1/deliveries", params=filters, headers=self.headers
        )
        assert log.status_code == 200, log.text
        items: list[dict[str, Any]] = log.json()["items"]
        return items


@pytest.fixture
async def staff(portico: RunningPortico, admin: dict[str, str]) -> StaffMember:
    me = (await portico.http.get("/api/portal/v1/me", headers=admin)).json()
    return StaffMember(portico, admin, uuid.UUID(me["id"]))


@pytest.fixture
def message_posted() -> Callable[[str], Envelope]:
    """Builds a MessagePosted from a client to a staff user, as the portal emits it."""

    def build(staff_id: str) -> Envelope:
        workspace_id = uuid.uuid4()
        event = MessagePosted(
            message_id=uuid.uuid4(),
            workspace_id=workspace_id,
            client_id=uuid.uuid4(),
            workspace_name="Rénovation atelier",
            author_kind="client",
            author_id=uuid.uuid4(),
            author_name="Camille Durand",
            excerpt="Voici les plans mis à jour.",
            recipients=[
                MessageRecipient(
                    kind="staff",
                    id=uuid.UUID(staff_id),
                    name="Admin Portico",
                    email="admin@studio.example",
                )
            ],
            workspace_url=f"http://127.0.0.1:8000/workspaces/{workspace_id}",
        )
        return Envelope.wrap(event, source="portal")

    return build

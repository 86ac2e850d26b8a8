"""The notifier's event handlers: replicas, a message plan for each event people hear of,
and a delivery to each webhook that wants the event."""

from __future__ import annotations

from typing import Any

from portico.contracts import Event
from portico.contracts.events.exports import ClientExportRequested
from portico.contracts.events.portal import (
    ClientCreated,
    ClientDeleted,
    ClientUpdated,
    OrganisationUpdated,
    StaffUserChanged,
)
from portico.kit.inbox import EventContext, EventHandler, HandlerTable
from portico.notifier.client_export import CLIENT_EXPORT
from portico.notifier.deliveries.record import record
from portico.notifier.erasure import forget_client, keep_client
from portico.notifier.messages.catalogue import PLANNERS
from portico.notifier.replicas import keep_organisation, keep_staff_member
from portico.notifier.webhooks.events import webhook_events
from portico.notifier.webhooks.service import record_deliveries


async def notify(event: Any, context: EventContext) -> None:
    planned = await PLANNERS[type(event)](event, context.tx)
    await record(context.tx, context.envelope, planned)


async def send_to_webhooks(event: Any, context: EventContext) -> None:
    await record_deliveries(context.tx, context.envelope)


def _table() -> HandlerTable:
    table: dict[type[Event], list[EventHandler]] = {
        OrganisationUpdated: [keep_organisation],
        StaffUserChanged: [keep_staff_member],
        # Whom a deleted client's messages went to (docs/erasure.md).
        ClientCreated: [keep_client],
        ClientUpdated: [keep_client],
        ClientDeleted: [forget_client],
        ClientExportRequested: [CLIENT_EXPORT.handler],
    }
    for event_class in PLANNERS:
        table.setdefault(event_class, []).append(notify)
    # Every event a webhook may ask for: the notifier's queue is bound to each of them.
    for event_class in webhook_events().values():
        table.setdefault(event_class, []).append(send_to_webhooks)
    return table


HANDLERS: HandlerTable = _table()

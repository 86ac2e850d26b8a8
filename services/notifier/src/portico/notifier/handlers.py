"""The notifier's event handlers: replicas, and a message plan for each event people hear of."""

from __future__ import annotations

from typing import Any

from portico.contracts.events.portal import OrganisationUpdated, StaffUserChanged
from portico.kit.inbox import EventContext, HandlerTable
from portico.notifier.deliveries.record import record
from portico.notifier.messages.catalogue import PLANNERS
from portico.notifier.replicas import keep_organisation, keep_staff_member


async def notify(event: Any, context: EventContext) -> None:
    planned = await PLANNERS[type(event)](event, context.tx)
    await record(context.tx, context.envelope, planned)


HANDLERS: HandlerTable = {
    OrganisationUpdated: [keep_organisation],
    StaffUserChanged: [keep_staff_member],
    **{event_class: [notify] for event_class in PLANNERS},
}

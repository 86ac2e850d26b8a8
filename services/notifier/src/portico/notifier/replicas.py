"""Replicas of what messages need from the portal: the organisation, the staff."""

from __future__ import annotations

from portico.contracts.events.portal import OrganisationUpdated, StaffUserChanged
from portico.kit.inbox import EventContext
from portico.notifier.deliveries.record import forget_organisation
from portico.notifier.models import OrganisationReplica, StaffMember


async def keep_organisation(event: OrganisationUpdated, context: EventContext) -> None:
    await context.tx.merge(
        OrganisationReplica(
            id=1,
            name=event.name,
            logo_url=str(event.logo_url) if event.logo_url else None,
            brand_colour=event.brand_colour,
            sender_email=event.sender_email,
            sender_name=event.sender_name,
            default_locale=event.default_locale,
            default_country=event.default_country,
        )
    )
    forget_organisation(context.tx)


async def keep_staff_member(event: StaffUserChanged, context: EventContext) -> None:
    changed_at = context.envelope.time
    held = await context.tx.get(StaffMember, event.user_id)
    if held is not None and held.changed_at is not None and held.changed_at > changed_at:
        # A late copy of an older change (a retry): the replica already says what came after,
        # and bringing an older state back could reactivate someone the portal deactivated.
        return
    await context.tx.merge(
        StaffMember(
            user_id=event.user_id,
            email=str(event.email),
            first_name=event.first_name,
            last_name=event.last_name,
            phone=event.phone,
            locale=event.locale,
            role=event.role,
            active=event.active,
            changed_at=changed_at,
        )
    )

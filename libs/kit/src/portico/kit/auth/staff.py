"""Every service refuses the token of a staff member the portal has deactivated.

The portal refuses such a token at once: it ended the person's sessions, and its revocation
check (``Service.revocation``) looks each token's ``jti`` up among them. The other services
know no sessions, only people: the kit keeps, in each one's database, whether each staff
member is active (from StaffUserChanged), and checks the token's subject against it from the
moment the event is handled. Someone not heard of yet (a new colleague whose event is on its
way) is trusted as the token says, like any token until it expires.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy import select

from portico.contracts.events.portal import StaffUserChanged
from portico.kit.db import Database
from portico.kit.inbox import EventContext, HandlerTable
from portico.kit.tables import staff_status_table

DeactivationCheck = Callable[[str], Awaitable[bool]]


async def keep_staff_status(event: StaffUserChanged, context: EventContext) -> None:
    changed_at = context.envelope.time
    key = str(event.user_id)
    held = (
        await context.tx.execute(
            select(staff_status_table.c.changed_at).where(staff_status_table.c.user_id == key)
        )
    ).scalar_one_or_none()
    if held is None:
        await context.tx.execute(
            staff_status_table.insert().values(
                user_id=key, active=event.active, changed_at=changed_at
            )
        )
    elif held <= changed_at:
        # Not older than what is held: a late copy of an older change (a retry) could
        # otherwise reactivate someone the portal has since deactivated.
        await context.tx.execute(
            staff_status_table.update()
            .where(staff_status_table.c.user_id == key)
            .values(active=event.active, changed_at=changed_at)
        )


STAFF_STATUS_HANDLERS: HandlerTable = {StaffUserChanged: [keep_staff_status]}


def deactivation_check(database: Database) -> DeactivationCheck:
    """Whether a staff token's subject is someone the portal has deactivated."""

    async def is_deactivated(subject: str) -> bool:
        try:
            key = str(uuid.UUID(subject))
        except ValueError:
            return False
        async with database.sessions() as session:
            active = await session.scalar(
                select(staff_status_table.c.active).where(staff_status_table.c.user_id == key)
            )
        return active is False

    return is_deactivated

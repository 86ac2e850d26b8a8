"""The message about the notifier's own webhooks: an endpoint paused after its deliveries
kept failing, told to the admin who created it.

No event of another service is behind it: the webhook job plans it when it pauses the
endpoint (``webhooks/jobs.py``), and it goes through the same recording and sending as
every other message. It is always an email: an admin must hear of it to act, whatever
they chose for other kinds.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portico.contracts import Event
from portico.notifier.messages.kinds import MessageKind
from portico.notifier.messages.planning import Outgoing, Planner, Recipient
from portico.notifier.models import StaffMember, WebhookEndpoint

WEBHOOK_PAUSED = MessageKind(
    key="webhook_paused",
    description="A webhook endpoint is paused because its deliveries keep failing",
    links=("manage_url",),
    sample={
        "endpoint_url": "https://erp.example.com/portico/webhooks",
        "endpoint_description": "ERP: signed documents",
        "reason": "500 Internal Server Error",
        "attempts": 6,
        "manage_url": "http://127.0.0.1:8000/settings/webhooks/0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
    },
)

KINDS = [WEBHOOK_PAUSED]
PLANNERS: dict[type[Event], Planner] = {}


async def plan_pause_notice(
    session: AsyncSession, endpoint: WebhookEndpoint, *, attempts: int, manage_url: str
) -> list[Outgoing]:
    """An email to the endpoint's owner; to every active admin when the owner is gone
    (deactivated, or never known here), so that someone hears of it."""
    owner = await session.get(StaffMember, endpoint.owner_id)
    if owner is not None and owner.active:
        told = [owner]
    else:
        told = list(
            await session.scalars(
                select(StaffMember)
                .where(StaffMember.role == "admin", StaffMember.active.is_(True))
                .order_by(StaffMember.email)
            )
        )
    context: dict[str, Any] = {
        "endpoint_url": endpoint.url,
        "endpoint_description": endpoint.description,
        "reason": endpoint.pause_reason or "",
        "attempts": attempts,
        "manage_url": manage_url,
    }
    return [
        Outgoing(
            kind=WEBHOOK_PAUSED.key,
            recipient=Recipient(
                id=member.user_id,
                name=member.name,
                email=member.email,
                phone=member.phone,
                locale=member.locale,
                is_staff=True,
            ),
            channel="email",
            context=context,
            link=manage_url,
        )
        for member in told
    ]

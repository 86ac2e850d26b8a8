"""Every notifier endpoint refuses the token of a staff member the portal has deactivated.

The portal refuses such a token at once: it ended the person's sessions, and its revocation
check (``Service.revocation``) looks each token's ``jti`` up among them. The notifier knows
no sessions, only people: its replica of the staff (from StaffUserChanged) says who is
deactivated, so it checks the token's subject instead, from the moment the event is handled.
Someone the replica does not know yet (a new colleague whose event is on its way) is trusted
as the token says, like any service trusts a token until it expires.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends

from portico.kit.auth import CurrentPrincipal
from portico.kit.deps import Tx
from portico.kit.problems import Unauthorized
from portico.notifier.models import StaffMember


async def refuse_deactivated_staff(tx: Tx, principal: CurrentPrincipal) -> None:
    if not principal.is_staff:
        return
    try:
        user_id = uuid.UUID(principal.subject)
    except ValueError:
        return
    member = await tx.get(StaffMember, user_id)
    if member is not None and not member.active:
        raise Unauthorized(
            "This account is deactivated; its sessions have ended.", invalid_token=True
        )


def guarded(*routers: APIRouter) -> APIRouter:
    """The service's routers behind the check, so that no endpoint can forget it."""
    api = APIRouter(dependencies=[Depends(refuse_deactivated_staff)])
    for router in routers:
        api.include_router(router)
    return api

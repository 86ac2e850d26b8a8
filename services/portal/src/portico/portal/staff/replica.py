"""StaffUserChanged: the staff user as the notifier keeps it to reach them."""

from __future__ import annotations

from portico.contracts.events.portal import StaffUserChanged
from portico.portal.models import StaffUser


def staff_user_changed(user: StaffUser) -> StaffUserChanged:
    return StaffUserChanged(
        user_id=user.id,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        phone=user.phone,
        locale=user.locale,
        role=user.role,
        active=user.active,
    )

"""``/settings/reminders`` (administrators): after how many days signers who have not acted
are reminded, and the last call before a document expires."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response

from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.signing.api import ReminderSettings, Signing
from portico.gateway.pages.settings import settings_page
from portico.gateway.web.context import Admin
from portico.gateway.web.forms import FormState, form_from_problem
from portico.gateway.web.i18n import _
from portico.gateway.web.routing import page_router, see_other

router = page_router()

URL = "/settings/reminders"
TAB = "reminders"
# The service names a wrong day by its place in the list: it belongs beside the one input.
DAY_ALIASES = {f"reminder_days.{index}": "reminder_days" for index in range(10)}


def _values(settings: ReminderSettings) -> dict[str, str]:
    return {
        "reminder_days": ", ".join(str(day) for day in settings.reminder_days),
        "last_call_days": str(settings.last_call_days),
    }


def parse_days(text: str) -> list[int] | None:
    """``"3, 7"`` (or ``"3 7"``, ``"3;7"``) as ``[3, 7]``; None when a part is no number."""
    parts = [part for part in re.split(r"[\s,;]+", text.strip()) if part]
    if not all(part.isdigit() for part in parts):
        return None
    return [int(part) for part in parts]


async def _page(
    request: Request,
    signing: Signing,
    form: FormState | None = None,
    status_code: int = 200,
) -> Response:
    current = await signing.reminder_settings()
    return await settings_page(
        request,
        "signing/reminders.html",
        TAB,
        status_code,
        current=current,
        form=form or FormState(values=_values(current)),
    )


@router.get(URL)
async def reminders_page(request: Request, _admin: Admin, signing: Signing) -> Response:
    return await _page(request, signing)


@router.post(URL)
async def save_reminders(
    request: Request,
    session: Admin,
    signing: Signing,
    reminder_days: Annotated[str, Form()] = "",
    last_call_days: Annotated[str, Form()] = "",
) -> Response:
    values = {"reminder_days": reminder_days, "last_call_days": last_call_days}
    days = parse_days(reminder_days)
    errors: dict[str, str] = {}
    if days is None:
        errors["reminder_days"] = _("Write whole numbers of days, separated by commas.")
    if not last_call_days.strip().isdigit():
        errors["last_call_days"] = _("Write a whole number of days (0 for no last call).")
    if days is None or errors:
        return await _page(request, signing, FormState(values=values, errors=errors), 422)
    try:
        await signing.set_reminder_settings(days, int(last_call_days))
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        form = form_from_problem(problem, values, DAY_ALIASES)
        return await _page(request, signing, form, 422)
    session.notify(_("Saved: open documents follow the new schedule from now on."))
    return see_other(URL)

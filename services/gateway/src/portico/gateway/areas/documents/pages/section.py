"""``/settings/documents/section`` (administrators): the client portal's "My documents"
section: shown or not, its introduction (formatted text, the portal's editor), whether the
required documents open the rest of the portal, review, and the reminders before expiry."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.documents.api import Documents, Section
from portico.gateway.pages.settings import settings_page
from portico.gateway.web.context import Admin
from portico.gateway.web.forms import FormState, form_from_problem
from portico.gateway.web.i18n import _
from portico.gateway.web.routing import page_router, see_other

router = page_router()

URL = "/settings/documents/section"
TAB = "documents"
CHECKED = {"true", "on", "1"}
MOST_DAYS = 365


def values_of(section: Section) -> dict[str, Any]:
    return {
        "shown": section.shown,
        "introduction": section.introduction,
        "required_for_access": section.required_for_access,
        "review": section.review,
        "reminder_days": str(section.reminder_days),
    }


async def _page(request: Request, form: FormState, status_code: int = 200) -> Response:
    return await settings_page(
        request, "documents/settings/section.html", TAB, status_code, form=form
    )


@router.get(URL)
async def section_page(request: Request, _admin: Admin, documents: Documents) -> Response:
    return await _page(request, FormState(values=values_of(await documents.section())))


@router.post(URL)
async def save_section(request: Request, session: Admin, documents: Documents) -> Response:
    posted = await request.form()

    def text(name: str) -> str:
        value = posted.get(name)
        return value.strip() if isinstance(value, str) else ""

    values: dict[str, Any] = {
        "shown": text("shown") in CHECKED,
        "introduction": text("introduction"),
        "required_for_access": text("required_for_access") in CHECKED,
        "review": text("review") in CHECKED,
        "reminder_days": text("reminder_days"),
    }
    days = values["reminder_days"]
    if not days.isdigit() or not 1 <= int(days) <= MOST_DAYS:
        errors = {"reminder_days": _("Enter a number of days from 1 to 365.")}
        return await _page(request, FormState(values=values, errors=errors), 422)
    try:
        await documents.set_section(values | {"reminder_days": int(days)})
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        return await _page(request, form_from_problem(problem, values), 422)
    session.notify(_("The “My documents” section is saved."))
    return see_other(URL)

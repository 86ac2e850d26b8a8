"""``/settings/quotes`` (administrators): how quotes and invoices are numbered, how long a
new quote is valid, the introduction and terms it starts with, the company's details its
PDF prints, whether clients sign to accept, and how many days before its last valid day a
quote awaiting its answer is reminded ("7, 2"). The catalogue is the tab's other page
(``products``)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.quotes.api import Quotes, QuoteSettings
from portico.gateway.areas.quotes.presenting import reminder_days_message
from portico.gateway.areas.quotes.quote_form import form_from_refusal
from portico.gateway.pages.settings import settings_page
from portico.gateway.web.context import Admin
from portico.gateway.web.forms import FormState
from portico.gateway.web.i18n import _
from portico.gateway.web.routing import page_router, see_other

router = page_router()

URL = "/settings/quotes"
TAB = "quotes"
TEXTS = (
    "number_pattern",
    "invoice_number_pattern",
    "default_introduction",
    "default_terms",
    "company_details",
)
MOST_DAYS = 365
# The service's limits of the reminders before a quote's last valid day.
MOST_REMINDERS = 5
FARTHEST_REMINDER = 60
DAYS_APART = re.compile(r"[\s,;]+")


def values_of(settings: QuoteSettings) -> dict[str, Any]:
    return {name: getattr(settings, name) for name in TEXTS} | {
        "validity_days": str(settings.validity_days),
        "esignature": settings.esignature,
        "reminder_days_before": ", ".join(str(days) for days in settings.reminder_days_before),
    }


def reminder_days(typed: str) -> list[int] | None:
    """The days typed ("7, 2"), or None when one is not a number of days the service
    takes; nothing typed is no reminder."""
    entries = [entry for entry in DAYS_APART.split(typed) if entry]
    if len(entries) > MOST_REMINDERS or not all(entry.isdigit() for entry in entries):
        return None
    days = [int(entry) for entry in entries]
    if not all(1 <= day <= FARTHEST_REMINDER for day in days):
        return None
    return days


async def _page(request: Request, form: FormState, status_code: int = 200) -> Response:
    return await settings_page(request, "quotes/settings/numbers.html", TAB, status_code, form=form)


@router.get(URL)
async def quote_settings_page(request: Request, _admin: Admin, quotes: Quotes) -> Response:
    return await _page(request, FormState(values=values_of(await quotes.settings())))


@router.post(URL)
async def save_quote_settings(request: Request, session: Admin, quotes: Quotes) -> Response:
    posted = await request.form()
    values: dict[str, Any] = {name: str(posted.get(name) or "").strip() for name in TEXTS}
    values["validity_days"] = str(posted.get("validity_days") or "").strip()
    values["esignature"] = posted.get("esignature") == "true"
    values["reminder_days_before"] = str(posted.get("reminder_days_before") or "").strip()
    days = values["validity_days"]
    reminders = reminder_days(values["reminder_days_before"])
    errors: dict[str, str] = {}
    if not days.isdigit() or not 1 <= int(days) <= MOST_DAYS:
        errors["validity_days"] = _("Enter a number of days from 1 to 365.")
    if reminders is None:
        errors["reminder_days_before"] = reminder_days_message()
    if errors:
        return await _page(request, FormState(values=values, errors=errors), 422)
    # The whole row goes back: settings this page does not show keep their values.
    current = await quotes.settings()
    changes = values | {"validity_days": int(days), "reminder_days_before": reminders}
    try:
        await quotes.set_settings(current.body_with(changes))
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        return await _page(request, form_from_refusal(problem, values), 422)
    session.notify(_("The quotes' settings are saved: new quotes follow them."))
    return see_other(URL)

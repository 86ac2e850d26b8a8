"""Settings → Webhooks (admins): the URLs that receive Portico's events, each with its
event types, its secret (shown once), pause and resume, and the log of its deliveries
with every attempt and a replay."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Form, Query, Request
from fastapi.responses import Response

from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.notifier.api import (
    Notifier,
    Webhook,
    WebhookEventType,
    WebhookFields,
    WebhookWithSecret,
)
from portico.gateway.pages.settings import settings_page
from portico.gateway.web.context import Admin, PageNotFound
from portico.gateway.web.forms import FormState, form_from_problem, raise_unless_invalid_input
from portico.gateway.web.i18n import _
from portico.gateway.web.routing import page_router, see_other
from portico.kit.pagination import MAX_OFFSET

router = page_router()

TAB = "webhooks"
DELIVERIES_PER_PAGE = 25


def _source_labels() -> dict[str, str]:
    """The services whose events a webhook may receive, in the reader's language."""
    return {
        "portal": _("Clients, staff and workspaces"),
        "signing": _("Smart documents"),
        "quotes": _("Quotes and invoices"),
        "documents": _("Requested documents"),
    }


def _status_labels() -> dict[str, str]:
    return {
        "active": _("Active"),
        "paused": _("Paused"),
        "pending": _("On its way"),
        "delivered": _("Delivered"),
        "failed": _("Failed"),
        "held": _("Kept while paused"),
    }


def _url_messages() -> dict[str, str]:
    """The notifier's refusals of a URL (by their code), in the reader's language."""
    return {
        "url_scheme": _("Use an address that starts with https://."),
        "url_credentials": _(
            "Leave the user name and password out of the address: receivers check the "
            "signature instead."
        ),
        "url_malformed": _("This is not a web address."),
        "url_address": _("This address leads inside your network, where webhooks are not sent."),
    }


def _uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise PageNotFound from None


def _groups(types: list[WebhookEventType]) -> list[tuple[str, list[str]]]:
    """The event types by service, in the order of the labels."""
    labels = _source_labels()
    by_source: dict[str, list[str]] = {}
    for event_type in types:
        by_source.setdefault(event_type.source, []).append(event_type.type)
    order = [*labels, *sorted(set(by_source) - set(labels))]
    return [
        (labels.get(source, source), by_source[source]) for source in order if source in by_source
    ]


def _values(webhook: Webhook | WebhookFields) -> dict[str, Any]:
    return {
        "url": webhook.url,
        "description": webhook.description,
        "event_types": list(webhook.event_types),
    }


def _form(problem: ApiProblem, values: Mapping[str, Any]) -> FormState:
    """The notifier's refusal beside its field: an event type refused is the list's."""
    aliases = {f"event_types.{index}": "event_types" for index in range(len(values["event_types"]))}
    form = form_from_problem(problem, values, aliases)
    for error in problem.errors:
        field, code = error.get("field"), str(error.get("code"))
        if field == "url" and code in _url_messages():
            form.errors["url"] = _url_messages()[code]
        elif field == "event_types" and not values["event_types"]:
            form.errors["event_types"] = _("Choose at least one event.")
    return form


async def _form_page(
    request: Request,
    notifier: Notifier,
    form: FormState,
    *,
    webhook: Webhook | None = None,
    offset: int = 0,
    status_code: int = 200,
) -> Response:
    context: dict[str, Any] = {}
    if webhook is not None:
        context["deliveries"] = await notifier.webhook_deliveries(
            webhook.id, limit=DELIVERIES_PER_PAGE, offset=offset
        )
    return await settings_page(
        request,
        "notifier/settings/webhook.html" if webhook else "notifier/settings/webhook_new.html",
        TAB,
        status_code,
        webhook=webhook,
        form=form,
        groups=_groups(await notifier.webhook_event_types()),
        statuses=_status_labels(),
        **context,
    )


def _fields(url: str, description: str, event_types: list[str] | None) -> WebhookFields:
    return WebhookFields(
        url=url.strip(), description=description.strip(), event_types=list(event_types or [])
    )


async def _secret_page(request: Request, webhook: WebhookWithSecret, *, rotated: bool) -> Response:
    # The secret is in this answer only: never in a URL, a toast or the session.
    return await settings_page(
        request, "notifier/settings/webhook_secret.html", TAB, webhook=webhook, rotated=rotated
    )


@router.get("/settings/webhooks")
async def webhooks_page(request: Request, _admin: Admin, notifier: Notifier) -> Response:
    webhooks = await notifier.webhooks()
    return await settings_page(
        request,
        "notifier/settings/webhooks.html",
        TAB,
        webhooks=webhooks.items,
        statuses=_status_labels(),
    )


@router.get("/settings/webhooks/new")
async def new_webhook_page(request: Request, _admin: Admin, notifier: Notifier) -> Response:
    form = FormState(values={"url": "", "description": "", "event_types": []})
    return await _form_page(request, notifier, form)


@router.post("/settings/webhooks")
async def create_webhook(
    request: Request,
    _admin: Admin,
    notifier: Notifier,
    url: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    event_types: Annotated[list[str] | None, Form()] = None,
) -> Response:
    fields = _fields(url, description, event_types)
    try:
        created = await notifier.create_webhook(fields)
    except ApiProblem as problem:
        raise_unless_invalid_input(problem)
        form = _form(problem, _values(fields))
        return await _form_page(request, notifier, form, status_code=422)
    return await _secret_page(request, created, rotated=False)


@router.get("/settings/webhooks/{webhook_id}")
async def webhook_page(
    request: Request,
    webhook_id: str,
    _admin: Admin,
    notifier: Notifier,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Response:
    """The webhook's settings, and its deliveries a page at a time (``offset``)."""
    webhook = await notifier.webhook(_uuid(webhook_id))
    form = FormState(values=_values(webhook))
    return await _form_page(request, notifier, form, webhook=webhook, offset=offset)


@router.post("/settings/webhooks/{webhook_id}")
async def save_webhook(
    request: Request,
    webhook_id: str,
    session: Admin,
    notifier: Notifier,
    url: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    event_types: Annotated[list[str] | None, Form()] = None,
) -> Response:
    webhook_id = _uuid(webhook_id)
    fields = _fields(url, description, event_types)
    try:
        await notifier.update_webhook(webhook_id, fields)
    except ApiProblem as problem:
        raise_unless_invalid_input(problem)
        webhook = await notifier.webhook(webhook_id)
        form = _form(problem, _values(fields))
        return await _form_page(request, notifier, form, webhook=webhook, status_code=422)
    session.notify(_("The webhook is saved."))
    return see_other(f"/settings/webhooks/{webhook_id}")


@router.post("/settings/webhooks/{webhook_id}/pause")
async def pause_webhook(webhook_id: str, session: Admin, notifier: Notifier) -> Response:
    webhook_id = _uuid(webhook_id)
    await notifier.pause_webhook(webhook_id)
    session.notify(_("The webhook is paused: its events are kept until you resume it."))
    return see_other(f"/settings/webhooks/{webhook_id}")


@router.post("/settings/webhooks/{webhook_id}/resume")
async def resume_webhook(webhook_id: str, session: Admin, notifier: Notifier) -> Response:
    webhook_id = _uuid(webhook_id)
    await notifier.resume_webhook(webhook_id)
    session.notify(_("The webhook is active again: the events it kept are on their way."))
    return see_other(f"/settings/webhooks/{webhook_id}")


@router.post("/settings/webhooks/{webhook_id}/rotate-secret")
async def rotate_secret(
    request: Request, webhook_id: str, _admin: Admin, notifier: Notifier
) -> Response:
    rotated = await notifier.rotate_webhook_secret(_uuid(webhook_id))
    return await _secret_page(request, rotated, rotated=True)


@router.post("/settings/webhooks/{webhook_id}/delete")
async def delete_webhook(webhook_id: str, session: Admin, notifier: Notifier) -> Response:
    await notifier.delete_webhook(_uuid(webhook_id))
    session.notify(_("The webhook is deleted."))
    return see_other("/settings/webhooks")


@router.get("/settings/webhooks/{webhook_id}/deliveries/{delivery_id}")
async def delivery_page(
    request: Request, webhook_id: str, delivery_id: str, _admin: Admin, notifier: Notifier
) -> Response:
    webhook = await notifier.webhook(_uuid(webhook_id))
    delivery = await notifier.webhook_delivery(webhook.id, _uuid(delivery_id))
    return await settings_page(
        request,
        "notifier/settings/webhook_delivery.html",
        TAB,
        webhook=webhook,
        delivery=delivery,
        statuses=_status_labels(),
    )


@router.post("/settings/webhooks/{webhook_id}/deliveries/{delivery_id}/replay")
async def replay_delivery(
    webhook_id: str,
    delivery_id: str,
    session: Admin,
    notifier: Notifier,
    back: Annotated[str, Form()] = "",
) -> Response:
    webhook_id, delivery_id = _uuid(webhook_id), _uuid(delivery_id)
    try:
        await notifier.replay_webhook_delivery(webhook_id, delivery_id)
    except ApiProblem as problem:
        if problem.status != 409:
            raise
        session.notify(
            _("This delivery cannot be sent again now: it is on its way or the webhook paused."),
            "error",
        )
    else:
        session.notify(_("The delivery is sent again."))
    if back == "list":
        return see_other(f"/settings/webhooks/{webhook_id}")
    return see_other(f"/settings/webhooks/{webhook_id}/deliveries/{delivery_id}")

"""The notifier's API: in-app notifications, preferences, templates, the development inbox,
webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Depends
from pydantic import BaseModel

from portico.gateway.apis.base import ServiceClient
from portico.gateway.web.context import service_api
from portico.kit.pagination import Page


class Notification(BaseModel):
    id: str
    kind: str
    title: str
    excerpt: str
    link: str | None
    created_at: datetime
    read_at: datetime | None


class Preference(BaseModel):
    """Which channels bring the person news of one kind of event."""

    kind: str
    description: str
    email: bool
    sms: bool
    in_app: bool


class MessageKind(BaseModel):
    kind: str
    description: str
    customised: list[str]


class TemplateParts(BaseModel):
    subject: str
    html: str
    text: str
    sms: str | None = None


class MessageTemplate(TemplateParts):
    """A kind's template in one language: the default, or the organisation's own."""

    kind: str
    locale: str
    customised: bool
    # The links each body must keep ({{ accept_url }}...).
    links: list[str]


class MailboxEntry(BaseModel):
    id: str
    channel: Literal["email", "sms"]
    to: str
    subject: str | None
    at: datetime
    # An SMS has no subject: the list shows its text.
    sms: str | None = None


class MailboxMessage(MailboxEntry):
    sender: str | None = None
    reply_to: str | None = None
    text: str
    html: str | None


class Webhook(BaseModel):
    id: str
    url: str
    description: str
    event_types: list[str]
    status: Literal["active", "paused"]
    paused_at: datetime | None
    pause_reason: str | None
    created_at: datetime


class WebhookWithSecret(Webhook):
    # In the answer to a creation or a rotation only.
    secret: str


class WebhookFields(BaseModel):
    """What an admin types: the URL, a description, the event types."""

    url: str
    description: str
    event_types: list[str]


class WebhookEventType(BaseModel):
    type: str
    source: str


class WebhookAttempt(BaseModel):
    number: int
    at: datetime
    succeeded: bool
    status_code: int | None
    error: str | None
    duration_ms: int
    response_body: str | None


class WebhookDelivery(BaseModel):
    id: str
    event_id: str
    event_type: str
    status: Literal["pending", "delivered", "failed", "held"]
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None


class WebhookDeliveryDetail(WebhookDelivery):
    payload: dict[str, Any]
    attempt_log: list[WebhookAttempt]


class NotifierApi(ServiceClient):
    service = "notifier"

    async def unread_count(self) -> int:
        return int((await self.get("/v1/notifications/unread-count"))["unread"])

    async def notifications(self, *, limit: int = 20, offset: int = 0) -> Page[Notification]:
        params = {"limit": limit, "offset": offset}
        return Page[Notification].model_validate(await self.get("/v1/notifications", params=params))

    async def mark_read(self, notification_id: str) -> None:
        await self.call("POST", f"/v1/notifications/{notification_id}/read")

    async def mark_all_read(self) -> None:
        await self.call("POST", "/v1/notifications/read-all")

    # My notification preferences: per kind of event, email, SMS and in-app.
    async def preferences(self) -> list[Preference]:
        return [Preference.model_validate(item) for item in await self.get("/v1/preferences")]

    async def set_preference(self, kind: str, *, email: bool, sms: bool, in_app: bool) -> None:
        body = {"email": email, "sms": sms, "in_app": in_app}
        await self.call("PUT", f"/v1/preferences/{kind}", json=body)

    # Email templates (admins): each kind of message per language.
    async def message_kinds(self) -> list[MessageKind]:
        return [MessageKind.model_validate(item) for item in await self.get("/v1/templates")]

    async def template(self, kind: str, locale: str) -> MessageTemplate:
        return MessageTemplate.model_validate(await self.get(f"/v1/templates/{kind}/{locale}"))

    async def save_template(self, kind: str, locale: str, parts: TemplateParts) -> None:
        await self.call("PUT", f"/v1/templates/{kind}/{locale}", json=parts.model_dump())

    async def reset_template(self, kind: str, locale: str) -> None:
        await self.delete(f"/v1/templates/{kind}/{locale}")

    async def preview_template(
        self, kind: str, locale: str, parts: TemplateParts | None = None
    ) -> TemplateParts:
        """The saved template rendered with sample data, or ``parts`` when given."""
        body = parts.model_dump() if parts is not None else None
        path = f"/v1/templates/{kind}/{locale}/preview"
        return TemplateParts.model_validate(await self.post(path, json=body))

    # The development inbox (embedded mode): every email and SMS written instead of sent.
    async def mailbox(self) -> list[MailboxEntry]:
        return [MailboxEntry.model_validate(item) for item in await self.get("/v1/mailbox")]

    async def mailbox_message(self, entry_id: str) -> MailboxMessage:
        return MailboxMessage.model_validate(await self.get(f"/v1/mailbox/{entry_id}"))

    # Webhooks (admins): endpoints, their deliveries and attempts.
    async def webhook_event_types(self) -> list[WebhookEventType]:
        answer = await self.get("/v1/webhook-event-types")
        return [WebhookEventType.model_validate(item) for item in answer]

    async def webhooks(self, *, limit: int = 200, offset: int = 0) -> Page[Webhook]:
        params = {"limit": limit, "offset": offset}
        return Page[Webhook].model_validate(await self.get("/v1/webhooks", params=params))

    async def webhook(self, webhook_id: str) -> Webhook:
        return Webhook.model_validate(await self.get(f"/v1/webhooks/{webhook_id}"))

    async def create_webhook(self, fields: WebhookFields) -> WebhookWithSecret:
        answer = await self.post("/v1/webhooks", json=fields.model_dump())
        return WebhookWithSecret.model_validate(answer)

    async def update_webhook(self, webhook_id: str, fields: WebhookFields) -> Webhook:
        answer = await self.patch(f"/v1/webhooks/{webhook_id}", json=fields.model_dump())
        return Webhook.model_validate(answer)

    async def delete_webhook(self, webhook_id: str) -> None:
        await self.delete(f"/v1/webhooks/{webhook_id}")

    async def rotate_webhook_secret(self, webhook_id: str) -> WebhookWithSecret:
        answer = await self.post(f"/v1/webhooks/{webhook_id}/rotate-secret")
        return WebhookWithSecret.model_validate(answer)

    async def pause_webhook(self, webhook_id: str) -> None:
        await self.call("POST", f"/v1/webhooks/{webhook_id}/pause")

    async def resume_webhook(self, webhook_id: str) -> None:
        await self.call("POST", f"/v1/webhooks/{webhook_id}/resume")

    async def webhook_deliveries(
        self, webhook_id: str, *, limit: int = 25, offset: int = 0
    ) -> Page[WebhookDelivery]:
        params = {"limit": limit, "offset": offset}
        path = f"/v1/webhooks/{webhook_id}/deliveries"
        return Page[WebhookDelivery].model_validate(await self.get(path, params=params))

    async def webhook_delivery(self, webhook_id: str, delivery_id: str) -> WebhookDeliveryDetail:
        path = f"/v1/webhooks/{webhook_id}/deliveries/{delivery_id}"
        return WebhookDeliveryDetail.model_validate(await self.get(path))

    async def replay_webhook_delivery(self, webhook_id: str, delivery_id: str) -> None:
        await self.call("POST", f"/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/replay")


# What a page handler declares to call the notifier as the person behind the request.
Notifier = Annotated[NotifierApi, Depends(service_api(NotifierApi))]

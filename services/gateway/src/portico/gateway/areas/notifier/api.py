"""The notifier's API: in-app notifications, preferences, templates, the development inbox."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends

from portico.gateway.apis.base import ServiceClient
from portico.gateway.web.context import service_api


class NotifierApi(ServiceClient):
    service = "notifier"

    async def unread_count(self) -> int:
        return int((await self.get("/v1/notifications/unread-count"))["unread"])

    async def notifications(self, *, limit: int = 20, offset: int = 0) -> dict[str, Any]:
        return await self.get("/v1/notifications", params={"limit": limit, "offset": offset})

    async def mark_read(self, notification_id: str) -> None:
        await self.call("POST", f"/v1/notifications/{notification_id}/read")

    async def mark_all_read(self) -> None:
        await self.call("POST", "/v1/notifications/read-all")

    # My notification preferences: per kind of event, email, SMS and in-app.
    async def preferences(self) -> list[dict[str, Any]]:
        return await self.get("/v1/preferences")

    async def set_preference(self, kind: str, *, email: bool, sms: bool, in_app: bool) -> None:
        body = {"email": email, "sms": sms, "in_app": in_app}
        await self.call("PUT", f"/v1/preferences/{kind}", json=body)

    # Email templates (admins): each kind of message per language.
    async def message_kinds(self) -> list[dict[str, Any]]:
        return await self.get("/v1/templates")

    async def template(self, kind: str, locale: str) -> dict[str, Any]:
        return await self.get(f"/v1/templates/{kind}/{locale}")

    async def save_template(self, kind: str, locale: str, **parts: Any) -> dict[str, Any]:
        return await self.put(f"/v1/templates/{kind}/{locale}", json=parts)

    async def reset_template(self, kind: str, locale: str) -> None:
        await self.delete(f"/v1/templates/{kind}/{locale}")

    async def preview_template(
        self, kind: str, locale: str, parts: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The saved template rendered with sample data, or ``parts`` when given."""
        return await self.post(f"/v1/templates/{kind}/{locale}/preview", json=parts)

    # The development inbox (embedded mode): every email and SMS written instead of sent.
    async def mailbox(self) -> list[dict[str, Any]]:
        return await self.get("/v1/mailbox")

    async def mailbox_message(self, entry_id: str) -> dict[str, Any]:
        return await self.get(f"/v1/mailbox/{entry_id}")


# What a page handler declares to call the notifier as the person behind the request.
Notifier = Annotated[NotifierApi, Depends(service_api(NotifierApi))]

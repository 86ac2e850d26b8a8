"""The notifier's API: in-app notifications, preferences, templates, the development inbox."""

from __future__ import annotations

from typing import Any

from portico.gateway.apis.base import ServiceClient


class NotifierApi(ServiceClient):
    async def unread_count(self) -> int:
        return int((await self.get("/v1/notifications/unread-count"))["unread"])

    async def notifications(self, *, limit: int = 20, offset: int = 0) -> dict[str, Any]:
        return await self.get("/v1/notifications", params={"limit": limit, "offset": offset})

    async def mark_read(self, notification_id: str) -> None:
        await self.call("POST", f"/v1/notifications/{notification_id}/read")

    async def mark_all_read(self) -> None:
        await self.call("POST", "/v1/notifications/read-all")

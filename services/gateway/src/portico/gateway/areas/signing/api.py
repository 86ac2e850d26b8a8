"""The signing service's API: smart-document templates, their pages and their fields."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Depends
from pydantic import BaseModel, ConfigDict

from portico.gateway.apis.base import ApiProblem, ServiceClient
from portico.gateway.web.context import service_api
from portico.kit.pagination import Page


class Role(BaseModel):
    name: str


class TemplateSummary(BaseModel):
    id: uuid.UUID
    name: str
    source_kind: str
    page_count: int
    field_count: int
    sendable: bool
    # Why it cannot be sent yet (in the service's English), if so.
    not_sendable_reason: str | None = None
    auto_assign: bool
    archived: bool
    created_at: datetime
    updated_at: datetime


class TemplatePage(BaseModel):
    index: int
    # In points (1/72 inch).
    width: float
    height: float
    # Preview addresses by width in pixels, once rendered.
    previews: dict[str, str] = {}


class TemplateField(BaseModel):
    """A field as the service answers it. The editor's script reads and sends back the
    whole of it, so every property the service has is kept, typed or not."""

    model_config = ConfigDict(extra="allow")

    id: uuid.UUID | None = None
    name: str
    type: str
    role: str
    page: int
    x: float
    y: float
    w: float
    h: float
    label: str = ""
    required: bool = False


class Template(TemplateSummary):
    original_name: str | None
    roles: list[Role]
    ordered: bool
    previews_ready: int
    pages: list[TemplatePage]
    fields: list[TemplateField]


class Preview(BaseModel):
    """A page's image, or why there is none yet (``ready`` false: still rendering)."""

    ready: bool
    content: bytes = b""


class SigningApi(ServiceClient):
    service = "signing"

    async def templates(
        self, *, q: str | None = None, archived: bool = False, limit: int = 25, offset: int = 0
    ) -> Page[TemplateSummary]:
        params = {"q": q, "archived": archived, "limit": limit, "offset": offset}
        return Page[TemplateSummary].model_validate(await self.get("/v1/templates", params=params))

    async def template(self, template_id: uuid.UUID) -> Template:
        return Template.model_validate(await self.get(f"/v1/templates/{template_id}"))

    async def upload(
        self, filename: str, content: bytes, content_type: str, *, name: str | None = None
    ) -> Template:
        files: dict[str, Any] = {"file": (filename, content, content_type)}
        if name:
            files["name"] = (None, name)
        return Template.model_validate(await self.post("/v1/templates", files=files))

    async def blank(
        self, name: str, *, pages: int, size: Literal["A4", "Letter"], titles: list[str]
    ) -> Template:
        body = {"name": name, "pages": pages, "size": size, "titles": titles}
        return Template.model_validate(await self.post("/v1/blank-templates", json=body))

    async def update(self, template_id: uuid.UUID, **changes: Any) -> Template:
        return Template.model_validate(
            await self.patch(f"/v1/templates/{template_id}", json=changes)
        )

    async def save_fields(self, template_id: uuid.UUID, fields: list[dict[str, Any]]) -> Template:
        body = {"fields": fields}
        return Template.model_validate(
            await self.put(f"/v1/templates/{template_id}/fields", json=body)
        )

    async def duplicate(self, template_id: uuid.UUID) -> Template:
        return Template.model_validate(await self.post(f"/v1/templates/{template_id}/duplicate"))

    async def archive(self, template_id: uuid.UUID) -> Template:
        return Template.model_validate(await self.post(f"/v1/templates/{template_id}/archive"))

    async def restore(self, template_id: uuid.UUID) -> Template:
        return Template.model_validate(await self.post(f"/v1/templates/{template_id}/restore"))

    async def remove(self, template_id: uuid.UUID) -> None:
        await self.delete(f"/v1/templates/{template_id}")

    async def preview(self, template_id: uuid.UUID, index: int, width: int) -> Preview:
        path = f"/v1/templates/{template_id}/pages/{index}/preview"
        try:
            response = await self.call("GET", path, params={"width": width})
        except ApiProblem as problem:
            if problem.status == 404 and problem.retry_after:
                return Preview(ready=False)
            raise
        return Preview(ready=True, content=response.content)

    async def document(self, template_id: uuid.UUID) -> bytes:
        return (await self.call("GET", f"/v1/templates/{template_id}/document")).content

    async def prefills(self, template_id: uuid.UUID) -> dict[str, str]:
        """Each prefilled field's value for sample client and contact (the preview's)."""
        answer: dict[str, str] = await self.get(f"/v1/templates/{template_id}/prefills")
        return answer


Signing = Annotated[SigningApi, Depends(service_api(SigningApi))]

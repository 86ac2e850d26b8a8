"""Request and response bodies of the API keys API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Scope = Literal[
    "clients:read",
    "clients:write",
    "documents:read",
    "documents:write",
    "signing:read",
    "signing:write",
    "quotes:read",
    "quotes:write",
    "events:read",
]


class ApiKeyIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "ERP sync", "scopes": ["documents:write"]}]}
    )

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    scopes: list[Scope] = Field(min_length=1, max_length=20)


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    prefix: str = Field(description="The key's first characters, to tell keys apart")
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class CreatedApiKey(ApiKeyOut):
    key: str = Field(description="The secret key; shown this once, only its hash is kept")

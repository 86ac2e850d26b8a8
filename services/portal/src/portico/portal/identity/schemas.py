"""Request and response bodies of the authentication API."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

Password = Annotated[str, StringConstraints(min_length=1, max_length=256)]


class LoginIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"email": "lea@studio.example", "password": "••••••••••"}]}
    )

    email: EmailStr
    password: Password


class AccessToken(BaseModel):
    access_token: str = Field(description="Send as `Authorization: Bearer <access_token>`")
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (the OAuth token type)
    expires_in: int = Field(description="Seconds until the access token expires")


class TokenPair(AccessToken):
    refresh_token: str = Field(description="Exchange at /v1/auth/refresh; works once")


class RefreshIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"refresh_token": "8Jq0…"}]})

    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class ApiKeyExchangeIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"api_key": "ptk_…"}]})

    api_key: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class PasswordResetRequestIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"email": "lea@studio.example"}]})

    email: EmailStr


class PasswordResetIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"token": "the token of the emailed link", "password": "a new passphrase"}]
        }
    )

    token: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    password: Password


class SwitchIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"client_id": "5f0c2b1e-8a4d-4c36-9a51-2f7e3d9b0c11"}]}
    )

    client_id: uuid.UUID = Field(description="A client the person is a contact of")

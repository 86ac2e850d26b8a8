"""The portal's own settings (``PORTICO_PORTAL_*``, and ``PORTICO_ADMIN_*`` for the first admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class PortalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTICO_PORTAL_", extra="ignore")

    # The first admin, for deployments and scripts; generated and printed when unset.
    admin_email: str | None = Field(
        default=None, validation_alias=AliasChoices("PORTICO_ADMIN_EMAIL")
    )
    admin_password: str | None = Field(
        default=None, validation_alias=AliasChoices("PORTICO_ADMIN_PASSWORD")
    )
    # Short: services other than the portal cannot see a logout before the token expires.
    access_token_minutes: int = Field(default=15, ge=1, le=60)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    # A refresh token just replaced still works this long (tabs refreshing together);
    # 0 makes any second use end the session at once.
    refresh_grace_seconds: int = Field(default=10, ge=0, le=60)
    invitation_days: int = Field(default=14, ge=1, le=90)
    password_reset_minutes: int = Field(default=60, ge=5, le=1440)
    max_upload_mib: int = Field(default=25, ge=1, le=2048)


def portal_settings() -> PortalSettings:
    return PortalSettings()


def max_upload_bytes() -> int:
    """The largest file a request may bring: a workspace file (the logo's limit is smaller)."""
    return portal_settings().max_upload_mib * 1024 * 1024


Settings = Annotated[PortalSettings, Depends(portal_settings)]

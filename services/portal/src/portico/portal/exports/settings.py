"""Settings of client exports (``PORTICO_PORTAL_EXPORT_*``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ExportSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTICO_PORTAL_EXPORT_", extra="ignore")

    # The services that answer ClientExportRequested, besides the portal itself. The bus
    # cannot tell who consumes an event, and a service never calls another, so the portal
    # is told which answers to wait for: a deployment without a service (or with a new
    # one) says so here (JSON: PORTICO_PORTAL_EXPORT_SERVICES='["signing","quotes"]').
    services: list[str] = Field(default=["signing", "documents", "quotes", "notifier"])
    # An export still missing a part this long after it was asked for has failed (the
    # status says which services never answered).
    deadline_hours: int = Field(default=24, ge=1, le=24 * 14)


def export_settings() -> ExportSettings:
    return ExportSettings()

"""The notifier's settings (``PORTICO_NOTIFIER_*``)."""

from __future__ import annotations

import os
from typing import Annotated, Literal

from fastapi import Depends
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class NotifierSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTICO_NOTIFIER_", extra="ignore")

    # No SMTP host: every email goes to the local mailbox under the data folder.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_username: str | None = None
    smtp_password: str | None = None
    # Seconds an SMTP send may take in all (connecting included) before it is a transient
    # failure, tried again later: a server that stops answering holds no job for long.
    smtp_timeout: float = Field(default=30.0, gt=0)
    # The sender when the organisation has not set one.
    default_sender: str = "portico@localhost"
    sms_provider: Literal["mailbox", "http"] = "mailbox"
    sms_base_url: str = "https://api.twilio.com"
    sms_account_sid: str | None = None
    sms_auth_token: str | None = None
    sms_from: str | None = None
    sms_messaging_service_sid: str | None = None
    # Seconds before each new try of a message a channel could not take; failed after them.
    retry_delays: tuple[float, ...] = (30.0, 120.0, 600.0, 3600.0, 4 * 3600.0)
    # Deliveries per send job: a transaction's deliveries are sent by jobs of this many.
    dispatch_batch: int = Field(default=50, ge=1, le=1000)


_built: dict[frozenset[tuple[str, str]], NotifierSettings] = {}


def notifier_settings() -> NotifierSettings:
    """The settings for the current environment; built once per distinct environment, as
    reading them costs more than rendering a message (handlers ask for them per event)."""
    key = frozenset(
        (name, value) for name, value in os.environ.items() if name.startswith("PORTICO_NOTIFIER_")
    )
    if key not in _built:
        _built[key] = NotifierSettings()
    return _built[key]


Settings = Annotated[NotifierSettings, Depends(notifier_settings)]

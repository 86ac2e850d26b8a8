"""The webhooks' settings (``PORTICO_NOTIFIER_WEBHOOKS_*``)."""

from __future__ import annotations

import os

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from portico.notifier.webhooks.retries import DEFAULT_DELAYS


class WebhookSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTICO_NOTIFIER_WEBHOOKS_", extra="ignore")

    # Seconds before each new try of a failed delivery; it fails after the last one, and
    # a delivery that fails so pauses its endpoint.
    retry_delays: tuple[float, ...] = Field(default=DEFAULT_DELAYS, min_length=1)
    # Seconds a receiver has to answer (connecting included) before the try has failed.
    timeout: float = Field(default=10.0, gt=0, le=60)
    # http://localhost and loopback addresses: None follows the mode (allowed in the
    # embedded mode, which is for development; refused in the distributed one).
    allow_local: bool | None = None
    # Receivers on private networks (10/8, 172.16/12, 192.168/16, fc00::/7): for a
    # deployment whose receivers are on-premises.
    allow_private_networks: bool = False
    # An egress proxy every webhook goes through (http://proxy:3128), when the network
    # lets the notifier out only that way.
    proxy: str | None = None
    # Days a finished delivery (delivered, or failed for good) and its attempts are kept
    # for the log and replays before they are deleted (``retention.py``).
    delivery_retention_days: int = Field(default=30, ge=1, le=3650)

    def local_allowed(self, *, embedded: bool) -> bool:
        return embedded if self.allow_local is None else self.allow_local


_built: dict[frozenset[tuple[str, str]], WebhookSettings] = {}


def webhook_settings() -> WebhookSettings:
    """The settings for the current environment, built once per distinct environment
    (the event handler asks for them per event)."""
    key = frozenset(
        (name, value)
        for name, value in os.environ.items()
        if name.startswith("PORTICO_NOTIFIER_WEBHOOKS_")
    )
    if key not in _built:
        _built[key] = WebhookSettings()
    return _built[key]

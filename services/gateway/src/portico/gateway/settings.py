"""The gateway's settings (``PORTICO_GATEWAY_*``)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from portico.kit.settings import PorticoSettings

ENV_PREFIX = "PORTICO_GATEWAY_"
SECRET_FILE = "gateway-secret"  # noqa: S105 (a file name, not a secret)


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    # Signs the session cookie. The embedded run keeps a generated one in the data folder.
    secret_key: str | None = Field(default=None, min_length=32)
    # Secure cookies unless the public address is plain http (localhost in development).
    secure_cookies: bool | None = None
    # Refresh the access token this long before it expires.
    refresh_margin_seconds: int = Field(default=60, ge=0, le=600)
    session_days: int = Field(default=30, ge=1, le=365)
    # The portal's upload limit, checked in the browser before a file is sent: read from the
    # portal's own variable too, so that one setting serves both when they run together.
    max_upload_mib: int = Field(
        default=25,
        ge=1,
        le=2048,
        validation_alias=AliasChoices(
            "PORTICO_GATEWAY_MAX_UPLOAD_MIB", "PORTICO_PORTAL_MAX_UPLOAD_MIB"
        ),
    )

    def service_url(self, service: str) -> str:
        """A service's API in the distributed mode (the embedded mode calls it in-process):
        ``PORTICO_GATEWAY_<SERVICE>_URL``, else its host name in the compose network."""
        configured = os.environ.get(f"{ENV_PREFIX}{service.upper()}_URL")
        return configured or f"http://{service}:8000/api/{service}"

    def cookie_secure(self, shared: PorticoSettings) -> bool:
        if self.secure_cookies is not None:
            return self.secure_cookies
        return (shared.public_url or "").startswith("https://")

    def resolved_secret(self, shared: PorticoSettings, *, hosted: bool) -> str:
        """The configured key; a process hosting the services too keeps one in its data."""
        if self.secret_key:
            return self.secret_key
        if not hosted:
            # Gateways behind a load balancer must share it: it cannot be made up here.
            raise SystemExit("PORTICO_GATEWAY_SECRET_KEY (32 characters or more) must be set")
        return _local_secret(shared.data_dir / SECRET_FILE)


def _local_secret(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(secret)
    return secret

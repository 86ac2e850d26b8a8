"""Settings shared by every service (``PORTICO_*``) and the per-service ones."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# How the embedded web UI's in-process calls appear to the services (never an IP address).
IN_PROCESS_PEER = "in-process"


class PorticoSettings(BaseSettings):
    """What every process reads from ``PORTICO_*``; built once at start-up."""

    model_config = SettingsConfigDict(env_prefix="PORTICO_", extra="ignore")

    data_dir: Path = Path("var")
    host: str = "127.0.0.1"
    port: int = 8000
    # Where people reach Portico (links in emails); defaults to http://<host>:<port>.
    public_url: str | None = None
    # Peers whose X-Forwarded-For names the real client: the web UI's in-process calls,
    # and in the distributed mode the gateway's addresses (a login throttle or an audit
    # trail needs the browser's address, not the gateway's).
    trusted_proxies: tuple[str, ...] = (IN_PROCESS_PEER,)
    # amqp://user:pass@host:5672/vhost; unset means the in-process bus (embedded mode).
    bus_url: str | None = None
    bus_prefetch: int = 64
    # Seconds between tries of a failing handler; a message is parked after the last one.
    bus_retry_delays: tuple[float, ...] = (1.0, 10.0, 60.0, 600.0)
    # Days the relays keep published outbox rows and inbox records before deleting them.
    outbox_retention_days: float = Field(default=7, gt=0)
    inbox_retention_days: float = Field(default=30, gt=0)
    # Seconds a process asked to stop gives its work in hand (running jobs, a relay pass,
    # events being handled) before it lets go of the rest, whatever the broker, the
    # database or a mail server are doing; then it exits within a few seconds more.
    stop_grace_seconds: float = Field(default=10.0, ge=0, le=600)
    # S3-compatible storage; unset endpoint and bucket mean the local folder store.
    s3_endpoint_url: str | None = None
    s3_bucket: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    s3_region: str = "us-east-1"
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: str = "INFO"
    otlp_endpoint: str | None = None
    # Ed25519 keys in PEM. The portal signs with the private key; every service verifies
    # with the public one. Embedded mode generates a pair under data_dir when unset.
    jwt_private_key: str | None = None
    jwt_public_key: str | None = None
    # Public keys verified besides jwt_public_key (a JSON list of PEMs): during a rotation,
    # the next key before the portal signs with it, then the previous one until its tokens
    # have expired (docs/operations.md).
    jwt_accepted_public_keys: list[str] = []
    jwt_issuer: str = "portico"
    # Or a folder holding jwt-private.pem / jwt-public.pem (compose shares one volume).
    keys_dir: Path | None = None

    @property
    def embedded(self) -> bool:
        return self.bus_url is None

    def link(self, path: str) -> str:
        """An absolute address of ``path`` for people outside (emails, SMS)."""
        base = self.public_url or f"http://{self.host}:{self.port}"
        return f"{base.rstrip('/')}/{path.lstrip('/')}"


class ServiceSettings(BaseSettings):
    """Per-service settings: ``PORTICO_<SERVICE>_*`` (e.g. ``PORTICO_PORTAL_DATABASE_URL``)."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str | None = None
    outbox_batch_size: int = Field(default=200, ge=1, le=5000)

    @classmethod
    def for_service(cls, service: str) -> ServiceSettings:
        return cls(_env_prefix=f"PORTICO_{service.upper()}_")

    def resolved_database_url(self, service: str, shared: PorticoSettings) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(shared.data_dir / f'{service}.db').resolve()}"

"""The job runner's settings (``PORTICO_JOBS_*``), the same for every service."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# Seconds between the tries of a failing job: a moment for a passing hiccup, then longer
# for a service that is down.
DEFAULT_RETRY_DELAYS = (5.0, 30.0, 300.0, 1800.0)


class JobSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTICO_JOBS_", extra="ignore")

    # Jobs a runner runs at once (each a task of its event loop).
    concurrency: int = Field(default=4, ge=1, le=100)
    # Seconds a claimed job stays reserved without a heartbeat: how soon another runner
    # takes over the jobs of one that died.
    lease_seconds: float = Field(default=15.0, ge=1.0, le=3600.0)
    # Seconds between tries of a failing job; it is parked after the last one.
    retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS
    # Worker processes of ``JobContext.compute`` (PDF rendering and the like).
    compute_workers: int = Field(default=1, ge=1, le=32)
    # Days done jobs are kept (their keys keep absorbing repeated enqueues meanwhile).
    retention_days: float = Field(default=30.0, gt=0)

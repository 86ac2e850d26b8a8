"""The signing service's settings (``PORTICO_SIGNING_*``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SigningSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTICO_SIGNING_", extra="ignore")

    # What an upload may be: its size, its pages, an image's pixels, a conversion's time.
    max_upload_mib: int = Field(default=25, ge=1, le=2048)
    max_pages: int = Field(default=200, ge=1, le=5000)
    max_image_megapixels: int = Field(default=50, ge=1, le=1000)
    conversion_seconds: float = Field(default=60.0, gt=0, le=900)
    # Page previews' widths in pixels: thumbnails, and the page the editor draws on.
    preview_widths: tuple[int, ...] = (300, 1200)
    # How long a deleted template's files stay in the blob store, in case a template made
    # from the same file at the same moment needs them.
    document_grace_seconds: int = Field(default=3600, ge=0)
    # How long a signing link works when the submission has no expiry, and how long a
    # signer's link to their completed copy works.
    link_days: int = Field(default=30, ge=1, le=3650)
    copy_days: int = Field(default=90, ge=1, le=3650)
    # Reminders to sign: days after the link was sent (each once), and the last call, days
    # before the submission expires.
    reminder_days: tuple[int, ...] = (3, 7)
    last_call_days: int = Field(default=2, ge=0, le=365)
    # The largest image or file a signer may give for one field. Values travel as JSON,
    # whose bodies are bounded at 2 MiB (``portico.kit.uploads``): the signing page shrinks
    # photos before sending them, and saves each image with the draft as it is given.
    max_value_mib: int = Field(default=1, ge=1, le=1)
    # The identity check by a one-time code: how long a code works, wrong entries allowed
    # per code, codes per submitter, and the wait before another code is sent.
    identity_code_minutes: int = Field(default=10, ge=1, le=60)
    identity_code_failures: int = Field(default=5, ge=1, le=20)
    identity_codes_per_submitter: int = Field(default=10, ge=1, le=100)
    identity_resend_seconds: int = Field(default=30, ge=0, le=3600)
    # The organisation's seal (PKCS#12) when given as a file; else one is made at first
    # start and kept in the database.
    seal_pkcs12_path: str | None = None
    seal_password: str | None = None
    # An RFC 3161 time-stamping authority: with it, seals carry a trusted time and
    # long-term validation data (PAdES B-LT).
    tsa_url: str | None = None


def signing_settings() -> SigningSettings:
    return SigningSettings()


Settings = Annotated[SigningSettings, Depends(signing_settings)]

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


def signing_settings() -> SigningSettings:
    return SigningSettings()


Settings = Annotated[SigningSettings, Depends(signing_settings)]

"""The documents service's settings (``PORTICO_DOCUMENTS_*``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class DocumentsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTICO_DOCUMENTS_", extra="ignore")

    # The largest file any document type may take; each type sets its own within it.
    max_upload_mib: int = Field(default=25, ge=1, le=2048)


def documents_settings() -> DocumentsSettings:
    return DocumentsSettings()


Settings = Annotated[DocumentsSettings, Depends(documents_settings)]

"""A quote's attachments as staff and the link holder read them."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field


class AttachmentOut(BaseModel):
    """A file attached to a quote, for staff."""

    id: uuid.UUID
    quote_id: uuid.UUID
    file_name: str = Field(description="What the download is saved as")
    content_type: str = Field(description="Read from the file's content, not its name")
    size: int = Field(description="In bytes")
    created_at: datetime
    created_by: uuid.UUID | None = Field(description="The staff member; none for an API key")


class OnlineAttachmentOut(BaseModel):
    """A file attached to a quote, as its client reads it."""

    id: uuid.UUID
    file_name: str
    size: int = Field(description="In bytes")
    content_type: str

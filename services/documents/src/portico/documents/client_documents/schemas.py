"""Response and request bodies of a client's documents, for staff, API keys and clients."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from portico.documents.checklist import State, Status
from portico.documents.document_types.schemas import DocumentTypeOut


class DocumentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    client_id: uuid.UUID
    document_type_id: uuid.UUID
    status: Status = Field(description="uploaded (waiting for review), accepted or rejected")
    state: State = Field(description="As the client and staff see it: expired once past its date")
    file_name: str
    content_type: str
    size_bytes: int
    data: dict[str, Any]
    expires_on: date | None
    uploaded_by_kind: Literal["contact", "staff", "api_key"]
    uploaded_by_name: str
    uploaded_at: datetime
    reviewed_at: datetime | None
    reason: str | None = Field(description="Why it was rejected, shown to the client")


class ChecklistItem(BaseModel):
    """A document type that applies to the client, and where the client stands for it."""

    document_type: DocumentTypeOut
    state: State
    document: DocumentOut | None


class ChecklistOut(BaseModel):
    client_id: uuid.UUID
    complete: bool = Field(description="Every required document is accepted")
    outstanding: list[uuid.UUID] = Field(
        description="The required types not accepted yet (missing, in review, rejected, expired)"
    )
    items: list[ChecklistItem]


class ReviewIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"decision": "rejected", "reason": "The back of the card is missing."}]
        },
    )

    decision: Literal["accepted", "rejected"]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = (
        Field(default=None, description="Required to reject: the client reads it")
    )


class DataIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"data": {"number": "X4RTBPFW4", "valid_until": "2031-05-02"}}]
        },
    )

    data: dict[str, Any] = Field(description="The type's fields, by key")

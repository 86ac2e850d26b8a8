"""Request and response bodies of the invitations API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from portico.contracts.events.common import Locale

InvitationStatus = Literal["pending", "expired", "accepted", "revoked"]


class InvitationOut(BaseModel):
    id: uuid.UUID
    client_id: uuid.UUID
    client_name: str
    contact_id: uuid.UUID
    contact_name: str
    email: str
    status: InvitationStatus
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None = None
    invited_by: uuid.UUID | None = None


class InvitationPreview(BaseModel):
    """What the accept page shows before the contact chooses a password."""

    has_login: bool = Field(
        description=(
            "The address already logs into the client portal (a contact of another client): "
            "accepting asks for that password, not a new one"
        )
    )
    client_name: str
    first_name: str
    last_name: str
    email: str
    locale: Locale
    expires_at: datetime


class AcceptIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"token": "the token of the invitation link", "password": "a new passphrase"}
            ]
        }
    )

    token: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)] = Field(
        description=(
            "The password the contact chooses (the strength rules apply), or the one they "
            "log in with when the preview says `has_login`"
        )
    )


class ClientAccountOut(BaseModel):
    """The logged-in client's account: who they are and for which client."""

    account_id: uuid.UUID
    client_id: uuid.UUID
    client_name: str
    contact_id: uuid.UUID
    first_name: str
    last_name: str
    email: str
    locale: Locale
    joined_at: datetime
    clients: list[ClientChoice] = Field(
        description="Every client this person can open (POST /v1/auth/switch), by name"
    )


class ClientChoice(BaseModel):
    client_id: uuid.UUID
    client_name: str

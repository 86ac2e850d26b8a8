"""Capability tokens for public links: 32 random bytes, only their hash is stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portico.kit.db import UTCDateTime


def new_capability() -> tuple[str, str]:
    """A token for the link and the hash to store (the token itself is never stored)."""
    token = secrets.token_urlsafe(32)
    return token, hash_capability(token)


def hash_capability(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same_hash(left: str, right: str) -> bool:
    return hmac.compare_digest(left, right)


class CapabilityTokenColumns:
    """Columns of a table whose rows are reached by a capability link."""

    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    def usable_at(self, now: datetime) -> bool:
        return self.revoked_at is None and self.used_at is None and now < self.expires_at

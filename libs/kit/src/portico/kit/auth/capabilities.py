"""Capability tokens for public links (sign this document, view this quote).

The link carries 32 random bytes; the database keeps only their SHA-256, so a stolen
backup opens nothing. A row is found by the hash (an indexed equality, no secret-dependent
comparison in Python); where a token is checked against a row found otherwise, use
``capability_matches``, which compares in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import ClassVar

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portico.kit.db import UTCDateTime

TOKEN_BYTES = 32


def new_capability() -> tuple[str, str]:
    """A token for the link (URL-safe) and the hash to store; the token is never stored."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_capability(token)


def hash_capability(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def capability_matches(token: str, token_hash: str) -> bool:
    return hmac.compare_digest(hash_capability(token), token_hash)


class CapabilityTokenColumns:
    """Columns of a table whose rows a capability link opens (a SQLAlchemy mixin).

    ``single_use`` links (accept an invitation, reset a password) stop working once
    ``used_at`` is set; others (view a quote) work until they expire or are revoked, and
    ``used_at`` records the first use.
    """

    single_use: ClassVar[bool] = True

    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    def usable_at(self, now: datetime) -> bool:
        if self.revoked_at is not None:
            return False
        if self.single_use and self.used_at is not None:
            return False
        return now < self.expires_at

    def revoke(self, now: datetime) -> None:
        if self.revoked_at is None:
            self.revoked_at = now

    def mark_used(self, now: datetime) -> None:
        if self.used_at is None:
            self.used_at = now
